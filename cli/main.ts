/**
 * `tickwork` — the command line: the same WorkbenchService, driven from a terminal or a script.
 *
 *   tickwork datasets
 *   tickwork train --data <path|bundled> --target <col> --out <dir> [options] [--json]
 *   tickwork predict --model <dir> --data <csv> --out <csv>
 *   tickwork serve [--port N] [--host H]
 *
 * Bad input exits with code 2 and one plain line on stderr; bugs exit with 1.
 */
import { existsSync, statSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve as resolvePath } from 'node:path';
import { parseArgs } from 'node:util';
import type { DatasetSource, DatasetSummary, RunSummary, TickworkApi } from '../shared/contract.js';
import { TickworkError } from '../shared/errors.js';
import {
  BACKEND_PREFERENCES,
  NUMERIC_IMPUTES,
  OPTIMIZER_NAMES,
  SCALINGS,
  SCHEDULE_KINDS,
  TASKS,
  ACTIVATIONS,
  type BackendPreference,
  type ColumnPrep,
  type RunConfigInput,
} from '../shared/run-config.js';
import { describeNetwork } from '../shared/network.js';
import { backendPreferenceFromEnv } from '../models/backend-preference.js';
import { listBundled } from '../models/data/bundled.js';
import { inMemoryApi } from '../service/in-memory-transport.js';
import { createNodeService } from '../service/runtime.js';
import type { WorkbenchService } from '../service/workbench-service.js';
import { startServer } from '../service/http-server.js';
import { formatMetrics, ProgressLine } from './progress.js';
import { exportPytorch } from './commands/export-pytorch.js';

/** One entry of --hidden: a size, or a layer with its own settings. */
type HiddenLayerInput = NonNullable<NonNullable<RunConfigInput['model']>['hidden']>[number];

const USAGE = `Tickwork — train neural networks on local tabular data.

Usage:
  tickwork datasets                         list the bundled datasets
  tickwork inspect --data <path|name> [--target <column>] [--json]   schema, statistics and the data check
  tickwork train --data <path|name> --target <column> --out <dir> [options]
  tickwork lr-find --data <path|name> --target <column> [train options] [--steps 200] [--min-lr 1e-7] [--max-lr 10]
  tickwork race --data <path|name> --target <column> --out <dir> [--optimizers sgd,adam,adamw] [--lr …] [train options]
  tickwork predict --model <dir|zip> --data <csv> --out <csv>
  tickwork export --model <dir|zip> --format tfjs|onnx|zip|pytorch --out <path> [--quantize float16|int8]
  tickwork serve [--port 8765] [--host 127.0.0.1]   browser mode (prints the URL with its token)

Train options:
  --test <path|name>      evaluate on this file instead of a split of --data
  --sheet <name|number>   Excel: which sheet (default: the first)
  --max-rows N            keep a random sample of N rows of a larger CSV (default 2,000,000)
  --missing "NA,?,-"      cells read as missing (default: empty NA N/A NaN null None ? -)
  Data files: CSV/TSV (delimiter sniffed, streamed), JSON (array of objects), JSON Lines, Parquet, Excel .xlsx
  --ignore col,col        leave these columns out     --categorical col,col   read these number columns as categories
  --impute mean|median    missing numbers (categories get a "(missing)" input)
  --scale standard|minmax|robust|none      --max-categories 50   (the rest share "(other)")
  --task binary|multiclass|regression   (default: detected from the target)
  --hidden 64,64          hidden layer sizes ("" for none); per layer, after colons: an activation,
                          bn (batch norm), dropout=R, l1=R, l2=R — e.g. 128:bn:dropout=0.2,64:tanh,32
  --activation relu       ${ACTIVATIONS.join('|')}
  --optimizer adam        ${OPTIMIZER_NAMES.join('|')}
  --lr 0.001              learning rate
  --weight-decay 0        (adamw: decoupled; others: L2 added to the gradient)
  --schedule constant     ${SCHEDULE_KINDS.join('|')}
  --warmup-steps 0        linear warmup from 0 to --lr over this many steps
  --epochs N              default: about 2,000 steps' worth, 10–200, ended early when validation loss stalls
  --batch-size 32  --seed 42
  --dropout 0  --batch-norm  --l2 0
  --clip-norm N           clip the global gradient norm    --accumulate K   average K batches per step
  --class-weights balanced   --early-stopping PATIENCE (0: off; default 10 on validation loss)
  --backend auto          ${BACKEND_PREFERENCES.join('|')} (or TICKWORK_BACKEND)
  --json                  print one JSON object as the last line of stdout
`;

