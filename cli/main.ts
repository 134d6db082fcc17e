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
import { parseArgs } from 'node:util';
import type { DatasetSource, TickworkApi } from '../shared/contract.js';
import { TickworkError } from '../shared/errors.js';
import { BACKEND_PREFERENCES, OPTIMIZER_NAMES, TASKS, ACTIVATIONS, type BackendPreference, type RunConfigInput } from '../shared/run-config.js';
import { backendPreferenceFromEnv } from '../models/backend-preference.js';
import { listBundled } from '../models/data/bundled.js';
import { inMemoryApi } from '../service/in-memory-transport.js';
import { createNodeService } from '../service/runtime.js';
import type { WorkbenchService } from '../service/workbench-service.js';
import { startServer } from '../service/http-server.js';
import { ProgressLine } from './progress.js';

const USAGE = `Tickwork — train neural networks on local tabular data.

Usage:
  tickwork datasets                         list the bundled datasets
  tickwork train --data <path|name> --target <column> --out <dir> [options]
  tickwork predict --model <dir> --data <csv> --out <csv>
  tickwork serve [--port 8765] [--host 127.0.0.1]   browser mode (prints the URL with its token)

Train options:
  --test <path|name>      evaluate on this file instead of a split of --data
  --task binary|multiclass|regression   (default: detected from the target)
  --hidden 64,64          hidden layer sizes ("" for none)
  --activation relu       ${ACTIVATIONS.join('|')}
  --optimizer adam        ${OPTIMIZER_NAMES.join('|')}
  --lr 0.001              learning rate
  --warmup-steps 0        linear warmup from 0 to --lr over this many steps
  --epochs 20  --batch-size 32  --seed 42
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

/** A bundled name, or a path to a file. */
function sourceOf(value: string): DatasetSource {
  const looksLikePath = /[\\/.]/.test(value) || existsSync(value);
  if (looksLikePath) return { kind: 'file', path: value };
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
  'config.schedule.warmupSteps': '--warmup-steps',
  'config.epochs': '--epochs',
  'config.batchSize': '--batch-size',
  'config.seed': '--seed',
  'config.model.hidden': '--hidden',
};

function cliMessage(err: TickworkError): string {
  let message = err.message;
  for (const [path, flag] of Object.entries(FLAG_OF)) message = message.split(path).join(flag);
  return message.replace(/^training:start: invalid input — /, '');
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

async function cmdTrain(values: Record<string, string | boolean | undefined>): Promise<void> {
  const get = (k: string) => values[k] as string | undefined;
  const json = values.json === true;
  if (!get('data')) throw new UsageError('train needs --data <path|bundled-name>');
  if (!get('target')) throw new UsageError('train needs --target <column>');
  if (!get('out')) throw new UsageError('train needs --out <dir> (where the model is exported)');
  const out = get('out')!;
  if (existsSync(out) && !statSync(out).isDirectory()) throw new UsageError(`--out ${out} is a file; give a folder`);
  const hiddenFlag = get('hidden');
  const hidden =
    hiddenFlag === undefined
      ? undefined
      : hiddenFlag.trim() === '' || hiddenFlag.trim() === '0'
        ? []
        : hiddenFlag.split(',').map((h) => numberFlag('hidden', h, true)!);
  const backend = oneOf('backend', get('backend'), BACKEND_PREFERENCES);
  const optimizerName = oneOf('optimizer', get('optimizer'), OPTIMIZER_NAMES) ?? 'adam';
  const lr = numberFlag('lr', get('lr'), false);
  const config: RunConfigInput = {
    target: get('target')!,
    task: oneOf('task', get('task'), TASKS),
    model: { hidden, activation: oneOf('activation', get('activation'), ACTIVATIONS) },
    optimizer: { name: optimizerName, ...(lr !== undefined ? { lr } : {}) },
    schedule: { warmupSteps: numberFlag('warmup-steps', get('warmup-steps'), true) },
    epochs: numberFlag('epochs', get('epochs'), true),
    batchSize: numberFlag('batch-size', get('batch-size'), true),
    seed: numberFlag('seed', get('seed'), true),
    backend: backendPreferenceFromEnv(backend),
  };
  const dataSource = sourceOf(get('data')!);
  const testSource = get('test') ? sourceOf(get('test')!) : undefined;

  await withService(backend, async (api, service) => {
    const dataset = await api.openDataset({ source: dataSource });
    const progress = new ProgressLine(process.stderr);
    api.onTrainingProgress((p) => progress.update(p));
    api.onTrainingEpoch((e) => progress.epoch(e.record, e.epochs));
    api.onTrainingStatus((s) => {
      if (s.status === 'training' && s.backend) progress.note(`backend: ${s.backend.name} — ${s.backend.detail}`);
      if (s.status === 'preparing') progress.note(s.message);
    });
    const { runId } = await api.startTraining({ datasetId: dataset.id, config, testSource });
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

async function cmdPredict(values: Record<string, string | boolean | undefined>): Promise<void> {
  const get = (k: string) => values[k] as string | undefined;
  if (!get('model')) throw new UsageError('predict needs --model <export folder>');
  if (!get('data')) throw new UsageError('predict needs --data <csv>');
  if (!get('out')) throw new UsageError('predict needs --out <csv>');
  await withService(oneOf('backend', get('backend'), BACKEND_PREFERENCES), async (api) => {
    const model = await api.loadModel({ dir: get('model')! });
    const result = await api.scoreFile({ modelId: model.modelId, input: get('data')!, output: get('out')! });
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
    console.log(`Warning: listening on ${host}; anyone who can reach it and has the URL (with its token) can use it.`);
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
