/**
 * The fitted preprocessing: one serializable object (exported as `preprocessing.json`) that
 * turns raw rows into the model's input vector, and the target into class indices or values.
 * The same code runs at training, at prediction and at batch scoring.
 *
 * Numeric features: missing → training mean, then standardized, z = (x − mean) / std.
 * Categorical features: one-hot over the training categories; missing or unseen → all zeros.
 * Statistics are fitted on the training rows only, so validation and test stay unseen.
 */
import type { Task } from '../../shared/run-config.js';
import { TickworkError } from '../../shared/errors.js';
import { isNumericType, nonNumericMessage, parseDate, parseNumber, type ColumnProfile } from '../data/schema.js';
import { columnIndex, type Table } from '../data/table.js';

export interface NumericFeature {
  name: string;
  kind: 'numeric';
  /** Value used for a missing cell (the training mean). */
  fill: number;
  mean: number;
  /** Standard deviation; 1 when the column is constant in training, so z is 0 there. */
  std: number;
  /** Training range and share of missing cells, to warn when scoring data drifts. */
  min?: number;
  max?: number;
  missingShare?: number;
}

export interface CategoricalFeature {
  name: string;
  kind: 'categorical';
  /** One output per category, in this order; unseen and missing values encode as all zeros. */
  categories: string[];
  missingShare?: number;
}

export interface BooleanFeature {
  name: string;
  kind: 'boolean';
  /** Lower-cased values read as 1 (true, yes, y, t); the other value is 0. */
  trueValues: string[];
  /** Value used for a missing cell: the share of true in training. */
  fill: number;
  missingShare?: number;
}

export const DATE_PARTS = ['year', 'month', 'dayOfWeek', 'hour'] as const;
export type DatePart = (typeof DATE_PARTS)[number];

export interface DatetimeFeature {
  name: string;
  kind: 'datetime';
  /** One standardized input per part (UTC): year, month 1–12, day of week 0–6 (Sunday 0), hour 0–23 when times occur. */
  parts: Array<{ part: DatePart; mean: number; std: number }>;
  missingShare?: number;
}

export type FeatureSpec = NumericFeature | CategoricalFeature | BooleanFeature | DatetimeFeature;

const TRUE_VALUES = ['true', 'yes', 'y', 't', '1'];

function datePart(ms: number, part: DatePart): number {
  const d = new Date(ms);
  switch (part) {
    case 'year':
      return d.getUTCFullYear();
    case 'month':
      return d.getUTCMonth() + 1;
    case 'dayOfWeek':
      return d.getUTCDay();
    case 'hour':
      return d.getUTCHours();
  }
}

export interface PreprocessingSpec {
  format: 'tickwork-preprocessing';
  version: 1;
  task: Task;
  target: string;
  /** Raw input columns, in the order the encoder reads them. */
  inputs: string[];
  features: FeatureSpec[];
  /** Names of the encoded vector's entries (`col` or `col=category`), length = model input size. */
  encoded: string[];
  /** Class labels for classification (index = class id); null for regression. */
  labels: string[] | null;
  /** Regression target statistics on the training rows (the model predicts in original units). */
  targetStats: { mean: number; std: number } | null;
}

export interface EncodedMatrix {
  x: Float32Array;
  rows: number;
  cols: number;
}

function lineOf(row: number): number {
  return row + 2; // header is line 1
}

/** Raise the "non-numeric value in a numeric column" error for a column we are about to use. */
export function assertNumericClean(profile: ColumnProfile, fileName: string): void {
  if (!isNumericType(profile.type) || profile.invalidCount === 0) return;
  throw new TickworkError('bad_data', `${fileName}: ${nonNumericMessage(profile)}`);
}

function sortLabels(values: string[]): string[] {
  const allNumeric = values.every((v) => parseNumber(v) !== null);
  return allNumeric ? values.sort((a, b) => Number(a) - Number(b)) : values.sort();
}

