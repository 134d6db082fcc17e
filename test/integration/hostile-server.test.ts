/**
 * The hostile-input suite: a real `tickwork serve` (CLI, service, worker) taking what a hostile
 * page or a broken client can send —
 *   - raw WebSocket frames built byte by byte (bad opcodes, RSV bits, unmasked, lying lengths,
 *     invalid UTF-8, fragments out of order, oversized control frames);
 *   - oversize messages (over the request limit, over the frame limit);
 *   - HTTP requests with bad percent-encodings, wrong or missing Host headers, odd methods and
 *     lengths;
 *   - every request channel, its input generated from and around its zod schema (fast-check);
 * and after each case the server must still answer (app:info over a WebSocket kept open), with
 * no file outside this test's folder changed (the repository, a folder of the user's files whose
 * paths the fuzzer is given, the shell start-up files). Deterministic (fixed seed), and bounded
 * in time: each kind has a case count and a time limit. Prints cases per kind, crashes, hangs.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { REQUEST_CHANNELS, requests, type ResponseEnvelope } from '../../shared/contract';
import { MAX_FRAME_BYTES, MAX_REQUEST_BYTES } from '../../service/ws-connection';
import { closeCode, encodeFrame, rawHttp, rawUpgrade, type RawFrame } from '../helpers/raw-ws';
import { serve, type Served } from '../helpers/serve';
import { nearSchema } from '../helpers/zod-arbitrary';

const SEED = 18_2026;
/**
 * model:export, model:export-recipe and model:score-file with a real model: in browser mode they
 * write only under the workspace, the download folder, folders data was opened from and
 * --allow-dir roots, so the fuzzer aims them at a folder of the user's that nobody chose (and the
 * suite fails if anything in it changes). HOSTILE_WRITES_OUTSIDE=0 keeps them in this test's folder.
 */
// On by default now that browser mode writes only where the user chose (HOSTILE_WRITES_OUTSIDE=0 turns it off).
const WRITES_OUTSIDE = process.env.HOSTILE_WRITES_OUTSIDE !== '0';

/**
 * Safety first: the server writes where a request tells it to, as whoever runs the tests (root in
 * many CI containers). A first version of this suite had model:score-file write over /etc/passwd.
 * So every write target a case holds is checked here before it is sent, and one outside this
 * test's folders (or `outside`, unless HOSTILE_WRITES_OUTSIDE=0) is replaced by one inside.
 */
const WRITE_FIELDS: Record<string, string[]> = { 'model:export': ['dir'], 'model:export-recipe': ['dir'], 'model:score-file': ['output'] };
const within = (path: string, dir: string) => path === dir || path.startsWith(dir + sep);
function confineWrites(channel: string, input: unknown): unknown {
  const fields = WRITE_FIELDS[channel];
  if (!fields || input === null || typeof input !== 'object' || Array.isArray(input)) return input;
  const copy: Record<string, unknown> = { ...(input as Record<string, unknown>) };
  for (const f of fields) {
    const value = copy[f];
    if (typeof value !== 'string') continue;
    const target = resolve(join(root, 'cwd'), value); // the server's working folder
    if (!within(target, root) && !(WRITES_OUTSIDE && within(target, outside))) copy[f] = join(root, 'out', 'confined');
  }
  return copy;
}
const REPO = fileURLToPath(new URL('../..', import.meta.url));

interface Tally {
  cases: number;
  crashes: number;
  hangs: number;
  /** Replies with code "internal" (a bug, not a user error). */
  internal: number;
  /** Request channels: replies by outcome (ok, or the error code), to see how deep the inputs reach. */
  outcomes: Record<string, number>;
}
const tallies = new Map<string, Tally>();
const tally = (kind: string): Tally => {
  let t = tallies.get(kind);
  if (!t) tallies.set(kind, (t = { cases: 0, crashes: 0, hangs: 0, internal: 0, outcomes: {} }));
  return t;
};

let root: string; // this test's folder: workspace, temp folder, data
let outside: string; // files of "the user" that nobody chose: must not change
let server: Served;
let port: number;
let health: WebSocket;
let irisId: string;
/** A trained run and its model, so the run and model channels are reached past "not found". */
let runId: string;
let modelId: string;
let nextId = 1;