class UsageError extends TickworkError {
  constructor(message: string) {
    super('invalid_input', `${message}\nRun "tickwork --help" for usage.`);
  }
}

function numberFlag(name: string, value: string | undefined, integer: boolean): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || (integer && !Number.isInteger(n))) {
    throw new UsageError(`--${name} must be ${integer ? 'a whole number' : 'a number'}, received "${value}"`);
  }
  return n;
}

function oneOf<T extends string>(name: string, value: string | undefined, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`--${name} must be one of ${allowed.join(', ')}, received "${value}"`);
  return value as T;
}

/** One --hidden layer: "64", or "128:bn:dropout=0.2:tanh:l2=1e-4" (the service checks the ranges). */
function hiddenLayer(text: string): HiddenLayerInput {
  const [units, ...options] = text.trim().split(':');
  const size = numberFlag('hidden', units, true)!;
  if (options.length === 0) return size;
  const layer: Exclude<HiddenLayerInput, number> = { units: size };
  for (const option of options) {
    const [key, value] = option.split('=');
    if (value === undefined && (ACTIVATIONS as readonly string[]).includes(key)) layer.activation = key as (typeof ACTIVATIONS)[number];
    else if (value === undefined && (key === 'bn' || key === 'batchnorm')) layer.batchNorm = true;
    else if (value !== undefined && (key === 'dropout' || key === 'l1' || key === 'l2')) layer[key] = numberFlag(`hidden ${key}`, value, false);
    else {
      throw new UsageError(
        `--hidden layer "${text}": "${option}" is not a layer option. After the units, use an activation (${ACTIVATIONS.join(', ')}), bn, dropout=R, l1=R or l2=R, separated by colons.`,
      );
    }
  }
  return layer;
}

/** A bundled name, or a path to a file. */
function sourceOf(value: string, sheet?: string): DatasetSource {
  const looksLikePath = /[\\/.]/.test(value) || existsSync(value);
  if (looksLikePath) return { kind: 'file', path: value, ...(sheet ? { sheet } : {}) };
  if (listBundled().some((d) => d.name === value)) return { kind: 'bundled', name: value };
  throw new TickworkError(
    'not_found',
    `"${value}" is neither a file nor a bundled dataset. Bundled datasets: ${listBundled()
      .map((d) => d.name)
      .join(', ')}.`,
  );
}

/** Schema paths → CLI flags, so a validation error names what the user typed. */
const FLAG_OF: Record<string, string> = {
  'config.optimizer.lr': '--lr',
  'config.optimizer.weightDecay': '--weight-decay',
  'config.model.dropout': '--dropout',
  'config.model.l2': '--l2',
  'config.clipNorm': '--clip-norm',
  'config.accumulationSteps': '--accumulate',
  'config.earlyStopping.patience': '--early-stopping',
  'config.schedule.warmupSteps': '--warmup-steps',
  'config.epochs': '--epochs',
  'config.batchSize': '--batch-size',
  'config.seed': '--seed',
  'config.model.hidden': '--hidden',
};

function cliMessage(err: TickworkError): string {
  let message = err.message;
  // A per-layer setting: "config.model.hidden.0.dropout" → "--hidden layer 1 dropout".
  message = message.replace(/config\.model\.hidden\.(\d+)\.(\w+)/g, (_, i: string, key: string) => `--hidden layer ${Number(i) + 1} ${key}`);
  for (const [path, flag] of Object.entries(FLAG_OF)) message = message.split(path).join(flag);
  return message.replace(/^training:(start|lr-find): invalid input — /, '');
}

