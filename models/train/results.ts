/**
 * What the Results view draws, computed from a split's outputs as plain numbers (sent once per
 * epoch, so they update during training):
 *   classification — the confusion matrix (rows: true class, columns: predicted) and, for binary
 *                    tasks, the ROC and precision–recall curves (≤ 101 points each);
 *   regression     — up to 400 (actual, predicted) pairs, evenly sampled.
 */
import type { Task } from '../../shared/run-config.js';
import { argmax } from './metrics.js';

export type Results =
  | {
      kind: 'classification';
      confusion: number[][];
      roc: Array<{ x: number; y: number }> | null;
      pr: Array<{ x: number; y: number }> | null;
      /** Binary: (probability of class 1, true class) for up to 2,000 evenly spread rows, for the threshold slider. */
      scores: Array<{ x: number; y: number }> | null;
    }
  | { kind: 'regression'; points: Array<{ x: number; y: number }> };

const MAX_CURVE_POINTS = 101;
const MAX_SCATTER_POINTS = 400;
const MAX_SCORES = 2000;

/** ROC (x = false-positive rate, y = true-positive rate) and PR (x = recall, y = precision) over all thresholds, thinned. */
export function binaryCurves(scores: ArrayLike<number>, y: ArrayLike<number>) {
  const order = Array.from({ length: y.length }, (_, i) => i).sort((a, b) => scores[b] - scores[a]);
  const positives = order.reduce((s, i) => s + (y[i] === 1 ? 1 : 0), 0);
  const negatives = y.length - positives;
  if (positives === 0 || negatives === 0) return { roc: null, pr: null };
  const roc = [{ x: 0, y: 0 }];
  const pr: Array<{ x: number; y: number }> = [];
  let tp = 0;
  let fp = 0;
  for (let k = 0; k < order.length; k++) {
    if (y[order[k]] === 1) tp++;
    else fp++;
    // one point per distinct threshold
    if (k + 1 < order.length && scores[order[k + 1]] === scores[order[k]]) continue;
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
    const step = Math.max(1, n / MAX_SCATTER_POINTS);
    const points: Array<{ x: number; y: number }> = [];
    for (let i = 0; i < n; i += step) {
      const r = Math.floor(i);
      const predicted = targetStats ? output[r] * targetStats.std + targetStats.mean : output[r];
      points.push({ x: y[r], y: predicted });
    }
    return { kind: 'regression', points };
  }
  const k = task === 'binary' ? 2 : classes;
  const confusion = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < n; i++) {
    const predicted = task === 'binary' ? (output[i] >= 0.5 ? 1 : 0) : argmax(output.subarray(i * classes, (i + 1) * classes));
    confusion[y[i]][predicted]++;
  }
  if (task !== 'binary') return { kind: 'classification', confusion, roc: null, pr: null, scores: null };
  const { roc, pr } = binaryCurves(output.subarray(0, n), y);
  const step = Math.max(1, n / MAX_SCORES);
  const scores: Array<{ x: number; y: number }> = [];
  for (let i = 0; i < n; i += step) scores.push({ x: output[Math.floor(i)], y: y[Math.floor(i)] });
  return { kind: 'classification', confusion, roc, pr, scores };
}
