/**
 * The data worker: the service reads files there (DuckDB never starts on the thread that answers
 * requests), and what comes back — the summary, the data check, preview lines, progress, errors,
 * cancel — is what reading on the service's own thread gives.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TickworkApi } from '../../shared/contract';
import { inMemoryApi } from '../../service/in-memory-transport';
import { createNodeService } from '../../service/runtime';
import type { WorkbenchService } from '../../service/workbench-service';
import { engineStarted } from '../../models/data/engine';

let dir: string;
let inWorker: WorkbenchService;
let here: WorkbenchService;
let worker: TickworkApi;
let local: TickworkApi;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tickwork-data-worker-'));
  inWorker = createNodeService({ backend: 'wasm' });
  here = createNodeService({ backend: 'wasm', readData: 'here' });
  worker = inMemoryApi(inWorker);
  local = inMemoryApi(here);
});

afterAll(async () => {
  await inWorker.dispose();
  await here.dispose();
});

describe('the data worker', () => {
  it('reads off the service thread and gives the same summary, check and rows as a read on it', async () => {
    const path = join(dir, 'messy.csv');
    const lines = ['\uFEFFid;city;"spend, eur";score;y'];
    for (let i = 0; i < 5_000; i++) lines.push(`${i};${['Oslo', 'Lyon', 'NA'][i % 3]};${i === 4_321 ? 'n/a' : ((i * 13) % 997) / 10};${i === 77 ? 'oops' : i % 10};${i % 4 === 0 ? 1 : 0}`);
    await writeFile(path, lines.join('\n') + '\n');
    const a = await worker.openDataset({ source: { kind: 'file', path } });
    expect(engineStarted()).toBe(false); // DuckDB ran in the worker only
    const b = await local.openDataset({ source: { kind: 'file', path } });
    expect(engineStarted()).toBe(true);
    expect(a.columns).toEqual(b.columns);
    expect(a.findings).toEqual(b.findings);
    expect([a.rows, a.delimiter, a.sha256, a.preview]).toEqual([b.rows, b.delimiter, b.sha256, b.preview]);
    expect(a.findings.map((f) => f.code)).toContain('non_numeric');
    const rows = await worker.datasetRows({ datasetId: a.id, offset: 4_320, limit: 2 });
    expect(rows.lines).toEqual([4_322, 4_323]);
    expect(rows.rows[1][2]).toBeNull(); // "n/a" read as missing
  });

  it('carries progress, refusals in their own words, and cancel', async () => {
    const big = join(dir, 'big.csv');
    const lines = ['a,b,c,y'];
    for (let i = 0; i < 400_000; i++) lines.push(`${i},${(i * 7) % 1000},${i % 13},${i % 2}`);
    await writeFile(big, lines.join('\n') + '\n');
    const seen: number[] = [];
    const off = worker.onDatasetProgress((p) => seen.push(p.bytes));
    const opened = await worker.openDataset({ source: { kind: 'file', path: big } });
    off();
    expect(opened.rows).toBe(400_000);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.at(-1)).toBe(seen.reduce((m, x) => Math.max(m, x), 0));
    const empty = join(dir, 'header-only.csv');
    await writeFile(empty, 'a,b\n');
    await expect(worker.openDataset({ source: { kind: 'file', path: empty } })).rejects.toThrow(/header row but no data rows/);
    await expect(worker.openDataset({ source: { kind: 'file', path: join(dir, 'nope.csv') } })).rejects.toThrow(/File not found/);
    const reading = worker.openDataset({ source: { kind: 'file', path: big } });
    await new Promise((r) => setTimeout(r, 30));
    await worker.cancelOpenDataset({});
    await expect(reading).rejects.toThrow(/cancelled/);
    // The worker is still there for the next read.
    expect((await worker.openDataset({ source: { kind: 'bundled', name: 'iris' } })).rows).toBe(150);
  });
});
