/**
 * Mean and sample standard deviation (n − 1) of metric records — across seed repeats or
 * cross-validation folds — per metric present in every record.
 */
import type { Metrics } from './contract.js';

export interface MetricSpread {
  mean: Metrics;
  std: Metrics;
  n: number;
}

export function aggregateMetrics(records: readonly (Metrics | null | undefined)[]): MetricSpread {
  const present = records.filter((r): r is Metrics => !!r);
  const keys = present.length > 0 ? Object.keys(present[0]).filter((k) => present.every((r) => typeof r[k] === 'number' && Number.isFinite(r[k]))) : [];
  const mean: Metrics = {};
  const std: Metrics = {};
  for (const k of keys) {
    const values = present.map((r) => r[k]);
    const m = values.reduce((a, b) => a + b, 0) / values.length;
    mean[k] = m;
    std[k] = values.length > 1 ? Math.sqrt(values.reduce((a, v) => a + (v - m) ** 2, 0) / (values.length - 1)) : 0;
  }
  return { mean, std, n: present.length };
}
