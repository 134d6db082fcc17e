/**
 * The decision surface (Playground's picture, on real data): a grid over two numeric input
 * columns, every other input held at its training median (numbers) or most frequent value
 * (anything else), encoded like any other rows so the model can score it; plus a sample of
 * training rows to draw on top. With a single numeric input (or when only an x axis is chosen)
 * it is a response curve: the model's output along that input.
 */
import { TickworkError } from '../../shared/errors.js';
import { evenlySpaced } from '../data/split.js';
import { numberView, tableFromRows, textView, type Table } from '../data/table.js';
import { encodeFeatures, encodeTarget, quantile, type EncodedMatrix, type PreprocessingSpec } from './preprocessing.js';

export interface SurfaceAxis {
  name: string;
  min: number;
  max: number;
}

export interface SurfaceGrid {
  x: SurfaceAxis;
  /** null: a response curve along x alone. */
  y: SurfaceAxis | null;
  /** Cells per side; cell (i, j) is row j·size + i, x growing with i and y with j (a curve: size cells along x). */
  size: number;
  matrix: EncodedMatrix;
  /** Training rows to draw: raw x, y and the target (class id, or value); on a curve y is the target too. */
  points: Array<{ x: number; y: number; label: number }>;
  /** The value every other input is held at. */
  heldAt: Record<string, string | null>;
}

export const SURFACE_SIZE = 40;
/** Points along a response curve. */
export const CURVE_SIZE = 120;
const MAX_POINTS = 300;

/** Input columns a surface can use as an axis: the numeric ones. */
export function surfaceColumns(spec: PreprocessingSpec): string[] {
  return spec.features.filter((f) => f.kind === 'numeric').map((f) => f.name);
}

export interface SurfaceAxes {
  x: string;
  /** null: a response curve along x. */
  y: string | null;
}

/**
 * The first two numeric inputs that take more than two values (a 0/1 column such as sex makes a
 * picture of two stripes), else the first two numeric ones; the only one (a curve); null when
 * there is none. `twoValued` says whether a column holds only two distinct values (left out: none does).
 */
export function defaultSurfaceAxes(spec: PreprocessingSpec, twoValued: (name: string) => boolean = () => false): SurfaceAxes | null {
  const columns = surfaceColumns(spec);
  if (columns.length === 0) return null;
  const spread = columns.filter((name) => !twoValued(name));
  const picked = [...spread, ...columns.filter((name) => !spread.includes(name))];
  return { x: picked[0], y: picked[1] ?? null };
}

/** Whether a numeric column holds at most two distinct values over these rows (missing cells aside). */
export function isTwoValued(table: Table, name: string, rows: Int32Array): boolean {
  const values = numberView(table.columns[table.columnNames.indexOf(name)]).values;
  let a = NaN;
  let b = NaN;
  for (const r of rows) {
    const v = values[r];
    if (v !== v || v === a || v === b) continue;
    if (a !== a) a = v;
    else if (b !== b) b = v;
    else return false;
  }
  return true;
}

function present(table: Table, name: string, rows: Int32Array): number[] {
  const values = numberView(table.columns[table.columnNames.indexOf(name)]).values;
  const out: number[] = [];
  for (const r of rows) if (values[r] === values[r]) out.push(values[r]);
  return out;
}

function mostFrequent(table: Table, name: string, rows: Int32Array): string | null {
  const column = textView(table.columns[table.columnNames.indexOf(name)]);
  const counts = new Int32Array(column.dictionary.length);
  for (const r of rows) if (column.codes[r] >= 0) counts[column.codes[r]]++;
  let best = -1;
  for (let k = 0; k < counts.length; k++) if (counts[k] > 0 && (best < 0 || counts[k] > counts[best])) best = k;
  return best >= 0 ? column.dictionary[best] : null;
}

export interface SurfaceBasis {
  /** Every input's training median (numbers) or most frequent value (anything else). */
  typical: Record<string, string | null>;
  /** Each numeric input's training range, before margins. */
  ranges: Record<string, { min: number; max: number }>;
  /** Up to MAX_SAMPLE evenly spread training rows, for the points drawn on top. */
  sample: Int32Array;
}

const MAX_SAMPLE = 2000;
/** Medians and most frequent values come from at most this many evenly spread training rows. */
const MAX_TYPICAL_ROWS = 100_000;

function spreadRows(rows: Int32Array, max: number): Int32Array {
  return rows.length <= max ? rows : Int32Array.from(evenlySpaced(rows.length, max), (k) => rows[k]);
}

/**
 * What a run keeps to draw its surface over any two numeric inputs later (a few kilobytes, not
 * the training rows): typical values, ranges and a row sample.
 */
export function surfaceBasis(spec: PreprocessingSpec, table: Table, trainRows: Int32Array): SurfaceBasis {
  const forTypical = spreadRows(trainRows, MAX_TYPICAL_ROWS);
  const typical: SurfaceBasis['typical'] = {};
  // The ranges are the training min and max the preprocessing already fitted (no second pass).
  const ranges = rangesFromSpec(spec);
  for (const f of spec.features) {
    if (f.kind !== 'numeric') {
      typical[f.name] = mostFrequent(table, f.name, forTypical);
      continue;
    }
    typical[f.name] = String(quantile(Float64Array.from(present(table, f.name, forTypical)).sort(), 0.5));
    if (f.missingShare === 1) ranges[f.name] = { min: 0, max: 1 }; // no training value at all
  }
  return { typical, ranges, sample: spreadRows(trainRows, MAX_SAMPLE) };
}

