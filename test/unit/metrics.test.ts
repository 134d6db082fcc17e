import { describe, expect, it } from 'vitest';
import { computeMetrics, rowProbabilities } from '../../models/train/metrics';

describe('computeMetrics', () => {
  it('binary: log loss and accuracy at 0.5', () => {
    const m = computeMetrics('binary', Float32Array.from([0.9, 0.2, 0.6]), Float32Array.from([1, 0, 0]), 1);
    const expected = -(Math.log(Math.fround(0.9)) + Math.log(1 - Math.fround(0.2)) + Math.log(1 - Math.fround(0.6))) / 3;
    expect(m.loss).toBeCloseTo(expected, 12);
    expect(m.accuracy).toBeCloseTo(2 / 3, 12);
  });

  it('multiclass: cross-entropy of the true class and argmax accuracy', () => {
    const out = Float32Array.from([0.7, 0.2, 0.1, 0.1, 0.3, 0.6]);
    const m = computeMetrics('multiclass', out, Float32Array.from([0, 1]), 3);
    expect(m.loss).toBeCloseTo(-(Math.log(Math.fround(0.7)) + Math.log(Math.fround(0.3))) / 2, 12);
    expect(m.accuracy).toBe(0.5);
  });

  it('regression: mse, rmse, mae, r2 in target units; loss is the standardized mse', () => {
    const m = computeMetrics('regression', Float32Array.from([1, 2, 5]), Float32Array.from([1, 3, 5]), 1, 2);
    expect(m.mse).toBeCloseTo(1 / 3, 12);
    expect(m.rmse).toBeCloseTo(Math.sqrt(1 / 3), 12);
    expect(m.mae).toBeCloseTo(1 / 3, 12);
    expect(m.r2).toBeCloseTo(1 - 1 / 8, 12);
    expect(m.loss).toBeCloseTo(1 / 3 / 4, 12);
  });

  it('a perfectly wrong confident prediction costs a large but finite loss', () => {
    const m = computeMetrics('binary', Float32Array.from([0]), Float32Array.from([1]), 1);
    expect(Number.isFinite(m.loss)).toBe(true);
    expect(m.loss).toBeGreaterThan(15);
  });
});

describe('rowProbabilities', () => {
  it('binary gives [1 − p, p]', () => {
    const [a, b] = rowProbabilities('binary', Float32Array.from([0.25]), 0, 1);
    expect(a).toBeCloseTo(0.75, 7);
    expect(b).toBeCloseTo(0.25, 7);
  });
});
