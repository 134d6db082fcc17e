import { describe, expect, it } from 'vitest';
import { binaryCurves, resultsOf } from '../../models/train/results';

describe('results view data', () => {
  it('confusion matrix: rows are the actual class, columns the predicted', () => {
    const out = Float32Array.from([0.8, 0.1, 0.1, 0.2, 0.7, 0.1, 0.6, 0.3, 0.1, 0.1, 0.1, 0.8]);
    const r = resultsOf('multiclass', out, Float32Array.from([0, 1, 1, 2]), 3, null);
    expect(r).toMatchObject({ kind: 'classification', confusion: [[1, 0, 0], [1, 1, 0], [0, 0, 1]], roc: null, pr: null, scores: null, errors: 1 });
    // The predictions table: the mistake first, with the confidence of the (wrong) predicted class.
    expect(r.rows[0]).toEqual({ index: 2, actual: 1, predicted: 0, confidence: expect.closeTo(0.6, 6), error: true });
    expect(r.rows.map((row) => row.index)).toEqual([2, 0, 1, 3]);
  });

  it('predictions table: every mistake up to 300, most confident first, then at most 300 spread correct rows', () => {
    const n = 5000;
    // P(class 1) = i/n; rows with i % 10 === 0 are labelled against the prediction.
    const p = Float32Array.from({ length: n }, (_, i) => i / n);
    const y = Float32Array.from({ length: n }, (_, i) => (i % 10 === 0 ? (p[i] >= 0.5 ? 0 : 1) : p[i] >= 0.5 ? 1 : 0));
    const r = resultsOf('binary', p, y, 2, null);
    expect(r.errors).toBe(500);
    const wrong = r.rows.filter((row) => row.error);
    expect(wrong).toHaveLength(300);
    for (let i = 1; i < wrong.length; i++) expect(wrong[i - 1].confidence!).toBeGreaterThanOrEqual(wrong[i].confidence!);
    expect(r.rows.filter((row) => !row.error)).toHaveLength(300);
    for (const row of r.rows) expect(row.error).toBe(row.predicted !== row.actual);
  });

  it('predictions table for a regression: the largest residuals are flagged, in target units', () => {
    const y = Float32Array.from({ length: 50 }, (_, i) => i);
    const out = Float32Array.from({ length: 50 }, (_, i) => (i === 7 ? 30 : i === 20 ? 5 : i + 0.1));
    const r = resultsOf('regression', out, y, 1, null);
    expect(r.errors).toBe(5); // a tenth of the rows
    expect(r.rows.slice(0, 2).map((row) => [row.index, row.predicted])).toEqual([[7, 30], [20, 5]]);
    expect(r.rows.filter((row) => row.error)).toHaveLength(5);
    expect(r.rows).toHaveLength(50);
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

  it('curves equal a walk down the rows sorted by score, one point per distinct score', () => {
    let seed = 9;
    const rand = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    const y = Array.from({ length: 3000 }, () => (rand() < 0.4 ? 1 : 0));
    const scores = y.map((v) => Math.round((0.4 * v + 0.6 * rand()) * 60) / 60); // ≤ 61 distinct scores: under the 101 points kept
    const order = scores.map((_, i) => i).sort((a, b) => scores[b] - scores[a]);
    const positives = y.filter((v) => v === 1).length;
    const roc = [{ x: 0, y: 0 }];
    const pr: Array<{ x: number; y: number }> = [];
    let tp = 0;
    let fp = 0;
    order.forEach((i, k) => {
      if (y[i] === 1) tp++;
      else fp++;
      if (k + 1 < order.length && scores[order[k + 1]] === scores[i]) return;
      roc.push({ x: fp / (y.length - positives), y: tp / positives });
      pr.push({ x: tp / positives, y: tp / (tp + fp) });
    });
    expect(roc.length).toBeGreaterThan(40);
    expect(binaryCurves(scores, y)).toEqual({ roc, pr });
  });
});

