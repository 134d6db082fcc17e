/**
 * The CLI and browser mode never write over what Tickwork did not write, never lose a trained
 * model, and refuse damaged models, zip bombs and runs too large for memory with exit code 2 and
 * a plain message. Every case checks that the user's files outside are unchanged byte for byte.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { zipSync } from 'fflate';
import WebSocket from 'ws';
import { beforeAll, describe, expect, it } from 'vitest';
import { serve } from '../helpers/serve';
import { wsRequest } from '../helpers/ws-request';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
let dir: string;
let workspace: string;
let model: string;

function tickwork(...args: string[]) {
  const r = spawnSync(process.execPath, ['bin/tickwork.js', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, TICKWORK_BACKEND: 'wasm', TICKWORK_WORKSPACE: workspace },
    timeout: 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

async function sha(path: string): Promise<string> {
  return createHash('sha256').update(await readFile(path)).digest('hex');
}

/** sha256 of every file directly in `folder`. */
async function hashes(folder: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const entry of await readdir(folder, { withFileTypes: true })) if (entry.isFile()) out[entry.name] = await sha(join(folder, entry.name));
  return out;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tickwork-safety-'));
  workspace = join(dir, 'workspace');
  model = join(dir, 'iris');
  const r = tickwork('train', '--data', 'iris', '--target', 'species', '--epochs', '5', '--seed', '3', '--out', model, '--json');
  expect(r.code, r.stderr).toBe(0);
}, 120_000);

describe('the CLI never writes over what Tickwork did not write', () => {
  it('export zip / onnx and predict --out refuse a file of the user\'s (exit 2, unchanged); --force replaces it', async () => {
    const docx = join(dir, 'notes.docx');
    const csv = join(dir, 'notes.csv');
    await writeFile(docx, 'my thesis');
    await writeFile(csv, 'a,b\n1,2\n');
    const before = await hashes(dir);
    for (const [args, what] of [
      [['export', '--model', model, '--format', 'zip', '--out', docx], 'a Tickwork model zip'],
      [['export', '--model', model, '--format', 'onnx', '--out', csv], 'an ONNX model exported by Tickwork'],
      [['predict', '--model', model, '--data', 'datasets/iris.csv', '--out', csv], 'a scored file written by Tickwork'],
    ] as const) {
      const r = tickwork(...args);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain(`already exists and is not ${what}`);
      expect(r.stderr).toContain('so it was left as it is. Choose another name, or replace it on purpose (--force');
      expect(r.stderr).not.toContain('unexpected error');
    }
    expect(await hashes(dir)).toEqual(before);
    // An earlier scored file is Tickwork's: scoring again replaces it without --force.
    const scored = join(dir, 'scored.csv');
    expect(tickwork('predict', '--model', model, '--data', 'datasets/iris.csv', '--out', scored).code).toBe(0);
    expect(tickwork('predict', '--model', model, '--data', 'datasets/iris.csv', '--out', scored).code).toBe(0);
    const forced = tickwork('export', '--model', model, '--format', 'zip', '--out', docx, '--force');
    expect(forced.code, forced.stderr).toBe(0);
    expect(await sha(docx)).not.toBe(before['notes.docx']);
    expect(await sha(csv)).toBe(before['notes.csv']);
  });

  it('re-exporting into an earlier export keeps the user\'s other files; train --out refuses a foreign folder before training', async () => {
    const out = join(dir, 'again');
    expect(tickwork('export', '--model', model, '--out', out).code).toBe(0);
    await writeFile(join(out, 'notes.txt'), 'my notes');
    const notes = await sha(join(out, 'notes.txt'));
    const refused = tickwork('export', '--model', model, '--out', out);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('holds an earlier Tickwork export and also files Tickwork did not write: "notes.txt"');
    const forced = tickwork('export', '--model', model, '--out', out, '--force');
    expect(forced.code, forced.stderr).toBe(0);
    expect(await sha(join(out, 'notes.txt'))).toBe(notes);
    expect((await readdir(out)).sort()).toEqual(['README.md', 'metrics.json', 'model.json', 'model.onnx', 'notes.txt', 'preprocessing.json', 'run-config.json', 'split.json', 'weights.bin']);

    const mine = join(dir, 'mine');
    await mkdir(mine);
    await writeFile(join(mine, 'data.xlsx'), 'spreadsheet');
    const started = Date.now();
    const t = tickwork('train', '--data', 'iris', '--target', 'species', '--epochs', '200', '--out', mine);
    expect(t.code).toBe(2);
    expect(t.stderr).toContain(`${mine} already exists and is not a Tickwork export (it holds "data.xlsx")`);
    expect(t.stderr).not.toContain('epoch'); // refused before any training
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(await readdir(mine)).toEqual(['data.xlsx']);
  });
});

