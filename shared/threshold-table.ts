/**
 * The threshold table: binary scores (P(positive class)) summarized as counts per score bin, small
 * enough to send to the page (2 × (bins + 1) numbers), from which the confusion matrix and every
 * metric at any threshold on a bin edge are exact over all rows.
 *
 * Bins: B bins of width 1/B; edge j is j / B (that exact double, j = 0..B). Bin b < B holds the rows with
 *   edge(b) ≤ score < edge(b + 1)
 * and an extra bin B holds the rows with score = 1 exactly (so that t = 1 is exact too).
 * The decision rule is "score ≥ t predicts positive", so at t = edge(j) the predicted positives are
 * exactly the rows of bins j..B:
 *   tp(t) = Σ_{b ≥ j} positives[b]   fp(t) = Σ_{b ≥ j} negatives[b]   fn = P − tp   tn = N − fp
 * A threshold between edges is rounded to the nearest edge, and every result says which edge it used.
 *
 * Presets (searched over the interior edges 1..B−1, i.e. thresholds in (0, 1)):
 *   max F1, max accuracy — the edge with the largest value; among equals, the one nearest 0.5;
 *   recall ≥ X           — the highest threshold whose recall reaches X (recall only falls as t rises);
 *   precision ≥ X        — the lowest threshold whose precision reaches X (the most recall at that precision).
 */
import { TickworkError } from './errors.js';
import { scoresFromCounts, type BinaryCounts, type BinaryScores } from './binary-scores.js';

export const DEFAULT_THRESHOLD_BINS = 1000;

export interface ThresholdTable {
  bins: number;
  /** positives[b]: rows of the positive class (class 1) whose score falls in bin b (length bins + 1; the last: score = 1). */
  positives: number[];
  /** negatives[b]: rows of the negative class (class 0) in bin b (length bins + 1). */
  negatives: number[];
}

export interface ThresholdPoint extends BinaryScores {
  /** The bin edge used (the requested threshold rounded to the nearest edge). */
  threshold: number;
  counts: BinaryCounts;
}

/** The threshold of edge j: exactly j / bins (the same double every function here uses). */
export const edgeOf = (table: Pick<ThresholdTable, 'bins'>, j: number): number => j / table.bins;

/** The bin b with edge(b) ≤ score < edge(b + 1), exact (floor(score·B) corrected for rounding); B for score = 1. */
function binOf(score: number, bins: number): number {
  let b = Math.min(bins, Math.max(0, Math.floor(score * bins)));
  while (b > 0 && score < b / bins) b--;
  while (b < bins && score >= (b + 1) / bins) b++;
  return b;
}

/** Count rows per score bin. Scores must be probabilities in [0, 1]; labels 0 (negative) or 1 (positive). */
export function buildThresholdTable(scores: ArrayLike<number>, y: ArrayLike<number>, bins = DEFAULT_THRESHOLD_BINS): ThresholdTable {
  if (!Number.isInteger(bins) || bins < 2) throw new RangeError(`bins must be an integer ≥ 2, received ${bins}`);
  if (scores.length < y.length) throw new RangeError(`need a score per row: ${scores.length} scores for ${y.length} rows`);
  const positives = new Array<number>(bins + 1).fill(0);
  const negatives = new Array<number>(bins + 1).fill(0);
  for (let i = 0; i < y.length; i++) {
    const s = scores[i];
    if (!(s >= 0 && s <= 1)) {
      throw new TickworkError('bad_data', `Row ${i} has the score ${String(s)}; the threshold view needs probabilities between 0 and 1 (the model may have diverged).`);
    }
    const b = binOf(s, bins);
    if (y[i] === 1) positives[b]++;
    else if (y[i] === 0) negatives[b]++;
    else throw new RangeError(`row ${i}: a binary label must be 0 or 1, received ${y[i]}`);
  }
  return { bins, positives, negatives };
}

/** Cumulative counts from the top: above[j] = rows in bins j..B (length B + 2, above[B + 1] = 0). */
function suffixSums(counts: readonly number[]): Float64Array {
  const above = new Float64Array(counts.length + 1);
  for (let b = counts.length - 1; b >= 0; b--) above[b] = above[b + 1] + counts[b];
  return above;
}

