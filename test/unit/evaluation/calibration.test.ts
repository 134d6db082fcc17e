import { beforeAll, describe, expect, it } from 'vitest';
import { brierScore, reliabilityDiagram } from '../../../models/evaluation/calibration';
import { cumulativeGains } from '../../../models/evaluation/gains';
import { createRng } from '../../../models/random';
import { runPython, sklearnPython, SKLEARN_MISSING } from '../../helpers/sklearn';

function fixture() {
  const rng = createRng(5);
  const scores: number[] = [];
  const y: number[] = [];
  for (let i = 0; i < 600; i++) {
    const p = Math.fround(rng() ** 1.5);
    scores.push(p);
    y.push(rng() < p * 0.8 + 0.05 ? 1 : 0);
  }
  // Scores on the bin edges (0, 0.1, 0.2, 3·0.1, 0.5, 1): scikit-learn puts an interior edge in the lower bin.
  for (const s of [0, 0.1, 0.2, 3 * 0.1, 0.5, 1, 1]) {
    scores.push(s);
    y.push(s > 0.4 ? 1 : 0);
  }
  return { scores, y };
}

describe('calibration by hand', () => {
  it('Brier score is the mean squared error of the probability', () => {
    expect(brierScore([0.9, 0.2, 0.6], [1, 0, 0])).toBeCloseTo((0.01 + 0.04 + 0.36) / 3, 12);
  });

  it('reliability bins hold their rows, with the edge convention (lower, upper]', () => {
    const d = reliabilityDiagram([0.05, 0.1, 0.15, 0.95], [0, 1, 1, 1], 10);
    expect(d.bins.map((b) => b.count)).toEqual([2, 1, 1]);
    expect(d.bins[0]).toMatchObject({ lower: 0, upper: 0.1, fractionPositive: 0.5 });
    expect(d.bins[0].meanPredicted).toBeCloseTo(0.075, 12);
    expect(d.bins[2].upper).toBe(1);
  });

  it('refuses probabilities outside [0, 1]', () => {
    expect(() => reliabilityDiagram([0.5, 1.5], [0, 1])).toThrow(/Row 1 has the probability 1.5/);
  });
});

describe('cumulative gains and lift by hand', () => {
  it('ranks by score and counts the positives captured; lift = captured / targeted', () => {
    // Sorted: 0.9(1) 0.8(0) 0.7(1) 0.4(0) 0.3(1) 0.1(0): 3 positives, 6 rows → every row boundary.
    const g = cumulativeGains([0.3, 0.9, 0.1, 0.7, 0.8, 0.4], [1, 1, 0, 1, 0, 0])!;
    expect(g.points.map((p) => p.targeted)).toEqual([0, 1 / 6, 2 / 6, 3 / 6, 4 / 6, 5 / 6, 1]);
    expect(g.points.map((p) => +p.captured.toFixed(12))).toEqual([0, 1 / 3, 1 / 3, 2 / 3, 2 / 3, 1, 1].map((v) => +v.toFixed(12)));
    expect(g.points[1].lift).toBeCloseTo(2, 12); // top 1/6 holds 1/3 of positives
    expect(g.points[3].lift).toBeCloseTo(4 / 3, 12);
    expect(g.points[6].lift).toBe(1);
    expect(g.points[0].lift).toBeCloseTo(2, 12); // the limit at 0: the first row's rate over the base rate
  });

  it('a tie group is captured in proportion to the rows taken', () => {
    // Four rows tied at 0.5, two of them positive; then a negative at 0.1.
    const g = cumulativeGains([0.5, 0.5, 0.5, 0.5, 0.1], [1, 0, 1, 0, 0])!;
    expect(g.points.map((p) => +p.captured.toFixed(12))).toEqual([0, 0.25, 0.5, 0.75, 1, 1]);
  });

  it('thins to 101 points (every percent) on many rows, exact at each', () => {
    const rng = createRng(3);
    const scores = Array.from({ length: 10_000 }, () => rng());
    const y = scores.map((s): number => (rng() < s ? 1 : 0));
    const g = cumulativeGains(scores, y)!;
    expect(g.points).toHaveLength(101);
    const order = scores.map((s, i) => [s, y[i]]).sort((a, b) => b[0] - a[0]);
    const positives = y.reduce((a, b) => a + b, 0);
    for (const k of [10, 37, 50, 99]) {
      const top = order.slice(0, k * 100).reduce((a, r) => a + r[1], 0);
      expect(g.points[k].targeted).toBeCloseTo(k / 100, 12);
      expect(g.points[k].captured).toBeCloseTo(top / positives, 12);
      expect(g.points[k].lift).toBeCloseTo(top / positives / (k / 100), 12);
    }
    expect(g.points[100].captured).toBe(1);
  });

  it('is null without positives', () => {
    expect(cumulativeGains([0.2, 0.4], [0, 0])).toBeNull();
  });
});

describe.skipIf(!sklearnPython)(`calibration against scikit-learn${sklearnPython ? '' : ` (${SKLEARN_MISSING})`}`, () => {
  const { scores, y } = fixture();
  let ref: Record<string, { prob_true: number[]; prob_pred: number[] }> & { brier: number };
  beforeAll(() => {
    ref = runPython(
      `
from sklearn.calibration import calibration_curve
from sklearn.metrics import brier_score_loss
y = np.array(data['y']); s = np.array(data['scores'])
out = {'brier': brier_score_loss(y, s)}
for b in (10, 7, 20):
    t, p = calibration_curve(y, s, n_bins=b, strategy='uniform')
    out[str(b)] = dict(prob_true=list(t), prob_pred=list(p))
print(json.dumps(out))
`,
      { scores, y },
    );
  });

  it('bins (mean predicted, fraction positive) equal calibration_curve for 10, 7 and 20 bins', () => {
    for (const b of [10, 7, 20]) {
      const d = reliabilityDiagram(scores, y, b);
      expect(d.bins.map((x) => x.fractionPositive).length).toBe(ref[String(b)].prob_true.length);
      d.bins.forEach((bin, i) => {
        expect(bin.fractionPositive, `${b} bins, bin ${i}`).toBeCloseTo(ref[String(b)].prob_true[i], 12);
        expect(bin.meanPredicted, `${b} bins, bin ${i}`).toBeCloseTo(ref[String(b)].prob_pred[i], 12);
      });
      expect(d.bins.reduce((a, x) => a + x.count, 0)).toBe(scores.length);
    }
  });

  it('Brier score equals brier_score_loss', () => {
    expect(reliabilityDiagram(scores, y).brier).toBeCloseTo(ref.brier, 12);
  });
});
