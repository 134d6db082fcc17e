/**
 * Lion (Chen et al. 2023, "Symbolic Discovery of Optimization Algorithms", Algorithm 2).
 *   c ← β1·m + (1 − β1)·g
 *   θ ← θ − lr·(sign(c) + λ·θ)          (decoupled weight decay λ)
 *   m ← β2·m + (1 − β2)·g
 * Every weight moves by exactly ±lr per step (plus decay), so Lion wants a 3–10× smaller lr than Adam.
 */
import * as tf from '@tensorflow/tfjs';
import type { OptimizerConfigOf } from '../../../shared/optimizers.js';
import { SlotOptimizer } from './optimizer.js';

export class Lion extends SlotOptimizer<'lion'> {
  protected update(theta: tf.Variable, g: tf.Tensor): void {
    const { beta1, beta2, weightDecay } = this.cfg;
    const m = this.slot(theta, 'm', () => tf.zerosLike(theta));
    const c = tf.add(tf.mul(beta1, m), tf.mul(1 - beta1, g));
    const decayed = weightDecay === 0 ? tf.sign(c) : tf.add(tf.sign(c), tf.mul(weightDecay, theta));
    theta.assign(tf.sub(theta, tf.mul(this.lr, decayed)));
    m.assign(tf.add(tf.mul(beta2, m), tf.mul(1 - beta2, g)));
  }
}

export const createLion = (config: OptimizerConfigOf<'lion'>) => new Lion(config);
