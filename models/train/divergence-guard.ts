/**
 * Stops a run whose loss climbs far above where it started — a diverging run, caught before its
 * loss turns NaN (NanGuard's case) — and says so in plain words.
 *
 * The rule, over the mini-batch losses the loop reads back (one every ~100 ms, not every step):
 *   start     = the first finite loss read (the loop always reads step 1: the loss at the initial
 *               weights, before any update could have blown up — a diverging run is often far
 *               above it by step 2 or 3, so a mean over later reads would already be inflated)
 *   smoothed  = exponential moving average of the losses, s ← s + α·(loss − s)   (α = `smoothing`)
 *   limit     = min(factor · start, max(ceiling, 2 · start))
 *   diverging = smoothed > limit for `patience` reads in a row
 * The moving average and the patience keep one bad batch (a spike) from stopping a healthy run.
 * The ceiling matters for classification, whose clipped log loss cannot exceed −log(10⁻⁷) ≈ 16:
 * 10× a start of 2 would never be reached, while a mean log loss of 5·ln(k) (the model gives the
 * true class ~3% on average in a binary task) is already a diverged model. Regression has none.
 *
 * When it fires it records an 'early-stop' event and ends the run as completed early (or failed,
 * with action 'fail'); `warning` then holds a `degenerate` warning for the run's results. Early
 * stopping with restored weights still restores its best epoch on a run it ends this way.
 */
import type { Task } from '../../shared/run-config.js';
import type { DegenerateWarning } from '../evaluation/degenerate-check.js';
import type { StepInfo, TrainingCallback, TrainingContext } from './callbacks.js';

export interface DivergenceGuardOptions {
  /** Sets the ceiling: 5·ln(k) for classification, none for regression. */
  task?: Task;
  classes?: number;
  /** Smoothed loss above factor × start counts as diverging. Default 10. */
  factor?: number;
  /** An absolute limit for the smoothed loss (overrides the task's). */
  ceiling?: number;
  /** Consecutive reads above the limit before stopping. Default 10. */
  patience?: number;
  /** EMA weight α of each new read. Default 0.1. */
  smoothing?: number;
  /** 'finish' (default): end as completed early, with the warning; 'fail': end as failed. */
  action?: 'finish' | 'fail';
}

/** The classification ceiling: a mean log loss of 5·ln(k) nats; regression: none. */
export function divergenceCeiling(task: Task | undefined, classes = 2): number {
  if (task === undefined || task === 'regression') return Infinity;
  return 5 * Math.log(Math.max(2, task === 'binary' ? 2 : classes));
}

export class DivergenceGuard implements TrainingCallback {
  private readonly factor: number;
  private readonly ceiling: number;
  private readonly patience: number;
  private readonly smoothing: number;
  private readonly action: 'finish' | 'fail';
  private smoothed = 0;
  private above = 0;
  /** The first loss read (null before it). */
  start: number | null = null;
  /** Set when the guard stopped the run. */
  warning: DegenerateWarning | null = null;
  /** The first and the latest gradient norm the loop read (for the degenerate check). */
  firstGradNorm: number | null = null;
  lastGradNorm: number | null = null;

  constructor(options: DivergenceGuardOptions = {}) {
    const positive = (name: string, v: number, min = 0) => {
      if (!(v > min) || !Number.isFinite(v)) throw new RangeError(`${name} must be > ${min}, received ${v}`);
      return v;
    };
    this.factor = positive('factor', options.factor ?? 10, 1);
    this.ceiling = options.ceiling ?? divergenceCeiling(options.task, options.classes);
    if (!(this.ceiling > 0)) throw new RangeError(`ceiling must be > 0, received ${this.ceiling}`);
    this.patience = Math.round(positive('patience', options.patience ?? 10));
    this.smoothing = positive('smoothing', options.smoothing ?? 0.1);
    if (this.smoothing > 1) throw new RangeError(`smoothing must be ≤ 1, received ${this.smoothing}`);
    this.action = options.action ?? 'finish';
  }

  /** The smoothed loss above which a read counts as diverging (null before the first read). */
  get limit(): number | null {
    return this.start === null ? null : Math.min(this.factor * this.start, Math.max(this.ceiling, 2 * this.start));
  }

  onStepEnd(info: StepInfo, ctx: TrainingContext): void {
    if (info.gradNorm !== null && Number.isFinite(info.gradNorm)) {
      this.firstGradNorm ??= info.gradNorm;
      this.lastGradNorm = info.gradNorm;
    }
    const loss = info.loss;
    if (loss === null || !Number.isFinite(loss) || this.warning) return; // NaN/∞ is NanGuard's
    if (this.start === null) {
      this.start = Math.max(loss, 1e-12);
      this.smoothed = loss;
      return;
    }
    this.smoothed += this.smoothing * (loss - this.smoothed);
    this.above = this.smoothed > this.limit! ? this.above + 1 : 0;
    if (this.above < this.patience) return;
    const message =
      `Training was diverging: the loss climbed from ${this.start.toPrecision(3)} at the start to ${this.smoothed.toPrecision(3)} (smoothed) by step ${info.step} ` +
      `with learning rate ${info.lr.toPrecision(3)}, so the run was stopped. Try a learning rate about 10× lower, add warmup steps, or gradient clipping.`;
    this.warning = { code: 'degenerate', check: 'diverging', message };
    ctx.event('early-stop', message);
    if (this.action === 'fail') ctx.controller.fail(message);
    else ctx.controller.finishEarly(message);
  }
}