async function cmdDatasets(json: boolean): Promise<void> {
  const datasets = listBundled();
  if (json) {
    console.log(JSON.stringify(datasets));
    return;
  }
  for (const d of datasets) console.log(`${d.name.padEnd(12)} ${d.title} — ${d.description} (target: ${d.target})`);
}

async function withService<T>(backend: BackendPreference | undefined, fn: (api: TickworkApi, service: WorkbenchService) => Promise<T>): Promise<T> {
  const service = createNodeService({ backend: backendPreferenceFromEnv(backend) });
  try {
    return await fn(inMemoryApi(service), service);
  } finally {
    await service.dispose();
  }
}

type Flags = Record<string, string | boolean | undefined>;

function listFlag(value: string | undefined): string[] {
  return value === undefined ? [] : value.split(',').map((v) => v.trim()).filter((v) => v !== '');
}

function preprocessingFromFlags(values: Flags): NonNullable<RunConfigInput['preprocessing']> {
  const get = (k: string) => values[k] as string | undefined;
  const columns: Record<string, ColumnPrep> = {};
  for (const name of listFlag(get('ignore'))) columns[name] = { ...columns[name], role: 'ignore' };
  for (const name of listFlag(get('categorical'))) columns[name] = { ...columns[name], treatAs: 'categorical' };
  return {
    numericImpute: oneOf('impute', get('impute'), NUMERIC_IMPUTES),
    scale: oneOf('scale', get('scale'), SCALINGS),
    maxCategories: numberFlag('max-categories', get('max-categories'), true),
    columns,
  };
}

/**
 * Open a dataset with a progress line on stderr (a bar on a terminal, a line per quarter
 * otherwise); Ctrl-C while reading cancels it.
 */
