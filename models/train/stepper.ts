/**
 * Which stepper trains a run: Tickwork's dense kernel where it can (a CPU backend — wasm or
 * cpu — and a network of Dense / BatchNormalization layers, which is every network a
 * ModelSpec describes), else the tfjs tape. The native backends (tfjs-node, tfjs-node-gpu) keep
 * the tape: TensorFlow runs each op in C++ or CUDA, and the kernel would move the work off the
 * GPU.
 */
import * as tf from '@tensorflow/tfjs';
import { TickworkError } from '../../shared/errors.js';
import { createKernelStepper } from './dense/kernel-step.js';
import type { Engine, StepSetup, Stepper } from './step.js';
import { createTapeStepper } from './tape-step.js';

/** Backends whose work the kernel may take over: both compute on this thread's CPU. */
const KERNEL_BACKENDS = new Set(['wasm', 'cpu']);

export interface ChosenStepper {
  stepper: Stepper;
  /** Why the tape trains this run although the kernel was allowed (null: the kernel trains it, or the tape was asked for). */
  fallback: string | null;
}

export function createStepper(setup: StepSetup, engine: Engine = 'auto'): ChosenStepper {
  if (engine === 'tape') return { stepper: createTapeStepper(setup), fallback: null };
  const backend = tf.getBackend();
  let why: string;
  if (!KERNEL_BACKENDS.has(backend)) {
    why = `the ${backend} backend runs the tape's ops natively`;
  } else {
    const kernel = createKernelStepper(setup);
    if (typeof kernel !== 'string') return { stepper: kernel, fallback: null };
    why = kernel;
  }
  if (engine === 'kernel') throw new TickworkError('unsupported', `Tickwork's dense kernel cannot train this run: ${why}.`);
  return { stepper: createTapeStepper(setup), fallback: why };
}
