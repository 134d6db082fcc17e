/**
 * What the Results view draws, computed from a split's outputs as plain numbers (sent once per
 * epoch, so they update during training):
 *   classification — the confusion matrix (rows: true class, columns: predicted) and, for binary
 *                    tasks, the ROC and precision–recall curves (≤ 101 points each);
 *   regression     — up to 400 (actual, predicted) pairs, evenly sampled;
 *   both           — up to 600 rows for the predictions table: the errors first (all of them when
 *                    there are at most 300; for regression the 300 largest residuals), then
 *                    evenly spread other rows, each by its index in the split.
 */
import type { Task } from '../../shared/run-config.js';
import { evenlySpaced } from '../data/split.js';
import { argmax, scoresByClass } from './metrics.js';

/** One row of the predictions table: class ids (classification) or values (regression). */
export interface ResultRow {
  /** Index of the row within the split the results are on. */
  index: number;
  actual: number;
  predicted: number;
  /** Classification: the probability of the predicted class. */
  confidence: number | null;
  /** Misclassified, or (regression) among the largest residuals. */
  error: boolean;
}

export type Results = (
  | {
      kind: 'classification';
      confusion: number[][];
      roc: Array<{ x: number; y: number }> | null;
      pr: Array<{ x: number; y: number }> | null;
      /** Binary: (probability of class 1, true class) for up to 2,000 evenly spread rows, for the threshold slider. */
      scores: Array<{ x: number; y: number }> | null;
    }
  | { kind: 'regression'; points: Array<{ x: number; y: number }> }
) & { rows: ResultRow[]; errors: number };

const MAX_CURVE_POINTS = 101;
const MAX_SCATTER_POINTS = 400;
const MAX_SCORES = 2000;
const MAX_ROWS_EACH = 300;

/** Up to `max` of `indices`, evenly spread. */
function spread(indices: number[], max: number): number[] {
  return evenlySpaced(indices.length, max).map((k) => indices[k]);
}

/** ROC (x = false-positive rate, y = true-positive rate) and PR (x = recall, y = precision) over all thresholds, thinned. */
export function binaryCurves(scores: ArrayLike<number>, y: ArrayLike<number>) {
  const { positive, negative } = scoresByClass(scores, y);
  const positives = positive.length;
  const negatives = negative.length;
  if (positives === 0 || negatives === 0) return { roc: null, pr: null };
  const roc = [{ x: 0, y: 0 }];
  const pr: Array<{ x: number; y: number }> = [];
  // Thresholds from the highest score down, one point per distinct score: every row scoring at
  // least the threshold is predicted positive (both classes' scores sorted, walked from the top).
  let p = positives - 1;
  let q = negatives - 1;
  let tp = 0;
  let fp = 0;
  while (p >= 0 || q >= 0) {
    const threshold = Math.max(p >= 0 ? positive[p] : -Infinity, q >= 0 ? negative[q] : -Infinity);
    while (p >= 0 && positive[p] === threshold) {
      tp++;
      p--;
    }
    while (q >= 0 && negative[q] === threshold) {
      fp++;
      q--;
    }
    roc.push({ x: fp / negatives, y: tp / positives });
    pr.push({ x: tp / positives, y: tp / (tp + fp) });
  }
  const thin = (points: Array<{ x: number; y: number }>) => {
    if (points.length <= MAX_CURVE_POINTS) return points;
    const step = (points.length - 1) / (MAX_CURVE_POINTS - 1);
    return Array.from({ length: MAX_CURVE_POINTS }, (_, i) => points[Math.round(i * step)]);
  };
  return { roc: thin(roc), pr: thin(pr) };
}

/**
 * @param output model outputs (binary: P(class 1) per row; multiclass: k per row; regression: value
 *               in the standardized scale when `targetStats` is given, else in target units)
 */
export function resultsOf(task: Task, output: Float32Array, y: Float32Array, classes: number, targetStats: { mean: number; std: number } | null): Results {
  const n = y.length;
  if (task === 'regression') {
    const predicted = new Float64Array(n);
    for (let i = 0; i < n; i++) predicted[i] = targetStats ? output[i] * targetStats.std + targetStats.mean : output[i];
    const step = Math.max(1, n / MAX_SCATTER_POINTS);
    const points: Array<{ x: number; y: number }> = [];
    for (let i = 0; i < n; i += step) points.push({ x: y[Math.floor(i)], y: predicted[Math.floor(i)] });
    // "Errors" of a regression: the largest absolute residuals.
    const byResidual = Array.from({ length: n }, (_, i) => i).sort((a, b) => Math.abs(predicted[b] - y[b]) - Math.abs(predicted[a] - y[a]));
    const worst = byResidual.slice(0, Math.min(MAX_ROWS_EACH, Math.ceil(n / 10)));
    const isWorst = new Set(worst);
    const others = spread(Array.from({ length: n }, (_, i) => i).filter((i) => !isWorst.has(i)), MAX_ROWS_EACH);
    const row = (i: number): ResultRow => ({ index: i, actual: y[i], predicted: predicted[i], confidence: null, error: isWorst.has(i) });
    return { kind: 'regression', points, rows: [...worst, ...others].map(row), errors: worst.length };
  }
  const k = task === 'binary' ? 2 : classes;
  const confusion = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  const predictedClass = new Int32Array(n);
  const confidence = new Float64Array(n);
  const wrong: number[] = [];
  const right: number[] = [];
  for (let i = 0; i < n; i++) {
    if (task === 'binary') {
      predictedClass[i] = output[i] >= 0.5 ? 1 : 0;
      confidence[i] = predictedClass[i] === 1 ? output[i] : 1 - output[i];
    } else {
      const probabilities = output.subarray(i * classes, (i + 1) * classes);
      predictedClass[i] = argmax(probabilities);
      confidence[i] = probabilities[predictedClass[i]];
    }
    confusion[y[i]][predictedClass[i]]++;
    (predictedClass[i] === y[i] ? right : wrong).push(i);
  }
  // The most confident mistakes first: they are the ones worth a look.
  const shownWrong = spread(wrong, MAX_ROWS_EACH).sort((a, b) => confidence[b] - confidence[a]);
  const rows = [...shownWrong, ...spread(right, MAX_ROWS_EACH)].map((i) => ({
    index: i,
    actual: y[i],
    predicted: predictedClass[i],
    confidence: confidence[i],
    error: predictedClass[i] !== y[i],
  }));
  if (task !== 'binary') return { kind: 'classification', confusion, roc: null, pr: null, scores: null, rows, errors: wrong.length };
  const { roc, pr } = binaryCurves(output.subarray(0, n), y);
  const step = Math.max(1, n / MAX_SCORES);
  const scores: Array<{ x: number; y: number }> = [];
  for (let i = 0; i < n; i += step) scores.push({ x: output[Math.floor(i)], y: y[Math.floor(i)] });
  return { kind: 'classification', confusion, roc, pr, scores, rows, errors: wrong.length };
}
