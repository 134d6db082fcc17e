/**
 * A run's metrics as the CLI's JSON gives them. Binary: `positiveClass`, and each split's
 * precision / recall / F1 are the positive class's with the macro averages under `macro`.
 * Multiclass: macro precision / recall / F1, plus a per-class table (`perClass`) of the rows the
 * run's Results describe. Also the run's baselines and warnings.
 */
import type { Metrics, RunSummary } from '../shared/contract.js';
import { reportFromConfusion } from '../models/evaluation/classification-report.js';

type SplitJson = Record<string, number | Record<string, number>>;

/** One split's metrics: binary macro_* nested under `macro`. */
export function splitJson(task: string, metrics: Metrics | null | undefined): SplitJson | null {
  if (!metrics) return null;
  if (task !== 'binary') return { ...metrics };
  const out: SplitJson = {};
  const macro: Record<string, number> = {};
  for (const [k, v] of Object.entries(metrics)) {
    if (k.startsWith('macro_')) macro[k.slice(6)] = v;
    else out[k] = v;
  }
  if (Object.keys(macro).length > 0) out.macro = macro;
  return out;
}

/** The metrics part of a run's JSON summary. */
export function runMetricsJson(run: RunSummary) {
  const { task } = run.config;
  const m = run.metrics;
  const out: Record<string, unknown> = {
    metrics: m ? { train: splitJson(task, m.train), validation: splitJson(task, m.validation), test: splitJson(task, m.test) } : null,
    warnings: run.warnings,
    baselines: run.baselines
      ? {
          constant: { validation: splitJson(task, run.baselines.constant.validation), test: splitJson(task, run.baselines.constant.test) },
          linear: { validation: splitJson(task, run.baselines.linear.validation), test: splitJson(task, run.baselines.linear.test) },
        }
      : null,
  };
  if (task === 'binary') out.positiveClass = run.config.positiveClass ?? run.results?.labels?.[1] ?? null;
  if (task === 'multiclass' && run.results?.results.kind === 'classification') {
    const report = reportFromConfusion(run.results.results.confusion);
    const labels = run.results.labels ?? [];
    out.perClass = Object.fromEntries(report.perClass.map((c, k) => [labels[k] ?? String(k), c]));
    out.perClassOn = run.results.split;
  }
  return out;
}
