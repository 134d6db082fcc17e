/**
 * `tickwork serve-model` as an operator runs it: a live service on loopback, driven over HTTP.
 * Its answers are compared with `tickwork predict` on the same rows, its /metrics read as
 * Prometheus text, its alerts received by a webhook server, and its shutdown watched.
 */
import { spawnSync } from 'node:child_process';
import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { createServer, request, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePrometheusText, sampleValue } from '../helpers/prometheus-text';
import { serveModel, type ServedModel } from '../helpers/serve-model';
import { startModelServer } from '../../service/model-server/supervisor';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

interface Predicted {
  prediction: string;
  probabilities: Record<string, number>;
  warnings: string[];
}
/** What the service answers (a predict answer, an error, a list or a card), read loosely. */
interface Answer {
  predictions: Predicted[];
  warnings: string[];
  error: { code: string; message: string; columns?: string[]; rows?: number; limitRows?: number };
  models: Array<{ name: string; task: string; labels: string[] | null; inputs: string[] }>;
  inputs: Array<{ name: string; drift: string }>;
  metrics: { test: Record<string, number> };
  version: { id: string };
  example: { rows: Array<Record<string, unknown>> };
}
const json = async (res: Response | Promise<Response>) => (await (await res).json()) as Answer;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function tickwork(...args: string[]) {
  const r = spawnSync(process.execPath, ['bin/tickwork.js', ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, TICKWORK_BACKEND: 'wasm' }, timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A CSV as header + rows of strings (the files here have no quoted fields). */
function readCsv(text: string): { header: string[]; rows: string[][] } {
  const [head, ...lines] = text.trim().split('\n');
  return { header: head.split(','), rows: lines.map((l) => l.split(',')) };
}

/** A seeded binary dataset: numeric a, b in [0, 1), a colour, target yes/no. */
function binaryCsv(rows: number, seed: number, shiftA = 0): string {
  let s = seed;
  const rand = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const colours = ['red', 'green', 'blue'];
  const out = ['a,b,colour,churn'];
  for (let i = 0; i < rows; i++) {
    const a = rand();
    const b = rand();
    const colour = colours[Math.floor(rand() * 3)];
    const score = a + 0.5 * b + (colour === 'red' ? 0.3 : 0) + 0.3 * (rand() - 0.5);
    out.push(`${(a + shiftA).toFixed(4)},${b.toFixed(4)},${colour},${score > 0.95 ? 'yes' : 'no'}`);
  }
  return out.join('\n') + '\n';
}

let dir: string;
let server: ServedModel;
let hook: Server;
let hookUrl: string;
const notices: Array<Record<string, unknown>> = [];

const auth = () => ({ authorization: `Bearer ${server.token}` });
const predict = (model: string, body: string, type = 'application/json') =>
  fetch(`${server.url}/v1/models/${model}/predict`, { method: 'POST', headers: { ...auth(), 'content-type': type }, body });
const metrics = async () => parsePrometheusText(await (await fetch(`${server.url}/metrics`, { headers: auth() })).text());
/** The service still answers a good request. */
async function stillAnswers(): Promise<void> {
  const res = await predict('iris', JSON.stringify({ rows: [{ sepal_length: 5.1, sepal_width: 3.5, petal_length: 1.4, petal_width: 0.2 }] }));
  expect(res.status).toBe(200);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tickwork-serve-model-'));
  await writeFile(join(dir, 'churn.csv'), binaryCsv(600, 11));
  const iris = tickwork('train', '--data', 'iris', '--target', 'species', '--epochs', '25', '--lr', '0.02', '--seed', '3', '--out', join(dir, 'iris'));
  expect(iris.code, iris.stderr).toBe(0);
  const churn = tickwork('train', '--data', join(dir, 'churn.csv'), '--target', 'churn', '--epochs', '30', '--lr', '0.01', '--seed', '5', '--out', join(dir, 'churn'));
  expect(churn.code, churn.stderr).toBe(0);
  const zip = tickwork('export', '--model', join(dir, 'churn'), '--format', 'zip', '--out', join(dir, 'churn.zip'));
  expect(zip.code, zip.stderr).toBe(0);
  // The same binary model with a saved decision threshold (what issue 13 will write).
  await cp(join(dir, 'churn'), join(dir, 'strict'), { recursive: true });
  const prep = JSON.parse(await readFile(join(dir, 'strict', 'preprocessing.json'), 'utf8'));
  await writeFile(join(dir, 'strict', 'preprocessing.json'), JSON.stringify({ ...prep, threshold: 0.8 }));
  // An export from before training histograms were saved.
  await cp(join(dir, 'iris'), join(dir, 'old'), { recursive: true });
  const old = JSON.parse(await readFile(join(dir, 'old', 'preprocessing.json'), 'utf8'));
  for (const f of old.features) delete f.bins;
  await writeFile(join(dir, 'old', 'preprocessing.json'), JSON.stringify(old));

  hook = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      notices.push(JSON.parse(body));
      res.end();
    });
  });
  await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
  hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/alerts`;
  server = await serveModel([
    '--model', join(dir, 'iris'),
    '--model', join(dir, 'churn.zip'),
    '--model', join(dir, 'strict'),
    '--model', `legacy=${join(dir, 'old')}`,
    '--max-rows', '700', '--max-body-mb', '1', '--drift-window', '500',
    '--alert-psi', '0.2', '--alert-webhook', hookUrl,
  ]);
}, 180_000);

afterAll(async () => {
  await server?.stop();
  hook?.close();
});

describe('tickwork serve-model', () => {
  it('prints the URL and a token, and needs the token everywhere but the health checks', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    expect(await (await fetch(`${server.url}/readyz`)).json()).toEqual({ status: 'ready' });
    for (const path of ['/v1/models', '/v1/models/iris', '/metrics']) {
      const res = await fetch(`${server.url}${path}`);
      expect(res.status, path).toBe(401);
      expect(res.headers.get('www-authenticate')).toContain('Bearer');
    }
    const wrong = await fetch(`${server.url}/v1/models/iris/predict`, { method: 'POST', headers: { authorization: `Bearer ${server.token.slice(0, -1)}x`, 'content-type': 'application/json' }, body: '{"rows":[]}' });
    expect(wrong.status).toBe(401);
    expect(server.output()).not.toContain('warning: listening');
  });

  it('lists the models and answers each model card', async () => {
    const list = await json(fetch(`${server.url}/v1/models`, { headers: auth() }));
    expect(list.models.map((m) => m.name)).toEqual(['iris', 'churn', 'strict', 'legacy']);
    expect(list.models[0]).toEqual({ name: 'iris', task: 'multiclass', labels: ['setosa', 'versicolor', 'virginica'], inputs: ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'] });
    const card = await json(fetch(`${server.url}/v1/models/strict`, { headers: auth() }));
    expect(card).toMatchObject({ name: 'strict', task: 'binary', labels: ['no', 'yes'], threshold: 0.8, positiveLabel: 'yes', endpoint: '/v1/models/strict/predict' });
    expect(card.inputs.map((i) => [i.name, i.drift])).toEqual([['a', 'psi'], ['b', 'psi'], ['colour', 'psi']]);
    expect(card.metrics.test).toHaveProperty('accuracy');
    expect(card.version.id).toMatch(/^[0-9a-f]{16}$/);
    expect(card.example.rows[0]).toHaveProperty('colour');
    expect((await fetch(`${server.url}/v1/models/nope`, { headers: auth() })).status).toBe(404);
  });

  it('the export\'s model card shows the command and a request that the service accepts', async () => {
    const readme = await readFile(join(dir, 'churn', 'README.md'), 'utf8');
    expect(readme).toContain('npx tickwork serve-model --model model=.');
    expect(readme).toContain('http://127.0.0.1:8780/v1/models/model/predict');
    const example = /-d '(.*)' \\$/m.exec(readme)![1];
    const res = await predict('churn', example);
    expect(res.status).toBe(200);
    expect((await json(res)).predictions).toHaveLength(1);
  });

  it('answers exactly what tickwork predict writes, for a CSV body and for JSON rows sent concurrently', async () => {
    for (const [model, exportDir, data] of [['iris', join(dir, 'iris'), join(ROOT, 'datasets/iris.csv')], ['churn', join(dir, 'churn.zip'), join(dir, 'churn.csv')]] as const) {
      const scored = join(dir, `${model}-scored.csv`);
      const p = tickwork('predict', '--model', exportDir, '--data', data, '--out', scored);
      expect(p.code, p.stderr).toBe(0);
      const expected = readCsv(await readFile(scored, 'utf8'));
      const at = (name: string) => expected.header.indexOf(name);
      const labels = expected.header.filter((h) => h.startsWith('probability_')).map((h) => h.slice('probability_'.length));
      const check = (predictions: Predicted[], from: number) => {
        predictions.forEach((got, i) => {
          const want = expected.rows[from + i];
          expect(got.prediction, `${model} row ${from + i}`).toBe(want[at('prediction')]);
          for (const label of labels) expect(got.probabilities[label], `${model} row ${from + i} ${label}`).toBe(Number(want[at(`probability_${label}`)]));
        });
      };
      // CSV: the whole file as the body.
      const csv = await predict(model, await readFile(data, 'utf8'), 'text/csv');
      expect(csv.status).toBe(200);
      const csvBody = await json(csv);
      expect(csvBody.predictions).toHaveLength(expected.rows.length);
      check(csvBody.predictions, 0);
      // JSON: the same rows in requests of 1, 7 and 50 rows, all in flight at once (they share forward passes).
      const { header, rows } = readCsv(await readFile(data, 'utf8'));
      const inputs = header.slice(0, -1);
      const asJson = (r: string[]) => Object.fromEntries(inputs.map((name, c) => [name, Number.isNaN(Number(r[c])) ? r[c] : Number(r[c])]));
      const chunks: Array<[number, number]> = [];
      for (let start = 0, k = 0; start < rows.length; k++) {
        const size = [1, 7, 50][k % 3];
        chunks.push([start, Math.min(rows.length, start + size)]);
        start += size;
      }
      const answers = await Promise.all(chunks.map(([s, e]) => predict(model, JSON.stringify({ rows: rows.slice(s, e).map(asJson) })).then(json)));
      answers.forEach((a, i) => check(a.predictions, chunks[i][0]));
    }
  });

  it('runs a burst of concurrent requests in fewer forward passes than requests (micro-batching)', async () => {
    const before = await metrics();
    const count = (f: typeof before, name: string, labels: Record<string, string>) => sampleValue(f, name, labels) ?? 0;
    const row = { sepal_length: 5.9, sepal_width: 3, petal_length: 5.1, petal_width: 1.8 };
    const answers = await Promise.all(Array.from({ length: 100 }, () => predict('iris', JSON.stringify({ rows: [row] }))));
    expect(answers.map((a) => a.status)).toEqual(Array(100).fill(200));
    const after = await metrics();
    const passes = count(after, 'tickwork_forward_pass_rows_count', { model: 'iris' }) - count(before, 'tickwork_forward_pass_rows_count', { model: 'iris' });
    const rows = count(after, 'tickwork_forward_pass_rows_sum', { model: 'iris' }) - count(before, 'tickwork_forward_pass_rows_sum', { model: 'iris' });
    expect(rows).toBe(100);
    expect(passes).toBeLessThan(100);
  });

  it('applies the saved decision threshold of a binary model', async () => {
    const rows = readCsv(binaryCsv(300, 99)).rows.map(([a, b, colour]) => ({ a: Number(a), b: Number(b), colour }));
    const body = JSON.stringify({ rows });
    const [plain, strict] = await Promise.all([json(predict('churn', body)), json(predict('strict', body))]);
    let flipped = 0;
    strict.predictions.forEach((s, i) => {
      const p = s.probabilities.yes;
      expect(p).toBe(plain.predictions[i].probabilities.yes); // same model, same probabilities
      expect(s.prediction).toBe(p >= 0.8 ? 'yes' : 'no');
      expect(plain.predictions[i].prediction).toBe(p >= 0.5 ? 'yes' : 'no');
      if (p >= 0.5 && p < 0.8) flipped++;
    });
    expect(flipped).toBeGreaterThan(0);
  });

  it('answers per-row and per-request warnings for unseen categories and far-out values', async () => {
    const res = await predict('churn', JSON.stringify({ rows: [{ a: 0.5, b: 0.5, colour: 'red' }, { a: 9, b: 0.5, colour: 'purple', note: 'x' }] }));
    const body = await json(res);
    expect(body.predictions[0].warnings).toEqual([]);
    expect(body.predictions[1].warnings).toHaveLength(2);
    expect(body.predictions[1].warnings.join(' ')).toMatch(/"a".*far outside.*"purple" was not seen/);
    expect(body.warnings.join(' ')).toContain('note');
    expect(body.warnings.join(' ')).toContain('at row 2');
  });

  it('refuses bad requests with clear 4xx answers and keeps answering', async () => {
    const missing = await predict('iris', JSON.stringify({ rows: [{ sepal_length: 5 }] }));
    expect(missing.status).toBe(400);
    const m = await json(missing);
    expect(m.error.code).toBe('missing_columns');
    expect(m.error.columns).toEqual(['sepal_width', 'petal_length', 'petal_width']);
    await stillAnswers();
    const csvMissing = await predict('iris', 'sepal_length,petal_length\n5,1\n', 'text/csv');
    expect((await json(csvMissing)).error.columns).toEqual(['sepal_width', 'petal_width']);
    await stillAnswers();
    for (const body of ['{"rows": [', 'not json', '{"data": []}']) {
      const res = await predict('iris', body);
      expect(res.status, body).toBe(400);
      expect((await json(res)).error.code).toBe('malformed_body');
      await stillAnswers();
    }
    const word = await predict('iris', JSON.stringify({ rows: [{ sepal_length: 'long', sepal_width: 3, petal_length: 1, petal_width: 0.2 }] }));
    expect([word.status, (await json(word)).error.message]).toEqual([400, expect.stringContaining('row 1 has "long"')]);
    await stillAnswers();
    const row = { sepal_length: 5.1, sepal_width: 3.5, petal_length: 1.4, petal_width: 0.2 };
    const many = await predict('iris', JSON.stringify({ rows: Array(701).fill(row) }));
    expect(many.status).toBe(400);
    expect((await json(many)).error).toMatchObject({ code: 'too_many_rows', rows: 701, limitRows: 700 });
    await stillAnswers();
    // 413: declared too large, and streamed without a length.
    const big = 'x'.repeat(2 * 2 ** 20);
    const declared = await predict('iris', big);
    expect(declared.status).toBe(413);
    expect((await json(declared)).error.code).toBe('body_too_large');
    await stillAnswers();
    const stream = new ReadableStream({
      start(controller) {
        for (let i = 0; i < 40; i++) controller.enqueue(new TextEncoder().encode('y'.repeat(64 * 1024)));
        controller.close();
      },
    });
    const chunked = await fetch(`${server.url}/v1/models/iris/predict`, { method: 'POST', headers: { ...auth(), 'content-type': 'application/json' }, body: stream, duplex: 'half' } as RequestInit);
    expect(chunked.status).toBe(413);
    await stillAnswers();
    expect((await predict('iris', 'a,b\n1,2\n', 'text/plain')).status).toBe(415);
    expect((await fetch(`${server.url}/v1/models/iris/predict`, { headers: auth() })).status).toBe(405);
    await stillAnswers();
    // The log names codes, never the values sent.
    expect(server.output()).toContain('400 missing_columns');
    expect(server.output()).not.toContain('long');
  });

  it('answers malformed HTTP with a 400 or 431 and a closed connection, and keeps serving', async () => {
    const { port } = new URL(server.url);
    const raw = (bytes: string) =>
      new Promise<string>((resolve) => {
        let got = '';
        const socket = connect(Number(port), '127.0.0.1', () => socket.write(bytes));
        socket.on('data', (c) => (got += c));
        socket.on('error', () => undefined);
        socket.on('close', () => resolve(got));
      });
    expect(await raw('GARBAGE\r\n\r\n')).toMatch(/^HTTP\/1\.1 400/);
    expect(await raw(`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`)).toMatch(/^HTTP\/1\.1 431/);
    expect(await raw('POST /v1/models/iris/predict HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n')).toMatch(/^HTTP\/1\.1 400/);
    await stillAnswers();
  });

  it('serves /metrics as Prometheus text whose counters move', async () => {
    const legacy = await predict('legacy', JSON.stringify({ rows: [{ sepal_length: 5, sepal_width: 3, petal_length: 1.5, petal_width: 0.2 }] }));
    expect(legacy.status).toBe(200);
    const before = await metrics();
    const at = (f: Map<string, unknown>, name: string, labels: Record<string, string>) => sampleValue(f as never, name, labels) ?? 0;
    const rows = Array.from({ length: 5 }, () => ({ sepal_length: 6, sepal_width: 3, petal_length: 4, petal_width: 1.3 }));
    expect((await predict('iris', JSON.stringify({ rows }))).status).toBe(200);
    expect((await predict('iris', '{')).status).toBe(400);
    const after = await metrics();
    expect(at(after, 'tickwork_requests_total', { model: 'iris', route: 'predict', status: '200' }) - at(before, 'tickwork_requests_total', { model: 'iris', route: 'predict', status: '200' })).toBe(1);
    expect(at(after, 'tickwork_requests_total', { model: 'iris', route: 'predict', status: '400' }) - at(before, 'tickwork_requests_total', { model: 'iris', route: 'predict', status: '400' })).toBe(1);
    expect(at(after, 'tickwork_rows_total', { model: 'iris', status: '200' }) - at(before, 'tickwork_rows_total', { model: 'iris', status: '200' })).toBe(5);
    expect(at(after, 'tickwork_request_duration_seconds_count', { model: 'iris', route: 'predict' })).toBeGreaterThan(at(before, 'tickwork_request_duration_seconds_count', { model: 'iris', route: 'predict' }));
    expect(sampleValue(after, 'tickwork_workers')).toBe(1);
    expect(sampleValue(after, 'tickwork_input_missing_share', { model: 'legacy', input: 'sepal_length' })).toBe(0);
    // The export without training histograms is served, without PSI.
    expect(sampleValue(after, 'tickwork_input_psi', { model: 'legacy', input: 'sepal_length' })).toBeUndefined();
    expect(sampleValue(after, 'tickwork_input_psi', { model: 'iris', input: 'sepal_length' })).toBeDefined();
  });

  it('raises the PSI gauge on a drifted batch and fires one alert per episode to the webhook', async () => {
    const churnRows = (text: string) => readCsv(text).rows.map(([a, b, colour]) => ({ a: Number(a), b: Number(b), colour }));
    const send = async (text: string) => expect((await predict('churn', JSON.stringify({ rows: churnRows(text) }))).status).toBe(200);
    const psi = async () => sampleValue(await metrics(), 'tickwork_input_psi', { model: 'churn', input: 'a' })!;
    await send(binaryCsv(500, 1234));
    expect(await psi()).toBeLessThan(0.1);
    const firingFor = () => notices.filter((n) => n.state === 'firing' && n.model === 'churn' && n.input === 'a');
    expect(firingFor()).toHaveLength(0);
    // Shift a's mean by 0.6 (its training range is 0 to 1).
    await send(binaryCsv(500, 77, 0.6));
    expect(await psi()).toBeGreaterThan(0.2);
    await send(binaryCsv(500, 78, 0.6)); // the same episode: no second alert
    for (let i = 0; i < 50 && firingFor().length === 0; i++) await sleep(100);
    await sleep(300);
    expect(firingFor()).toHaveLength(1);
    expect(firingFor()[0]).toMatchObject({ kind: 'psi', threshold: 0.2, source: 'tickwork serve-model' });
    expect(firingFor()[0].value as number).toBeGreaterThan(0.2);
    expect(server.output()).toMatch(/ALERT: model "churn": input "a" has drifted/);
    expect(sampleValue(await metrics(), 'tickwork_alert_active', { model: 'churn', kind: 'psi', input: 'a' })).toBe(1);
    // Back to training-like rows: the episode ends, and a new shift is a new alert.
    await send(binaryCsv(500, 1235));
    await send(binaryCsv(500, 79, 0.6));
    for (let i = 0; i < 50 && firingFor().length < 2; i++) await sleep(100);
    expect(notices.filter((n) => n.state === 'resolved' && n.model === 'churn' && n.input === 'a')).toHaveLength(1);
    expect(firingFor()).toHaveLength(2);
  });
});

describe('startModelServer (the programmatic API)', () => {
  it('starts on a free port, reports live stats, and stops', async () => {
    const lines: string[] = [];
    const api = await startModelServer({ models: [join(dir, 'churn')], port: 0, backend: 'wasm', log: (l) => lines.push(l), alerts: { psi: 0.2 } });
    try {
      expect(api.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(api.models).toEqual([expect.objectContaining({ name: 'churn', task: 'binary', labels: ['no', 'yes'], example: expect.objectContaining({ colour: expect.any(String) }) })]);
      expect(api.backend).toBe('wasm');
      const rows = readCsv(binaryCsv(300, 5, 0.6)).rows.map(([a, b, colour]) => ({ a: Number(a), b: Number(b), colour }));
      const res = await fetch(`${api.url}/v1/models/churn/predict`, { method: 'POST', headers: { authorization: `Bearer ${api.token}`, 'content-type': 'application/json' }, body: JSON.stringify({ rows }) });
      expect(res.status).toBe(200);
      // The worker's report travels over IPC beside the HTTP answer: wait for it.
      for (let i = 0; i < 50 && api.stats().models.churn.requests === 0; i++) await sleep(20);
      const stats = api.stats();
      expect(stats.models.churn).toMatchObject({ requests: 1, failedRequests: 0, rows: 300, windowRows: 300 });
      const a = stats.models.churn.drift.find((d) => d.input === 'a')!;
      expect(a.psi).toBeGreaterThan(0.2);
      expect(stats.alerts).toEqual([expect.objectContaining({ kind: 'psi', model: 'churn', input: 'a', state: 'firing' })]);
      expect(lines.some((l) => l.startsWith('ALERT'))).toBe(true);
    } finally {
      await api.stop();
    }
    await api.closed;
    await expect(fetch(`${api.url}/healthz`)).rejects.toThrow();
  }, 60_000);
});

describe('tickwork serve-model processes', () => {
  it('serves with --workers 2, replaces a crashed worker, and drains an in-flight request on SIGTERM', async () => {
    const tokenFile = join(dir, 'token.txt');
    const token = 'a-token-from-a-file-0123456789';
    await writeFile(tokenFile, `${token}\n`);
    const two = await serveModel(['--model', join(dir, 'iris'), '--workers', '2', '--token-file', tokenFile]);
    try {
      expect(two.output()).toContain(`token: the one in ${tokenFile}`);
      expect(two.output()).not.toContain(token);
      const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
      const row = { sepal_length: 6.3, sepal_width: 2.9, petal_length: 5.6, petal_width: 1.8 };
      const many = await Promise.all(Array.from({ length: 30 }, () => fetch(`${two.url}/v1/models/iris/predict`, { method: 'POST', headers, body: JSON.stringify({ rows: [row] }) })));
      expect(many.map((r) => r.status)).toEqual(Array(30).fill(200));
      const workerPids = () => spawnSync('ps', ['-o', 'pid=', '--ppid', String(two.process.pid)], { encoding: 'utf8' }).stdout.trim().split(/\s+/).filter(Boolean).map(Number);
      expect(workerPids()).toHaveLength(2);
      expect(sampleValue(parsePrometheusText(await (await fetch(`${two.url}/metrics`, { headers })).text()), 'tickwork_workers')).toBe(2);

      // A worker killed outright is replaced; the service answers meanwhile.
      process.kill(workerPids()[0], 'SIGKILL');
      await sleep(200); // the client drops its keep-alive connections to the killed worker
      expect((await fetch(`${two.url}/v1/models/iris/predict`, { method: 'POST', headers, body: JSON.stringify({ rows: [row] }) })).status).toBe(200);
      for (let i = 0; i < 100 && !/starting a new one/.test(two.output()); i++) await sleep(100);
      for (let i = 0; i < 100 && workerPids().length < 2; i++) await sleep(100);
      expect(workerPids()).toHaveLength(2);

      // SIGTERM while a request is half sent: it is answered, then the process exits 0.
      const body = JSON.stringify({ rows: Array(10).fill(row) });
      const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = request(`${two.url}/v1/models/iris/predict`, { method: 'POST', headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
          let text = '';
          res.on('data', (c) => (text += c));
          res.on('end', () => resolve({ status: res.statusCode!, body: text }));
        });
        req.on('error', reject);
        req.write(body.slice(0, 30));
        void sleep(400).then(async () => {
          two.process.kill('SIGTERM');
          await sleep(600);
          req.end(body.slice(30));
        });
      });
      const done = await answer;
      expect(done.status).toBe(200);
      expect(JSON.parse(done.body).predictions).toHaveLength(10);
      expect(await two.exited).toBe(0);
      expect(two.output()).toContain('SIGTERM: finishing the requests in flight');
      await expect(fetch(`${two.url}/healthz`)).rejects.toThrow();
    } finally {
      if (two.process.exitCode === null) two.process.kill('SIGKILL'); // a failed check leaves no server behind (its workers follow)
    }
  }, 120_000);

  it('says what is wrong in one line and exits 2 for bad flags and models', async () => {
    const cases: Array<[string[], RegExp]> = [
      [[], /needs --model/],
      [['--model', join(dir, 'nothing-here')], /Model not found/],
      [['--model', join(dir, 'iris'), '--workers', '0'], /--workers must be a whole number from 1 to 64/],
      [['--model', join(dir, 'iris'), '--port', 'abc'], /--port must be a whole number/],
      [['--model', join(dir, 'iris'), '--alert-webhook', 'ftp://x'], /--alert-webhook must be an http/],
      [['--model', join(dir, 'iris'), '--token-file', join(dir, 'none.txt')], /--token-file .* does not exist/],
      [['--model', join(dir, 'iris'), '--bogus'], /Unknown option '--bogus'/],
      [['--model', join(dir, 'iris'), '--port', new URL(server.url).port], /already in use/],
    ];
    for (const [args, message] of cases) {
      const r = tickwork('serve-model', ...args);
      expect(r.code, `${args.join(' ')}\n${r.stderr}`).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(message);
      expect(r.stderr).not.toContain('    at ');
    }
  }, 120_000);
});
