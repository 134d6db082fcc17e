/**
 * Adagrad (Duchi et al. 2011), as PyTorch implements it (epsilon after the square root).
 *   g ← g + λ·θ
 *   lr̃ = lr / (1 + (t − 1)·lrDecay)
 *   s ← s + g²                       (s starts at initialAccumulatorValue)
 *   θ ← θ − lr̃ · g / (√s + ε)
 */
import * as tf from '@tensorflow/tfjs';
import type { OptimizerConfigOf } from '../../../shared/optimizers.js';
import { SlotOptimizer } from './optimizer.js';

export class Adagrad extends SlotOptimizer<'adagrad'> {
  protected update(theta: tf.Variable, g: tf.Tensor): void {
    const { lrDecay, initialAccumulatorValue, epsilon, weightDecay } = this.cfg;
    const grad = this.withL2(theta, g, weightDecay);
    const s = this.slot(theta, 'sum', () => tf.fill(theta.shape, initialAccumulatorValue));
    s.assign(tf.add(s, tf.square(grad)));
    const lr = this.lr / (1 + (this.t - 1) * lrDecay);
    theta.assign(tf.sub(theta, tf.mul(lr, tf.div(grad, tf.add(tf.sqrt(s), epsilon)))));
  }
}

export const createAdagrad = (config: OptimizerConfigOf<'adagrad'>) => new Adagrad(config);
