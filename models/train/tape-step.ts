/**
 * The step on tfjs' tape: the forward pass through the model's layers in training mode,
 * tf.variableGrads for ∂loss/∂θ, tfjs ops for clipping, and the per-parameter optimizers of
 * ./optimizers. Runs on every backend (tfjs-node-gpu, tfjs-node, wasm, cpu) and every layer
 * tfjs can differentiate. Each step runs inside `tf.tidy`: nothing outlives it but the weights
 * and the optimizer's slots.
 */
import * as tf from '@tensorflow/tfjs';
import { dropoutPoints, penalizedKernels } from '../nn/mlp.js';
import { taskLoss } from '../nn/losses.js';
import { createOptimizer } from './optimizers/registry.js';
import { predictRows } from './predict.js';
import type { Task } from '../../shared/run-config.js';
import type { LoopConfig } from './plan.js';
import type { StepResult, StepSetup, Stepper } from './step.js';

/** Dropout of a layer's output h in training: the stepper draws a seeded mask; a test may pass its own. */
export type DropoutFn = (h: tf.Tensor, layerIndex: number, rate: number) => tf.Tensor;

/**
 * The training loss of a mini-batch on the tape: Σ w·ℓ / Σ w of the model's output in training
 * mode (batch norm on batch statistics, dropout after the layers the spec names), plus the
 * L1/L2 penalties of the kernels. Differentiate it with tf.variableGrads.
 */
export function tapeLoss(model: tf.LayersModel, config: LoopConfig, task: Task, classes: number) {
  const penalized = penalizedKernels(model, config.model).map((p) => ({ w: p.kernel.read(), l1: p.l1, l2: p.l2 }));
  const dropAfter = dropoutPoints(config.model);
  return (xb: tf.Tensor, yb: tf.Tensor1D, weights: tf.Tensor1D | undefined, dropout: DropoutFn): tf.Scalar => {
    let h = xb;
    model.layers.forEach((layer, i) => {
      h = layer.apply(h, { training: true }) as tf.Tensor;
      const rate = dropAfter.get(layer.name);
      if (rate !== undefined) h = dropout(h, i, rate);
    });
    let loss = taskLoss(task, h, yb, classes, weights);
    for (const { w, l1, l2 } of penalized) {
      if (l1 > 0) loss = tf.add(loss, tf.mul(l1, tf.sum(tf.abs(w)))) as tf.Scalar;
      if (l2 > 0) loss = tf.add(loss, tf.mul(l2, tf.sum(tf.square(w)))) as tf.Scalar;
    }
    return loss;
  };
}

export function createTapeStepper(setup: StepSetup): Stepper {
  const { model, config, task, classes } = setup;
  const optimizer = createOptimizer(config.optimizer);
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const loss = tapeLoss(model, config, task, classes);
  const xAll = tf.tensor2d(setup.x, [setup.rows, setup.cols]);
  const yAll = tf.tensor1d(setup.y);
  const weightOfClass = setup.classWeights && task !== 'regression' ? tf.tensor1d(setup.classWeights) : null;

  /** Loss of one mini-batch; dropout masks seeded by (seed, step, layer). */
  const lossOf = (xb: tf.Tensor, yb: tf.Tensor1D, step: number) => () => {
    const weights = weightOfClass ? (tf.gather(weightOfClass, yb.toInt()) as tf.Tensor1D) : undefined;
    return loss(xb, yb, weights, (h, i, rate) => tf.dropout(h, rate, undefined, (config.seed * 1_000_003 + step * 131 + i) >>> 0));
  };

  return {
    engine: 'tape',
    optimizer,
    step(batches: Int32Array[], step: number, read: boolean): StepResult {
      const [lossTensor, normTensor] = tf.tidy(() => {
        let sum: tf.Tensor[] | null = null;
        let lossSum: tf.Tensor | null = null;
        for (const batch of batches) {
          const idx = tf.tensor1d(batch, 'int32');
          const { value, grads } = tf.variableGrads(lossOf(tf.gather(xAll, idx), tf.gather(yAll, idx) as tf.Tensor1D, step), variables);
          const gs = variables.map((v) => grads[v.name]);
          sum = sum ? sum.map((acc, i) => tf.add(acc, gs[i])) : gs;
          lossSum = lossSum ? tf.add(lossSum, value) : value;
        }
        const count = batches.length;
        let gs = sum!.map((g) => (count > 1 ? tf.div(g, count) : g));
        if (config.clipValue !== null) gs = gs.map((g) => tf.clipByValue(g, -config.clipValue!, config.clipValue!));
        // The global norm costs two ops per weight: computed only when read or needed for clipping.
        const norm = read || config.clipNorm !== null ? tf.sqrt(tf.addN(gs.map((g) => tf.sum(tf.square(g))))) : null;
        if (config.clipNorm !== null) {
          const scale = tf.minimum(1, tf.div(config.clipNorm, tf.add(norm!, 1e-12)));
          gs = gs.map((g) => tf.mul(g, scale));
        }
        optimizer.applyGradients(variables.map((variable, i) => ({ variable, gradient: gs[i] })));
        return [count > 1 ? tf.div(lossSum!, count) : lossSum!, norm] as const;
      });
      // Reading values back syncs with the backend: only when asked.
      const result: StepResult = { loss: null, gradNorm: null };
      if (read) {
        result.loss = lossTensor.dataSync()[0];
        result.gradNorm = normTensor!.dataSync()[0];
      }
      lossTensor.dispose();
      normTensor?.dispose();
      return result;
    },
    syncModel() {},
    reloadModel() {},
    predict: (x, rows, cols) => predictRows(model, x, rows, cols),
    dispose() {
      tf.dispose([xAll, yAll]);
      weightOfClass?.dispose();
      optimizer.dispose();
    },
  };
}
