/**
 * A binary confusion matrix's counts and the scores read from them: precision, recall and F1 of
 * the positive class (class 1), specificity, accuracy and the macro averages. Plain arithmetic,
 * shared by the engine, the service and the page (the threshold view).
 */
import { reportFromConfusion, type AveragedScores } from './classification-report.js';

export interface BinaryCounts {
  tp: number;
  fp: number;
  tn: number;
  fn: number;
}

export interface BinaryScores {
  /** Of the positive class (class 1). */
  precision: number;
  recall: number;
  f1: number;
  /** Recall of the negative class (class 0). */
  specificity: number;
  accuracy: number;
  /** Means over the classes that occur (in the labels or the predictions). */
  macro: AveragedScores;
}

export function scoresFromCounts(counts: BinaryCounts): BinaryScores {
  const { tp, fp, tn, fn } = counts;
  const report = reportFromConfusion([
    [tn, fp],
    [fn, tp],
  ]);
  const positive = report.perClass[1];
  return {
    precision: positive.precision,
    recall: positive.recall,
    f1: positive.f1,
    specificity: report.perClass[0].recall,
    accuracy: report.accuracy,
    macro: report.macro,
  };
}
