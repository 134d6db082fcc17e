/**
 * The decision-surface grid: its axes, what the other inputs are held at, and how raw model
 * outputs become cell values.
 */
import { describe, expect, it } from 'vitest';
import { buildSurfaceGrid, defaultSurfaceAxes, isTwoValued, surfaceBasis, surfaceValues, typicalFromSpec } from '../../models/prep/surface';
import { fitPreprocessing, rowsWithTarget } from '../../models/prep/preprocessing';
import { profileTable } from '../../models/data/schema';
import { tableFromRows } from '../../models/data/table';
import { preprocessingConfigSchema } from '../../shared/run-config';

const table = tableFromRows({ name: 't', source: 't', delimiter: ',' }, ['a', 'b', 'c', 'city', 'y'], [
  ['0', '10', '1', 'Oslo', 'no'],
  ['1', '20', '2', 'Oslo', 'yes'],
  ['2', '30', '100', 'Rome', 'no'],
  ['3', '40', '3', 'Oslo', 'yes'],
  ['4', '50', '4', 'Lima', 'no'],
]);
const rows = rowsWithTarget(table, 'y');
const spec = fitPreprocessing({ table, profiles: profileTable(table), target: 'y', features: ['a', 'b', 'c', 'city'], task: 'binary', trainRows: rows });

