/**
 * The streaming file reader: messy fixtures, encodings, chunk boundaries, progress, cancel,
 * sampling beyond a row cap, and the bad inputs of the data issue.
 */
import { mkdtemp, mkdir, rm, writeFile, readFile, stat, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runDoctor } from '../../models/data/doctor';
import { readTableFile } from '../../models/data/read';
import { profileTable } from '../../models/data/schema';
import { cell, columnCells, columnIndex, lineOf } from '../../models/data/table';
import { defaultIgnored } from '../../models/data/doctor';
import { rejected as failure } from '../helpers/errors';

const FIXTURES = join(__dirname, '../fixtures/messy');
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tickwork-stream-'));
});

describe('messy fixtures', () => {
  it('Latin-1 with semicolons, CRLF, quoted delimiters and quotes, NA/blank/? as missing', async () => {
    const { table } = await readTableFile(join(FIXTURES, 'latin1-semicolon.csv'));
    expect(table.delimiter).toBe(';');
    expect(table.rowCount).toBe(40);
    expect(table.columnNames).toEqual(['customer_id', 'city', 'note', 'spend', 'segment', 'region_code', 'churn']);
    const city = columnCells(table, 1);
    expect(new Set(city)).toEqual(new Set(['Zürich', 'Málaga', 'Köln', 'São Paulo', 'Besançon']));
    expect(columnCells(table, 2)[6]).toBe('likes "cheap"; pays late'); // row 7
    expect(columnCells(table, 2)[8]).toBeNull(); // NA
    const spend = columnCells(table, 3);
    expect(spend[10]).toBeNull(); // blank
    expect(spend[12]).toBeNull(); // ?
    const profiles = profileTable(table);
    expect(profiles.map((p) => p.type)).toEqual(['integer', 'categorical', 'categorical', 'numeric', 'categorical', 'categorical', 'boolean']);
    const ignored = defaultIgnored(profiles, table.rowCount, 'churn');
    expect(ignored.get('customer_id')).toBe('identifier');
    expect(ignored.get('region_code')).toBe('constant');
    const codes = runDoctor(table, profiles, { target: 'churn' }).map((f) => `${f.code}:${f.column}`);
    expect(codes).toContain('identifier:customer_id');
    expect(codes).toContain('constant:region_code');
  });

  it('UTF-8 BOM, tabs and a quoted field spanning two lines', async () => {
    const { table } = await readTableFile(join(FIXTURES, 'bom-tab-multiline.tsv'));
    expect(table.delimiter).toBe('\t');
    expect(table.columnNames[0]).toBe('id'); // no BOM left on the first name
    expect(table.rowCount).toBe(20);
    expect(columnCells(table, 1)[2]).toBe('line one\nline two');
  });

  it('UTF-16 with a BOM and pipes', async () => {
    const { table } = await readTableFile(join(FIXTURES, 'utf16-pipe.csv'));
    expect(table.delimiter).toBe('|');
    expect(table.columnNames).toEqual(['a', 'b', 'label']);
    expect(table.rowCount).toBe(12);
    expect(columnCells(table, 1).slice(0, 2)).toEqual(['y', 'x']);
  });

  it('ragged rows: the first line numbers, and nothing loaded', async () => {
    const e = await failure(readTableFile(join(FIXTURES, 'ragged.csv')));
    expect(e.message).toMatch(/2 row\(s\) do not have the 3 fields of the header \(line 3 has 2, line 5 has 4\)/);
  });
  it('lines of only spaces are blank lines, skipped; a ragged row among them is counted once, by line', async () => {
    const path = join(dir, 'spaces.csv');
    await writeFile(path, 'id,x,y\r\n1,2,a\r\n   \r\n2,3,b\r\n\t\r\n3,4,a\r\n');
    const { table } = await readTableFile(path);
    expect(table.rowCount).toBe(3);
    expect(profileTable(table).map((p) => p.type)).toEqual(['integer', 'integer', 'categorical']);
    await writeFile(path, 'a,b,c\n1,2,3\n4,5\n   \n6,7,8,9\n1,2,3\n');
    const e = await failure(readTableFile(path));
    expect(e.message).toMatch(/2 row\(s\) do not have the 3 fields of the header \(line 3 has 2, line 5 has 4\)/);
  });
});

