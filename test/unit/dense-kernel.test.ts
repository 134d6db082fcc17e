/**
 * Tickwork's dense kernel against tfjs: the hand-written gradients equal tf.grad's on the tape
 * loss (the loss the tape stepper trains) for every layer kind, activation and loss, to float32
 * precision; inference equals model.predict; and a few kernel steps move the weights as the tape
 * steps do.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildMlp, dropoutPoints, penalizedKernels } from '../../models/nn/mlp';
import { DenseNet, planNetwork } from '../../models/train/dense/dense-net';
import { compileKernel, KernelMemory, kernelProblem } from '../../models/train/dense/kernel';
import { createKernelStepper } from '../../models/train/dense/kernel-step';
import { loopConfig } from '../../models/train/loop';
import { createTapeStepper, tapeLoss } from '../../models/train/tape-step';
import { createRng, normal } from '../../models/random';
import type { RunConfigInput, Task } from '../../shared/run-config';

beforeAll(async () => {
  await tf.setBackend('cpu');
  // The kernel is built by scripts/build.mjs (vitest's global setup runs it): a missing kernel fails here, never skips.
  expect(kernelProblem()).toBeNull();
});

interface Case {
  label: string;
  task: Task;
  classes: number;
  inputs: number;
  rows: number;
  model: NonNullable<RunConfigInput['model']>;
  classWeights?: number[];
}

function data(c: Case, seed = 7) {
  const rng = createRng(seed);
  const x = Float32Array.from({ length: c.rows * c.inputs }, () => normal(rng));
  const y = Float32Array.from({ length: c.rows }, (_, i) => (c.task === 'regression' ? normal(rng) : i % c.classes));
  return { x, y };
}

/** Max |a − b| over max |b| (or over `floor`, when larger): the error relative to the scale of the values. */
function relativeError(a: ArrayLike<number>, b: ArrayLike<number>, floor = 1e-30): number {
  let diff = 0;
  let scale = floor;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return diff / scale;
}

function setup(c: Case) {
  const config = loopConfig({ model: c.model, seed: 11 });
  const model = buildMlp({ spec: config.model, task: c.task, inputSize: c.inputs, classes: c.classes, seed: 11 });
  const penalties = new Map(penalizedKernels(model, config.model).map((p) => [p.kernel.name, { l1: p.l1, l2: p.l2 }]));
  const plan = planNetwork(model, c.task, { dropoutAfter: dropoutPoints(config.model), penalties });
  if (typeof plan === 'string') throw new Error(plan);
  return { config, model, plan };
}

const CASES: Case[] = [
  { label: 'binary, relu → tanh', task: 'binary', classes: 2, inputs: 6, rows: 32, model: { hidden: [16, 8] } },
  ...(['relu', 'tanh', 'sigmoid', 'elu', 'selu', 'linear'] as const).map(
    (activation): Case => ({ label: `binary, one ${activation} layer`, task: 'binary', classes: 2, inputs: 5, rows: 13, model: { hidden: [19], activation } }),
  ),
  { label: 'multiclass (softmax), 3 classes', task: 'multiclass', classes: 3, inputs: 4, rows: 21, model: { hidden: [10, 7] } },
  { label: 'regression (linear output)', task: 'regression', classes: 1, inputs: 3, rows: 17, model: { hidden: [9] } },
  { label: 'no hidden layer', task: 'binary', classes: 2, inputs: 8, rows: 12, model: { hidden: [] } },
  { label: 'a hidden layer of one unit', task: 'regression', classes: 1, inputs: 4, rows: 10, model: { hidden: [1, 6] } },
  { label: 'batch norm', task: 'binary', classes: 2, inputs: 5, rows: 24, model: { hidden: [12, 8], batchNorm: true } },
  { label: 'dropout', task: 'binary', classes: 2, inputs: 5, rows: 24, model: { hidden: [32, 16], dropout: 0.3 } },
  { label: 'batch norm and dropout, multiclass', task: 'multiclass', classes: 4, inputs: 6, rows: 20, model: { hidden: [{ units: 16, batchNorm: true, dropout: 0.25 }, { units: 8, activation: 'elu' }] } },
  { label: 'L1 and L2 penalties (per layer and on the output)', task: 'binary', classes: 2, inputs: 5, rows: 16, model: { hidden: [{ units: 8, l1: 1e-2 }, { units: 4, l2: 3e-2 }], l1: 2e-3, l2: 1e-2 } },
  { label: 'class weights, binary', task: 'binary', classes: 2, inputs: 5, rows: 18, model: { hidden: [8] }, classWeights: [0.7, 2.5] },
  { label: 'class weights, multiclass', task: 'multiclass', classes: 3, inputs: 5, rows: 18, model: { hidden: [8] }, classWeights: [1, 0.5, 3] },
  { label: '64-wide layers (the 2×16 SIMD blocks)', task: 'binary', classes: 2, inputs: 32, rows: 128, model: { hidden: [64, 64] } },
];

