/**
 * A multilayer perceptron from its JSON spec. Input size comes from the encoded features; the
 * output layer follows the task:
 *   binary      → 1 sigmoid unit   (probability of the second label)
 *   multiclass  → k softmax units  (class probabilities)
 *   regression  → 1 linear unit    (the target, standardized during training)
 * Hidden layer: Dense(units, activation) [→ BatchNormalization]. Dropout is not a layer: the
 * training loop applies it with a fresh seeded mask each step (tfjs' seeded Dropout layer would
 * reuse one mask), so the saved model is exactly the inference network.
 * Weights are initialized from seeds derived from the run seed, so a run is reproducible.
 */
import * as tf from '@tensorflow/tfjs';
import type { ModelSpec, Task } from '../../shared/run-config.js';
import { tfSeed } from '../random.js';

export interface MlpOptions {
  spec: ModelSpec;
  task: Task;
  inputSize: number;
  /** Number of classes (multiclass); ignored otherwise. */
  classes: number;
  seed: number;
}

export function outputUnits(task: Task, classes: number): number {
  return task === 'multiclass' ? classes : 1;
}

export function buildMlp(options: MlpOptions): tf.Sequential {
  const { spec, task, inputSize, classes, seed } = options;
  const model = tf.sequential({ name: 'tickwork_mlp' });
  spec.hidden.forEach((units, i) => {
    model.add(
      tf.layers.dense({
        name: `dense_${i + 1}`,
        units,
        activation: spec.activation,
        inputShape: i === 0 ? [inputSize] : undefined,
        kernelInitializer: tf.initializers.glorotUniform({ seed: tfSeed(seed, i + 1) }),
        biasInitializer: 'zeros',
      }),
    );
    if (spec.batchNorm) model.add(tf.layers.batchNormalization({ name: `bn_${i + 1}` }));
  });
  model.add(
    tf.layers.dense({
      name: 'output',
      units: outputUnits(task, classes),
      activation: task === 'binary' ? 'sigmoid' : task === 'multiclass' ? 'softmax' : 'linear',
      inputShape: spec.hidden.length === 0 ? [inputSize] : undefined,
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

/** Names of the layers after which dropout applies in training (the end of each hidden block). */
export function dropoutPoints(model: tf.LayersModel, spec: ModelSpec): Set<string> {
  if (spec.dropout <= 0) return new Set();
  const prefix = spec.batchNorm ? 'bn_' : 'dense_';
  return new Set(model.layers.map((l) => l.name).filter((n) => n.startsWith(prefix)));
}

/** The kernels (not biases, not batch-norm parameters) that L1/L2 penalties apply to. */
export function kernels(model: tf.LayersModel): tf.LayerVariable[] {
  return model.trainableWeights.filter((w) => /kernel/.test(w.originalName));
}
