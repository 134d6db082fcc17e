/**
 * Adadelta (Zeiler 2012), as PyTorch implements it.
 *   g ← g + λ·θ
 *   v ← ρ·v + (1 − ρ)·g²
 *   Δ = √(u + ε) / √(v + ε) · g
 *   u ← ρ·u + (1 − ρ)·Δ²
 *   θ ← θ − lr·Δ
 */
import * as tf from '@tensorflow/tfjs';
import type { OptimizerConfigOf } from '../../../shared/optimizers.js';
import { SlotOptimizer } from './optimizer.js';

export class Adadelta extends SlotOptimizer<'adadelta'> {
  protected update(theta: tf.Variable, g: tf.Tensor): void {
    const { rho, epsilon, weightDecay } = this.cfg;
    const grad = this.withL2(theta, g, weightDecay);
    const v = this.slot(theta, 'v', () => tf.zerosLike(theta));
    const u = this.slot(theta, 'u', () => tf.zerosLike(theta));
    v.assign(tf.add(tf.mul(rho, v), tf.mul(1 - rho, tf.square(grad))));
    const delta = tf.mul(tf.div(tf.sqrt(tf.add(u, epsilon)), tf.sqrt(tf.add(v, epsilon))), grad);
    u.assign(tf.add(tf.mul(rho, u), tf.mul(1 - rho, tf.square(delta))));
    theta.assign(tf.sub(theta, tf.mul(this.lr, delta)));
  }
}

export const createAdadelta = (config: OptimizerConfigOf<'adadelta'>) => new Adadelta(config);
