import { describe, expect, it } from 'vitest';
import { classificationScores, computeMetrics, rocAuc, rowProbabilities } from '../../models/train/metrics';

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

describe('classification scores', () => {
  it('macro precision, recall and F1 (checked against scikit-learn by hand)', () => {
    // y_true = [0,0,1,1,2,2], y_pred = [0,1,1,1,2,0]
    // class 0: tp1 fp1 fn1 → p .5 r .5 f .5; class 1: tp2 fp1 fn0 → p 2/3 r 1 f .8; class 2: tp1 fp0 fn1 → p 1 r .5 f 2/3
    const m = classificationScores([0, 1, 1, 1, 2, 0], [0, 0, 1, 1, 2, 2], 3);
    expect(m.accuracy).toBeCloseTo(4 / 6, 12);
    expect(m.precision).toBeCloseTo((0.5 + 2 / 3 + 1) / 3, 12);
    expect(m.recall).toBeCloseTo((0.5 + 1 + 0.5) / 3, 12);
    expect(m.f1).toBeCloseTo((0.5 + 0.8 + 2 / 3) / 3, 12);
  });

  it('ROC AUC with ties, and null for a single class', () => {
    // Positives 0.8, 0.4; negatives 0.4, 0.1 → pairs: (0.8>0.4)1 (0.8>0.1)1 (0.4=0.4)0.5 (0.4>0.1)1 → 3.5/4
    expect(rocAuc([0.8, 0.4, 0.4, 0.1], [1, 1, 0, 0])).toBeCloseTo(0.875, 12);
    expect(rocAuc([0.1, 0.2, 0.9], [0, 0, 1])).toBe(1);
    expect(rocAuc([0.3, 0.6], [1, 1])).toBeNull();
  });

  it('binary metrics include auc, the positive class scores and the macro scores as macro_*', () => {
    const m = computeMetrics('binary', Float32Array.from([0.9, 0.2, 0.6, 0.3]), Float32Array.from([1, 0, 0, 1]), 1);
    expect(Object.keys(m).sort()).toEqual(['accuracy', 'auc', 'f1', 'loss', 'macro_f1', 'macro_precision', 'macro_recall', 'precision', 'recall']);
    expect(m.auc).toBeCloseTo(0.75, 12);
    // Positive class 1: predicted at 0.9 and 0.6 → tp 1, fp 1, fn 1.
    expect(m.precision).toBeCloseTo(0.5, 12);
    expect(m.recall).toBeCloseTo(0.5, 12);
  });

  it('auc equals the rank-sum formula exactly, ties and NaN-free data of 20,000 rows included', () => {
    // The formula the counting replaced: average ranks, then (R₊ − P(P + 1)/2) / (P·N).
    const rankSum = (scores: Float32Array, y: Float32Array) => {
      const order = Array.from(scores, (_, i) => i).sort((a, b) => scores[a] - scores[b]);
      const ranks = new Float64Array(scores.length);
      for (let i = 0; i < order.length; ) {
        let j = i;
        while (j + 1 < order.length && scores[order[j + 1]] === scores[order[i]]) j++;
        for (let k = i; k <= j; k++) ranks[order[k]] = (i + j) / 2 + 1;
        i = j + 1;
      }
      let p = 0;
      let r = 0;
      y.forEach((v, i) => {
        if (v === 1) {
          p++;
          r += ranks[i];
        }
      });
      return (r - (p * (p + 1)) / 2) / (p * (y.length - p));
    };
    let seed = 5;
    const rand = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    const y = Float32Array.from({ length: 20_000 }, () => (rand() < 0.3 ? 1 : 0));
    const scores = Float32Array.from(y, (v) => Math.round((0.3 * v + 0.7 * rand()) * 500) / 500); // many ties
    expect(rocAuc(scores, y)).toBe(rankSum(scores, y));
  });
});

