import { describe, expect, it } from 'vitest';
import { evaluateBinary } from '../../../models/evaluation/binary-evaluation';
import { confusionAt } from '../../../models/evaluation/threshold-table';
import { createRng } from '../../../models/random';

describe('evaluateBinary', () => {
  const rng = createRng(9);
  const y = Array.from({ length: 50_000 }, () => (rng() < 0.2 ? 1 : 0));
  const scores = Float32Array.from(y, (v) => Math.min(1, Math.max(0, 0.3 + 0.3 * v + 0.4 * (rng() - 0.5))));

  it('the report, the threshold table, calibration and gains describe the same rows', () => {
    const e = evaluateBinary(scores, y, { threshold: 0.4 });
    const { threshold, ...counts } = confusionAt(e.thresholds, 0.4);
    expect(threshold).toBe(0.4);
    expect(counts).toEqual(e.report.counts);
    expect(e.calibration.rows).toBe(50_000);
    expect(e.gains!.positives).toBe(e.report.positives);
  });

  it('stays small enough to send to the page whatever the rows (a few thousand numbers)', () => {
    const json = JSON.stringify(evaluateBinary(scores, y));
    const numbers = json.match(/-?\d+(\.\d+)?(e-?\d+)?/g)!.length;
    expect(numbers).toBeLessThan(3000);
  });
});
