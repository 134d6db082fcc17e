/**
 * K-fold cross-validation on the training part: the training rows are dealt into K folds (each
 * class spread evenly over the folds for classification — stratified, by models/data/split.ts
 * `kFoldIndices`); fold f trains on the other K − 1 folds and validates on fold f. The held-out
 * test part is never in any fold. Stratification needs every class to have at least K rows, so
 * that each fold's validation part can hold each class.
 */
import { TickworkError } from '../../shared/errors.js';
import { kFoldIndices, type Fold } from '../data/split.js';

export interface FoldCountCheck {
  /** Rows of the training part. */
  rows: number;
  /** Classification: rows per class in the training part (index = class id); null for regression. */
  classCounts?: readonly number[] | null;
  /** Class names for the message (index = class id). */
  labels?: readonly string[] | null;
  /** How the user set K, for the message: '--cv' in the CLI, 'folds' in the app. */
  option?: string;
}

/** Throws an `invalid_input` error with a plain message when K folds cannot be made; returns K. */
export function validateFoldCount(k: number, check: FoldCountCheck): number {
  const option = check.option ?? '--cv';
  if (!Number.isInteger(k) || k < 2) {
    throw new TickworkError('invalid_input', `${option} ${k}: cross-validation needs at least 2 folds (e.g. ${option} 5); leave it out to train once.`);
  }
  if (k > check.rows) {
    throw new TickworkError('invalid_input', `${option} ${k} is more than the ${check.rows} rows of the training part; use ${option} ${Math.max(2, check.rows)} or fewer.`);
  }
  const counts = check.classCounts;
  if (counts && counts.length > 0) {
    let smallest = -1;
    for (let c = 0; c < counts.length; c++) if (counts[c] > 0 && (smallest < 0 || counts[c] < counts[smallest])) smallest = c;
    if (smallest >= 0 && counts[smallest] < k) {
      const name = check.labels?.[smallest] !== undefined ? `"${check.labels[smallest]}"` : `class ${smallest}`;
      const fewest = counts[smallest];
      const fix = fewest >= 2 ? `use ${option} ${fewest} or fewer` : 'that class has too few rows to cross-validate: add rows of it, or train without cross-validation';
      throw new TickworkError(
        'invalid_input',
        `${option} ${k} is more than the ${fewest} row${fewest === 1 ? '' : 's'} of the smallest class (${name}) in the training part, so some folds would have none of it to validate on; ${fix}.`,
      );
    }
  }
  return k;
}

/**
 * The K folds of the training part (indices into the table, as `trainRows`), stratified by class
 * when `classes` (the class id of each training row, same order) is given. Validates K first.
 */
export function crossValidationFolds(
  trainRows: Int32Array,
  k: number,
  options: { seed: number; classes?: ArrayLike<number> | null; labels?: readonly string[] | null; option?: string },
): Fold[] {
  let classCounts: number[] | null = null;
  if (options.classes) {
    if (options.classes.length !== trainRows.length) throw new RangeError(`need a class per training row: ${options.classes.length} for ${trainRows.length} rows`);
    classCounts = [];
    for (let i = 0; i < options.classes.length; i++) {
      const c = options.classes[i];
      classCounts[c] = (classCounts[c] ?? 0) + 1;
    }
    classCounts = Array.from(classCounts, (v) => v ?? 0);
  }
  validateFoldCount(k, { rows: trainRows.length, classCounts, labels: options.labels, option: options.option });
  return kFoldIndices(trainRows, k, { seed: options.seed, strata: options.classes ?? undefined });
}
