import { describe, expect, it } from 'vitest';
import { ProgressReporter, type StepTick } from '../../models/train/callbacks';

const info = (step: number, elapsedMs: number, loss: number | null) => ({
  step,
  totalSteps: 64,
  epoch: 1,
  epochs: 1,
  lr: step / 100,
  loss,
  gradNorm: loss === null ? null : 1,
  samples: step * 8,
  elapsedMs,
});

describe('ProgressReporter', () => {
  it('lists every step of a short run across its throttled events, losses where read', () => {
    const events: Array<{ step: number; steps?: StepTick[] }> = [];
    const reporter = new ProgressReporter((p) => events.push(p), 100);
    // 64 steps over 320 ms; the loss is read back every 10th step and at the end.
    for (let step = 1; step <= 64; step++) reporter.onStepEnd(info(step, step * 5, step % 10 === 0 || step === 64 ? 0.5 : null));
    expect(events.length).toBeLessThan(10);
    const steps = events.flatMap((e) => e.steps ?? []);
    expect(steps.map((t) => t.step)).toEqual(Array.from({ length: 64 }, (_, i) => i + 1));
    expect(steps.map((t) => t.lr)).toEqual(Array.from({ length: 64 }, (_, i) => (i + 1) / 100));
    expect(steps.filter((t) => t.loss !== null).map((t) => t.step)).toEqual([10, 20, 30, 40, 50, 60, 64]);
  });

  it('stops listing steps after the first few thousand', () => {
    const events: Array<{ step: number; steps?: StepTick[] }> = [];
    const reporter = new ProgressReporter((p) => events.push(p), 0, 5);
    for (let step = 1; step <= 8; step++) reporter.onStepEnd(info(step, step, 0.5));
    expect(events.map((e) => e.steps?.length ?? 0)).toEqual([1, 1, 1, 1, 1, 0, 0, 0]);
  });
});
