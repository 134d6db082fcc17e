/**
 * The fitted preprocessing: one serializable object (exported as `preprocessing.json`) that
 * turns raw rows into the model's input vector, and the target into class indices or values.
 * The same code runs at training, at prediction and at batch scoring.
 *
 * Numeric features: a missing cell gets the training mean, median or a constant, then
 * z = (x − center) / scale (standard, min-max, robust or none).
 * Categorical features: one-hot over the most frequent training categories (up to a cap); the
 * rest, and categories first seen at prediction time, go to an "(other)" input when the column
 * has one, else encode as all zeros. Missing cells become the most frequent category or a
 * "(missing)" category of their own.
 * Statistics are fitted on the training rows only, so validation and test stay unseen.
 */
import { preprocessingConfigSchema, type PreprocessingConfig, type Task } from '../../shared/run-config.js';
import { featureKind } from '../../shared/columns.js';
import { TickworkError } from '../../shared/errors.js';
import { isNumericType, nonNumericMessage, parseDate, parseNumber, type ColumnProfile } from '../data/schema.js';
import { columnIndex, isMissing, lineOf, numberView, textView, type Column, type Table } from '../data/table.js';
import { decileBins, type TrainingBins } from './psi.js';

export interface NumericFeature {
  name: string;
  kind: 'numeric';
  impute: 'mean' | 'median' | 'constant';
  /** Value used for a missing cell. */
  fill: number;
  scaling: 'standard' | 'minmax' | 'robust' | 'none';
  /** The input is (x − center) / scale. */
  center: number;
  scale: number;
  /** Training statistics, to warn when scoring data drifts. */
  mean: number;
  std: number;
  min?: number;
  max?: number;
  missingShare?: number;
  /** Training histogram over decile bins, for drift (PSI) when serving; absent in older exports. */
  bins?: TrainingBins;
}

export const OTHER_CATEGORY = '(other)';
export const MISSING_CATEGORY = '(missing)';

export interface CategoricalFeature {
  name: string;
  kind: 'categorical';
  /** One input per category, in this order (plus one for "(other)" when `other`). */
  categories: string[];
  /** True when categories were capped: the rest, and unseen ones, share an "(other)" input. */
  other: boolean;
  impute: 'most_frequent' | 'constant';
  /** The category a missing cell becomes; null: no category (all zeros). */
  fill: string | null;
  /** The most frequent training category (a typical value for a what-if row); absent in older exports. */
  mostFrequent?: string | null;
  missingShare?: number;
  /**
   * Share of the non-missing training rows per category, in `categories` order, then one more
   * for the rarer categories that share "(other)" (0 when nothing was capped); for drift (PSI)
   * when serving. Absent in older exports.
   */
  shares?: number[];
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
  /** Names of the encoded vector's entries (`col`, `col=category`, `col:part`), length = model input size. */
  encoded: string[];
  /** Class labels for classification (index = class id); null for regression. */
  labels: string[] | null;
  /** Regression target statistics on the training rows (the model predicts in original units). */
  targetStats: { mean: number; std: number } | null;
  /** Binary: labels[1] is the positive class (the model outputs its probability). */
  positiveClass?: string | null;
  /** Binary: the decision threshold on P(positive) chosen for this model (absent: 0.5; read through decisionThreshold in models/train/prediction.ts). */
  threshold?: number;
}

export interface EncodedMatrix {
  x: Float32Array;
  rows: number;
  cols: number;
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

/** Linear-interpolated quantile of sorted values (q in [0, 1]); 0 for none. */
export function quantile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return 0;
  const at = q * (sorted.length - 1);
  const lo = Math.floor(at);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (at - lo);
}

