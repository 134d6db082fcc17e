import { describe, expect, it } from 'vitest';
import { detectTask, parseDate, parseNumber, profileColumn } from '../../models/data/schema';
import { columnFromCells } from '../../models/data/table';

describe('parseNumber', () => {
  it('accepts plain decimal and scientific numbers only', () => {
    expect(parseNumber(' 1.5 ')).toBe(1.5);
    expect(parseNumber('-3e2')).toBe(-300);
    expect(parseNumber('.5')).toBe(0.5);
    for (const bad of ['', 'abc', '1,5', '0x10', 'Infinity', '1.2.3']) expect(parseNumber(bad)).toBeNull();
  });
});

describe('profileColumn', () => {
  it('types and summarizes a numeric column', () => {
    const p = profileColumn('x', columnFromCells(['1', '2', '3', null]));
    expect(p.type).toBe('integer');
    expect(profileColumn('x', columnFromCells(['1.5', '2', '3'])).type).toBe('numeric');
    expect(p.missing).toBe(1);
    expect(p.distinct).toBe(3);
    expect(p.min).toBe(1);
    expect(p.max).toBe(3);
    expect(p.mean).toBe(2);
    expect(p.std).toBeCloseTo(Math.sqrt(2 / 3), 12);
    expect(p.integer).toBe(true);
  });

  it('keeps a mostly-numeric column numeric and records the stray cells', () => {
    const values = Array.from({ length: 30 }, (_, i) => String(i));
    values[7] = 'abc';
    const p = profileColumn('x', columnFromCells(values));
    expect(p.type).toBe('integer');
    expect(p.invalidCount).toBe(1);
    expect(p.invalid[0]).toEqual({ row: 7, line: 9, value: 'abc' });
  });

  it('types words as categorical with top values', () => {
    const p = profileColumn('c', columnFromCells(['a', 'b', 'a', 'c', 'a']));
    expect(p.type).toBe('categorical');
    expect(p.top[0]).toEqual({ value: 'a', count: 3 });
  });
});

describe('column types', () => {
  it('tells booleans, dates, free text and categories apart', () => {
    expect(profileColumn('b', columnFromCells(['Yes', 'no', 'yes', null])).type).toBe('boolean');
    expect(profileColumn('b', columnFromCells(['TRUE', 'False'])).type).toBe('boolean');
    expect(profileColumn('d', columnFromCells(['2024-01-31', '2024-02-01T10:30:00Z', '2023/12/24', null])).type).toBe('datetime');
    const prose = Array.from({ length: 30 }, (_, i) => `Customer ${i} wrote that the delivery was late and the box was damaged`);
    expect(profileColumn('t', columnFromCells(prose)).type).toBe('text');
    expect(profileColumn('c', columnFromCells(['red', 'green', 'red'])).type).toBe('categorical');
  });

  it('reads dates without a zone as UTC', () => {
    expect(parseDate('2024-01-31')).toBe(Date.UTC(2024, 0, 31));
    expect(parseDate('2024-01-31 10:30')).toBe(Date.UTC(2024, 0, 31, 10, 30));
    expect(parseDate('31.01.2024')).toBeNull();
  });
});

describe('detectTask', () => {
  it('reads two classes as binary, a few integers or words as multiclass, real numbers as regression', () => {
    expect(detectTask(profileColumn('y', columnFromCells(['0', '1', '1'])))).toBe('binary');
    expect(detectTask(profileColumn('y', columnFromCells(['yes', 'no'])))).toBe('binary');
    expect(detectTask(profileColumn('y', columnFromCells(['1', '2', '3', '2'])))).toBe('multiclass');
    expect(detectTask(profileColumn('y', columnFromCells(['a', 'b', 'c'])))).toBe('multiclass');
    expect(detectTask(profileColumn('y', columnFromCells(['1.5', '2.25', '3.0'])))).toBe('regression');
    expect(detectTask(profileColumn('y', columnFromCells(Array.from({ length: 50 }, (_, i) => String(i)))))).toBe('regression');
  });
});
