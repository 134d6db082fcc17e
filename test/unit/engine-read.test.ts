/**
 * What the DuckDB engine does beyond the old reader's tests: whole-file statistics over a sampled
 * Table, stray cells found past DuckDB's type sniffing, infinities, decimals after integers, and
 * column names that read like the engine's own SQL.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runDoctor } from '../../models/data/doctor';
import { readTableFile } from '../../models/data/read';
import { profileTable } from '../../models/data/schema';
import { cell, columnCells, lineOf } from '../../models/data/table';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tickwork-engine-'));
});

describe('the DuckDB reader', () => {
  it('a sampled Table keeps whole-file statistics, duplicates and stray-cell lines', async () => {
    const rows = ['v,n,b,r,y'];
    for (let i = 0; i < 30_000; i++) rows.push(`${i % 1000},${i},${i % 2 ? 'p' : 'q'},${i === 29_990 ? 'oops' : (i % 50) / 2},${i % 2}`);
    rows.push(rows[1]); // one duplicate of the first data row
    const path = join(dir, 'names.csv');
    await writeFile(path, rows.join('\n') + '\n');
    const { table } = await readTableFile(path, { maxRows: 1000, seed: 7 });
    expect(table.rowCount).toBe(1000);
    expect(table.sample?.totalRows).toBe(30_001);
    const profiles = profileTable(table);
    const [v, n, , r] = profiles;
    expect(v.distinct).toBe(1000);
    expect(n.max).toBe(29_999); // over every row, not the sample
    expect(n.rows).toBe(30_001);
    // "oops" is past DuckDB's 20,480-row type sniffing: the column is read again as text and stays numeric with its stray cell.
    expect(r.type).toBe('numeric');
    expect(r.invalidCount).toBe(1);
    expect(r.invalid[0]).toEqual({ row: 29_990, line: 29_992, value: 'oops' });
    expect(r.histogram!.counts.reduce((a, b) => a + b, 0)).toBe(30_000);
    const findings = runDoctor(table, profiles, { target: 'y' });
    expect(findings.find((f) => f.code === 'duplicates')!.message).toMatch(/^1 row\(s\)/);
    expect(findings.find((f) => f.code === 'non_numeric')!.message).toContain('line 29992 has "oops"');
    // The sample is in file order, each row knows its line, and the same seed gives the same rows.
    for (let k = 1; k < table.rowCount; k++) expect(lineOf(table, k)).toBeGreaterThan(lineOf(table, k - 1));
    expect(Number(cell(table.columns[1], 0)) + 2).toBe(lineOf(table, 0));
    const again = await readTableFile(path, { maxRows: 1000, seed: 7 });
    expect(columnCells(again.table, 1)).toEqual(columnCells(table, 1));
    const other = await readTableFile(path, { maxRows: 1000, seed: 8 });
    expect(columnCells(other.table, 1)).not.toEqual(columnCells(table, 1));
  });

  it('decimals after a run of whole numbers, infinities and hex: read as the JavaScript reader did', async () => {
    const rows = ['a,b,c,y'];
    for (let i = 0; i < 25_000; i++) rows.push(`${i},${i % 5 === 0 ? 'inf' : i},${i === 3 ? '0x10' : i},${i % 2}`);
    rows.push('1.5,2,3,1');
    const path = join(dir, 'numbers.csv');
    await writeFile(path, rows.join('\n') + '\n');
    const { table } = await readTableFile(path);
    expect(cell(table.columns[0], 25_000)).toBe('1.5'); // not rounded to 2
    const [a, b, c] = profileTable(table);
    expect(a.type).toBe('numeric');
    expect(b.type).toBe('categorical'); // a fifth of it "inf": not numeric, its numbers as JavaScript writes them
    expect(columnCells(table, 1).slice(0, 3)).toEqual(['inf', '1', '2']);
    expect(c.type).toBe('integer');
    expect(c.invalid).toEqual([{ row: 3, line: 5, value: '0x10' }]);
  });
});
