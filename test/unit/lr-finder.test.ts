import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../models/backend';
import { findLearningRate, suggestLearningRates } from '../../models/train/lr-finder';
import { linearRegressionInput, moonsInput } from '../helpers/engine';

beforeAll(async () => {
  await selectBackend('wasm');
});

describe('LR finder', () => {
  it('sweeps the learning rate exponentially and stops when the loss diverges', async () => {
    // Regression (unbounded squared error) with plain SGD: large learning rates blow it up.
    const r = await findLearningRate(linearRegressionInput({ batchSize: 16, optimizer: { name: 'sgd', lr: 0.1 } }), { minLr: 1e-5, maxLr: 1e4, steps: 120 });
    expect(r.lrs[0]).toBeCloseTo(1e-5, 12);
    const ratio = r.lrs[1] / r.lrs[0];
    expect(ratio).toBeCloseTo(Math.pow(1e9, 1 / 119), 9);
    expect(r.ended).toBe('diverged');
    expect(r.lrs.length).toBeLessThan(120);
    expect(r.smoothed.length).toBe(r.losses.length);
  });

  it('suggests a learning rate in the region where the loss falls', async () => {
    const r = await findLearningRate(moonsInput({ batchSize: 16, optimizer: { name: 'adam', lr: 0.001 } }), { steps: 200 });
    const { steepest, minLossOver10 } = r.suggestions;
    expect(steepest).not.toBeNull();
    expect(steepest!).toBeGreaterThan(1e-4);
    expect(steepest!).toBeLessThan(1);
    expect(minLossOver10!).toBeGreaterThan(1e-5);
    expect(minLossOver10!).toBeLessThan(1);
  });

  it('suggestions on a made-up curve: steepest fall and a tenth of the minimum', () => {
    const lrs = Array.from({ length: 41 }, (_, i) => Math.pow(10, -6 + i * 0.15));
    // flat, then the steepest fall around lr 1e-3 (i = 20), minimum at i = 30, then a rise
    const smoothed = lrs.map((_, i) => (i < 30 ? 2 - 1 / (1 + Math.exp(-(i - 20))) : 1 + (i - 30) * 0.2));
    const s = suggestLearningRates(lrs, smoothed);
    expect(s.steepest).toBeCloseTo(lrs[20], 12);
    expect(s.minLossOver10).toBeCloseTo(lrs[30] / 10, 12);
  });
});
