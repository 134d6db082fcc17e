import { describe, expect, it } from 'vitest';
import { binaryCurves, resultsOf } from '../../models/train/results';

describe('results view data', () => {
  it('confusion matrix: rows are the actual class, columns the predicted', () => {
    const out = Float32Array.from([0.8, 0.1, 0.1, 0.2, 0.7, 0.1, 0.6, 0.3, 0.1, 0.1, 0.1, 0.8]);
    const r = resultsOf('multiclass', out, Float32Array.from([0, 1, 1, 2]), 3, null);
    expect(r).toEqual({ kind: 'classification', confusion: [[1, 0, 0], [1, 1, 0], [0, 0, 1]], roc: null, pr: null, scores: null });
  });

  it('ROC and precision–recall over thresholds, by hand', () => {
    const { roc, pr } = binaryCurves([0.9, 0.8, 0.4, 0.3], [1, 0, 1, 0]);
    expect(roc).toEqual([
      { x: 0, y: 0 },
      { x: 0, y: 0.5 },
      { x: 0.5, y: 0.5 },
      { x: 0.5, y: 1 },
      { x: 1, y: 1 },
    ]);
    expect(pr).toEqual([
      { x: 0.5, y: 1 },
      { x: 0.5, y: 0.5 },
      { x: 1, y: 2 / 3 },
      { x: 1, y: 0.5 },
    ]);
    expect(binaryCurves([0.2, 0.4], [1, 1])).toEqual({ roc: null, pr: null });
  });

  it('regression: at most 400 (actual, predicted) points, predictions back in target units', () => {
    const n = 1000;
    const y = Float32Array.from({ length: n }, (_, i) => 100 + i);
    const standardized = Float32Array.from({ length: n }, (_, i) => (100 + i - 600) / 10);
    const r = resultsOf('regression', standardized, y, 1, { mean: 600, std: 10 });
    if (r.kind !== 'regression') throw new Error('expected regression');
    expect(r.points.length).toBe(400);
    for (const p of r.points) expect(p.y).toBeCloseTo(p.x, 3);
  });

  it('binary: the scores for the threshold slider pair each probability with its true class, at most 2,000 rows', () => {
    const small = resultsOf('binary', Float32Array.from([0.9, 0.2, 0.6]), Float32Array.from([1, 0, 0]), 2, null);
    if (small.kind !== 'classification') throw new Error('expected classification');
    expect(small.scores!.map((s) => [Number(s.x.toFixed(3)), s.y])).toEqual([[0.9, 1], [0.2, 0], [0.6, 0]]);
    const n = 10_000;
    const big = resultsOf('binary', Float32Array.from({ length: n }, (_, i) => i / n), Float32Array.from({ length: n }, (_, i) => i % 2), 2, null);
    if (big.kind !== 'classification') throw new Error('expected classification');
    expect(big.scores!.length).toBe(2000);
    // Evenly spread: the sampled probabilities cover the whole range.
    expect(big.scores![0].x).toBe(0);
    expect(big.scores!.at(-1)!.x).toBeGreaterThan(0.99);
  });
});
