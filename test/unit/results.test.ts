import { describe, expect, it } from 'vitest';
import { binaryCurves, resultsOf } from '../../models/train/results';

describe('results view data', () => {
  it('confusion matrix: rows are the actual class, columns the predicted', () => {
    const out = Float32Array.from([0.8, 0.1, 0.1, 0.2, 0.7, 0.1, 0.6, 0.3, 0.1, 0.1, 0.1, 0.8]);
    const r = resultsOf('multiclass', out, Float32Array.from([0, 1, 1, 2]), 3, null);
    expect(r).toEqual({ kind: 'classification', confusion: [[1, 0, 0], [1, 1, 0], [0, 0, 1]], roc: null, pr: null });
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
});