describe('decision surface grid', () => {
  it('spans each axis over the training values and no further; others at the median or most frequent value', () => {
    expect(defaultSurfaceAxes(spec)).toEqual({ x: 'a', y: 'b' });
    const grid = buildSurfaceGrid(spec, table, surfaceBasis(spec, table, rows), { x: 'a', y: 'b' }, 10);
    expect(grid.x).toEqual({ name: 'a', min: 0, max: 4 });
    expect(grid.y!.min).toBeCloseTo(10);
    expect(grid.y!.max).toBeCloseTo(50);
    expect(grid.heldAt).toEqual({ c: '3', city: 'Oslo' }); // median 3, not the mean 22
    expect(grid.matrix.rows).toBe(100);
    expect(grid.matrix.cols).toBe(spec.encoded.length);
    expect(grid.points.map((p) => [p.x, p.y, p.label])).toEqual([
      [0, 10, 0],
      [1, 20, 1],
      [2, 30, 0],
      [3, 40, 1],
      [4, 50, 0],
    ]);
    // Cell (i, j) = row j·size + i: x grows along a row of cells, y from one row to the next.
    const aAt = spec.encoded.indexOf('a');
    const bAt = spec.encoded.indexOf('b');
    const at = (row: number, col: number) => grid.matrix.x[row * grid.matrix.cols + col];
    expect(at(1, aAt)).toBeGreaterThan(at(0, aAt));
    expect(at(1, bAt)).toBe(at(0, bAt));
    expect(at(10, bAt)).toBeGreaterThan(at(0, bAt));
  });

  it('by default leaves out two-valued numeric inputs (a 0/1 column makes two stripes), unless there are no others', () => {
    expect(defaultSurfaceAxes(spec, (name) => name === 'a')).toEqual({ x: 'b', y: 'c' });
    expect(defaultSurfaceAxes(spec, () => true)).toEqual({ x: 'a', y: 'b' });
    const twoValued = tableFromRows({ name: 't', source: 't', delimiter: ',' }, ['sex', 'age', 'y'], [['0', '30', 'a'], ['1', '40', 'b'], ['', '50', 'a'], ['1', '60', 'b']]);
    const all = Int32Array.from([0, 1, 2, 3]);
    expect(isTwoValued(twoValued, 'sex', all)).toBe(true);
    expect(isTwoValued(twoValued, 'age', all)).toBe(false);
  });

  it('keeps a few kilobytes per run, not the training rows: a 2,000-row sample, typical values, ranges', () => {
    const n = 20_000;
    const big = tableFromRows({ name: 'big', source: 'big', delimiter: ',' }, ['a', 'b', 'y'], Array.from({ length: n }, (_, i) => [String(i), String(i % 7), i % 2 ? 'yes' : 'no']));
    const bigRows = rowsWithTarget(big, 'y');
    const bigSpec = fitPreprocessing({ table: big, profiles: profileTable(big), target: 'y', features: ['a', 'b'], task: 'binary', trainRows: bigRows });
    const basis = surfaceBasis(bigSpec, big, bigRows);
    expect(basis.sample.length).toBe(2000);
    expect(basis.ranges.a).toEqual({ min: 0, max: n - 1 });
    expect(Number(basis.typical.a)).toBeCloseTo((n - 1) / 2, 0);
    const grid = buildSurfaceGrid(bigSpec, big, basis, { x: 'a', y: 'b' }, 10);
    expect(grid.points).toHaveLength(300);
  });

  it('with one numeric input, or no y chosen, is a response curve along x: cells along x, points at their target', () => {
    const one = fitPreprocessing({ table, profiles: profileTable(table), target: 'y', features: ['a', 'city'], task: 'binary', trainRows: rows });
    expect(defaultSurfaceAxes(one)).toEqual({ x: 'a', y: null });
    const curve = buildSurfaceGrid(one, table, surfaceBasis(one, table, rows), { x: 'a', y: null }, 12);
    expect(curve.y).toBeNull();
    expect(curve.matrix.rows).toBe(12);
    expect(curve.heldAt).toEqual({ city: 'Oslo' });
    const aAt = one.encoded.indexOf('a');
    const xs = Array.from({ length: 12 }, (_, i) => curve.matrix.x[i * curve.matrix.cols + aAt]);
    expect(xs.every((v, i) => i === 0 || v > xs[i - 1])).toBe(true);
    expect(curve.points.map((p) => [p.x, p.y])).toEqual([[0, 0], [1, 1], [2, 0], [3, 1], [4, 0]]);
    // Also when there are two numeric inputs and only x is asked for; the default size is finer.
    expect(buildSurfaceGrid(spec, table, surfaceBasis(spec, table, rows), { x: 'b', y: null }).matrix.rows).toBe(120);
    // No numeric input: no surface at all.
    const none = fitPreprocessing({ table, profiles: profileTable(table), target: 'y', features: ['city'], task: 'binary', trainRows: rows });
    expect(defaultSurfaceAxes(none)).toBeNull();
  });

  it('typical values from a spec alone (a loaded export): numbers their mean, the most frequent category when it is the fill, booleans the commoner value, dates none', () => {
    const t = tableFromRows({ name: 't', source: 't', delimiter: ',' }, ['n', 'city', 'member', 'day', 'y'], [
      ['1', 'Oslo', 'yes', '2024-01-01', 'a'],
      ['2', 'Rome', 'yes', '2024-02-01', 'b'],
      ['6', 'Rome', 'no', '2024-03-01', 'a'],
      ['7', '', 'yes', '2024-04-01', 'b'],
    ]);
    const rowsT = rowsWithTarget(t, 'y');
    const fit = (categoricalImpute: 'most_frequent' | 'constant') =>
      fitPreprocessing({ table: t, profiles: profileTable(t), target: 'y', features: ['n', 'city', 'member', 'day'], task: 'binary', trainRows: rowsT, preprocessing: preprocessingConfigSchema.parse({ categoricalImpute }) });
    expect(typicalFromSpec(fit('most_frequent'))).toEqual({ n: '4', city: 'Rome', member: 'true', day: null });
    expect(typicalFromSpec(fit('constant')).city).toBe('Rome');
    // An older export without the most frequent category: its fill if that is the most frequent, else the first.
    const old = fit('constant');
    const city = old.features.find((f) => f.name === 'city')!;
    if (city.kind === 'categorical') delete city.mostFrequent;
    expect(typicalFromSpec(old).city).toBe('Oslo');
  });

  it('refuses an axis that is not a numeric input, naming the choices', () => {
    expect(() => buildSurfaceGrid(spec, table, surfaceBasis(spec, table, rows), { x: 'city', y: 'a' })).toThrow(/"city" is not one of this run's\. Choose from: a, b, c/);
    expect(() => buildSurfaceGrid(spec, table, surfaceBasis(spec, table, rows), { x: 'a', y: 'a' })).toThrow(/two different columns/);
  });

  it('cell values: binary probabilities, multiclass class and confidence, regression in target units', () => {
    expect(surfaceValues('binary', Float32Array.from([0.25, 0.75]), 2, null).values).toEqual([0.25, 0.75]);
    const multi = surfaceValues('multiclass', Float32Array.from([0.1, 0.7, 0.2, 0.5, 0.25, 0.25]), 2, null);
    expect(multi.values).toEqual([1, 0]);
    expect(multi.confidence![0]).toBeCloseTo(0.7);
    expect(surfaceValues('regression', Float32Array.from([1, -1]), 2, { mean: 10, std: 2 }).values).toEqual([12, 8]);
  });
});
