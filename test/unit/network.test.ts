/**
 * Per-layer model specs: what each layer resolves to, that the engine builds exactly the network
 * the summary describes (parameter counts checked against tfjs), and that per-layer dropout and
 * penalties act on their own layer only.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../models/backend';
import { buildMlp, countParameters, dropoutPoints, penalizedKernels } from '../../models/nn/mlp';
import { resolveLayers, summarizeNetwork } from '../../shared/network';
import { modelSpecSchema, type ModelSpecInput } from '../../shared/run-config';
import { trainModel } from '../../models/train/loop';
import type { StepInfo } from '../../models/train/callbacks';
import { moonsInput } from '../helpers/engine';

beforeAll(async () => {
  await selectBackend('wasm');
});

const mixed = modelSpecSchema.parse({
  hidden: [32, { units: 16, activation: 'tanh', dropout: 0.3, batchNorm: true, l2: 0.01 }, { units: 8, l1: 0.001 }],
  activation: 'relu',
  l2: 0.0001,
});

describe('per-layer model specs', () => {
  it('fills each layer from its own settings, then the model-wide ones', () => {
    expect(resolveLayers(mixed)).toEqual([
      { units: 32, activation: 'relu', dropout: 0, batchNorm: false, l1: 0, l2: 0.0001 },
      { units: 16, activation: 'tanh', dropout: 0.3, batchNorm: true, l1: 0, l2: 0.01 },
      { units: 8, activation: 'relu', dropout: 0, batchNorm: false, l1: 0.001, l2: 0.0001 },
    ]);
  });

  it('rejects unknown layer fields with the field named', () => {
    const r = modelSpecSchema.safeParse({ hidden: [{ units: 8, dropuot: 0.2 }] });
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error?.issues)).toContain('dropuot');
  });

  it('builds the layers the summary lists, with the same parameter counts', () => {
    const model = buildMlp({ spec: mixed, task: 'multiclass', inputSize: 7, classes: 3, seed: 1 });
    const summary = summarizeNetwork(mixed, 'multiclass', 7, 3);
    const built = model.layers.map((l) => l.name);
    expect(summary.rows.filter((r) => r.kind !== 'input' && r.kind !== 'dropout').map((r) => r.name)).toEqual(built);
    expect(summary.trainable).toBe(countParameters(model));
    // 7·32+32, 32·16+16, BN γβ 2·16, 16·8+8, 8·3+3
    expect(summary.trainable).toBe(256 + 528 + 32 + 136 + 27);
    expect(summary.nonTrainable).toBe(32);
    expect((model.getLayer('dense_2').getConfig() as { activation: string }).activation).toBe('tanh');
    expect((model.getLayer('dense_1').getConfig() as { activation: string }).activation).toBe('relu');
    expect(summary.rows.find((r) => r.name === 'dropout_2')?.detail).toBe('rate 0.3');
    model.dispose();
  });

  it('applies dropout after its own layer (after batch norm when the layer has it) and penalties per kernel', () => {
    const model = buildMlp({ spec: mixed, task: 'binary', inputSize: 4, classes: 2, seed: 1 });
    expect([...dropoutPoints(mixed)]).toEqual([['bn_2', 0.3]]);
    const penalties = penalizedKernels(model, mixed).map((p) => [p.kernel.originalName.split('/')[0], p.l1, p.l2]);
    expect(penalties).toEqual([
      ['dense_1', 0, 0.0001],
      ['dense_2', 0, 0.01],
      ['dense_3', 0.001, 0.0001],
      ['output', 0, 0.0001],
    ]);
    model.dispose();
  });

  it('a penalty on one layer adds exactly l2·ΣW² of that layer to the loss', async () => {
    const firstLoss = async (hidden: ModelSpecInput['hidden']) => {
      const seen: number[] = [];
      // lr so small that the first loss is the initial weights' loss.
      const input = moonsInput({ epochs: 1, batchSize: 120, optimizer: { name: 'sgd', lr: 1e-12 }, model: { hidden } });
      const r = await trainModel(input, { lossReadIntervalMs: 0, callbacks: [{ onStepEnd: (i: StepInfo) => void seen.push(i.loss!) }] });
      r.model.dispose();
      return seen[0];
    };
    const plain = await firstLoss([8, 8]);
    const penalized = await firstLoss([8, { units: 8, l2: 0.5 }]);
    // The same seed gives the same initial weights; dense_2's kernel is 8×8.
    const spec = modelSpecSchema.parse({ hidden: [8, 8] });
    const model = buildMlp({ spec, task: 'binary', inputSize: 2, classes: 2, seed: 42 });
    const w = model.getLayer('dense_2').getWeights()[0];
    const expected = 0.5 * tf.sum(tf.square(w)).dataSync()[0];
    model.dispose();
    expect(penalized - plain).toBeCloseTo(expected, 4);
    expect(expected).toBeGreaterThan(0.1);
  });

  it('a model with no hidden layers is one Dense layer from the inputs', () => {
    const spec = modelSpecSchema.parse({ hidden: [] });
    const summary = summarizeNetwork(spec, 'regression', 5, 1);
    expect(summary.rows.map((r) => [r.name, r.units, r.params])).toEqual([
      ['input', 5, 0],
      ['output', 1, 6],
    ]);
  });
});
