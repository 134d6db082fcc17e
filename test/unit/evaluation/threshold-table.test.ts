import { describe, expect, it } from 'vitest';
import { binaryCounts, scoresFromCounts } from '../../../models/evaluation/binary-metrics';
import { buildThresholdTable, confusionAt, metricsAt, presetThreshold, thresholdSweep } from '../../../models/evaluation/threshold-table';
import { createRng } from '../../../models/random';

/** 5,000 rows of float32 scores, plus rows that sit exactly on bin edges (j/1000 as doubles, and float32 neighbours). */
function fixture() {
  const rng = createRng(11);
  const scores: number[] = [];
  const y: number[] = [];
  for (let i = 0; i < 5000; i++) {
    const positive = rng() < 0.2;
    y.push(positive ? 1 : 0);
    scores.push(Math.fround(Math.min(1, Math.max(0, (positive ? 0.6 : 0.35) + 0.25 * (rng() + rng() - 1)))));
  }
  for (const j of [0, 1, 250, 300, 333, 500, 700, 999, 1000]) {
    for (const s of [j / 1000, Math.fround(j / 1000)]) {
      scores.push(s);
      y.push(j % 2);
    }
  }
  return { scores, y };
}

describe('threshold table', () => {
  const { scores, y } = fixture();
  const table = buildThresholdTable(scores, y);

  it('is small: 2 × 1,001 counts, summing to the rows', () => {
    expect(table.positives).toHaveLength(1001);
    expect(table.negatives).toHaveLength(1001);
    expect(table.positives.reduce((a, b) => a + b, 0) + table.negatives.reduce((a, b) => a + b, 0)).toBe(scores.length);
  });

  it('the confusion matrix at every bin edge equals the direct count over all rows', () => {
    for (let j = 0; j <= 1000; j++) {
      const t = j / 1000;
      const { threshold, ...counts } = confusionAt(table, t);
      expect(threshold).toBe(t);
      expect(counts, `threshold ${t}`).toEqual(binaryCounts(scores, y, t));
    }
  });

  it('metrics at a threshold equal the direct computation; a threshold between edges uses the nearest edge', () => {
    for (const t of [0.1, 0.25, 0.3, 0.5, 0.618, 0.9]) {
      const point = metricsAt(table, t);
      expect(point).toEqual({ threshold: t, counts: binaryCounts(scores, y, t), ...scoresFromCounts(binaryCounts(scores, y, t)) });
    }
    expect(metricsAt(table, 0.50049).threshold).toBe(0.5);
    expect(metricsAt(table, 0.5006).threshold).toBe(0.501);
  });

  it('presets agree with a brute-force search over the edges', () => {
    const points = Array.from({ length: 999 }, (_, k) => {
      const t = (k + 1) / 1000;
      return { t, ...scoresFromCounts(binaryCounts(scores, y, t)), counts: binaryCounts(scores, y, t) };
    });
    const maxF1 = Math.max(...points.map((p) => p.f1));
    const f1 = presetThreshold(table, { kind: 'max-f1' })!;
    expect(f1.f1).toBe(maxF1);
    const maxAcc = Math.max(...points.map((p) => p.accuracy));
    expect(presetThreshold(table, { kind: 'max-accuracy' })!.accuracy).toBe(maxAcc);

    const recall = presetThreshold(table, { kind: 'recall-at-least', value: 0.9 })!;
    const highest = points.filter((p) => p.recall >= 0.9).at(-1)!;
    expect(recall.threshold).toBe(highest.t);
    expect(recall.recall).toBeGreaterThanOrEqual(0.9);

    const precision = presetThreshold(table, { kind: 'precision-at-least', value: 0.8 })!;
    const lowest = points.find((p) => p.counts.tp + p.counts.fp > 0 && p.precision >= 0.8)!;
    expect(precision.threshold).toBe(lowest.t);
    expect(precision.precision).toBeGreaterThanOrEqual(0.8);
  });

  it('among equal maxima, the preset picks the threshold nearest 0.5', () => {
    // Perfectly separable at any threshold in (0.2, 0.8]: every such edge has F1 = 1.
    const t = buildThresholdTable([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1], 10);
    expect(presetThreshold(t, { kind: 'max-f1' })!.threshold).toBe(0.5);
  });

  it('says null when no threshold reaches the asked precision', () => {
    const t = buildThresholdTable([0.9, 0.8, 0.1], [0, 0, 1], 100);
    expect(presetThreshold(t, { kind: 'precision-at-least', value: 0.99 })).toBeNull();
    expect(thresholdSweep(t)).toHaveLength(99);
  });

  it('refuses scores that are not probabilities and targets outside [0, 1]', () => {
    expect(() => buildThresholdTable([0.2, Number.NaN], [0, 1])).toThrow(/Row 1 has the score NaN/);
    expect(() => buildThresholdTable([1.2], [1])).toThrow(/between 0 and 1/);
    expect(() => presetThreshold(table, { kind: 'recall-at-least', value: 1.5 })).toThrow(/recall target must be between 0 and 1, received 1.5/);
  });
});
