/**
 * `tickwork runs …`: the workspace's run table from the command line.
 *
 *   runs list [--json] [--dataset NAME] [--status S]   newest first
 *   runs show ID [--json]                               config, history, events, metrics
 *   runs delete ID                                      a run that has ended, with its model
 *   runs export ID --out PATH [--format tfjs|onnx|zip]  its model, as `export` writes it
 *   runs import DIR [--json]                            a run trained elsewhere (train.py's OUT)
 *
 * An id prefix of 6 or more characters is enough.
 */
import type { RunRow, RunSummary } from '../../shared/contract.js';
import { runStatusSchema } from '../../shared/contract.js';
import { formatMetrics } from '../progress.js';
import { oneOf, UsageError, type Flags } from '../flags.js';
import { withService } from '../session.js';
import { cmdExport } from './export.js';

/** One run as `runs list --json` has it. */
function listed(r: RunRow) {
  return {
    id: r.runId,
    name: r.name,
    status: r.status,
    origin: r.origin,
    dataset: r.datasetName,
    optimizer: r.optimizer,
    lr: r.lr,
    epochs: r.epochsRun,
    bestEpoch: r.best?.epoch ?? null,
    metrics: { validation: r.metrics?.validation ?? null, test: r.metrics?.test ?? null },
    startedAt: r.startedAt,
    durationMs: r.durationMs,
  };
}

const seconds = (ms: number | null) => (ms === null ? '—' : `${(ms / 1000).toFixed(1)} s`);

export async function cmdRuns(values: Flags, positionals: string[]): Promise<void> {
  const [sub, id, ...extra] = positionals;
  if (extra.length > 0) throw new UsageError(`runs ${sub}: unexpected "${extra.join(' ')}"`);
  const needId = () => {
    if (!id) throw new UsageError(`runs ${sub} needs a run id (or its first 6+ characters; "tickwork runs list" shows them)`);
    return id;
  };
  switch (sub) {
    case 'list': {
      const status = oneOf('status', values.status as string | undefined, runStatusSchema.options);
      const dataset = values.dataset as string | undefined;
      return withService(values, async (api) => {
        const rows = (await api.listRuns({})).filter((r) => (!status || r.status === status) && (!dataset || r.datasetName === dataset || r.datasetId === dataset));
        if (values.json === true) return console.log(JSON.stringify({ runs: rows.map(listed) }));
        if (rows.length === 0) return console.log('no runs in this workspace yet');
        for (const r of rows) {
          console.log(
            `${r.runId.slice(0, 8)}  ${r.name.padEnd(24)} ${r.status.padEnd(11)} ${r.datasetName.padEnd(18)} epochs ${String(r.epochsRun).padEnd(4)} ` +
              `best ${r.best ? `#${r.best.epoch}` : '—'}  ${seconds(r.durationMs).padEnd(8)} validation: ${formatMetrics(r.metrics?.validation ?? r.best?.validation ?? null)}`,
          );
        }
      });
    }
    case 'show': {
      const runId = needId();
      return withService(values, async (api) => {
        const run: RunSummary = await api.getRun({ runId });
        if (values.json === true) return console.log(JSON.stringify(run));
        console.log(`${run.name} (${run.runId}) — ${run.status}: ${run.message}`);
        console.log(`  data ${run.datasetName}, target ${run.config.target} (${run.config.task}); started ${run.startedAt}${run.finishedAt ? `, ended ${run.finishedAt}` : ''}`);
        console.log(`  ${run.config.optimizer.name} lr ${run.config.optimizer.lr}, schedule ${run.config.schedule.kind} (warmup ${run.config.schedule.warmupSteps}), batch ${run.config.batchSize}, epochs ${run.config.epochs}, seed ${run.config.seed}`);
        for (const h of run.history) console.log(`  epoch ${String(h.epoch).padStart(4)}  train: ${formatMetrics(h.train)}  validation: ${formatMetrics(h.validation)}`);
        for (const e of run.events) console.log(`  step ${e.step}: ${e.message}`);
        if (run.metrics) console.log(`  final  validation: ${formatMetrics(run.metrics.validation)}  test: ${formatMetrics(run.metrics.test)}`);
      });
    }
    case 'delete': {
      const runId = needId();
      return withService(values, async (api) => {
        const run = await api.getRun({ runId });
        await api.deleteRun({ runId: run.runId });
        console.log(`deleted ${run.name} (${run.runId}) and its model`);
      });
    }
    case 'export':
      return cmdExport({ ...values, model: `run:${needId()}` });
    case 'import': {
      if (!id) throw new UsageError('runs import needs the folder (or zip) that train.py wrote: tickwork runs import OUT');
      return withService(values, async (api) => {
        const run = await api.importRun({ dir: id });
        if (values.json === true) return console.log(JSON.stringify({ id: run.runId, name: run.name, status: run.status, origin: run.origin, epochs: run.history.length, metrics: run.metrics }));
        console.log(`imported ${run.name} (${run.runId}): ${run.message}`);
        console.log(`  ${run.history.length} epoch(s); test: ${formatMetrics(run.metrics?.test ?? null)}; its model predicts with --model run:${run.runId.slice(0, 8)}`);
      });
    }
    default:
      throw new UsageError(sub ? `unknown runs command "${sub}" (list, show, delete, export, import)` : 'runs needs a command: list, show ID, delete ID, export ID or import DIR');
  }
}
