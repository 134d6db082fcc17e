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

describe('what the DuckDB reader is given and holds', () => {
  it('a missing token found only outside the sampled blocks still reads as missing in a number column', async () => {
    // 200,000 short lines (~4 MB): fieldsSeen reads the head and 16 blocks of 64 KB, with ~180 KB between blocks.
    const make = (tokenRow: number) => {
      const lines = ['id,x,y'];
      for (let i = 0; i < 200_000; i++) lines.push(`${i},${i === tokenRow ? 'None' : (i % 97) / 4},${i % 2}`);
      return lines.join('\n') + '\n';
    };
    // Row 7,000 lies at ~120 KB: past the 64 KB head, before the first block (~250 KB).
    const late = join(dir, 'late-token.csv');
    const early = join(dir, 'early-token.csv');
    await writeFile(late, make(7_000));
    await writeFile(early, make(3));
    const { fieldsSeen } = await import('../../models/data/file-scan');
    const { size } = await import('node:fs/promises').then((fs) => fs.stat(late));
    expect((await fieldsSeen(late, size, ',', ['None', 'NA'])).has('None')).toBe(false);
    expect((await fieldsSeen(early, size, ',', ['None', 'NA'])).has('None')).toBe(true);
    const a = profileTable((await readTableFile(late)).table)[1];
    const b = profileTable((await readTableFile(early)).table)[1];
    for (const p of [a, b]) {
      expect(p.type).toBe('numeric');
      expect(p.missing).toBe(1);
      expect(p.invalidCount).toBe(0);
    }
    const meanWithout = (row: number) => {
      let sum = 0;
      for (let i = 0; i < 200_000; i++) if (i !== row) sum += (i % 97) / 4;
      return sum / 199_999;
    };
    expect(a.mean).toBeCloseTo(meanWithout(7_000), 9);
    expect(b.mean).toBeCloseTo(meanWithout(3), 9);
    expect(a.distinct).toBe(97);
  });

  it("purpose 'inspect': every row's statistics and data check, holding only about the check's rows", async () => {
    const lines = ['id,x,cat,leak,y'];
    for (let i = 0; i < 150_000; i++) {
      const y = (i * 7919) % 3 === 0 ? 1 : 0;
      lines.push(`${i},${((i * 31) % 1000) / 10},${'abcde'[i % 5]},${y * 10 + (i % 7) / 10},${y}`);
    }
    lines.push(lines[5]); // a duplicate row
    const path = join(dir, 'inspect.csv');
    await writeFile(path, lines.join('\n') + '\n');
    const whole = (await readTableFile(path)).table;
    const looked = (await readTableFile(path, { purpose: 'inspect' })).table;
    expect(whole.rowCount).toBe(150_001);
    const { CHECK_ROWS } = await import('../../models/data/read');
    expect(looked.rowCount).toBeLessThanOrEqual(CHECK_ROWS + 2048);
    expect(looked.rowCount).toBeGreaterThan(CHECK_ROWS / 2);
    expect(looked.stats!.rows).toBe(150_001);
    expect(looked.stats!.duplicates).toBe(1);
    const [p, q] = [profileTable(whole), profileTable(looked)];
    p.forEach((w, c) => {
      const l = q[c];
      expect([l.name, l.type, l.missing, l.min, l.max]).toEqual([w.name, w.type, w.missing, w.min, w.max]);
      if (w.mean !== null) expect(l.mean).toBeCloseTo(w.mean, 9);
      if (w.std !== null) expect(l.std).toBeCloseTo(w.std, 9);
      // id: 150,001 distinct (a sketch: within 3%); the rest exact.
      if (w.distinct > 100_000) expect(Math.abs(l.distinct / w.distinct - 1)).toBeLessThan(0.03);
      else expect(l.distinct).toBe(w.distinct);
    });
    // The held rows are blocks of whole rows, each with its own file line.
    for (const k of [0, 1, 2047, 2048, looked.rowCount - 1]) expect(Number(cell(looked.columns[0], k)) + 2).toBe(lineOf(looked, k));
    const codes = (t: typeof whole, profiles: typeof p) => runDoctor(t, profiles, { target: 'y' }).map((f) => `${f.code}:${f.column}`).sort();
    expect(codes(looked, q)).toEqual(codes(whole, p));
    expect(codes(looked, q)).toContain('leakage:leak');
    expect(codes(looked, q)).toContain('identifier:id');
  });
});
