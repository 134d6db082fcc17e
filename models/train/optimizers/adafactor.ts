/**
 * Adafactor (Shazeer & Stern 2018, "Adafactor: Adaptive Learning Rates with Sublinear Memory
 * Cost", Algorithms 4–5): factored second moments, relative step size, update clipping.
 *
 *   ρₜ = min(1e-2, 1/√t)           (relativeStep; otherwise ρₜ = lr from the schedule)
 *   αₜ = max(ε2, RMS(θ)) · ρₜ       (scaleParameter; otherwise αₜ = ρₜ)
 *   β̂2ₜ = 1 − t^decayRate          (decayRate −0.8)
 *   G² = g² + ε1
 *   matrix n×m:  R ← β̂2·R + (1 − β̂2)·rowmean(G²)        (n values)
 *                C ← β̂2·C + (1 − β̂2)·colmean(G²)        (m values)
 *                V̂ = R·Cᵀ / mean(R)                       (= R_sum C_sumᵀ / 1ᵀR_sum of the paper)
 *   vector:      V̂ ← β̂2·V̂ + (1 − β̂2)·G²
 *   U = g / √V̂
 *   Û = U / max(1, RMS(U) / clipThreshold)                 (update clipping)
 *   β1 > 0:      m ← β1·m + (1 − β1)·Û;  Û = m
 *   θ ← θ − αₜ·λ·θ − αₜ·Û                                  (weightDecay λ, decoupled)
 *
 * Memory: n + m numbers per n×m weight instead of Adam's 2·n·m.
 */
import * as tf from '@tensorflow/tfjs';
import type { OptimizerConfigOf } from '../../../shared/optimizers.js';
import { SlotOptimizer } from './optimizer.js';

const rms = (x: tf.Tensor) => tf.sqrt(tf.mean(tf.square(x)));

export class Adafactor extends SlotOptimizer<'adafactor'> {
  protected update(theta: tf.Variable, g: tf.Tensor): void {
    const c = this.cfg;
    const t = this.t;
    const rho = c.relativeStep ? Math.min(1e-2, 1 / Math.sqrt(t)) : this.lr;
    const alpha = c.scaleParameter ? tf.mul(tf.maximum(c.epsilon2, rms(theta)), rho) : tf.scalar(rho);
    const beta2 = 1 - Math.pow(t, c.decayRate);
    const g2 = tf.add(tf.square(g), c.epsilon1);
    let vHat: tf.Tensor;
    if (theta.shape.length >= 2) {
      const [rows, cols] = [theta.shape[0], theta.shape.slice(1).reduce((a, b) => a * b, 1)];
      const g2m = g2.reshape([rows, cols]);
      const r = this.slot(theta, 'row', () => tf.zeros([rows]));
      const col = this.slot(theta, 'col', () => tf.zeros([cols]));
      r.assign(tf.add(tf.mul(beta2, r), tf.mul(1 - beta2, tf.mean(g2m, 1))));
      col.assign(tf.add(tf.mul(beta2, col), tf.mul(1 - beta2, tf.mean(g2m, 0))));
      vHat = tf.div(tf.outerProduct(r as tf.Tensor1D, col as tf.Tensor1D), tf.mean(r)).reshape(theta.shape);
    } else {
      const v = this.slot(theta, 'v', () => tf.zerosLike(theta));
      v.assign(tf.add(tf.mul(beta2, v), tf.mul(1 - beta2, g2)));
      vHat = v;
    }
    let u = tf.div(g, tf.sqrt(vHat));
    u = tf.div(u, tf.maximum(1, tf.div(rms(u), c.clipThreshold)));
    if (c.beta1 > 0) {
      const m = this.slot(theta, 'm', () => tf.zerosLike(theta));
      m.assign(tf.add(tf.mul(c.beta1, m), tf.mul(1 - c.beta1, u)));
      u = m;
    }
    let next = tf.sub(theta, tf.mul(alpha, u));
    if (c.weightDecay > 0) next = tf.sub(next, tf.mul(tf.mul(alpha, c.weightDecay), theta));
    theta.assign(next);
  }
}

export const createAdafactor = (config: OptimizerConfigOf<'adafactor'>) => new Adafactor(config);
