/**
 * Every optimizer of the registry over one flat parameter vector θ in kernel memory: one call
 * of the kernel's update rule per step for all weights of the network, instead of a dozen tfjs
 * ops per weight tensor. The rules are those of models/train/optimizers/<name>.ts, elementwise
 * (assembly/optimizers.ts); the scalars that change per step — bias corrections 1 − βᵗ, NAdam's
 * momentum schedule, Adagrad's decayed lr, Adafactor's ρₜ and β̂2ₜ — are computed here in
 * float64 and passed as float32, as the tfjs versions upload them.
 *
 * Adafactor is the exception: its second moment is factored per matrix, so it runs once per
 * parameter (`segments`), with row and column moments for matrices and a full one for vectors.
 *
 * Slots (moments, accumulators) are flat vectors like θ, allocated the first time a rule needs
 * them (a mid-run change can switch AMSGrad or RMSProp's momentum on) and zero then, as the
 * tfjs slots are.
 */
import type { OptimizerConfig, OptimizerConfigOf, OptimizerName } from '../../../shared/optimizers.js';
import { changedConfig, checkedLearningRate, type OptimizerControl } from '../optimizers/optimizer.js';
import type { KernelMemory } from './kernel.js';

/** One parameter tensor inside θ: its first float and its shape (kernel [in, out], bias [out], …). */
export interface FlatSegment {
  offset: number;
  shape: number[];
}

const sizeOf = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

export class FlatOptimizer implements OptimizerControl {
  private cfg: OptimizerConfig;
  private lr: number;
  private t = 0;
  private readonly n: number;
  private readonly slots = new Map<string, number>();
  /** NAdam: Π μᵢ for i = 1..t. */
  private muProduct = 1;

  /**
   * @param theta address of θ (n floats), updated in place
   * @param grad address of the gradient (n floats), read (clipping is the caller's)
   */
  constructor(
    private readonly mem: KernelMemory,
    config: OptimizerConfig,
    private readonly theta: number,
    private readonly grad: number,
    private readonly segments: FlatSegment[],
  ) {
    this.cfg = config;
    this.lr = config.lr;
    this.n = segments.reduce((sum, s) => sum + sizeOf(s.shape), 0);
  }

  get name(): OptimizerName {
    return this.cfg.name;
  }

  get iterations(): number {
    return this.t;
  }

  setLearningRate(lr: number): void {
    this.lr = checkedLearningRate(lr);
  }

  updateConfig(changes: Record<string, unknown>): void {
    this.cfg = changedConfig(this.cfg, changes);
    if ('lr' in changes) this.lr = this.cfg.lr;
  }

  config(): OptimizerConfig {
    return { ...this.cfg };
  }

  /** Slot `key` of `floats` values (all of θ unless given), zero on first use, or `fill`. */
  private slot(key: string, floats = this.n, fill = 0): number {
    let address = this.slots.get(key);
    if (address === undefined) {
      address = this.mem.alloc(floats);
      if (fill !== 0) this.mem.f32.fill(fill, address / 4, address / 4 + floats);
      this.slots.set(key, address);
    }
    return address;
  }

