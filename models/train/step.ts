/**
 * One optimizer step, two ways. The loop (loop.ts) decides when to step and what to report; a
 * Stepper does the step itself:
 *
 *   loss = Σ w·ℓ / Σ w  (+ l1·Σ|W| + l2·ΣW²)     per mini-batch (w: class weights; dropout masks fresh per step)
 *   ∇ = mean of ∂loss/∂θ over the step's k mini-batches  (gradient accumulation)
 *   g = clip(∇, ±clipValue);  ‖g‖ = global L2 norm;  g ← g·min(1, clipNorm/‖g‖)
 *   optimizer update of θ with learning rate lr
 *
 * - the tape stepper (tape-step.ts) runs it with tfjs ops and tf.variableGrads, on any backend;
 * - the kernel stepper (dense/kernel-step.ts) runs it in Tickwork's WebAssembly SIMD kernel with
 *   hand-written gradients and one flat-vector optimizer update, for dense networks on the CPU.
 *
 * `createStepper` picks the kernel where it can train the run and says why not otherwise.
 */
import * as tf from '@tensorflow/tfjs';
import type { Task } from '../../shared/run-config.js';
import type { LoopConfig } from './plan.js';
import type { OptimizerControl } from './optimizers/optimizer.js';

export interface StepResult {
  /** Mean loss over the step's mini-batches (penalties included), when asked for. */
  loss: number | null;
  /** Global L2 norm of the gradient after value clipping and before norm clipping, when asked for or clipping by norm. */
  gradNorm: number | null;
}

export interface Stepper {
  /** What runs the steps: Tickwork's dense kernel or the tfjs tape. */
  readonly engine: 'kernel' | 'tape';
  /** The learning rate and hyperparameters of the next steps. */
  readonly optimizer: OptimizerControl;
  /**
   * One optimizer step over `batches` (row indices into the training data, one array per
   * mini-batch). `step` is the number of steps done before this one (it seeds dropout);
   * `read` asks for the loss and gradient norm.
   */
  step(batches: Int32Array[], step: number, read: boolean): StepResult;
  /** Bring the tfjs model's weights up to date with the steps taken (the tape trains them in place). */
  syncModel(): void;
  /** Take the tfjs model's weights as they are now (a callback restored earlier ones). */
  reloadModel(): void;
  /** The network's output for rows of x in inference mode (the standardized target for regression). */
  predict(x: Float32Array, rows: number, cols: number): Float32Array;
  /** Release what the stepper holds (the model stays). */
  dispose(): void;
}

/** What a stepper trains and on which data. */
export interface StepSetup {
  model: tf.LayersModel;
  config: LoopConfig;
  task: Task;
  classes: number;
  /** Row-major training features and the targets as the loss sees them (class index, or the standardized target). */
  x: Float32Array;
  y: Float32Array;
  rows: number;
  cols: number;
  /** Weight per class index (classification), or null. */
  classWeights: number[] | null;
}

export type Engine = 'auto' | 'kernel' | 'tape';

/**
 * TICKWORK_KERNEL=off makes every run take the tape path (to compare the two, or to rule the
 * kernel out); =simd keeps the kernel but without fused multiply-add (dense/kernel.ts).
 */
export const KERNEL_ENV = 'TICKWORK_KERNEL';

export function engineFromEnv(): Engine {
  const value = process.env[KERNEL_ENV]?.trim().toLowerCase();
  return value === 'off' || value === '0' || value === 'tape' ? 'tape' : 'auto';
}