/** Both builds of the kernel: plain SIMD, and relaxed SIMD (fused multiply-add) where the runtime has it. */
const relaxed = (() => {
  try {
    compileKernel('relaxed-simd');
    return true;
  } catch {
    return false;
  }
})();

describe.each([
  ['simd', true],
  ['relaxed-simd', relaxed],
] as const)('hand-written gradients equal tf.grad on the tape loss (%s kernel)', (variant, available) => {
  for (const c of CASES) {
    it.skipIf(!available)(c.label, () => {
      const { config, model, plan } = setup(c);
      const { x, y } = data(c);
      const w = c.classWeights ? Float32Array.from(y, (k) => c.classWeights![k]) : null;
      const movingBefore = model.getWeights().map((t) => t.clone());

      // Kernel: forward + backward of the batch into a zeroed gradient.
      const mem = new KernelMemory(0, variant);
      const net = new DenseNet(mem, plan, c.rows);
      const xa = mem.alloc(x.length);
      const ya = mem.alloc(y.length);
      const wa = w ? mem.alloc(w.length) : 0;
      mem.write(xa, x);
      mem.write(ya, y);
      if (w) mem.write(wa, w);
      net.zeroGradient();
      const kernelLoss = net.accumulate(xa, ya, wa, c.rows, 12345);
      const kernelGrad = mem.read(net.grad, net.parameters);
      const masks = plan.stages.map((_, i) => net.maskOf(i, c.rows));
      const kernelMoving = net.movingStatistics();

      // Tape: the same loss with the kernel's dropout masks, differentiated by tfjs.
      const variables = model.trainableWeights.map((v) => v.read() as tf.Variable);
      const loss = tapeLoss(model, config, c.task, c.classes);
      const { value, grads } = tf.variableGrads(
        () => loss(tf.tensor2d(x, [c.rows, c.inputs]), tf.tensor1d(y), w ? tf.tensor1d(w) : undefined, (h, i) => tf.mul(h, tf.tensor(masks[i]!, h.shape))),
        variables,
      );
      expect(Math.abs(kernelLoss - value.dataSync()[0]) / Math.abs(value.dataSync()[0])).toBeLessThan(1e-6);
      // Float32 precision: errors within a few units in the last place of the gradient's scale
      // (a bias gradient sums terms that cancel, so its own size can be far below theirs).
      const scale = Math.max(...variables.map((v) => Math.max(...Array.from(grads[v.name].dataSync(), Math.abs))));
      let offset = 0;
      for (const v of variables) {
        const tape = grads[v.name].dataSync();
        const ours = kernelGrad.subarray(offset, offset + tape.length);
        offset += tape.length;
        expect(relativeError(ours, tape, 0.1 * scale), `${c.label}: ∂L/∂${v.name}`).toBeLessThan(2e-6);
        expect(Math.max(...Array.from(tape, Math.abs)), `${c.label}: ∂L/∂${v.name} is not all zero`).toBeGreaterThan(0);
      }
      expect(offset).toBe(net.parameters);
      // Batch norm's moving statistics move the same way (tfjs-layers' update).
      const tapeMoving = model.layers.filter((l) => l.getClassName() === 'BatchNormalization').flatMap((l) => l.getWeights().slice(2));
      expect(kernelMoving).toHaveLength(tapeMoving.length);
      kernelMoving.forEach((m, i) => expect(relativeError(m, tapeMoving[i].dataSync())).toBeLessThan(4e-6));
      if (c.model.dropout) expect(masks.some((m) => m && m.some((v) => v === 0) && m.some((v) => v > 1))).toBe(true);

      tf.dispose([value, ...Object.values(grads), ...movingBefore]);
      model.dispose();
    });
  }
});

