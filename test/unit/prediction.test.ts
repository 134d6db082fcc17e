import { describe, expect, it } from 'vitest';
import { binaryLabel, decisionThreshold, predictionOf } from '../../models/train/prediction';
import { TickworkError } from '../../shared/errors';

describe('the decision rule', () => {
  const binary = { task: 'binary' as const, labels: ['no', 'yes'] };

  it('predicts the positive (second) label at or above the threshold', () => {
    expect(binaryLabel(['no', 'yes'], 0.6, 0.5)).toBe('yes');
    expect(binaryLabel(['no', 'yes'], 0.6, 0.7)).toBe('no');
    expect(binaryLabel(['no', 'yes'], 0.7, 0.7)).toBe('yes');
    expect(binaryLabel(['no', 'yes'], 0.5, 0.5)).toBe('yes');
  });

  it('reads the saved threshold, 0.5 when there is none, and refuses a broken one', () => {
    expect(decisionThreshold({ task: 'binary' })).toBe(0.5);
    expect(decisionThreshold({ task: 'binary', threshold: 0.3 })).toBe(0.3);
    for (const bad of [0, 1, 1.5, -0.1, '0.3', Number.NaN]) {
      expect(() => decisionThreshold({ task: 'binary', threshold: bad }), String(bad)).toThrow(TickworkError);
    }
  });

  it('gives label and probabilities for binary, multiclass and the value for regression', () => {
    const out = Float32Array.from([0.25, 0.75]);
    expect(predictionOf(binary, out, 1, 1)).toEqual({ prediction: 'yes', probabilities: { no: 1 - out[1], yes: out[1] } });
    expect(predictionOf(binary, out, 1, 1, 0.8).prediction).toBe('no');
    const multi = Float32Array.from([0.1, 0.7, 0.2, 0.5, 0.2, 0.3]);
    expect(predictionOf({ task: 'multiclass', labels: ['a', 'b', 'c'] }, multi, 1, 3)).toEqual({ prediction: 'a', probabilities: { a: multi[3], b: multi[4], c: multi[5] } });
    expect(predictionOf({ task: 'regression', labels: null }, Float32Array.from([3.5, -2]), 1, 1)).toEqual({ prediction: -2, probabilities: null });
  });
});
