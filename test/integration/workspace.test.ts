/**
 * The workspace keeps everything: runs recorded as they train (so a kill -9 leaves them
 * `interrupted` with their committed epochs and a checkpoint that predicts), several processes
 * on one workspace, a service restarted on the same folder, migrations and refusals.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, readdirSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createNodeService } from '../../service/runtime';
import { inMemoryApi } from '../../service/in-memory-transport';
import { DB_FILE, MIGRATIONS, SCHEMA_V1, SCHEMA_VERSION } from '../../service/workspace/database';
import { Workspace } from '../../service/workspace/workspace';
import { rejected, thrown } from '../helpers/errors';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tickwork-ws-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const cliEnv = (workspace: string) => ({ ...process.env, TICKWORK_BACKEND: 'wasm', TICKWORK_WORKSPACE: workspace });

function tickwork(workspace: string, ...args: string[]) {
  const r = spawnSync(process.execPath, ['bin/tickwork.js', ...args], { cwd: ROOT, encoding: 'utf8', env: cliEnv(workspace), timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, last: r.stdout.trim().split('\n').at(-1) ?? '' };
}

/** A training CLI run in the background; resolves when its stderr matches `until`. */
function startTraining(workspace: string, args: string[], until: RegExp) {
  const child = spawn(process.execPath, ['bin/tickwork.js', 'train', ...args], { cwd: ROOT, env: cliEnv(workspace), stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  let stdout = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c));
  const reached = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${until} in 60 s:\n${stderr}`)), 60_000);
    child.stderr.on('data', (c: Buffer) => {
      stderr += c;
      if (until.test(stderr)) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, reached, exited, output: () => ({ stdout, stderr }) };
}

async function moonsCsv(): Promise<string> {
  const path = join(dir, 'points.csv');
  const rows = Array.from({ length: 400 }, (_, i) => {
    const a = (i / 400) * Math.PI * 2;
    return `${Math.cos(a).toFixed(4)},${Math.sin(a).toFixed(4)},${i % 2}`;
  });
  await writeFile(path, `x1,x2,label\n${rows.join('\n')}\n`);
  return path;
}

describe('workspace: runs survive the process', () => {
  it('a CLI training killed with SIGKILL is interrupted, keeps its committed epochs, and its checkpoint predicts', async () => {
    const data = await moonsCsv();
    const run = startTraining(dir, ['--data', data, '--target', 'label', '--epochs', '5000', '--early-stopping', '0', '--batch-size', '8'], /epoch 4\/5000/);
    await run.reached;
    run.child.kill('SIGKILL');
    await run.exited;

    const listed = tickwork(dir, 'runs', 'list', '--json');
    expect(listed.code, listed.stderr).toBe(0);
    const [row] = JSON.parse(listed.last).runs;
    expect(row.status).toBe('interrupted');
    expect(row.epochs).toBeGreaterThanOrEqual(3);
    expect(row.name).toBe('#1 adam lr 0.001');

    const shown = tickwork(dir, 'runs', 'show', row.id.slice(0, 8), '--json');
    const full = JSON.parse(shown.last);
    expect(full.history.length).toBe(row.epochs);
    expect(full.message).toMatch(/interrupted.*committed epoch/);

    const scored = join(dir, 'scored.csv');
    const predicted = tickwork(dir, 'predict', '--model', `run:${row.id.slice(0, 10)}`, '--data', data, '--out', scored);
    expect(predicted.code, predicted.stderr).toBe(0);
    const lines = (await readFile(scored, 'utf8')).trim().split('\n');
    expect(lines[0]).toBe('x1,x2,label,prediction,probability_0,probability_1');
    expect(lines).toHaveLength(401);
  }, 120_000);

  it('two CLI trainings started together into one workspace are both recorded completely', async () => {
    const a = startTraining(dir, ['--data', 'iris', '--target', 'species', '--epochs', '15', '--seed', '1', '--json'], /$^/);
    const b = startTraining(dir, ['--data', 'moons', '--target', 'label', '--epochs', '12', '--seed', '2', '--json'], /$^/);
    a.reached.catch(() => undefined);
    b.reached.catch(() => undefined);
    expect(await a.exited, a.output().stderr).toBe(0);
    expect(await b.exited, b.output().stderr).toBe(0);
    const ids = [JSON.parse(a.output().stdout.trim().split('\n').at(-1)!).runId, JSON.parse(b.output().stdout.trim().split('\n').at(-1)!).runId];

    const { runs } = JSON.parse(tickwork(dir, 'runs', 'list', '--json').last);
    expect(runs.map((r: { id: string }) => r.id).sort()).toEqual([...ids].sort());
    const byId = Object.fromEntries(runs.map((r: { id: string }) => [r.id, r]));
    expect(byId[ids[0]]).toMatchObject({ status: 'completed', epochs: 15, dataset: 'iris' });
    expect(byId[ids[1]]).toMatchObject({ status: 'completed', epochs: 12, dataset: 'moons' });
    expect(new Set(runs.map((r: { name: string }) => r.name.split(' ')[0]))).toEqual(new Set(['#1', '#2']));
    const filtered = JSON.parse(tickwork(dir, 'runs', 'list', '--json', '--dataset', 'moons').last).runs;
    expect(filtered.map((r: { id: string }) => r.id)).toEqual([ids[1]]);
  }, 120_000);

  it('a service restarted on the same folder has the runs, their models and the datasets it opened', async () => {
    const first = createNodeService({ backend: 'wasm', workspace: dir });
    const api = inMemoryApi(first);
    const data = await api.openDataset({ source: { kind: 'bundled', name: 'iris' } });
    await api.saveDatasetChoices({ datasetId: data.id, choices: { target: 'species', task: null, preprocessing: { scale: 'robust' } } });
    const { runId } = await api.startTraining({ datasetId: data.id, config: { target: 'species', epochs: 8, seed: 3 } });
    const done = await first.waitForRun(runId);
    const before = await api.predict({ modelId: done.modelId!, rows: [{ sepal_length: 6.7, sepal_width: 3, petal_length: 5.2, petal_width: 2.3 }] });
    await api.saveState({ key: 'app', state: { shownRun: runId } });
    await first.dispose();

    const second = createNodeService({ backend: 'wasm', workspace: dir });
    try {
      const again = inMemoryApi(second);
      const [row] = await again.listRuns({});
      expect(row).toMatchObject({ runId, status: 'completed', epochsRun: 8, name: '#1 adam lr 0.001', datasetName: 'iris' });
      expect(row.best?.epoch).toBeGreaterThan(0);
      const run = await again.getRun({ runId });
      expect(run.history).toHaveLength(8);
      expect(run.results?.epoch).toBeGreaterThan(0);
      // Its timeline: every epoch, each with its metrics, Results and decision surface as they were.
      expect((await again.runTimeline({ runId })).epochs).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
      const third = await again.runSnapshot({ runId, epoch: 3 });
      expect(third.record).toEqual(run.history[2]);
      expect(third.results).toMatchObject({ epoch: 3, final: false, results: { kind: 'classification' } });
      expect(third.surface?.size).toBeGreaterThan(0);
      expect((await rejected(again.runSnapshot({ runId, epoch: 99 }))).message).toMatch(/no snapshot of epoch 99/);
      const model = await again.loadModel({ dir: `run:${runId}` });
      expect(model.modelId).toBe(done.modelId);
      const after = await again.predict({ modelId: model.modelId, rows: [{ sepal_length: 6.7, sepal_width: 3, petal_length: 5.2, petal_width: 2.3 }] });
      expect(after).toEqual(before);
      expect((await again.getSavedState({ key: 'app' })).state).toEqual({ shownRun: runId });
      const [known] = await again.recentDatasets({});
      expect(known).toMatchObject({ id: data.id, name: 'iris' });
      const reopened = await again.reopenDataset({ datasetId: data.id });
      expect(reopened.id).toBe(data.id);
      expect(reopened.choices).toEqual({ target: 'species', task: null, preprocessing: { scale: 'robust' } });
      expect(reopened.changed).toBeNull();
      // A second run gets the next number; renaming, tagging and deleting work on the stored run.
      const renamed = await again.updateRun({ runId: runId.slice(0, 7), name: 'baseline', tags: ['keep', 'keep', 'iris'] });
      expect(renamed).toMatchObject({ name: 'baseline', tags: ['keep', 'iris'] });
      await again.deleteRun({ runId });
      expect(await again.listRuns({})).toEqual([]);
      expect(existsSync(join(dir, 'models', done.modelId!))).toBe(false);
    } finally {
      await second.dispose();
    }
  }, 60_000);

  it('when the disk fills up while a run records, the run stops and fails with the reason; what was committed stays readable', async () => {
    const workspace = Workspace.open(dir);
    const service = createNodeService({ backend: 'wasm', workspace });
    try {
      const api = inMemoryApi(service);
      const commit = workspace.runs.commitEpoch.bind(workspace.runs);
      let commits = 0;
      workspace.runs.commitEpoch = (...args) => {
        if (++commits > 2) throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
        commit(...args);
      };
      const data = await api.openDataset({ source: { kind: 'bundled', name: 'moons' } });
      const { runId } = await api.startTraining({ datasetId: data.id, config: { target: 'label', epochs: 2000, earlyStopping: null } });
      const run = await service.waitForRun(runId);
      expect(run.status).toBe('failed');
      expect(run.message).toMatch(/could not be recorded in the workspace \(the disk is full\)\. It was stopped; everything recorded before stays readable/);
      expect(run.history.length).toBeLessThan(2000);
      const stored = workspace.runs.get(runId);
      expect(stored.status).toBe('failed');
      expect(stored.history.map((h) => h.epoch)).toEqual([1, 2]);
      // Its model is the checkpoint of the last committed-or-kept epoch, and it predicts.
      expect(run.modelId).not.toBeNull();
    } finally {
      await service.dispose();
    }
  }, 60_000);

  it('says when a file changed since it was last opened, and when it moved', async () => {
    const service = createNodeService({ backend: 'wasm', workspace: dir });
    try {
      const api = inMemoryApi(service);
      const path = join(dir, 'data.csv');
      await writeFile(path, 'a,b\n1,x\n2,y\n3,x\n');
      const first = await api.openDataset({ source: { kind: 'file', path } });
      expect(first.changed).toBeNull();
      await writeFile(path, 'a,b\n1,x\n2,y\n3,x\n4,y\n');
      const second = await api.openDataset({ source: { kind: 'file', path } });
      expect(second.id).toBe(first.id);
      expect(second.changed).toMatch(/data\.csv has changed since it was last opened.*rows 3 → 4/);
      await rm(path);
      const err = await rejected(api.reopenDataset({ datasetId: first.id }));
      expect(err.message).toMatch(/data\.csv is no longer at .*data\.csv \(moved or deleted/);
    } finally {
      await service.dispose();
    }
  });

  it('refuses an unknown or ambiguous run id, and deleting a run that is still training', async () => {
    const service = createNodeService({ backend: 'wasm', workspace: dir });
    try {
      const api = inMemoryApi(service);
      const data = await api.openDataset({ source: { kind: 'bundled', name: 'moons' } });
      const { runId } = await api.startTraining({ datasetId: data.id, config: { target: 'label', epochs: 3000, earlyStopping: null } });
      expect((await rejected(api.deleteRun({ runId }))).message).toMatch(/still training. Stop it first/);
      await api.stopTraining({ runId });
      await service.waitForRun(runId);
      expect((await rejected(api.getRun({ runId: 'ffffffffff' }))).message).toMatch(/No run with id ffffffffff/);
      expect((await rejected(api.getRun({ runId: 'ab' }))).message).toMatch(/too short: give at least 6 characters/);
      expect((await api.deleteRun({ runId })).deleted).toBe(true);
    } finally {
      await service.dispose();
    }
  }, 60_000);
});

describe('workspace: opening the database', () => {
  it('migrates the first schema (keeping a backup) and keeps what it held', () => {
    const file = join(dir, DB_FILE);
    const v1 = new Database(file);
    v1.exec(SCHEMA_V1);
    v1.pragma('user_version = 1');
    v1.prepare(
      `INSERT INTO runs (id, seq, name, dataset_name, status, message, config_json, versions_json, parameters, started_at)
       VALUES ('r1', 1, '#1 adam lr 0.001', 'iris', 'completed', 'completed 3 epoch(s)', ?, '{}', 10, '2026-11-01T00:00:00.000Z')`,
    ).run(JSON.stringify({ task: 'binary', target: 'y', optimizer: { name: 'adam', lr: 0.001 }, schedule: { kind: 'constant', warmupSteps: 0 }, batchSize: 32, epochs: 3, model: { hidden: [8] }, seed: 1 }));
    v1.close();

    const workspace = Workspace.open(dir);
    try {
      expect(workspace.info.note).toMatch(new RegExp(`upgraded from schema 1 to ${SCHEMA_VERSION}; the old database was kept as .*workspace\\.db\\.v1\\.bak`));
      const [row] = workspace.runs.list();
      expect(row).toMatchObject({ runId: 'r1', name: '#1 adam lr 0.001', tags: [], notes: '', origin: 'local', status: 'completed' });
      expect(existsSync(`${file}.v1.bak`)).toBe(true);
      const backup = new Database(`${file}.v1.bak`, { readonly: true });
      expect(backup.pragma('user_version', { simple: true })).toBe(1);
      backup.close();
    } finally {
      workspace.close();
    }
    const reopened = new Database(file, { readonly: true });
    expect(reopened.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    reopened.close();
  });

  it('opens a schema-2 workspace (epochs without wall time): its runs list, their epochs read with the time not known', () => {
    const file = join(dir, DB_FILE);
    const v2 = new Database(file);
    for (const m of MIGRATIONS.filter((m) => m.version <= 2)) v2.exec(m.sql);
    v2.pragma('user_version = 2');
    v2.prepare(
      `INSERT INTO runs (id, seq, name, dataset_name, status, message, config_json, versions_json, parameters, started_at)
       VALUES ('r2', 1, '#1 sgd lr 0.1', 'moons', 'completed', 'completed 2 epoch(s)', ?, '{}', 10, '2026-11-02T00:00:00.000Z')`,
    ).run(JSON.stringify({ task: 'binary', target: 'y', optimizer: { name: 'sgd', lr: 0.1 }, schedule: { kind: 'constant', warmupSteps: 0 }, batchSize: 32, epochs: 2, model: { hidden: [8] }, seed: 1 }));
    const epoch = v2.prepare('INSERT INTO epochs (run_id, epoch, step, train_json, validation_json) VALUES (?, ?, ?, ?, ?)');
    epoch.run('r2', 1, 10, JSON.stringify({ loss: 0.6 }), JSON.stringify({ loss: 0.65 }));
    epoch.run('r2', 2, 20, JSON.stringify({ loss: 0.4 }), JSON.stringify({ loss: 0.45 }));
    v2.close();

    const workspace = Workspace.open(dir);
    try {
      expect(workspace.info.note).toMatch(new RegExp(`upgraded from schema 2 to ${SCHEMA_VERSION}; the old database was kept as .*workspace\\.db\\.v2\\.bak`));
      expect(workspace.runs.list().map((r) => [r.runId, r.name, r.epochsRun])).toEqual([['r2', '#1 sgd lr 0.1', 2]]);
      const run = workspace.runs.get('r2');
      expect(run.history.map((h) => [h.epoch, h.step, h.validation?.loss, h.elapsedS])).toEqual([
        [1, 10, 0.65, null],
        [2, 20, 0.45, null],
      ]);
      // New epochs of the upgraded workspace keep their time.
      workspace.runs.commitEpoch('r2', { epoch: 3, step: 30, train: { loss: 0.3 }, validation: { loss: 0.35 }, elapsedS: 1.25 }, [], null);
      expect(workspace.runs.get('r2').history.at(-1)?.elapsedS).toBe(1.25);
    } finally {
      workspace.close();
    }
  });

  it('refuses a database from a newer Tickwork and leaves it untouched', () => {
    const file = join(dir, DB_FILE);
    const db = new Database(file);
    db.exec('CREATE TABLE future (x)');
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    const before = createHash('sha256').update(readFileSync(file)).digest('hex');
    const err = thrown(() => Workspace.open(dir));
    expect(err.message).toContain(`written by a newer Tickwork (workspace schema ${SCHEMA_VERSION + 1}; this version reads up to ${SCHEMA_VERSION}). It was left untouched`);
    expect(createHash('sha256').update(readFileSync(file)).digest('hex')).toBe(before);
    expect(readdirSync(dir)).toEqual([DB_FILE]);
    // The CLI says the same in one line, with exit code 2.
    const r = tickwork(dir, 'runs', 'list');
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('refuses a path that is a file, and a database file that is not SQLite, leaving both as they are', async () => {
    const notAFolder = join(dir, 'notes.txt');
    await writeFile(notAFolder, 'my notes');
    expect(thrown(() => Workspace.open(notAFolder)).message).toMatch(/is a file, not a folder/);
    expect(await readFile(notAFolder, 'utf8')).toBe('my notes');

    const ws = join(dir, 'ws');
    const r0 = tickwork(ws, 'runs', 'list'); // creates it
    expect(r0.code, r0.stderr).toBe(0);
    await rm(ws, { recursive: true });
    await import('node:fs/promises').then((fs) => fs.mkdir(ws));
    await writeFile(join(ws, DB_FILE), 'this is not a database, it is a shopping list');
    const err = thrown(() => Workspace.open(ws));
    expect(err.message).toMatch(/is not a Tickwork workspace database \(it is not a SQLite file\)\. It was left as it is\. Move it aside \(for example: mv /);
    expect(await readFile(join(ws, DB_FILE), 'utf8')).toBe('this is not a database, it is a shopping list');
  });

  it('a read-only workspace: its runs can be read and their models used, a new run trains but is not recorded', async () => {
    const service = createNodeService({ backend: 'wasm', workspace: dir });
    const api = inMemoryApi(service);
    const data = await api.openDataset({ source: { kind: 'bundled', name: 'iris' } });
    const { runId } = await api.startTraining({ datasetId: data.id, config: { target: 'species', epochs: 3 } });
    await service.waitForRun(runId);
    await service.dispose();
    const before = createHash('sha256').update(readFileSync(join(dir, DB_FILE))).digest('hex');

    const ro = createNodeService({ backend: 'wasm', workspace: Workspace.open(dir, { readOnly: true }) });
    try {
      const roApi = inMemoryApi(ro);
      const info = await roApi.appInfo({});
      expect(info.workspace.readOnly).toBe(true);
      expect(info.workspace.note).toMatch(/read-only: its runs and models can be viewed and used, but new runs are not recorded/);
      expect((await roApi.listRuns({})).map((r) => r.runId)).toEqual([runId]);
      const model = await roApi.loadModel({ dir: `run:${runId}` });
      expect((await roApi.predict({ modelId: model.modelId, rows: [{ sepal_length: 5, sepal_width: 3.4, petal_length: 1.5, petal_width: 0.2 }] })).predictions).toHaveLength(1);
      const again = await roApi.openDataset({ source: { kind: 'bundled', name: 'iris' } });
      const second = await roApi.startTraining({ datasetId: again.id, config: { target: 'species', epochs: 2 } });
      expect((await ro.waitForRun(second.runId)).status).toBe('completed');
      expect(await roApi.listRuns({})).toHaveLength(1);
    } finally {
      await ro.dispose();
    }
    expect(createHash('sha256').update(readFileSync(join(dir, DB_FILE))).digest('hex')).toBe(before);
  }, 60_000);

  it.skipIf(process.getuid?.() === 0)('notices by itself a workspace folder it cannot write (skipped as root, who can write anywhere)', async () => {
    Workspace.open(dir).close();
    chmodSync(dir, 0o555);
    try {
      const ro = Workspace.open(dir);
      expect(ro.info.readOnly).toBe(true);
      ro.close();
    } finally {
      chmodSync(dir, 0o755);
    }
  });
});
