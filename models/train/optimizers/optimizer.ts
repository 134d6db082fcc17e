/**
 * What the training loop needs from an optimizer: set the step's learning rate, apply one update.
 */
import type * as tf from '@tensorflow/tfjs';

export interface Optimizer {
  readonly name: string;
  /** Learning rate for the next update (called before every step by the schedule). */
  setLearningRate(lr: number): void;
  /** One update θ ← θ − step(∇θ) for every variable named in `grads`. */
  applyGradients(grads: tf.NamedTensorMap): void;
  dispose(): void;
}
