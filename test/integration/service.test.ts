/**
 * The WorkbenchService through the in-memory transport (same envelopes and structured-clone
 * boundary as IPC and the WebSocket), with the real training worker in a worker thread.
 */
import { mkdtemp, readdir, readFile, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventPayload, TickworkApi } from '../../shared/contract';
import { rejected as rejection } from '../helpers/errors';
import { inMemoryApi } from '../../service/in-memory-transport';
import { createNodeService } from '../../service/runtime';
import type { WorkbenchService } from '../../service/workbench-service';

let service: WorkbenchService;
let api: TickworkApi;
let dir: string;

beforeAll(async () => {
  service = createNodeService({ backend: 'wasm' });
  api = inMemoryApi(service);
  dir = await mkdtemp(join(tmpdir(), 'tickwork-service-'));
});

afterAll(async () => {
  await service.dispose();
});

async function trainToEnd(datasetId: string, config: Parameters<TickworkApi['startTraining']>[0]['config']) {
  const { runId } = await api.startTraining({ datasetId, config });
  return service.waitForRun(runId);
}

describe('WorkbenchService', () => {
  it('reports the backend it uses', async () => {
    const info = await api.appInfo({});
    expect(info.backend.name).toBe('wasm');
    expect(info.version).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('lists and opens the bundled datasets', async () => {
    const names = (await api.listDatasets({})).map((d) => d.name);
    expect(names).toEqual(['iris', 'four-points', 'moons', 'circles', 'xor', 'spirals', 'wave']);
    const iris = await api.openDataset({ source: { kind: 'bundled', name: 'iris' } });
    expect(iris.rows).toBe(150);
    expect(iris.suggestedTarget).toBe('species');
    expect(iris.suggestedTask).toBe('multiclass');
    expect(iris.columns.map((c) => c.type)).toEqual(['numeric', 'numeric', 'numeric', 'numeric', 'categorical']);
    const four = await api.openDataset({ source: { kind: 'bundled', name: 'four-points' } });
    expect(four.rows).toBe(4);
    // The regression toy: one input, a numeric target predicted by regression.
    const wave = await api.openDataset({ source: { kind: 'bundled', name: 'wave' } });
    expect([wave.rows, wave.suggestedTarget, wave.suggestedTask]).toEqual([500, 'y', 'regression']);
    expect(wave.columns.map((c) => c.name)).toEqual(['x', 'y']);
  });

  it('a dataset opened only to be inspected is described and checked, and refused for training until opened again', async () => {
    const path = join(dir, 'inspected.csv');
    await writeFile(path, 'x,k,y\n' + Array.from({ length: 300 }, (_, i) => `${i / 7},${i % 3},${i % 2}`).join('\n') + '\n1,1,1\n1,1,1\n');
    const looked = await api.openDataset({ source: { kind: 'file', path }, options: { purpose: 'inspect' } });
    expect([looked.rows, looked.sample]).toEqual([302, null]);
    expect((await api.checkDataset({ datasetId: looked.id, target: 'y' })).map((f) => f.code)).toContain('duplicates');
    await expect(api.startTraining({ datasetId: looked.id, config: { target: 'y', epochs: 1 } })).rejects.toThrow(/opened for inspection only .*Open it again to train/);
    const opened = await api.openDataset({ source: { kind: 'file', path } });
    expect(opened.id).toBe(looked.id);
    expect((await api.describeDataset({ datasetId: opened.id })).rows).toBe(302);
  });

  it('trains iris end to end: events, metrics, predict, export, load back with the same numbers', async () => {
    const iris = await api.openDataset({ source: { kind: 'bundled', name: 'iris' } });
    const progress: EventPayload<'training:progress'>[] = [];
    const epochs: EventPayload<'training:epoch'>[] = [];
    const statuses: string[] = [];
    const offs = [
      api.onTrainingProgress((p) => progress.push(p)),
      api.onTrainingEpoch((e) => epochs.push(e)),
      api.onTrainingStatus((s) => statuses.push(s.status)),
    ];
    const run = await trainToEnd(iris.id, { target: 'species', epochs: 40, earlyStopping: null, batchSize: 16, optimizer: { name: 'adam', lr: 0.01 }, schedule: { warmupSteps: 10 } });
    offs.forEach((off) => off());

    expect(run.status).toBe('completed');
    expect(statuses[0]).toBe('preparing');
    expect(statuses).toContain('training');
    expect(statuses.at(-1)).toBe('completed');
    expect(epochs).toHaveLength(40);
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.at(-1)!.step).toBe(progress.at(-1)!.totalSteps);
    expect(progress[0].lr).toBeLessThan(0.01); // still warming up
    expect(run.metrics!.test!.accuracy).toBeGreaterThan(0.85);
    expect(run.config.task).toBe('multiclass');
    expect(run.config.dataset.sha256).toMatch(/^[0-9a-f]{64}$/);

    const rows = [
      { sepal_length: 5.1, sepal_width: 3.5, petal_length: 1.4, petal_width: 0.2 },
      { sepal_length: 6.7, sepal_width: 3.0, petal_length: 5.2, petal_width: 2.3 },
    ];
    const predicted = await api.predict({ modelId: run.modelId!, rows });
    expect(predicted.predictions.map((p) => p.prediction)).toEqual(['setosa', 'virginica']);
    const sum = Object.values(predicted.predictions[0].probabilities!).reduce((a, b) => a + b, 0);
    expect(sum).toBeCloseTo(1, 5);

    const out = join(dir, 'iris-model');
    const exported = await api.exportModel({ modelId: run.modelId!, dir: out });
    expect((await readdir(out)).sort()).toEqual(['README.md', 'metrics.json', 'model.json', 'model.onnx', 'preprocessing.json', 'run-config.json', 'split.json', 'weights.bin']);
    expect(exported.dir).toBe(out);
    const stored = JSON.parse(await readFile(join(out, 'run-config.json'), 'utf8'));
    expect(stored.schedule.warmupSteps).toBe(10);

    const loaded = await api.loadModel({ dir: out });
    expect(loaded.labels).toEqual(['setosa', 'versicolor', 'virginica']);
    // Typical inputs for a what-if row: the run's training medians; a loaded export's training means.
    const fromRun = (await api.getModel({ modelId: run.modelId! })).typical;
    expect(Object.keys(fromRun)).toEqual(['sepal_length', 'sepal_width', 'petal_length', 'petal_width']);
    expect(Number(fromRun.petal_length)).toBeGreaterThan(3);
    expect(Number(fromRun.petal_length)).toBeLessThan(5);
    expect(Object.keys(loaded.typical)).toEqual(Object.keys(fromRun));
    expect(Math.abs(Number(loaded.typical.sepal_length) - 5.84)).toBeLessThan(0.2);
    const again = await api.predict({ modelId: loaded.modelId, rows });
    expect(again.predictions).toEqual(predicted.predictions);

    // Exporting again over our own export replaces it; over someone else's folder it refuses.
    await api.exportModel({ modelId: run.modelId!, dir: out });
    const foreign = join(dir, 'my-documents');
    await mkdir(foreign);
    await writeFile(join(foreign, 'thesis.docx'), 'precious');
    const refused = await rejection(api.exportModel({ modelId: run.modelId!, dir: foreign }));
    expect(refused.message).toContain('is not a Tickwork export');
    expect(await readFile(join(foreign, 'thesis.docx'), 'utf8')).toBe('precious');
    expect((await readdir(dir)).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });

  it('trains a regression and scores a file', async () => {
    const csv = ['x1,x2,y'];
    for (let i = 0; i < 120; i++) csv.push(`${i % 10},${(i * 7) % 13},${(2 * (i % 10) + 0.5 * ((i * 7) % 13) + 10).toFixed(2)}`);
    const path = join(dir, 'reg.csv');
    await writeFile(path, csv.join('\n') + '\n');
    const ds = await api.openDataset({ source: { kind: 'file', path } });
    const run = await trainToEnd(ds.id, { target: 'y', epochs: 60, batchSize: 16, optimizer: { name: 'adam', lr: 0.01 } });
    expect(run.config.task).toBe('regression');
    expect(Object.keys(run.metrics!.test!)).toEqual(expect.arrayContaining(['mse', 'mae', 'r2']));
    expect(run.metrics!.test!.r2).toBeGreaterThan(0.9);
    expect(run.results!.results.kind).toBe('regression');
    expect(run.results!.split).toBe('validation');
    const progress: EventPayload<'scoring:progress'>[] = [];
    const off = api.onScoringProgress((p) => progress.push(p));
    const scored = await api.scoreFile({ modelId: run.modelId!, input: path, output: join(dir, 'scored.csv') });
    off();
    expect(scored.rows).toBe(120);
    expect(progress.at(-1)).toMatchObject({ done: 120, total: 120, file: path });
    // A larger file is scored in chunks, with progress after each.
    const big = join(dir, 'big.csv');
    await writeFile(big, ['x1,x2', ...Array.from({ length: 45000 }, (_, i) => `${i % 10},${(i * 7) % 13}`)].join('\n') + '\n');
    const chunks: number[] = [];
    const offBig = api.onScoringProgress((p) => chunks.push(p.done));
    expect((await api.scoreFile({ modelId: run.modelId!, input: big, output: join(dir, 'big-scored.csv') })).rows).toBe(45000);
    offBig();
    expect(chunks).toEqual([20000, 40000, 45000]);
    const lines = (await readFile(join(dir, 'scored.csv'), 'utf8')).trim().split('\n');
    expect(lines[0]).toBe('x1,x2,y,prediction');
    const [, , y, prediction] = lines[1].split(',').map(Number);
    expect(Math.abs(prediction - y)).toBeLessThan(2);
  });

  it('stops a run mid-epoch; the stopped model is still usable', async () => {
    const ds = await api.openDataset({ source: { kind: 'bundled', name: 'spirals' } });
    const { runId } = await api.startTraining({ datasetId: ds.id, config: { target: 'label', epochs: 10000, batchSize: 8 } });
    await new Promise<void>((resolve) => {
      const off = api.onTrainingProgress((p) => {
        if (p.runId === runId && p.step > 20) {
          off();
          resolve();
        }
      });
    });
    expect((await api.stopTraining({ runId })).stopped).toBe(true);
    const run = await service.waitForRun(runId);
    expect(run.status).toBe('stopped');
    expect(run.message).toMatch(/^stopped at step \d+ of 440000/);
    expect(run.modelId).not.toBeNull();
  });

  it('resolves automatic epochs and default early stopping into the stored config', async () => {
    const ds = await api.openDataset({ source: { kind: 'bundled', name: 'iris' } });
    const run = await trainToEnd(ds.id, { target: 'species' });
    // 102 training rows, batch 32 → 4 steps per epoch → 500 epochs for 2,000 steps, capped at 200.
    expect(run.config.batchSize).toBe(32);
    expect(run.config.epochs).toBe(200);
    expect(run.config.earlyStopping).toEqual({ monitor: 'validation.loss', mode: 'auto', patience: 10, minDelta: 0, restoreBestWeights: true });
    expect(run.status).toBe('completed');
    expect(run.metrics!.test!.accuracy).toBeGreaterThan(0.9);
    const explicit = await trainToEnd(ds.id, { target: 'species', epochs: 3, earlyStopping: null });
    expect(explicit.config.epochs).toBe(3);
    expect(explicit.config.earlyStopping).toBeNull();
  });

  it('trains on dates, booleans and categories; free text is left out by default', async () => {
    const lines = ['signup,member,plan,comment,churned'];
    for (let i = 0; i < 150; i++) {
      const month = (i % 12) + 1;
      const member = i % 3 === 0 ? 'yes' : 'no';
      lines.push(`2024-${String(month).padStart(2, '0')}-${String((i % 27) + 1).padStart(2, '0')},${member},${['basic', 'pro'][i % 2]},"Note ${i}: the customer said something long about service number ${i * 7}",${member === 'yes' || month > 9 ? 'yes' : 'no'}`);
    }
    const path = join(dir, 'typed.csv');
    await writeFile(path, lines.join('\n') + '\n');
    const ds = await api.openDataset({ source: { kind: 'file', path } });
    expect(ds.columns.map((c) => c.type)).toEqual(['datetime', 'boolean', 'categorical', 'text', 'boolean']);
    const run = await trainToEnd(ds.id, { target: 'churned', epochs: 40, earlyStopping: null, optimizer: { name: 'adam', lr: 0.01 } });
    expect(run.status).toBe('completed');
    expect(run.config.features).toEqual(['signup', 'member', 'plan']);
    expect(run.message).toBeTruthy();
    expect(run.metrics!.test!.accuracy).toBeGreaterThan(0.85);
    const p = await api.predict({ modelId: run.modelId!, rows: [{ signup: '2024-11-02', member: 'no', plan: 'pro' }, { signup: '2024-03-02', member: 'yes', plan: 'basic' }] });
    expect(p.predictions.map((x) => x.prediction)).toEqual(['yes', 'yes']);
  });

  it('column choices reach the run and its export: roles, read-as-categories, robust scaling, a category cap', async () => {
    const lines = ['id,city,floor,size,price'];
    const cities = ['paris', 'rome', 'oslo', 'lima', 'kyiv', 'doha'];
    for (let i = 0; i < 240; i++) lines.push(`${i},${cities[i % 6]},${i % 4},${50 + (i % 37)},${100 + 3 * (50 + (i % 37)) + (i % 6) * 10}`);
    const path = join(dir, 'flats.csv');
    await writeFile(path, lines.join('\n') + '\n');
    const ds = await api.openDataset({ source: { kind: 'file', path } });
    // The summary says what a run does by default, so the renderer need not work it out: id is left
    // out (an identifier); price is predicted by regression, floor (4 whole numbers) as classes.
    expect(Object.fromEntries(ds.columns.map((c) => [c.name, [c.asTarget, c.leftOut]]))).toEqual({
      id: ['regression', 'identifier'],
      city: ['multiclass', null],
      floor: ['multiclass', null],
      size: ['regression', null],
      price: ['regression', null],
    });
    const defaults = await api.planRun({ datasetId: ds.id, config: { target: 'price' } });
    expect(defaults.task).toBe('regression');
    expect(defaults.features).toEqual(['city', 'floor', 'size']);
    const run = await trainToEnd(ds.id, {
      target: 'price',
      epochs: 5,
      earlyStopping: null,
      preprocessing: { scale: 'robust', maxCategories: 3, columns: { floor: { treatAs: 'categorical', maxCategories: 10 }, id: { role: 'feature' }, size: { impute: 'median' } } },
    });
    expect(run.status).toBe('completed');
    expect(run.config.features).toEqual(['id', 'city', 'floor', 'size']); // id kept on request
    const model = await api.getModel({ modelId: run.modelId! });
    const out = join(dir, 'flats-model');
    await api.exportModel({ modelId: model.modelId, dir: out });
    const prep = JSON.parse(await readFile(join(out, 'preprocessing.json'), 'utf8'));
    const byName = Object.fromEntries(prep.features.map((f: { name: string }) => [f.name, f]));
    expect(byName.city).toMatchObject({ kind: 'categorical', other: true });
    expect(byName.city.categories).toHaveLength(3);
    expect(byName.floor).toMatchObject({ kind: 'categorical', categories: ['0', '1', '2', '3'], other: false });
    expect(byName.size).toMatchObject({ kind: 'numeric', impute: 'median', scaling: 'robust' });
    expect(prep.encoded).toContain('city=(other)');
    // An unseen city goes to (other) at prediction time, without an error.
    const p = await api.predict({ modelId: model.modelId, rows: [{ id: '1', city: 'tokyo', floor: '2', size: '60' }] });
    expect(Number.isFinite(p.predictions[0].prediction as number)).toBe(true);
    // Ignoring every feature is refused with a plain message.
    const none = await rejection(
      api.startTraining({ datasetId: ds.id, config: { target: 'price', preprocessing: { columns: { city: { role: 'ignore' }, floor: { role: 'ignore' }, size: { role: 'ignore' } } } } }),
    );
    expect(none.message).toMatch(/no usable feature columns/);
    const unknown = await rejection(api.startTraining({ datasetId: ds.id, config: { target: 'price', preprocessing: { columns: { nope: { role: 'ignore' } } } } }));
    expect(unknown.message).toBe('Column choices name column(s) flats.csv does not have: nope.');
  });

  it('reads with progress events, pages rows for the preview, samples beyond a cap, and can cancel', async () => {
    const lines = ['a,b,y'];
    for (let i = 0; i < 400_000; i++) lines.push(`${i},${i % 13},${i % 2}`);
    const path = join(dir, 'big.csv');
    await writeFile(path, lines.join('\n') + '\n');
    const progress: EventPayload<'dataset:progress'>[] = [];
    const off = api.onDatasetProgress((p) => progress.push(p));
    const ds = await api.openDataset({ source: { kind: 'file', path }, options: { maxRows: 100_000 } });
    off();
    expect(ds.rows).toBe(100_000);
    expect(ds.sample).toEqual({ totalRows: 400_000, maxRows: 100_000 });
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.at(-1)!.bytes).toBe(progress.at(-1)!.totalBytes);
    // Reading (if the parse outlasts a progress poll), then checking: never back; the last one has every row.
    const stages = progress.map((p) => p.stage);
    expect(stages.indexOf('checking')).toBeGreaterThanOrEqual(0);
    expect(stages.slice(stages.indexOf('checking')).every((s) => s === 'checking')).toBe(true);
    expect(progress.at(-1)).toMatchObject({ stage: 'checking', rows: 400_000 });
    const page = await api.datasetRows({ datasetId: ds.id, offset: 99_990, limit: 50 });
    expect(page.rows).toHaveLength(10);
    page.rows.forEach((row, k) => expect(page.lines[k]).toBe(Number(row[0]) + 2));
    // Cancel while reading: the open rejects with 'cancelled' and the next open works.
    const cancelOnFirst = api.onDatasetProgress(() => void api.cancelOpenDataset({}));
    const cancelled = await rejection(api.openDataset({ source: { kind: 'file', path } }));
    cancelOnFirst();
    expect(cancelled.code).toBe('cancelled');
    expect((await api.cancelOpenDataset({})).cancelled).toBe(false);
    const again = await api.openDataset({ source: { kind: 'file', path }, options: { maxRows: 1000 } });
    expect(again.rows).toBe(1000);
    const bad = await rejection(api.openDataset({ source: { kind: 'file', path }, options: { maxRows: 5 } }));
    expect(bad.message).toMatch(/maxRows must be at least 100/);
  });

  it('refuses a second run while one trains', async () => {
    const ds = await api.openDataset({ source: { kind: 'bundled', name: 'moons' } });
    const { runId } = await api.startTraining({ datasetId: ds.id, config: { target: 'label', epochs: 10000 } });
    const busy = await rejection(api.startTraining({ datasetId: ds.id, config: { target: 'label' } }));
    expect(busy.code).toBe('busy');
    expect(busy.message).toBe('A run is already training. Stop it, or wait for it to finish, before starting another.');
    await api.stopTraining({ runId });
    await service.waitForRun(runId);
  });

  it('pauses, resumes and changes the learning rate of a running run, recording each as an event', async () => {
    const ds = await api.openDataset({ source: { kind: 'bundled', name: 'circles' } });
    const statuses: string[] = [];
    const offStatus = api.onTrainingStatus((s) => statuses.push(s.status));
    const { runId } = await api.startTraining({ datasetId: ds.id, config: { target: 'label', epochs: 2000, earlyStopping: null, batchSize: 8, optimizer: { name: 'sgd', lr: 0.05 } } });
    const progressAfter = (step: number) =>
      new Promise<EventPayload<'training:progress'>>((resolve) => {
        const off = api.onTrainingProgress((p) => {
          if (p.runId === runId && p.step > step) {
            off();
            resolve(p);
          }
        });
      });
    await progressAfter(10);
    expect((await api.pauseTraining({ runId })).paused).toBe(true);
    await expect.poll(async () => (await api.getRun({ runId })).status).toBe('paused');
    const rejected = await rejection(api.updateTraining({ runId, lr: -1 }));
    expect(rejected.message).toContain('lr must be > 0, received -1');
    const badHyper = await rejection(api.updateTraining({ runId, optimizer: { momentum: 2 } }));
    expect(badHyper.message).toContain('momentum must be < 1, received 2');
    expect((await api.updateTraining({ runId, lr: 0.2 })).queued).toBe(true);
    expect((await api.resumeTraining({ runId })).resumed).toBe(true);
    const later = await progressAfter((await api.getRun({ runId })).events.at(-1)!.step + 5);
    expect(later.lr).toBe(0.2);
    await api.stopTraining({ runId });
    const run = await service.waitForRun(runId);
    offStatus();
    expect(statuses).toEqual(expect.arrayContaining(['training', 'paused', 'stopped']));
    expect(run.events.map((e) => e.kind)).toEqual(['paused', 'resumed', 'hyperparameters']);
    expect(run.versions.tfjs).toMatch(/^\d+\.\d+/);
    expect(run.versions.tickwork).toBeTruthy();
  });

  it('a run that diverges fails with a plain message, keeps its last checkpoint, and the service stays usable', async () => {
    const csv = ['x,y'];
    for (let i = 0; i < 200; i++) csv.push(`${(i / 10).toFixed(1)},${(i * 1000).toFixed(1)}`);
    const path = join(dir, 'diverge.csv');
    await writeFile(path, csv.join('\n') + '\n');
    const ds = await api.openDataset({ source: { kind: 'file', path } });
    // A sane first epoch, then a learning-rate jump that blows the run up.
    const { runId } = await api.startTraining({ datasetId: ds.id, config: { target: 'y', epochs: 50, earlyStopping: null, batchSize: 10, optimizer: { name: 'sgd', lr: 0.001 } } });
    await new Promise<void>((resolve) => {
      const off = api.onTrainingEpoch((e) => {
        if (e.runId === runId && e.record.epoch === 2) {
          off();
          resolve();
        }
      });
    });
    await api.updateTraining({ runId, lr: 1e9 });
    const run = await service.waitForRun(runId);
    expect(run.status).toBe('failed');
    expect(run.message).toMatch(/The loss became (NaN|Infinity) at step \d+/);
    expect(run.message).toMatch(/Try a lower learning rate/);
    expect(run.message).toMatch(/The model from epoch \d+ \(the last checkpoint\) is kept\./);
    expect(run.modelId).not.toBeNull();
    const p = await api.predict({ modelId: run.modelId!, rows: [{ x: 10 }] });
    expect(Number.isFinite(p.predictions[0].prediction as number)).toBe(true);
    // The next run works.
    const again = await trainToEnd(ds.id, { target: 'y', epochs: 2 });
    expect(again.status).toBe('completed');
  });

  it('races optimizers from the same initial weights and batch order, each with its own progress stream', async () => {
    const ds = await api.openDataset({ source: { kind: 'bundled', name: 'xor' } });
    const first = new Map<string, EventPayload<'training:progress'>>();
    const off = api.onTrainingProgress((p) => {
      if (!first.has(p.runId)) first.set(p.runId, p);
    });
    const { runIds } = await api.startRace({
      datasetId: ds.id,
      config: { target: 'label', epochs: 3, batchSize: 32 },
      optimizers: [{ name: 'sgd', lr: 0.1 }, { name: 'adam' }, { name: 'lion' }],
    });
    expect(runIds).toHaveLength(3);
    const busy = await rejection(api.startTraining({ datasetId: ds.id, config: { target: 'label' } }));
    expect(busy.code).toBe('busy');
    expect(busy.message).toMatch(/^A race is still training \(\d runs?\)\. Stop it \(Compare → Stop race\)/);
    const runs = await Promise.all(runIds.map((id) => service.waitForRun(id)));
    off();
    expect(runs.map((r) => r.status)).toEqual(['completed', 'completed', 'completed']);
    expect(runs.map((r) => r.config.optimizer.name)).toEqual(['sgd', 'adam', 'lion']);
    expect(new Set(runs.map((r) => r.raceId)).size).toBe(1);
    // Step 1's loss is computed before any update: same weights and batch give the same number.
    const step1 = runIds.map((id) => first.get(id)!);
    expect(step1.map((p) => p.step)).toEqual([1, 1, 1]);
    expect(step1[1].loss).toBe(step1[0].loss);
    expect(step1[2].loss).toBe(step1[0].loss);
    // …and the optimizers then diverge.
    expect(runs[0].metrics!.train.loss).not.toBe(runs[1].metrics!.train.loss);
  });

  it('plans a run without training it: encoded inputs, the network with parameter counts, the split and the steps', async () => {
    const iris = await api.openDataset({ source: { kind: 'bundled', name: 'iris' } });
    const plan = await api.planRun({
      datasetId: iris.id,
      config: { target: 'species', model: { hidden: [{ units: 10, batchNorm: true, dropout: 0.2 }, 4] }, batchSize: 17, epochs: 3 },
    });
    expect(plan.task).toBe('multiclass');
    expect(plan.inputs).toHaveLength(4);
    expect(plan.labels).toEqual(['setosa', 'versicolor', 'virginica']);
    expect(plan.network.rows.map((r) => `${r.name}:${r.units}:${r.params}`)).toEqual([
      'input:4:0',
      'dense_1:10:50',
      'bn_1:10:20',
      'dropout_1:10:0',
      'dense_2:4:44',
      'output:3:15',
    ]);
    expect(plan.network.trainable).toBe(129);
    expect(plan.rows.train + plan.rows.validation + plan.rows.test).toBe(150);
    expect(plan.stepsPerEpoch).toBe(Math.ceil(plan.rows.train / 17));
    expect(plan.totalSteps).toBe(3 * plan.stepsPerEpoch);

    // The run records the same parameter count.
    const { runId } = await api.startTraining({ datasetId: iris.id, config: { target: 'species', model: { hidden: [{ units: 10, batchNorm: true, dropout: 0.2 }, 4] }, batchSize: 17, epochs: 3 } });
    expect((await service.waitForRun(runId)).parameters).toBe(plan.network.trainable);

    // The plan fails with the message training would give.
    const bad = await rejection(api.planRun({ datasetId: iris.id, config: { target: 'species', batchSize: 500 } }));
    expect(bad.message).toContain('batchSize 500 is larger than the 102 training rows');
  });

  it('draws the decision surface while training and for the final model; its axes can change', async () => {
    const moons = await api.openDataset({ source: { kind: 'bundled', name: 'moons' } });
    const surfaces: EventPayload<'training:surface'>[] = [];
    let runId = '';
    const off = api.onTrainingSurface((s) => {
      if (s.runId === runId) surfaces.push(s);
    });
    ({ runId } = await api.startTraining({ datasetId: moons.id, config: { target: moons.suggestedTarget!, epochs: 60, optimizer: { name: 'adam', lr: 0.02 } } }));
    await service.waitForRun(runId);
    await expect.poll(() => surfaces.some((s) => s.final), { timeout: 10_000 }).toBe(true);
    off();
    const final = surfaces.find((s) => s.final)!;
    expect(surfaces.filter((s) => !s.final).length).toBeGreaterThan(0);
    expect(final.values).toHaveLength(final.size * final.size);
    expect(final.columns).toEqual(['x1', 'x2']);
    expect([final.x.name, final.y?.name]).toEqual(['x1', 'x2']);
    // The trained model's surface separates the training points it is drawn with.
    const cellOf = (v: number, axis: { min: number; max: number }) => Math.min(final.size - 1, Math.floor(((v - axis.min) / (axis.max - axis.min)) * final.size));
    const agree = final.points.filter((p) => (final.values[cellOf(p.y, final.y!) * final.size + cellOf(p.x, final.x)] >= 0.5 ? 1 : 0) === p.label).length;
    expect(agree / final.points.length).toBeGreaterThan(0.85);

    // Other axes for a finished run: one final event for them; a non-numeric or unknown column is refused by name.
    const iris = await api.openDataset({ source: { kind: 'bundled', name: 'iris' } });
    const irisRun = await api.startTraining({ datasetId: iris.id, config: { target: 'species', epochs: 5 } });
    await service.waitForRun(irisRun.runId);
    const next = new Promise<EventPayload<'training:surface'>>((resolve) => {
      const stop = api.onTrainingSurface((s) => {
        if (s.runId === irisRun.runId && s.x.name === 'petal_length') {
          stop();
          resolve(s);
        }
      });
    });
    await api.setSurfaceAxes({ runId: irisRun.runId, x: 'petal_length', y: 'petal_width' });
    const irisSurface = await next;
    expect(irisSurface.final).toBe(true);
    expect(irisSurface.labels).toEqual(['setosa', 'versicolor', 'virginica']);
    expect(new Set(irisSurface.values).size).toBeGreaterThan(1);
    expect(irisSurface.confidence).toHaveLength(irisSurface.values.length);
    expect(Object.keys(irisSurface.heldAt).sort()).toEqual(['sepal_length', 'sepal_width']);
    const bad = await rejection(api.setSurfaceAxes({ runId: irisRun.runId, x: 'species', y: 'petal_width' }));
    expect(bad.message).toContain('"species" is not one of');
  });

  it('draws a response curve for a run with one numeric input: the fitted curve follows the data', async () => {
    // y = x² on [-2, 2], plus a category that does not matter.
    const lines = ['x,kind,y'];
    for (let i = 0; i < 400; i++) {
      const x = -2 + (4 * i) / 399;
      lines.push(`${x.toFixed(4)},${i % 2 ? 'a' : 'b'},${(x * x).toFixed(4)}`);
    }
    const path = join(dir, 'parabola.csv');
    await writeFile(path, lines.join('\n') + '\n');
    const ds = await api.openDataset({ source: { kind: 'file', path } });
    const curves: EventPayload<'training:surface'>[] = [];
    let runId = '';
    const off = api.onTrainingSurface((s) => {
      if (s.runId === runId) curves.push(s);
    });
    ({ runId } = await api.startTraining({
      datasetId: ds.id,
      config: { target: 'y', epochs: 150, earlyStopping: null, model: { hidden: [32, 32], activation: 'tanh' }, optimizer: { name: 'adam', lr: 0.01 } },
    }));
    await service.waitForRun(runId);
    await expect.poll(() => curves.some((s) => s.final), { timeout: 10_000 }).toBe(true);
    off();
    const final = curves.find((s) => s.final)!;
    expect(final.y).toBeNull();
    expect(final.columns).toEqual(['x']);
    expect(final.values).toHaveLength(final.size);
    expect(final.heldAt).toEqual({ kind: expect.any(String) });
    // Points carry their actual target (both rounded to 4 digits for the picture); the curve passes close to x² along the whole range.
    expect(final.points.every((p) => Math.abs(p.y - p.x * p.x) < 0.01)).toBe(true);
    const at = (i: number) => final.x.min + ((i + 0.5) / final.size) * (final.x.max - final.x.min);
    const inRange = final.values.map((v, i) => [at(i), v]).filter(([x]) => Math.abs(x) <= 2);
    const worst = Math.max(...inRange.map(([x, v]) => Math.abs(v - x * x)));
    expect(worst).toBeLessThan(0.3);
  });

  it('runs the LR finder through the service', async () => {
    const ds = await api.openDataset({ source: { kind: 'bundled', name: 'iris' } });
    const r = await api.findLearningRate({ datasetId: ds.id, config: { target: 'species', batchSize: 16 }, steps: 60 });
    expect(r.lrs.length).toBeGreaterThan(10);
    expect(r.suggestions.minLossOver10).not.toBeNull();
    const bad = await rejection(api.findLearningRate({ datasetId: ds.id, config: { target: 'species' }, minLr: 1, maxLr: 0.1 }));
    expect(bad.message).toContain('maxLr: maxLr must be greater than minLr');
  });

  it('gives one clear message for each kind of bad input', async () => {
    const missing = await rejection(api.openDataset({ source: { kind: 'file', path: join(dir, 'nope.csv') } }));
    expect(missing.code).toBe('not_found');
    expect(missing.message).toContain('File not found');

    const unknown = await rejection(api.openDataset({ source: { kind: 'bundled', name: 'titanic' } }));
    expect(unknown.message).toContain('no bundled dataset named "titanic"');

    const folder = await rejection(api.openDataset({ source: { kind: 'file', path: dir } }));
    expect(folder.message).toContain('is a folder');

    const headerOnly = join(dir, 'header.csv');
    await writeFile(headerOnly, 'a;b;c\n');
    expect((await rejection(api.openDataset({ source: { kind: 'file', path: headerOnly } }))).message).toContain('no data rows');

    const iris = await api.openDataset({ source: { kind: 'bundled', name: 'iris' } });
    const noTarget = await rejection(api.startTraining({ datasetId: iris.id, config: { target: 'colour' } }));
    expect(noTarget.code).toBe('bad_data');
    expect(noTarget.message).toContain('has no column "colour"');

    const dirty = join(dir, 'dirty.csv');
    await writeFile(dirty, 'age,y\n' + Array.from({ length: 20 }, (_, i) => `${i === 5 ? 'forty' : 20 + ((i * 7) % 50)},${i % 2}`).join('\n') + '\n');
    const ds = await api.openDataset({ source: { kind: 'file', path: dirty } });
    const nonNumeric = await rejection(api.startTraining({ datasetId: ds.id, config: { target: 'y' } }));
    expect(nonNumeric.message).toContain('column "age" is numeric but line 7 has "forty"');

    const invalid = await rejection(api.startTraining({ datasetId: iris.id, config: { target: 'species', batchSize: 0 } }));
    expect(invalid.code).toBe('invalid_input');
    expect(invalid.message).toContain('training:start: invalid input — config.batchSize: batchSize must be >= 1, received 0');

    const negativeLr = await rejection(api.startTraining({ datasetId: iris.id, config: { target: 'species', optimizer: { name: 'adamw', lr: -0.1 } } }));
    expect(negativeLr.message).toContain('config.optimizer.lr: lr must be > 0, received -0.1');

    const unknownOptimizer = await rejection(api.startTraining({ datasetId: iris.id, config: { target: 'species', optimizer: { name: 'sophia' } as never } }));
    expect(unknownOptimizer.message).toContain('config.optimizer.name');

    const bigBatch = await rejection(api.startTraining({ datasetId: iris.id, config: { target: 'species', batchSize: 500 } }));
    expect(bigBatch.message).toContain('batchSize 500 is larger than the 102 training rows');

    const longWarmup = await rejection(api.startTraining({ datasetId: iris.id, config: { target: 'species', epochs: 2, batchSize: 52, schedule: { warmupSteps: 10 } } }));
    expect(longWarmup.message).toContain('warmupSteps 10 is not shorter than the whole run (4 steps');

    const weights = await rejection(api.startTraining({ datasetId: iris.id, config: { target: 'species', classWeights: { setosa: 2, rose: 1 } } }));
    expect(weights.message).toContain('classWeights names "rose", which are not classes of the target');
  });
});