/** The nearest edge index to a threshold in [0, 1]. */
export function nearestEdge(table: Pick<ThresholdTable, 'bins'>, threshold: number): number {
  if (!(threshold >= 0 && threshold <= 1)) throw new TickworkError('invalid_input', `threshold must be between 0 and 1, received ${String(threshold)}`);
  return Math.round(threshold * table.bins);
}

function countsAtEdge(table: ThresholdTable, j: number, tpAbove: Float64Array, fpAbove: Float64Array): BinaryCounts {
  const tp = tpAbove[j];
  const fp = fpAbove[j];
  return { tp, fp, fn: tpAbove[0] - tp, tn: fpAbove[0] - fp };
}

/** The confusion counts at a threshold (rounded to the nearest bin edge; see `threshold` in the result). */
export function confusionAt(table: ThresholdTable, threshold: number): BinaryCounts & { threshold: number } {
  const j = nearestEdge(table, threshold);
  return { ...countsAtEdge(table, j, suffixSums(table.positives), suffixSums(table.negatives)), threshold: edgeOf(table, j) };
}

/** Precision, recall, F1 (positive class), specificity, accuracy and macro averages at a threshold. */
export function metricsAt(table: ThresholdTable, threshold: number): ThresholdPoint {
  const { threshold: used, ...counts } = confusionAt(table, threshold);
  return { threshold: used, counts, ...scoresFromCounts(counts) };
}

/** Every interior edge's point (thresholds 1/B .. (B−1)/B), for curves and the presets. */
export function thresholdSweep(table: ThresholdTable): ThresholdPoint[] {
  const tpAbove = suffixSums(table.positives);
  const fpAbove = suffixSums(table.negatives);
  const out: ThresholdPoint[] = [];
  for (let j = 1; j < table.bins; j++) {
    const counts = countsAtEdge(table, j, tpAbove, fpAbove);
    out.push({ threshold: edgeOf(table, j), counts, ...scoresFromCounts(counts) });
  }
  return out;
}

export type ThresholdPreset = { kind: 'max-f1' } | { kind: 'max-accuracy' } | { kind: 'recall-at-least'; value: number } | { kind: 'precision-at-least'; value: number };

function best(points: ThresholdPoint[], score: (p: ThresholdPoint) => number): ThresholdPoint {
  let chosen = points[0];
  for (const p of points) {
    const a = score(p);
    const b = score(chosen);
    if (a > b || (a === b && Math.abs(p.threshold - 0.5) < Math.abs(chosen.threshold - 0.5))) chosen = p;
  }
  return chosen;
}

/**
 * The threshold a preset picks, with its metrics; null when no threshold in (0, 1) reaches the
 * asked recall or precision (the caller says so in words, e.g. "no threshold reaches precision 0.99").
 */
export function presetThreshold(table: ThresholdTable, preset: ThresholdPreset): ThresholdPoint | null {
  if (preset.kind === 'recall-at-least' || preset.kind === 'precision-at-least') {
    if (!(preset.value >= 0 && preset.value <= 1)) {
      throw new TickworkError('invalid_input', `${preset.kind === 'recall-at-least' ? 'recall' : 'precision'} target must be between 0 and 1, received ${String(preset.value)}`);
    }
  }
  const points = thresholdSweep(table);
  switch (preset.kind) {
    case 'max-f1':
      return best(points, (p) => p.f1);
    case 'max-accuracy':
      return best(points, (p) => p.accuracy);
    case 'recall-at-least': {
      // Recall never rises with the threshold: scan from the top down and take the first that reaches it.
      for (let j = points.length - 1; j >= 0; j--) if (points[j].recall >= preset.value && points[j].counts.tp + points[j].counts.fn > 0) return points[j];
      return null;
    }
    case 'precision-at-least': {
      // Precision is not monotonic: the lowest threshold that reaches it (the most recall), among thresholds that predict some positives.
      for (const p of points) if (p.counts.tp + p.counts.fp > 0 && p.precision >= preset.value) return p;
      return null;
    }
  }
}
