/**
 * The training loop's features, each observed through what it changes.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../models/backend';
import { buildMlp } from '../../models/nn/mlp';
import { taskLoss } from '../../models/nn/losses';
import { TrainingController, type StepInfo } from '../../models/train/callbacks';
import { trainModel, type LoopOptions, type TrainInput } from '../../models/train/loop';
import { moonsInput } from '../helpers/engine';

beforeAll(async () => {
  await selectBackend('wasm');
});

const l2Norm = (ts: tf.Tensor[]) => Math.sqrt(ts.reduce((s, t) => s + tf.sum(tf.square(t)).dataSync()[0], 0));

// Every feature on both steppers: Tickwork's dense kernel (the CPU default) and the tfjs tape.
for (const engine of ['kernel', 'tape'] as const) {
  describe(`training loop features (${engine} steps)`, () => {
    const train = (input: TrainInput, options: LoopOptions = {}) => trainModel(input, { engine, ...options });

    it('no tensor leaks over 1,000 steps with every feature on', async () => {
      const before = tf.memory().numTensors;
      const input = moonsInput({
        epochs: 125, // 8 steps per epoch (120 rows, batch 8, accumulation 2) → 1,000 steps
        batchSize: 8,
        accumulationSteps: 2,
        clipNorm: 1,
        clipValue: 0.5,
        classWeights: 'balanced',
        model: { hidden: [16, 16], dropout: 0.2, batchNorm: true, l1: 1e-4, l2: 1e-4 },
        earlyStopping: { patience: 1000 },
        reduceOnPlateau: { patience: 3 },
      });
      const result = await train({ ...input, classWeights: [1, 1.5] });
      expect(result.steps).toBeGreaterThanOrEqual(1000);
      result.model.dispose();
      expect(tf.memory().numTensors).toBe(before);
    }, 180_000); // the tape took 46 s for these 1,000 steps on this 2-core machine under load

    it('dropout draws a new mask every step, and the same masks for the same seed', async () => {
      const losses = async () => {
        const seen: number[] = [];
        // lr so small the weights do not move: only the dropout mask changes the loss.
        const input = moonsInput({ epochs: 1, batchSize: 120, optimizer: { name: 'sgd', lr: 1e-12 }, model: { hidden: [32], dropout: 0.5 } });
        const r = await train({ ...input, config: { ...input.config, epochs: 6 } }, {
          lossReadIntervalMs: 0,
          callbacks: [{ onStepEnd: (i: StepInfo) => void seen.push(i.loss!) }],
        });
        r.model.dispose();
        return seen;
      };
      const a = await losses();
      expect(new Set(a).size).toBe(a.length);
      expect(await losses()).toEqual(a);
    });

    it('clipNorm bounds each update; the reported gradient norm is the norm before clipping', async () => {
      const input = moonsInput({ epochs: 1, batchSize: 120, optimizer: { name: 'sgd', lr: 1 }, clipNorm: 1e-3 });
      const initial = buildMlp({ spec: input.config.model, task: 'binary', inputSize: 2, classes: 2, seed: input.config.seed });
      const norms: number[] = [];
      const r = await train(input, { lossReadIntervalMs: 0, callbacks: [{ onStepEnd: (i: StepInfo) => void norms.push(i.gradNorm!) }] });
      const moved = l2Norm(r.model.getWeights().map((w, i) => tf.sub(w, initial.getWeights()[i])));
      expect(norms[0]).toBeGreaterThan(1e-3);
      expect(moved).toBeLessThanOrEqual(1e-3 * 1.0001);
      expect(moved).toBeGreaterThan(0.9e-3);
      r.model.dispose();
      initial.dispose();
    });

    it('accumulating 2 batches of 15 matches one batch of 30', async () => {
      const run = async (batchSize: number, accumulationSteps: number) => {
        const r = await train(moonsInput({ epochs: 3, batchSize, accumulationSteps, optimizer: { name: 'sgd', lr: 0.1 } }));
        r.model.dispose();
        return { steps: r.steps, loss: r.metrics.train.loss };
      };
      const accumulated = await run(15, 2); // 120 rows: 8 micro-batches → 4 steps per epoch
      const single = await run(30, 1);
      expect(accumulated.steps).toBe(single.steps);
      expect(accumulated.loss).toBeCloseTo(single.loss, 5);
    });

    it('weighted loss is Σ w·ℓ / Σ w', () => {
      const out = tf.tensor2d([[0.9], [0.2]]);
      const y = tf.tensor1d([1, 1]);
      const w = tf.tensor1d([3, 1]);
      const expected = (3 * -Math.log(Math.fround(0.9)) + 1 * -Math.log(Math.fround(0.2))) / 4;
      expect(taskLoss('binary', out, y, 2, w).dataSync()[0]).toBeCloseTo(expected, 5);
      tf.dispose([out, y, w]);
    });

    it('L2 regularization shrinks the weights', async () => {
      const norm = async (l2: number) => {
        const r = await train(moonsInput({ epochs: 20, model: { hidden: [32], l2 } }));
        const n = l2Norm(r.model.getWeights());
        r.model.dispose();
        return n;
      };
      expect(await norm(0.05)).toBeLessThan((await norm(0)) * 0.8);
    });

    it('batch normalization trains and updates its moving statistics', async () => {
      const r = await train(moonsInput({ epochs: 20, model: { hidden: [32], batchNorm: true } }));
      const movingMean = r.model.getLayer('bn_1').getWeights()[2];
      expect(tf.sum(tf.abs(movingMean)).dataSync()[0]).toBeGreaterThan(0);
      expect(r.metrics.test!.accuracy).toBeGreaterThan(0.8);
      r.model.dispose();
    });

    it('early stopping stops after `patience` epochs without improvement and restores the best weights', async () => {
      // Full-batch gradient descent with a small step: the training loss falls every epoch, so in
      // mode max epoch 1 stays the best.
      const r = await train(
        moonsInput({ epochs: 30, batchSize: 120, optimizer: { name: 'sgd', lr: 0.05 }, earlyStopping: { monitor: 'train.loss', mode: 'max', patience: 2 } }),
      );
      expect(r.status).toBe('completed');
      expect(r.history).toHaveLength(3);
      expect(r.message).toMatch(/^stopped early at epoch 3 because train loss stopped improving \(best [\d.]+ at epoch 1, weights restored from there\)/);
      expect(r.metrics.validation!.loss).toBeCloseTo(r.history[0].validation!.loss, 6);
      expect(r.metrics.validation!.loss).not.toBeCloseTo(r.history[2].validation!.loss, 6);
      expect(r.events.map((e) => e.kind)).toEqual(['early-stop']);
      r.model.dispose();
    });

    it('each epoch record says when it ended: wall-clock seconds since training began, rising', async () => {
      const started = performance.now();
      const r = await train(moonsInput({ epochs: 3 }));
      const seconds = r.history.map((h) => h.elapsedS!);
      expect(seconds).toHaveLength(3);
      expect(seconds.every((s) => typeof s === 'number' && s >= 0)).toBe(true);
      expect([...seconds].sort((a, b) => a - b)).toEqual(seconds);
      expect(seconds[2]).toBeLessThanOrEqual((performance.now() - started) / 1000 + 0.001);
      r.model.dispose();
    });

    it('reduce-on-plateau lowers the learning rate and records it', async () => {
      const lrs = new Map<number, number>();
      const r = await train(
        moonsInput({ epochs: 4, batchSize: 120, optimizer: { name: 'sgd', lr: 0.05 }, reduceOnPlateau: { monitor: 'train.loss', mode: 'max', patience: 1, factor: 0.5 } }),
        {
          callbacks: [{ onStepEnd: (i: StepInfo) => void lrs.set(i.epoch, i.lr) }],
        },
      );
      expect(r.events.filter((e) => e.kind === 'lr-reduced').map((e) => e.message)).toEqual([
        expect.stringContaining('learning rate reduced to 0.0250'),
        expect.stringContaining('learning rate reduced to 0.0125'),
        expect.stringContaining('learning rate reduced to 0.00625'),
      ]);
      expect(lrs.get(1)).toBe(0.05);
      expect(lrs.get(3)).toBeCloseTo(0.025, 12);
      expect(lrs.get(4)).toBeCloseTo(0.0125, 12);
      r.model.dispose();
    });

    it('pauses, resumes, and applies a learning-rate change from the next step', async () => {
      const controller = new TrainingController();
      const lrs: number[] = [];
      const r = await train(moonsInput({ epochs: 2, optimizer: { name: 'sgd', lr: 0.1 } }), {
        controller,
        callbacks: [
          {
            onStepEnd: (i: StepInfo) => {
              lrs.push(i.lr);
              if (i.step === 3) {
                controller.pause();
                controller.change({ lr: 0.5 });
                setTimeout(() => controller.resume(), 30);
              }
            },
          },
        ],
      });
      expect(lrs.slice(0, 5)).toEqual([0.1, 0.1, 0.1, 0.5, 0.5]);
      expect(r.events.map((e) => [e.kind, e.step])).toEqual([
        ['paused', 3],
        ['resumed', 3],
        ['hyperparameters', 3],
      ]);
      expect(r.events[2].message).toBe('set lr 0.5 from step 4');
      expect(r.status).toBe('completed');
      r.model.dispose();
    });

    it('stop while paused ends the run', async () => {
      const controller = new TrainingController();
      const r = await train(moonsInput({ epochs: 5 }), {
        controller,
        callbacks: [
          {
            onStepEnd: (i: StepInfo) => {
              if (i.step === 2) {
                controller.pause();
                setTimeout(() => controller.stop(), 20);
              }
            },
          },
        ],
      });
      expect(r.status).toBe('stopped');
      expect(r.steps).toBe(2);
      r.model.dispose();
    });
  });
}
