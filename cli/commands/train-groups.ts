/**
 * `tickwork train --repeats N` and `--cv K`: the group's runs are waited for, then summarized —
 * per seed (or fold) and as mean ± sd; for cross-validation the final model (trained on the whole
 * training part, tested on the test rows) is the one exported with --out.
 */
import type { RunSummary, TickworkApi } from '../../shared/contract.js';
import { aggregateMetrics } from '../../shared/aggregate.js';
import { bestEpoch } from '../../shared/monitor.js';
import { TickworkError } from '../../shared/errors.js';
import type { WorkbenchService } from '../../service/workbench-service.js';
import { formatMetrics } from '../progress.js';
import { onStopSignals } from '../session.js';

export async function reportGroup(
  api: TickworkApi,
  service: WorkbenchService,
  started: { runId: string; runIds: string[]; groupId: string | null },
  options: { json: boolean; out: string | undefined; cv: number | null; force?: boolean },
): Promise<void> {
  const groupId = started.groupId!;
  process.stderr.write(`${options.cv ? `cross-validation: ${options.cv} folds, then a final model` : `${started.runIds.length} runs, one per seed`} (group ${groupId})\n`);
  api.onTrainingEpoch((e) => {
    if (e.record.epoch % 10 === 0) process.stderr.write(`run ${e.runId.slice(0, 8)} epoch ${e.record.epoch}/${e.epochs}  validation: ${formatMetrics(e.record.validation)}\n`);
  });
  // Stopping the folds (or seeds) also means no final model is trained.
  const off = onStopSignals(() => started.runIds.forEach((runId) => void api.stopTraining({ runId })));
  const runs = await service.waitForGroup(groupId);
  off();
  const failed = runs.filter((r) => r.status === 'failed');
  if (failed.length === runs.length) throw new TickworkError('bad_data', failed[0].message);
  const one = (r: RunSummary) => ({ runId: r.runId, name: r.name, status: r.status, bestEpoch: bestEpoch(r.history, r.config.earlyStopping)?.epoch ?? null, validation: r.metrics?.validation ?? null, test: r.metrics?.test ?? null });
  let summary: Record<string, unknown>;
  let exported: RunSummary | null;
  if (options.cv) {
    const folds = runs.filter((r) => r.config.split.fold?.index !== null);
    const final = runs.find((r) => r.config.split.fold?.index === null) ?? null;
    const spread = aggregateMetrics(folds.map((f) => f.metrics?.validation));
    exported = final;
    summary = {
      runId: final?.runId ?? null,
      runIds: runs.map((r) => r.runId),
      task: runs[0].config.task,
      status: final?.status ?? 'stopped',
      metrics: final?.metrics ?? null,
      cv: { k: options.cv, folds: folds.map((f) => ({ fold: (f.config.split.fold?.index ?? 0) + 1, ...one(f) })), mean: spread.mean, std: spread.std, finalEpochs: final?.config.epochs ?? null },
    };
    if (!options.json) {
      for (const f of folds) console.log(`fold ${(f.config.split.fold?.index ?? 0) + 1}/${options.cv}  ${f.status.padEnd(9)} best epoch ${String(one(f).bestEpoch ?? '—').padEnd(4)} validation: ${formatMetrics(f.metrics?.validation ?? null)}`);
      console.log(`mean ± sd over ${folds.length} folds: ${Object.keys(spread.mean).map((k) => `${k} ${spread.mean[k].toFixed(4)} ± ${spread.std[k].toFixed(4)}`).join('  ')}`);
      if (final) console.log(`final model (${final.config.epochs} epochs on the whole training part): ${final.status}; test: ${formatMetrics(final.metrics?.test ?? null)}  (run ${final.runId})`);
      else console.log('no final model: not every fold completed');
    }
  } else {
    const spread = { validation: aggregateMetrics(runs.map((r) => r.metrics?.validation)), test: aggregateMetrics(runs.map((r) => r.metrics?.test)) };
    exported = runs[0];
    summary = {
      runId: runs[0].runId,
      runIds: runs.map((r) => r.runId),
      task: runs[0].config.task,
      status: runs[0].status,
      metrics: runs[0].metrics,
      repeats: {
        seeds: runs.map((r) => r.config.seed),
        metrics: runs.map((r) => ({ seed: r.config.seed, ...one(r) })),
        mean: { validation: spread.validation.mean, test: spread.test.mean },
        std: { validation: spread.validation.std, test: spread.test.std },
      },
    };
    if (!options.json) {
      for (const r of runs) console.log(`seed ${String(r.config.seed).padEnd(6)} ${r.status.padEnd(9)} validation: ${formatMetrics(r.metrics?.validation ?? null)}  test: ${formatMetrics(r.metrics?.test ?? null)}`);
      const v = spread.validation;
      console.log(`validation mean ± sd over ${v.n} seeds: ${Object.keys(v.mean).map((k) => `${k} ${v.mean[k].toFixed(4)} ± ${v.std[k].toFixed(4)}`).join('  ')}`);
    }
  }
  if (options.out && exported?.modelId) {
    const written = await api.exportModel({ modelId: exported.modelId, dir: options.out, force: options.force === true });
    summary.out = written.dir;
    if (!options.json) console.log(`model of ${exported.name} exported to ${written.dir}`);
  }
  if (options.json) console.log(JSON.stringify(summary));
}