describe('race folders', () => {
  it('a race runs again into its own folder, refuses one with the user\'s files before training, and --force keeps them', async () => {
    const out = join(dir, 'race');
    const args = ['race', '--data', 'moons', '--target', 'label', '--optimizers', 'sgd,adam', '--epochs', '2', '--out', out];
    expect(tickwork(...args).code).toBe(0);
    const again = tickwork(...args);
    expect(again.code, again.stderr).toBe(0); // its own exports, curves.csv and race.json are replaced
    await writeFile(join(out, 'mine.txt'), 'mine');
    const refused = tickwork(...args);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`${out} holds files a race did not write ("mine.txt"). Nothing was trained.`);
    expect(tickwork(...args, '--force').code).toBe(0);
    expect(await readFile(join(out, 'mine.txt'), 'utf8')).toBe('mine');
  });
});

describe('a trained model is never lost', () => {
  it('a failed export after training says where the model is kept, and export --model run:ID recovers it', async () => {
    const r = tickwork('train', '--data', 'iris', '--target', 'species', '--epochs', '3', '--out', '/proc/tickwork-cannot-write-here');
    expect(r.code).toBe(2);
    const match = /The run ([0-9a-f-]{36}) finished, but its export failed: .*The run and its model are kept in the workspace \((.+)\); export it again with: tickwork export --model run:\1 --out <folder>/.exec(r.stderr);
    expect(match, r.stderr).not.toBeNull();
    expect(match![2]).toBe(workspace);
    const again = tickwork('export', '--model', `run:${match![1]}`, '--out', join(dir, 'recovered'));
    expect(again.code, again.stderr).toBe(0);
    expect(existsSync(join(dir, 'recovered', 'model.json'))).toBe(true);
  });

  it('SIGTERM during train stops like Ctrl-C: the run ends stopped with its model, kept in the workspace', async () => {
    const child = spawn(process.execPath, ['bin/tickwork.js', 'train', '--data', 'moons', '--target', 'label', '--epochs', '100000', '--early-stopping', '0', '--json'], {
      cwd: ROOT,
      env: { ...process.env, TICKWORK_BACKEND: 'wasm', TICKWORK_WORKSPACE: workspace },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    let stdout = '';
    child.stdout.on('data', (c) => (stdout += c));
    await new Promise<void>((resolve) => {
      child.stderr.on('data', (c) => {
        stderr += c;
        if (/epoch \d+\//.test(stderr)) resolve();
      });
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    const code = await exited;
    expect(code, stderr).toBe(0);
    const summary = JSON.parse(stdout.trim().split('\n').at(-1)!);
    expect(summary.status).toBe('stopped');
    const list = tickwork('runs', 'show', summary.runId, '--json');
    expect(list.code, list.stderr).toBe(0);
    const run = JSON.parse(list.stdout);
    expect(run.status).toBe('stopped');
    expect(tickwork('export', '--model', `run:${summary.runId}`, '--out', join(dir, 'after-sigterm')).code).toBe(0);
  });

  it('temp folders of a process that is gone are removed at the next start', async () => {
    const dead = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' }).stdout.trim();
    const stale = join(tmpdir(), `tickwork-uploads-${dead}-stale1`);
    await mkdir(stale);
    await writeFile(join(stale, 'upload.csv'), 'a\n1\n');
    expect(tickwork('runs', 'list', '--json').code).toBe(0);
    expect(existsSync(stale)).toBe(false);
  });
});

describe('damaged models, zip bombs and oversized runs: exit 2 with a plain message', () => {
  it('a damaged model', async () => {
    const damaged = join(dir, 'damaged');
    expect(tickwork('export', '--model', model, '--out', damaged).code).toBe(0);
    const json = JSON.parse(await readFile(join(damaged, 'model.json'), 'utf8'));
    const kernel = json.weightsManifest[0].weights[0];
    kernel.shape = [...kernel.shape].reverse();
    await writeFile(join(damaged, 'model.json'), JSON.stringify(json));
    const r = tickwork('predict', '--model', damaged, '--data', 'datasets/iris.csv', '--out', join(dir, 'never.csv'));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`The model in ${damaged} is damaged: the weight dense_1/kernel has the shape [${kernel.shape.join(', ')}] but its layer needs [4, ${kernel.shape[0]}]`);
    expect(r.stderr).not.toMatch(/unexpected error|    at /);
    expect(existsSync(join(dir, 'never.csv'))).toBe(false);
  });

  it('a FIFO given as data or as a model is refused at once', async () => {
    const fifo = join(dir, 'rows.csv');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const started = Date.now();
    const data = tickwork('inspect', '--data', fifo);
    expect(data.code).toBe(2);
    expect(data.stderr).toContain(`${fifo} is a named pipe (FIFO), not a data file`);
    const asModel = tickwork('predict', '--model', fifo, '--data', 'datasets/iris.csv', '--out', join(dir, 'never3.csv'));
    expect(asModel.code).toBe(2);
    expect(asModel.stderr).toContain('is not a regular file or folder');
    expect(Date.now() - started).toBeLessThan(30_000);
  });

  it('a zip bomb given to predict --model is refused before inflating', async () => {
    const entries: Record<string, Uint8Array> = {};
    for (const f of ['model.json', 'preprocessing.json']) entries[f] = new Uint8Array(await readFile(join(model, f)));
    entries['weights.bin'] = new Uint8Array(100 * 2 ** 20);
    const bomb = join(dir, 'bomb.zip');
    await writeFile(bomb, zipSync(entries));
    const started = Date.now();
    const r = tickwork('predict', '--model', bomb, '--data', 'datasets/iris.csv', '--out', join(dir, 'never2.csv'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/weights\.bin is compressed [\d,]+:1 .* it looks like a zip bomb and was not unpacked/);
    expect(Date.now() - started).toBeLessThan(30_000);
  });

  it('a network too large for the wasm backend is refused before training, naming the estimate and the limit', () => {
    const r = tickwork('train', '--data', 'iris', '--target', 'species', '--hidden', Array(16).fill('4096').join(','), '--no-workspace', '--out', join(dir, 'never-big'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/This run needs about 4\.\d GiB in one WebAssembly memory \([\d,]+ parameters: weights .*\); the wasm backend holds at most 4\.0 GiB per memory/);
    expect(existsSync(join(dir, 'never-big'))).toBe(false);
  });
});

describe('browser mode writes only under the chosen folders', () => {

  it('refuses an export outside the workspace, downloads, opened-data folders and --allow-dir; allows inside', async () => {
    const allowed = join(dir, 'allowed');
    const outside = join(dir, 'outside');
    await mkdir(allowed);
    await mkdir(outside);
    await writeFile(join(outside, '.bashrc'), 'export PATH=$PATH\n');
    const before = await hashes(outside);
    const server = await serve(['--allow-dir', allowed], { TICKWORK_BACKEND: 'wasm' });
    try {
      const ws = await new Promise<WebSocket>((resolve, reject) => {
        const socket = new WebSocket(`${server.origin.replace('http', 'ws')}/api/ws?token=${server.token}`, { headers: { Origin: server.origin } });
        socket.once('open', () => resolve(socket));
        socket.once('error', reject);
      });
      const loaded = await wsRequest(ws, 1, 'model:load', { dir: model });
      expect(loaded.ok, JSON.stringify(loaded.error)).toBe(true);
      const modelId = loaded.result.modelId;
      const out = await wsRequest(ws, 2, 'model:export', { modelId, dir: join(outside, 'm.zip'), format: 'zip' });
      expect(out.ok).toBe(false);
      expect(out.error!.message).toContain(`${join(outside, 'm.zip')} (the export) is outside them`);
      const scored = await wsRequest(ws, 3, 'model:score-file', { modelId, input: join(ROOT, 'datasets', 'iris.csv'), output: join(outside, '.bashrc'), force: true });
      expect(scored.ok).toBe(false);
      expect(scored.error!.message).toContain('is outside them');
      const inside = await wsRequest(ws, 4, 'model:export', { modelId, dir: join(allowed, 'm.zip'), format: 'zip' });
      expect(inside.ok, JSON.stringify(inside.error)).toBe(true);
      ws.close();
    } finally {
      await server.stop();
    }
    expect(await hashes(outside)).toEqual(before);
    expect(existsSync(join(allowed, 'm.zip'))).toBe(true);
  });
});
