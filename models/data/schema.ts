/**
 * Column typing and per-column statistics.
 *
 * A column is numeric when its non-missing cells parse as finite numbers. A column that is
 * mostly numeric with a few stray words ("12", "7", "abc") is still typed numeric but carries
 * its `invalid` cells, so that training on it stops with a message naming the lines, instead of
 * silently treating the whole column as categories.
 */
import type { ColumnSummary, ColumnType } from '../../shared/contract.js';
import type { Task } from '../../shared/run-config.js';
import { lineOf, type Column, type NumberColumn, type Table, type TextColumn } from './table.js';

export { parseNumber } from './numbers.js';

const BOOLEAN_PAIRS = [
  ['true', 'false'],
  ['yes', 'no'],
  ['y', 'n'],
  ['t', 'f'],
];
/** ISO 8601 date or date-time (2024-01-31, 2024-01-31T10:00, 2024-01-31 10:00:00Z) or 2024/01/31. */
const DATE = /^\d{4}[-/]\d{2}[-/]\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

export function isNumericType(type: ColumnType): boolean {
  return type === 'numeric' || type === 'integer';
}

/** Milliseconds since the epoch for a date cell, or null. Dates without a zone are read as UTC. */
export function parseDate(value: string): number | null {
  const s = value.trim();
  if (!DATE.test(s)) return null;
  const iso = s.replace(/\//g, '-').replace(' ', 'T');
  const withZone = /T/.test(iso) && !/(Z|[+-]\d{2}:?\d{2})$/.test(iso) ? `${iso}Z` : iso;
  const t = Date.parse(withZone);
  return Number.isNaN(t) ? null : t;
}

/** boolean, datetime, free text or categorical, for a column that is not numeric: its values' counts. */
export function textTypeOf(counts: Map<string, number>, present: number): ColumnType {
  const values = [...counts.keys()];
  const lower = new Set(values.map((v) => v.trim().toLowerCase()));
  if (lower.size === 2 && BOOLEAN_PAIRS.some(([a, b]) => lower.has(a) && lower.has(b))) return 'boolean';
  let dates = 0;
  let chars = 0;
  for (const [v, n] of counts) {
    if (parseDate(v) !== null) dates += n;
    chars += v.length * n;
  }
  if (present > 0 && dates / present >= NUMERIC_SHARE) return 'datetime';
  // Long, mostly unique strings are prose (comments, descriptions), not categories.
  if (present >= 20 && chars / present > 30 && counts.size / present > 0.5) return 'text';
  return 'categorical';
}

/**
 * The sentence for a numeric column with cells that are not numbers (the first three lines
 * named), shared by the data check and the check before training.
 */
export function nonNumericMessage(profile: { name: string; invalid: InvalidCell[]; invalidCount: number }): string {
  const shown = profile.invalid
    .slice(0, 3)
    .map((c) => `line ${c.line} has "${c.value}"`)
    .join(', ');
  const more = profile.invalidCount > 3 ? ` and ${profile.invalidCount - 3} more` : '';
  return `column "${profile.name}" is numeric but ${shown}${more}. Fix those cells, leave them empty (or NA) to treat them as missing, or leave the column out.`;
}

export interface InvalidCell {
  row: number;
  /** The file line (header = line 1). */
  line: number;
  value: string;
}

export interface ColumnProfile extends Omit<ColumnSummary, 'asTarget' | 'leftOut'> {
  /** Non-numeric cells of a column typed numeric (empty otherwise); `row` is the table row. */
  invalid: InvalidCell[];
  invalidCount: number;
  /** True when every non-missing value is an integer. */
  integer: boolean;
  /**
   * Rows the profile describes, when not the Table's own rows: the data engine profiles the whole
   * file (or query result), also when the Table holds a sample of it.
   */
  rows?: number;
}

/** Mostly numeric: at least this share of non-missing cells parse as numbers. */
const NUMERIC_SHARE = 0.9;
const TOP_K = 10;
export const HISTOGRAM_BINS = 20;

/**
 * Distinct values of a Float64Array (NaN skipped), with their counts, in an open-addressing hash
 * table: about five times faster than a Set on a million values, which matters at 20 columns.
 */
function countDistinct(values: Float64Array, present: number): { keys: Float64Array; counts: Int32Array; size: number } {
  // Sized once for the worst case (every value distinct): no rehashing, load factor ≤ 1/2.
  let capacity = 16;
  while (capacity < 2 * present) capacity *= 2;
  const keys = new Float64Array(capacity);
  const counts = new Int32Array(capacity); // 0 = empty slot
  const mask = capacity - 1;
  const bits = new Float64Array(1);
  const words = new Int32Array(bits.buffer);
  let size = 0;
  for (let r = 0; r < values.length; r++) {
    const v = values[r];
    if (v !== v) continue;
    bits[0] = v === 0 ? 0 : v; // -0 and 0 are one value
    let h = Math.imul(words[0] ^ Math.imul(words[1], 0x9e3779b1), 0x85ebca6b);
    h ^= h >>> 15;
    let i = h & mask;
    while (counts[i] !== 0 && keys[i] !== v) i = (i + 1) & mask;
    if (counts[i] === 0) {
      keys[i] = v;
      size++;
    }
    counts[i]++;
  }
  return { keys, counts, size };
}

/** The k most frequent keys of a hash table (ties: smaller value first), without allocating per slot. */
function topOfHash(h: { keys: Float64Array; counts: Int32Array }, k: number): Array<{ value: string; count: number }> {
  const bestKey = new Float64Array(k);
  const bestCount = new Int32Array(k); // descending
  let filled = 0;
  for (let i = 0; i < h.counts.length; i++) {
    const c = h.counts[i];
    if (c === 0) continue;
    const v = h.keys[i];
    if (filled === k && (c < bestCount[k - 1] || (c === bestCount[k - 1] && v >= bestKey[k - 1]))) continue;
    let j = filled < k ? filled++ : k - 1;
    while (j > 0 && (bestCount[j - 1] < c || (bestCount[j - 1] === c && bestKey[j - 1] > v))) {
      bestCount[j] = bestCount[j - 1];
      bestKey[j] = bestKey[j - 1];
      j--;
    }
    bestCount[j] = c;
    bestKey[j] = v;
  }
  return Array.from({ length: filled }, (_, i) => ({ value: String(bestKey[i]), count: bestCount[i] }));
}

/** The k largest counts, ties by value (ascending). */
function topOf<K>(entries: Iterable<[K, number]>, k: number, label: (key: K) => string): Array<{ value: string; count: number }> {
  const best: Array<[K, number]> = [];
  for (const e of entries) {
    if (best.length === k && e[1] <= best[k - 1][1]) continue;
    best.push(e);
    best.sort((a, b) => b[1] - a[1] || (label(a[0]) < label(b[0]) ? -1 : 1));
    if (best.length > k) best.pop();
  }
  return best.map(([key, count]) => ({ value: label(key), count }));
}

/** Equal-width bins between min and max (one bin when they are equal). */
export function histogram(values: Float64Array, min: number, max: number, bins = HISTOGRAM_BINS): { edges: number[]; counts: number[] } {
  if (!(max > min)) {
    let n = 0;
    for (let r = 0; r < values.length; r++) if (values[r] === values[r]) n++;
    return { edges: [min, max], counts: [n] };
  }
  const counts = new Array<number>(bins).fill(0);
  const scale = bins / (max - min);
  for (let r = 0; r < values.length; r++) {
    const v = values[r];
    if (v !== v) continue;
    counts[Math.min(bins - 1, Math.floor((v - min) * scale))]++;
  }
  return { edges: Array.from({ length: bins + 1 }, (_, i) => min + (i * (max - min)) / bins), counts };
}

function profileNumbers(name: string, column: NumberColumn, line: (row: number) => number): ColumnProfile {
  const { values, invalid } = column;
  let numeric = 0;
  let integer = true;
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let r = 0; r < values.length; r++) {
    const v = values[r];
    if (v !== v) continue;
    numeric++;
    sum += v;
    if (v < min) min = v;
    if (v > max) max = v;
    if (integer && Math.floor(v) !== v) integer = false;
  }
  const mean = numeric > 0 ? sum / numeric : 0;
  let squares = 0; // two-pass variance: no cancellation on large offsets
  for (let r = 0; r < values.length; r++) {
    const v = values[r];
    if (v === v) squares += (v - mean) * (v - mean);
  }
  const distinct = countDistinct(values, numeric);
  const invalidCells = [...invalid.entries()].sort((a, b) => a[0] - b[0]);
  const invalidCounts = new Map<string, number>();
  for (const [, v] of invalidCells) invalidCounts.set(v, (invalidCounts.get(v) ?? 0) + 1);
  const top = topOf<string>(
    [...topOfHash(distinct, TOP_K).map(({ value, count }): [string, number] => [value, count]), ...invalidCounts.entries()],
    TOP_K,
    (k) => k,
  );
  return {
    name,
    type: integer ? 'integer' : 'numeric',
    missing: values.length - numeric - invalid.size,
    distinct: distinct.size + invalidCounts.size,
    min,
    max,
    mean,
    std: numeric > 0 ? Math.sqrt(squares / numeric) : 0,
    top,
    histogram: histogram(values, min, max),
    invalid: invalidCells.slice(0, 20).map(([row, value]) => ({ row, line: line(row), value })),
    invalidCount: invalid.size,
    integer,
  };
}

