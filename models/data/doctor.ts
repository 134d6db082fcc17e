/**
 * The data check ("doctor"): what is wrong with a dataset before training fails silently, in
 * plain words with the column named. Errors block training; warnings do not.
 *
 * Codes: constant, identifier, high_cardinality, non_numeric, target_missing, single_class,
 * imbalance, leakage, duplicates.
 */
import type { Finding } from '../../shared/contract.js';
import { detectTask, isNumericType, nonNumericMessage, type ColumnProfile } from './schema.js';
import { columnIndex, numberView, textView, type Table, type TextColumn } from './table.js';

/** One finding of the data check (the contract's shape). */
export type { Finding };

/** Categorical columns with more distinct values than this are flagged (one-hot would explode). */
export const HIGH_CARDINALITY = 50;
/** A minority class below this share of the rows is severe imbalance. */
export const IMBALANCE_SHARE = 0.1;
const MIN_ROWS_FOR_IDENTIFIER = 20;

const pct = (x: number) => `${(100 * x).toFixed(x < 0.01 ? 2 : 1)}%`;

export function isConstant(p: ColumnProfile): boolean {
  return p.distinct <= 1;
}

/**
 * Nearly every present value distinct (≥ 95%, duplicates rows aside) and not a measurement:
 * text, or whole numbers that are named like a key or run as a near-contiguous sequence.
 */
export function isIdentifier(p: ColumnProfile, rows: number): boolean {
  const present = (p.rows ?? rows) - p.missing;
  if (present < MIN_ROWS_FOR_IDENTIFIER || p.distinct < 0.95 * present) return false;
  if (p.type === 'categorical' || p.type === 'text') return true;
  if (!p.integer || p.min === null || p.max === null) return false;
  const named = /(^|[_\s-])(id|key|uuid|guid|index|row)$|^(id|key|uuid|guid|index|row)([_\s-]|$)/i.test(p.name);
  const sequence = p.max - p.min + 1 <= 1.1 * p.distinct;
  return named || sequence;
}

/** Columns ignored when the user did not choose features: constants and identifiers. */
export function defaultIgnored(profiles: ColumnProfile[], rows: number, target: string): Map<string, 'constant' | 'identifier' | 'free text'> {
  const out = new Map<string, 'constant' | 'identifier' | 'free text'>();
  for (const p of profiles) {
    if (p.name === target) continue;
    if (isConstant(p)) out.set(p.name, 'constant');
    else if (isIdentifier(p, rows)) out.set(p.name, 'identifier');
    else if (p.type === 'text') out.set(p.name, 'free text');
  }
  return out;
}

/**
 * Rows that repeat an earlier row exactly (the data engine counts them over the whole source for
 * the Tables it reads; this is for Tables built in JavaScript). Each row is hashed (53 bits, over the stored numbers
 * and category codes) and the sorted hashes are compared, so a million rows take well under a
 * second; two different rows share a hash with probability about n² / 2⁵⁴ (6e-5 at a million).
 */
function duplicateRows(table: Table): number {
  const n = table.rowCount;
  const h1 = new Int32Array(n).fill(0x811c9dc5);
  const h2 = new Int32Array(n).fill(0x01000193);
  const bits = new Float64Array(1);
  const words = new Int32Array(bits.buffer);
  for (const column of table.columns) {
    if (column.kind === 'number') {
      for (let r = 0; r < n; r++) {
        const v = column.values[r];
        if (v === v) bits[0] = v;
        else {
          const bad = column.invalid.get(r);
          bits[0] = bad === undefined ? -0.5e-300 : bad.length + 0.25e-300; // missing, or a non-number
        }
        h1[r] = Math.imul(h1[r] ^ words[0], 0x01000193) ^ words[1];
        h2[r] = Math.imul(h2[r] ^ words[1], 0x5bd1e995) ^ words[0];
      }
    } else {
      for (let r = 0; r < n; r++) {
        const k = column.codes[r];
        h1[r] = Math.imul(h1[r] ^ k, 0x01000193);
        h2[r] = Math.imul(h2[r] ^ (k + 0x632be5ab), 0x5bd1e995);
      }
    }
  }
  const keys = new Float64Array(n);
  for (let r = 0; r < n; r++) keys[r] = (h1[r] >>> 0) * 2 ** 21 + (h2[r] >>> 11);
  keys.sort();
  let duplicates = 0;
  for (let i = 1; i < n; i++) if (keys[i] === keys[i - 1]) duplicates++;
  return duplicates;
}

/** At most this many rows go into the leakage checks (an even spread of rows beyond it). */
export const LEAKAGE_ROWS = 100_000;

