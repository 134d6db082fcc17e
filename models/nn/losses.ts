/**
 * Training losses, computed on the model's output (probabilities for classification).
 * Probabilities are clipped to [ε, 1 − ε] before the log, as Keras does, so that a confident
 * wrong prediction costs a large but finite loss.
 */
import * as tf from '@tensorflow/tfjs';
import type { Task } from '../../shared/run-config.js';
import { PROBABILITY_EPSILON } from '../train/metrics.js';

/**
 * Loss of each example.
 * @param output model output: [batch, 1] sigmoid, [batch, k] softmax, or [batch, 1] linear
 * @param target [batch] class indices (float32) or standardized regression targets
 * @returns [batch] losses (nats for classification; squared standard units for regression)
 */
export function exampleLosses(task: Task, output: tf.Tensor, target: tf.Tensor1D, classes: number): tf.Tensor1D {
  return tf.tidy(() => {
    if (task === 'regression') return tf.square(tf.sub(output.reshape([-1]), target)) as tf.Tensor1D;
    const p = tf.clipByValue(output, PROBABILITY_EPSILON, 1 - PROBABILITY_EPSILON);
    if (task === 'binary') {
      const y = target.reshape([-1, 1]);
      // −[y·log p + (1 − y)·log(1 − p)]
      return tf.neg(tf.add(tf.mul(y, tf.log(p)), tf.mul(tf.sub(1, y), tf.log(tf.sub(1, p))))).reshape([-1]) as tf.Tensor1D;
    }
    const oneHot = tf.oneHot(target.toInt(), classes).toFloat();
    return tf.neg(tf.sum(tf.mul(oneHot, tf.log(p)), 1)) as tf.Tensor1D;
  });
}

/** Mean loss; with per-example weights w, Σ w·ℓ / Σ w (as PyTorch's weighted cross-entropy). */
export function taskLoss(task: Task, output: tf.Tensor, target: tf.Tensor1D, classes: number, weights?: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => {
    const losses = exampleLosses(task, output, target, classes);
    if (!weights) return tf.mean(losses) as tf.Scalar;
    return tf.div(tf.sum(tf.mul(losses, weights)), tf.sum(weights)) as tf.Scalar;
  });
}
