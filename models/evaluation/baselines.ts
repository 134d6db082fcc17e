/**
 * Baselines for a run, on the same encoded data the network gets (the loop's `DataPart`s):
 *   constant — the training class shares / the training mean (see constant-baseline.ts);
 *   linear   — logistic regression (binary or multinomial) / ridge linear regression in the
 *              target's units, fitted on a seeded sample of the training rows: at most
 *              `maxTrainRows` (50,000), and fewer on wide data so the fit stays around a second —
 *              logistic: rows ≤ 10⁷ / (inputs × output units) (one gradient costs ~2·rows·inputs·units);
 *              linear:   rows ≤ 2.5·10⁸ / inputs² (the normal equations cost rows·inputs²/2);
 *              never fewer than 5,000 rows (or all of them).
 * Each is scored on the validation and test parts with `computeMetrics`, the function that scores
 * the network, with the same options (threshold, binary average), so the numbers compare.
 */
import type { Metrics } from '../../shared/contract.js';
import type { Task } from '../../shared/run-config.js';
import { createRng, shuffleInPlace } from '../random.js';
import { computeMetrics, type MetricOptions } from '../train/metrics.js';
import { fitConstant, predictConstant, type ConstantModel } from './constant-baseline.js';
import { fitLinear, predictLinear, type LinearModel } from './linear-regression.js';
import { fitLogistic, predictLogistic, type LogisticModel } from './logistic-regression.js';

/** The loop's DataPart: row-major n×d encoded features and the class index / target in original units. */
export interface EncodedPart {
  x: Float32Array;
  y: Float32Array;
  rows: number;
  cols: number;
}

export const MAX_BASELINE_TRAIN_ROWS = 50_000;
const MIN_BASELINE_TRAIN_ROWS = 5_000;

/** How many training rows the linear baseline is fitted on (see the header). */
export function baselineSampleSize(task: Task, rows: number, cols: number, classes: number, maxTrainRows = MAX_BASELINE_TRAIN_ROWS): number {
  const units = task === 'multiclass' ? classes : 1;
  const byCost = task === 'regression' ? 2.5e8 / Math.max(1, cols * cols) : 1e7 / Math.max(1, cols * units);
  return Math.min(rows, maxTrainRows, Math.max(MIN_BASELINE_TRAIN_ROWS, Math.floor(byCost)));
}

export interface BaselineScores {
  validation: Metrics | null;
  test: Metrics | null;
}

export interface BaselineReport {
  constant: BaselineScores;
  linear: BaselineScores;
  models: { constant: ConstantModel; linear: LogisticModel | LinearModel };
  /** Training rows the linear model was fitted on (see baselineSampleSize). */
  linearTrainRows: number;
  /** Milliseconds spent fitting the linear model. */
  linearFitMs: number;
}

export interface BaselineInput {
  task: Task;
  classes: number;
  /** Regression: the training target's statistics (metrics' `loss` is mse / std²). */
  targetStats: { mean: number; std: number } | null;
  train: EncodedPart;
  validation: EncodedPart | null;
  test: EncodedPart | null;
  metricOptions?: MetricOptions;
  maxTrainRows?: number;
  seed?: number;
  /** L2 penalty per row for the linear model (default: 1e-4 logistic, 1e-6 linear). */
  l2?: number;
}

/** A seeded sample of at most `max` rows of a part (the part itself when small enough). */
export function sampleRows(part: EncodedPart, max: number, seed: number): EncodedPart {
  if (part.rows <= max) return part;
  const order = shuffleInPlace(Int32Array.from({ length: part.rows }, (_, i) => i), createRng(seed ^ 0x1ea5))
    .subarray(0, max)
    .sort();
  const x = new Float32Array(max * part.cols);
  const y = new Float32Array(max);
  order.forEach((r, i) => {
    x.set(part.x.subarray(r * part.cols, (r + 1) * part.cols), i * part.cols);
    y[i] = part.y[r];
  });
  return { x, y, rows: max, cols: part.cols };
}

export function fitLinearBaseline(input: Pick<BaselineInput, 'task' | 'classes' | 'l2'>, train: EncodedPart): LogisticModel | LinearModel {
  if (input.task === 'regression') return fitLinear(train.x, train.y, train.rows, train.cols, { l2: input.l2 });
  return fitLogistic(train.x, train.y, train.rows, train.cols, input.task === 'binary' ? 2 : input.classes, { l2: input.l2 });
}

/** The model's output in the network's layout (n×1 or n×k). */
export function predictBaseline(model: ConstantModel | LogisticModel | LinearModel, part: EncodedPart): Float32Array {
  if (model.kind === 'constant') return predictConstant(model, part.rows);
  if (model.kind === 'logistic') return predictLogistic(model, part.x, part.rows);
  return predictLinear(model, part.x, part.rows);
}

export function computeBaselines(input: BaselineInput): BaselineReport {
  const { task, classes, train } = input;
  const std = input.targetStats?.std ?? 1;
  const score = (model: ConstantModel | LogisticModel | LinearModel, part: EncodedPart | null): Metrics | null =>
    part && part.rows > 0 ? computeMetrics(task, predictBaseline(model, part), part.y, classes, std, input.metricOptions) : null;
  const constant = fitConstant(task, train.y.subarray(0, train.rows), classes);
  const sample = sampleRows(train, baselineSampleSize(task, train.rows, train.cols, classes, input.maxTrainRows), input.seed ?? 1);
  const started = performance.now();
  const linear = fitLinearBaseline(input, sample);
  const linearFitMs = performance.now() - started;
  return {
    constant: { validation: score(constant, input.validation), test: score(constant, input.test) },
    linear: { validation: score(linear, input.validation), test: score(linear, input.test) },
    models: { constant, linear },
    linearTrainRows: sample.rows,
    linearFitMs,
  };
}