function rowsForLeakage(n: number): Int32Array {
  if (n <= LEAKAGE_ROWS) return Int32Array.from({ length: n }, (_, i) => i);
  return Int32Array.from({ length: LEAKAGE_ROWS }, (_, i) => Math.floor((i * n) / LEAKAGE_ROWS));
}

/** Share of rows whose target is the most common target of their feature value (categorical feature). */
function purity(feature: TextColumn, target: TextColumn, rows: Int32Array): { purity: number; groups: number } {
  const byValue = new Map<number, Map<number, number>>();
  let n = 0;
  for (const r of rows) {
    const f = feature.codes[r];
    const t = target.codes[r];
    if (f < 0 || t < 0) continue;
    n++;
    let counts = byValue.get(f);
    if (!counts) byValue.set(f, (counts = new Map()));
    counts.set(t, (counts.get(t) ?? 0) + 1);
  }
  let agree = 0;
  for (const counts of byValue.values()) agree += Math.max(...counts.values());
  return { purity: n > 0 ? agree / n : 0, groups: byValue.size };
}

/** |Pearson correlation| of two numeric columns over rows where both are present. */
function correlation(a: Float64Array, b: Float64Array, rows: Int32Array): number {
  let n = 0;
  let sa = 0;
  let sb = 0;
  let saa = 0;
  let sbb = 0;
  let sab = 0;
  for (const r of rows) {
    const x = a[r];
    const y = b[r];
    if (x !== x || y !== y) continue;
    n++;
    sa += x;
    sb += y;
    saa += x * x;
    sbb += y * y;
    sab += x * y;
  }
  if (n < 3) return 0;
  const cov = sab / n - (sa / n) * (sb / n);
  const va = saa / n - (sa / n) ** 2;
  const vb = sbb / n - (sb / n) ** 2;
  return va > 0 && vb > 0 ? Math.abs(cov / Math.sqrt(va * vb)) : 0;
}

/**
 * Best accuracy of one threshold on a numeric feature for a binary target (both directions).
 * The feature's values are sorted per class (typed-array sorts), then merged.
 */
function thresholdAccuracy(feature: Float64Array, target: TextColumn, positive: number, rows: Int32Array): number {
  const pos = new Float64Array(rows.length);
  const neg = new Float64Array(rows.length);
  let np = 0;
  let nn = 0;
  for (const r of rows) {
    const x = feature[r];
    const t = target.codes[r];
    if (x !== x || t < 0) continue;
    if (t === positive) pos[np++] = x;
    else neg[nn++] = x;
  }
  const total = np + nn;
  if (total < 10) return 0;
  const p = pos.subarray(0, np).sort();
  const q = neg.subarray(0, nn).sort();
  let best = Math.max(np, nn);
  let i = 0;
  let j = 0;
  while (i < np || j < nn) {
    const cut = Math.min(i < np ? p[i] : Infinity, j < nn ? q[j] : Infinity);
    while (i < np && p[i] === cut) i++;
    while (j < nn && q[j] === cut) j++;
    if (i + j === total) break;
    // predict 0 at or below the cut and 1 above, or the reverse
    const right = j + (np - i);
    best = Math.max(best, right, total - right);
  }
  return best / total;
}

/** Findings already computed, by Table and question (runDoctor is a pure function of an immutable Table). */
const checked = new WeakMap<Table, Map<string, { profiles: ColumnProfile[]; findings: Finding[] }>>();

export function runDoctor(table: Table, profiles: ColumnProfile[], options: { target?: string | null; features?: string[] } = {}): Finding[] {
  const key = JSON.stringify([options.target ?? null, options.features ?? null]);
  let byKey = checked.get(table);
  const hit = byKey?.get(key);
  if (hit && hit.profiles === profiles) return hit.findings.map((f) => ({ ...f }));
  const findings = checkTable(table, profiles, options);
  if (!byKey) checked.set(table, (byKey = new Map()));
  byKey.set(key, { profiles, findings });
  return findings.map((f) => ({ ...f }));
}

