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
import type { Table } from './table.js';

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

export function parseNumber(value: string): number | null {
  const s = value.trim();
  if (!NUMBER.test(s)) return null;
  const n = Number(s);
  return Number.isFinite(n) ? n : null;
}

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

/** boolean, datetime, free text or categorical, for a column that is not numeric. */
function textType(counts: Map<string, number>, present: number): ColumnType {
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
    .map((c) => `line ${c.row + 2} has "${c.value}"`) // header is line 1
    .join(', ');
  const more = profile.invalidCount > 3 ? ` and ${profile.invalidCount - 3} more` : '';
  return `column "${profile.name}" is numeric but ${shown}${more}. Fix those cells, leave them empty (or NA) to treat them as missing, or leave the column out.`;
}

export interface InvalidCell {
  row: number;
  value: string;
}

export interface ColumnProfile extends ColumnSummary {
  /** Non-numeric cells of a column typed numeric (empty otherwise). */
  invalid: InvalidCell[];
  invalidCount: number;
  /** True when every non-missing value is an integer. */
  integer: boolean;
}

/** Mostly numeric: at least this share of non-missing cells parse as numbers. */
const NUMERIC_SHARE = 0.9;
const TOP_K = 10;

export function profileColumn(name: string, values: readonly (string | null)[]): ColumnProfile {
  let missing = 0;
  let numeric = 0;
  let integer = true;
  let sum = 0;
  let sumSq = 0;
  let min = Infinity;
  let max = -Infinity;
  const counts = new Map<string, number>();
  const nonNumeric: InvalidCell[] = [];
  let nonNumericCount = 0;
  for (let r = 0; r < values.length; r++) {
    const v = values[r];
    if (v === null) {
      missing++;
      continue;
    }
    counts.set(v, (counts.get(v) ?? 0) + 1);
    const n = parseNumber(v);
    if (n === null) {
      nonNumericCount++;
      if (nonNumeric.length < 20) nonNumeric.push({ row: r, value: v });
      continue;
    }
    numeric++;
    if (!Number.isInteger(n)) integer = false;
    sum += n;
    sumSq += n * n;
    if (n < min) min = n;
    if (n > max) max = n;
  }
  const present = values.length - missing;
  const nonNumericDistinct = new Set(nonNumeric.map((c) => c.value)).size;
  const isNumeric = numeric > 0 && numeric / Math.max(1, present) >= NUMERIC_SHARE && nonNumericDistinct <= 3;
  const type: ColumnType = isNumeric ? (integer ? 'integer' : 'numeric') : textType(counts, present);
  const top = [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, TOP_K)
    .map(([value, count]) => ({ value, count }));
  if (isNumeric) {
    const mean = sum / numeric;
    const variance = Math.max(0, sumSq / numeric - mean * mean);
    return {
      name,
      type,
      missing,
      distinct: counts.size,
      min,
      max,
      mean,
      std: Math.sqrt(variance),
      top,
      invalid: nonNumeric,
      invalidCount: nonNumericCount,
      integer,
    };
  }
  return {
    name,
    type,
    missing,
    distinct: counts.size,
    min: null,
    max: null,
    mean: null,
    std: null,
    top,
    invalid: [],
    invalidCount: 0,
    integer: false,
  };
}

export function profileTable(table: Table): ColumnProfile[] {
  return table.columnNames.map((name, c) => profileColumn(name, table.columns[c]));
}

/** Largest number of distinct integer values a numeric target may have to be read as classes. */
export const MAX_NUMERIC_CLASSES = 10;

/** Binary, multiclass or regression, from the target column's profile. */
export function detectTask(profile: ColumnProfile): Task {
  if (!isNumericType(profile.type)) return profile.distinct <= 2 ? 'binary' : 'multiclass';
  if (profile.integer && profile.distinct <= MAX_NUMERIC_CLASSES) return profile.distinct <= 2 ? 'binary' : 'multiclass';
  return 'regression';
}

export function toSummary(profile: ColumnProfile): ColumnSummary {
  const { name, type, missing, distinct, min, max, mean, std, top } = profile;
  return { name, type, missing, distinct, min, max, mean, std, top };
}