export function fitPreprocessing(options: {
  table: Table;
  profiles: ColumnProfile[];
  target: string;
  features: string[];
  task: Task;
  trainRows: Int32Array;
}): PreprocessingSpec {
  const { table, profiles, target, features, task, trainRows } = options;
  const specs: FeatureSpec[] = [];
  const encoded: string[] = [];
  for (const name of features) {
    const c = columnIndex(table, name);
    const profile = profiles[c];
    const values = table.columns[c];
    if (profile.type === 'boolean') {
      let trues = 0;
      let n = 0;
      for (const r of trainRows) {
        const v = values[r];
        if (v === null) continue;
        n++;
        if (TRUE_VALUES.includes(v.trim().toLowerCase())) trues++;
      }
      specs.push({ name, kind: 'boolean', trueValues: TRUE_VALUES, fill: n > 0 ? trues / n : 0, missingShare: 1 - n / Math.max(1, trainRows.length) });
      encoded.push(name);
    } else if (profile.type === 'datetime') {
      const times: number[] = [];
      for (const r of trainRows) {
        const v = values[r];
        const t = v === null ? null : parseDate(v);
        if (t !== null) times.push(t);
      }
      const withTime = times.some((t) => t % 86_400_000 !== 0);
      const parts = DATE_PARTS.filter((p) => p !== 'hour' || withTime).map((part) => {
        const xs = times.map((t) => datePart(t, part));
        const mean = xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0;
        const std = xs.length ? Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length) : 0;
        return { part, mean, std: std > 1e-12 ? std : 1 };
      });
      specs.push({ name, kind: 'datetime', parts, missingShare: 1 - times.length / Math.max(1, trainRows.length) });
      for (const p of parts) encoded.push(`${name}:${p.part}`);
    } else if (isNumericType(profile.type)) {
      let sum = 0;
      let sumSq = 0;
      let n = 0;
      let min = Infinity;
      let max = -Infinity;
      for (const r of trainRows) {
        const v = values[r];
        if (v === null) continue;
        const x = parseNumber(v)!;
        sum += x;
        sumSq += x * x;
        n++;
        if (x < min) min = x;
        if (x > max) max = x;
      }
      const mean = n > 0 ? sum / n : 0;
      const variance = n > 0 ? Math.max(0, sumSq / n - mean * mean) : 0;
      const std = Math.sqrt(variance);
      specs.push({
        name,
        kind: 'numeric',
        fill: mean,
        mean,
        std: std > 1e-12 ? std : 1,
        min: n > 0 ? min : 0,
        max: n > 0 ? max : 0,
        missingShare: 1 - n / Math.max(1, trainRows.length),
      });
      encoded.push(name);
    } else {
      const seen = new Set<string>();
      let missing = 0;
      for (const r of trainRows) {
        const v = values[r];
        if (v !== null) seen.add(v);
        else missing++;
      }
      const categories = [...seen].sort();
      specs.push({ name, kind: 'categorical', categories, missingShare: missing / Math.max(1, trainRows.length) });
      for (const cat of categories) encoded.push(`${name}=${cat}`);
    }
  }
  const t = columnIndex(table, target);
  const targetValues = table.columns[t];
  let labels: string[] | null = null;
  let targetStats: PreprocessingSpec['targetStats'] = null;
  if (task === 'regression') {
    let sum = 0;
    let sumSq = 0;
    for (const r of trainRows) {
      const y = parseNumber(targetValues[r]!)!;
      sum += y;
      sumSq += y * y;
    }
    const mean = sum / trainRows.length;
    const std = Math.sqrt(Math.max(0, sumSq / trainRows.length - mean * mean));
    targetStats = { mean, std: std > 1e-12 ? std : 1 };
  } else {
    const distinct = new Set<string>();
    for (let r = 0; r < table.rowCount; r++) if (targetValues[r] !== null) distinct.add(targetValues[r]!);
    labels = sortLabels([...distinct]);
  }
  return {
    format: 'tickwork-preprocessing',
    version: 1,
    task,
    target,
    inputs: [...features],
    features: specs,
    encoded,
    labels,
    targetStats,
  };
}

/**
 * Encode rows of a table (all rows, or `rows`) into the model's input matrix.
 * Throws bad_data naming the column when a needed column is missing or a numeric cell is not a number.
 */
