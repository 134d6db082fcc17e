import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { learningRateAt, scheduleCurve } from '../../shared/schedule';
import { scheduleConfigSchema } from '../../shared/run-config';

interface FixtureSchedule {
  config: { kind: string; baseLr: number; warmupSteps: number; totalSteps: number; warmupStartFactor: number; finalLr: number; gamma: number; stepSize: number };
  lrAtStep: number[];
}
const fixture = JSON.parse(readFileSync(new URL('../fixtures/optimizer-reference.json', import.meta.url), 'utf8')) as { schedules: FixtureSchedule[] };

describe('learning-rate schedules against the PyTorch-computed fixture', () => {
  for (const [i, s] of fixture.schedules.entries()) {
    it(`${s.config.kind} #${i} (warmup ${s.config.warmupSteps}, start factor ${s.config.warmupStartFactor})`, () => {
      const config = scheduleConfigSchema.parse({ ...s.config, baseLr: undefined, totalSteps: undefined });
      const curve = scheduleCurve(config, { baseLr: s.config.baseLr, totalSteps: s.lrAtStep.length });
      s.lrAtStep.forEach((expected, step) => {
        const got = learningRateAt(config, { baseLr: s.config.baseLr, totalSteps: s.config.totalSteps }, step);
        expect(Math.abs(got - expected)).toBeLessThanOrEqual(1e-9 * Math.abs(expected) + 1e-15);
      });
      expect(curve.length).toBe(s.lrAtStep.length);
    });
  }

  it('warmup ramps linearly from baseLr·f to baseLr', () => {
    const config = scheduleConfigSchema.parse({ kind: 'constant', warmupSteps: 4, warmupStartFactor: 0.2 });
    const lrs = [0, 1, 2, 3, 4, 5].map((s) => learningRateAt(config, { baseLr: 1, totalSteps: 10 }, s));
    [0.2, 0.4, 0.6, 0.8, 1, 1].forEach((expected, i) => expect(lrs[i]).toBeCloseTo(expected, 12));
  });
});

describe('one-cycle (not in the fixture): values derived by hand', () => {
  it('rises from baseLr/25 to baseLr over 30% of the steps, then falls to baseLr/25/1e4, both as half cosines', () => {
    const config = scheduleConfigSchema.parse({ kind: 'one_cycle' });
    const at = (s: number) => learningRateAt(config, { baseLr: 1, totalSteps: 100 }, s);
    // p = s / 100
    expect(at(0)).toBeCloseTo(0.04, 12);
    expect(at(15)).toBeCloseTo((0.04 + 1) / 2, 12);
    expect(at(30)).toBeCloseTo(1, 12);
    expect(at(65)).toBeCloseTo((1 + 4e-6) / 2, 12);
    expect(at(100)).toBeCloseTo(4e-6, 15);
  });

  it('follows a warmup when one is given', () => {
    const config = scheduleConfigSchema.parse({ kind: 'one_cycle', warmupSteps: 10, warmupStartFactor: 0.5 });
    expect(learningRateAt(config, { baseLr: 1, totalSteps: 110 }, 5)).toBeCloseTo(0.75, 12);
    expect(learningRateAt(config, { baseLr: 1, totalSteps: 110 }, 10)).toBeCloseTo(0.04, 12);
  });
});
