/**
 * Runs a reference fixture (PyTorch trajectories; format in test/fixtures/README.md) through the
 * project's optimizers and schedules in float32, and reports the largest errors.
 *
 * Problem: loss(W, b) = mean((X·W + b − Y)²) + 0.1·Σ log(cosh(W)); each step takes the gradient at
 * the current parameters, then one optimizer update of W and b.
 * A parameter passes when |ours − ref| ≤ 1e-4·|ref| + 1e-5; a scheduled LR when its relative
 * error ≤ 1e-9.
 *
 * Every case runs twice: through the per-parameter tfjs optimizers (the tape path, tfjs-node
 * and GPU backends) and through the flat-vector optimizers of the dense kernel (what trains on
 * the CPU backends), labelled "(flat)".
 */
import * as tf from '@tensorflow/tfjs';
import { TickworkError } from '../../shared/errors.js';
import { scheduleConfigSchema } from '../../shared/run-config.js';
import { optimizerFromJson } from './optimizers/registry.js';
import { FlatOptimizer } from './dense/flat-optimizer.js';
import { KernelMemory, kernelProblem } from './dense/kernel.js';
import { learningRateAt } from '../../shared/schedule.js';

type Matrix = number[][];

export interface ReferenceFixture {
  problem: { X: Matrix; Y: Matrix; W0: Matrix; b0: number[] };
  steps: number;
  cases: Array<{ optimizer: string; config: Record<string, unknown>; lossBeforeEachStep?: number[]; params: Record<string, { W: Matrix; b: number[] }> }>;
  schedules?: Array<{ config: Record<string, number | string>; lrAtStep: number[] }>;
}

export interface CaseResult {
  label: string;
  /** max over checked parameters of |ours − ref| / max(|ref|, 1e-12) */
  maxRelativeError: number;
  /** max over checked parameters of |ours − ref| / (1e-4·|ref| + 1e-5): passes when ≤ 1 */
  maxToleranceRatio: number;
  /** max relative error of the loss before each step (informational) */
  maxLossRelativeError: number | null;
  passed: boolean;
  error?: string;
}

export const PARAM_RTOL = 1e-4;
export const PARAM_ATOL = 1e-5;
export const LR_RTOL = 1e-9;

function compare(ours: ArrayLike<number>, ref: number[], into: { rel: number; ratio: number }) {
  for (let i = 0; i < ref.length; i++) {
    const diff = Math.abs(ours[i] - ref[i]);
    into.rel = Math.max(into.rel, diff / Math.max(Math.abs(ref[i]), 1e-12));
    into.ratio = Math.max(into.ratio, diff / (PARAM_RTOL * Math.abs(ref[i]) + PARAM_ATOL));
  }
}

/** tfjs: one parameter at a time (optimizers/); flat: every parameter in one vector (dense/flat-optimizer.ts). */
export type Implementation = 'tfjs' | 'flat';

