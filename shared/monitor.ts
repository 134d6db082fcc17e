/**
 * Monitored metrics ("validation.loss", "train.accuracy", …): their value in an epoch record,
 * which direction is better, and the best epoch of a history — the rule early stopping and
 * reduce-on-plateau use in the loop, and the run table uses for its best-epoch columns.
 */
import type { BestEpoch, EpochRecord, Metrics } from './contract.js';
import type { EarlyStoppingConfig, Monitor } from './run-config.js';

/** Metrics where a higher value is better (all others — loss, mse, mae, rmse — lower is better). */
export const HIGHER_IS_BETTER: ReadonlySet<string> = new Set(['accuracy', 'auc', 'f1', 'precision', 'recall', 'r2', 'macro_precision', 'macro_recall', 'macro_f1']);

export function monitorValue(record: EpochRecord, monitor: Monitor): number | null {
  const [part, key] = monitor.split('.') as ['train' | 'validation', string];
  const metrics: Metrics | null = part === 'train' ? record.train : (record.validation ?? null);
  const value = metrics?.[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

export function monitorDirection(monitor: Monitor, mode: 'auto' | 'min' | 'max'): 'min' | 'max' {
  if (mode !== 'auto') return mode;
  return HIGHER_IS_BETTER.has(monitor.split('.')[1]) ? 'max' : 'min';
}

/**
 * The best epoch of a history: by the early-stopping monitor when the run had one (the epoch whose
 * weights it restored), else by validation loss, else training loss. The first of equals wins,
 * as in early stopping. Null for an empty history.
 */
export function bestEpoch(history: readonly EpochRecord[], earlyStopping: Pick<EarlyStoppingConfig, 'monitor' | 'mode'> & { minDelta?: number } | null): BestEpoch | null {
  const monitor: Monitor = earlyStopping?.monitor ?? (history.some((h) => h.validation) ? 'validation.loss' : 'train.loss');
  const delta = earlyStopping?.minDelta ?? 0;
  // The same rule as early stopping: an improvement must beat the best by more than minDelta.
  const better = monitorDirection(monitor, earlyStopping?.mode ?? 'auto') === 'min' ? (a: number, b: number) => a < b - delta : (a: number, b: number) => a > b + delta;
  let best: EpochRecord | null = null;
  let bestValue = 0;
  for (const record of history) {
    const value = monitorValue(record, monitor);
    if (value === null) continue;
    if (best === null || better(value, bestValue)) {
      best = record;
      bestValue = value;
    }
  }
  return best ? { epoch: best.epoch, train: best.train, validation: best.validation } : null;
}
