import { describe, expect, it } from 'vitest';
import { splitRows } from '../../models/data/split';

const rows = Int32Array.from({ length: 100 }, (_, i) => i);
const strata = Array.from({ length: 100 }, (_, i) => (i < 80 ? 0 : 1));

describe('splitRows', () => {
  it('partitions all rows into disjoint parts', () => {
    const s = splitRows(rows, { validation: 0.15, test: 0.15, seed: 1, strata });
    const all = [...s.train, ...s.validation, ...s.test].sort((a, b) => a - b);
    expect(all).toEqual([...rows]);
    expect(s.train.length + s.validation.length + s.test.length).toBe(100);
  });

  it('keeps class proportions in every part when stratified', () => {
    const s = splitRows(rows, { validation: 0.2, test: 0.2, seed: 3, strata });
    const minority = (part: Int32Array) => [...part].filter((r) => r >= 80).length;
    expect(minority(s.validation)).toBe(4);
    expect(minority(s.test)).toBe(4);
    expect(minority(s.train)).toBe(12);
  });

  it('is reproducible from its seed, and a different seed (including 0) gives a different split', () => {
    const a = splitRows(rows, { validation: 0.2, test: 0.2, seed: 7 });
    const b = splitRows(rows, { validation: 0.2, test: 0.2, seed: 7 });
    const c = splitRows(rows, { validation: 0.2, test: 0.2, seed: 0 });
    expect([...a.test]).toEqual([...b.test]);
    expect([...a.test]).not.toEqual([...c.test]);
  });

  it('keeps at least one training row per class on tiny data', () => {
    const s = splitRows(Int32Array.from([0, 1, 2, 3]), { validation: 0.15, test: 0.15, seed: 1, strata: [0, 1, 1, 0] });
    expect(s.train.length).toBe(4);
    expect(s.validation.length).toBe(0);
  });
});
