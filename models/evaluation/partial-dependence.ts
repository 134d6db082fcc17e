/**
 * Partial dependence of the model on one input column (Friedman 2001), with individual
 * conditional expectation (ICE) curves (Goldstein et al. 2015):
 *   ICE_i(v) = f(x_i with column c set to v)         one curve per row i of a sample
 *   PD(v)    = (1/m) Σ_i ICE_i(v)                    the average over the m sampled rows
 * f is the model's output: P(positive class) for binary tasks, each class's probability for
 * multiclass, the prediction in the target's units for regression.
 * Grid: numeric columns — `gridSize` evenly spaced values over the training range [min, max] (from
 * the preprocessing spec); categorical — its categories (and "(other)" when it has one); boolean —
 * false, true; dates — evenly spaced dates over the sample's range. A value is encoded with the
 * model's own encoder, so imputation, scaling and one-hot work exactly as at prediction time.
 */
import { TickworkError } from '../../shared/errors.js';
import { parseDate } from '../data/schema.js';
import { columnIndex, textView, type Column, type Table } from '../data/table.js';
import { createRng, shuffleInPlace } from '../random.js';
import { encodeFeatures, OTHER_CATEGORY, type FeatureSpec, type PreprocessingSpec } from '../prep/preprocessing.js';
import { evenlySpaced } from '../data/split.js';
import { featureBlocks } from './feature-blocks.js';
import type { PredictFn } from './permutation-importance.js';

export interface PartialDependenceInput {
  spec: PreprocessingSpec;
  table: Table;
  /** Rows to average over (table row indices), e.g. the training or validation part. */
  rows: Int32Array;
  column: string;
  predict: PredictFn;
  /** Numeric and date columns: grid points. Default 20. */
  gridSize?: number;
  /** Rows averaged over (a seeded sample). Default 500. */
  maxRows?: number;
  /** Individual curves returned. Default 5. */
  iceCurves?: number;
  seed?: number;
}

export interface PartialDependence {
  column: string;
  kind: FeatureSpec['kind'];
  /** Numeric columns: the values; others: the cells as text (categories, "false"/"true", ISO dates). */
  grid: Array<number | string>;
  /** What each output is: binary [labels[1]] (P of the positive class), multiclass the labels, regression [target]. */
  outputs: string[];
  /** mean[g][u]: output u averaged over the rows, at grid value g. */
  mean: number[][];
  /** A few rows' own curves: values[g][u]. */
  ice: Array<{ row: number; values: number[][] }>;
  /** Rows averaged over. */
  rows: number;
}

export const DEFAULT_PD_GRID = 20;
export const MAX_PD_ROWS = 500;

function gridOf(feature: FeatureSpec, table: Table, rows: Int32Array, size: number): Array<number | string> {
  if (feature.kind === 'numeric') {
    const min = feature.min ?? feature.mean - 2 * feature.std;
    const max = feature.max ?? feature.mean + 2 * feature.std;
    if (!(max > min)) return [min];
    return Array.from({ length: size }, (_, i) => (i === size - 1 ? max : min + ((max - min) * i) / (size - 1)));
  }
  if (feature.kind === 'categorical') return feature.other ? [...feature.categories, OTHER_CATEGORY] : [...feature.categories];
  if (feature.kind === 'boolean') return ['false', 'true'];
  const { codes, dictionary } = textView(table.columns[columnIndex(table, feature.name)]);
  const parsed = dictionary.map((v) => parseDate(v));
  let lo = Infinity;
  let hi = -Infinity;
  for (const r of rows) {
    const t = codes[r] >= 0 ? parsed[codes[r]] : null;
    if (t === null) continue;
    lo = Math.min(lo, t);
    hi = Math.max(hi, t);
  }
  if (!Number.isFinite(lo)) throw new TickworkError('bad_data', `Column "${feature.name}" has no dates in these rows to vary.`);
  const count = hi > lo ? size : 1;
  return Array.from({ length: count }, (_, i) => new Date(count === 1 ? lo : lo + ((hi - lo) * i) / (count - 1)).toISOString());
}

export async function partialDependence(input: PartialDependenceInput): Promise<PartialDependence> {
  const { spec, table, column, predict } = input;
  const featureAt = spec.features.findIndex((f) => f.name === column);
  if (featureAt < 0) {
    throw new TickworkError('invalid_input', `"${column}" is not an input of this model; its inputs are: ${spec.inputs.join(', ')}.`);
  }
  const feature = spec.features[featureAt];
  const block = featureBlocks(spec)[featureAt];
  const gridSize = input.gridSize ?? DEFAULT_PD_GRID;
  if (!Number.isInteger(gridSize) || gridSize < 2) throw new TickworkError('invalid_input', `gridSize must be a whole number ≥ 2, received ${gridSize}`);
  if (input.rows.length === 0) throw new TickworkError('bad_data', 'Partial dependence needs at least one row.');

  const maxRows = input.maxRows ?? MAX_PD_ROWS;
  const rows =
    input.rows.length <= maxRows
      ? input.rows
      : Int32Array.from(shuffleInPlace(Array.from(input.rows), createRng(input.seed ?? 1)).slice(0, maxRows)).sort();
  const grid = gridOf(feature, table, rows, gridSize);
  const G = grid.length;

  // The grid's encodings, by the model's encoder on a one-column table (width × grid values).
  // Cells are given as stored (numbers as numbers, text verbatim), so no value is re-read differently.
  const gridColumn: Column =
    feature.kind === 'numeric'
      ? { kind: 'number', values: Float64Array.from(grid as number[]), invalid: new Map() }
      : { kind: 'text', codes: Int32Array.from(grid, (_, g) => g), dictionary: grid.map(String) };
  const gridTable: Table = { name: 'grid', source: 'grid', delimiter: '', columnNames: [column], columns: [gridColumn], rowCount: G, sample: null };
  const names = spec.encoded.slice(block.offset, block.offset + block.width);
  const encodedGrid = encodeFeatures({ ...spec, inputs: [column], features: [feature], encoded: names }, gridTable).x;

  const base = encodeFeatures(spec, table, rows);
  const m = base.rows;
  const cols = base.cols;
  // All (grid value, row) pairs in one matrix: row g·m + i is row i with the column set to grid[g].
  const x = new Float32Array(G * m * cols);
  for (let g = 0; g < G; g++) {
    x.set(base.x, g * m * cols);
    for (let i = 0; i < m; i++) x.set(encodedGrid.subarray(g * block.width, (g + 1) * block.width), (g * m + i) * cols + block.offset);
  }
  const output = await predict(x, G * m, cols);
  const units = output.length / (G * m);
  if (!Number.isInteger(units) || units < 1) throw new RangeError(`predict returned ${output.length} values for ${G * m} rows`);
  const mean = Array.from({ length: G }, (_, g) => {
    const sums = new Array<number>(units).fill(0);
    for (let i = 0; i < m; i++) for (let u = 0; u < units; u++) sums[u] += output[(g * m + i) * units + u];
    return sums.map((s) => s / m);
  });
  const ice = evenlySpaced(m, input.iceCurves ?? 5).map((i) => ({
    row: rows[i],
    values: Array.from({ length: G }, (_, g) => Array.from(output.subarray((g * m + i) * units, (g * m + i + 1) * units))),
  }));
  const labels = spec.labels ?? [];
  const outputs = spec.task === 'regression' ? [spec.target] : spec.task === 'binary' ? [labels[1] ?? 'class 1'] : labels;
  return { column, kind: feature.kind, grid, outputs, mean, ice, rows: m };
}
