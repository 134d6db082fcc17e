/**
 * Evaluation metrics, in plain JavaScript on plain arrays (no tensors), so they are exact,
 * testable and cheap to send anywhere.
 *
 * Classification: `loss` (mean log loss in nats, probabilities clipped to [1e-7, 1 − 1e-7] as in
 * training), `accuracy`, and `precision` / `recall` / `f1`:
 *   multiclass — macro averages over the classes;
 *   binary     — of the positive class (class 1: the label order is [negative, positive] and the
 *                model's output is P(class 1)), with the macro averages as `macro_precision`,
 *                `macro_recall`, `macro_f1`; rows with P(class 1) ≥ threshold (default 0.5) are
 *                predicted positive; plus `auc` (ROC, threshold-free).
 * Regression, in the target's own units: `mse`, `rmse`, `mae`, `r2`, and `loss` = the training
 * objective, the MSE of the standardized target (mse / std²).
 */
import type { Metrics } from '../../shared/contract.js';
import type { Task } from '../../shared/run-config.js';
import { TickworkError } from '../../shared/errors.js';
import { confusionMatrix, reportFromConfusion } from '../evaluation/classification-report.js';

/** Probabilities are clipped to [ε, 1 − ε] before a log, in training and in evaluation. */
export const PROBABILITY_EPSILON = 1e-7;

const clip = (p: number) => Math.min(1 - PROBABILITY_EPSILON, Math.max(PROBABILITY_EPSILON, p));

export interface MetricOptions {
  /** Binary: P(class 1) ≥ threshold predicts the positive class. In (0, 1); default 0.5. */
  threshold?: number;
  /**
   * Binary: 'positive' (default) — `precision` / `recall` / `f1` of the positive class and the macro
   * averages as `macro_*`; 'macro' — macro averages under the plain names, as before.
   */
  binaryAverage?: 'positive' | 'macro';
}

/**
 * @param output model outputs, row-major: n×1 (binary probability of class 1, or regression
 *               prediction in original units) or n×k (multiclass probabilities)
 * @param y      class index per row, or regression target in original units
 * @param targetStd regression only: the training target's standard deviation
 */
export function computeMetrics(task: Task, output: Float32Array, y: Float32Array, classes: number, targetStd = 1, options: MetricOptions = {}): Metrics {
  const threshold = options.threshold ?? 0.5;
  if (task === 'binary' && !(threshold > 0 && threshold < 1)) {
    throw new TickworkError('invalid_input', `threshold must be between 0 and 1 (exclusive), received ${String(threshold)}`);
  }
  const n = y.length;
  if (n === 0) return {};
  if (task === 'regression') {
    let se = 0;
    let ae = 0;
    let mean = 0;
    for (let i = 0; i < n; i++) mean += y[i];
    mean /= n;
    let ss = 0;
    for (let i = 0; i < n; i++) {
      const e = output[i] - y[i];
      se += e * e;
      ae += Math.abs(e);
      ss += (y[i] - mean) ** 2;
    }
    const mse = se / n;
    return { loss: mse / (targetStd * targetStd), mse, rmse: Math.sqrt(mse), mae: ae / n, r2: ss > 0 ? 1 - se / ss : 0 };
  }
  let logLoss = 0;
  const k = task === 'binary' ? 2 : classes;
  const predicted = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    if (task === 'binary') {
      const p = clip(output[i]);
      logLoss -= y[i] === 1 ? Math.log(p) : Math.log(1 - p);
      predicted[i] = output[i] >= threshold ? 1 : 0;
    } else {
      const row = i * classes;
      let best = 0;
      for (let c = 1; c < classes; c++) if (output[row + c] > output[row + best]) best = c;
      predicted[i] = best;
      logLoss -= Math.log(clip(output[row + y[i]]));
    }
  }
  let metrics: Metrics;
  if (task === 'binary' && options.binaryAverage !== 'macro') {
    const report = reportFromConfusion(confusionMatrix(predicted, y, 2));
    const positive = report.perClass[1];
    metrics = {
      loss: logLoss / n,
      accuracy: report.accuracy,
      precision: positive.precision,
      recall: positive.recall,
      f1: positive.f1,
      macro_precision: report.macro.precision,
      macro_recall: report.macro.recall,
      macro_f1: report.macro.f1,
    };
  } else {
    metrics = { loss: logLoss / n, ...classificationScores(predicted, y, k) };
  }
  if (task === 'binary') {
    const auc = rocAuc(output.subarray(0, n), y);
    if (auc !== null) metrics.auc = auc;
  }
  return metrics;
}

