/**
 * Datasets a hostile or careless path can name: a FIFO, a device, a file that is not a table,
 * and cells megabytes long. Each is refused at once with a plain message (or shown cut), and a
 * refused open never leaves the service "busy".
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inMemoryApi } from '../../service/in-memory-transport';
import { createNodeService } from '../../service/runtime';
import { MAX_CELL_CHARS } from '../../service/bounded-cells';
import type { WorkbenchService } from '../../service/workbench-service';
import type { TickworkApi } from '../../shared/contract';
import { rejected } from '../helpers/errors';

let service: WorkbenchService;
let api: TickworkApi;
let dir: string;

beforeAll(async () => {
  service = createNodeService({ backend: 'wasm' });
  api = inMemoryApi(service);
  dir = await mkdtemp(join(tmpdir(), 'tickwork-hostile-data-'));
});

afterAll(async () => {
  await service.dispose();
  await rm(dir, { recursive: true, force: true });
});

const good = async () => {
  const path = join(dir, 'good.csv');
  await writeFile(path, 'a,b,y\n1,2,0\n3,4,1\n5,6,0\n');
  return path;
};

describe('dataset:open with paths that are not data files', () => {
  it('refuses a FIFO at once, and the next open is not "busy"', async () => {
    const fifo = join(dir, 'pipe.csv');
    execFileSync('mkfifo', [fifo]);
    const started = Date.now();
    const err = await rejected(api.openDataset({ source: { kind: 'file', path: fifo } }));
    expect(Date.now() - started).toBeLessThan(2000);
    expect(err.code).toBe('bad_data');
    expect(err.message).toContain('is a named pipe (FIFO), not a data file');
    const again = await rejected(api.openDataset({ source: { kind: 'file', path: fifo } }));
    expect(again.message).not.toContain('Another dataset is being read');
    expect((await api.openDataset({ source: { kind: 'file', path: await good() } })).rows).toBe(3);
  });

  it('refuses a device (/dev/zero, /dev/null)', async () => {
    for (const path of ['/dev/zero', '/dev/null']) {
      const err = await rejected(api.openDataset({ source: { kind: 'file', path } }));
      expect(err.message).toBe(`${path} is a device, not a data file. Tickwork reads only regular files: save the data to a file and open that.`);
    }
  });

  it('does not quote a file that is not a data table', async () => {
    const path = join(dir, 'shadow');
    await writeFile(path, 'root:$6$s3cr3tSalt$Hash0fThePassw0rd:19000:0:99999:7:::\ndaemon:*:19000:0:99999:7:::\n');
    const err = await rejected(api.openDataset({ source: { kind: 'file', path } }));
    expect(err.message).toContain('does not look like a data table');
    expect(err.message).not.toContain('s3cr3t');
    expect(err.message).not.toContain('root');
  });
});

describe('cancelling an open', () => {
  it('frees the slot at once: the next open is not "busy", and the cancelled one loads nothing', async () => {
    const path = join(dir, 'big.csv');
    const row = '1.5,2.25,abcdefghij,0\n';
    await writeFile(path, 'a,b,c,y\n' + row.repeat(1_500_000)); // ~35 MB
    const first = api.openDataset({ source: { kind: 'file', path } });
    const failed = rejected(first);
    await new Promise<void>((resolve) => {
      const off = api.onDatasetProgress(() => {
        off();
        resolve();
      });
    });
    expect(await api.cancelOpenDataset({})).toEqual({ cancelled: true });
    const next = await api.openDataset({ source: { kind: 'file', path: await good() } });
    expect(next.rows).toBe(3);
    expect((await failed).code).toBe('cancelled');
  });
});

describe('dataset previews with very long cells', () => {
  it('cuts preview cells, rows and frequent values at the limit, with a marker', async () => {
    const path = join(dir, 'long.csv');
    const long = 'x'.repeat(300_000);
    await writeFile(path, `id,note,y\n${[1, 2, 3, 4].map((i) => `${i},${long}${i},${i % 2}`).join('\n')}\n`);
    const summary = await api.openDataset({ source: { kind: 'file', path } });
    const note = summary.preview.map((row) => row[1]!);
    expect(note.every((c) => c.length === MAX_CELL_CHARS + 1 && c.endsWith('…'))).toBe(true);
    const top = summary.columns.find((c) => c.name === 'note')!.top;
    expect(top.every((t) => t.value.length <= MAX_CELL_CHARS + 1)).toBe(true);
    const rows = await api.datasetRows({ datasetId: summary.id, offset: 0, limit: 4 });
    expect(rows.rows.map((r) => r[1]!.length)).toEqual([MAX_CELL_CHARS + 1, MAX_CELL_CHARS + 1, MAX_CELL_CHARS + 1, MAX_CELL_CHARS + 1]);
    expect(rows.rows[0][0]).toBe('1'); // short cells are untouched
  });
});
