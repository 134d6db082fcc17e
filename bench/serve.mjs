#!/usr/bin/env node
/**
 * Scoring-service benchmark (issue 19): `tickwork serve-model` on loopback, driven by autocannon
 * for 1-row and 100-row JSON requests, with 1 worker and with N workers. Prints requests/s,
 * rows/s, p50 / p99 latency, and the mean rows per forward pass (from /metrics: how much the
 * micro-batcher merged). For scale, the same autocannon settings against a bare Node HTTP
 * server (its own process) that reads the body and answers the same fixed JSON without parsing
 * or scoring anything: the ceiling of one Node process on this machine's loopback, and the ratio
 * of each figure to it. The two are measured interleaved, --repeats times; medians are shown.
 *
 *   npm run bench:serve [-- --model DIR] [--workers N] [--duration S] [--repeats R] [--connections C] [--json]
 *
 * Without --model it trains a 64-64 MLP on iris (a few seconds) into a temporary folder.
 * Every run is bounded: --duration seconds (default 5) after a 1 s warm-up.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    model: { type: 'string' },
    workers: { type: 'string' },
    duration: { type: 'string', default: '5' },
    repeats: { type: 'string', default: '3' },
    connections: { type: 'string', default: '16' },
    json: { type: 'boolean', default: false },
  },
});
const duration = Number(values.duration);
const connections = Number(values.connections);
const repeats = Number(values.repeats);
const many = Number(values.workers ?? Math.max(2, availableParallelism()));
if (!(duration > 0) || !(connections > 0) || !(many >= 1) || !(repeats >= 1)) {
  console.error('bench/serve.mjs: --duration, --connections, --repeats and --workers must be positive numbers.');
  process.exit(2);
}
const say = (line) => !values.json && console.log(line);

/** An exported model: the one given, or a small one trained now. */
function model() {
  if (values.model) return values.model;
  const out = join(mkdtempSync(join(tmpdir(), 'tickwork-bench-serve-')), 'iris');
  say(`training a 64-64 MLP on iris into ${out} …`);
  const r = spawnSync(process.execPath, [join(root, 'bin/tickwork.js'), 'train', '--data', 'iris', '--target', 'species', '--hidden', '64,64', '--epochs', '20', '--seed', '1', '--out', out], {
    encoding: 'utf8',
  });
  if (r.status !== 0) {
    console.error(r.stderr);
    process.exit(1);
  }
  return out;
}

/** Start serve-model; resolves with its URL, token and a stop function. */
function serve(modelDir, workers) {
  const child = spawn(process.execPath, [join(root, 'bin/tickwork.js'), 'serve-model', '--model', `bench=${modelDir}`, '--port', '0', '--workers', String(workers), '--max-rows', '1000', '--alert-psi', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk) => {
      output += chunk;
      const url = /^url: (\S+)$/m.exec(output);
      const token = /^token: (\S+)$/m.exec(output);
      if (url && token && /^try: /m.test(output)) {
        resolve({
          url: url[1],
          token: token[1],
          backend: /backend (\S+)/.exec(output)?.[1] ?? '?',
          stop: () =>
            new Promise((done) => {
              child.once('exit', done);
              child.kill('SIGTERM');
            }),
        });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`serve-model exited with ${code}:\n${output}`)));
  });
}

