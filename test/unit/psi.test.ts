import { describe, expect, it } from 'vitest';
import { binIndex, decileBins, populationStability, PSI_FLOOR } from '../../models/prep/psi';

describe('training bins and PSI', () => {
  it('cuts 1..100 at its deciles into ten bins of a tenth each', () => {
    const values = Float64Array.from({ length: 100 }, (_, i) => i + 1);
    const bins = decileBins(values)!;
    expect(bins.edges).toEqual([11, 21, 31, 41, 51, 61, 71, 81, 91]);
    expect(bins.shares).toEqual(new Array(10).fill(0.1));
  });

  it('keeps repeated cut points once and skips missing values', () => {
    const values = Float64Array.from([0, 0, 0, 0, 0, 0, 0, 1, 1, 2, NaN, NaN]);
    const bins = decileBins(values)!;
    expect(bins.edges).toEqual([1, 2]);
    expect(bins.shares).toEqual([0.7, 0.2, 0.1]);
    expect(decileBins(Float64Array.from([NaN]))).toBeNull();
  });

  it('puts a value in the bin whose lower edge it reaches (open at both ends)', () => {
    const edges = [1, 2, 3];
    expect([-100, 0.999, 1, 1.5, 2, 3, 1e9].map((x) => binIndex(edges, x))).toEqual([0, 0, 1, 1, 2, 3, 3]);
  });

  it('is 0 for the training shares and Σ (a − e) ln(a / e) otherwise', () => {
    expect(populationStability([0.25, 0.25, 0.5], [10, 10, 20])).toBe(0);
    // (0.9 − 0.5) ln(0.9 / 0.5) + (0.1 − 0.5) ln(0.1 / 0.5), worked out by hand: 0.878890
    expect(populationStability([0.5, 0.5], [90, 10])).toBeCloseTo(0.87889, 5);
    expect(populationStability([0.5, 0.5], [0, 0])).toBeNull();
  });

  it('floors an empty bin instead of going infinite', () => {
    const psi = populationStability([0.5, 0.5], [100, 0])!;
    expect(Number.isFinite(psi)).toBe(true);
    expect(psi).toBeCloseTo((1 - 0.5) * Math.log(1 / 0.5) + (PSI_FLOOR - 0.5) * Math.log(PSI_FLOOR / 0.5), 12);
  });
});
