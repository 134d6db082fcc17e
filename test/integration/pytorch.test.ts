/**
 * The PyTorch hand-off end to end, as a user runs it: `tickwork train`, `tickwork export --format
 * pytorch`, `python3 train.py`, `tickwork predict --model OUT`. On iris (multiclass, batch norm),
 * a binary table with categorical, boolean, date and missing cells, and a regression: metrics
 * within 0.03 accuracy / 0.05 R² of Tickwork's on the same split; with --init tickwork and 0
 * epochs the same metrics and predictions as Tickwork's; every step's learning rate equal to
 * learningRateAt; two ranks launched by hand against one process; bad input. Small data and few
 * epochs, so the whole file takes tens of seconds. Skipped, saying so, without a Python that
 * imports torch.
 */
import { spawn, spawnSync } from 'node:child_process';
import { cp, mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../models/backend';
import { readTableFile } from '../../models/data/read';
import { numberView } from '../../models/data/table';
import { artifactsToModel } from '../../models/io/artifacts';
import { readExportFolder } from '../../models/io/export-folder';
import { encodeFeatures } from '../../models/prep/preprocessing';
import { predictRows, planSteps } from '../../models/train/loop';
import { createRng } from '../../models/random';
import type { RunConfig } from '../../shared/run-config';
import { learningRateAt } from '../../shared/schedule';
import { inMemoryApi } from '../../service/in-memory-transport';
import { createNodeService } from '../../service/runtime';
import { torchPython } from '../helpers/python';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const PY = torchPython();
if (!PY.path) console.warn(`pytorch tests skipped: ${PY.reason}`);

let dir: string;

function tickwork(...args: string[]) {
  const r = spawnSync(process.execPath, ['bin/tickwork.js', ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, TICKWORK_BACKEND: 'wasm' }, timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, last: r.stdout.trim().split('\n').at(-1) ?? '' };
}

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** python3 train.py … in a recipe folder (asynchronous, so independent runs overlap). */
function trainPy(recipe: string, args: string[], env: Record<string, string> = {}): Promise<Ran> {
  return new Promise((resolveRun) => {
    const child = spawn(PY.path!, ['train.py', ...args], { cwd: recipe, env: { ...process.env, OMP_NUM_THREADS: '1', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 180_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolveRun({ code, stdout, stderr });
    });
  });
}

const json = async (path: string) => JSON.parse(await readFile(path, 'utf8'));
const freePort = () =>
  new Promise<number>((resolvePort) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolvePort(port));
    });
  });

/** A copy of a recipe folder with its run-config.json changed. */
async function variant(recipe: string, name: string, change: (config: RunConfig) => void): Promise<string> {
  const copy = join(dir, name);
  await cp(recipe, copy, { recursive: true });
  const config = await json(join(copy, 'run-config.json'));
  change(config);
  await writeFile(join(copy, 'run-config.json'), JSON.stringify(config, null, 2));
  return copy;
}

/** Seeded binary data: numbers with NA, a category with blanks, one with 70 values (capped at 50 → "(other)"), yes/no with "?", dates. */
function churnCsv(rows: number): string {
  const rng = createRng(12345);
  const lines = ['age,income,plan,city,member,joined,churn'];
  for (let i = 0; i < rows; i++) {
    const age = 18 + Math.floor(rng() * 60);
    const income = rng() < 0.1 ? 'NA' : (20000 + rng() * 80000).toFixed(2);
    const plan = rng() < 0.08 ? '' : ['basic', 'plus', 'pro'][Math.floor(rng() * 3)];
    const city = `c${Math.floor(rng() * rng() * 70)}`;
    const member = rng() < 0.05 ? '?' : rng() < 0.5 ? 'yes' : 'no';
    const joined = `20${10 + Math.floor(rng() * 14)}-0${1 + Math.floor(rng() * 9)}-1${Math.floor(rng() * 9)}`;
    const z = (age - 45) / 15 + (plan === 'pro' ? 1 : plan === 'basic' ? -1 : 0) + (member === 'yes' ? 0.8 : -0.3) +
      (income === 'NA' ? 0.5 : (Number(income) - 60000) / 40000) + (rng() - 0.5) * 1.5;
    lines.push([age, income, plan, city, member, joined, z > 0 ? 'yes' : 'no'].join(','));
  }
  return lines.join('\n') + '\n';
}