// ---------------------------------------------------------------- what must not change

function walk(dir: string, skip: Set<string>, out: Map<string, string>, hash: boolean): void {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    const path = join(dir, e.name);
    if (skip.has(path)) continue;
    if (e.isDirectory()) walk(path, skip, out, hash);
    else if (e.isFile()) {
      const info = statSync(path);
      out.set(path, hash ? createHash('sha1').update(readFileSync(path)).digest('hex') : `${info.size}:${info.mtimeMs}`);
    } else out.set(path, e.isSymbolicLink() ? 'link' : 'other');
  }
}

/** The repository (without build outputs and dependencies), the user's folder, and the shell start-up files. */
function snapshot(): Map<string, string> {
  const out = new Map<string, string>();
  const skip = new Set(['node_modules', '.git', 'dist', 'test-results', 'playwright-report'].map((d) => join(REPO, d)));
  walk(REPO, skip, out, false);
  walk(outside, new Set(), out, true);
  const watched = ['.bashrc', '.profile', '.bash_profile', '.zshrc'].map((f) => join(homedir(), f));
  for (const path of [...watched, '/etc/passwd', '/etc/shadow', '/etc/hosts']) {
    try {
      if (existsSync(path)) out.set(path, createHash('sha1').update(readFileSync(path)).digest('hex'));
    } catch {
      /* not readable by this user (e.g. /etc/shadow): not writable by the server either */
    }
  }
  return out;
}

function changes(before: Map<string, string>, after: Map<string, string>): string[] {
  const changed: string[] = [];
  for (const [path, v] of after) if (before.get(path) !== v) changed.push(before.has(path) ? `changed ${path}` : `created ${path}`);
  for (const path of before.keys()) if (!after.has(path)) changed.push(`removed ${path}`);
  return changed;
}

function outsideListing(): string {
  const out = new Map<string, string>();
  walk(outside, new Set(), out, true);
  return JSON.stringify([...out].sort());
}

// ---------------------------------------------------------------- talking to the server

