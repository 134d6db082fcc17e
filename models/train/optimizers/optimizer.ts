/**
 * The optimizer contract and a base class for optimizers written with tfjs ops.
 *
 * tfjs ships a few optimizers, but some update rules differ from PyTorch's (epsilon inside the
 * square root for RMSProp/Adagrad), several are missing (AdamW, Nadam, Adafactor, Lion) and the
 * SGD family caches its learning rate. So every optimizer here is written out, following
 * PyTorch's documented algorithm, and checked against trajectories PyTorch computed
 * (`npm run check:optimizers`).
 *
 * State ("slots": moments, accumulators) lives in tf.Variables per weight, created on first use.
 * Each step runs inside one tf.tidy; nothing but the slots outlives it.
 */
import * as tf from '@tensorflow/tfjs';
import { optimizerConfigSchema, type OptimizerConfig, type OptimizerConfigOf, type OptimizerName } from '../../../shared/optimizers.js';
import { TickworkError } from '../../../shared/errors.js';

export interface ParameterGradient {
  variable: tf.Variable;
  gradient: tf.Tensor;
}

/** What the training loop steers on any optimizer: its learning rate and hyperparameters. */
export interface OptimizerControl {
  readonly name: OptimizerName;
  /** Learning rate for the next update (the schedule calls this before every step). */
  setLearningRate(lr: number): void;
  /** Change hyperparameters; applied from the next step. Validated like the config. */
  updateConfig(changes: Record<string, unknown>): void;
  config(): OptimizerConfig;
  /** Updates done so far (t in the formulas, 1 after the first). */
  readonly iterations: number;
  dispose(): void;
}

/** An optimizer over tfjs variables, one parameter at a time. */
export interface Optimizer extends OptimizerControl {
  /** One update of every parameter from its gradient. */
  applyGradients(pairs: ParameterGradient[]): void;
}

/** A learning rate the schedule may set: finite and ≥ 0. */
export function checkedLearningRate(lr: number): number {
  if (!(lr >= 0) || !Number.isFinite(lr)) throw new TickworkError('invalid_input', `lr must be >= 0, received ${lr}`);
  return lr;
}

/** The config with `changes` applied, validated like a new config (the name cannot change). */
export function changedConfig<N extends OptimizerName>(cfg: OptimizerConfigOf<N>, changes: Record<string, unknown>): OptimizerConfigOf<N> {
  const parsed = optimizerConfigSchema.safeParse({ ...cfg, ...changes, name: cfg.name });
  if (!parsed.success) throw new TickworkError('invalid_input', parsed.error.issues.map((i) => i.message).join('; '));
  return parsed.data as OptimizerConfigOf<N>;
}

export abstract class SlotOptimizer<N extends OptimizerName> implements Optimizer {
  protected cfg: OptimizerConfigOf<N>;
  /** Learning rate of the current step (the schedule may move it away from cfg.lr). */
  protected lr: number;
  protected t = 0;
  private readonly slots = new Map<string, tf.Variable>();
  /** Scalars of the current step, by value: uploaded once per step, not once per op and weight. */
  private scalars = new Map<number, tf.Scalar>();

  constructor(config: OptimizerConfigOf<N>) {
    this.cfg = config;
    this.lr = config.lr;
  }

  get name(): N {
    return this.cfg.name as N;
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

  /** A per-parameter state variable, created from `init` on first use. */
  protected slot(variable: tf.Variable, key: string, init: () => tf.Tensor): tf.Variable {
    const id = `${variable.name}/${key}`;
    let slot = this.slots.get(id);
    if (!slot) {
      slot = tf.variable(init(), false, `${id}/${Math.random().toString(36).slice(2)}`);
      this.slots.set(id, slot);
    }
    return slot;
  }

  applyGradients(pairs: ParameterGradient[]): void {
    this.t++;
    tf.tidy(() => {
      for (const { variable, gradient } of pairs) this.update(variable, gradient);
    });
    this.scalars = new Map(); // their tensors were disposed with the tidy
  }

  /**
   * A scalar tensor for a number, shared by every op of this step. tfjs uploads a fresh tensor
   * for each plain number passed to an op; on wasm that per-op upload is a large part of a
   * small network's step time.
   */
  protected s(value: number): tf.Scalar {
    let scalar = this.scalars.get(value);
    if (!scalar) {
      scalar = tf.scalar(value);
      this.scalars.set(value, scalar);
    }
    return scalar;
  }

  /** θ ← update(θ, g); called inside tf.tidy with this.t already incremented. */
  protected abstract update(theta: tf.Variable, g: tf.Tensor): void;

  /** Coupled (L2) weight decay: g ← g + λ·θ, as PyTorch's `weight_decay` for all but AdamW. */
  protected withL2(theta: tf.Variable, g: tf.Tensor, weightDecay: number): tf.Tensor {
    return weightDecay === 0 ? g : tf.add(g, tf.mul(weightDecay, theta));
  }

  dispose(): void {
    for (const slot of this.slots.values()) slot.dispose();
    this.slots.clear();
  }
}