function fitNumeric(name: string, column: Column, table: Table, trainRows: Int32Array, prep: PreprocessingConfig): NumericFeature {
  const choice = prep.columns[name] ?? {};
  const impute = choice.impute ?? prep.numericImpute;
  const scaling = choice.scale ?? prep.scale;
  if (impute !== 'mean' && impute !== 'median' && impute !== 'constant') {
    throw new TickworkError('bad_data', `Column "${name}" is numeric; impute "${impute}" is for categories. Use mean, median or constant.`);
  }
  if (impute === 'constant' && choice.fillValue !== undefined && typeof choice.fillValue !== 'number') {
    throw new TickworkError('bad_data', `Column "${name}" is numeric; its fill value must be a number, not "${choice.fillValue}".`);
  }
  const { values, invalid } = numberView(column);
  const xs = new Float64Array(trainRows.length);
  let n = 0;
  for (const r of trainRows) {
    const v = values[r];
    if (v === v) xs[n++] = v;
    else if (invalid.has(r)) {
      throw new TickworkError(
        'bad_data',
        `${table.name}: column "${name}" is read as numbers but line ${lineOf(table, r)} has "${invalid.get(r)}". ` +
          `Fix the cell, leave it empty to treat it as missing, or read the column as categories.`,
      );
    }
  }
  const present = xs.subarray(0, n);
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const v of present) {
    sum += v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const mean = n > 0 ? sum / n : 0;
  let squares = 0;
  for (const v of present) squares += (v - mean) * (v - mean);
  const std = n > 0 ? Math.sqrt(squares / n) : 0;
  const sorted = impute === 'median' || scaling === 'robust' ? present.slice().sort() : null;
  const median = sorted ? quantile(sorted, 0.5) : mean;
  const safe = (x: number) => (x > 1e-12 ? x : 1); // a constant column encodes as 0, not NaN
  let center = 0;
  let scale = 1;
  if (scaling === 'standard') [center, scale] = [mean, safe(std)];
  else if (scaling === 'minmax') [center, scale] = [n > 0 ? min : 0, safe(max - min)];
  else if (scaling === 'robust') [center, scale] = [median, safe(quantile(sorted!, 0.75) - quantile(sorted!, 0.25))];
  const fill = impute === 'mean' ? mean : impute === 'median' ? median : ((choice.fillValue as number | undefined) ?? 0);
  return {
    name,
    kind: 'numeric',
    impute,
    fill,
    scaling,
    center,
    scale,
    mean,
    std: safe(std),
    min: n > 0 ? min : 0,
    max: n > 0 ? max : 0,
    missingShare: 1 - n / Math.max(1, trainRows.length),
    ...(n > 0 ? { bins: decileBins(present)! } : {}),
  };
}

function fitCategorical(name: string, column: Column, trainRows: Int32Array, prep: PreprocessingConfig): CategoricalFeature {
  const choice = prep.columns[name] ?? {};
  const impute = choice.impute ?? prep.categoricalImpute;
  if (impute !== 'most_frequent' && impute !== 'constant') {
    throw new TickworkError('bad_data', `Column "${name}" is categorical; impute "${impute}" is for numbers. Use most_frequent or constant.`);
  }
  const cap = choice.maxCategories ?? prep.maxCategories;
  const { codes, dictionary } = textView(column);
  const counts = new Int32Array(dictionary.length);
  let missing = 0;
  for (const r of trainRows) {
    const k = codes[r];
    if (k < 0) missing++;
    else counts[k]++;
  }
  const byCount = [...counts.keys()].filter((k) => counts[k] > 0).sort((a, b) => counts[b] - counts[a] || (dictionary[a] < dictionary[b] ? -1 : 1));
  const kept = byCount.slice(0, cap).map((k) => dictionary[k]).sort();
  const other = byCount.length > cap;
  let fill: string | null = null;
  if (impute === 'most_frequent') fill = byCount.length > 0 ? dictionary[byCount[0]] : null;
  else {
    const constant = choice.fillValue === undefined ? MISSING_CATEGORY : String(choice.fillValue);
    if (missing > 0 && !kept.includes(constant)) kept.push(constant);
    fill = kept.includes(constant) ? constant : null;
  }
  const mostFrequent = byCount.length > 0 ? dictionary[byCount[0]] : null;
  const present = Math.max(1, trainRows.length - missing);
  const countOf = new Map(byCount.slice(0, cap).map((k) => [dictionary[k], counts[k]]));
  const keptCount = kept.map((c) => countOf.get(c) ?? 0);
  const rare = trainRows.length - missing - keptCount.reduce((a, b) => a + b, 0);
  const shares = [...keptCount, rare].map((c) => c / present);
  return { name, kind: 'categorical', categories: kept, other, impute, fill, mostFrequent, missingShare: missing / Math.max(1, trainRows.length), shares };
}

/** The classes of a target column (every row, so a class seen only in validation still has an index), sorted. */
export function classLabels(table: Table, target: string): string[] {
  const { codes, dictionary } = textView(table.columns[columnIndex(table, target)]);
  const used = new Uint8Array(dictionary.length);
  for (let r = 0; r < codes.length; r++) if (codes[r] >= 0) used[codes[r]] = 1;
  return sortLabels(dictionary.filter((_, k) => used[k] === 1));
}

