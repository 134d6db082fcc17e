/**
 * Adam (Kingma & Ba 2015), as PyTorch implements it, with optional AMSGrad.
 *   g ← g + λ·θ                               (weightDecay, coupled L2; see adamw.ts for decoupled)
 *   m ← β1·m + (1 − β1)·g
 *   v ← β2·v + (1 − β2)·g²
 *   v* ← max(v*, v)                           (amsgrad only; v* replaces v below)
 *   θ ← θ − (lr / (1 − β1ᵗ)) · m / (√v / √(1 − β2ᵗ) + ε)
 */
import * as tf from '@tensorflow/tfjs';
import type { OptimizerConfigOf } from '../../../shared/optimizers.js';
import { SlotOptimizer } from './optimizer.js';

export function adamStep(
  opt: { slot: (key: string, init: () => tf.Tensor) => tf.Variable; s: (value: number) => tf.Scalar; t: number; lr: number },
  theta: tf.Variable,
  grad: tf.Tensor,
  c: { beta1: number; beta2: number; epsilon: number; amsgrad: boolean },
): void {
  const m = opt.slot('m', () => tf.zerosLike(theta));
  const v = opt.slot('v', () => tf.zerosLike(theta));
  const s = opt.s;
  m.assign(tf.add(tf.mul(s(c.beta1), m), tf.mul(s(1 - c.beta1), grad)));
  v.assign(tf.add(tf.mul(s(c.beta2), v), tf.mul(s(1 - c.beta2), tf.square(grad))));
  let second: tf.Tensor = v;
  if (c.amsgrad) {
    const vMax = opt.slot('vmax', () => tf.zerosLike(theta));
    vMax.assign(tf.maximum(vMax, v));
    second = vMax;
  }
  const bias1 = 1 - Math.pow(c.beta1, opt.t);
  const bias2 = 1 - Math.pow(c.beta2, opt.t);
  const denom = tf.add(tf.mul(tf.sqrt(second), s(1 / Math.sqrt(bias2))), s(c.epsilon));
  theta.assign(tf.sub(theta, tf.mul(s(opt.lr / bias1), tf.div(m, denom))));
}

export class Adam extends SlotOptimizer<'adam'> {
  protected update(theta: tf.Variable, g: tf.Tensor): void {
    const grad = this.withL2(theta, g, this.cfg.weightDecay);
    adamStep({ slot: (k, init) => this.slot(theta, k, init), s: (v) => this.s(v), t: this.t, lr: this.lr }, theta, grad, this.cfg);
  }
}

export const createAdam = (config: OptimizerConfigOf<'adam'>) => new Adam(config);
