/**
 * Metrics of a binary classifier for its positive class at a decision threshold.
 *
 * Representation: the label order is [negative, positive], so class 1 is the positive class and a
 * score is the model's P(class 1). A row is predicted positive when score ≥ threshold. With
 *   tp, fp, tn, fn  (counts of rows at that threshold)
 *   precision = tp / (tp + fp)    recall = tp / (tp + fn)    F1 = 2·p·r / (p + r)
 *   specificity = tn / (tn + fp)  (the negative class's recall)   accuracy = (tp + tn) / n
 * (0 where a denominator is 0, as scikit-learn's zero_division=0). The macro averages are the means
 * of those scores over the two classes (over the one class present, if only one occurs).
 * Threshold-free: ROC AUC (null with a single class) and the mean log loss in nats.
 */
import { TickworkError } from '../../shared/errors.js';
import { PROBABILITY_EPSILON, rocAuc } from '../train/metrics.js';
import { reportFromConfusion } from '../../shared/classification-report.js';
import { scoresFromCounts, type BinaryCounts, type BinaryScores } from '../../shared/binary-scores.js';

export { scoresFromCounts, type BinaryCounts, type BinaryScores };

export interface BinaryReport extends BinaryScores {
  threshold: number;
  counts: BinaryCounts;
  rows: number;
  /** Rows whose true class is the positive one. */
  positives: number;
  auc: number | null;
  /** Mean log loss (nats), probabilities clipped to [1e-7, 1 − 1e-7] as in training. */
  logLoss: number;
}

/** A decision threshold must lie in (0, 1): at 0 every row is positive, at 1 (almost) none. */
export function validateThreshold(threshold: number, name = 'threshold'): number {
  if (typeof threshold !== 'number' || !Number.isFinite(threshold) || threshold <= 0 || threshold >= 1) {
    throw new TickworkError('invalid_input', `${name} must be between 0 and 1 (exclusive), received ${String(threshold)}. Use e.g. 0.5, or a preset such as "max F1".`);
  }
  return threshold;
}

/** Counts at `threshold` (score ≥ threshold predicts positive). */
export function binaryCounts(scores: ArrayLike<number>, y: ArrayLike<number>, threshold = 0.5): BinaryCounts {
  if (scores.length < y.length) throw new RangeError(`need a score per row: ${scores.length} scores for ${y.length} rows`);
  const counts = { tp: 0, fp: 0, tn: 0, fn: 0 };
  for (let i = 0; i < y.length; i++) {
    const positive = scores[i] >= threshold;
    if (y[i] === 1) positive ? counts.tp++ : counts.fn++;
    else positive ? counts.fp++ : counts.tn++;
  }
  return counts;
}

/** Precision, recall, F1 of the positive class, specificity, accuracy and macro averages from counts. */

/** Mean binary log loss in nats of P(class 1) scores, clipped to [ε, 1 − ε]. */
export function binaryLogLoss(scores: ArrayLike<number>, y: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < y.length; i++) {
    const p = Math.min(1 - PROBABILITY_EPSILON, Math.max(PROBABILITY_EPSILON, scores[i]));
    sum -= y[i] === 1 ? Math.log(p) : Math.log(1 - p);
  }
  return y.length > 0 ? sum / y.length : 0;
}

/** Everything about a binary classifier at one threshold, for its positive class (class 1). */
export function binaryMetrics(scores: ArrayLike<number>, y: ArrayLike<number>, options: { threshold?: number } = {}): BinaryReport {
  const threshold = options.threshold ?? 0.5;
  validateThreshold(threshold);
  const counts = binaryCounts(scores, y, threshold);
  const view = Array.prototype.slice.call(scores, 0, y.length) as number[];
  return {
    ...scoresFromCounts(counts),
    threshold,
    counts,
    rows: y.length,
    positives: counts.tp + counts.fn,
    auc: rocAuc(view, y),
    logLoss: binaryLogLoss(scores, y),
  };
}