describe('streaming', () => {
  it('is exact across chunk boundaries: multi-byte characters and quoted newlines split between chunks', async () => {
    // ~3 MB: several 1 MB chunks; every row has a 2-byte character and some a quoted newline.
    const rows = ['id,name,note,y'];
    for (let i = 0; i < 120_000; i++) rows.push(`${i},Zoë ${i % 97},"${i % 5 === 0 ? 'a\nb' : 'é, ü'}",${i % 2}`);
    const path = join(dir, 'chunks.csv');
    await writeFile(path, rows.join('\n') + '\n');
    expect((await stat(path)).size).toBeGreaterThan(2 * 2 ** 20);
    const progress: number[] = [];
    const { table, sha256 } = await readTableFile(path, { onProgress: (p) => progress.push(p.bytes) });
    expect(table.rowCount).toBe(120_000);
    const names = columnCells(table, 1);
    const notes = columnCells(table, 2);
    for (const i of [0, 5, 12_345, 119_999]) {
      expect(names[i]).toBe(`Zoë ${i % 97}`);
      expect(notes[i]).toBe(i % 5 === 0 ? 'a\nb' : 'é, ü');
    }
    expect(progress.length).toBeGreaterThan(2);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(progress.at(-1)).toBe((await stat(path)).size);
    expect(sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('keeps a seeded uniform sample beyond the row cap, with the file line of each kept row', async () => {
    const rows = ['i,x,y'];
    for (let i = 0; i < 10_000; i++) rows.push(`${i},${i * 2},${i % 2}`);
    const path = join(dir, 'many.csv');
    await writeFile(path, rows.join('\n') + '\n');
    const { table } = await readTableFile(path, { maxRows: 1000, seed: 3 });
    expect(table.rowCount).toBe(1000);
    expect(table.sample?.totalRows).toBe(10_000);
    const i = table.columns[columnIndex(table, 'i')];
    const x = table.columns[columnIndex(table, 'x')];
    let late = 0;
    for (let r = 0; r < table.rowCount; r++) {
      const value = Number(cell(i, r));
      expect(Number(cell(x, r))).toBe(value * 2); // rows stay whole
      expect(lineOf(table, r)).toBe(value + 2); // and know their line
      if (value >= 5000) late++;
    }
    // Uniform: about half the kept rows come from the second half of the file.
    expect(late).toBeGreaterThan(400);
    expect(late).toBeLessThan(600);
    const again = await readTableFile(path, { maxRows: 1000, seed: 3 });
    expect(columnCells(again.table, 0)).toEqual(columnCells(table, 0));
  });

  it('can be cancelled, and says so', async () => {
    const rows = ['a,b'];
    for (let i = 0; i < 200_000; i++) rows.push(`${i},${i % 7}`);
    const path = join(dir, 'cancel.csv');
    await writeFile(path, rows.join('\n') + '\n');
    const controller = new AbortController();
    const e = await failure(readTableFile(path, { signal: controller.signal, onProgress: () => controller.abort() }));
    expect(e.code).toBe('cancelled');
    expect(e.message).toBe('Reading cancel.csv was cancelled; nothing was loaded.');
    // Cancelled again and again (more often than the engine keeps connections), then read whole:
    // a connection whose parse was interrupted reads the next file as any other.
    for (let k = 0; k < 5; k++) {
      const again = new AbortController();
      expect((await failure(readTableFile(path, { signal: again.signal, onProgress: () => again.abort() }))).code).toBe('cancelled');
    }
    const { table } = await readTableFile(path);
    expect(table.rowCount).toBe(200_000);
    expect(table.columns[0].kind === 'number' && table.columns[0].values[199_999]).toBe(199_999);
  });

  it('Windows-1252 bytes past the first chunk still fall back cleanly', async () => {
    const head = Buffer.from('name,y\n' + 'plain,1\n'.repeat(200_000));
    const tail = Buffer.from('caf\xe9,0\n', 'latin1');
    const path = join(dir, 'late-latin1.csv');
    await writeFile(path, Buffer.concat([head, tail]));
    const { table } = await readTableFile(path);
    expect(table.rowCount).toBe(200_001);
    expect(columnCells(table, 0).at(-1)).toBe('café');
  });
});

describe('bad input', () => {
  it('a single line of 40 MB without a line break', async () => {
    const path = join(dir, 'one-line.csv');
    await writeFile(path, 'a,'.repeat(20 * 2 ** 20));
    const e = await failure(readTableFile(path));
    expect(e.message).toMatch(/one-line\.csv: a line runs on for more than 32 MB without a line break/);
  }, 30_000);

  it('empty, header only, binary, a folder, a missing file', async () => {
    const empty = join(dir, 'empty.csv');
    await writeFile(empty, '');
    expect((await failure(readTableFile(empty))).message).toMatch(/empty\.csv is empty/);
    const header = join(dir, 'header.csv');
    await writeFile(header, 'a,b,c\n');
    expect((await failure(readTableFile(header))).message).toMatch(/has a header row but no data rows/);
    const binary = join(dir, 'image.csv');
    await writeFile(binary, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]));
    expect((await failure(readTableFile(binary))).message).toMatch(/does not look like a text file/);
    const folder = join(dir, 'folder.csv');
    await mkdir(folder);
    expect((await failure(readTableFile(folder))).message).toMatch(/is a folder, not a data file/);
    const gone = await failure(readTableFile(join(dir, 'nope.csv')));
    expect(gone.code).toBe('not_found');
  });

  it('a file deleted while it is being read: the open handle finishes the read, the file is not recreated', async () => {
    const rows = ['a,b'];
    for (let i = 0; i < 300_000; i++) rows.push(`${i},${i % 3}`);
    const path = join(dir, 'vanishing.csv');
    await writeFile(path, rows.join('\n') + '\n');
    let deleted = false;
    const { table } = await readTableFile(path, {
      onProgress: () => {
        if (!deleted) {
          deleted = true;
          void unlink(path);
        }
      },
    });
    expect(deleted).toBe(true);
    expect(table.rowCount).toBe(300_000);
    await expect(readFile(path)).rejects.toThrow(/ENOENT/);
    await rm(dir, { recursive: true, force: true }).catch(() => undefined);
    dir = await mkdtemp(join(tmpdir(), 'tickwork-stream-'));
  });
});
