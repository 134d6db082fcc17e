import { describe, expect, it } from 'vitest';
import { kFoldIndices, splitRows } from '../../models/data/split';

const rows = Int32Array.from({ length: 100 }, (_, i) => i);
const strata = Array.from({ length: 100 }, (_, i) => (i < 80 ? 0 : 1));

describe('splitRows', () => {
  it('splits a million rows (each part is larger than the call stack takes as arguments)', () => {
    const many = Int32Array.from({ length: 1_000_000 }, (_, i) => i);
    const s = splitRows(many, { validation: 0.15, test: 0.15, seed: 1, strata: Array.from(many, (i) => i % 2) });
    expect([s.train.length, s.validation.length, s.test.length]).toEqual([700_000, 150_000, 150_000]);
    expect(new Set([...s.train, ...s.validation, ...s.test]).size).toBe(1_000_000);
  });

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

describe('kFoldIndices', () => {
  const rows = Int32Array.from({ length: 103 }, (_, i) => i * 2);
  const strata = Array.from(rows, (_, i) => (i < 23 ? 1 : 0));

  it('puts every row in exactly one validation fold, with fold sizes within one', () => {
    const folds = kFoldIndices(rows, 5, { seed: 1 });
    expect(folds).toHaveLength(5);
    const seen = folds.flatMap((f) => Array.from(f.validation)).sort((a, b) => a - b);
    expect(seen).toEqual(Array.from(rows));
    const sizes = folds.map((f) => f.validation.length);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    for (const f of folds) {
      expect(f.train.length + f.validation.length).toBe(rows.length);
      const val = new Set(f.validation);
      expect(Array.from(f.train).some((r) => val.has(r))).toBe(false);
    }
  });

  it('stratifies: each class is spread evenly over the folds; the seed decides the order', () => {
    const folds = kFoldIndices(rows, 4, { seed: 7, strata });
    const minority = new Set(Array.from(rows).filter((_, i) => strata[i] === 1));
    const perFold = folds.map((f) => Array.from(f.validation).filter((r) => minority.has(r)).length);
    expect(Math.max(...perFold) - Math.min(...perFold)).toBeLessThanOrEqual(1);
    expect(kFoldIndices(rows, 4, { seed: 7, strata })[2].validation).toEqual(folds[2].validation);
    expect(Array.from(kFoldIndices(rows, 4, { seed: 8, strata })[2].validation)).not.toEqual(Array.from(folds[2].validation));
  });

  it('refuses k < 2 or more folds than rows', () => {
    expect(() => kFoldIndices(rows, 1, { seed: 1 })).toThrow(/k ≥ 2/);
    expect(() => kFoldIndices(Int32Array.from([1, 2]), 3, { seed: 1 })).toThrow(/at least 3 rows/);
  });
});