export function checkCase(fixture: ReferenceFixture, index: number, implementation: Implementation = 'tfjs'): CaseResult {
  const c = fixture.cases[index];
  const label = `${c.optimizer}${implementation === 'flat' ? ' (flat)' : ''} ${JSON.stringify(c.config)}`;
  const failed = (error: string): CaseResult => ({ label, maxRelativeError: Infinity, maxToleranceRatio: Infinity, maxLossRelativeError: null, passed: false, error });
  let optimizer;
  try {
    optimizer = optimizerFromJson({ name: c.optimizer, ...c.config });
  } catch (err) {
    return failed(err instanceof TickworkError ? err.message : String(err));
  }
  if (implementation === 'flat' && kernelProblem() !== null) {
    optimizer.dispose();
    return failed(kernelProblem()!);
  }
  const { X, Y, W0, b0 } = fixture.problem;
  const x = tf.tensor2d(X);
  const y = tf.tensor2d(Y);
  const W = tf.variable(tf.tensor2d(W0), true, `W_${index}`);
  const b = tf.variable(tf.tensor1d(b0), true, `b_${index}`);
  const loss = () =>
    tf.add(tf.mean(tf.square(tf.sub(tf.add(tf.matMul(x, W), b), y))), tf.mul(0.1, tf.sum(tf.log(tf.cosh(W))))) as tf.Scalar;
  // The flat optimizer updates θ = [W, b] in kernel memory; the gradient still comes from tfjs.
  const sizes = [W.size, b.size];
  const mem = implementation === 'flat' ? new KernelMemory() : null;
  const theta = mem ? mem.alloc(sizes[0] + sizes[1]) : 0;
  const grad = mem ? mem.alloc(sizes[0] + sizes[1]) : 0;
  const flat = mem ? new FlatOptimizer(mem, optimizer.config(), theta, grad, [{ offset: 0, shape: W.shape }, { offset: sizes[0], shape: b.shape }]) : null;
  if (mem) {
    mem.write(theta, W.dataSync());
    mem.write(theta + 4 * sizes[0], b.dataSync());
  }
  const errors = { rel: 0, ratio: 0 };
  let lossRel: number | null = null;
  const lastStep = Math.max(...Object.keys(c.params).map(Number), fixture.steps);
  try {
    for (let t = 1; t <= lastStep; t++) {
      const lossValue = tf.tidy(() => {
        const { value, grads } = tf.variableGrads(loss, [W, b]);
        if (flat && mem) {
          mem.write(grad, grads[W.name].dataSync());
          mem.write(grad + 4 * sizes[0], grads[b.name].dataSync());
          flat.apply();
          W.assign(tf.tensor(mem.read(theta, sizes[0]), W.shape));
          b.assign(tf.tensor(mem.read(theta + 4 * sizes[0], sizes[1]), b.shape));
        } else {
          optimizer.applyGradients([
            { variable: W, gradient: grads[W.name] },
            { variable: b, gradient: grads[b.name] },
          ]);
        }
        return value.dataSync()[0];
      });
      const refLoss = c.lossBeforeEachStep?.[t - 1];
      if (refLoss !== undefined) lossRel = Math.max(lossRel ?? 0, Math.abs(lossValue - refLoss) / Math.max(Math.abs(refLoss), 1e-12));
      const ref = c.params[String(t)];
      if (ref) {
        compare(W.dataSync(), ref.W.flat(), errors);
        compare(b.dataSync(), ref.b, errors);
      }
    }
  } finally {
    optimizer.dispose();
    tf.dispose([x, y, W, b]);
  }
  return { label, maxRelativeError: errors.rel, maxToleranceRatio: errors.ratio, maxLossRelativeError: lossRel, passed: errors.ratio <= 1 };
}

export function checkSchedule(fixture: ReferenceFixture, index: number): CaseResult {
  const s = fixture.schedules![index];
  const { baseLr, totalSteps, ...rest } = s.config as Record<string, unknown>;
  const label = `schedule ${JSON.stringify(s.config)}`;
  const parsed = scheduleConfigSchema.safeParse(rest);
  if (!parsed.success) {
    return { label, maxRelativeError: Infinity, maxToleranceRatio: Infinity, maxLossRelativeError: null, passed: false, error: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') };
  }
  let worst = 0;
  s.lrAtStep.forEach((expected, step) => {
    const got = learningRateAt(parsed.data, { baseLr: Number(baseLr), totalSteps: Number(totalSteps) }, step);
    const rel = Math.abs(got - expected) / Math.max(Math.abs(expected), 1e-300);
    worst = Math.max(worst, expected === 0 ? Math.abs(got) : rel);
  });
  return { label, maxRelativeError: worst, maxToleranceRatio: worst / LR_RTOL, maxLossRelativeError: null, passed: worst <= LR_RTOL };
}

export function checkFixture(fixture: ReferenceFixture, implementations: Implementation[] = ['tfjs', 'flat']): CaseResult[] {
  return [
    ...implementations.flatMap((implementation) => fixture.cases.map((_, i) => checkCase(fixture, i, implementation))),
    ...(fixture.schedules ?? []).map((_, i) => checkSchedule(fixture, i)),
  ];
}
