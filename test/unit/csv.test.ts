import { describe, expect, it } from 'vitest';
import { parseDelimited } from '../../models/data/csv';
import { columnCells } from '../../models/data/table';
import { thrown as error } from '../helpers/errors';

const meta = { name: 'data.csv', source: '/tmp/data.csv' };

describe('parseDelimited', () => {
  it('reads a comma-separated file with a header, turning missing tokens into null', () => {
    const t = parseDelimited('a,b,c\n1,x,NA\n2,,?\n', meta);
    expect(t.columnNames).toEqual(['a', 'b', 'c']);
    expect(t.rowCount).toBe(2);
    expect(t.delimiter).toBe(',');
    expect(columnCells(t, 0)).toEqual(['1', '2']);
    expect(columnCells(t, 1)).toEqual(['x', null]);
    expect(columnCells(t, 2)).toEqual([null, null]);
  });

  it('sniffs semicolons, keeps quoted delimiters, handles CRLF and a BOM', () => {
    const t = parseDelimited('\uFEFFname;note;y\r\n"Smith; J";"said ""hi""";1\r\nLee;ok;0\r\n', meta);
    expect(t.delimiter).toBe(';');
    expect(t.columnNames).toEqual(['name', 'note', 'y']);
    expect(columnCells(t, 0)).toEqual(['Smith; J', 'Lee']);
    expect(columnCells(t, 1)).toEqual(['said "hi"', 'ok']);
  });

  it('names empty and duplicate header cells', () => {
    const t = parseDelimited('x,,x\n1,2,3\n', meta);
    expect(t.columnNames).toEqual(['x', 'column_2', 'x_2']);
  });

  it('says a header-only file has no data rows', () => {
    const e = error(() => parseDelimited('a,b,c\n', meta));
    expect(e.code).toBe('bad_data');
    expect(e.message).toContain('header row but no data rows');
  });

  it('says an empty file is empty', () => {
    expect(error(() => parseDelimited('  \n\n', meta)).message).toContain('is empty');
  });

  it('reports the line numbers of ragged rows', () => {
    const e = error(() => parseDelimited('a,b\n1,2\n3\n4,5,6\n7,8\n', meta));
    expect(e.message).toContain('2 row(s)');
    expect(e.message).toContain('line 3 has 1');
    expect(e.message).toContain('line 4 has 3');
  });

  it('refuses binary content', () => {
    expect(error(() => parseDelimited('PK\u0003\u0004\u0000\u0000garbage', meta)).message).toContain('binary');
  });
});