  /** One update of θ from the gradient (t ← t + 1 first, as in the formulas). */
  apply(): void {
    this.t++;
    const k = this.mem.k;
    const { theta, grad, n, t, lr } = this;
    const c = this.cfg;
    switch (c.name) {
      case 'sgd':
      case 'momentum':
      case 'nesterov': {
        const momentum = c.momentum;
        const dampening = c.name === 'nesterov' ? 0 : c.dampening;
        const nesterov = c.name === 'sgd' ? c.nesterov : c.name === 'nesterov';
        const b = momentum > 0 ? this.slot('momentum') : 0;
        k.sgd(theta, grad, b, n, lr, momentum, dampening, nesterov ? 1 : 0, c.weightDecay, t === 1 ? 1 : 0);
        return;
      }
      case 'adam':
      case 'adamw': {
        const adamw = c.name === 'adamw';
        const bias1 = 1 - Math.pow(c.beta1, t);
        const bias2 = 1 - Math.pow(c.beta2, t);
        const decay = adamw && c.weightDecay !== 0 ? 1 - lr * c.weightDecay : 1;
        k.adam(theta, grad, this.slot('m'), this.slot('v'), c.amsgrad ? this.slot('vmax') : 0, n, decay, adamw ? 0 : c.weightDecay,
          c.beta1, 1 - c.beta1, c.beta2, 1 - c.beta2, 1 / Math.sqrt(bias2), c.epsilon, lr / bias1, c.amsgrad ? 1 : 0);
        return;
      }
      case 'nadam': {
        const mu = (step: number) => c.beta1 * (1 - 0.5 * Math.pow(0.96, step * c.momentumDecay));
        this.muProduct *= mu(t);
        const muNext = mu(t + 1);
        const cm = muNext / (1 - this.muProduct * muNext);
        const cg = (1 - mu(t)) / (1 - this.muProduct);
        k.nadam(theta, grad, this.slot('m'), this.slot('v'), n, c.weightDecay, c.beta1, 1 - c.beta1, c.beta2, 1 - c.beta2, 1 - Math.pow(c.beta2, t), c.epsilon, cm, cg, lr);
        return;
      }
      case 'rmsprop':
        k.rmsprop(theta, grad, this.slot('v'), c.centered ? this.slot('mean') : 0, c.momentum > 0 ? this.slot('momentum') : 0, n, c.weightDecay,
          c.rho, 1 - c.rho, c.epsilon, c.momentum, c.centered ? 1 : 0, lr);
        return;
      case 'adagrad':
        k.adagrad(theta, grad, this.slot('sum', n, c.initialAccumulatorValue), n, c.weightDecay, c.epsilon, lr / (1 + (t - 1) * c.lrDecay));
        return;
      case 'adadelta':
        k.adadelta(theta, grad, this.slot('v'), this.slot('u'), n, c.weightDecay, c.rho, 1 - c.rho, c.epsilon, lr);
        return;
      case 'adamax':
        k.adamax(theta, grad, this.slot('m'), this.slot('u'), n, c.weightDecay, c.beta1, 1 - c.beta1, c.beta2, c.epsilon, lr / (1 - Math.pow(c.beta1, t)));
        return;
      case 'lion':
        k.lion(theta, grad, this.slot('m'), n, lr, c.beta1, 1 - c.beta1, c.beta2, 1 - c.beta2, c.weightDecay);
        return;
      case 'adafactor':
        this.adafactor(c, t, lr);
        return;
    }
  }

  private adafactor(c: OptimizerConfigOf<'adafactor'>, t: number, lr: number): void {
    const rho = c.relativeStep ? Math.min(1e-2, 1 / Math.sqrt(t)) : lr;
    const beta2 = 1 - Math.pow(t, c.decayRate);
    const largest = Math.max(...this.segments.map((s) => sizeOf(s.shape)));
    const scratch = this.slot('scratch', largest);
    this.segments.forEach((segment, i) => {
      const matrix = segment.shape.length >= 2;
      const rows = segment.shape[0];
      const cols = matrix ? sizeOf(segment.shape.slice(1)) : 0;
      const size = sizeOf(segment.shape);
      const at = segment.offset * 4;
      this.mem.k.adafactor(
        this.theta + at,
        this.grad + at,
        matrix ? rows : size,
        cols,
        matrix ? this.slot(`row${i}`, rows) : 0,
        matrix ? this.slot(`col${i}`, cols) : 0,
        matrix ? 0 : this.slot(`v${i}`, size),
        c.beta1 > 0 ? this.slot(`m${i}`, size) : 0,
        scratch,
        rho,
        c.scaleParameter ? 1 : 0,
        c.epsilon1,
        c.epsilon2,
        beta2,
        c.clipThreshold,
        c.beta1,
        c.weightDecay,
      );
    });
  }

  /** Memory belongs to the run's kernel instance; nothing to release one by one. */
  dispose(): void {
    this.slots.clear();
  }
}
