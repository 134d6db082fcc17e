/**
 * Which stepper trains a run: the dense kernel on the CPU backends, the tfjs tape on a native
 * backend (checked here with the cpu kernels registered under the name "tensorflow", since
 * tfjs-node cannot be installed on this machine), with TICKWORK_KERNEL=off, and for a layer the
 * kernel does not implement — each with its reason.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../models/backend';
import { buildMlp, dropoutPoints } from '../../models/nn/mlp';
import { planNetwork } from '../../models/train/dense/dense-net';
import { loopConfig, trainModel } from '../../models/train/loop';
import { engineFromEnv } from '../../models/train/step';
import { createStepper } from '../../models/train/stepper';
import { moonsInput } from '../helpers/engine';

beforeAll(async () => {
  await selectBackend('wasm');
});

afterAll(async () => {
  await selectBackend('wasm');
});

describe('the stepper a run gets', () => {
  it('the dense kernel on wasm', async () => {
    const r = await trainModel(moonsInput({ epochs: 1 }));
    expect([r.engine, r.engineFallback]).toEqual(['kernel', null]);
    r.model.dispose();
  });

  it('the tape when TICKWORK_KERNEL=off', async () => {
    process.env.TICKWORK_KERNEL = 'off';
    try {
      expect(engineFromEnv()).toBe('tape');
      const r = await trainModel(moonsInput({ epochs: 1 }));
      expect([r.engine, r.engineFallback]).toEqual(['tape', null]);
      r.model.dispose();
    } finally {
      delete process.env.TICKWORK_KERNEL;
    }
    expect(engineFromEnv()).toBe('auto');
  });

  it('the tape on a native TensorFlow backend, which trains as before', async () => {
    // Stand-in for tfjs-node: tfjs' cpu backend and kernels, registered as "tensorflow".
    if (!tf.findBackend('tensorflow')) {
      const Cpu = tf.findBackend('cpu')!.constructor as new () => tf.KernelBackend;
      tf.registerBackend('tensorflow', () => new Cpu(), 0);
      tf.copyRegisteredKernels('cpu', 'tensorflow');
    }
    await tf.setBackend('tensorflow');
    const r = await trainModel(moonsInput({ epochs: 20 }));
    expect(r.engine).toBe('tape');
    expect(r.engineFallback).toBe("the tensorflow backend runs the tape's ops natively");
    expect(r.metrics.test!.accuracy).toBeGreaterThan(0.8);
    r.model.dispose();
    await expect(trainModel(moonsInput({ epochs: 1 }), { engine: 'kernel' })).rejects.toThrow(
      "Tickwork's dense kernel cannot train this run: the tensorflow backend runs the tape's ops natively.",
    );
    await tf.setBackend('wasm');
  });

  it('a layer or activation the kernel does not implement is named, and the tape trains that model', () => {
    const config = loopConfig({ model: { hidden: [8] } });
    const model = buildMlp({ spec: config.model, task: 'binary', inputSize: 3, classes: 2, seed: 1 });
    expect(typeof planNetwork(model, 'binary', { dropoutAfter: dropoutPoints(config.model), penalties: new Map() })).toBe('object');
    const odd = tf.sequential({
      layers: [tf.layers.dense({ name: 'dense_1', units: 4, inputShape: [3] }), tf.layers.layerNormalization({ name: 'norm' }), tf.layers.dense({ name: 'output', units: 1, activation: 'sigmoid' })],
    });
    expect(planNetwork(odd, 'binary', { dropoutAfter: new Map(), penalties: new Map() })).toMatch(/is a LayerNormalization layer; the kernel trains Dense and BatchNormalization layers$/);
    expect(planNetwork(model, 'regression', { dropoutAfter: new Map(), penalties: new Map() })).toBe('the output activation does not match the regression task');
    const swish = tf.sequential({ layers: [tf.layers.dense({ units: 4, inputShape: [3], activation: 'swish' }), tf.layers.dense({ units: 1, activation: 'sigmoid' })] });
    expect(planNetwork(swish, 'binary', { dropoutAfter: new Map(), penalties: new Map() })).toMatch(/uses activation swish, which the kernel does not implement/);
    // createStepper hands such a model to the tape, saying why.
    const rng = Float32Array.from({ length: 30 }, (_, i) => Math.sin(i));
    const chosen = createStepper({ model: odd, config, task: 'binary', classes: 2, x: rng, y: new Float32Array(10), rows: 10, cols: 3, classWeights: null });
    expect(chosen.stepper.engine).toBe('tape');
    expect(chosen.fallback).toMatch(/LayerNormalization/);
    chosen.stepper.optimizer.setLearningRate(0.01);
    expect(Number.isFinite(chosen.stepper.step([Int32Array.of(0, 1, 2, 3)], 0, true).loss)).toBe(true);
    chosen.stepper.dispose();
    model.dispose();
    odd.dispose();
    swish.dispose();
  });
});