/** A bare HTTP server in its own process, answering a fixed body: the loopback ceiling for the same load. */
const BARE = `
const answer = process.env.BENCH_ANSWER;
const server = require('node:http').createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(answer) });
    res.end(answer);
  });
});
server.listen(0, '127.0.0.1', () => console.log('port ' + server.address().port));`;
function bareServer(answer) {
  const child = spawn(process.execPath, ['-e', BARE], { env: { ...process.env, BENCH_ANSWER: answer }, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve) => {
    child.stdout.on('data', (chunk) => {
      const port = /port (\d+)/.exec(String(chunk))?.[1];
      if (port) resolve({ url: `http://127.0.0.1:${port}`, stop: () => new Promise((r) => (child.once('exit', r), child.kill())) });
    });
  });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function load(url, headers, body, seconds) {
  const result = await autocannon({ url, method: 'POST', headers, body, connections, duration: seconds, pipelining: 1 });
  if (result.errors > 0 || result.non2xx > 0 || result.timeouts > 0) {
    throw new Error(`autocannon saw ${result.errors} errors, ${result.non2xx} non-2xx answers and ${result.timeouts} timeouts against ${url}`);
  }
  return { requestsPerSecond: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, total: result.requests.total };
}

/** Forward passes and rows from /metrics, to see how far concurrent requests were merged. */
async function passes(server) {
  const text = await (await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${server.token}` } })).text();
  const read = (name) => Number(new RegExp(`^${name}\\{model="bench"\\} (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
  return { count: read('tickwork_forward_pass_rows_count'), rows: read('tickwork_forward_pass_rows_sum') };
}

const row = { sepal_length: 5.8, sepal_width: 3.0, petal_length: 4.35, petal_width: 1.3 };
const bodies = { 1: JSON.stringify({ rows: [row] }), 100: JSON.stringify({ rows: Array.from({ length: 100 }, (_, i) => ({ ...row, petal_length: 1 + (i % 60) / 10 })) }) };

const dir = model();
say(
  `machine: ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), load average ${loadavg()[0].toFixed(1)}, Node ${process.versions.node}; autocannon ${connections} connections, ` +
    `${duration} s per run after 1 s warm-up, median of ${repeats} interleaved with the bare server`,
);
const results = [];
for (const workers of [...new Set([1, many])]) {
  const server = await serve(dir, workers);
  const headers = { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' };
  const url = `${server.url}/v1/models/bench/predict`;
  // The ceiling, measured beside each configuration: a bare server answering this request's answer.
  for (const rows of [1, 100]) {
    const answer = await (await fetch(url, { method: 'POST', headers, body: bodies[rows] })).text();
    const bare = await bareServer(answer);
    await load(url, headers, bodies[rows], 1);
    await load(bare.url, headers, bodies[rows], 1);
    const runs = [];
    const ceilings = [];
    const before = await passes(server);
    for (let k = 0; k < repeats; k++) {
      runs.push(await load(url, headers, bodies[rows], duration));
      ceilings.push(await load(bare.url, headers, bodies[rows], duration));
    }
    const after = await passes(server);
    await bare.stop();
    const r = { requestsPerSecond: median(runs.map((x) => x.requestsPerSecond)), p50: median(runs.map((x) => x.p50)), p99: median(runs.map((x) => x.p99)) };
    const ceiling = median(ceilings.map((x) => x.requestsPerSecond));
    const entry = {
      workers,
      rows,
      backend: server.backend,
      requestsPerSecond: r.requestsPerSecond,
      rowsPerSecond: r.requestsPerSecond * rows,
      p50Ms: r.p50,
      p99Ms: r.p99,
      rowsPerForwardPass: (after.rows - before.rows) / Math.max(1, after.count - before.count),
      bareRequestsPerSecond: ceiling,
      ofBare: r.requestsPerSecond / ceiling,
      runs: runs.map((x) => x.requestsPerSecond),
    };
    results.push(entry);
    say(
      `${String(workers).padStart(2)} worker(s), ${String(rows).padStart(3)}-row requests: ${entry.requestsPerSecond.toFixed(0).padStart(6)} req/s  ${entry.rowsPerSecond.toFixed(0).padStart(7)} rows/s  ` +
        `p50 ${String(entry.p50Ms).padStart(3)} ms  p99 ${String(entry.p99Ms).padStart(3)} ms  ${entry.rowsPerForwardPass.toFixed(1).padStart(6)} rows/forward pass  ` +
        `(bare HTTP server: ${entry.bareRequestsPerSecond.toFixed(0)} req/s, ratio ${entry.ofBare.toFixed(2)})`,
    );
  }
  await server.stop();
}
say(`load average at the end: ${loadavg()[0].toFixed(1)} (other sessions share this machine)`);
if (values.json) console.log(JSON.stringify({ connections, duration, repeats, cores: cpus().length, results }));
