/**
 * Training losses, computed on the model's output (probabilities for classification).
 * Probabilities are clipped to [ε, 1 − ε] before the log, as Keras does, so that a confident
 * wrong prediction costs a large but finite loss.
 */
import * as tf from '@tensorflow/tfjs';
import type { Task } from '../../shared/run-config.js';
import { PROBABILITY_EPSILON } from '../train/metrics.js';

/**
 * @param output model output: [batch, 1] sigmoid, [batch, k] softmax, or [batch, 1] linear
 * @param target [batch] class indices (float32) or standardized regression targets
 * @returns scalar mean loss (nats per example for classification; squared standard units for regression)
 */
export function taskLoss(task: Task, output: tf.Tensor, target: tf.Tensor1D, classes: number): tf.Scalar {
  return tf.tidy(() => {
    if (task === 'regression') {
      return tf.mean(tf.square(tf.sub(output.reshape([-1]), target))) as tf.Scalar;
    }
    const p = tf.clipByValue(output, PROBABILITY_EPSILON, 1 - PROBABILITY_EPSILON);
    if (task === 'binary') {
      const y = target.reshape([-1, 1]);
      // −[y·log p + (1 − y)·log(1 − p)]
      const ll = tf.add(tf.mul(y, tf.log(p)), tf.mul(tf.sub(1, y), tf.log(tf.sub(1, p))));
      return tf.neg(tf.mean(ll)) as tf.Scalar;
    }
    const oneHot = tf.oneHot(target.toInt(), classes).toFloat();
    return tf.neg(tf.mean(tf.sum(tf.mul(oneHot, tf.log(p)), 1))) as tf.Scalar;
  });
}
