/**
 * A multilayer perceptron from its JSON spec. Input size comes from the encoded features; the
 * output layer follows the task:
 *   binary      → 1 sigmoid unit   (probability of the second label)
 *   multiclass  → k softmax units  (class probabilities)
 *   regression  → 1 linear unit    (the target, standardized during training)
 * Hidden layer: Dense(units, activation) [→ BatchNormalization], each with its own settings or
 * the model-wide ones (shared/network.ts). Dropout is not a layer: the
 * training loop applies it with a fresh seeded mask each step (tfjs' seeded Dropout layer would
 * reuse one mask), so the saved model is exactly the inference network.
 * Weights are initialized from seeds derived from the run seed, so a run is reproducible.
 */
import * as tf from '@tensorflow/tfjs';
import type { ModelSpec, Task } from '../../shared/run-config.js';
import { outputActivation, outputUnits, resolveLayers } from '../../shared/network.js';
import { tfSeed } from '../random.js';

export interface MlpOptions {
  spec: ModelSpec;
  task: Task;
  inputSize: number;
  /** Number of classes (multiclass); ignored otherwise. */
  classes: number;
  seed: number;
}

export function buildMlp(options: MlpOptions): tf.Sequential {
  const { spec, task, inputSize, classes, seed } = options;
  const model = tf.sequential({ name: 'tickwork_mlp' });
  const layers = resolveLayers(spec);
  layers.forEach((layer, i) => {
    model.add(
      tf.layers.dense({
        name: `dense_${i + 1}`,
        units: layer.units,
        activation: layer.activation,
        inputShape: i === 0 ? [inputSize] : undefined,
        kernelInitializer: tf.initializers.glorotUniform({ seed: tfSeed(seed, i + 1) }),
        biasInitializer: 'zeros',
      }),
    );
    if (layer.batchNorm) model.add(tf.layers.batchNormalization({ name: `bn_${i + 1}` }));
  });
  model.add(
    tf.layers.dense({
      name: 'output',
      units: outputUnits(task, classes),
      activation: outputActivation(task),
      inputShape: layers.length === 0 ? [inputSize] : undefined,
      kernelInitializer: tf.initializers.glorotUniform({ seed: tfSeed(seed, 1000) }),
      biasInitializer: 'zeros',
    }),
  );
  return model;
}

/** Number of trainable parameters. */
export function countParameters(model: tf.LayersModel): number {
  return model.trainableWeights.reduce((sum, w) => sum + w.shape.reduce((a: number, b) => a * (b ?? 1), 1), 0);
}

/**
 * Fold a regression target's standardization into the output layer, so that the saved model
 * predicts in the target's own units: y = std·(h·W + b) + mean = h·(std·W) + (std·b + mean).
 */
export function foldTargetScaling(model: tf.LayersModel, stats: { mean: number; std: number }): void {
  const output = model.getLayer('output');
  const [kernel, bias] = output.getWeights();
  const folded = tf.tidy(() => [kernel.mul(stats.std), bias.mul(stats.std).add(stats.mean)]);
  output.setWeights(folded);
  folded.forEach((t) => t.dispose());
}

/** Dropout rate by the name of the layer it follows in training (the end of each hidden block). */
export function dropoutPoints(spec: ModelSpec): Map<string, number> {
  const points = new Map<string, number>();
  resolveLayers(spec).forEach((layer, i) => {
    if (layer.dropout > 0) points.set(layer.batchNorm ? `bn_${i + 1}` : `dense_${i + 1}`, layer.dropout);
  });
  return points;
}

export interface Penalized {
  kernel: tf.LayerVariable;
  l1: number;
  l2: number;
}

/** Each kernel (not biases, not batch-norm parameters) with its L1/L2 penalties; the output layer takes the model-wide ones. */
export function penalizedKernels(model: tf.LayersModel, spec: ModelSpec): Penalized[] {
  const layers = resolveLayers(spec);
  return model.layers
    .filter((l) => l.name === 'output' || l.name.startsWith('dense_'))
    .map((l) => {
      const own = l.name === 'output' ? spec : layers[Number(l.name.slice('dense_'.length)) - 1];
      const kernel = l.trainableWeights.find((w) => /kernel/.test(w.originalName));
      if (!kernel) throw new Error(`layer ${l.name} has no kernel`);
      return { kernel, l1: own.l1, l2: own.l2 };
    })
    .filter((p) => p.l1 > 0 || p.l2 > 0);
}