/**
 * The learning rate train.py used at every step (--log-steps) equals shared/schedule.ts
 * learningRateAt for the run's schedule, to 1e-9 relative.
 */
async function expectScheduledLrs(recipeDir: string, out: string, stepsFile: string): Promise<void> {
  const config: RunConfig = await json(join(recipeDir, 'run-config.json'));
  const trainRows = (await json(join(recipeDir, 'split.json'))).train.length;
  const { totalSteps } = planSteps(config, trainRows);
  const logged = (await readFile(stepsFile, 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
  expect(logged.length).toBe((await json(join(out, 'run-config.json'))).trainedBy.steps);
  expect(config.schedule.warmupSteps).toBeGreaterThan(0);
  logged.forEach((s, i) => {
    const expected = learningRateAt(config.schedule, { baseLr: config.optimizer.lr, totalSteps }, i);
    expect(Math.abs(s.lr - expected), `${config.schedule.kind} step ${i}: ${s.lr} vs ${expected}`).toBeLessThanOrEqual(1e-9 * Math.abs(expected));
  });
}

/** Every metric of `actual` equals `expected`'s to `tolerance` (and the same keys). */
function expectSameMetrics(actual: Record<string, Record<string, number> | null>, expected: Record<string, Record<string, number> | null>, tolerance: number) {
  for (const part of ['train', 'validation', 'test']) {
    expect(Object.keys(actual[part] ?? {}).sort(), part).toEqual(Object.keys(expected[part] ?? {}).sort());
    for (const [key, value] of Object.entries(expected[part] ?? {})) expect(Math.abs(actual[part]![key] - value), `${part}.${key}`).toBeLessThanOrEqual(tolerance);
  }
}

const oneLine = (stderr: string) => stderr.trim().split('\n');

/**
 * Iris through the service (as the app trains it): batch norm, cosine schedule with warmup, and a
 * 40% test split — with Tickwork's default 15% (24 rows) one row is 0.042 accuracy, more than the
 * 0.03 the recipe is held to; with 60 rows it is 0.017.
 */
async function trainIris(out: string): Promise<void> {
  const service = createNodeService({ backend: 'wasm' });
  try {
    const api = inMemoryApi(service);
    const ds = await api.openDataset({ source: { kind: 'bundled', name: 'iris' } });
    const { runId } = await api.startTraining({
      datasetId: ds.id,
      config: {
        target: 'species', seed: 7, epochs: 40, batchSize: 16, split: { validation: 0.2, test: 0.4 },
        model: { hidden: [{ units: 16, batchNorm: true }, 8] }, optimizer: { name: 'adam', lr: 0.01 }, schedule: { kind: 'cosine', warmupSteps: 5 },
      },
    });
    const run = await service.waitForRun(runId);
    expect(run.status, run.message).toBe('completed');
    await api.exportModel({ modelId: run.modelId!, dir: out });
  } finally {
    await service.dispose();
  }
}

describe.skipIf(!PY.path)('PyTorch hand-off (tickwork export --format pytorch, train.py)', () => {
  const recipe = { iris: '', churn: '', wave: '' };
  const model = { iris: '', churn: '', wave: '' };
  const runIds: Record<string, string> = {};
  let churnFile: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tickwork-pytorch-'));
    churnFile = join(dir, 'churn.csv');
    await writeFile(churnFile, churnCsv(2000)); // 300 test rows: one row is 0.0033 accuracy
    const runs: Record<keyof typeof recipe, string[]> = {
      iris: [], // trainIris: the CLI has no flag for the split's shares
      churn: ['--data', churnFile, '--target', 'churn', '--hidden', '32:bn:dropout=0.1,16', '--optimizer', 'adamw', '--lr', '0.003', '--schedule', 'one_cycle',
        '--warmup-steps', '20', '--epochs', '15', '--class-weights', 'balanced', '--clip-norm', '1', '--accumulate', '2'],
      wave: ['--data', 'wave', '--target', 'y', '--hidden', '32:tanh,32:tanh', '--epochs', '40', '--lr', '0.01', '--batch-size', '16', '--schedule', 'inverse_sqrt', '--warmup-steps', '30'],
    };
    for (const name of Object.keys(runs) as (keyof typeof recipe)[]) {
      model[name] = join(dir, `${name}-model`);
      if (name === 'iris') await trainIris(model.iris);
      else {
        const t = tickwork('train', ...runs[name], '--out', model[name], '--json');
        expect(t.code, t.stderr).toBe(0);
        runIds[name] = JSON.parse(t.last).runId;
      }
      recipe[name] = join(dir, `${name}-recipe`);
      const e = tickwork('export', '--model', model[name], '--format', 'pytorch', '--out', recipe[name], '--json');
      expect(e.code, e.stderr).toBe(0);
    }
  }, 180_000);

  it('writes a recipe folder: train.py as shipped, the run, its split, the Tickwork model, a README with the commands', async () => {
    expect((await readdir(recipe.iris)).sort()).toEqual(
      ['README.md', 'data.csv', 'metrics.json', 'model.json', 'model.onnx', 'preprocessing.json', 'run-config.json', 'split.json', 'train.py', 'weights.bin'],
    );
    expect(await readFile(join(recipe.iris, 'train.py'), 'utf8')).toBe(await readFile(join(ROOT, 'recipes/pytorch/train.py'), 'utf8'));
    const split = await json(join(recipe.iris, 'split.json'));
    expect([split.train.length, split.validation.length, split.test.length]).toEqual([60, 30, 60]);
    expect(new Set([...split.train, ...split.validation, ...split.test]).size).toBe(150);
    expect(split.lines).toBeNull();
    // The folder Tickwork trained from has the same split.json: the split travels with the model.
    expect(await json(join(model.iris, 'split.json'))).toEqual(split);
    const readme = await readFile(join(recipe.iris, 'README.md'), 'utf8');
    for (const text of ['python3 train.py --data data.csv --out trained', 'torchrun --nproc_per_node', 'RANK=1 LOCAL_RANK=1', 'trainedBy']) expect(readme).toContain(text);
    // A run in the workspace exports the same recipe: its model folder there kept the split.
    const fromRun = join(dir, 'churn-from-run');
    const e = tickwork('export', '--model', `run:${runIds.churn}`, '--format', 'pytorch', '--out', fromRun);
    expect(e.code, e.stderr).toBe(0);
    expect(await json(join(fromRun, 'split.json'))).toEqual(await json(join(recipe.churn, 'split.json')));
    // A file dataset is named by its path, and no copy of it is made.
    expect(await readdir(recipe.churn)).not.toContain('data.csv');
    expect(await readFile(join(recipe.churn, 'README.md'), 'utf8')).toContain(`--data ${churnFile}`);
  });

  it('iris: trains on the same split within 0.03 accuracy, every step at Tickwork\'s learning rate, and writes an export tickwork predict scores with', async () => {
    const out = join(dir, 'iris-out');
    const steps = join(dir, 'iris-steps.jsonl');
    const r = await trainPy(recipe.iris, ['--data', 'data.csv', '--out', out, '--log-steps', steps]);
    expect(r.code, r.stderr).toBe(0);
    const mine = await json(join(out, 'metrics.json'));
    const theirs = await json(join(model.iris, 'metrics.json'));
    expect(Math.abs(mine.test.accuracy - theirs.test.accuracy)).toBeLessThanOrEqual(0.03);
    for (const part of ['train', 'validation', 'test']) expect(Object.keys(mine[part]).sort(), part).toEqual(Object.keys(theirs[part]).sort());

    const config: RunConfig & { trainedBy: Record<string, unknown> } = await json(join(out, 'run-config.json'));
    expect(config.trainedBy).toMatchObject({ tool: 'pytorch', worldSize: 1, status: 'completed', split: 'run', shuffle: 'tickwork', init: null });
    expect(config.trainedBy.torch).toMatch(/^\d+\.\d+/);
    // OUT's run-config names the data this run read; the Tickwork run's dataset stays under trainedBy.fromRun.
    expect(config.dataset).toMatchObject({ name: 'data.csv', source: join(recipe.iris, 'data.csv'), rows: 150 });
    expect(config.trainedBy.fromRun).toMatchObject({ dataset: { name: 'iris', source: 'bundled:iris' } });
    const history = (await readFile(join(out, 'history.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    expect(history.length).toBe(config.trainedBy.epochs);
    expect(Object.keys(history[0]).sort()).toEqual(['epoch', 'lr', 'seconds', 'step', 'train', 'validation']);

    await expectScheduledLrs(recipe.iris, out, steps); // cosine after 5 warmup steps
    expect(history.at(-1).step).toBe((await readFile(steps, 'utf8')).trim().split('\n').length);

    const bundle = await readExportFolder(out); // what tickwork predict and model:load read
    expect(bundle.split?.train).toEqual((await json(join(recipe.iris, 'split.json'))).train);
    const scored = join(dir, 'iris-scored.csv');
    const p = tickwork('predict', '--model', out, '--data', 'datasets/iris.csv', '--out', scored);
    expect(p.code, p.stderr).toBe(0);
    const lines = (await readFile(scored, 'utf8')).trim().split('\n');
    expect(lines).toHaveLength(151);
    expect(lines.slice(1).filter((l) => l.split(',')[4] === l.split(',')[5]).length / 150).toBeGreaterThan(0.9);

    // `runs import OUT`: a run of its own in the workspace, marked imported, with every epoch and its metrics;
    // its model predicts as `run:ID` exactly as the folder does.
    const imported = tickwork('runs', 'import', out, '--json');
    expect(imported.code, imported.stderr).toBe(0);
    const run = JSON.parse(imported.last);
    expect(run).toMatchObject({ status: 'completed', origin: 'imported', epochs: history.length });
    expect(run.metrics.test.accuracy).toBe(mine.test.accuracy);
    const listed = JSON.parse(tickwork('runs', 'list', '--json').last).runs.find((r: { id: string }) => r.id === run.id);
    expect(listed).toMatchObject({ origin: 'imported', epochs: history.length, dataset: 'data.csv' });
    const byRun = join(dir, 'iris-scored-run.csv');
    const q = tickwork('predict', '--model', `run:${run.id}`, '--data', 'datasets/iris.csv', '--out', byRun);
    expect(q.code, q.stderr).toBe(0);
    expect((await readFile(byRun, 'utf8')).trim().split('\n')).toEqual(lines);
    // A Tickwork export (trained here) is not a run trained elsewhere; a folder without a model is not an export.
    const own = tickwork('runs', 'import', model.iris);
    expect(own.code).toBe(2);
    expect(own.stderr).toMatch(/already in the workspace it was trained in/);
    const none = tickwork('runs', 'import', dir);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/model\.json/);
  });

  it('--init tickwork --epochs 0: the same split (also when split anew), metrics and predictions as Tickwork, to 1e-5', async () => {
    const out = join(dir, 'iris-init');
    const r = await trainPy(recipe.iris, ['--data', 'data.csv', '--out', out, '--init', 'tickwork', '--epochs', '0', '--split', 'fresh']);
    expect(r.code, r.stderr).toBe(0);
    const split = await json(join(recipe.iris, 'split.json'));
    const again = await json(join(out, 'split.json'));
    for (const part of ['train', 'validation', 'test']) expect(again[part], part).toEqual(split[part]);
    expectSameMetrics(await json(join(out, 'metrics.json')), await json(join(model.iris, 'metrics.json')), 1e-6);

    // PyTorch's forward pass (model.onnx, written by torch.onnx.export) against Tickwork's tfjs model on every row.
    await selectBackend('wasm');
    const original = await readExportFolder(model.iris);
    const { table } = await readTableFile(join(ROOT, 'datasets/iris.csv'));
    const encoded = encodeFeatures(original.preprocessing, table);
    const tfModel = await artifactsToModel(original.artifacts);
    const expected = predictRows(tfModel, encoded.x, encoded.rows, encoded.cols);
    tfModel.dispose();
    const raw = new Float32Array(table.rowCount * 4);
    original.preprocessing.inputs.forEach((name, c) => {
      const { values } = numberView(table.columns[table.columnNames.indexOf(name)]);
      for (let i = 0; i < table.rowCount; i++) raw[i * 4 + c] = values[i];
    });
    const session = await ort.InferenceSession.create(await readFile(join(out, 'model.onnx')));
    const onnx = (await session.run({ features: new ort.Tensor('float32', raw, [table.rowCount, 4]) })).probabilities.data as Float32Array;
    expect(onnx.length).toBe(expected.length);
    let maxDiff = 0;
    for (let i = 0; i < expected.length; i++) maxDiff = Math.max(maxDiff, Math.abs(onnx[i] - expected[i]));
    console.log(`--init tickwork, 0 epochs: PyTorch (ONNX) vs Tickwork (tfjs) max |diff| ${maxDiff.toExponential(2)} over ${expected.length} probabilities`);
    expect(maxDiff).toBeLessThanOrEqual(1e-5);
    // And the weights it wrote are Tickwork's, so tickwork predict gives the same probabilities.
    const written = await readExportFolder(out);
    expect(Array.from(new Float32Array(written.artifacts.weights.buffer.slice(0)))).toEqual(Array.from(new Float32Array(original.artifacts.weights.buffer.slice(0))));
  });

  it('binary with categorical, boolean, date and missing cells: within 0.03 accuracy; with --init tickwork both readers encode exactly as Tickwork', async () => {
    const theirs = await json(join(model.churn, 'metrics.json'));
    const readers = spawnSync(PY.path!, ['-c', 'import pandas'], { encoding: 'utf8' }).status === 0 ? ['csv', 'pandas'] : ['csv'];
    if (readers.length === 1) console.warn('pytorch: pandas not installed; the --reader pandas check is skipped');
    const [trained, ...inits] = await Promise.all([
      trainPy(recipe.churn, ['--data', churnFile, '--out', join(dir, 'churn-out'), '--log-steps', join(dir, 'churn-steps.jsonl')]),
      ...readers.map((reader) => trainPy(recipe.churn, ['--data', churnFile, '--out', join(dir, `churn-init-${reader}`), '--init', 'tickwork', '--epochs', '0', '--reader', reader])),
    ]);
    expect(trained.code, trained.stderr).toBe(0);
    const mine = await json(join(dir, 'churn-out', 'metrics.json'));
    console.log(`churn test accuracy: Tickwork ${theirs.test.accuracy.toFixed(4)}, PyTorch ${mine.test.accuracy.toFixed(4)}`);
    expect(Math.abs(mine.test.accuracy - theirs.test.accuracy)).toBeLessThanOrEqual(0.03);
    await expectScheduledLrs(recipe.churn, join(dir, 'churn-out'), join(dir, 'churn-steps.jsonl')); // one_cycle after 20 warmup steps, accumulation 2
    for (const [i, reader] of readers.entries()) {
      expect(inits[i].code, inits[i].stderr).toBe(0);
      expect(inits[i].stderr).toContain(`read with ${reader}`);
      expectSameMetrics(await json(join(dir, `churn-init-${reader}`, 'metrics.json')), theirs, 1e-6);
    }
  });

  it('regression: within 0.05 R² after training; --init tickwork keeps Tickwork\'s metrics; reduce-on-plateau scales the schedule', async () => {
    const theirs = await json(join(model.wave, 'metrics.json'));
    // "train loss, higher is better" plateaus nearly every epoch, so the LR is reduced several times.
    const plateau = await variant(recipe.wave, 'wave-plateau', (c) => {
      c.reduceOnPlateau = { monitor: 'train.loss', mode: 'max', factor: 0.5, patience: 1, minDelta: 0, minLr: 0 };
    });
    const [trained, init, reduced] = await Promise.all([
      trainPy(recipe.wave, ['--data', 'data.csv', '--out', join(dir, 'wave-out'), '--log-steps', join(dir, 'wave-steps.jsonl')]),
      trainPy(recipe.wave, ['--data', 'data.csv', '--out', join(dir, 'wave-init'), '--init', 'tickwork', '--epochs', '0']),
      trainPy(plateau, ['--data', 'data.csv', '--out', join(dir, 'wave-plateau-out'), '--epochs', '6', '--log-steps', join(dir, 'plateau-steps.jsonl')]),
    ]);
    for (const r of [trained, init, reduced]) expect(r.code, r.stderr).toBe(0);
    const config: RunConfig = await json(join(plateau, 'run-config.json'));
    const events: Array<{ step: number; kind: string; message: string }> = (await json(join(dir, 'wave-plateau-out', 'run-config.json'))).trainedBy.events;
    const reductions = events.filter((e) => e.kind === 'lr-reduced');
    expect(reductions.length).toBeGreaterThanOrEqual(2);
    const { totalSteps } = planSteps({ ...config, epochs: 6 }, (await json(join(plateau, 'split.json'))).train.length);
    const logged = (await readFile(join(dir, 'plateau-steps.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    logged.forEach((s, i) => {
      // Each reduction halves the LR from the step after the epoch that decided it.
      const scale = 0.5 ** reductions.filter((e) => e.step <= i).length;
      const expected = learningRateAt(config.schedule, { baseLr: config.optimizer.lr, totalSteps }, i) * scale;
      expect(Math.abs(s.lr - expected), `step ${i}`).toBeLessThanOrEqual(1e-9 * expected);
    });
    const mine = await json(join(dir, 'wave-out', 'metrics.json'));
    console.log(`wave test R²: Tickwork ${theirs.test.r2.toFixed(4)}, PyTorch ${mine.test.r2.toFixed(4)}`);
    expect(Math.abs(mine.test.r2 - theirs.test.r2)).toBeLessThanOrEqual(0.05);
    await expectScheduledLrs(recipe.wave, join(dir, 'wave-out'), join(dir, 'wave-steps.jsonl')); // inverse_sqrt after 30 warmup steps
    expectSameMetrics(await json(join(dir, 'wave-init', 'metrics.json')), theirs, 1e-5);
  });

  it('two ranks (RANK/WORLD_SIZE launch, gloo) train, write OUT once, and match one process with the same global batch', async () => {
    // Without dropout the two runs see the same batches and batch statistics: only float rounding differs.
    const folder = await variant(recipe.churn, 'churn-nodrop', (c) => {
      c.model.hidden = c.model.hidden.map((l) => (typeof l === 'number' ? l : { ...l, dropout: 0 }));
    });
    const parent = await mkdtemp(join(dir, 'ddp-'));
    const port = String(await freePort());
    const env = (rank: number) => ({ WORLD_SIZE: '2', RANK: String(rank), LOCAL_RANK: String(rank), MASTER_ADDR: '127.0.0.1', MASTER_PORT: port });
    const args = (out: string) => ['--data', churnFile, '--out', out, '--epochs', '3'];
    const [single, rank0, rank1] = await Promise.all([
      trainPy(folder, args(join(dir, 'ddp-single'))),
      trainPy(folder, args(join(parent, 'out')), env(0)),
      trainPy(folder, args(join(parent, 'out')), env(1)),
    ]);
    for (const r of [single, rank0, rank1]) expect(r.code, r.stderr).toBe(0);
    expect(await readdir(parent)).toEqual(['out']); // written once, no temporary folders left behind
    expect(rank0.stderr).toContain('Tickwork export written');
    expect(rank1.stderr).toBe('');
    const config = await json(join(parent, 'out', 'run-config.json'));
    expect(config.trainedBy).toMatchObject({ worldSize: 2, distributedBackend: 'gloo', status: 'completed' });
    const two = await json(join(parent, 'out', 'metrics.json'));
    const one = await json(join(dir, 'ddp-single', 'metrics.json'));
    console.log(`two ranks vs one: test accuracy ${two.test.accuracy.toFixed(4)} vs ${one.test.accuracy.toFixed(4)}, loss ${two.test.loss.toFixed(6)} vs ${one.test.loss.toFixed(6)}`);
    expect(Math.abs(two.test.accuracy - one.test.accuracy)).toBeLessThanOrEqual(0.03);
    expectSameMetrics(two, one, 1e-3);
  });

  it('bad input: a model it cannot reproduce, a data file without a model column, --device cuda without CUDA — one plain line each, nothing written', async () => {
    // The exporter refuses a model whose network is not its run's, naming the part and why.
    const foreign = join(dir, 'foreign-model');
    await cp(model.iris, foreign, { recursive: true });
    const config = await json(join(foreign, 'run-config.json'));
    config.model.hidden = [32];
    await writeFile(join(foreign, 'run-config.json'), JSON.stringify(config));
    const e = tickwork('export', '--model', foreign, '--format', 'pytorch', '--out', join(dir, 'never'));
    expect(e.code).toBe(2);
    expect(oneLine(e.stderr)).toHaveLength(1);
    expect(e.stderr).toMatch(/Cannot hand this model to PyTorch: model\.json \(layers dense_1 \(Dense 16 relu\), bn_1 .*\) is not the network its run-config\.json describes \(dense_1 \(Dense 32 relu\), output/);

    // train.py refuses a run it cannot rebuild (a recipe edited by hand), and says why.
    const nesterov = await variant(recipe.iris, 'iris-nesterov', (c) => {
      c.optimizer = { name: 'sgd', lr: 0.01, momentum: 0.9, dampening: 0.1, nesterov: true, weightDecay: 0 };
    });
    const noColumn = join(dir, 'no-petal-width.csv');
    const iris = (await readFile(join(ROOT, 'datasets/iris.csv'), 'utf8')).trim().split('\n');
    await writeFile(noColumn, iris.map((l) => l.split(',').filter((_, i) => i !== 3).join(',')).join('\n') + '\n');
    const cuda = spawnSync(PY.path!, ['-c', 'import torch; print(torch.cuda.is_available())'], { encoding: 'utf8' }).stdout.trim() === 'True';
    const [optimizer, column, device] = await Promise.all([
      trainPy(nesterov, ['--data', 'data.csv', '--out', join(dir, 'never-1')]),
      trainPy(recipe.iris, ['--data', noColumn, '--out', join(dir, 'never-2')]),
      trainPy(recipe.iris, ['--data', 'data.csv', '--out', join(dir, 'never-3'), '--device', 'cuda', '--epochs', '1']),
    ]);
    expect(optimizer.code).toBe(2);
    expect(oneLine(optimizer.stderr)).toEqual([expect.stringMatching(/^train\.py: cannot reproduce the optimizer sgd with nesterov and dampening 0\.1: torch\.optim\.SGD refuses/)]);
    expect(column.code).toBe(2);
    expect(oneLine(column.stderr)).toEqual([expect.stringMatching(/^train\.py: no-petal-width\.csv lacks column\(s\) the model needs: petal_width\. The model was trained on: sepal_length/)]);
    if (cuda) console.warn('pytorch: CUDA is available here; the --device cuda refusal is not exercised');
    else {
      expect(device.code).toBe(2);
      expect(oneLine(device.stderr)).toEqual([expect.stringMatching(/^train\.py: --device cuda: this PyTorch \(.+\) cannot use CUDA \(.+\)\. Use --device cpu/)]);
    }
    const left = await readdir(dir);
    for (const name of ['never', 'never-1', 'never-2', 'never-3']) expect(left).not.toContain(name);
  });
});