/**
 * Typical input values from a preprocessing spec alone (a model loaded from an export has no
 * training rows): numbers their training mean, categories the most frequent (older exports:
 * the fill when it is the most frequent, else the first), booleans the more common value; dates none.
 */
export function typicalFromSpec(spec: PreprocessingSpec): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const f of spec.features) {
    if (f.kind === 'numeric') out[f.name] = String(Number(f.mean.toPrecision(4)));
    else if (f.kind === 'categorical') out[f.name] = f.mostFrequent ?? (f.impute === 'most_frequent' ? f.fill : null) ?? f.categories[0] ?? null;
    else if (f.kind === 'boolean') out[f.name] = f.fill >= 0.5 ? 'true' : 'false';
    else out[f.name] = null;
  }
  return out;
}

/** Each numeric input's training range, from the spec (older exports without min/max: mean ± 3 std). */
export function rangesFromSpec(spec: PreprocessingSpec): Record<string, { min: number; max: number }> {
  const out: Record<string, { min: number; max: number }> = {};
  for (const f of spec.features) {
    if (f.kind !== 'numeric') continue;
    out[f.name] = f.min !== undefined && f.max !== undefined ? { min: f.min, max: f.max } : { min: f.mean - 3 * f.std, max: f.mean + 3 * f.std };
  }
  return out;
}

export function buildSurfaceGrid(
  spec: PreprocessingSpec,
  table: Table,
  basis: SurfaceBasis,
  axes: SurfaceAxes,
  size = axes.y === null ? CURVE_SIZE : SURFACE_SIZE,
): SurfaceGrid {
  const usable = surfaceColumns(spec);
  for (const name of axes.y === null ? [axes.x] : [axes.x, axes.y]) {
    if (!usable.includes(name)) {
      throw new TickworkError(
        'bad_data',
        `The decision surface needs numeric input columns; "${name}" is not one of this run's. Choose from: ${usable.join(', ') || 'none (the run has no numeric inputs)'}.`,
      );
    }
  }
  if (axes.x === axes.y) throw new TickworkError('bad_data', `The decision surface needs two different columns; both axes are "${axes.x}".`);

  // Each axis spans the training range and no more (values beyond it, tenure −3.55, are not data).
  const axis = (name: string): SurfaceAxis => {
    let { min, max } = basis.ranges[name];
    if (max === min) {
      min -= 0.5;
      max += 0.5;
    }
    return { name, min, max };
  };
  const x = axis(axes.x);
  const y = axes.y === null ? null : axis(axes.y);

  const heldAt: Record<string, string | null> = {};
  for (const f of spec.features) if (f.name !== axes.x && f.name !== axes.y) heldAt[f.name] = basis.typical[f.name] ?? null;
  const xAt = spec.inputs.indexOf(axes.x);
  const yAt = axes.y === null ? -1 : spec.inputs.indexOf(axes.y);
  const base = spec.inputs.map((name) => heldAt[name] ?? null);
  const rows: (string | null)[][] = [];
  for (let j = 0; j < (y ? size : 1); j++) {
    for (let i = 0; i < size; i++) {
      const row = base.slice();
      row[xAt] = String(x.min + ((i + 0.5) / size) * (x.max - x.min));
      if (y) row[yAt] = String(y.min + ((j + 0.5) / size) * (y.max - y.min));
      rows.push(row);
    }
  }
  const grid = tableFromRows({ name: 'surface', source: 'surface', delimiter: ',' }, spec.inputs, rows);
  const matrix = encodeFeatures(spec, grid);

  // Evenly spread sampled training rows with both coordinates present.
  const xs = numberView(table.columns[table.columnNames.indexOf(axes.x)]).values;
  const ys = axes.y === null ? null : numberView(table.columns[table.columnNames.indexOf(axes.y)]).values;
  const picked = spreadRows(basis.sample.filter((r) => xs[r] === xs[r] && (!ys || ys[r] === ys[r])), MAX_POINTS);
  const labels = encodeTarget(spec, table, picked);
  const points = Array.from(picked, (r, k) => ({ x: xs[r], y: ys ? ys[r] : labels[k], label: labels[k] }));
  return { x, y, size, matrix, points, heldAt };
}

/**
 * The surface's cell values from the model's raw outputs: binary P(second label); multiclass
 * the predicted class with its probability; regression the prediction, in target units (the
 * model predicts the standardized target while it trains: pass `targetStats` then).
 */
export function surfaceValues(
  task: PreprocessingSpec['task'],
  output: Float32Array,
  cells: number,
  targetStats: { mean: number; std: number } | null,
): { values: number[]; confidence: number[] | null } {
  if (task === 'multiclass') {
    const k = output.length / cells;
    const values: number[] = new Array(cells);
    const confidence: number[] = new Array(cells);
    for (let c = 0; c < cells; c++) {
      let best = 0;
      for (let j = 1; j < k; j++) if (output[c * k + j] > output[c * k + best]) best = j;
      values[c] = best;
      confidence[c] = output[c * k + best];
    }
    return { values, confidence };
  }
  const values = Array.from(output.subarray(0, cells), (v) => (targetStats ? v * targetStats.std + targetStats.mean : v));
  return { values, confidence: null };
}