export function encodeFeatures(spec: PreprocessingSpec, table: Table, rows?: Int32Array): EncodedMatrix {
  const missing = spec.inputs.filter((name) => columnIndex(table, name) < 0);
  if (missing.length > 0) {
    throw new TickworkError(
      'bad_data',
      `${table.name} lacks column(s) the model needs: ${missing.join(', ')}. The model was trained on: ${spec.inputs.join(', ')}.`,
    );
  }
  const n = rows ? rows.length : table.rowCount;
  const d = spec.encoded.length;
  const x = new Float32Array(n * d);
  let offset = 0;
  for (const feature of spec.features) {
    const values = table.columns[columnIndex(table, feature.name)];
    if (feature.kind === 'numeric') {
      for (let i = 0; i < n; i++) {
        const r = rows ? rows[i] : i;
        const raw = values[r];
        let v = feature.fill;
        if (raw !== null) {
          const parsed = parseNumber(raw);
          if (parsed === null) {
            throw new TickworkError(
              'bad_data',
              `${table.name}: column "${feature.name}" is numeric but line ${lineOf(r)} has "${raw}". ` +
                `Fix the cell, or leave it empty to treat it as missing.`,
            );
          }
          v = parsed;
        }
        x[i * d + offset] = (v - feature.mean) / feature.std;
      }
      offset += 1;
    } else if (feature.kind === 'boolean') {
      for (let i = 0; i < n; i++) {
        const raw = values[rows ? rows[i] : i];
        x[i * d + offset] = raw === null ? feature.fill : feature.trueValues.includes(raw.trim().toLowerCase()) ? 1 : 0;
      }
      offset += 1;
    } else if (feature.kind === 'datetime') {
      for (let i = 0; i < n; i++) {
        const r = rows ? rows[i] : i;
        const raw = values[r];
        const t = raw === null ? null : parseDate(raw);
        if (raw !== null && t === null) {
          throw new TickworkError('bad_data', `${table.name}: column "${feature.name}" holds dates but line ${lineOf(r)} has "${raw}". Use ISO dates (2024-01-31).`);
        }
        // Missing dates encode as the training mean of each part, i.e. 0 after standardizing.
        feature.parts.forEach((p, k) => (x[i * d + offset + k] = t === null ? 0 : (datePart(t, p.part) - p.mean) / p.std));
      }
      offset += feature.parts.length;
    } else {
      const index = new Map(feature.categories.map((c, k) => [c, k]));
      for (let i = 0; i < n; i++) {
        const raw = values[rows ? rows[i] : i];
        const k = raw === null ? undefined : index.get(raw);
        if (k !== undefined) x[i * d + offset + k] = 1;
      }
      offset += feature.categories.length;
    }
  }
  return { x, rows: n, cols: d };
}

/** Class indices (classification) or raw target values (regression) for the given rows. */
export function encodeTarget(spec: PreprocessingSpec, table: Table, rows: Int32Array): Float32Array {
  const c = columnIndex(table, spec.target);
  if (c < 0) throw new TickworkError('bad_data', `${table.name} has no target column "${spec.target}".`);
  const values = table.columns[c];
  const y = new Float32Array(rows.length);
  if (spec.labels) {
    const index = new Map(spec.labels.map((l, k) => [l, k]));
    rows.forEach((r, i) => {
      const k = values[r] === null ? undefined : index.get(values[r]!);
      if (k === undefined) {
        throw new TickworkError(
          'bad_data',
          `${table.name}: target "${spec.target}" at line ${lineOf(r)} is "${values[r] ?? ''}", which is not one of the ` +
            `training classes (${spec.labels!.join(', ')}).`,
        );
      }
      y[i] = k;
    });
  } else {
    rows.forEach((r, i) => {
      const v = values[r] === null ? null : parseNumber(values[r]!);
      if (v === null) {
        throw new TickworkError('bad_data', `${table.name}: target "${spec.target}" at line ${lineOf(r)} is not a number.`);
      }
      y[i] = v;
    });
  }
  return y;
}

/** Row indices whose target is present: rows with a missing target cannot be trained on. */
export function rowsWithTarget(table: Table, target: string): Int32Array {
  const values = table.columns[columnIndex(table, target)];
  const out: number[] = [];
  for (let r = 0; r < table.rowCount; r++) if (values[r] !== null) out.push(r);
  return Int32Array.from(out);
}
