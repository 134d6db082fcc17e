/**
 * SGD, as PyTorch's `torch.optim.SGD` (momentum μ, dampening τ, nesterov, weight decay λ):
 *   g ← g + λ·θ
 *   μ > 0:  b ← g (t = 1),  b ← μ·b + (1 − τ)·g (afterwards)
 *           g ← g + μ·b  (nesterov)   or   g ← b
 *   θ ← θ − lr·g
 * `momentum.ts` and `nesterov.ts` are this optimizer with their settings by name.
 */
import * as tf from '@tensorflow/tfjs';
import type { OptimizerConfigOf } from '../../../shared/optimizers.js';
import { SlotOptimizer } from './optimizer.js';

type SgdFamily = 'sgd' | 'momentum' | 'nesterov';

export class Sgd<N extends SgdFamily = 'sgd'> extends SlotOptimizer<N> {
  private settings(): { momentum: number; dampening: number; nesterov: boolean; weightDecay: number } {
    const c = this.cfg as OptimizerConfigOf<SgdFamily>;
    switch (c.name) {
      case 'sgd':
        return c;
      case 'momentum':
        return { ...c, nesterov: false };
      case 'nesterov':
        return { ...c, dampening: 0, nesterov: true };
    }
  }

  protected update(theta: tf.Variable, g: tf.Tensor): void {
    const { momentum, dampening, nesterov, weightDecay } = this.settings();
    let grad = this.withL2(theta, g, weightDecay);
    if (momentum > 0) {
      const b = this.slot(theta, 'momentum', () => tf.zerosLike(theta));
      b.assign(this.t === 1 ? grad : tf.add(tf.mul(momentum, b), tf.mul(1 - dampening, grad)));
      grad = nesterov ? tf.add(grad, tf.mul(momentum, b)) : b;
    }
    theta.assign(tf.sub(theta, tf.mul(this.lr, grad)));
  }
}

export const createSgd = (config: OptimizerConfigOf<'sgd'>) => new Sgd(config);