function openSocket(): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/api/ws?token=${server.token}`, { maxPayload: 256 * 2 ** 20 });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

type Outcome = ResponseEnvelope | 'timeout' | 'closed';

function request(ws: WebSocket, channel: string, input: unknown, timeoutMs: number): Promise<Outcome> {
  const id = nextId++;
  return new Promise((resolve) => {
    if (ws.readyState !== WebSocket.OPEN) return resolve('closed');
    const done = (outcome: Outcome) => {
      clearTimeout(timer);
      ws.off('message', onMessage);
      ws.off('close', onClose);
      resolve(outcome);
    };
    const onMessage = (data: WebSocket.RawData) => {
      const frame = JSON.parse(String(data));
      if (frame.type === 'response' && frame.id === id) done(frame.envelope);
    };
    const onClose = () => done('closed');
    const timer = setTimeout(() => done('timeout'), timeoutMs);
    ws.on('message', onMessage);
    ws.on('close', onClose);
    ws.send(JSON.stringify({ type: 'request', id, channel, input }));
  });
}

/** After each case: the process is alive and answers app:info within 5 s. */
async function stillAnswers(t: Tally): Promise<void> {
  if (server.process.exitCode !== null || server.process.signalCode !== null) {
    t.crashes++;
    throw new Error(`the server exited (${server.process.exitCode ?? server.process.signalCode}):\n${server.output().slice(-3000)}`);
  }
  if (health.readyState !== WebSocket.OPEN) health = await openSocket();
  const outcome = await request(health, 'app:info', {}, 5000);
  if (outcome === 'closed') await new Promise((r) => setTimeout(r, 500)); // did the process die?
  if (server.process.exitCode !== null || server.process.signalCode !== null) {
    t.crashes++;
    throw new Error(`the server exited (${server.process.exitCode ?? server.process.signalCode}):\n${server.output().slice(-3000)}`);
  }
  if (outcome === 'timeout' || outcome === 'closed' || !outcome.ok) {
    t.hangs++;
    throw new Error(`the server did not answer app:info after the case (${typeof outcome === 'string' ? outcome : JSON.stringify(outcome)})`);
  }
}

// ---------------------------------------------------------------- setup

let before: Map<string, string>;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'tickwork-hostile-'));
  outside = mkdtempSync(join(tmpdir(), 'tickwork-hostile-outside-'));
  for (const d of ['workspace', 'tmp', 'data', 'out', 'cwd']) mkdirSync(join(root, d));
  writeFileSync(join(root, 'data', 'good.csv'), 'a,b,y\n1,2,0\n3,4,1\n5,6,0\n7,8,1\n');
  execFileSync('mkfifo', [join(root, 'data', 'pipe.csv')]);
  copyFileSync(join(REPO, 'datasets', 'iris.csv'), join(root, 'data', 'iris.csv')); // the model's columns: scoring and explain succeed
  // The user's own files, named to the fuzzer as paths to read, write over or export into.
  writeFileSync(join(outside, 'notes.docx'), 'PK\u0003\u0004 not really a docx');
  writeFileSync(join(outside, 'customers.csv'), 'id,spend,churn\n1,20,0\n2,35,1\n3,10,0\n');
  writeFileSync(join(outside, '.bashrc'), 'export PATH=$PATH\n');
  mkdirSync(join(outside, 'exports'));
  writeFileSync(join(outside, 'exports', 'model.json'), '{"mine": true}');
  before = snapshot();
  // Its working folder is in this test's folder too: a relative path that got through lands here.
  server = await serve([], { TICKWORK_WORKSPACE: join(root, 'workspace'), TMPDIR: join(root, 'tmp') }, { cwd: join(root, 'cwd') });
  port = Number(new URL(server.url).port);
  health = await openSocket();
  const opened = await request(health, 'dataset:open', { source: { kind: 'bundled', name: 'iris' } }, 30_000);
  if (typeof opened === 'string' || !opened.ok) throw new Error(`could not open iris: ${JSON.stringify(opened)}`);
  irisId = (opened.result as { id: string }).id;
  const done = new Promise<string>((resolve) => {
    health.on('message', (raw) => {
      const frame = JSON.parse(String(raw));
      if (frame.type === 'event' && frame.channel === 'training:status' && frame.payload.modelId) resolve(frame.payload.modelId);
    });
  });
  const started = await request(health, 'training:start', { datasetId: irisId, config: { target: 'species', epochs: 2, model: { hidden: [4] } } }, 30_000);
  if (typeof started === 'string' || !started.ok) throw new Error(`could not train: ${JSON.stringify(started)}`);
  runId = (started.result as { runId: string }).runId;
  modelId = await done;
}, 90_000);

afterAll(async () => {
  health?.terminate();
  await server?.stop();
  const lines = [...tallies].map(([kind, t]) => `  ${kind.padEnd(34)} ${String(t.cases).padStart(5)} cases   crashes ${t.crashes}   hangs ${t.hangs}   internal errors ${t.internal}${
      Object.keys(t.outcomes).length ? `   (${Object.entries(t.outcomes).map(([k, n]) => `${k} ${n}`).join(', ')})` : ''
    }`);
  const total = [...tallies.values()].reduce((n, t) => n + t.cases, 0);
  console.log(`hostile-input suite (seed ${SEED}): ${total} cases\n${lines.join('\n')}`);
  if (!WRITES_OUTSIDE) console.log('  (model:export / model:score-file were given write targets in the test folder only; HOSTILE_WRITES_OUTSIDE=0 was set)');
  rmSync(outside, { recursive: true, force: true });
  rmSync(root, { recursive: true, force: true });
});

// ---------------------------------------------------------------- raw WebSocket frames

const utf8Invalid = fc.constantFrom(
  Buffer.from([0xff]),
  Buffer.from([0xc0, 0xaf]),
  Buffer.from([0xed, 0xa0, 0x80]), // a UTF-16 surrogate in UTF-8
  Buffer.from([0xf4, 0x90, 0x80, 0x80]), // past U+10FFFF
  Buffer.from('{"type":"request","id":1,"channel":"app:info","input":{"x":"\xe9"}}', 'latin1'),
);
const requestish = fc
  .tuple(fc.constantFrom(...REQUEST_CHANNELS, 'nope'), fc.jsonValue({ maxDepth: 2 }), fc.oneof(fc.integer(), fc.string()))
  .map(([channel, input, id]) => Buffer.from(JSON.stringify({ type: 'request', id, channel, input })));

const frameArb: fc.Arbitrary<RawFrame> = fc.record({
  fin: fc.oneof({ arbitrary: fc.constant(true), weight: 3 }, { arbitrary: fc.boolean(), weight: 1 }),
  rsv: fc.oneof({ arbitrary: fc.constant(0), weight: 3 }, { arbitrary: fc.integer({ min: 0, max: 7 }), weight: 1 }),
  opcode: fc.oneof(fc.constantFrom(0x0, 0x1, 0x2, 0x8, 0x9, 0xa), fc.integer({ min: 0, max: 15 })),
  mask: fc.oneof({ arbitrary: fc.constant(true), weight: 5 }, { arbitrary: fc.constant(false), weight: 1 }),
  payload: fc.oneof(fc.uint8Array({ maxLength: 300 }), utf8Invalid, requestish, fc.constant(new Uint8Array([0x03]))),
  announce: fc.option(
    fc.oneof(
      fc.constantFrom(125, 126, 127, 65_535, 65_536, 2 ** 32, MAX_FRAME_BYTES + 1),
      fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
    ),
    { freq: 5, nil: undefined },
  ),
});

describe('hostile input against a live tickwork serve', () => {
  it('raw WebSocket frames close at most their own socket', async () => {
    const t = tally('raw WebSocket frames');
    await fc.assert(
      fc.asyncProperty(fc.array(frameArb, { minLength: 1, maxLength: 4 }), async (frames) => {
        t.cases++;
        const conn = await rawUpgrade(port, `/api/ws?token=${server.token}`);
        expect(conn.status).toBe('HTTP/1.1 101 Switching Protocols');
        for (const f of frames) conn.socket.write(encodeFrame(f));
        await Promise.race([conn.closed, new Promise((r) => setTimeout(r, 60))]);
        conn.socket.destroy();
        await stillAnswers(t);
      }),
      { seed: SEED, numRuns: 1000, interruptAfterTimeLimit: 40_000, markInterruptAsFailure: false, endOnFailure: true },
    );
  });

  it('named invalid frames get their close code; the server keeps serving', async () => {
    const t = tally('named invalid frames');
    const cases: [string, RawFrame[], number][] = [
      ['invalid UTF-8 in a text frame', [{ opcode: 1, payload: Buffer.from([0xff, 0xfe]) }], 1007],
      ['a length over the frame limit', [{ opcode: 1, payload: new Uint8Array(0), announce: MAX_FRAME_BYTES + 1 }], 1009],
      ['a length of 2^63', [{ opcode: 2, payload: new Uint8Array(0), announce: 2n ** 63n }], 1009],
      ['an unmasked client frame', [{ opcode: 1, mask: false, payload: Buffer.from('{}') }], 1002],
      ['a reserved opcode', [{ opcode: 3, payload: Buffer.from('x') }], 1002],
      ['RSV1 without an extension', [{ opcode: 1, rsv: 4, payload: Buffer.from('x') }], 1002],
      ['a continuation with no start', [{ opcode: 0, payload: Buffer.from('x') }], 1002],
      ['a fragmented ping', [{ opcode: 9, fin: false, payload: Buffer.from('x') }], 1002],
      ['a ping over 125 bytes', [{ opcode: 9, payload: new Uint8Array(126) }], 1002],
      ['a close with a 1-byte payload', [{ opcode: 8, payload: new Uint8Array([3]) }], 1002],
      ['a close with an invalid code', [{ opcode: 8, payload: Buffer.from([0x03, 0xec]) }], 1002],
    ];
    for (const [what, frames, code] of cases) {
      t.cases++;
      const conn = await rawUpgrade(port, `/api/ws?token=${server.token}`);
      for (const f of frames) conn.socket.write(encodeFrame(f));
      await Promise.race([conn.closed, new Promise((r) => setTimeout(r, 2000))]);
      expect(closeCode(conn.received()), what).toBe(code);
      conn.socket.destroy();
      await stillAnswers(t);
    }
  });

  it('oversize messages: over the request limit a reply names it, over the frame limit the socket closes (1009)', async () => {
    const t = tally('oversize messages');
    t.cases++;
    const ws = await openSocket();
    const big = await request(ws, 'model:predict', { modelId: 'x', rows: [{ a: 'z'.repeat(MAX_REQUEST_BYTES) }] }, 30_000);
    expect(big).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect((big as { error: { message: string } }).error.message).toContain('requests are limited to 32 MB');
    expect(ws.readyState).toBe(WebSocket.OPEN);
    await stillAnswers(t);
    t.cases++;
    const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)));
    ws.send('x'.repeat(MAX_FRAME_BYTES + 1));
    expect(await closed).toBe(1009);
    await stillAnswers(t);
    expect(server.output()).toContain(`a message was larger than the ${MAX_FRAME_BYTES / 2 ** 20} MB limit`);
  }, 60_000);

  // ---------------------------------------------------------------- HTTP

  it('HTTP: bad percent-encodings and URLs answer 400, wrong Host 403, oversize uploads 413', async () => {
    const t = tally('HTTP named cases');
    const get = (target: string, host = `127.0.0.1:${port}`, extra = '') =>
      rawHttp(port, `GET ${target} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n${extra}\r\n`);
    const cases: [string, () => Promise<string>, RegExp][] = [
      ['/%zz', () => get(`/%zz?token=${server.token}`), /^HTTP\/1\.1 400[^]*percent-encoding/],
      ['/%E0%A4%A', () => get(`/%E0%A4%A?token=${server.token}`), /^HTTP\/1\.1 400/],
      ['/%C0%AF (overlong)', () => get(`/%C0%AF?token=${server.token}`), /^HTTP\/1\.1 400/],
      ['// (not a URL)', () => get('//'), /^HTTP\/1\.1 400/],
      ['//@ (not a URL)', () => get('//@'), /^HTTP\/1\.1 400/],
      ['Host: evil.example', () => get(`/?token=${server.token}`, `evil.example:${port}`), /^HTTP\/1\.1 403[^]*refused a request addressed to the host "evil\.example/],
      ['Host: localhost.evil.example', () => get(`/?token=${server.token}`, 'localhost.evil.example'), /^HTTP\/1\.1 403/],
      ['Host: 127.0.0.1.nip.io', () => get(`/?token=${server.token}`, `127.0.0.1.nip.io:${port}`), /^HTTP\/1\.1 403/],
      ['Host: localhost (allowed)', () => get(`/api/none?token=${server.token}`, `localhost:${port}`), /^HTTP\/1\.1 404/],
      ['Host: [::1] (allowed)', () => get(`/api/none?token=${server.token}`, `[::1]:${port}`), /^HTTP\/1\.1 404/],
      ['no Host header', () => rawHttp(port, `GET /?token=${server.token} HTTP/1.1\r\nConnection: close\r\n\r\n`), /^HTTP\/1\.1 400/],
      ['headers over 16 KB', () => get('/', `127.0.0.1:${port}`, `X-Big: ${'a'.repeat(20_000)}\r\n`), /^HTTP\/1\.1 431/],
      [
        'upload announcing 1 TB',
        () => rawHttp(port, `POST /api/upload?name=a.csv&token=${server.token} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Length: 1000000000000\r\n\r\na,b\n`),
        /^HTTP\/1\.1 413[^]*larger than the 512 MB limit/,
      ],
      [
        '/score announcing 1 TB',
        () => rawHttp(port, `POST /api/models/m1/score?token=${server.token} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Length: 1000000000000\r\n\r\na,b\n`),
        /^HTTP\/1\.1 413/,
      ],
      ['WebSocket with a wrong Host', async () => (await rawUpgrade(port, `/api/ws?token=${server.token}`, { Host: 'evil.example' })).status, /^HTTP\/1\.1 403/],
      ['WebSocket to //', async () => (await rawUpgrade(port, '//')).status, /^HTTP\/1\.1 400/],
      ['WebSocket with a bad key', async () => (await rawUpgrade(port, `/api/ws?token=${server.token}`, { 'Sec-WebSocket-Key': 'short' })).status, /^HTTP\/1\.1 400/],
    ];
    for (const [what, run, expected] of cases) {
      t.cases++;
      expect(await run(), what).toMatch(expected);
      await stillAnswers(t);
    }
    expect(server.output()).not.toMatch(/^\s+at /m); // no stack traces in the log
  });

  it('HTTP: fuzzed methods, targets, hosts and lengths never crash it or answer 500', async () => {
    const t = tally('HTTP requests (fuzzed)');
    const target = fc.oneof(
      fc.constantFrom('/', '/index.html', '/api/ws', '/api/upload', '/api/models/x/export.zip', '/api/models/x/score', '/../../etc/passwd', '/%2e%2e/%2e%2e/etc/passwd', '/assets/%00', '*', '/%', '/%%', '/%u0041'),
      fc.string({ maxLength: 30 }).map((s) => '/' + encodeURI(s).replace(/%2/g, '%' + s.length)),
      fc.stringMatching(/^\/[a-z%0-9./?=&-]{0,30}$/),
    );
    const host = fc.constantFrom(`127.0.0.1:${port}`, 'localhost', '[::1]', 'evil.example', '127.0.0.2', '', 'LOCALHOST:1', '127.0.0.1:99999', '[::1', 'a b');
    const method = fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'TRACE', 'PATCH', 'BREW');
    const length = fc.option(fc.constantFrom('0', '-1', '5', '1e3', '99999999999999999999', 'abc', '4, 4'), { nil: undefined });
    await fc.assert(
      fc.asyncProperty(method, target, host, length, fc.boolean(), async (m, path, h, len, withToken) => {
        t.cases++;
        const sep = path.includes('?') ? '&' : '?';
        const full = withToken ? `${path}${sep}token=${server.token}` : path;
        const headers = [`Host: ${h}`, 'Connection: close', ...(len !== undefined ? [`Content-Length: ${len}`] : [])];
        const reply = await rawHttp(port, `${m} ${full} HTTP/1.1\r\n${headers.join('\r\n')}\r\n\r\nabcde`, 1500);
        // (500 is allowed only for "the renderer is not built", when the suite runs without `npm run build`.)
        if (!reply.includes('The renderer is not built')) expect(reply).not.toMatch(/^HTTP\/1\.1 5\d\d/);
        await stillAnswers(t);
      }),
      { seed: SEED, numRuns: 500, interruptAfterTimeLimit: 30_000, markInterruptAsFailure: false, endOnFailure: true },
    );
    expect(server.output()).not.toMatch(/^\s+at /m);
  }, 60_000);

  // ---------------------------------------------------------------- request channels

  it('every request channel, fuzzed from and around its schema: an answer every time, nothing outside changed', async () => {
    const ws0 = await openSocket();
    let ws = ws0;
    const data = join(root, 'data');
    // The user's files (never data, since a folder data is opened from may become writable).
    const outsideStrings = [join(outside, 'notes.docx'), join(outside, '.bashrc'), join(outside, 'exports'), join(outside, 'new-file.csv'), join(outside, 'customers.csv')];
    const strings = [
      '',
      ' ',
      'iris',
      'wine',
      irisId,
      irisId + '\u0000',
      'run-1',
      'm1',
      join(data, 'good.csv'),
      join(data, 'pipe.csv'),
      data,
      '/',
      '/dev/zero',
      '/dev/urandom',
      '/etc/passwd',
      '/etc/shadow',
      '../../../../../../etc/passwd',
      ...outsideStrings,
      relative(join(root, 'workspace'), join(outside, 'pwn')),
      "SELECT * FROM read_csv('/etc/passwd')",
      `COPY (SELECT 1) TO '${join(outside, 'pwn.csv')}'`,
      `SELECT * FROM data; COPY data TO '${join(outside, 'pwn2.csv')}'`,
      `SELECT * FROM data; INSTALL httpfs; ATTACH '${join(outside, 'pwn.db')}'`,
      "SELECT * FROM data WHERE a = '",
      '%zz',
      '%00',
      '\u0000',
      '\ud800',
      '\u202e',
      'a'.repeat(20_000),
      '__proto__',
      'constructor',
      '{"$ref":"#"}',
      `$(touch ${join(outside, 'pwn3')})`,
      'sepal_length',
      'species',
      'relu',
      'adam',
      'classification',
    ];
    // Model channels get devices and FIFOs too: model:load of /dev/urandom used to read without end
    // (4.9 GB in 60 s, measured) and a FIFO to hang; the model reader now opens regular files only.
    // HOSTILE_MODEL_DEVICES=0 leaves them out.
    const notRegular = [join(data, 'pipe.csv'), '/dev/zero', '/dev/urandom'];
    const modelStrings = strings.filter((x) => (process.env.HOSTILE_MODEL_DEVICES !== '0' || !notRegular.includes(x)) && (WRITES_OUTSIDE || !outsideStrings.includes(x)));
    const perChannel = 150;
    // run:delete last: it can delete the trained run, and with it the model the other channels use.
    const order = [...REQUEST_CHANNELS.filter((c) => c !== 'run:delete'), 'run:delete' as const];
    for (const channel of order.filter((c) => !process.env.HOSTILE_DEBUG || c === process.env.HOSTILE_DEBUG)) {
      const t = tally(channel);
      const pool = channel.startsWith('model:') ? modelStrings : strings;
      const schema = requests[channel].input;
      // Data is read only from this test's folder: a folder the user opened data from may become a
      // place browser mode writes to, and `outside` must stay a folder nobody chose.
      const paths = [join(data, 'good.csv'), join(data, 'iris.csv'), ...(channel.startsWith('model:') ? [] : notRegular)];
      const byKey = {
        datasetId: [irisId],
        runId: [runId],
        modelId: [modelId],
        target: ['species', 'sepal_length'],
        column: ['sepal_length', 'species'],
        x: ['sepal_length'],
        y: ['petal_width', null],
        path: paths,
        input: paths,
        name: ['iris'],
        // Where the user did not ask for anything to be written (see WRITES_OUTSIDE), or this test's folder.
        output: WRITES_OUTSIDE ? [join(outside, 'customers.csv'), join(outside, '.bashrc'), join(outside, 'new-file.csv')] : [join(root, 'out', 'scored.csv')],
        dir: WRITES_OUTSIDE ? [join(outside, 'exports'), join(outside, 'notes.docx'), join(outside, 'new-export')] : [join(root, 'out', 'export'), join(root, 'out', 'model.zip')],
      };
      const arb = fc.oneof(
        { arbitrary: nearSchema(schema, { strings: pool, mode: 'valid', byKey }), weight: 5 },
        { arbitrary: nearSchema(schema, { strings: pool, byKey }), weight: 4 },
        { arbitrary: fc.anything({ maxDepth: 2 }), weight: 1 },
      );
      await fc.assert(
        fc.asyncProperty(arb, async (generated) => {
          t.cases++;
          const input = confineWrites(channel, generated);
          if (ws.readyState !== WebSocket.OPEN) ws = await openSocket();
          const listing = outsideListing();
          const began = Date.now();
          const outcome = await request(ws, channel, input, 20_000);
          if (process.env.HOSTILE_DEBUG && (Date.now() - began > 500 || outcome === 'closed')) console.log('SLOW', channel, Date.now() - began, JSON.stringify(input).slice(0, 400), JSON.stringify(outcome).slice(0, 300));
          if (outcome === 'timeout') {
            t.hangs++;
            throw new Error(`${channel} did not answer in 20 s: ${JSON.stringify(input).slice(0, 300)}`);
          }
          const key = outcome === 'closed' ? 'closed' : outcome.ok ? 'ok' : outcome.error.code;
          t.outcomes[key] = (t.outcomes[key] ?? 0) + 1;
          if (outcome !== 'closed' && !outcome.ok && outcome.error.code === 'internal') {
            t.internal++;
            throw new Error(`${channel} answered an internal error for ${JSON.stringify(input).slice(0, 300)}: ${outcome.error.message}`);
          }
          if (outcome !== 'closed' && outcome.ok) {
            // Whatever it started, stop, so the next cases run on an idle server.
            const result = outcome.result as { runIds?: string[]; runId?: string };
            for (const runId of result?.runIds ?? (result?.runId ? [result.runId] : [])) await request(ws, 'training:stop', { runId }, 10_000);
          }
          await stillAnswers(t);
          expect(outsideListing(), `${channel} changed the user's files for ${JSON.stringify(input).slice(0, 300)}`).toBe(listing);
        }),
        { seed: SEED, numRuns: perChannel, interruptAfterTimeLimit: 8_000, markInterruptAsFailure: false, endOnFailure: true },
      );
    }
    ws.terminate();
  }, 240_000);

  it('left no file changed outside its own folder', () => {
    expect(changes(before, snapshot())).toEqual([]);
  });
});
