/**
 * Training histograms for drift monitoring, and the population stability index (PSI) over them.
 *
 * A numeric input's training values (missing cells left out) are cut into about ten bins at
 * their deciles, so each bin holds roughly a tenth of the training rows; the bins are open at
 * both ends, so every future value falls in one. Equal-population bins are the usual choice for
 * PSI: equal-width bins put most rows in one bin when a column has outliers.
 *
 * PSI compares the share of rows per bin in new data (a) with training (e):
 *   PSI = Σ_b (a_b − e_b) · ln(a_b / e_b)
 * It is 0 for identical shares and grows with the shift; the common reading is < 0.1 stable,
 * 0.1–0.25 a moderate shift, > 0.25 a large one. Empty bins are floored at PSI_FLOOR so one
 * empty bin does not make it infinite.
 */

/** Training histogram of one input: `edges` are the interior cut points (ascending), `shares` one per bin (sum 1). */
export interface TrainingBins {
  /** Bin 0 is x < edges[0]; bin i is edges[i−1] ≤ x < edges[i]; the last is x ≥ edges[last]. */
  edges: number[];
  /** Share of the (non-missing) training values in each bin; length edges.length + 1. */
  shares: number[];
}

export const PSI_BINS = 10;
/** Shares below this are raised to it inside the logarithm (a bin empty on one side). */
export const PSI_FLOOR = 1e-4;
/** Decile edges are taken from at most this many evenly spaced values; the shares count every value. */
const MAX_EDGE_SAMPLE = 100_000;

/** Index of the bin that holds x: the number of edges ≤ x (binary search). */
export function binIndex(edges: readonly number[], x: number): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (edges[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Decile bins of the values (NaN = missing, skipped); null when there are none. */
export function decileBins(values: ArrayLike<number>, bins = PSI_BINS): TrainingBins | null {
  let n = 0;
  for (let i = 0; i < values.length; i++) if (values[i] === values[i]) n++;
  if (n === 0) return null;
  const stride = Math.max(1, Math.ceil(n / MAX_EDGE_SAMPLE));
  const sample = new Float64Array(Math.ceil(n / stride));
  let seen = 0;
  let taken = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v !== v) continue;
    if (seen++ % stride === 0) sample[taken++] = v;
  }
  const sorted = sample.subarray(0, taken).sort();
  const edges: number[] = [];
  for (let q = 1; q < bins; q++) {
    const edge = sorted[Math.min(sorted.length - 1, Math.floor((q * sorted.length) / bins))];
    // Repeated values (whole numbers, a mode) give repeated cut points: keep each once, and
    // none at the minimum, so no bin is empty by construction.
    if (edge > sorted[0] && (edges.length === 0 || edge > edges[edges.length - 1])) edges.push(edge);
  }
  const counts = new Array<number>(edges.length + 1).fill(0);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === v) counts[binIndex(edges, v)]++;
  }
  return { edges, shares: counts.map((c) => c / n) };
}

/** PSI of observed bin counts against the expected (training) shares; null when nothing was observed. */
export function populationStability(expected: readonly number[], observed: ArrayLike<number>): number | null {
  let total = 0;
  for (let b = 0; b < observed.length; b++) total += observed[b];
  if (total === 0) return null;
  let psi = 0;
  for (let b = 0; b < expected.length; b++) {
    const e = Math.max(PSI_FLOOR, expected[b]);
    const a = Math.max(PSI_FLOOR, (observed[b] ?? 0) / total);
    psi += (a - e) * Math.log(a / e);
  }
  return psi;
}
