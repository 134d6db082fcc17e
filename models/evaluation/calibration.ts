/**
 * Calibration of binary probabilities (P(positive class) per row against the true class 0/1).
 *
 * Reliability diagram — equal-width bins over [0, 1], as scikit-learn's
 * `calibration_curve(strategy='uniform')`: edges e_i = i · (1 / B); bin 0 is [0, e_1], bin i > 0 is
 * (e_i, e_{i+1}] (a score on an interior edge belongs to the lower bin, as numpy's
 * `searchsorted(edges[1:-1], p)` puts it). Per non-empty bin: the mean predicted probability, the
 * fraction of rows that are positive, and the count. A calibrated model has the two close.
 *
 * Brier score — the mean squared difference between the probability and the outcome,
 *   (1/n) Σ (p_i − y_i)²     (0 is perfect; always predicting the base rate π scores π(1 − π)).
 */
import { TickworkError } from '../../shared/errors.js';

export const DEFAULT_CALIBRATION_BINS = 10;

export interface ReliabilityBin {
  /** The bin's edges (scores in (lower, upper]; the first bin includes 0). */
  lower: number;
  upper: number;
  /** Mean of the scores in the bin. */
  meanPredicted: number;
  /** Share of the bin's rows whose true class is positive. */
  fractionPositive: number;
  count: number;
}

export interface ReliabilityDiagram {
  /** Non-empty bins only, in order of score (as scikit-learn returns them). */
  bins: ReliabilityBin[];
  binCount: number;
  brier: number;
  rows: number;
}

function checkScore(s: number, i: number): void {
  if (!(s >= 0 && s <= 1)) throw new TickworkError('bad_data', `Row ${i} has the probability ${String(s)}; calibration needs probabilities between 0 and 1.`);
}

/** Mean squared error of P(positive) against the 0/1 outcome. */
export function brierScore(scores: ArrayLike<number>, y: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < y.length; i++) {
    checkScore(scores[i], i);
    sum += (scores[i] - y[i]) ** 2;
  }
  return y.length > 0 ? sum / y.length : 0;
}

/** The bin of a score with edges i·width: the number of interior edges strictly below it. */
function binOf(score: number, bins: number, width: number): number {
  let b = Math.min(bins - 1, Math.max(0, Math.ceil(score * bins) - 1));
  while (b > 0 && score <= b * width) b--;
  while (b < bins - 1 && score > (b + 1) * width) b++;
  return b;
}

export function reliabilityDiagram(scores: ArrayLike<number>, y: ArrayLike<number>, binCount = DEFAULT_CALIBRATION_BINS): ReliabilityDiagram {
  if (!Number.isInteger(binCount) || binCount < 1) throw new RangeError(`binCount must be an integer ≥ 1, received ${binCount}`);
  const width = 1 / binCount;
  const sums = new Float64Array(binCount);
  const positives = new Float64Array(binCount);
  const counts = new Float64Array(binCount);
  for (let i = 0; i < y.length; i++) {
    const s = scores[i];
    checkScore(s, i);
    const b = binOf(s, binCount, width);
    sums[b] += s;
    positives[b] += y[i] === 1 ? 1 : 0;
    counts[b]++;
  }
  const bins: ReliabilityBin[] = [];
  for (let b = 0; b < binCount; b++) {
    if (counts[b] === 0) continue;
    bins.push({
      lower: b * width,
      upper: b === binCount - 1 ? 1 : (b + 1) * width,
      meanPredicted: sums[b] / counts[b],
      fractionPositive: positives[b] / counts[b],
      count: counts[b],
    });
  }
  return { bins, binCount, brier: brierScore(scores, y), rows: y.length };
}
