import { describe, expect, it } from 'vitest';
import type * as tf from '@tensorflow/tfjs';
import { TrainingController, type StepInfo, type TrainingContext } from '../../models/train/callbacks';
import { DivergenceGuard, divergenceCeiling } from '../../models/train/divergence-guard';
import { trainModel } from '../../models/train/loop';
import { createRng, normal } from '../../models/random';
import { moonsInput } from '../helpers/engine';

/** Feed a loss trajectory through the guard as the loop would (one read per step); the step it stopped at, or null. */
function replay(guard: DivergenceGuard, losses: number[]) {
  const controller = new TrainingController();
  const events: string[] = [];
  const ctx: TrainingContext = { controller, model: null as unknown as tf.LayersModel, event: (_kind, message) => events.push(message), predict: () => new Float32Array(0) };
  for (let s = 0; s < losses.length; s++) {
    const info: StepInfo = { step: s + 1, totalSteps: losses.length, epoch: 1, epochs: 1, lr: 0.5, loss: losses[s], gradNorm: 1, samples: 0, elapsedMs: 0 };
    guard.onStepEnd(info, ctx);
    if (controller.stopRequested) return { stoppedAt: s + 1, controller, events };
  }
  return { stoppedAt: null, controller, events };
}

describe('DivergenceGuard on loss trajectories', () => {
  it('stops a diverging regression run (loss growing ×1.05 per step) long before it is NaN, with a plain message', () => {
    const rng = createRng(1);
    const losses = Array.from({ length: 400 }, (_, s) => 1.2 * 1.05 ** s * (1 + 0.3 * normal(rng) ** 2));
    const guard = new DivergenceGuard({ task: 'regression' });
    const { stoppedAt, controller, events } = replay(guard, losses);
    expect(stoppedAt).not.toBeNull();
    expect(stoppedAt!).toBeLessThan(120); // 1.05^120 ≈ 350× the start: caught well before that
    expect(controller.finishedEarly).toBe(true); // completed early, with the warning
    expect(guard.warning).toMatchObject({ code: 'degenerate', check: 'diverging' });
    expect(guard.warning!.message).toMatch(/loss climbed from 1\.\d+ at the start .* Try a learning rate about 10× lower/);
    expect(events).toEqual([guard.warning!.message]);
  });

  it('stops a classification run that jumps to a saturated log loss (8–12 nats after starting at 0.69)', () => {
    const rng = createRng(2);
    const losses = [0.69, ...Array.from({ length: 100 }, () => 8 + 4 * rng())];
    const guard = new DivergenceGuard({ task: 'binary', action: 'fail' });
    expect(guard.limit).toBeNull();
    const { stoppedAt, controller } = replay(guard, losses);
    expect(guard.limit).toBeCloseTo(divergenceCeiling('binary'), 12); // 5·ln 2 < 10 × 0.69
    expect(stoppedAt).not.toBeNull();
    expect(stoppedAt!).toBeLessThan(30);
    expect(controller.failed).toBe(true);
  });

  it('lets a noisy but healthy run continue: falling loss, heavy noise and single spikes 15× its level', () => {
    const rng = createRng(3);
    const losses = Array.from({ length: 3000 }, (_, s) => {
      const level = 0.05 + 0.65 * Math.exp(-s / 300);
      const spike = rng() < 0.02 ? 15 : 1;
      return level * spike * Math.exp(0.5 * normal(rng));
    });
    const guard = new DivergenceGuard({ task: 'binary' });
    expect(replay(guard, losses).stoppedAt).toBeNull();
    expect(guard.warning).toBeNull();
  });

  it('lets a run whose loss rises a little (×3, overfitting or a warm restart) continue', () => {
    const losses = Array.from({ length: 500 }, (_, s) => 1 + (2 * s) / 500);
    expect(replay(new DivergenceGuard({ task: 'regression' }), losses).stoppedAt).toBeNull();
  });

  it('ignores NaN (NanGuard\'s case) and validates its arguments', () => {
    const guard = new DivergenceGuard();
    expect(replay(guard, [1, Number.NaN, Number.POSITIVE_INFINITY, 1]).stoppedAt).toBeNull();
    expect(() => new DivergenceGuard({ factor: 0.5 })).toThrow(/factor must be > 1, received 0.5/);
    expect(() => new DivergenceGuard({ smoothing: 2 })).toThrow(/smoothing must be ≤ 1, received 2/);
  });
});

describe('DivergenceGuard in the training loop', () => {
  it('ends a learning-rate-10 Adam run early as completed, with the diverging warning and an early-stop event', async () => {
    const input = moonsInput({ epochs: 20, optimizer: { name: 'adam', lr: 10 } });
    const guard = new DivergenceGuard({ task: 'binary' });
    const result = await trainModel(input, { callbacks: [guard], lossReadIntervalMs: 0 });
    result.model.dispose();
    expect(result.status).toBe('completed');
    expect(guard.warning?.check).toBe('diverging');
    expect(result.message).toBe(guard.warning!.message);
    expect(result.steps).toBeLessThan(60); // of 160
    expect(result.events.map((e) => e.kind)).toContain('early-stop');
    expect(guard.firstGradNorm).toBeGreaterThan(0);
  });

  it('does not touch a healthy run', async () => {
    const input = moonsInput({ epochs: 10 });
    const guard = new DivergenceGuard({ task: 'binary' });
    const result = await trainModel(input, { callbacks: [guard], lossReadIntervalMs: 0 });
    result.model.dispose();
    expect(guard.warning).toBeNull();
    expect(result.steps).toBe(80);
  });
});
