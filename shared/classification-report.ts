/**
 * The per-class table of a classification (scikit-learn's `classification_report`): for each class
 * c, from the confusion matrix C (rows: true class, columns: predicted class),
 *   tp = C[c][c],  fp = Σ_r C[r][c] − tp,  fn = Σ_k C[c][k] − tp,  support = tp + fn
 *   precision = tp / (tp + fp)   recall = tp / (tp + fn)   F1 = 2·p·r / (p + r)
 * with 0 where a denominator is 0 (scikit-learn's zero_division=0). The macro average is the plain
 * mean over the classes that occur in the labels or the predictions (a class in neither is left
 * out, as scikit-learn does when `labels` is not given); the weighted average weights each class
 * by its support.
 *
 * Binary tasks: the label order is [negative, positive], so class 1 is the positive class and the
 * model's single output is P(class 1); a row is predicted positive when P(class 1) ≥ threshold.
 */
import type { Task } from './run-config.js';

export interface ClassScores {
  precision: number;
  recall: number;
  f1: number;
  /** Rows whose true class is this one. */
  support: number;
}

export interface AveragedScores {
  precision: number;
  recall: number;
  f1: number;
}

export interface ClassificationReport {
  /** Index = class id. */
  perClass: ClassScores[];
  macro: AveragedScores;
  weighted: AveragedScores;
  accuracy: number;
  /** Rows counted. */
  rows: number;
  /** confusion[true][predicted], counts of rows. */
  confusion: number[][];
}

/** Predicted class per row: binary P(class 1) ≥ threshold → 1; multiclass the argmax (first of equals). */
export function predictedClasses(task: Task, output: ArrayLike<number>, rows: number, classes: number, threshold = 0.5): Int32Array {
  const predicted = new Int32Array(rows);
  if (task === 'binary') {
    for (let i = 0; i < rows; i++) predicted[i] = output[i] >= threshold ? 1 : 0;
    return predicted;
  }
  if (task === 'regression') throw new RangeError('predictedClasses is for classification tasks, received regression');
  for (let i = 0; i < rows; i++) {
    const row = i * classes;
    let best = 0;
    for (let c = 1; c < classes; c++) if (output[row + c] > output[row + best]) best = c;
    predicted[i] = best;
  }
  return predicted;
}

/** confusion[true][predicted]: how many rows of each true class got each predicted class. */
export function confusionMatrix(predicted: ArrayLike<number>, y: ArrayLike<number>, classes: number): number[][] {
  if (predicted.length !== y.length) throw new RangeError(`predictions and labels differ in length: ${predicted.length} vs ${y.length}`);
  const confusion = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  for (let i = 0; i < y.length; i++) {
    const truth = y[i];
    const guess = predicted[i];
    if (!(truth >= 0 && truth < classes && guess >= 0 && guess < classes) || !Number.isInteger(truth) || !Number.isInteger(guess)) {
      throw new RangeError(`row ${i}: class ids must be integers in [0, ${classes - 1}], received true ${truth}, predicted ${guess}`);
    }
    confusion[truth][guess]++;
  }
  return confusion;
}

const ratio = (a: number, b: number) => (b > 0 ? a / b : 0);
const harmonic = (p: number, r: number) => (p + r > 0 ? (2 * p * r) / (p + r) : 0);

/** The per-class table, macro and weighted averages and accuracy of a k×k confusion matrix. */
export function reportFromConfusion(confusion: readonly (readonly number[])[]): ClassificationReport {
  const k = confusion.length;
  const perClass: ClassScores[] = [];
  let rows = 0;
  let correct = 0;
  const macro = { precision: 0, recall: 0, f1: 0 };
  const weighted = { precision: 0, recall: 0, f1: 0 };
  let counted = 0;
  for (let c = 0; c < k; c++) {
    if (confusion[c].length !== k) throw new RangeError(`the confusion matrix must be square: row ${c} has ${confusion[c].length} entries, expected ${k}`);
    const tp = confusion[c][c];
    let support = 0;
    let predictedAs = 0;
    for (let j = 0; j < k; j++) {
      support += confusion[c][j];
      predictedAs += confusion[j][c];
    }
    rows += support;
    correct += tp;
    const precision = ratio(tp, predictedAs);
    const recall = ratio(tp, support);
    const f1 = harmonic(precision, recall);
    perClass.push({ precision, recall, f1, support });
    if (support + predictedAs > 0) {
      counted++;
      macro.precision += precision;
      macro.recall += recall;
      macro.f1 += f1;
    }
    weighted.precision += precision * support;
    weighted.recall += recall * support;
    weighted.f1 += f1 * support;
  }
  const mean = (s: AveragedScores, by: number): AveragedScores => ({ precision: ratio(s.precision, by), recall: ratio(s.recall, by), f1: ratio(s.f1, by) });
  return {
    perClass,
    macro: mean(macro, counted),
    weighted: mean(weighted, rows),
    accuracy: ratio(correct, rows),
    rows,
    confusion: confusion.map((row) => [...row]),
  };
}

/** The per-class table from predicted and true class ids. */
export function classificationReport(predicted: ArrayLike<number>, y: ArrayLike<number>, classes: number): ClassificationReport {
  return reportFromConfusion(confusionMatrix(predicted, y, classes));
}