function checkTable(table: Table, profiles: ColumnProfile[], options: { target?: string | null; features?: string[] }): Finding[] {
  const findings: Finding[] = [];
  // Profiles of a Table the data engine read describe the whole source, which may hold more rows than the Table.
  const rows = table.stats?.rows ?? table.rowCount;
  const target = options.target ?? null;
  const used = new Set(options.features ?? table.columnNames);
  for (const p of profiles) {
    if (isConstant(p)) {
      findings.push({
        severity: p.name === target ? 'error' : 'warning',
        code: 'constant',
        column: p.name,
        message:
          p.distinct === 0
            ? `Column "${p.name}" is empty in every row${p.name === target ? '' : '; it is ignored'}.`
            : `Column "${p.name}" has the same value ("${p.top[0]?.value}") in every row${p.name === target ? '' : '; it carries no information and is ignored'}.`,
      });
    } else if (p.name !== target && isIdentifier(p, rows)) {
      findings.push({ severity: 'warning', code: 'identifier', column: p.name, message: `Column "${p.name}" has a different value in every row, like an identifier; it is ignored so the model cannot memorize rows.` });
    } else if (p.type === 'categorical' && p.name !== target && p.distinct > HIGH_CARDINALITY) {
      findings.push({
        severity: 'warning',
        code: 'high_cardinality',
        column: p.name,
        message: `Column "${p.name}" has ${p.distinct} categories; one-hot encoding makes ${p.distinct} inputs of it. Consider leaving it out or grouping rare values.`,
      });
    }
    if (p.invalidCount > 0 && (used.has(p.name) || p.name === target)) {
      findings.push({ severity: 'error', code: 'non_numeric', column: p.name, message: nonNumericMessage(p) });
    }
  }
  const duplicates = table.stats?.duplicates ?? duplicateRows(table);
  if (duplicates > 0) {
    findings.push({ severity: 'warning', code: 'duplicates', column: null, message: `${duplicates} row(s) (${pct(duplicates / rows)}) repeat an earlier row exactly; duplicates can leak between training and test.` });
  }
  if (target === null) return findings;
  const t = columnIndex(table, target);
  if (t < 0) return findings;
  const tp = profiles[t];
  const targetColumn = table.columns[t];
  if (tp.missing > 0) {
    findings.push({
      severity: tp.missing === rows ? 'error' : 'warning',
      code: 'target_missing',
      column: target,
      message: tp.missing === rows ? `The target "${target}" is missing in every row.` : `The target "${target}" is missing in ${tp.missing} row(s); they are left out of training.`,
    });
  }
  const task = detectTask(tp);
  if (task !== 'regression') {
    const counts = tp.top;
    if (tp.distinct === 1) {
      findings.push({ severity: 'error', code: 'single_class', column: target, message: `The target "${target}" has only one class ("${counts[0].value}"); there is nothing to learn. Choose another target.` });
    } else if (tp.distinct > 1 && tp.distinct <= counts.length) {
      const present = rows - tp.missing;
      const minority = counts[counts.length - 1];
      if (minority.count / present < IMBALANCE_SHARE) {
        const weights = counts.map((c) => `${c.value}: ${(present / (tp.distinct * c.count)).toFixed(2)}`).join(', ');
        findings.push({
          severity: 'warning',
          code: 'imbalance',
          column: target,
          message: `Class "${minority.value}" of "${target}" is only ${pct(minority.count / present)} of the rows; accuracy will flatter the model. Suggested class weights (balanced): ${weights}.`,
        });
      }
    }
  }
  // Leakage: a single feature that gives the target away (checked on up to 100,000 of the Table's rows).
  const sample = rowsForLeakage(table.rowCount);
  for (const p of profiles) {
    if (p.name === target || !used.has(p.name) || isConstant(p) || isIdentifier(p, rows)) continue;
    const column = table.columns[columnIndex(table, p.name)];
    let evidence: string | null = null;
    if (!isNumericType(p.type) || (task !== 'regression' && p.distinct <= 20)) {
      const { purity: share, groups } = purity(textView(column), textView(targetColumn), sample);
      if (share >= 0.99 && groups < (sample.length - p.missing * (sample.length / rows)) / 2) evidence = `its value alone gives the target in ${pct(share)} of rows`;
    } else if (task === 'regression' && isNumericType(tp.type)) {
      const r = correlation(numberView(column).values, numberView(targetColumn).values, sample);
      if (r >= 0.99) evidence = `it is correlated ${r.toFixed(3)} with the target`;
    } else if (task === 'binary' && tp.top.length >= 2) {
      const targetText = textView(targetColumn);
      const positive = targetText.dictionary.indexOf(tp.top[0].value);
      const values = numberView(column).values;
      // Screened on a tenth of the rows first (two sorts per feature made this most of the check's
      // time): a threshold right on ≥ 99% of the rows is right on fewer than 97% of 10,000 of them with
      // a chance below e^-100 (Chernoff's bound), so only features that pass are looked at in full.
      const screen = sample.length >= 20_000 ? sample.filter((_, i) => i % 10 === 0) : null;
      const acc = screen && thresholdAccuracy(values, targetText, positive, screen) < 0.97 ? 0 : thresholdAccuracy(values, targetText, positive, sample);
      if (acc >= 0.99) evidence = `one threshold on it classifies ${pct(acc)} of rows`;
    }
    if (evidence) {
      findings.push({
        severity: 'warning',
        code: 'leakage',
        column: p.name,
        message: `Column "${p.name}" predicts "${target}" almost perfectly (${evidence}). If it is only known after the outcome, leave it out.`,
      });
    }
  }
  return findings;
}
