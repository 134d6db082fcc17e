/**
 * NAdam (Dozat 2016), as PyTorch implements it (momentum schedule with ψ = momentumDecay).
 *   g ← g + λ·θ
 *   μₜ = β1·(1 − ½·0.96^(t·ψ)),  μₜ₊₁ = β1·(1 − ½·0.96^((t+1)·ψ))
 *   m ← β1·m + (1 − β1)·g;   v ← β2·v + (1 − β2)·g²
 *   m̂ = μₜ₊₁·m / (1 − Πᵢ₌₁..ₜ₊₁ μᵢ) + (1 − μₜ)·g / (1 − Πᵢ₌₁..ₜ μᵢ)
 *   θ ← θ − lr · m̂ / (√(v / (1 − β2ᵗ)) + ε)
 */
import * as tf from '@tensorflow/tfjs';
import type { OptimizerConfigOf } from '../../../shared/optimizers.js';
import { SlotOptimizer } from './optimizer.js';

export class Nadam extends SlotOptimizer<'nadam'> {
  /** Π μᵢ for i = 1..t, advanced once per step (shared by all parameters). */
  private muProduct = 1;
  private productStep = 0;

  private mu(t: number): number {
    return this.cfg.beta1 * (1 - 0.5 * Math.pow(0.96, t * this.cfg.momentumDecay));
  }

  protected update(theta: tf.Variable, g: tf.Tensor): void {
    const { beta1, beta2, epsilon, weightDecay } = this.cfg;
    const t = this.t;
    if (this.productStep !== t) {
      this.muProduct *= this.mu(t);
      this.productStep = t;
    }
    const muT = this.mu(t);
    const muNext = this.mu(t + 1);
    const productNext = this.muProduct * muNext;
    const grad = this.withL2(theta, g, weightDecay);
    const m = this.slot(theta, 'm', () => tf.zerosLike(theta));
    const v = this.slot(theta, 'v', () => tf.zerosLike(theta));
    m.assign(tf.add(tf.mul(beta1, m), tf.mul(1 - beta1, grad)));
    v.assign(tf.add(tf.mul(beta2, v), tf.mul(1 - beta2, tf.square(grad))));
    const denom = tf.add(tf.sqrt(tf.div(v, 1 - Math.pow(beta2, t))), epsilon);
    const mHat = tf.add(tf.mul(muNext / (1 - productNext), m), tf.mul((1 - muT) / (1 - this.muProduct), grad));
    theta.assign(tf.sub(theta, tf.mul(this.lr, tf.div(mHat, denom))));
  }
}

export const createNadam = (config: OptimizerConfigOf<'nadam'>) => new Nadam(config);