async function openWithProgress(api: TickworkApi, source: DatasetSource, values: Flags): Promise<DatasetSummary> {
  const get = (k: string) => values[k] as string | undefined;
  const tty = process.stderr.isTTY === true;
  let lastQuarter = 0;
  let shown = false;
  const off = api.onDatasetProgress((p) => {
    if (p.totalBytes < 8 * 2 ** 20) return; // small files: no bar
    const share = p.totalBytes > 0 ? p.bytes / p.totalBytes : 0;
    const mb = (n: number) => `${(n / 2 ** 20).toFixed(0)} MB`;
    const text = `reading ${basename(p.file)}: ${(100 * share).toFixed(0)}% (${mb(p.bytes)} of ${mb(p.totalBytes)}, ${p.rows.toLocaleString('en-US')} rows)`;
    if (tty) {
      const width = 24;
      const filled = Math.round(share * width);
      process.stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${text}`);
      shown = true;
    } else if (Math.floor(share * 4) > lastQuarter) {
      lastQuarter = Math.floor(share * 4);
      process.stderr.write(`${text}\n`);
    }
  });
  const cancel = () => void api.cancelOpenDataset({});
  process.once('SIGINT', cancel);
  try {
    const maxRows = numberFlag('max-rows', get('max-rows'), true);
    const missing = get('missing');
    const options = {
      ...(maxRows !== undefined ? { maxRows } : {}),
      ...(missing !== undefined ? { missingTokens: missing.split(',') } : {}),
    };
    const summary = await api.openDataset({ source, ...(Object.keys(options).length > 0 ? { options } : {}) });
    if (summary.sample) {
      process.stderr.write(
        `${tty && shown ? '\n' : ''}${summary.name} has ${summary.sample.totalRows.toLocaleString('en-US')} rows; using a random sample of ` +
          `${summary.rows.toLocaleString('en-US')} (--max-rows).\n`,
      );
    } else if (tty && shown) process.stderr.write('\n');
    return summary;
  } finally {
    process.removeListener('SIGINT', cancel);
    off();
  }
}

/** The run settings shared by train, lr-find and race, from their flags. */
function configFromFlags(values: Flags): RunConfigInput {
  const get = (k: string) => values[k] as string | undefined;
  if (!get('target')) throw new UsageError('needs --target <column>');
  const hiddenFlag = get('hidden');
  const hidden =
    hiddenFlag === undefined ? undefined : hiddenFlag.trim() === '' || hiddenFlag.trim() === '0' ? [] : hiddenFlag.split(',').map(hiddenLayer);
  const optimizerName = oneOf('optimizer', get('optimizer'), OPTIMIZER_NAMES) ?? 'adam';
  const lr = numberFlag('lr', get('lr'), false);
  const weightDecay = numberFlag('weight-decay', get('weight-decay'), false);
  const patience = numberFlag('early-stopping', get('early-stopping'), true);
  const classWeights = get('class-weights');
  if (classWeights !== undefined && classWeights !== 'balanced' && classWeights !== 'none') {
    throw new UsageError(`--class-weights must be balanced or none, received "${classWeights}"`);
  }
  return {
    target: get('target')!,
    task: oneOf('task', get('task'), TASKS),
    model: {
      hidden,
      activation: oneOf('activation', get('activation'), ACTIVATIONS),
      dropout: numberFlag('dropout', get('dropout'), false),
      batchNorm: values['batch-norm'] === true ? true : undefined,
      l2: numberFlag('l2', get('l2'), false),
    },
    optimizer: { name: optimizerName, ...(lr !== undefined ? { lr } : {}), ...(weightDecay !== undefined ? { weightDecay } : {}) } as RunConfigInput['optimizer'],
    schedule: { kind: oneOf('schedule', get('schedule'), SCHEDULE_KINDS), warmupSteps: numberFlag('warmup-steps', get('warmup-steps'), true) },
    epochs: numberFlag('epochs', get('epochs'), true),
    batchSize: numberFlag('batch-size', get('batch-size'), true),
    seed: numberFlag('seed', get('seed'), true),
    clipNorm: numberFlag('clip-norm', get('clip-norm'), false),
    accumulationSteps: numberFlag('accumulate', get('accumulate'), true),
    classWeights: classWeights as 'balanced' | 'none' | undefined,
    preprocessing: preprocessingFromFlags(values),
    earlyStopping: patience === undefined ? undefined : patience === 0 ? null : { patience },
    backend: backendPreferenceFromEnv(oneOf('backend', get('backend'), BACKEND_PREFERENCES)),
  };
}

async function cmdTrain(values: Flags): Promise<void> {
  const get = (k: string) => values[k] as string | undefined;
  const json = values.json === true;
  if (!get('data')) throw new UsageError('train needs --data <path|bundled-name>');
  if (!get('target')) throw new UsageError('train needs --target <column>');
  if (!get('out')) throw new UsageError('train needs --out <dir> (where the model is exported)');
  const out = get('out')!;
  if (existsSync(out) && !statSync(out).isDirectory()) throw new UsageError(`--out ${out} is a file; give a folder`);
  const backend = oneOf('backend', get('backend'), BACKEND_PREFERENCES);
  const config = configFromFlags(values);
  const dataSource = sourceOf(get('data')!, get('sheet'));
  const testSource = get('test') ? sourceOf(get('test')!) : undefined;

  await withService(backend, async (api, service) => {
    const dataset = await openWithProgress(api, dataSource, values);
    const progress = new ProgressLine(process.stderr);
    api.onTrainingProgress((p) => progress.update(p));
    api.onTrainingEpoch((e) => progress.epoch(e.record, e.epochs));
    api.onTrainingStatus((s) => {
      if (s.status === 'training' && s.backend) progress.note(`backend: ${s.backend.name} — ${s.backend.detail}`);
      if (s.status === 'preparing') progress.note(s.message);
    });
    const { runId } = await api.startTraining({ datasetId: dataset.id, config, testSource });
    const started = await api.getRun({ runId });
    progress.note(`network: ${describeNetwork(started.config.model)}; ${started.parameters.toLocaleString('en-US')} trainable parameters`);
    const stop = () => {
      progress.note('stopping… (Ctrl+C again to quit now)');
      void api.stopTraining({ runId });
      process.once('SIGINT', () => process.exit(130));
    };
    process.once('SIGINT', stop);
    const run = await service.waitForRun(runId);
    process.off('SIGINT', stop);
    progress.done();
    if (run.status === 'failed' || !run.modelId) throw new TickworkError('bad_data', run.message);
    const exported = await api.exportModel({ modelId: run.modelId, dir: out });
    const m = run.metrics!;
    const summary = {
      task: run.config.task,
      backend: run.backend?.name ?? 'unknown',
      status: run.status,
      metrics: { train: m.train, validation: m.validation, test: m.test },
      out: exported.dir,
    };
    if (!json) {
      console.log(`${run.status}: ${run.message}`);
      for (const [part, metrics] of Object.entries(summary.metrics)) {
        if (metrics) console.log(`  ${part.padEnd(10)} ${Object.entries(metrics).map(([k, v]) => `${k} ${v.toFixed(4)}`).join('  ')}`);
      }
      console.log(`model exported to ${exported.dir}`);
    } else {
      console.log(JSON.stringify(summary));
    }
  });
}

async function cmdLrFind(values: Flags): Promise<void> {
  const get = (k: string) => values[k] as string | undefined;
  if (!get('data')) throw new UsageError('lr-find needs --data <path|bundled-name>');
  const config = configFromFlags(values);
  const source = sourceOf(get('data')!);
  await withService(oneOf('backend', get('backend'), BACKEND_PREFERENCES), async (api) => {
    const dataset = await openWithProgress(api, source, values);
    process.stderr.write('sweeping the learning rate…\n');
    const result = await api.findLearningRate({
      datasetId: dataset.id,
      config,
      steps: numberFlag('steps', get('steps'), true),
      minLr: numberFlag('min-lr', get('min-lr'), false),
      maxLr: numberFlag('max-lr', get('max-lr'), false),
    });
    const { steepest, minLossOver10 } = result.suggestions;
    if (values.json === true) {
      console.log(JSON.stringify({ ...result, suggestedLr: steepest ?? minLossOver10 }));
      return;
    }
    const every = Math.max(1, Math.floor(result.lrs.length / 12));
    console.log('learning rate   smoothed loss');
    for (let i = 0; i < result.lrs.length; i += every) {
      console.log(`${result.lrs[i].toExponential(2).padStart(13)}   ${result.smoothed[i].toFixed(4)}`);
    }
    console.log(`sweep ${result.ended === 'diverged' ? 'stopped when the loss diverged' : 'complete'} after ${result.lrs.length} steps`);
    console.log(`suggested lr (steepest descent): ${steepest === null ? '—' : steepest.toExponential(2)}`);
    console.log(`suggested lr (min loss / 10):    ${minLossOver10 === null ? '—' : minLossOver10.toExponential(2)}`);
  });
}

/** Per-epoch curves of a run as CSV: epoch, step, train_<metric>…, validation_<metric>… */
function curvesCsv(run: RunSummary): string {
  const keys = run.history.length > 0 ? Object.keys(run.history[0].train) : [];
  const header = ['epoch', 'step', ...keys.map((k) => `train_${k}`), ...keys.map((k) => `validation_${k}`)];
  const rows = run.history.map((r) => [r.epoch, r.step, ...keys.map((k) => r.train[k] ?? ''), ...keys.map((k) => r.validation?.[k] ?? '')].join(','));
  return [header.join(','), ...rows].join('\n') + '\n';
}

async function cmdRace(values: Flags): Promise<void> {
  const get = (k: string) => values[k] as string | undefined;
  if (!get('data')) throw new UsageError('race needs --data <path|bundled-name>');
  if (!get('out')) throw new UsageError('race needs --out <dir> (one export folder per optimizer goes there)');
  const names = (get('optimizers') ?? 'sgd,momentum,adam,adamw,rmsprop').split(',').map((n) => n.trim()).filter(Boolean);
  const optimizers = names.map((n) => oneOf('optimizers', n, OPTIMIZER_NAMES)!);
  const base = configFromFlags(values);
  const lr = numberFlag('lr', get('lr'), false);
  const out = get('out')!;
  await withService(oneOf('backend', get('backend'), BACKEND_PREFERENCES), async (api, service) => {
    const dataset = await openWithProgress(api, sourceOf(get('data')!), values);
    const { runIds } = await api.startRace({
      datasetId: dataset.id,
      config: base,
      optimizers: optimizers.map((name) => ({ name, ...(lr !== undefined ? { lr } : {}) }) as RunConfigInput['optimizer'] & object),
    });
    const label = new Map(runIds.map((id, i) => [id, optimizers[i]]));
    api.onTrainingEpoch((e) => process.stderr.write(`${label.get(e.runId)!.padEnd(9)} epoch ${e.record.epoch}/${e.epochs}  validation: ${formatMetrics(e.record.validation)}\n`));
    const stop = () => runIds.forEach((runId) => void api.stopTraining({ runId }));
    process.once('SIGINT', stop);
    const runs = await Promise.all(runIds.map((id) => service.waitForRun(id)));
    process.off('SIGINT', stop);
    const results = [];
    for (const [i, run] of runs.entries()) {
      const dir = join(out, `${i + 1}-${optimizers[i]}`);
      let exported: string | null = null;
      if (run.modelId) exported = (await api.exportModel({ modelId: run.modelId, dir })).dir;
      else await mkdir(dir, { recursive: true });
      const curves = join(dir, 'curves.csv');
      await writeFile(curves, curvesCsv(run));
      results.push({ optimizer: optimizers[i], lr: run.config.optimizer.lr, status: run.status, message: run.message, metrics: run.metrics, out: exported, curves });
    }
    const scored = results.filter((r) => r.metrics?.validation?.loss !== undefined);
    const best = scored.sort((a, b) => a.metrics!.validation!.loss - b.metrics!.validation!.loss)[0]?.optimizer ?? null;
    const summary = { task: runs[0].config.task, backend: runs[0].backend?.name ?? 'unknown', best, runs: results };
    await writeFile(join(out, 'race.json'), JSON.stringify(summary, null, 2) + '\n');
    if (values.json === true) {
      console.log(JSON.stringify(summary));
      return;
    }
    for (const r of results) {
      console.log(`${r.optimizer.padEnd(10)} lr ${String(r.lr).padEnd(8)} ${r.status.padEnd(9)} validation: ${formatMetrics(r.metrics?.validation ?? null)}  test: ${formatMetrics(r.metrics?.test ?? null)}`);
    }
    console.log(`best by validation loss: ${best ?? '—'}; exports and curves in ${out}`);
  });
}

async function cmdInspect(values: Flags): Promise<void> {
  const get = (k: string) => values[k] as string | undefined;
  if (!get('data')) throw new UsageError('inspect needs --data <path|bundled-name>');
  await withService(undefined, async (api) => {
    const summary = await openWithProgress(api, sourceOf(get('data')!, get('sheet')), values);
    const target = get('target') ?? summary.suggestedTarget;
    if (get('target') && !summary.columns.some((c) => c.name === target)) {
      throw new TickworkError('bad_data', `${summary.name} has no column "${target}". Columns: ${summary.columns.map((c) => c.name).join(', ')}.`);
    }
    const findings = await api.checkDataset({ datasetId: summary.id, target });
    if (values.json === true) {
      console.log(
        JSON.stringify({
          rows: summary.rows,
          ...(summary.sample ? { sampledFrom: summary.sample.totalRows } : {}),
          delimiter: summary.delimiter,
          target,
          columns: summary.columns.map(({ name, type, missing, distinct, min, max, mean, std, top }) => ({ name, type, missing, distinct, min, max, mean, std, top })),
          findings,
        }),
      );
      return;
    }
    console.log(`${summary.name}: ${summary.rows} rows × ${summary.columns.length} columns${summary.delimiter ? `, delimiter "${summary.delimiter === '\t' ? 'tab' : summary.delimiter}"` : ''}`);
    const num = (v: number | null) => (v === null ? '' : Number(v.toPrecision(4)).toString());
    for (const c of summary.columns) {
      const detail = c.min !== null ? `${num(c.min)} … ${num(c.max)}, mean ${num(c.mean)}, std ${num(c.std)}` : c.top.slice(0, 4).map((t) => `${t.value} (${t.count})`).join(', ');
      console.log(`  ${c.name.padEnd(20)} ${c.type.padEnd(12)} missing ${String(c.missing).padEnd(6)} distinct ${String(c.distinct).padEnd(7)} ${detail}${c.name === target ? '  ← target' : ''}`);
    }
    if (findings.length === 0) console.log('data check: nothing to report');
    for (const f of findings) console.log(`${f.severity === 'error' ? 'ERROR  ' : 'warning'} [${f.code}] ${f.message}`);
  });
}

async function cmdExport(values: Flags): Promise<void> {
  const get = (k: string) => values[k] as string | undefined;
  if (!get('model')) throw new UsageError('export needs --model <export folder or .zip>');
  if (!get('out')) throw new UsageError('export needs --out <path>');
  const format = oneOf('format', get('format') ?? 'tfjs', ['tfjs', 'onnx', 'zip', 'pytorch'] as const)!;
  if (format === 'pytorch') return exportPytorch({ model: get('model')!, out: get('out')!, json: values.json === true, quantize: get('quantize') });
  const quantize = oneOf('quantize', get('quantize') ?? 'none', ['none', 'float16', 'int8'] as const)!;
  const out = resolvePath(get('out')!);
  await withService(oneOf('backend', get('backend'), BACKEND_PREFERENCES), async (api) => {
    const model = await api.loadModel({ dir: get('model')! });
    let written: string[];
    let result;
    if (format === 'onnx') {
      // The whole export goes to a scratch folder; model.onnx (and, when the graph takes the
      // encoded vector, its preprocessing.json) are moved next to --out.
      const scratch = await mkdtemp(join(tmpdir(), 'tickwork-export-'));
      try {
        result = await api.exportModel({ modelId: model.modelId, dir: join(scratch, 'model'), quantize });
        const note = JSON.parse(await readFile(join(scratch, 'model', 'preprocessing.json'), 'utf8')).onnx;
        await mkdir(dirname(out), { recursive: true });
        await copyFile(join(scratch, 'model', 'model.onnx'), `${out}.tmp`);
        await rename(`${out}.tmp`, out);
        written = [out];
        if (note.takes !== 'raw') {
          const prep = out.replace(/\.onnx$/i, '') + '.preprocessing.json';
          await copyFile(join(scratch, 'model', 'preprocessing.json'), prep);
          written.push(prep);
        }
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code) throw new TickworkError('io', `Cannot write ${out}: ${(err as Error).message}`);
        throw err;
      } finally {
        await rm(scratch, { recursive: true, force: true });
      }
    } else {
      result = await api.exportModel({ modelId: model.modelId, dir: out, format: format === 'zip' ? 'zip' : 'folder', quantize });
      written = [result.dir];
    }
    const q = result.quantization;
    if (values.json === true) {
      console.log(JSON.stringify({ format, written, quantization: q }));
      return;
    }
    console.log(`exported ${format}: ${written.join(', ')}`);
    if (q) {
      console.log(`weights ${q.dtype}: ${q.bytesBefore} → ${q.bytesAfter} bytes`);
      console.log(q.testAfter ? `test before: ${formatMetrics(q.testBefore)}\ntest after:  ${formatMetrics(q.testAfter)}` : 'no test split stored with this model: accuracy change not measured');
    }
  });
}

async function cmdPredict(values: Record<string, string | boolean | undefined>): Promise<void> {
  const get = (k: string) => values[k] as string | undefined;
  if (!get('model')) throw new UsageError('predict needs --model <export folder>');
  if (!get('data')) throw new UsageError('predict needs --data <csv>');
  if (!get('out')) throw new UsageError('predict needs --out <csv>');
  await withService(oneOf('backend', get('backend'), BACKEND_PREFERENCES), async (api) => {
    const model = await api.loadModel({ dir: get('model')! });
    if (process.stderr.isTTY) {
      api.onScoringProgress((p) => process.stderr.write(`\r\x1b[2Kscoring ${p.done.toLocaleString()} / ${p.total.toLocaleString()} rows`));
    }
    const result = await api.scoreFile({ modelId: model.modelId, input: get('data')!, output: get('out')! });
    if (process.stderr.isTTY) process.stderr.write('\r\x1b[2K');
    for (const warning of result.warnings) process.stderr.write(`warning: ${warning}\n`);
    if (values.json === true) console.log(JSON.stringify(result));
    else console.log(`scored ${result.rows} rows → ${result.output}`);
  });
}

async function cmdServe(values: Record<string, string | boolean | undefined>): Promise<void> {
  const port = numberFlag('port', values.port as string | undefined, true) ?? 8765;
  const host = (values.host as string | undefined) ?? '127.0.0.1';
  const service = createNodeService({ backend: backendPreferenceFromEnv(oneOf('backend', values.backend as string | undefined, BACKEND_PREFERENCES)) });
  const server = await startServer(service, { port, host });
  console.log(`Tickwork is running in browser mode. Open:\n  ${server.url}`);
  if (host !== '127.0.0.1' && host !== 'localhost' && host !== '::1') {
    console.log(`Warning: listening on ${host}, not only this machine: the token in the URL is then the only protection, and traffic is plain HTTP (not encrypted). Prefer the default 127.0.0.1 and an SSH tunnel (see README).`);
  }
  const shutdown = async () => {
    await server.close();
    await service.dispose();
    process.exit(0);
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (!command || command === '--help' || command === '-h' || command === 'help') {
      console.log(USAGE);
      return command ? 0 : 2;
    }
    const { values } = parseArgs({
      args: rest,
      strict: true,
      allowPositionals: false,
      options: {
        data: { type: 'string' },
        target: { type: 'string' },
        test: { type: 'string' },
        task: { type: 'string' },
        hidden: { type: 'string' },
        activation: { type: 'string' },
        optimizer: { type: 'string' },
        lr: { type: 'string' },
        'warmup-steps': { type: 'string' },
        epochs: { type: 'string' },
        'batch-size': { type: 'string' },
        seed: { type: 'string' },
        backend: { type: 'string' },
        out: { type: 'string' },
        model: { type: 'string' },
        port: { type: 'string' },
        host: { type: 'string' },
        json: { type: 'boolean' },
        schedule: { type: 'string' },
        'weight-decay': { type: 'string' },
        dropout: { type: 'string' },
        'batch-norm': { type: 'boolean' },
        l2: { type: 'string' },
        'clip-norm': { type: 'string' },
        accumulate: { type: 'string' },
        'class-weights': { type: 'string' },
        'early-stopping': { type: 'string' },
        steps: { type: 'string' },
        'min-lr': { type: 'string' },
        'max-lr': { type: 'string' },
        optimizers: { type: 'string' },
        format: { type: 'string' },
        sheet: { type: 'string' },
        quantize: { type: 'string' },
        'max-rows': { type: 'string' },
        missing: { type: 'string' },
        ignore: { type: 'string' },
        categorical: { type: 'string' },
        impute: { type: 'string' },
        scale: { type: 'string' },
        'max-categories': { type: 'string' },
      },
    });
    switch (command) {
      case 'datasets':
        await cmdDatasets(values.json === true);
        return 0;
      case 'train':
        await cmdTrain(values);
        return 0;
      case 'predict':
        await cmdPredict(values);
        return 0;
      case 'lr-find':
        await cmdLrFind(values);
        return 0;
      case 'race':
        await cmdRace(values);
        return 0;
      case 'export':
        await cmdExport(values);
        return 0;
      case 'inspect':
        await cmdInspect(values);
        return 0;
      case 'serve':
        await cmdServe(values);
        return -1; // keeps running
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (err) {
    if (err instanceof TickworkError && err.code !== 'internal') {
      console.error(`tickwork: ${cliMessage(err)}`);
      return 2;
    }
    if ((err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`tickwork: ${(err as Error).message}\nRun "tickwork --help" for usage.`);
      return 2;
    }
    console.error(`tickwork: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    return 1;
  }
}
