/**
 * Permutation importance per original input column (Breiman 2001; scikit-learn's
 * `permutation_importance`): how much worse the model scores when one column's values are
 * shuffled across the rows, breaking its link to the target while keeping its distribution.
 *   drop_r(c) = metric(permuted c, repeat r) − metric(intact)     for a lower-is-better metric
 *             = metric(intact) − metric(permuted c, repeat r)     for a higher-is-better one
 *   importance(c) = mean_r drop_r(c) ± sample sd (n − 1) over the R repeats
 * A column is permuted as a whole — a categorical column's one-hot block moves together — by
 * permuting the rows of its block in the encoded matrix (the same as permuting the raw column and
 * encoding again; see feature-blocks.ts). The metric is computed by `computeMetrics`, as for the
 * network; by default the loss (log loss in nats for classification, the standardized MSE for
 * regression), which every task has and which sees changes in confidence that accuracy misses.
 */
import type { Metrics } from '../../shared/contract.js';
import { HIGHER_IS_BETTER } from '../../shared/monitor.js';
import { TickworkError } from '../../shared/errors.js';
import type { PreprocessingSpec } from '../prep/preprocessing.js';
import { encodeFeatures } from '../prep/preprocessing.js';
import type { Table } from '../data/table.js';
import { createRng, shuffleInPlace } from '../random.js';
import { computeMetrics, type MetricOptions } from '../train/metrics.js';
import { meanAndSd } from './aggregate.js';
import { featureBlocks, permuteBlock } from './feature-blocks.js';

/** The model: outputs (row-major, the network's layout: n×1 or n×k; regression in target units) for encoded rows. */
export type PredictFn = (x: Float32Array, rows: number, cols: number) => Promise<Float32Array>;

export interface ImportanceInput {
  spec: PreprocessingSpec;
  table: Table;
  /** The rows to score (table row indices), e.g. the validation part. */
  rows: Int32Array;
  /** True class index / target in original units for each of `rows` (encodeTarget). */
  y: Float32Array;
  predict: PredictFn;
  /** A key of computeMetrics' result (default 'loss'). */
  metric?: string;
  repeats?: number;
  seed?: number;
  /** At most this many rows are used (a seeded sample). Default 10,000. */
  maxRows?: number;
  metricOptions?: MetricOptions;
  /** Called after each column is done. */
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

export interface ColumnImportance {
  column: string;
  /** Mean drop of the metric (how much worse it got) over the repeats. */
  mean: number;
  /** Sample standard deviation of the drops (0 with one repeat). */
  std: number;
  drops: number[];
}

export interface ImportanceResult {
  metric: string;
  higherIsBetter: boolean;
  /** The metric with no column permuted. */
  baseline: number;
  rows: number;
  repeats: number;
  /** Most important first. */
  importance: ColumnImportance[];
}

export const DEFAULT_IMPORTANCE_REPEATS = 5;
export const MAX_IMPORTANCE_ROWS = 10_000;

function classesOf(spec: PreprocessingSpec): number {
  return spec.task === 'regression' ? 1 : spec.task === 'binary' ? 2 : (spec.labels?.length ?? 0);
}

export async function permutationImportance(input: ImportanceInput): Promise<ImportanceResult> {
  const { spec, table, predict } = input;
  const metric = input.metric ?? 'loss';
  const repeats = input.repeats ?? DEFAULT_IMPORTANCE_REPEATS;
  if (!Number.isInteger(repeats) || repeats < 1) throw new TickworkError('invalid_input', `repeats must be a whole number ≥ 1, received ${repeats}`);
  if (input.y.length !== input.rows.length) throw new RangeError(`need a target per row: ${input.y.length} targets for ${input.rows.length} rows`);
  if (input.rows.length === 0) throw new TickworkError('bad_data', 'Permutation importance needs at least one row with a target.');
  const rng = createRng(input.seed ?? 1);

  // A seeded sample of the rows when there are many (the order of the kept rows is preserved).
  let rows = input.rows;
  let y = input.y;
  const maxRows = input.maxRows ?? MAX_IMPORTANCE_ROWS;
  if (rows.length > maxRows) {
    const keep = shuffleInPlace(Int32Array.from({ length: rows.length }, (_, i) => i), createRng((input.seed ?? 1) ^ 0x9e37))
      .subarray(0, maxRows)
      .sort();
    rows = Int32Array.from(keep, (i) => input.rows[i]);
    y = Float32Array.from(keep, (i) => input.y[i]);
  }

  const { x, rows: n, cols } = encodeFeatures(spec, table, rows);
  const classes = classesOf(spec);
  const std = spec.targetStats?.std ?? 1;
  const score = async (matrix: Float32Array): Promise<number> => {
    const output = await predict(matrix, n, cols);
    const metrics: Metrics = computeMetrics(spec.task, output, y, classes, std, input.metricOptions);
    const value = metrics[metric];
    if (typeof value !== 'number') {
      throw new TickworkError('invalid_input', `metric "${metric}" is not reported for a ${spec.task} task; choose one of: ${Object.keys(metrics).join(', ')}`);
    }
    return value;
  };
  const baseline = await score(x);
  const higherIsBetter = HIGHER_IS_BETTER.has(metric) || metric.startsWith('macro_');

  const blocks = featureBlocks(spec);
  const work = new Float32Array(x);
  const order = Int32Array.from({ length: n }, (_, i) => i);
  const importance: ColumnImportance[] = [];
  for (const [b, block] of blocks.entries()) {
    const drops: number[] = [];
    for (let r = 0; r < repeats; r++) {
      if (input.signal?.aborted) throw new TickworkError('cancelled', 'Permutation importance was cancelled.');
      shuffleInPlace(order, rng);
      permuteBlock(x, n, cols, block, order, work);
      const value = await score(work);
      drops.push(higherIsBetter ? baseline - value : value - baseline);
    }
    permuteBlock(x, n, cols, block, Int32Array.from({ length: n }, (_, i) => i), work); // restore the block
    order.forEach((_, i) => (order[i] = i));
    importance.push({ column: block.column, ...meanAndSd(drops), drops });
    input.onProgress?.(b + 1, blocks.length);
  }
  importance.sort((a, b) => b.mean - a.mean);
  return { metric, higherIsBetter, baseline, rows: n, repeats, importance };
}