/**
 * Accuracy and macro-averaged precision, recall and F1 over the classes present in the labels
 * or the predictions (a class never predicted has precision 0, as scikit-learn's zero_division=0).
 */
export function classificationScores(predicted: ArrayLike<number>, y: ArrayLike<number>, classes: number): Metrics {
  const tp = new Float64Array(classes);
  const fp = new Float64Array(classes);
  const fn = new Float64Array(classes);
  let correct = 0;
  for (let i = 0; i < y.length; i++) {
    const truth = y[i];
    const guess = predicted[i];
    if (truth === guess) {
      correct++;
      tp[truth]++;
    } else {
      fp[guess]++;
      fn[truth]++;
    }
  }
  let precision = 0;
  let recall = 0;
  let f1 = 0;
  let counted = 0;
  for (let c = 0; c < classes; c++) {
    if (tp[c] + fp[c] + fn[c] === 0) continue;
    counted++;
    const p = tp[c] + fp[c] > 0 ? tp[c] / (tp[c] + fp[c]) : 0;
    const r = tp[c] + fn[c] > 0 ? tp[c] / (tp[c] + fn[c]) : 0;
    precision += p;
    recall += r;
    f1 += p + r > 0 ? (2 * p * r) / (p + r) : 0;
  }
  return {
    accuracy: correct / y.length,
    precision: counted ? precision / counted : 0,
    recall: counted ? recall / counted : 0,
    f1: counted ? f1 / counted : 0,
  };
}

/**
 * The scores of the positive (y = 1) and the negative rows, each sorted ascending (a native
 * numeric sort, no comparator). A NaN score (a diverged model) counts as the lowest.
 */
export function scoresByClass(scores: ArrayLike<number>, y: ArrayLike<number>): { positive: Float64Array; negative: Float64Array } {
  let positives = 0;
  for (let i = 0; i < y.length; i++) if (y[i] === 1) positives++;
  const positive = new Float64Array(positives);
  const negative = new Float64Array(y.length - positives);
  for (let i = 0, p = 0, q = 0; i < y.length; i++) {
    const score = Number.isNaN(scores[i]) ? -Infinity : scores[i];
    if (y[i] === 1) positive[p++] = score;
    else negative[q++] = score;
  }
  return { positive: positive.sort(), negative: negative.sort() };
}

/**
 * Area under the ROC curve for binary labels: the probability that a random positive scores
 * above a random negative (ties count half) — the Mann–Whitney U statistic over P·N:
 *   AUC = Σ over positives of (#negatives scoring below + ½·#negatives scoring the same) / (P·N)
 * counted in one pass over both classes' sorted scores. Null when only one class is present.
 */
export function rocAuc(scores: ArrayLike<number>, y: ArrayLike<number>): number | null {
  const { positive, negative } = scoresByClass(scores, y);
  if (positive.length === 0 || negative.length === 0) return null;
  let below = 0;
  let u = 0;
  for (let i = 0; i < positive.length; ) {
    const s = positive[i];
    let ties = 0;
    while (below < negative.length && negative[below] < s) below++;
    while (below + ties < negative.length && negative[below + ties] === s) ties++;
    let same = 0;
    while (i < positive.length && positive[i] === s) {
      same++;
      i++;
    }
    u += same * (below + ties / 2);
  }
  return u / (positive.length * negative.length);
}

/** Probabilities per class for one row of model output (binary: [1 − p, p]). */
export function rowProbabilities(task: Task, output: Float32Array, row: number, classes: number): number[] {
  if (task === 'binary') return [1 - output[row], output[row]];
  return Array.from(output.subarray(row * classes, (row + 1) * classes));
}

export function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let k = 1; k < values.length; k++) if (values[k] > values[best]) best = k;
  return best;
}
