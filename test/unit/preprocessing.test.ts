import { describe, expect, it } from 'vitest';
import { profileTable } from '../../models/data/schema';
import { tableFromRows } from '../../models/data/table';
import { encodeFeatures, encodeTarget, fitPreprocessing, type PreprocessingSpec } from '../../models/prep/preprocessing';
import { TickworkError } from '../../shared/errors';

const table = tableFromRows({ name: 't.csv', source: 't.csv', delimiter: ',' }, ['num', 'cat', 'y'], [
  ['1', 'red', 'a'],
  ['3', 'blue', 'b'],
  ['', 'red', 'a'],
  ['100', 'green', 'b'], // not a training row: must not move the statistics
]);
const trainRows = Int32Array.from([0, 1, 2]);

function fit(): PreprocessingSpec {
  return fitPreprocessing({ table, profiles: profileTable(table), target: 'y', features: ['num', 'cat'], task: 'binary', trainRows });
}

describe('preprocessing', () => {
  it('fits numeric statistics and categories on the training rows only', () => {
    const spec = fit();
    const num = spec.features[0];
    expect(num).toMatchObject({ kind: 'numeric', mean: 2, fill: 2, std: 1 });
    expect(num).toMatchObject({ min: 1, max: 3 });
    expect((num as { missingShare: number }).missingShare).toBeCloseTo(1 / 3, 12);
    expect(spec.features[1]).toEqual({ name: 'cat', kind: 'categorical', categories: ['blue', 'red'], missingShare: 0 });
    expect(spec.encoded).toEqual(['num', 'cat=blue', 'cat=red']);
    expect(spec.labels).toEqual(['a', 'b']);
  });

  it('standardizes, imputes missing values with the mean, and one-hots; unseen categories are all zeros', () => {
    const m = encodeFeatures(fit(), table);
    expect(m.cols).toBe(3);
    expect(Array.from(m.x)).toEqual([-1, 0, 1, 1, 1, 0, 0, 0, 1, 98, 0, 0]);
  });

  it('encodes identically after a JSON round trip (what the export stores)', () => {
    const spec = fit();
    const restored = JSON.parse(JSON.stringify(spec)) as PreprocessingSpec;
    expect(Array.from(encodeFeatures(restored, table).x)).toEqual(Array.from(encodeFeatures(spec, table).x));
  });

  it('encodes class labels as indices', () => {
    expect(Array.from(encodeTarget(fit(), table, Int32Array.from([0, 1, 3])))).toEqual([0, 1, 1]);
  });

  it('names a missing input column and a non-numeric cell', () => {
    const spec = fit();
    const noCat = tableFromRows({ name: 'new.csv', source: '', delimiter: ',' }, ['num'], [['1']]);
    expect(() => encodeFeatures(spec, noCat)).toThrowError(/new\.csv lacks column\(s\) the model needs: cat/);
    const bad = tableFromRows({ name: 'new.csv', source: '', delimiter: ',' }, ['num', 'cat'], [['1', 'red'], ['oops', 'red']]);
    expect(() => encodeFeatures(spec, bad)).toThrowError(TickworkError);
    expect(() => encodeFeatures(spec, bad)).toThrowError(/column "num" is numeric but line 3 has "oops"/);
  });

  it('booleans become 0/1 and dates become standardized year, month, day of week (and hour when times occur)', () => {
    const t = tableFromRows({ name: 'd.csv', source: '', delimiter: ',' }, ['when', 'member', 'y'], [
      ['2024-01-01', 'yes', 'a'], // a Monday
      ['2024-01-03', 'no', 'b'],
      ['2025-01-05', '', 'a'],
      ['', 'yes', 'b'],
    ]);
    const spec = fitPreprocessing({ table: t, profiles: profileTable(t), target: 'y', features: ['when', 'member'], task: 'binary', trainRows: Int32Array.from([0, 1, 2, 3]) });
    expect(spec.encoded).toEqual(['when:year', 'when:month', 'when:dayOfWeek', 'member']);
    const m = encodeFeatures(spec, t);
    const row = (r: number) => Array.from(m.x.subarray(r * 4, r * 4 + 4));
    const years = spec.features[0].kind === 'datetime' ? spec.features[0].parts[0] : null;
    expect(years!.mean).toBeCloseTo((2024 + 2024 + 2025) / 3, 10);
    expect(row(0)[3]).toBe(1);
    expect(row(1)[3]).toBe(0);
    expect(row(2)[3]).toBeCloseTo(2 / 3, 6); // missing → share of "yes" in training
    expect(row(3).slice(0, 3)).toEqual([0, 0, 0]); // missing date → the training means
    const bad = tableFromRows({ name: 'n.csv', source: '', delimiter: ',' }, ['when', 'member'], [['tomorrow', 'yes']]);
    expect(() => encodeFeatures(spec, bad)).toThrowError(/column "when" holds dates but line 2 has "tomorrow"/);
  });
});
