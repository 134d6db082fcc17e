/**
 * The training loop: a custom loop (not `model.fit`) so that every optimizer step is one tick
 * we control — scheduled learning rate, update, throttled progress, and a stop that takes effect
 * after the current step.
 *
 * Per step: lr ← schedule(step); loss, ∇θ ← value-and-gradients of the task loss on one
 * mini-batch; optimizer update. Each step runs inside `tf.tidy`, so no tensor outlives it except
 * the model's weights and the optimizer's slots.
 */
import * as tf from '@tensorflow/tfjs';
import type { EpochRecord, Metrics, SplitMetrics } from '../../shared/contract.js';
import type { RunConfig, Task } from '../../shared/run-config.js';
import { createRng, shuffleInPlace } from '../random.js';
import { buildMlp, foldTargetScaling } from '../nn/mlp.js';
import { taskLoss } from '../nn/losses.js';
import { computeMetrics } from './metrics.js';
import { createOptimizer } from './optimizers/registry.js';
import { learningRateAt } from './schedule.js';
import { TrainingController, type TrainingCallback, type StepInfo } from './callbacks.js';

export interface DataPart {
  /** Row-major n×d encoded features. */
  x: Float32Array;
  /** Class index (classification) or target in original units (regression), length n. */
  y: Float32Array;
  rows: number;
  cols: number;
}

export interface TrainInput {
  config: Pick<RunConfig, 'model' | 'optimizer' | 'schedule' | 'batchSize' | 'epochs' | 'seed'>;
  task: Task;
  classes: number;
  /** Regression: the training target's mean/std; the net learns the standardized target. */
  targetStats: { mean: number; std: number } | null;
  train: DataPart;
  validation: DataPart | null;
  test: DataPart | null;
}

export interface TrainResult {
  status: 'completed' | 'stopped' | 'failed';
  message: string;
  steps: number;
  history: EpochRecord[];
  metrics: SplitMetrics;
  /** The trained model (regression outputs already in original units). The caller disposes it. */
  model: tf.LayersModel;
}

export interface LoopOptions {
  callbacks?: TrainingCallback[];
  controller?: TrainingController;
  /** Read the loss back at most this often (ms); reading forces a sync with the backend. */
  lossReadIntervalMs?: number;
  /** Give the event loop a turn at least this often (ms), so stop requests are heard. */
  yieldIntervalMs?: number;
  /** Train metrics are computed on at most this many training rows (a fixed, seeded sample). */
  maxTrainEvalRows?: number;
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Forward pass in chunks; returns the output row-major. */
export function predictRows(model: tf.LayersModel, x: Float32Array, rows: number, cols: number, chunk = 4096): Float32Array {
  const units = (model.outputs[0].shape[1] as number) ?? 1;
  const out = new Float32Array(rows * units);
  for (let start = 0; start < rows; start += chunk) {
    const end = Math.min(rows, start + chunk);
    const values = tf.tidy(() => {
      const input = tf.tensor2d(x.subarray(start * cols, end * cols), [end - start, cols]);
      return (model.predict(input) as tf.Tensor).dataSync() as Float32Array;
    });
    out.set(values, start * units);
  }
  return out;
}

function evaluate(model: tf.LayersModel, input: TrainInput, part: DataPart, folded: boolean): Metrics {
  let output = predictRows(model, part.x, part.rows, part.cols);
  const stats = input.targetStats;
  if (input.task === 'regression' && stats && !folded) {
    output = output.map((v) => v * stats.std + stats.mean);
  }
  return computeMetrics(input.task, output, part.y, input.classes, stats?.std ?? 1);
}

function subsample(part: DataPart, maxRows: number, seed: number): DataPart {
  if (part.rows <= maxRows) return part;
  const idx = shuffleInPlace(Array.from({ length: part.rows }, (_, i) => i), createRng(seed ^ 0x5eed)).slice(0, maxRows);
  const x = new Float32Array(maxRows * part.cols);
  const y = new Float32Array(maxRows);
  idx.forEach((r, i) => {
    x.set(part.x.subarray(r * part.cols, (r + 1) * part.cols), i * part.cols);
    y[i] = part.y[r];
  });
  return { x, y, rows: maxRows, cols: part.cols };
}

export async function trainModel(input: TrainInput, options: LoopOptions = {}): Promise<TrainResult> {
  const { config, task, classes, train } = input;
  const callbacks = options.callbacks ?? [];
  const controller = options.controller ?? new TrainingController();
  const lossReadInterval = options.lossReadIntervalMs ?? 100;
  const yieldInterval = options.yieldIntervalMs ?? 20;

  const model = buildMlp({ spec: config.model, task, inputSize: train.cols, classes, seed: config.seed });
  const optimizer = createOptimizer(config.optimizer);
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);

