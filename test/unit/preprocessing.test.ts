import { describe, expect, it } from 'vitest';
import { profileTable } from '../../models/data/schema';
import { tableFromRows } from '../../models/data/table';
import { encodeFeatures, encodeTarget, fitPreprocessing, type PreprocessingSpec } from '../../models/prep/preprocessing';
import { preprocessingConfigSchema, type PreprocessingConfig } from '../../shared/run-config';
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
    // Training histograms for drift (PSI): decile bins of the training values, category shares (+ "(other)").
    expect(num).toMatchObject({ bins: { edges: [3], shares: [0.5, 0.5] } });
    expect(spec.features[1]).toEqual({ name: 'cat', kind: 'categorical', categories: ['blue', 'red'], other: false, impute: 'constant', fill: null, mostFrequent: 'red', missingShare: 0, shares: [1 / 3, 2 / 3, 0] });
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

  describe('choices per column', () => {
    // 8 training rows; row 8 is held out.
    const t = tableFromRows({ name: 'c.csv', source: '', delimiter: ',' }, ['x', 'city', 'y'], [
      ['1', 'paris', 'a'],
      ['2', 'paris', 'b'],
      ['3', 'paris', 'a'],
      ['4', 'rome', 'b'],
      ['5', 'rome', 'a'],
      ['', 'oslo', 'b'],
      ['10', '', 'a'],
      ['100', 'lima', 'b'],
      ['7', 'tokyo', 'a'], // held out: "tokyo" is never seen in training
    ]);
    const train = Int32Array.from([0, 1, 2, 3, 4, 5, 6, 7]);
    const fitWith = (prep: Partial<PreprocessingConfig>) =>
      fitPreprocessing({ table: t, profiles: profileTable(t), target: 'y', features: ['x', 'city'], task: 'binary', trainRows: train, preprocessing: preprocessingConfigSchema.parse(prep) });
    const xColumn = (spec: PreprocessingSpec) => Array.from(encodeFeatures(spec, t).x).filter((_, i) => i % spec.encoded.length === 0);

    it('median imputation and robust scaling use the training median and IQR', () => {
      const spec = fitWith({ numericImpute: 'median', scale: 'robust' });
      // training x (present): 1 2 3 4 5 10 100 → median 4, Q1 2.5, Q3 7.5 (linear interpolation)
      expect(spec.features[0]).toMatchObject({ impute: 'median', fill: 4, scaling: 'robust', center: 4, scale: 5 });
      const xs = xColumn(spec);
      expect(xs[0]).toBeCloseTo(-0.6, 6);
      expect(xs[5]).toBe(0); // missing → median → 0
    });

    it('min-max scaling maps the training range to 0..1, and a constant fill comes from the column choice', () => {
      const spec = fitWith({ scale: 'minmax', columns: { x: { impute: 'constant', fillValue: -1 } } });
      expect(spec.features[0]).toMatchObject({ fill: -1, center: 1, scale: 99 });
      const xs = xColumn(spec);
      expect(xs[0]).toBe(0);
      expect(xs[7]).toBe(1);
      expect(xs[5]).toBeCloseTo(-2 / 99, 6);
    });

    it('caps one-hot at the most frequent categories with an (other) input that unseen categories also use', () => {
      const spec = fitWith({ maxCategories: 2 });
      const city = spec.features[1];
      expect(city).toMatchObject({ kind: 'categorical', categories: ['paris', 'rome', '(missing)'], other: true, fill: '(missing)' });
      expect(spec.encoded).toEqual(['x', 'city=paris', 'city=rome', 'city=(missing)', 'city=(other)']);
      const m = encodeFeatures(spec, t);
      const row = (r: number) => Array.from(m.x.subarray(r * 5 + 1, r * 5 + 5));
      expect(row(0)).toEqual([1, 0, 0, 0]);
      expect(row(5)).toEqual([0, 0, 0, 1]); // oslo: rare → other
      expect(row(6)).toEqual([0, 0, 1, 0]); // missing → (missing)
      expect(row(8)).toEqual([0, 0, 0, 1]); // tokyo: unseen → other, no error
    });

    it('most-frequent imputation fills a missing category with the commonest one', () => {
      const spec = fitWith({ categoricalImpute: 'most_frequent' });
      expect(spec.features[1]).toMatchObject({ fill: 'paris', other: false });
      expect(spec.encoded).not.toContain('city=(missing)');
      const m = encodeFeatures(spec, t);
      const at = spec.encoded.indexOf('city=paris');
      expect(m.x[6 * spec.encoded.length + at]).toBe(1);
      // Without an (other) input, an unseen category encodes as all zeros.
      expect(Array.from(m.x.subarray(8 * spec.encoded.length + 1, 9 * spec.encoded.length))).toEqual(new Array(spec.encoded.length - 1).fill(0));
    });

    it('reads whole numbers as categories when asked, and rejects an impute that does not fit the column', () => {
      const spec = fitWith({ columns: { x: { treatAs: 'categorical' } } });
      expect(spec.features[0].kind).toBe('categorical');
      expect(spec.encoded).toContain('x=100');
      expect(() => fitWith({ columns: { city: { impute: 'median' } } })).toThrowError(/"city" is categorical; impute "median" is for numbers/);
      expect(() => fitWith({ columns: { x: { impute: 'most_frequent' } } })).toThrowError(/"x" is numeric; impute "most_frequent" is for categories/);
      expect(() => fitWith({ columns: { city: { treatAs: 'numeric' } } })).toThrowError(/column "city" is read as numbers but line 2 has "paris"/);
    });
  });
});
