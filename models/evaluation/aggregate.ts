/**
 * Arithmetic over repeated runs (cross-validation folds, seed repeats): per metric the mean and
 * the sample standard deviation
 *   mean = (1/n) Σ m_i        sd = √( Σ (m_i − mean)² / (n − 1) )
 * (n − 1: the runs are a sample of the folds / seeds one could have drawn; with one run there is
 * no spread to estimate and the metric is left out of `std`). A metric missing from some runs
 * (e.g. AUC when a fold's validation part has one class) is averaged over the runs that have it,
 * and `count` says over how many.
 */
import type { Metrics } from '../../shared/contract.js';
import { TickworkError } from '../../shared/errors.js';

/** Mean and sample sd (n − 1; 0 for a single value). */
export function meanAndSd(values: readonly number[]): { mean: number; std: number } {
  const n = values.length;
  if (n === 0) return { mean: 0, std: 0 };
  const mean = values.reduce((a, b) => a + b, 0) / n;
  if (n === 1) return { mean, std: 0 };
  const ss = values.reduce((a, v) => a + (v - mean) ** 2, 0);
  return { mean, std: Math.sqrt(ss / (n - 1)) };
}

export interface MetricSummary {
  mean: Metrics;
  /** Sample sd per metric, for metrics seen in at least two runs. */
  std: Metrics;
  /** Runs that reported each metric. */
  count: Record<string, number>;
  runs: number;
}

/** Mean ± sample sd per metric over the runs' metric records (nulls — runs without that part — skipped). */
export function summarizeMetrics(records: ReadonlyArray<Metrics | null | undefined>): MetricSummary {
  const values = new Map<string, number[]>();
  let runs = 0;
  for (const record of records) {
    if (!record) continue;
    runs++;
    for (const [key, value] of Object.entries(record)) {
      if (typeof value !== 'number' || !Number.isFinite(value)) continue;
      if (!values.has(key)) values.set(key, []);
      values.get(key)!.push(value);
    }
  }
  const mean: Metrics = {};
  const std: Metrics = {};
  const count: Record<string, number> = {};
  for (const [key, list] of values) {
    const s = meanAndSd(list);
    mean[key] = s.mean;
    if (list.length >= 2) std[key] = s.std;
    count[key] = list.length;
  }
  return { mean, std, count, runs };
}

/**
 * The median of the folds' best epochs, as a whole epoch (the mean of the middle two rounded half
 * up for an even count): how long the final model on the whole training part trains.
 */
export function medianBestEpoch(bestEpochs: readonly number[]): number {
  const sorted = bestEpochs.filter((e) => Number.isFinite(e) && e >= 1).sort((a, b) => a - b);
  if (sorted.length === 0) throw new RangeError('medianBestEpoch needs at least one best epoch ≥ 1');
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return Math.max(1, Math.floor(median + 0.5));
}

/** The seeds of N repeats: the run's seed, then the next N − 1 integers (so repeats are reproducible from one seed). */
export function repeatSeeds(seed: number, repeats: number, option = '--repeats'): number[] {
  if (!Number.isInteger(repeats) || repeats < 1) {
    throw new TickworkError('invalid_input', `${option} must be a whole number of runs ≥ 1 (e.g. ${option} 5), received ${repeats}.`);
  }
  if (!Number.isInteger(seed)) throw new TickworkError('invalid_input', `seed must be a whole number, received ${seed}`);
  return Array.from({ length: repeats }, (_, i) => seed + i);
}