  // Targets as the loss sees them: class indices, or the standardized regression target.
  const stats = input.targetStats;
  const yTrain = task === 'regression' && stats ? train.y.map((v) => (v - stats.mean) / stats.std) : train.y;
  const xAll = tf.tensor2d(train.x, [train.rows, train.cols]);
  const yAll = tf.tensor1d(yTrain);

  const batchSize = Math.min(config.batchSize, train.rows);
  const stepsPerEpoch = Math.ceil(train.rows / batchSize);
  const totalSteps = stepsPerEpoch * config.epochs;
  const scheduleContext = { baseLr: config.optimizer.lr, totalSteps };
  const rng = createRng(config.seed);
  const order = Int32Array.from({ length: train.rows }, (_, i) => i);
  const trainEval = subsample(train, options.maxTrainEvalRows ?? 10000, config.seed);

  const history: EpochRecord[] = [];
  const started = performance.now();
  let lastRead = -Infinity;
  let lastYield = performance.now();
  let step = 0;
  let samples = 0;

  try {
    epochs: for (let epoch = 1; epoch <= config.epochs; epoch++) {
      shuffleInPlace(order, rng);
      for (let b = 0; b < stepsPerEpoch; b++) {
        const batch = order.subarray(b * batchSize, Math.min(train.rows, (b + 1) * batchSize));
        const lr = learningRateAt(config.schedule, scheduleContext, step);
        optimizer.setLearningRate(lr);
        const lossTensor = tf.tidy(() => {
          const idx = tf.tensor1d(batch, 'int32');
          const xb = tf.gather(xAll, idx);
          const yb = tf.gather(yAll, idx) as tf.Tensor1D;
          const { value, grads } = tf.variableGrads(
            () => taskLoss(task, model.apply(xb, { training: true }) as tf.Tensor, yb, classes),
            variables,
          );
          optimizer.applyGradients(variables.map((variable) => ({ variable, gradient: grads[variable.name] })));
          return value;
        });
        step++;
        samples += batch.length;
        const now = performance.now();
        const lastOfEpoch = b === stepsPerEpoch - 1;
        let loss: number | null = null;
        if (lastOfEpoch || now - lastRead >= lossReadInterval) {
          loss = lossTensor.dataSync()[0];
          lastRead = now;
        }
        lossTensor.dispose();
        const info: StepInfo = { step, totalSteps, epoch, epochs: config.epochs, lr, loss, samples, elapsedMs: now - started };
        for (const cb of callbacks) cb.onStepEnd?.(info, controller);
        if (controller.stopRequested) break epochs;
        if (now - lastYield >= yieldInterval) {
          await yieldToEventLoop();
          lastYield = performance.now();
          if (controller.stopRequested) break epochs;
        }
      }
      const record: EpochRecord = {
        epoch,
        step,
        train: evaluate(model, input, trainEval, false),
        validation: input.validation && input.validation.rows > 0 ? evaluate(model, input, input.validation, false) : null,
      };
      history.push(record);
      for (const cb of callbacks) cb.onEpochEnd?.(record, controller);
      if (controller.stopRequested) break;
      await yieldToEventLoop();
      lastYield = performance.now();
    }
  } catch (err) {
    xAll.dispose();
    yAll.dispose();
    optimizer.dispose();
    model.dispose();
    throw err;
  }
  xAll.dispose();
  yAll.dispose();
  optimizer.dispose();

  if (task === 'regression' && stats) foldTargetScaling(model, stats);
  const has = (p: DataPart | null): p is DataPart => p !== null && p.rows > 0;
  const metrics: SplitMetrics = {
    train: evaluate(model, input, train, true),
    validation: has(input.validation) ? evaluate(model, input, input.validation, true) : null,
    test: has(input.test) ? evaluate(model, input, input.test, true) : null,
  };
  const status = controller.failed ? 'failed' : controller.stopRequested ? 'stopped' : 'completed';
  const message =
    status === 'completed'
      ? `completed ${config.epochs} epoch(s), ${step} steps`
      : status === 'stopped'
        ? `stopped at step ${step} of ${totalSteps} (${controller.reason})`
        : (controller.reason ?? 'failed');
  return { status, message, steps: step, history, metrics, model };
}
