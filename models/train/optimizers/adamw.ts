/**
 * AdamW (Loshchilov & Hutter 2019): Adam with decoupled weight decay, as PyTorch implements it.
 *   θ ← θ · (1 − lr·λ)                        (decay first, not through the gradient)
 *   then the Adam update of adam.ts with the raw gradient g.
 */
import * as tf from '@tensorflow/tfjs';
import type { OptimizerConfigOf } from '../../../shared/optimizers.js';
import { adamStep } from './adam.js';
import { SlotOptimizer } from './optimizer.js';

export class AdamW extends SlotOptimizer<'adamw'> {
  protected update(theta: tf.Variable, g: tf.Tensor): void {
    if (this.cfg.weightDecay !== 0) theta.assign(tf.mul(theta, this.s(1 - this.lr * this.cfg.weightDecay)));
    adamStep({ slot: (k, init) => this.slot(theta, k, init), s: (v) => this.s(v), t: this.t, lr: this.lr }, theta, g, this.cfg);
  }
}

export const createAdamW = (config: OptimizerConfigOf<'adamw'>) => new AdamW(config);
