/** `tickwork train`: train one run, recorded in the workspace; export its model with --out. */
import { existsSync, statSync } from 'node:fs';
import { describeNetwork } from '../../shared/network.js';
import { TickworkError } from '../../shared/errors.js';
import { formatMetrics, ProgressLine } from '../progress.js';
import { runMetricsJson } from '../metrics-json.js';
import { numberFlag, UsageError, sourceOf, configFromFlags, type Flags } from '../flags.js';
import { reportGroup } from './train-groups.js';
import { onStopSignals, openWithProgress, withService } from '../session.js';
import { resolve } from 'node:path';
import type { TickworkApi } from '../../shared/contract.js';
import { checkFolderTarget } from '../../models/io/export-target.js';
import { EXPORT_OWN_FILES } from '../../models/io/export-folder.js';

export async function cmdTrain(values: Flags): Promise<void> {
  const get = (k: string) => values[k] as string | undefined;
  const json = values.json === true;
  if (!get('data')) throw new UsageError('train needs --data <path|bundled-name>');
  if (!get('target')) throw new UsageError('train needs --target <column>');
  const out = get('out');
  if (!out && values['no-workspace'] === true) throw new UsageError('train --no-workspace needs --out <dir>: without a workspace the model is kept only where it is exported');
  if (out && existsSync(out) && !statSync(out).isDirectory()) throw new UsageError(`--out ${out} is a file; give a folder`);
  const config = configFromFlags(values);
  const force = values.force === true;
  // Before the run, not after it: the folder must be new, empty or an earlier export (or --force).
  if (out) await checkFolderTarget(resolve(out), EXPORT_OWN_FILES, { force });
  const dataSource = sourceOf(get('data')!, get('sheet'));
  const testSource = get('test') ? sourceOf(get('test')!) : undefined;

  await withService(values, async (api, service) => {
    const dataset = await openWithProgress(api, dataSource, values);
    const progress = new ProgressLine(process.stderr);
    api.onTrainingProgress((p) => progress.update(p));
    api.onTrainingEpoch((e) => progress.epoch(e.record, e.epochs));
    api.onTrainingStatus((s) => {
      if (s.status === 'training' && s.backend) progress.note(`backend: ${s.backend.name} — ${s.backend.detail}`);
      if (s.status === 'preparing') progress.note(s.message);
    });
    const repeats = numberFlag('repeats', get('repeats'), true);
    const cv = numberFlag('cv', get('cv'), true);
    const started = await api.startTraining({ datasetId: dataset.id, config, testSource, ...(repeats !== undefined ? { repeats } : {}), ...(cv !== undefined ? { cv } : {}) });
    if (started.groupId) return void (await reportGroup(api, service, started, { json, out, cv: cv ?? null, force }));
    const { runId } = started;
    const first = await api.getRun({ runId });
    progress.note(`run ${runId} (${first.name})`);
    progress.note(`network: ${describeNetwork(first.config.model)}; ${first.parameters.toLocaleString('en-US')} trainable parameters`);
    // Ctrl-C or a SIGTERM stops the run at the next step; it ends `stopped` with its model and record.
    const off = onStopSignals(() => {
      progress.note('stopping… (Ctrl+C again to quit now)');
      void api.stopTraining({ runId });
    });
    const run = await service.waitForRun(runId);
    off();
    progress.done();
    if (run.status === 'failed' || !run.modelId) throw new TickworkError('bad_data', `${run.message} (run ${runId})`);
    const exported = out ? await exportRun(api, { runId, modelId: run.modelId, out, force, kept: service.keptIn }) : null;
    const m = run.metrics!;
    const summary = {
      runId,
      name: run.name,
      task: run.config.task,
      backend: run.backend?.name ?? 'unknown',
      status: run.status,
      ...runMetricsJson(run),
      out: exported?.dir ?? null,
    };
    if (!json) {
      console.log(`${run.status}: ${run.message}`);
      if (run.config.task === 'binary') console.log(`  positive class: ${run.config.positiveClass} (precision, recall and F1 are its)`);
      for (const [part, metrics] of Object.entries({ train: m.train, validation: m.validation, test: m.test })) {
        if (metrics) console.log(`  ${part.padEnd(10)} ${Object.entries(metrics).map(([k, v]) => `${k} ${v.toFixed(4)}`).join('  ')}`);
      }
      if (run.baselines) {
        for (const [name, b] of Object.entries(run.baselines)) console.log(`  ${`${name} baseline`.padEnd(18)} validation: ${formatMetrics(b.validation)}`);
      }
      for (const w of run.warnings) console.log(`  warning: ${w.message}`);
      console.log(`run ${runId} (${run.name})`);
      if (exported) console.log(`model exported to ${exported.dir}`);
    } else {
      console.log(JSON.stringify(summary));
    }
  });
}

/**
 * Export a finished run's model to --out. When that fails the run and its model stay in the
 * workspace: the error says so and how to export it again.
 */
async function exportRun(api: TickworkApi, run: { runId: string; modelId: string; out: string; force: boolean; kept: string | null }) {
  try {
    return await api.exportModel({ modelId: run.modelId, dir: run.out, force: run.force });
  } catch (err) {
    const why = (err instanceof Error ? err.message : String(err)).replace(/ The model is still in the workspace .*$/, '');
    const where = run.kept
      ? `The run and its model are kept in the workspace (${run.kept}); export it again with: tickwork export --model run:${run.runId} --out <folder>`
      : 'The workspace keeps nothing here (--no-workspace or read-only), so the model is not kept elsewhere; train again with a writable --out.';
    throw new TickworkError(err instanceof TickworkError ? err.code : 'io', `The run ${run.runId} finished, but its export failed: ${why} ${where}`);
  }
}
