/**
 * A run's decision surface: the grid of encoded inputs its model is scored on while it trains
 * (and once for the final model), the axes it is drawn over, and the training:surface event
 * built from the model's raw outputs.
 */
import type { EventPayload } from '../shared/contract.js';
import type { Table } from '../models/data/table.js';
import type { PreprocessingSpec } from '../models/prep/preprocessing.js';
import { buildSurfaceGrid, surfaceColumns, surfaceValues, type SurfaceBasis, type SurfaceGrid } from '../models/prep/surface.js';
import type { SurfaceInput } from '../models/train/surface-reporter.js';

export class RunSurface {
  constructor(
    private readonly table: Table,
    private readonly basis: SurfaceBasis,
    private readonly preprocessing: PreprocessingSpec,
    /** The grid being drawn (null: none, e.g. fewer than two numeric inputs and no axis chosen). */
    public grid: SurfaceGrid | null,
  ) {}

  /** The grid as the worker scores it (encoded rows), or null. */
  get input(): SurfaceInput | null {
    return this.grid ? { x: this.grid.matrix.x, rows: this.grid.matrix.rows, cols: this.grid.matrix.cols } : null;
  }

  /** Draw over other axes (y null: a response curve along x). */
  setAxes(axes: { x: string; y: string | null }): SurfaceInput {
    this.grid = buildSurfaceGrid(this.preprocessing, this.table, this.basis, axes);
    return this.input!;
  }

  /** Outputs for the current grid: one row of outputs per grid cell, and every value finite (a diverging model makes no picture). */
  fits(output: Float32Array, units: number): boolean {
    return this.grid !== null && output.length / units === this.grid.matrix.rows && output.every(Number.isFinite);
  }

  /** A training:surface event from the model's raw outputs over the current grid (values rounded for the picture). */
  event(
    runId: string,
    output: Float32Array,
    at: { step: number; epoch: number; final: boolean; targetStats: { mean: number; std: number } | null },
  ): EventPayload<'training:surface'> {
    const grid = this.grid!;
    const { values, confidence } = surfaceValues(this.preprocessing.task, output, grid.matrix.rows, at.targetStats);
    // Four significant digits are plenty for a picture, and cut the event to a fifth of its size.
    const round = (v: number) => Number(v.toPrecision(4));
    return {
      runId,
      step: at.step,
      epoch: at.epoch,
      final: at.final,
      x: grid.x,
      y: grid.y,
      size: grid.size,
      values: values.map(round),
      confidence: confidence && confidence.map(round),
      labels: this.preprocessing.labels,
      points: grid.points.map((p) => ({ x: round(p.x), y: round(p.y), label: p.label })),
      heldAt: grid.heldAt,
      columns: surfaceColumns(this.preprocessing),
    };
  }
}
