/**
 * Evaluation metrics, in plain JavaScript on plain arrays (no tensors), so they are exact,
 * testable and cheap to send anywhere.
 *
 * Classification: `loss` (mean log loss in nats, probabilities clipped to [1e-7, 1 − 1e-7] as in
 * training) and `accuracy`. Regression, in the target's own units: `mse`, `rmse`, `mae`, `r2`,
 * and `loss` = the training objective, the MSE of the standardized target (mse / std²).
 */
import type { Metrics } from '../../shared/contract.js';
import type { Task } from '../../shared/run-config.js';

/** Probabilities are clipped to [ε, 1 − ε] before a log, in training and in evaluation. */
export const PROBABILITY_EPSILON = 1e-7;

const clip = (p: number) => Math.min(1 - PROBABILITY_EPSILON, Math.max(PROBABILITY_EPSILON, p));

/**
 * @param output model outputs, row-major: n×1 (binary probability of class 1, or regression
 *               prediction in original units) or n×k (multiclass probabilities)
 * @param y      class index per row, or regression target in original units
 * @param targetStd regression only: the training target's standard deviation
 */
export function computeMetrics(task: Task, output: Float32Array, y: Float32Array, classes: number, targetStd = 1): Metrics {
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
  let correct = 0;
  if (task === 'binary') {
    for (let i = 0; i < n; i++) {
      const p = clip(output[i]);
      logLoss -= y[i] === 1 ? Math.log(p) : Math.log(1 - p);
      if ((output[i] >= 0.5 ? 1 : 0) === y[i]) correct++;
    }
  } else {
    for (let i = 0; i < n; i++) {
      const row = i * classes;
      let best = 0;
      for (let k = 1; k < classes; k++) if (output[row + k] > output[row + best]) best = k;
      if (best === y[i]) correct++;
      logLoss -= Math.log(clip(output[row + y[i]]));
    }
  }
  return { loss: logLoss / n, accuracy: correct / n };
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
