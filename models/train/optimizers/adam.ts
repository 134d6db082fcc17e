/**
 * Adam (Kingma & Ba 2015), via tfjs' AdamOptimizer.
 *   m ← β1·m + (1 − β1)·g
 *   v ← β2·v + (1 − β2)·g²
 *   θ ← θ − lr · m̂ / (√v̂ + ε),  m̂ = m / (1 − β1ᵗ), v̂ = v / (1 − β2ᵗ)
 * tfjs' Adam reads its `learningRate` field on every step, so a schedule just assigns it.
 */
import * as tf from '@tensorflow/tfjs';
import type { z } from 'zod';
import type { adamConfigSchema } from '../../../shared/run-config.js';
import type { Optimizer } from './optimizer.js';

export type AdamConfig = z.infer<typeof adamConfigSchema>;

export function createAdam(config: AdamConfig): Optimizer {
  const inner = tf.train.adam(config.lr, config.beta1, config.beta2, config.epsilon);
  return {
    name: 'adam',
    setLearningRate(lr) {
      (inner as unknown as { learningRate: number }).learningRate = lr;
    },
    applyGradients(grads) {
      // tfjs types the map as variables, but it takes gradient tensors keyed by variable name.
      inner.applyGradients(grads as unknown as Parameters<typeof inner.applyGradients>[0]);
    },
    dispose() {
      inner.dispose();
    },
  };
}
