/**
 * The training loop talks to the outside only through callbacks. Stopping is a flag on the
 * controller, never an exception.
 */
import type { EpochRecord } from '../../shared/contract.js';

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
  /** Examples processed so far. */
  samples: number;
  /** Milliseconds since training started. */
  elapsedMs: number;
}

export class TrainingController {
  private stopReason: string | null = null;
  private failure = false;

  /** Ask the loop to stop after the current step. */
  stop(reason = 'stopped by the user'): void {
    if (this.stopReason === null) this.stopReason = reason;
  }

  /** Stop after the current step and mark the run failed with this message. */
  fail(message: string): void {
    if (this.stopReason === null) {
      this.stopReason = message;
      this.failure = true;
    }
  }

  get failed(): boolean {
    return this.failure;
  }

  get stopRequested(): boolean {
    return this.stopReason !== null;
  }

  get reason(): string | null {
    return this.stopReason;
  }
}

export interface TrainingCallback {
  onStepEnd?(info: StepInfo, controller: TrainingController): void;
  onEpochEnd?(record: EpochRecord, controller: TrainingController): void;
}

/** Emits progress at most every `intervalMs` (tfjs uses ~125 ms; the contract asks ~10/s). */
export class ProgressReporter implements TrainingCallback {
  private lastEmit = -Infinity;
  constructor(
    private readonly emit: (info: StepInfo & { loss: number; stepsPerSecond: number; samplesPerSecond: number }) => void,
    private readonly intervalMs = 100,
  ) {}

  onStepEnd(info: StepInfo): void {
    if (info.loss === null) return;
    const last = info.step === info.totalSteps;
    if (!last && info.elapsedMs - this.lastEmit < this.intervalMs) return;
    this.lastEmit = info.elapsedMs;
    const seconds = Math.max(info.elapsedMs / 1000, 1e-6);
    this.emit({ ...info, loss: info.loss, stepsPerSecond: info.step / seconds, samplesPerSecond: info.samples / seconds });
  }
}

/** Stops the run with a plain message when the loss stops being a finite number. */
export class NanGuard implements TrainingCallback {
  onStepEnd(info: StepInfo, controller: TrainingController): void {
    if (info.loss === null || Number.isFinite(info.loss)) return;
    controller.fail(
      `The loss became ${String(info.loss)} at step ${info.step} (learning rate ${info.lr.toPrecision(3)}). ` +
        `Try a lower learning rate, add warmup steps, or check the data for extreme values.`,
    );
  }
}
