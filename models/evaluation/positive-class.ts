/**
 * The positive class of a binary task. Tickwork orders a binary task's labels [negative, positive],
 * so the positive class is class 1, the network's single output is P(positive) and every binary
 * metric here is about class 1. The default positive class is the less frequent class in the
 * training rows (the one an analyst hunts: churners, fraud, disease); on a tie, the second label in
 * the existing order. `--positive LABEL` (or the Data step's choice) overrides it.
 */
import { TickworkError } from '../../shared/errors.js';

export interface BinaryLabelOrder {
  /** [negative, positive]. */
  labels: [string, string];
  positive: string;
  /** True when the order differs from the input's (class ids 0 and 1 swap). */
  swapped: boolean;
}

/**
 * @param labels the target's two classes in their current order (e.g. sorted)
 * @param trainCounts rows of each class (same order) in the training part
 * @param requested a label the user asked for, or null/undefined for the default
 * @param target the target column's name, for messages
 */
export function binaryLabelOrder(labels: readonly string[], trainCounts: readonly number[], requested?: string | null, target = 'the target', option = '--positive'): BinaryLabelOrder {
  if (labels.length !== 2) {
    if (requested !== undefined && requested !== null) {
      throw new TickworkError('invalid_input', `${option} is for a target with two classes; ${target} has ${labels.length} (${labels.join(', ')}).`);
    }
    throw new RangeError(`binaryLabelOrder needs two labels, received ${labels.length}`);
  }
  let positiveAt: number;
  if (requested !== undefined && requested !== null) {
    positiveAt = labels.indexOf(requested);
    if (positiveAt < 0) {
      const near = labels.findIndex((l) => l.trim().toLowerCase() === requested.trim().toLowerCase());
      const hint = near >= 0 ? ` (did you mean "${labels[near]}"?)` : '';
      throw new TickworkError('invalid_input', `${option} "${requested}" is not a class of ${target}${hint}; its classes are: ${labels.map((l) => `"${l}"`).join(', ')}.`);
    }
  } else {
    positiveAt = trainCounts[0] < trainCounts[1] ? 0 : 1;
  }
  const positive = labels[positiveAt];
  const negative = labels[1 - positiveAt];
  return { labels: [negative, positive], positive, swapped: positiveAt === 0 };
}
