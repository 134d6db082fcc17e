/**
 * Adamax (Kingma & Ba 2015, §7.1), as PyTorch implements it.
 *   g ← g + λ·θ
 *   m ← β1·m + (1 − β1)·g
 *   u ← max(β2·u, |g| + ε)
 *   θ ← θ − lr / (1 − β1ᵗ) · m / u
 */
import * as tf from '@tensorflow/tfjs';
import type { OptimizerConfigOf } from '../../../shared/optimizers.js';
import { SlotOptimizer } from './optimizer.js';

export class Adamax extends SlotOptimizer<'adamax'> {
  protected update(theta: tf.Variable, g: tf.Tensor): void {
    const { beta1, beta2, epsilon, weightDecay } = this.cfg;
    const grad = this.withL2(theta, g, weightDecay);
    const m = this.slot(theta, 'm', () => tf.zerosLike(theta));
    const u = this.slot(theta, 'u', () => tf.zerosLike(theta));
    m.assign(tf.add(tf.mul(beta1, m), tf.mul(1 - beta1, grad)));
    u.assign(tf.maximum(tf.mul(beta2, u), tf.add(tf.abs(grad), epsilon)));
    const stepSize = this.lr / (1 - Math.pow(beta1, this.t));
    theta.assign(tf.sub(theta, tf.mul(stepSize, tf.div(m, u))));
  }
}

export const createAdamax = (config: OptimizerConfigOf<'adamax'>) => new Adamax(config);
