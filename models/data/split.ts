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
  out.test.push(...group.slice(0, nTest));
  out.validation.push(...group.slice(nTest, nTest + nVal));
  out.train.push(...group.slice(nTest + nVal));
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
