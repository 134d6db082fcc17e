/**
 * Scores the decision-surface grid while a run trains, at most every `intervalMs` (the grid is
 * ~1,600 rows: one small forward pass, in the kernel where it trains the run), so the surface
 * animates as the model learns.
 */
import type { StepInfo, TrainingCallback, TrainingContext } from './callbacks.js';
import type { EpochRecord } from '../../shared/contract.js';

export interface SurfaceInput {
  x: Float32Array;
  rows: number;
  cols: number;
}

export class SurfaceReporter implements TrainingCallback {
  private last = -Infinity;

  constructor(
    private grid: SurfaceInput | null,
    private readonly emit: (output: Float32Array, step: number, epoch: number) => void,
    private readonly intervalMs = 250,
  ) {}

  /** A new grid (the user chose other axes): scored at the next step. */
  setGrid(grid: SurfaceInput | null): void {
    this.grid = grid;
    this.last = -Infinity;
  }

  private report(ctx: TrainingContext, step: number, epoch: number): void {
    const now = performance.now();
    if (!this.grid || now - this.last < this.intervalMs) return;
    this.last = now;
    this.emit(ctx.predict(this.grid.x, this.grid.rows, this.grid.cols), step, epoch);
  }

  onStepEnd(info: StepInfo, ctx: TrainingContext): void {
    this.report(ctx, info.step, info.epoch);
  }

  onEpochEnd(record: EpochRecord, ctx: TrainingContext): void {
    this.report(ctx, record.step, record.epoch);
  }
}
