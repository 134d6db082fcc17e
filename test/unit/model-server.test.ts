/**
 * The scoring service's parts that need no worker: auth, request bodies, micro-batching, drift
 * counts and windows, alerts, metrics text.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { profileTable } from '../../models/data/schema';
import { tableFromRows } from '../../models/data/table';
import { fitPreprocessing } from '../../models/prep/preprocessing';
import { populationStability } from '../../models/prep/psi';
import { Alerts, type AlertNotice } from '../../service/model-server/alerts';
import { authorized, checkToken, generateToken } from '../../service/model-server/auth';
import { MicroBatcher } from '../../service/model-server/batcher';
import { driftCounts } from '../../service/model-server/drift-counts';
import { DriftWindow } from '../../service/model-server/drift-window';
import { HttpError } from '../../service/model-server/http-error';
import { defaultModelName, resolveModelSources } from '../../service/model-server/model-source';
import { isLoopback } from '../../service/model-server/supervisor';
import { Monitor } from '../../service/model-server/monitor';
import { parseRows } from '../../service/model-server/request-body';
import { RequestWindow } from '../../service/model-server/request-window';
import { parsePrometheusText, sampleValue } from '../helpers/prometheus-text';

// A model over a numeric x (0..99), a categorical c (a/b) and a boolean flag.
const n = 200;
const train = tableFromRows(
  { name: 'train.csv', source: '', delimiter: ',' },
  ['x', 'c', 'flag', 'y'],
  Array.from({ length: n }, (_, i) => [String(i % 100), i % 4 === 0 ? 'b' : 'a', i % 2 === 0 ? 'true' : 'false', String(i % 2)]),
);
const spec = fitPreprocessing({ table: train, profiles: profileTable(train), target: 'y', features: ['x', 'c', 'flag'], task: 'binary', trainRows: Int32Array.from({ length: n }, (_, i) => i) });

const rowsOf = (cells: string[][]) => tableFromRows({ name: 'req', source: '', delimiter: '' }, ['x', 'c', 'flag'], cells);

describe('bearer token', () => {
  const token = generateToken();
  it('accepts exactly "Bearer <token>" and nothing else', () => {
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(authorized(`Bearer ${token}`, token)).toBe(true);
    expect(authorized(`bearer ${token}`, token)).toBe(true);
    for (const bad of [undefined, '', token, `Bearer ${token}x`, `Bearer ${token.slice(1)}`, `Basic ${token}`, 'Bearer ', `Bearer ${token} extra`]) {
      expect(authorized(bad, token), String(bad)).toBe(false);
    }
  });
  it('refuses short or non-printable tokens from a file', () => {
    expect(() => checkToken('short', 'f')).toThrow(/at least 16/);
    expect(() => checkToken('a'.repeat(20) + ' b', 'f')).toThrow(/printable/);
  });
});

describe('request bodies', () => {
  const limits = { maxRows: 3 };
  const json = (body: unknown) => Buffer.from(JSON.stringify(body));
  const fails = (fn: () => unknown): HttpError => {
    try {
      fn();
    } catch (err) {
      if (err instanceof HttpError) return err;
      throw err;
    }
    throw new Error('did not throw');
  };

  it('reads JSON rows in order, with null as missing and extra columns kept', () => {
    const { table, rowLabel } = parseRows(json({ rows: [{ x: 5, c: 'a', flag: true, note: 'hi' }, { x: null, c: 'b', flag: false }] }), 'application/json; charset=utf-8', spec, limits);
    expect(table.columnNames).toEqual(['x', 'c', 'flag', 'note']);
    expect(table.rowCount).toBe(2);
    expect(rowLabel(1)).toBe('row 2');
  });

  it('reads a CSV body like a file', () => {
    const { table, rowLabel } = parseRows(Buffer.from('x,c,flag\n1,a,true\n2,b,false\n'), 'text/csv', spec, limits);
    expect(table.rowCount).toBe(2);
    expect(rowLabel(0)).toBe('line 2');
  });

  it('answers 400 for a missing column, a malformed body, too many rows; 415 for another type', () => {
    const missing = fails(() => parseRows(json({ rows: [{ x: 1, c: 'a' }] }), 'application/json', spec, limits));
    expect([missing.status, missing.code, missing.details.columns]).toEqual([400, 'missing_columns', ['flag']]);
    expect(missing.message).toContain('flag');
    const csvMissing = fails(() => parseRows(Buffer.from('x,c\n1,a\n'), 'text/csv', spec, limits));
    expect([csvMissing.status, csvMissing.details.columns]).toEqual([400, ['flag']]);
    for (const body of ['{"rows": [', '[]', '{"rows": 3}', '{"rows": [1]}', '{"rows": [{"x": [1], "c": "a", "flag": true}]}']) {
      const err = fails(() => parseRows(Buffer.from(body), 'application/json', spec, limits));
      expect([err.status, err.code], body).toEqual([400, 'malformed_body']);
    }
    const many = fails(() => parseRows(json({ rows: Array(4).fill({ x: 1, c: 'a', flag: true }) }), 'application/json', spec, limits));
    expect([many.status, many.code]).toEqual([400, 'too_many_rows']);
    expect(many.message).toContain('at most 3');
    const manyCsv = fails(() => parseRows(Buffer.from('x,c,flag\n' + '1,a,true\n'.repeat(4)), 'text/csv', spec, limits));
    expect(manyCsv.code).toBe('too_many_rows');
    expect(fails(() => parseRows(Buffer.from('x'), 'text/plain', spec, limits)).status).toBe(415);
    expect(fails(() => parseRows(Buffer.from('x'), undefined, spec, limits)).status).toBe(415);
    expect(fails(() => parseRows(Buffer.from([0x7b, 0xff, 0x7d]), 'application/json', spec, limits)).message).toContain('UTF-8');
  });
});

describe('micro-batching', () => {
  it('runs concurrent requests in one forward pass and gives each its own rows back', async () => {
    const passes: number[] = [];
    // A "model" with two outputs per row: 10·x0 and x1 + 1.
    const forward = (x: Float32Array, rows: number) => {
      passes.push(rows);
      return Float32Array.from({ length: rows * 2 }, (_, i) => (i % 2 === 0 ? 10 * x[i] : x[i] + 1));
    };
    const batcher = new MicroBatcher(forward, 2, { maxRows: 100, maxWaitMs: 0 });
    const results = await Promise.all([batcher.run(Float32Array.from([1, 2]), 1), batcher.run(Float32Array.from([3, 4, 5, 6]), 2), batcher.run(Float32Array.from([7, 8]), 1)]);
    expect(passes).toEqual([4]);
    expect(results.map((r) => Array.from(r.output))).toEqual([[10, 3], [30, 5, 50, 7], [70, 9]]);
    expect(results.every((r) => r.units === 2)).toBe(true);
  });

  it('splits at maxRows, and a failed pass fails only its requests', async () => {
    const passes: number[] = [];
    let fail = true;
    const forward = (x: Float32Array, rows: number) => {
      passes.push(rows);
      if (fail) {
        fail = false;
        throw new Error('boom');
      }
      return x.slice();
    };
    const batcher = new MicroBatcher(forward, 1, { maxRows: 3, maxWaitMs: 0 });
    const runs = [2, 2, 1].map((rows) => batcher.run(new Float32Array(rows).fill(rows), rows));
    const settled = await Promise.allSettled(runs);
    expect(passes).toEqual([2, 3]);
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'fulfilled', 'fulfilled']);
  });
});

describe('drift', () => {
  it('counts rows per training bin, missing cells and unseen categories', () => {
    const counts = driftCounts(spec, rowsOf([['5', 'a', 'true'], ['', 'zzz', 'false'], ['95', 'b', '']]));
    expect(counts.rows).toBe(3);
    const [x, c, flag] = counts.inputs;
    expect(x.missing).toBe(1);
    expect(x.bins!.reduce((a, b) => a + b, 0)).toBe(2);
    expect(x.bins![0]).toBe(1); // 5 is below the first decile (10)
    expect(x.bins!.at(-1)).toBe(1); // 95 is in the last
    expect(c).toEqual({ missing: 0, bins: [1, 1, 1], unseen: 1 }); // a, b, then "(other)"/unseen
    expect(flag).toEqual({ missing: 1, bins: [1, 1], unseen: null });
  });

  it('gives the PSI of the window\'s rows and forgets the oldest requests', () => {
    const window = new DriftWindow(spec, 300, 100);
    const like = (k: number) => rowsOf(Array.from({ length: 100 }, (_, i) => [String((i + k) % 100), i % 4 === 0 ? 'b' : 'a', i % 2 ? 'true' : 'false']));
    const shifted = rowsOf(Array.from({ length: 100 }, (_, i) => [String(60 + (i % 40)), 'a', 'true']));
    for (let k = 0; k < 3; k++) window.add(driftCounts(spec, like(k)), 0);
    const x0 = window.inputs()[0];
    expect(x0.psi).toBeLessThan(0.01);
    expect(x0.missingShare).toBe(0);
    window.add(driftCounts(spec, shifted), 5);
    expect(window.rows).toBe(300); // the first request left the window
    const x = window.inputs()[0];
    // Same as the PSI computed directly on the window's three requests.
    const direct = [like(1), like(2), shifted].map((t) => driftCounts(spec, t).inputs[0].bins!).reduce((a, b) => a.map((v, i) => v + b[i]));
    expect(x.psi).toBeCloseTo(populationStability((spec.features[0] as { bins: { shares: number[] } }).bins.shares, direct)!, 12);
    expect(x.psi).toBeGreaterThan(0.1); // a third of the window shifted to the top 40% of the range
    expect(window.warningShare()).toBeCloseTo(5 / 300, 12);
    expect(window.inputs()[1].unseenShare).toBe(0);
  });

  it('reports no PSI before enough rows, and none for an export without training bins', () => {
    const window = new DriftWindow(spec, 1000, 200);
    window.add(driftCounts(spec, rowsOf([['1', 'a', 'true']])), 0);
    expect(window.inputs()[0].psi).toBeNull();
    const { bins: _bins, ...oldX } = spec.features[0] as typeof spec.features[0] & { bins?: unknown };
    const old = { ...spec, features: [oldX, ...spec.features.slice(1)] } as typeof spec;
    const oldWindow = new DriftWindow(old, 10, 1);
    oldWindow.add(driftCounts(old, rowsOf([['1', 'a', 'true'], ['', 'a', 'true']])), 0);
    expect(oldWindow.inputs()[0]).toMatchObject({ psi: null, missingShare: 0.5 });
  });
});

describe('request window', () => {
  it('gives the error rate and p95 latency of the most recent requests once there are enough', () => {
    const w = new RequestWindow(100, 20);
    for (let i = 0; i < 19; i++) w.add(false, i + 1);
    expect(w.errorRate()).toBeNull();
    w.add(true, 20);
    expect(w.errorRate()).toBe(1 / 20);
    expect(w.p95Ms()).toBe(19);
    for (let i = 0; i < 100; i++) w.add(i < 10, 100 + i);
    expect(w.errorRate()).toBe(0.1);
    expect(w.p95Ms()).toBe(194);
  });
});

describe('alerts', () => {
  it('fires once per episode, resolves below 80% of the threshold, and posts JSON to the webhook', async () => {
    const received: AlertNotice[] = [];
    const hook = createServer((req: IncomingMessage, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        received.push(JSON.parse(body));
        res.end('ok');
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    const lines: string[] = [];
    const fired: AlertNotice[] = [];
    const alerts = new Alerts({ psi: 0.2, errorRate: null, latencyMs: null, webhook: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook` }, (l) => lines.push(l), (n) => fired.push(n));
    for (const v of [0.1, 0.25, 0.3, 0.19, 0.22, null, 0.15, 0.21]) alerts.check('psi', 'm', 'x', v);
    alerts.check('error_rate', 'm', null, 0.9); // no rule: never fires
    await alerts.flush();
    hook.close();
    expect(fired).toHaveLength(2);
    expect(lines.filter((l) => l.startsWith('ALERT'))).toHaveLength(2);
    expect(lines.filter((l) => l.startsWith('alert resolved'))).toHaveLength(1);
    expect(received.map((r) => [r.state, r.value])).toEqual([['firing', 0.25], ['resolved', 0.15], ['firing', 0.21]]);
    expect(received[0]).toMatchObject({ kind: 'psi', model: 'm', input: 'x', threshold: 0.2, source: 'tickwork serve-model' });
    expect(alerts.active()).toHaveLength(1);
  });

  it('logs a webhook that cannot be reached and carries on', async () => {
    const lines: string[] = [];
    const alerts = new Alerts({ psi: 0.2, errorRate: null, latencyMs: null, webhook: 'http://127.0.0.1:9/none' }, (l) => lines.push(l));
    alerts.check('psi', 'm', 'x', 1);
    await alerts.flush();
    expect(lines.some((l) => l.includes('could not be reached'))).toBe(true);
    expect(lines.join('\n')).not.toContain('127.0.0.1:9'); // the URL (it may hold a secret) is not logged
  });
});

describe('monitor and metrics', () => {
  it('counts requests and rows by model and status, in valid Prometheus text, with drift gauges', async () => {
    const lines: string[] = [];
    const monitor = new Monitor([{ name: 'm', spec, version: 'v1' }], { rules: { psi: 0.2, errorRate: 0.5, latencyMs: null, webhook: null }, driftWindow: 100, log: (l) => lines.push(l), workers: () => 2 });
    const shifted = driftCounts(spec, rowsOf(Array.from({ length: 250 }, () => ['99', 'zzz', 'true'])));
    monitor.observe({ model: 'm', route: 'predict', status: 200, seconds: 0.004, rows: 250, rowsWithWarnings: 250, drift: shifted });
    monitor.observe({ model: 'm', route: 'predict', status: 400, seconds: 0.001, rows: 0, rowsWithWarnings: 0, drift: null, error: 'missing_columns' });
    monitor.observe({ model: '', route: 'models', status: 401, seconds: 0.001, rows: 0, rowsWithWarnings: 0, drift: null });
    monitor.forward('m', 250);
    const families = parsePrometheusText((await monitor.metrics()).text);
    expect(sampleValue(families, 'tickwork_requests_total', { model: 'm', route: 'predict', status: '200' })).toBe(1);
    expect(sampleValue(families, 'tickwork_requests_total', { model: 'm', route: 'predict', status: '400' })).toBe(1);
    expect(sampleValue(families, 'tickwork_requests_total', { model: '', route: 'models', status: '401' })).toBe(1);
    expect(sampleValue(families, 'tickwork_rows_total', { model: 'm', status: '200' })).toBe(250);
    expect(sampleValue(families, 'tickwork_request_duration_seconds_count', { model: 'm', route: 'predict' })).toBe(2);
    expect(sampleValue(families, 'tickwork_forward_pass_rows_sum', { model: 'm' })).toBe(250);
    expect(sampleValue(families, 'tickwork_input_psi', { model: 'm', input: 'x' })).toBeGreaterThan(1);
    expect(sampleValue(families, 'tickwork_input_unseen_share', { model: 'm', input: 'c' })).toBe(1);
    expect(sampleValue(families, 'tickwork_input_missing_share', { model: 'm', input: 'flag' })).toBe(0);
    expect(sampleValue(families, 'tickwork_rows_with_warnings_share', { model: 'm' })).toBe(1);
    expect(sampleValue(families, 'tickwork_alert_active', { model: 'm', kind: 'psi', input: 'x' })).toBe(1);
    expect(sampleValue(families, 'tickwork_alerts_total', { model: 'm', kind: 'psi' })).toBeGreaterThanOrEqual(1);
    expect(sampleValue(families, 'tickwork_workers')).toBe(2);
    expect(families.get('tickwork_predict_error_rate')!.samples).toEqual([]); // fewer than 20 requests yet
    const stats = monitor.stats();
    expect(stats.models.m).toMatchObject({ requests: 2, failedRequests: 1, rows: 250, windowRows: 250 });
    expect(lines.some((l) => l.startsWith('ALERT') && l.includes('"x"'))).toBe(true);
    expect(lines.join('\n')).not.toContain('99'); // values never reach the log
  });

  it('rejects garbage as Prometheus text (the checker itself can fail)', () => {
    expect(() => parsePrometheusText('garbage line {{\n')).toThrow();
    expect(() => parsePrometheusText('# TYPE a counter\na{b="c} 1\n')).toThrow();
    expect(() => parsePrometheusText('# TYPE a counter\na abc\n')).toThrow();
  });
});

describe('model names', () => {
  it('defaults to the folder or zip name and refuses two models under one name', async () => {
    expect(defaultModelName('/x/iris-model')).toBe('iris-model');
    expect(defaultModelName('/x/My Model.zip')).toBe('My-Model');
    const refs = await resolveModelSources(['/a/iris', 'other=/b/iris']);
    expect(refs.map((r) => r.name)).toEqual(['iris', 'other']);
    await expect(resolveModelSources(['/a/iris', '/b/iris'])).rejects.toThrow(/other-name=/);
    await expect(resolveModelSources(['bad name=/a'])).rejects.toThrow(/letters, digits/);
    const empty = await import('node:fs').then((fs) => fs.mkdtempSync(join(tmpdir(), 'tickwork-ws-')));
    await expect(resolveModelSources(['run:abcdef123'], empty)).rejects.toThrow(/No run with id abcdef123 in this workspace/);
    await expect(resolveModelSources([])).rejects.toThrow(/needs --model/);
  });
});

describe('hosts', () => {
  it('counts only loopback addresses as this machine only (others get the warning)', () => {
    expect(['127.0.0.1', 'localhost', '::1', '127.1.2.3'].map(isLoopback)).toEqual([true, true, true, true]);
    expect(['0.0.0.0', '::', '192.168.1.5', 'example.org'].map(isLoopback)).toEqual([false, false, false, false]);
  });
});
