/**
 * The training loop talks to the outside only through callbacks and the controller. Stopping,
 * pausing and hyperparameter changes are flags and queues on the controller, never exceptions.
 */
import type * as tf from '@tensorflow/tfjs';
import type { EpochRecord, Metrics, RunEventPayload } from '../../shared/contract.js';
import type { EarlyStoppingConfig, Monitor, ReduceOnPlateauConfig } from '../../shared/run-config.js';
import { monitorDirection, monitorValue } from '../../shared/monitor.js';

export interface StepInfo {
  /** Optimizer steps done so far (1 after the first update). One step is one tick. */
  step: number;
  totalSteps: number;
  /** 1-based epoch the step belongs to. */
  epoch: number;
  epochs: number;
  /** Learning rate used for this step. */
  lr: number;
  /** This step's mini-batch loss, or null when the loop did not read it back this step (reads are throttled). */
  loss: number | null;
  /** Global L2 norm of the gradient before clipping, read with the loss (else null). */
  gradNorm: number | null;
  /** Examples processed so far. */
  samples: number;
  /** Milliseconds of training so far (pauses excluded). */
  elapsedMs: number;
}

/** Something that happened during a run, recorded with the run and marked on the charts (the contract's shape). */
export type RunEvent = RunEventPayload;

export interface HyperparameterChanges {
  /** New base learning rate for the schedule, from the next step. */
  lr?: number;
  /** Other optimizer hyperparameters (validated by the caller). */
  optimizer?: Record<string, number | boolean>;
}

export class TrainingController {
  private stopReason: string | null = null;
  private outcome: 'stopped' | 'failed' | 'completed' = 'stopped';
  private pausedFlag = false;
  private resumeWaiters: Array<() => void> = [];
  private readonly pending: HyperparameterChanges[] = [];
  /** Multiplier on the scheduled LR (reduce-on-plateau lowers it). */
  lrScale = 1;

  /** Ask the loop to stop after the current step. */
  stop(reason = 'stopped by the user'): void {
    if (this.stopReason === null) this.stopReason = reason;
    this.resume();
  }

  /** Stop after the current step and mark the run failed with this message. */
  fail(message: string): void {
    if (this.stopReason === null) {
      this.stopReason = message;
      this.outcome = 'failed';
    }
    this.resume();
  }

  /** End the run as completed before the last epoch (early stopping). */
  finishEarly(message: string): void {
    if (this.stopReason === null) {
      this.stopReason = message;
      this.outcome = 'completed';
    }
  }

  get failed(): boolean {
    return this.stopReason !== null && this.outcome === 'failed';
  }

  get finishedEarly(): boolean {
    return this.stopReason !== null && this.outcome === 'completed';
  }

  get stopRequested(): boolean {
    return this.stopReason !== null;
  }

  get reason(): string | null {
    return this.stopReason;
  }

  pause(): void {
    this.pausedFlag = true;
  }

  resume(): void {
    this.pausedFlag = false;
    const waiters = this.resumeWaiters;
    this.resumeWaiters = [];
    waiters.forEach((w) => w());
  }

  get paused(): boolean {
    return this.pausedFlag;
  }

  /** Resolves when the run is resumed (or stopped). */
  whenResumed(): Promise<void> {
    if (!this.pausedFlag) return Promise.resolve();
    return new Promise((resolve) => this.resumeWaiters.push(resolve));
  }

  /** Queue hyperparameter changes; the loop applies them before the next step. */
  change(changes: HyperparameterChanges): void {
    this.pending.push(changes);
  }

  takeChanges(): HyperparameterChanges[] {
    return this.pending.splice(0, this.pending.length);
  }
}

export interface TrainingContext {
  controller: TrainingController;
  /** The run's model with the weights of the steps taken so far (read it, do not train it). */
  model: tf.LayersModel;
  /** The model's output for rows of x (inference mode; regression: the standardized target), by whatever trains the run. */
  predict(x: Float32Array, rows: number, cols: number): Float32Array;
  /** Record a run event (sent to the UI and stored with the run). */
  event(kind: RunEvent['kind'], message: string): void;
}

export interface TrainingCallback {
  onStepEnd?(info: StepInfo, ctx: TrainingContext): void;
  onEpochEnd?(record: EpochRecord, ctx: TrainingContext): void | Promise<void>;
  onTrainEnd?(ctx: TrainingContext): void;
}

/** One step as the progress event lists it: its LR, and the loss and gradient norm where read back (null otherwise). */
export interface StepTick {
  step: number;
  lr: number;
  loss: number | null;
  gradNorm: number | null;
}

/** Steps up to this one are each listed in the progress events (the service keeps this many before thinning). */
export const EVERY_STEP_UNTIL = 4000;

/**
 * Emits progress at most every `intervalMs` (tfjs uses ~125 ms; the contract asks ~10/s). Within
 * the first `everyStepUntil` steps each event also lists every step since the previous one, so a
 * short run's LR (and its losses read back) are kept whole rather than one point per event.
 */
