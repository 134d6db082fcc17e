/**
 * From the model's raw output to what a user is told: the predicted label (or value) and the
 * probability of each class. One rule for every place that scores rows.
 *
 * Binary tasks: the model's single sigmoid output p is the probability of the second label (the
 * positive class); the positive label is predicted when p ≥ threshold. The threshold is
 * preprocessing.json's top-level `threshold` (saved by the app's decision-threshold choice) or
 * 0.5 when absent. Multiclass: the most probable class (the first on a tie). Regression: the
 * output itself, already in the target's units.
 */
import { TickworkError } from '../../shared/errors.js';
import type { PreprocessingSpec } from '../prep/preprocessing.js';
import { argmax, rowProbabilities } from './metrics.js';

export const DEFAULT_THRESHOLD = 0.5;

export interface RowPrediction {
  prediction: string | number;
  /** Probability per label (classification); null for regression. */
  probabilities: Record<string, number> | null;
}

/**
 * The decision threshold of a binary model: the saved one, or 0.5. Throws bad_data for a saved
 * value that is not a number strictly between 0 and 1 (a damaged or hand-edited export).
 */
export function decisionThreshold(spec: Pick<PreprocessingSpec, 'task'> & { threshold?: unknown }): number {
  const saved = spec.threshold;
  if (saved === undefined || saved === null) return DEFAULT_THRESHOLD;
  if (typeof saved !== 'number' || !(saved > 0 && saved < 1)) {
    throw new TickworkError(
      'bad_data',
      `preprocessing.json has threshold ${JSON.stringify(saved)}; it must be a number between 0 and 1 (the probability of the positive class at or above which it is predicted). Fix it or remove it to use 0.5.`,
    );
  }
  return saved;
}

/** The label predicted for positive-class probability p under the threshold (binary tasks). */
export function binaryLabel(labels: readonly string[], p: number, threshold: number): string {
  return p >= threshold ? (labels[1] ?? labels[0]) : labels[0];
}

/**
 * The prediction for row `row` of a model output (row-major, `units` values per row).
 * `threshold` is decisionThreshold(spec), passed in so that it is checked once per model.
 */
export function predictionOf(
  spec: Pick<PreprocessingSpec, 'task' | 'labels'>,
  output: Float32Array,
  row: number,
  units: number,
  threshold = DEFAULT_THRESHOLD,
): RowPrediction {
  if (!spec.labels) return { prediction: output[row * units], probabilities: null };
  const probs = rowProbabilities(spec.task, output, row, units);
  const probabilities: Record<string, number> = {};
  spec.labels.forEach((label, k) => (probabilities[label] = probs[k]));
  const prediction = spec.task === 'binary' ? binaryLabel(spec.labels, probs[1], threshold) : spec.labels[argmax(probs)];
  return { prediction, probabilities };
}