describe('inference in the kernel', () => {
  it('equals model.predict, batch norm on its moving statistics included', () => {
    const c: Case = { label: '', task: 'multiclass', classes: 3, inputs: 6, rows: 300, model: { hidden: [{ units: 20, batchNorm: true, dropout: 0.2 }, 10] } };
    const { model, plan } = setup(c);
    // Moving statistics away from their initial 0 / 1.
    const bn = model.getLayer('bn_1');
    const [gamma, beta] = bn.getWeights();
    bn.setWeights([gamma, beta, tf.fill([20], 0.3), tf.fill([20], 2.5)]);
    const { x } = data(c);
    const mem = new KernelMemory();
    const net = new DenseNet(mem, plan, 64);
    const ours = net.predict(x, c.rows, mem.alloc(64 * c.inputs));
    const theirs = (model.predict(tf.tensor2d(x, [c.rows, c.inputs])) as tf.Tensor).dataSync();
    expect(relativeError(ours, theirs)).toBeLessThan(1e-6);
    model.dispose();
  });
});

describe('kernel steps and tape steps', () => {
  it('move the weights alike over 20 steps (momentum, clipping, accumulation, batch norm)', () => {
    const c: Case = { label: '', task: 'binary', classes: 2, inputs: 5, rows: 96, model: { hidden: [{ units: 12, batchNorm: true }, 6], l2: 1e-3 } };
    const config = loopConfig({ model: c.model, seed: 3, batchSize: 16, accumulationSteps: 2, clipNorm: 0.5, clipValue: 0.2, optimizer: { name: 'momentum', lr: 0.05 } });
    const { x, y } = data(c);
    const run = (kind: 'kernel' | 'tape') => {
      const model = buildMlp({ spec: config.model, task: c.task, inputSize: c.inputs, classes: 2, seed: 3 });
      const setup = { model, config, task: c.task, classes: 2, x, y, rows: c.rows, cols: c.inputs, classWeights: null };
      const stepper = kind === 'kernel' ? createKernelStepper(setup) : createTapeStepper(setup);
      if (typeof stepper === 'string') throw new Error(stepper);
      stepper.optimizer.setLearningRate(0.05);
      const order = Int32Array.from({ length: c.rows }, (_, i) => (i * 37) % c.rows);
      const norms: number[] = [];
      for (let s = 0; s < 20; s++) {
        const first = (s * 2 * 16) % c.rows;
        norms.push(stepper.step([order.subarray(first, first + 16), order.subarray(first + 16, first + 32)], s, true).gradNorm!);
      }
      stepper.syncModel();
      stepper.dispose();
      const weights = model.getWeights().map((t) => t.dataSync().slice());
      model.dispose();
      return { weights, norms };
    };
    const kernel = run('kernel');
    const tape = run('tape');
    kernel.weights.forEach((w, i) => expect(relativeError(w, tape.weights[i]), `weight ${i}`).toBeLessThan(1e-4));
    expect(relativeError(kernel.norms, tape.norms)).toBeLessThan(1e-4);
  });
});
