import { describe, expect, it } from 'vitest';
import { responseCurve } from '../../renderer/features/live/response-curve';
import type { Surface } from '../../shared/contract';

const COLOURS = ['#E69F00', '#0072B2', '#009E73'];
const base = { runId: 'r', step: 1, epoch: 1, final: true, x: { name: 'x', min: 0, max: 4 }, y: null, size: 4, heldAt: {}, columns: ['x'] };

describe('response curve', () => {
  it('regression: the prediction at each cell centre, over the training rows at their actual values', () => {
    const curve = responseCurve({ ...base, values: [1, 2, 3, 4], confidence: null, labels: null, points: [{ x: 1, y: 1.5, label: 1.5 }] } as Surface, COLOURS);
    expect(curve.yLabel).toBe('predicted / actual');
    expect(curve.series.map((s) => s.label)).toEqual(['training rows (actual)', 'prediction']);
    expect(curve.series[0].points).toEqual([{ x: 1, y: 1.5 }]);
    expect(curve.series[1].points).toEqual([{ x: 0.5, y: 1 }, { x: 1.5, y: 2 }, { x: 2.5, y: 3 }, { x: 3.5, y: 4 }]);
    expect(curve.series[1].line).toBe(true);
  });

  it('binary: P(second class) as a line, the rows at 0 and 1 in their class colours', () => {
    const curve = responseCurve(
      { ...base, values: [0.1, 0.4, 0.6, 0.9], confidence: null, labels: ['no', 'yes'], points: [{ x: 0.2, y: 0, label: 0 }, { x: 3.8, y: 1, label: 1 }] } as Surface,
      COLOURS,
    );
    expect(curve.yLabel).toBe('P(yes)');
    expect(curve.series.map((s) => [s.label, s.color])).toEqual([['no (training rows)', COLOURS[0]], ['yes (training rows)', COLOURS[1]], ['P(yes)', COLOURS[1]]]);
    expect(curve.series[1].points).toEqual([{ x: 3.8, y: 1 }]);
    expect(curve.series[2].points.map((p) => p.y)).toEqual([0.1, 0.4, 0.6, 0.9]);
  });

  it('multiclass: each class\'s confidence where it is the prediction, gaps elsewhere; the rows as a rug at 0', () => {
    const curve = responseCurve(
      { ...base, values: [0, 0, 2, 1], confidence: [0.9, 0.6, 0.7, 0.8], labels: ['a', 'b', 'c'], points: [{ x: 3, y: 2, label: 2 }] } as Surface,
      COLOURS,
    );
    expect(curve.yLabel).toBe('probability of the predicted class');
    const lines = curve.series.filter((s) => s.line);
    expect(lines.map((s) => s.label)).toEqual(['a predicted', 'b predicted', 'c predicted']);
    expect(lines[0].points.map((p) => p.y)).toEqual([0.9, 0.6, NaN, NaN]);
    expect(lines[2].points.map((p) => p.y)).toEqual([NaN, NaN, 0.7, NaN]);
    expect(curve.series.find((s) => s.label === 'c (training rows)')!.points).toEqual([{ x: 3, y: 0 }]);
  });
});