/**
 * A binary target's labels as the model sees them: [negative, positive], so the sigmoid output
 * is P(positive). The positive class is the one asked for, else the less frequent class of
 * `rows` (on a tie, the second in sorted order). Throws bad_data when the asked-for class is not
 * one of the target's.
 */
export function binaryLabels(table: Table, target: string, rows: Int32Array, positive: string | null | undefined): string[] {
  const labels = classLabels(table, target);
  if (labels.length !== 2) return labels;
  if (positive !== null && positive !== undefined) {
    if (!labels.includes(positive)) {
      throw new TickworkError('bad_data', `The positive class "${positive}" is not a class of "${target}" (its classes: ${labels.join(', ')}). Choose one of them.`);
    }
    return positive === labels[0] ? [labels[1], labels[0]] : labels;
  }
  const { codes, dictionary } = textView(table.columns[columnIndex(table, target)]);
  const counts = [0, 0];
  for (const r of rows) {
    const code = codes[r];
    if (code >= 0) counts[dictionary[code] === labels[0] ? 0 : 1]++;
  }
  return counts[0] < counts[1] ? [labels[1], labels[0]] : labels;
}

export function fitPreprocessing(options: {
  table: Table;
  profiles: ColumnProfile[];
  target: string;
  features: string[];
  task: Task;
  trainRows: Int32Array;
  preprocessing?: PreprocessingConfig;
  /** Classification: the label order to use (binary: [negative, positive]); default: sorted. */
  labels?: string[];
}): PreprocessingSpec {
  const { table, profiles, target, features, task, trainRows } = options;
  const prep: PreprocessingConfig = options.preprocessing ?? preprocessingConfigSchema.parse({});
  const specs: FeatureSpec[] = [];
  const encoded: string[] = [];
  for (const name of features) {
    const c = columnIndex(table, name);
    const column = table.columns[c];
    const kind = featureKind(profiles[c].type, prep.columns[name]?.treatAs);
    if (kind === 'boolean') {
      const { codes, dictionary } = textView(column);
      const isTrue = dictionary.map((v) => TRUE_VALUES.includes(v.toLowerCase()));
      let trues = 0;
      let n = 0;
      for (const r of trainRows) {
        const k = codes[r];
        if (k < 0) continue;
        n++;
        if (isTrue[k]) trues++;
      }
      specs.push({ name, kind: 'boolean', trueValues: TRUE_VALUES, fill: n > 0 ? trues / n : 0, missingShare: 1 - n / Math.max(1, trainRows.length) });
      encoded.push(name);
    } else if (kind === 'datetime') {
      const { codes, dictionary } = textView(column);
      const parsed = dictionary.map((v) => parseDate(v));
      const times: number[] = [];
      for (const r of trainRows) {
        const t = codes[r] >= 0 ? parsed[codes[r]] : null;
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
    } else if (kind === 'numeric') {
      specs.push(fitNumeric(name, column, table, trainRows, prep));
      encoded.push(name);
    } else {
      const spec = fitCategorical(name, column, trainRows, prep);
      specs.push(spec);
      for (const cat of spec.categories) encoded.push(`${name}=${cat}`);
      if (spec.other) encoded.push(`${name}=${OTHER_CATEGORY}`);
    }
  }
  const targetColumn = table.columns[columnIndex(table, target)];
  let labels: string[] | null = null;
  let targetStats: PreprocessingSpec['targetStats'] = null;
  if (task === 'regression') {
    const { values } = numberView(targetColumn);
    let sum = 0;
    let sumSq = 0;
    for (const r of trainRows) {
      sum += values[r];
      sumSq += values[r] * values[r];
    }
    const mean = sum / trainRows.length;
    const std = Math.sqrt(Math.max(0, sumSq / trainRows.length - mean * mean));
    targetStats = { mean, std: std > 1e-12 ? std : 1 };
  } else {
    labels = options.labels ?? classLabels(table, target);
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
    ...(task === 'binary' && labels ? { positiveClass: labels[1] } : {}),
  };
}

/** The width of a feature in the encoded vector. */
export function featureWidth(feature: FeatureSpec): number {
  if (feature.kind === 'categorical') return feature.categories.length + (feature.other ? 1 : 0);
  if (feature.kind === 'datetime') return feature.parts.length;
  return 1;
}

/**
 * Encode rows of a table (all rows, or `rows`) into the model's input matrix.
 * Throws bad_data naming the column when a needed column is missing or a numeric cell is not a number.
 * Categories never seen in training go to "(other)" when the column has it, else encode as zeros.
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
    const column = table.columns[columnIndex(table, feature.name)];
    if (feature.kind === 'numeric') {
      const { values, invalid } = numberView(column);
      const { fill, center, scale } = feature;
      for (let i = 0; i < n; i++) {
        const r = rows ? rows[i] : i;
        let v = values[r];
        if (v !== v) {
          const bad = invalid.get(r);
          if (bad !== undefined) {
            throw new TickworkError(
              'bad_data',
              `${table.name}: column "${feature.name}" is numeric but line ${lineOf(table, r)} has "${bad}". ` +
                `Fix the cell, or leave it empty to treat it as missing.`,
            );
          }
          v = fill;
        }
        x[i * d + offset] = (v - center) / scale;
      }
    } else if (feature.kind === 'boolean') {
      const { codes, dictionary } = textView(column);
      const bit = dictionary.map((v) => (feature.trueValues.includes(v.trim().toLowerCase()) ? 1 : 0));
      for (let i = 0; i < n; i++) {
        const k = codes[rows ? rows[i] : i];
        x[i * d + offset] = k < 0 ? feature.fill : bit[k];
      }
    } else if (feature.kind === 'datetime') {
      const { codes, dictionary } = textView(column);
      const parsed = dictionary.map((v) => parseDate(v));
      for (let i = 0; i < n; i++) {
        const r = rows ? rows[i] : i;
        const k = codes[r];
        const t = k < 0 ? null : parsed[k];
        if (k >= 0 && t === null) {
          throw new TickworkError('bad_data', `${table.name}: column "${feature.name}" holds dates but line ${lineOf(table, r)} has "${dictionary[k]}". Use ISO dates (2024-01-31).`);
        }
        // Missing dates encode as the training mean of each part, i.e. 0 after standardizing.
        feature.parts.forEach((p, j) => (x[i * d + offset + j] = t === null ? 0 : (datePart(t, p.part) - p.mean) / p.std));
      }
    } else {
      const { codes, dictionary } = textView(column);
      const index = new Map(feature.categories.map((c, k) => [c, k]));
      const otherAt = feature.other ? feature.categories.length : -1;
      const slot = Int32Array.from(dictionary, (v) => index.get(v) ?? otherAt);
      const fillAt = feature.fill === null ? -1 : (index.get(feature.fill) ?? -1);
      for (let i = 0; i < n; i++) {
        const k = codes[rows ? rows[i] : i];
        const at = k < 0 ? fillAt : slot[k];
        if (at >= 0) x[i * d + offset + at] = 1;
      }
    }
    offset += featureWidth(feature);
  }
  return { x, rows: n, cols: d };
}

/** Class indices (classification) or raw target values (regression) for the given rows. */
export function encodeTarget(spec: Pick<PreprocessingSpec, 'labels' | 'target'>, table: Table, rows: Int32Array): Float32Array {
  const c = columnIndex(table, spec.target);
  if (c < 0) throw new TickworkError('bad_data', `${table.name} has no target column "${spec.target}".`);
  const column = table.columns[c];
  const y = new Float32Array(rows.length);
  if (spec.labels) {
    const labels = spec.labels;
    const { codes, dictionary } = textView(column);
    const index = new Map(labels.map((l, k) => [l, k]));
    const classOf = Int32Array.from(dictionary, (v) => index.get(v) ?? -1);
    rows.forEach((r, i) => {
      const k = codes[r] < 0 ? -1 : classOf[codes[r]];
      if (k < 0) {
        throw new TickworkError(
          'bad_data',
          `${table.name}: target "${spec.target}" at line ${lineOf(table, r)} is "${codes[r] < 0 ? '' : dictionary[codes[r]]}", which is not one of the ` +
            `training classes (${labels.join(', ')}).`,
        );
      }
      y[i] = k;
    });
  } else {
    const { values } = numberView(column);
    rows.forEach((r, i) => {
      const v = values[r];
      if (v !== v) throw new TickworkError('bad_data', `${table.name}: target "${spec.target}" at line ${lineOf(table, r)} is not a number.`);
      y[i] = v;
    });
  }
  return y;
}

/** Row indices whose target is present: rows with a missing target cannot be trained on. */
export function rowsWithTarget(table: Table, target: string): Int32Array {
  const column = table.columns[columnIndex(table, target)];
  const out = new Int32Array(table.rowCount);
  let n = 0;
  for (let r = 0; r < table.rowCount; r++) if (!isMissing(column, r)) out[n++] = r;
  return out.slice(0, n);
}
