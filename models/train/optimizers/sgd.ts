/**
 * Stochastic gradient descent, with optional (heavy-ball) momentum, via tfjs.
 *   momentum = 0:  θ ← θ − lr·g
 *   momentum > 0:  v ← μ·v + g;  θ ← θ − lr·v
 * tfjs' SGD caches the learning rate: assigning the field does nothing, so we call
 * `setLearningRate()` (see TECH_NOTES).
 */
import * as tf from '@tensorflow/tfjs';
import type { z } from 'zod';
import type { sgdConfigSchema } from '../../../shared/run-config.js';
import type { Optimizer } from './optimizer.js';

export type SgdConfig = z.infer<typeof sgdConfigSchema>;

export function createSgd(config: SgdConfig): Optimizer {
  const inner = config.momentum > 0 ? tf.train.momentum(config.lr, config.momentum) : tf.train.sgd(config.lr);
  return {
    name: 'sgd',
    setLearningRate(lr) {
      inner.setLearningRate(lr);
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
