/**
 * The query step (models/data/query.ts): the dataset is the result of SQL over the opened file.
 */
import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readTableFile } from '../../models/data/read';
import { modelQuery, rowsForModel } from '../../models/data/model-query';
import { profileTable } from '../../models/data/schema';
import { columnCells, columnIndex, tableFromRows } from '../../models/data/table';
import { rejected as failure } from '../helpers/errors';

let dir: string;
let train: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tickwork-query-'));
  train = join(dir, 'train.csv');
  const rows = ['id,width,height,city,label'];
  for (let i = 0; i < 40; i++) rows.push(`${i},${i % 7},${(i % 5) + 1},${['Oslo', 'Rome'][i % 2]},${i % 3 === 0 ? 'yes' : 'no'}`);
  await writeFile(train, rows.join('\n') + '\n');
  await writeFile(join(dir, 'cities.csv'), 'city,country\nOslo,Norway\nRome,Italy\n');
});

describe('the query step', () => {
  it('filters rows and chooses and renames columns; statistics describe the result', async () => {
    const { table } = await readTableFile(train, { query: 'SELECT width AS w, height, label FROM data WHERE city = \'Oslo\'' });
    expect(table.columnNames).toEqual(['w', 'height', 'label']);
    expect(table.rowCount).toBe(20);
    expect(table.query).toBe("SELECT width AS w, height, label FROM data WHERE city = 'Oslo'");
    const profiles = profileTable(table);
    expect(profiles[0].type).toBe('integer');
    expect(profiles[0].max).toBe(6);
    expect(profiles[2].top.map((t) => t.value).sort()).toEqual(['no', 'yes']);
  });

  it('derives a column, and prediction computes it again on the scoring file', async () => {
    const query = 'SELECT width * height AS area, city, label FROM data';
    const { table } = await readTableFile(train, { query });
    const area = columnCells(table, columnIndex(table, 'area'));
    expect(area.slice(0, 4)).toEqual(['0', '2', '6', '12']); // 0·1, 1·2, 2·3, 3·4
    // The stored query comes back from a run config or from preprocessing.json of an export.
    expect(modelQuery({}, { query })).toBe(query);
    expect(modelQuery({ query }, null)).toBe(query);
    const scoring = join(dir, 'new.csv');
    await writeFile(scoring, 'id,width,height,city,label\n100,10,3,Rome,\n101,2,2.5,Oslo,\n');
    const scored = (await readTableFile(scoring, { query: modelQuery({}, { query }) })).table;
    expect(columnCells(scored, 0)).toEqual(['30', '5']);
    // Rows sent as objects: source rows go through the query, rows already shaped are used as they are.
    const toTable = (rows: Record<string, unknown>[], inputs: string[]) =>
      tableFromRows({ name: 'rows', source: 'request', delimiter: '' }, inputs, rows.map((r) => inputs.map((n) => String(r[n]))));
    const viaQuery = await rowsForModel([{ id: 1, width: 4, height: 5, city: 'Oslo', label: '' }], ['area', 'city'], query, toTable);
    expect(columnCells(viaQuery, 0)).toEqual(['20']);
    const shaped = await rowsForModel([{ area: 7, city: 'Rome' }], ['area', 'city'], query, toTable);
    expect(columnCells(shaped, 0)).toEqual(['7']);
    const dropped = await failure(rowsForModel([{ id: 1, width: 4, height: 5, city: 'Oslo', label: '' }], ['area'], `${query} WHERE width > 10`, toTable));
    expect(dropped.message).toMatch(/keeps 0 of the 1 row\(s\) sent/);
  });

  it('joins a second file by its path', async () => {
    const query = `SELECT d.width, c.country, d.label FROM data d JOIN '${join(dir, 'cities.csv')}' c USING (city) ORDER BY d.id`;
    const { table } = await readTableFile(train, { query });
    expect(table.columnNames).toEqual(['width', 'country', 'label']);
    expect(columnCells(table, 1).slice(0, 3)).toEqual(['Norway', 'Italy', 'Norway']);
  });

  it('a bad query gets DuckDB\'s reason and its position, in plain words', async () => {
    const typo = await failure(readTableFile(train, { query: 'SELECT widht, label FROM data' }));
    expect(typo.code).toBe('invalid_input');
    expect(typo.message).toMatch(/^The query could not run: a name in it is not known: Referenced column "widht" not found/);
    expect(typo.message).toMatch(/at line 1, column 8 \(near "widht, label FROM da"\)/);
    const syntax = await failure(readTableFile(train, { query: 'SELECT width\nFORM data' }));
    // DuckDB reads FORM as an alias of width and stops at "data".
    expect(syntax.message).toMatch(/it is not valid SQL \(syntax error at or near "data"\) — at line 2, column 6/);
  });

  it('only one read-only SELECT: writes, settings and extra statements are refused before anything runs', async () => {
    const out = join(dir, 'written.csv');
    for (const query of [`COPY (SELECT 1) TO '${out}'`, "ATTACH 'x.db'", 'SET threads = 1', 'INSTALL excel', `SELECT * FROM data; COPY (SELECT 1) TO '${out}'`]) {
      const e = await failure(readTableFile(train, { query }));
      expect(e.code).toBe('invalid_input');
      expect(e.message).toMatch(/^The query (is not a SELECT|holds 2 statements)/);
    }
    // A closing parenthesis cannot smuggle a second statement past the wrapper either.
    const smuggled = await failure(readTableFile(train, { query: `SELECT 1) ; COPY (SELECT 1) TO '${out}' ; SELECT (1` }));
    expect(smuggled.code).toBe('invalid_input');
    await expect(stat(out)).rejects.toThrow(/ENOENT/);
    const empty = await failure(readTableFile(train, { query: 'SELECT * FROM data WHERE width > 100' }));
    expect(empty.message).toMatch(/keeps no rows of train\.csv/);
    expect((await readFile(train, 'utf8')).startsWith('id,width')).toBe(true);
  });
});
