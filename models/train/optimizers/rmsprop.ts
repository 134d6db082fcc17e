/**
 * RMSProp (Hinton 2012), as PyTorch implements it: epsilon is added after the square root
 * (tfjs adds it inside, which is why this is not tfjs' RMSPropOptimizer).
 *   g ← g + λ·θ
 *   v ← ρ·v + (1 − ρ)·g²
 *   centered:  ḡ ← ρ·ḡ + (1 − ρ)·g;  ṽ = v − ḡ²     (else ṽ = v)
 *   momentum μ > 0:  b ← μ·b + g / (√ṽ + ε);  θ ← θ − lr·b
 *   otherwise:       θ ← θ − lr · g / (√ṽ + ε)
 */
import * as tf from '@tensorflow/tfjs';
import type { OptimizerConfigOf } from '../../../shared/optimizers.js';
import { SlotOptimizer } from './optimizer.js';

export class RmsProp extends SlotOptimizer<'rmsprop'> {
  protected update(theta: tf.Variable, g: tf.Tensor): void {
    const { rho, epsilon, momentum, centered, weightDecay } = this.cfg;
    const grad = this.withL2(theta, g, weightDecay);
    const v = this.slot(theta, 'v', () => tf.zerosLike(theta));
    v.assign(tf.add(tf.mul(rho, v), tf.mul(1 - rho, tf.square(grad))));
    let variance: tf.Tensor = v;
    if (centered) {
      const mean = this.slot(theta, 'mean', () => tf.zerosLike(theta));
      mean.assign(tf.add(tf.mul(rho, mean), tf.mul(1 - rho, grad)));
      variance = tf.sub(v, tf.square(mean));
    }
    const step = tf.div(grad, tf.add(tf.sqrt(variance), epsilon));
    if (momentum > 0) {
      const b = this.slot(theta, 'momentum', () => tf.zerosLike(theta));
      b.assign(tf.add(tf.mul(momentum, b), step));
      theta.assign(tf.sub(theta, tf.mul(this.lr, b)));
    } else {
      theta.assign(tf.sub(theta, tf.mul(this.lr, step)));
    }
  }
}

export const createRmsProp = (config: OptimizerConfigOf<'rmsprop'>) => new RmsProp(config);