function profileText(name: string, column: TextColumn): ColumnProfile {
  const counts = new Int32Array(column.dictionary.length);
  let missing = 0;
  for (let r = 0; r < column.codes.length; r++) {
    const k = column.codes[r];
    if (k < 0) missing++;
    else counts[k]++;
  }
  const used = new Map<string, number>();
  column.dictionary.forEach((v, k) => counts[k] > 0 && used.set(v, counts[k]));
  const present = column.codes.length - missing;
  return {
    name,
    type: textTypeOf(used, present),
    missing,
    distinct: used.size,
    min: null,
    max: null,
    mean: null,
    std: null,
    top: topOf(used.entries(), TOP_K, (k) => k),
    histogram: null,
    invalid: [],
    invalidCount: 0,
    integer: false,
  };
}

/** Type and statistics of one column. `line` maps a row to its file line for messages. */
export function profileColumn(name: string, column: Column, line: (row: number) => number = (r) => r + 2): ColumnProfile {
  return column.kind === 'number' ? profileNumbers(name, column, line) : profileText(name, column);
}

/**
 * Type and statistics of every column: the data engine's, over the whole source, for Tables it
 * read (see engine-profile.ts); else computed here from the held rows.
 */
export function profileTable(table: Table): ColumnProfile[] {
  if (table.stats && table.stats.profiles.length === table.columns.length) return table.stats.profiles;
  return table.columnNames.map((name, c) => profileColumn(name, table.columns[c], (r) => lineOf(table, r)));
}

/** Largest number of distinct integer values a numeric target may have to be read as classes. */
export const MAX_NUMERIC_CLASSES = 10;

/** Binary, multiclass or regression, from the target column's profile. */
export function detectTask(profile: ColumnProfile): Task {
  if (!isNumericType(profile.type)) return profile.distinct <= 2 ? 'binary' : 'multiclass';
  if (profile.integer && profile.distinct <= MAX_NUMERIC_CLASSES) return profile.distinct <= 2 ? 'binary' : 'multiclass';
  return 'regression';
}

/** A column as the renderer and the CLI see it; `leftOut` is the data check's default for it (see defaultIgnored). */
export function toSummary(profile: ColumnProfile, leftOut: ColumnSummary['leftOut'] = null): ColumnSummary {
  const { name, type, missing, distinct, min, max, mean, std, top, histogram } = profile;
  return { name, type, missing, distinct, min, max, mean, std, top, histogram, asTarget: detectTask(profile), leftOut };
}
