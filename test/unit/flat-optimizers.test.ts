/**
 * The flat-vector optimizers of the dense kernel (one update over every weight at once) equal
 * the per-parameter tfjs optimizers of models/train/optimizers — and so PyTorch's rules — to
 * float32 precision, for every optimizer and setting, with a schedule and a mid-run change.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { FlatOptimizer } from '../../models/train/dense/flat-optimizer';
import { KernelMemory, kernelProblem } from '../../models/train/dense/kernel';
import { createOptimizer } from '../../models/train/optimizers/registry';
import { createRng, normal } from '../../models/random';
import { OPTIMIZER_NAMES, optimizerConfigSchema, type OptimizerConfig } from '../../shared/optimizers';

beforeAll(async () => {
  await tf.setBackend('cpu');
  expect(kernelProblem()).toBeNull();
});

const SHAPES = [[5, 3], [3], [3, 4], [4], [4, 1], [1]];
const STEPS = 12;

const CONFIGS: Array<Record<string, unknown>> = [
  { name: 'sgd', lr: 0.1 },
  { name: 'sgd', lr: 0.05, weightDecay: 0.01, momentum: 0.8, dampening: 0.1 },
  { name: 'sgd', lr: 0.05, momentum: 0.9, nesterov: true },
  { name: 'momentum', lr: 0.05 },
  { name: 'nesterov', lr: 0.05, weightDecay: 1e-3 },
  { name: 'adam', lr: 0.01 },
  { name: 'adam', lr: 0.01, amsgrad: true, weightDecay: 0.01 },
  { name: 'adamw', lr: 0.01 },
  { name: 'adamw', lr: 0.01, amsgrad: true, beta1: 0.8, beta2: 0.95 },
  { name: 'nadam', lr: 0.01 },
  { name: 'nadam', lr: 0.01, weightDecay: 0.01, momentumDecay: 0.01 },
  { name: 'rmsprop', lr: 0.01 },
  { name: 'rmsprop', lr: 0.01, centered: true, momentum: 0.5, weightDecay: 0.01 },
  { name: 'adagrad', lr: 0.1 },
  { name: 'adagrad', lr: 0.1, lrDecay: 0.01, initialAccumulatorValue: 0.1, weightDecay: 0.01 },
  { name: 'adadelta' },
  { name: 'adadelta', rho: 0.8, weightDecay: 0.01 },
  { name: 'adamax', lr: 0.01 },
  { name: 'adamax', lr: 0.01, weightDecay: 0.01 },
  { name: 'lion', lr: 1e-3 },
  { name: 'lion', lr: 1e-3, weightDecay: 0.1 },
  { name: 'adafactor' },
  { name: 'adafactor', beta1: 0.9, weightDecay: 0.01 },
  { name: 'adafactor', relativeStep: false, scaleParameter: false, lr: 0.01, clipThreshold: 0.5 },
];

interface Trajectory {
  /** θ after each step, all parameters end to end. */
  theta: Float32Array[];
}

const theta0 = (rng: () => number) => SHAPES.map((s) => Float32Array.from({ length: s.reduce((a, b) => a * b, 1) }, () => normal(rng)));
const gradient = (rng: () => number) => SHAPES.map((s) => Float32Array.from({ length: s.reduce((a, b) => a * b, 1) }, () => 0.3 * normal(rng)));
/** A warmup-like schedule and, at step 7, a hyperparameter change through updateConfig. */
const lrAt = (config: OptimizerConfig, t: number) => config.lr * Math.min(1, t / 4);
const change = (config: OptimizerConfig): Record<string, unknown> => ('beta1' in config && config.name !== 'adafactor' ? { beta1: 0.7 } : { weightDecay: 0.02 });

function perParameter(config: OptimizerConfig): Trajectory {
  const rng = createRng(9);
  const vars = theta0(rng).map((v, i) => tf.variable(tf.tensor(v, SHAPES[i])));
  const opt = createOptimizer(config);
  const out: Trajectory = { theta: [] };
  for (let t = 1; t <= STEPS; t++) {
    if (t === 7) opt.updateConfig(change(config));
    opt.setLearningRate(lrAt(config, t));
    const gs = gradient(rng).map((g, i) => tf.tensor(g, SHAPES[i]));
    opt.applyGradients(vars.map((variable, i) => ({ variable, gradient: gs[i] })));
    tf.dispose(gs);
    out.theta.push(Float32Array.from(vars.flatMap((v) => Array.from(v.dataSync()))));
  }
  opt.dispose();
  tf.dispose(vars);
  return out;
}

function flat(config: OptimizerConfig): Trajectory {
  const rng = createRng(9);
  const mem = new KernelMemory();
  const init = theta0(rng);
  const n = init.reduce((s, v) => s + v.length, 0);
  const theta = mem.alloc(n);
  const grad = mem.alloc(n);
  let offset = 0;
  const segments = SHAPES.map((shape, i) => {
    const s = { offset, shape };
    mem.write(theta + 4 * offset, init[i]);
    offset += init[i].length;
    return s;
  });
  const opt = new FlatOptimizer(mem, config, theta, grad, segments);
  const out: Trajectory = { theta: [] };
  for (let t = 1; t <= STEPS; t++) {
    if (t === 7) opt.updateConfig(change(config));
    opt.setLearningRate(lrAt(config, t));
    const gs = gradient(rng);
    let at = 0;
    for (const g of gs) {
      mem.write(grad + 4 * at, g);
      at += g.length;
    }
    opt.apply();
    out.theta.push(mem.read(theta, n));
  }
  expect(opt.iterations).toBe(STEPS);
  return out;
}

describe('flat-vector optimizer updates equal the per-parameter ones', () => {
  it('covers every optimizer of the registry', () => {
    expect(new Set(CONFIGS.map((c) => c.name))).toEqual(new Set(OPTIMIZER_NAMES));
  });

  for (const raw of CONFIGS) {
    const config = optimizerConfigSchema.parse(raw);
    it(`${config.name} ${JSON.stringify(raw)}`, () => {
      const ref = perParameter(config);
      const ours = flat(config);
      for (let t = 0; t < STEPS; t++) {
        let worst = 0;
        let moved = 0;
        ref.theta[t].forEach((r, i) => {
          worst = Math.max(worst, Math.abs(ours.theta[t][i] - r) / (1e-6 + Math.abs(r)));
          if (t > 0) moved = Math.max(moved, Math.abs(r - ref.theta[t - 1][i]));
        });
        expect(worst, `step ${t + 1}`).toBeLessThan(2e-6);
        if (t > 0) expect(moved, `step ${t + 1} moves the weights`).toBeGreaterThan(0);
      }
    });
  }

  it('rejects a bad learning rate and a bad change with the per-parameter messages', () => {
    const mem = new KernelMemory();
    const opt = new FlatOptimizer(mem, optimizerConfigSchema.parse({ name: 'adam' }), mem.alloc(4), mem.alloc(4), [{ offset: 0, shape: [4] }]);
    expect(() => opt.setLearningRate(-1)).toThrow('lr must be >= 0, received -1');
    expect(() => opt.updateConfig({ beta1: 2 })).toThrow('beta1 must be < 1, received 2');
  });
});
