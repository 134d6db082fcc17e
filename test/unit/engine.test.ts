import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../models/backend';
import { artifactsToModel, modelToArtifacts } from '../../models/io/artifacts';
import { NanGuard, TrainingController, type StepInfo } from '../../models/train/callbacks';
import { predictRows, trainModel, type LoopOptions, type TrainInput } from '../../models/train/loop';
import { linearRegressionInput, moonsInput } from '../helpers/engine';

beforeAll(async () => {
  const backend = await selectBackend('wasm');
  expect(backend.name).toBe('wasm');
});

// Every feature on both steppers: Tickwork's dense kernel (the CPU default) and the tfjs tape.
for (const engine of ['kernel', 'tape'] as const) {
  describe(`training loop (${engine} steps)`, () => {
    const train = (input: TrainInput, options: LoopOptions = {}) => trainModel(input, { engine, ...options });

    it('learns two moons well above chance', async () => {
      const result = await train(moonsInput({ epochs: 30 }));
      expect(result.status).toBe('completed');
      expect(result.engine).toBe(engine);
      expect(result.history).toHaveLength(30);
      expect(result.metrics.test!.accuracy).toBeGreaterThan(0.85);
      expect(result.history[29].train.loss).toBeLessThan(result.history[0].train.loss);
      result.model.dispose();
    });

    it('leaks no tensors: the count is the same before and after training', async () => {
      const before = tf.memory().numTensors;
      const result = await train(moonsInput({ epochs: 40 }));
      expect(result.steps).toBe(40 * Math.ceil(120 / 16));
      result.model.dispose();
      expect(tf.memory().numTensors).toBe(before);
    });

    it('is bit-identical for the same seed and different for another seed (0 included)', async () => {
      const run = async (seed: number) => {
        const r = await train(moonsInput({ seed }));
        r.model.dispose();
        return r.history.map((h) => [h.train.loss, h.validation!.loss]);
      };
      const a = await run(42);
      const b = await run(42);
      const c = await run(0);
      expect(b).toEqual(a);
      expect(c).not.toEqual(a);
    });

    it('follows the warmup schedule step by step', async () => {
      const lrs: number[] = [];
      const result = await train(moonsInput({ epochs: 1, schedule: { warmupSteps: 4 } }), {
        callbacks: [{ onStepEnd: (info: StepInfo) => void lrs.push(info.lr) }],
      });
      result.model.dispose();
      expect(lrs.slice(0, 6)).toEqual([0, 0.0025, 0.005, 0.0075, 0.01, 0.01]);
    });

    it('stops mid-epoch when asked, and says where', async () => {
      const controller = new TrainingController();
      const result = await train(moonsInput({ epochs: 5 }), {
        controller,
        callbacks: [{ onStepEnd: (info: StepInfo) => void (info.step === 3 && controller.stop()) }],
      });
      result.model.dispose();
      expect(result.status).toBe('stopped');
      expect(result.steps).toBe(3);
      expect(result.history).toHaveLength(0);
      expect(result.message).toMatch(/stopped at step 3 of 40/);
    });

    it('fails with a plain message when the loss becomes NaN', async () => {
      const input = linearRegressionInput({ epochs: 2, optimizer: { name: 'sgd', lr: 1e6 } });
      const result = await train(input, { callbacks: [new NanGuard()], lossReadIntervalMs: 0 });
      result.model.dispose();
      expect(result.status).toBe('failed');
      expect(result.message).toMatch(/The loss became NaN at step \d+ .*Try a lower learning rate/);
    });

    it('regression: learns a linear target far from zero; the saved model predicts in target units', async () => {
      const input = linearRegressionInput();
      const result = await train(input);
      expect(result.metrics.test!.r2).toBeGreaterThan(0.95);
      const out = predictRows(result.model, input.test!.x, input.test!.rows, input.test!.cols);
      const meanPrediction = out.reduce((a, b) => a + b, 0) / out.length;
      expect(meanPrediction).toBeGreaterThan(40);
      expect(meanPrediction).toBeLessThan(60);
      result.model.dispose();
    });
  });
}

describe('model artifacts', () => {
  it('round-trips through model.json + weights bytes with identical predictions', async () => {
    const input = moonsInput({ epochs: 2 });
    const result = await trainModel(input);
    const before = predictRows(result.model, input.test!.x, input.test!.rows, input.test!.cols);
    const artifacts = await modelToArtifacts(result.model);
    // model.json goes through JSON on disk; the weights as raw bytes.
    const restored = await artifactsToModel({ modelJson: JSON.parse(JSON.stringify(artifacts.modelJson)), weights: artifacts.weights.slice() });
    const after = predictRows(restored, input.test!.x, input.test!.rows, input.test!.cols);
    expect(Array.from(after)).toEqual(Array.from(before));
    expect(artifacts.modelJson.weightsManifest[0].paths).toEqual(['weights.bin']);
    result.model.dispose();
    restored.dispose();
  });
});
