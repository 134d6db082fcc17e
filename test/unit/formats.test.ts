/**
 * Every format reads into the same table: JSON, JSON Lines, Parquet (hyparquet), Excel .xlsx
 * (read-excel-file). Fixtures are written here with the matching writers.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parquetWriteBuffer } from 'hyparquet-writer';
import writeXlsxFile from 'write-excel-file/node';
import { readTableFile } from '../../models/data/read';
import { cell, columnCells } from '../../models/data/table';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tickwork-formats-'));
});

const expectTable = (t: Awaited<ReturnType<typeof readTableFile>>['table']) => {
  expect(t.columnNames).toEqual(['x', 'colour', 'ok']);
  expect(t.rowCount).toBe(3);
  expect(columnCells(t, 0)).toEqual(['1.5', '2', null]);
  expect(columnCells(t, 1)).toEqual(['red', null, 'blue']);
  expect(columnCells(t, 2)).toEqual(['true', 'false', 'true']);
};

describe('formats', () => {
  it('JSON array of objects, with a missing key and nulls', async () => {
    const path = join(dir, 'rows.json');
    await writeFile(path, JSON.stringify([{ x: 1.5, colour: 'red', ok: true }, { x: 2, ok: false }, { x: null, colour: 'blue', ok: true }]));
    expectTable((await readTableFile(path)).table);
  });

  it('JSON Lines', async () => {
    const path = join(dir, 'rows.jsonl');
    await writeFile(path, '{"x":1.5,"colour":"red","ok":true}\n{"x":2,"colour":null,"ok":false}\n\n{"colour":"blue","ok":true}\n');
    expectTable((await readTableFile(path)).table);
  });

  it('Parquet', async () => {
    const path = join(dir, 'rows.parquet');
    const buffer = parquetWriteBuffer({
      columnData: [
        { name: 'x', data: [1.5, 2, null], type: 'DOUBLE' },
        { name: 'colour', data: ['red', null, 'blue'], type: 'STRING' },
        { name: 'ok', data: [true, false, true], type: 'BOOLEAN' },
      ],
    });
    await writeFile(path, new Uint8Array(buffer));
    expectTable((await readTableFile(path)).table);
  });

  it('Excel .xlsx, first sheet or a chosen one, dates as ISO 8601', async () => {
    const path = join(dir, 'book.xlsx');
    await writeXlsxFile([
      {
        sheet: 'data',
        data: [
          ['x', 'colour', 'ok'],
          [1.5, 'red', true],
          [2, null, false],
          [null, 'blue', true],
        ],
      },
      {
        sheet: 'dates',
        data: [
          ['when', 'y'],
          [{ value: new Date(Date.UTC(2024, 0, 31)), format: 'yyyy-mm-dd' }, 1],
          [{ value: new Date(Date.UTC(2024, 1, 1)), format: 'yyyy-mm-dd' }, 0],
        ],
      },
    ] as never).toFile(path);
    expectTable((await readTableFile(path)).table);
    const dates = (await readTableFile(path, { sheet: 'dates' })).table;
    expect(cell(dates.columns[0], 0)).toMatch(/^2024-01-31T00:00:00/);
    expect((await readTableFile(path, { sheet: '2' })).table.columnNames).toEqual(['when', 'y']);
    await expect(readTableFile(path, { sheet: 'nope' })).rejects.toThrow(/no sheet "nope"/);
  });

  it('clear messages for bad files', async () => {
    const bad = join(dir, 'bad.json');
    await writeFile(bad, '[{"a": 1}, 2]');
    await expect(readTableFile(bad)).rejects.toThrow('item 2 of the array is not an object');
    const lines = join(dir, 'bad.jsonl');
    await writeFile(lines, '{"a":1,"b":2}\n{oops}\n');
    await expect(readTableFile(lines)).rejects.toThrow('line 2 is not valid JSON');
    const xls = join(dir, 'old.xls');
    await writeFile(xls, 'whatever');
    await expect(readTableFile(xls)).rejects.toThrow('Save it as .xlsx or CSV');
    const fakeParquet = join(dir, 'fake.parquet');
    await writeFile(fakeParquet, 'not parquet at all');
    await expect(readTableFile(fakeParquet)).rejects.toThrow(/could not be read as Parquet/);
    const pdf = join(dir, 'report.pdf');
    await writeFile(pdf, '%PDF');
    await expect(readTableFile(pdf)).rejects.toThrow(/".pdf" files are not supported. Open CSV\/TSV, JSON, JSON Lines, Parquet or Excel .xlsx/);
  });
});

describe('the format table (shared/formats.ts)', () => {
  it('is what the readers accept, the CLI help lists and the README names', async () => {
    const { DATA_FORMATS, formatOfExtension } = await import('../../shared/formats');
    const { USAGE } = await import('../../cli/usage');
    const { readFileSync } = await import('node:fs');
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    for (const format of DATA_FORMATS) {
      expect(readme, `README names ${format.label}`).toContain(format.label);
      for (const ext of format.extensions) {
        expect(USAGE).toContain(ext);
        expect(formatOfExtension(ext.toUpperCase())?.id).toBe(format.id);
      }
    }
    expect(formatOfExtension('.docx')).toBeNull();
    await expect(readTableFile(join(dir, 'notes.docx'))).rejects.toThrow(/not found/); // a missing file is named as missing first
    await writeFile(join(dir, 'notes.docx'), 'x');
    await expect(readTableFile(join(dir, 'notes.docx'))).rejects.toThrow(/"\.docx" files are not supported\. Open CSV\/TSV, .* or Excel \.xlsx/);
  });
});
