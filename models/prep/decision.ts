/**
 * From a model's class probabilities to the predicted class: for a binary model the positive
 * class (labels[1]) when P(positive) ≥ the decision threshold saved with the model (0.5 when none
 * was chosen), else the negative one; for multiclass the most probable class.
 */
import type { PreprocessingSpec } from './preprocessing.js';

export const DEFAULT_THRESHOLD = 0.5;

/** The decision threshold of a binary model (its saved one, else 0.5). */
export function thresholdOf(spec: Pick<PreprocessingSpec, 'threshold'>): number {
  const t = spec.threshold;
  return typeof t === 'number' && t > 0 && t < 1 ? t : DEFAULT_THRESHOLD;
}

/** The index of the predicted class, from the probabilities in label order. */
export function decide(spec: Pick<PreprocessingSpec, 'task' | 'threshold'>, probabilities: ArrayLike<number>): number {
  if (spec.task === 'binary') return probabilities[1] >= thresholdOf(spec) ? 1 : 0;
  let best = 0;
  for (let k = 1; k < probabilities.length; k++) if (probabilities[k] > probabilities[best]) best = k;
  return best;
}
