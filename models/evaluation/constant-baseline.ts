/**
 * The constant predictor: what a model that ignores every input can do, fitted on the training rows.
 *   classification — the training class shares π_c as probabilities for every row (scikit-learn's
 *                    DummyClassifier(strategy='prior')): its accuracy is that of always saying the
 *                    majority class, its log loss the entropy −Σ π_c log π_c of the class shares;
 *   regression     — the training mean ȳ for every row (in the target's units): R² = 0 on the
 *                    training rows, loss = var(y) / std² on others.
 * Outputs have the network's shape, so the same metric function scores both.
 */
import type { Task } from '../../shared/run-config.js';

export interface ConstantModel {
  kind: 'constant';
  task: Task;
  /** Binary: [P(class 1)]; multiclass: the k class shares; regression: [training mean]. */
  output: number[];
  /** Classification: the most frequent training class (first of equals). */
  majorityClass: number | null;
}

export function fitConstant(task: Task, y: ArrayLike<number>, classes: number): ConstantModel {
  const n = y.length;
  if (n === 0) throw new RangeError('the constant baseline needs at least one training row');
  if (task === 'regression') {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += y[i];
    return { kind: 'constant', task, output: [sum / n], majorityClass: null };
  }
  const k = task === 'binary' ? 2 : classes;
  const counts = new Array<number>(k).fill(0);
  for (let i = 0; i < n; i++) counts[y[i]]++;
  let majority = 0;
  for (let c = 1; c < k; c++) if (counts[c] > counts[majority]) majority = c;
  const shares = counts.map((c) => c / n);
  return { kind: 'constant', task, output: task === 'binary' ? [shares[1]] : shares, majorityClass: majority };
}

/** The constant's output for `rows` rows, row-major like the network's (n×1 or n×k). */
export function predictConstant(model: ConstantModel, rows: number): Float32Array {
  const units = model.output.length;
  const out = new Float32Array(rows * units);
  for (let i = 0; i < rows; i++) for (let u = 0; u < units; u++) out[i * units + u] = model.output[u];
  return out;
}
