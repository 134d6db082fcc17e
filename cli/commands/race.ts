/** `tickwork race`: one run per optimizer from the same start; exports, curves and race.json. */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { readdir } from 'node:fs/promises';
import { TickworkError } from '../../shared/errors.js';
import type { RunSummary } from '../../shared/contract.js';
import { OPTIMIZER_NAMES, type RunConfigInput } from '../../shared/run-config.js';
import { formatMetrics } from '../progress.js';
import { numberFlag, oneOf, UsageError, sourceOf, configFromFlags, type Flags } from '../flags.js';
import { onStopSignals, openWithProgress, withService } from '../session.js';

/** Per-epoch curves of a run as CSV: epoch, step, train_<metric>…, validation_<metric>… */
export function curvesCsv(run: RunSummary): string {
  const keys = run.history.length > 0 ? Object.keys(run.history[0].train) : [];
  const header = ['epoch', 'step', ...keys.map((k) => `train_${k}`), ...keys.map((k) => `validation_${k}`)];
  const rows = run.history.map((r) => [r.epoch, r.step, ...keys.map((k) => r.train[k] ?? ''), ...keys.map((k) => r.validation?.[k] ?? '')].join(','));
  return [header.join(','), ...rows].join('\n') + '\n';
}

export async function cmdRace(values: Flags): Promise<void> {
  const get = (k: string) => values[k] as string | undefined;
  if (!get('data')) throw new UsageError('race needs --data <path|bundled-name>');
  if (!get('out')) throw new UsageError('race needs --out <dir> (one export folder per optimizer goes there)');
  const names = (get('optimizers') ?? 'sgd,momentum,adam,adamw,rmsprop').split(',').map((n) => n.trim()).filter(Boolean);
  const optimizers = names.map((n) => oneOf('optimizers', n, OPTIMIZER_NAMES)!);
  const base = configFromFlags(values);
  const lr = numberFlag('lr', get('lr'), false);
  const out = get('out')!;
  const force = values.force === true;
  await checkRaceFolder(resolve(out), force);
  await withService(values, async (api, service) => {
    const dataset = await openWithProgress(api, sourceOf(get('data')!), values);
    const { runIds } = await api.startRace({
      datasetId: dataset.id,
      config: base,
      optimizers: optimizers.map((name) => ({ name, ...(lr !== undefined ? { lr } : {}) }) as RunConfigInput['optimizer'] & object),
    });
    const label = new Map(runIds.map((id, i) => [id, optimizers[i]]));
    api.onTrainingEpoch((e) => process.stderr.write(`${label.get(e.runId)!.padEnd(9)} epoch ${e.record.epoch}/${e.epochs}  validation: ${formatMetrics(e.record.validation)}\n`));
    const off = onStopSignals(() => runIds.forEach((runId) => void api.stopTraining({ runId })));
    const runs = await Promise.all(runIds.map((id) => service.waitForRun(id)));
    off();
    const results = [];
    for (const [i, run] of runs.entries()) {
      const dir = join(out, `${i + 1}-${optimizers[i]}`);
      let exported: string | null = null;
      if (run.modelId) exported = (await api.exportModel({ modelId: run.modelId, dir, force })).dir;
      else await mkdir(dir, { recursive: true });
      const curves = join(dir, 'curves.csv');
      await writeFile(curves, curvesCsv(run));
      results.push({ runId: run.runId, name: run.name, optimizer: optimizers[i], lr: run.config.optimizer.lr, status: run.status, message: run.message, metrics: run.metrics, out: exported, curves });
    }
    const scored = results.filter((r) => r.metrics?.validation?.loss !== undefined);
    const best = scored.sort((a, b) => a.metrics!.validation!.loss - b.metrics!.validation!.loss)[0]?.optimizer ?? null;
    const summary = { task: runs[0].config.task, backend: runs[0].backend?.name ?? 'unknown', best, runIds, runs: results };
    await writeFile(join(out, 'race.json'), JSON.stringify(summary, null, 2) + '\n');
    if (values.json === true) {
      console.log(JSON.stringify(summary));
      return;
    }
    for (const r of results) {
      console.log(`${r.optimizer.padEnd(10)} lr ${String(r.lr).padEnd(8)} ${r.status.padEnd(9)} run ${r.runId.slice(0, 8)}  validation: ${formatMetrics(r.metrics?.validation ?? null)}  test: ${formatMetrics(r.metrics?.test ?? null)}`);
    }
    console.log(`best by validation loss: ${best ?? '—'}; exports and curves in ${out}`);
  });
}

/** A race folder holds race.json and one folder per run ("1-adam"); anything else is the user's and refuses the race (unless --force). */
async function checkRaceFolder(out: string, force: boolean): Promise<void> {
  const entries = await readdir(out).catch(() => [] as string[]);
  const foreign = entries.filter((name) => name !== 'race.json' && !/^\d+-[a-z0-9]+$/.test(name) && !name.startsWith('.'));
  if (foreign.length > 0 && !force) {
    throw new TickworkError(
      'exists',
      `${out} holds files a race did not write (${foreign.slice(0, 5).map((n) => `"${n}"`).join(', ')}${foreign.length > 5 ? ', …' : ''}). Nothing was trained. ` +
        'Choose a new or empty folder, or race into it anyway, keeping those files (--force).',
    );
  }
}