export class ProgressReporter implements TrainingCallback {
  private lastEmit = -Infinity;
  private pending: StepTick[] = [];
  constructor(
    private readonly emit: (info: StepInfo & { loss: number; stepsPerSecond: number; samplesPerSecond: number; steps?: StepTick[] }) => void,
    private readonly intervalMs = 100,
    private readonly everyStepUntil = EVERY_STEP_UNTIL,
  ) {}

  onStepEnd(info: StepInfo): void {
    if (info.step <= this.everyStepUntil) this.pending.push({ step: info.step, lr: info.lr, loss: info.loss, gradNorm: info.gradNorm });
    if (info.loss === null) return;
    const last = info.step === info.totalSteps;
    if (!last && info.elapsedMs - this.lastEmit < this.intervalMs) return;
    this.lastEmit = info.elapsedMs;
    const seconds = Math.max(info.elapsedMs / 1000, 1e-6);
    const steps = this.pending.length > 0 ? this.pending : undefined;
    this.pending = [];
    this.emit({ ...info, loss: info.loss, stepsPerSecond: info.step / seconds, samplesPerSecond: info.samples / seconds, ...(steps ? { steps } : {}) });
  }
}

/** Stops the run with a plain message when the loss stops being a finite number. */
export class NanGuard implements TrainingCallback {
  onStepEnd(info: StepInfo, ctx: TrainingContext): void {
    if (info.loss === null || Number.isFinite(info.loss)) return;
    ctx.controller.fail(
      `The loss became ${String(info.loss)} at step ${info.step} (learning rate ${info.lr.toPrecision(3)}). ` +
        `Try a lower learning rate, add warmup steps or gradient clipping, or check the data for extreme values.`,
    );
  }
}

// ---------------------------------------------------------------- monitored metrics

export { monitorValue };
const direction = monitorDirection;

function describe(monitor: Monitor): string {
  const [part, key] = monitor.split('.');
  return `${part} ${key}`;
}

/** Tracks the best value of a monitored metric and the epochs since it improved. */
class Plateau {
  best: number | null = null;
  wait = 0;
  constructor(
    private readonly mode: 'min' | 'max',
    private readonly minDelta: number,
  ) {}

  /** True when `value` improved on the best by more than minDelta. */
  update(value: number): boolean {
    const improved = this.best === null || (this.mode === 'min' ? value < this.best - this.minDelta : value > this.best + this.minDelta);
    if (improved) {
      this.best = value;
      this.wait = 0;
    } else {
      this.wait++;
    }
    return improved;
  }
}

/** Early stopping (Keras semantics): stop after `patience` epochs without improvement; optionally restore the best weights. */
export class EarlyStopping implements TrainingCallback {
  private readonly plateau: Plateau;
  private bestWeights: tf.Tensor[] | null = null;
  private bestEpoch = 0;

  constructor(private readonly config: EarlyStoppingConfig) {
    this.plateau = new Plateau(direction(config.monitor, config.mode), config.minDelta);
  }

  onEpochEnd(record: EpochRecord, ctx: TrainingContext): void {
    const value = monitorValue(record, this.config.monitor);
    if (value === null) return;
    if (this.plateau.update(value)) {
      this.bestEpoch = record.epoch;
      if (this.config.restoreBestWeights) {
        this.bestWeights?.forEach((w) => w.dispose());
        this.bestWeights = ctx.model.getWeights().map((w) => w.clone());
      }
    } else if (this.plateau.wait >= this.config.patience) {
      const message =
        `stopped early at epoch ${record.epoch} because ${describe(this.config.monitor)} stopped improving ` +
        `(best ${this.plateau.best!.toPrecision(4)} at epoch ${this.bestEpoch}` +
        `${this.config.restoreBestWeights ? ', weights restored from there' : ''})`;
      ctx.event('early-stop', message);
      ctx.controller.finishEarly(message);
    }
  }

  onTrainEnd(ctx: TrainingContext): void {
    if (this.bestWeights && ctx.controller.finishedEarly) ctx.model.setWeights(this.bestWeights);
    this.bestWeights?.forEach((w) => w.dispose());
    this.bestWeights = null;
  }
}

/** Reduce-on-plateau: multiply the learning rate by `factor` after `patience` epochs without improvement. */
export class ReduceLrOnPlateau implements TrainingCallback {
  private readonly plateau: Plateau;

  constructor(
    private readonly config: ReduceOnPlateauConfig,
    private readonly baseLr: () => number,
  ) {
    this.plateau = new Plateau(direction(config.monitor, config.mode), config.minDelta);
  }

  onEpochEnd(record: EpochRecord, ctx: TrainingContext): void {
    const value = monitorValue(record, this.config.monitor);
    if (value === null || this.plateau.update(value) || this.plateau.wait < this.config.patience) return;
    const current = this.baseLr() * ctx.controller.lrScale;
    const next = Math.max(this.config.minLr, current * this.config.factor);
    if (next >= current) return;
    ctx.controller.lrScale = next / this.baseLr();
    this.plateau.wait = 0;
    ctx.event('lr-reduced', `learning rate reduced to ${next.toPrecision(3)}: ${describe(this.config.monitor)} plateaued for ${this.config.patience} epochs`);
  }
}
