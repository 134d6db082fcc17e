/**
 * Seeded train/validation/test split, stratified by class when asked (each class keeps its
 * share in every part). Every class keeps at least one training row.
 */
import { createRng, shuffleInPlace } from '../random.js';

export interface Split {
  train: Int32Array;
  validation: Int32Array;
  test: Int32Array;
}

export interface SplitOptions {
  validation: number;
  test: number;
  seed: number;
  /** Class index per row of `rows` (same length), for stratification; omit for a random split. */
  strata?: ArrayLike<number>;
}

function splitGroup(group: number[], options: SplitOptions, out: { train: number[]; validation: number[]; test: number[] }) {
  const n = group.length;
  let nTest = Math.round(n * options.test);
  let nVal = Math.round(n * options.validation);
  // Keep at least one training row per group.
  while (nTest + nVal > n - 1 && (nTest > 0 || nVal > 0)) {
    if (nTest >= nVal && nTest > 0) nTest--;
    else nVal--;
  }
  // One push per row: push(...rows) passes every row as an argument, past the stack's limit at ~100,000.
  for (let i = 0; i < n; i++) (i < nTest ? out.test : i < nTest + nVal ? out.validation : out.train).push(group[i]);
}

export function splitRows(rows: Int32Array, options: SplitOptions): Split {
  const rng = createRng(options.seed);
  const out = { train: [] as number[], validation: [] as number[], test: [] as number[] };
  if (options.strata) {
    const groups = new Map<number, number[]>();
    rows.forEach((r, i) => {
      const k = options.strata![i];
      if (!groups.has(k)) groups.set(k, []);
      groups.get(k)!.push(r);
    });
    for (const key of [...groups.keys()].sort((a, b) => a - b)) {
      splitGroup(shuffleInPlace(groups.get(key)!, rng), options, out);
    }
  } else {
    splitGroup(shuffleInPlace(Array.from(rows), rng), options, out);
  }
  // Shuffle within parts so that classes interleave; sort is not needed for correctness.
  return {
    train: Int32Array.from(shuffleInPlace(out.train, rng)),
    validation: Int32Array.from(out.validation),
    test: Int32Array.from(out.test),
  };
}

export interface Fold {
  train: Int32Array;
  validation: Int32Array;
}

/**
 * k-fold cross-validation indices: every row is in exactly one validation fold; folds are
 * seeded, and stratified when `strata` is given (each class spread evenly over the folds).
 */
export function kFoldIndices(rows: Int32Array, k: number, options: { seed: number; strata?: ArrayLike<number> }): Fold[] {
  if (!Number.isInteger(k) || k < 2) throw new RangeError(`k-fold needs k ≥ 2, received ${k}`);
  if (k > rows.length) throw new RangeError(`k-fold with k = ${k} needs at least ${k} rows, received ${rows.length}`);
  const rng = createRng(options.seed);
  const foldOf = new Int32Array(rows.length);
  const groups = new Map<number, number[]>();
  for (let i = 0; i < rows.length; i++) {
    const key = options.strata ? options.strata[i] : 0;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key)!.push(i);
  }
  // Deal each shuffled group round-robin, continuing where the previous group stopped, so fold sizes differ by at most one.
  let next = 0;
  for (const key of [...groups.keys()].sort((a, b) => a - b)) {
    for (const i of shuffleInPlace(groups.get(key)!, rng)) {
      foldOf[i] = next;
      next = (next + 1) % k;
    }
  }
  return Array.from({ length: k }, (_, f) => {
    const train: number[] = [];
    const validation: number[] = [];
    for (let i = 0; i < rows.length; i++) (foldOf[i] === f ? validation : train).push(rows[i]);
    return { train: Int32Array.from(train), validation: Int32Array.from(validation) };
  });
}

/**
 * Positions 0..length-1 thinned to at most `max`, evenly spaced and in order (all of them when
 * there are few enough): which rows a table, a chart or a sample keeps from a long list.
 */
export function evenlySpaced(length: number, max: number): number[] {
  if (length <= max) return Array.from({ length }, (_, i) => i);
  const step = length / max;
  return Array.from({ length: max }, (_, k) => Math.floor(k * step));
}
