/**
 * The training loop: a custom loop (not `model.fit`) so that every optimizer step is one tick
 * we control. It reads as three phases, as nanoGPT's train.py does:
 *
 *   one step (a tick)   apply queued hyperparameter changes; wait while paused
 *                       lr ← schedule(step) · lrScale               (lrScale: reduce-on-plateau)
 *                       the step itself (step.ts): loss over k mini-batches → ∇ → clip → update
 *                       callbacks see the step (progress, NaN guard, surface, LR finder)
 *   end of epoch        evaluate on the training sample and the validation split; callbacks
 *                       (early stopping, reduce-on-plateau, checkpoints) see the epoch
 *   final evaluation    metrics on every split; fold the target scaling into the output layer
 *
 * The step runs in Tickwork's dense kernel on the CPU backends and on tfjs' tape elsewhere
 * (stepper.ts); both read the same config and give the same loop the same callbacks. The
 * tfjs model is the run's model either way: callbacks read it through `ctx.model`, which brings
 * its weights up to date first.
 */
import * as tf from '@tensorflow/tfjs';
import type { EpochRecord, Metrics, SplitMetrics } from '../../shared/contract.js';
import type { Task } from '../../shared/run-config.js';
import { MAX_TRAIN_EVAL_ROWS, planSteps, type LoopConfig } from './plan.js';
import { createRng, shuffleInPlace } from '../random.js';
import { buildMlp, foldTargetScaling } from '../nn/mlp.js';
import { computeMetrics } from './metrics.js';
import { resultsOf, type Results } from './results.js';
import { learningRateAt } from '../../shared/schedule.js';
import { engineFromEnv, type Engine, type Stepper } from './step.js';
import { createStepper, type ChosenStepper } from './stepper.js';
import {
  EarlyStopping,
  ReduceLrOnPlateau,
  TrainingController,
  type RunEvent,
  type StepInfo,
  type TrainingCallback,
  type TrainingContext,
} from './callbacks.js';

export { loopConfig, planSteps, type LoopConfig } from './plan.js';
export { predictRows } from './predict.js';

export interface DataPart {
  /** Row-major n×d encoded features. */
  x: Float32Array;
  /** Class index (classification) or target in original units (regression), length n. */
  y: Float32Array;
  rows: number;
  cols: number;
}

export interface TrainInput {
  config: LoopConfig;
  task: Task;
  classes: number;
  /** Regression: the training target's mean/std; the net learns the standardized target. */
  targetStats: { mean: number; std: number } | null;
  /** Weight per class index (classification), or null for equal weights. */
  classWeights?: number[] | null;
  train: DataPart;
  validation: DataPart | null;
  test: DataPart | null;
}

export interface TrainResult {
  status: 'completed' | 'stopped' | 'failed';
  message: string;
  steps: number;
  history: EpochRecord[];
  events: RunEvent[];
  metrics: SplitMetrics;
  /** The trained model (regression outputs already in original units). The caller disposes it. */
  model: tf.LayersModel;
  /** What ran the steps: Tickwork's dense kernel or the tfjs tape. */
  engine: 'kernel' | 'tape';
  /** Why the tape ran the steps although the kernel was allowed, in plain words (else null). */
  engineFallback: string | null;
}

export interface LoopOptions {
  callbacks?: TrainingCallback[];
  controller?: TrainingController;
  /** Called for every run event as it happens. */
  onEvent?: (event: RunEvent) => void;
  /** Read the loss back at most this often (ms); reading forces a sync with the backend. */
  lossReadIntervalMs?: number;
  /** Give the event loop a turn at least this often (ms), so stop requests are heard. */
  yieldIntervalMs?: number;
  /** Train metrics are computed on at most this many training rows (a fixed, seeded sample). */
  maxTrainEvalRows?: number;
  /** Replaces the schedule: the learning rate of each step (the LR finder's sweep). */
  lrAt?: (step: number) => number;
  /** Skip the per-epoch evaluation (the LR finder only needs the batch losses). */
  skipEpochEvaluation?: boolean;
  /** Called after each epoch with the Results view's data on the validation split (else train). */
  onResults?: (results: Results, epoch: number) => void;
  /** What runs the steps: the kernel where it can (auto, the default; TICKWORK_KERNEL=off forces the tape), or one of them. */
  engine?: Engine;
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Metrics of one split from the network's output in training units (regression: standardized, mapped back here). */
function evaluate(predict: Stepper['predict'], input: TrainInput, part: DataPart, onOutput?: (output: Float32Array) => void): Metrics {
  let output = predict(part.x, part.rows, part.cols);
  onOutput?.(output);
  const stats = input.targetStats;
  if (input.task === 'regression' && stats) output = output.map((v) => v * stats.std + stats.mean);
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
  const controller = options.controller ?? new TrainingController();
  const lossReadInterval = options.lossReadIntervalMs ?? 100;
  const yieldInterval = options.yieldIntervalMs ?? 20;

  // ---- Setup: the model, the stepper that trains it, the plan of steps, the callbacks.
  const model = buildMlp({ spec: config.model, task, inputSize: train.cols, classes, seed: config.seed });
  // Targets as the loss sees them: class indices, or the standardized regression target.
  const stats = input.targetStats;
  const yTrain = task === 'regression' && stats ? train.y.map((v) => (v - stats.mean) / stats.std) : train.y;
  let chosen: ChosenStepper;
  try {
    chosen = createStepper(
      { model, config, task, classes, x: train.x, y: yTrain, rows: train.rows, cols: train.cols, classWeights: input.classWeights ?? null },
      options.engine ?? engineFromEnv(),
    );
  } catch (err) {
    model.dispose();
    throw err;
  }
  const { stepper, fallback } = chosen;
  const optimizer = stepper.optimizer;

  const { batchSize, batchesPerEpoch, stepsPerEpoch, totalSteps } = planSteps(config, train.rows);
  const k = config.accumulationSteps;
  const schedule = { baseLr: config.optimizer.lr, totalSteps };
  const rng = createRng(config.seed);
  const order = Int32Array.from({ length: train.rows }, (_, i) => i);
  const trainEval = subsample(train, options.maxTrainEvalRows ?? MAX_TRAIN_EVAL_ROWS, config.seed);

  const history: EpochRecord[] = [];
  const events: RunEvent[] = [];
  let step = 0;
  let epoch = 1;
  const ctx: TrainingContext = {
    controller,
    // The model as callbacks see it: with the weights of the steps taken so far.
    get model() {
      stepper.syncModel();
      return model;
    },
    predict: (x, rows, cols) => stepper.predict(x, rows, cols),
    event: (kind, message) => {
      const event: RunEvent = { step, epoch, kind, message };
      events.push(event);
      options.onEvent?.(event);
    },
  };
  const callbacks: TrainingCallback[] = [...(options.callbacks ?? [])];
  if (config.reduceOnPlateau) callbacks.push(new ReduceLrOnPlateau(config.reduceOnPlateau, () => schedule.baseLr));
  if (config.earlyStopping) callbacks.push(new EarlyStopping(config.earlyStopping));

  let metrics: SplitMetrics;
  let samples = 0;
  let trainingMs = 0;
  let segmentStart = performance.now();
  /** When training began: each epoch record says how many wall-clock seconds after it the epoch ended. */
  const wallStart = segmentStart;
  let lastRead = -Infinity;
  let lastYield = performance.now();

  const applyChanges = () => {
    for (const change of controller.takeChanges()) {
      const parts: string[] = [];
      if (change.lr !== undefined) {
        schedule.baseLr = change.lr;
        optimizer.updateConfig({ lr: change.lr });
        parts.push(`lr ${change.lr}`);
      }
      if (change.optimizer && Object.keys(change.optimizer).length > 0) {
        optimizer.updateConfig(change.optimizer);
        parts.push(...Object.entries(change.optimizer).map(([key, value]) => `${key} ${value}`));
      }
      if (parts.length > 0) ctx.event('hyperparameters', `set ${parts.join(', ')} from step ${step + 1}`);
    }
  };

  try {
    epochs: for (epoch = 1; epoch <= config.epochs; epoch++) {
      shuffleInPlace(order, rng);
      for (let s = 0; s < stepsPerEpoch; s++) {
        // ---- One step (a tick). Controls first: a pause waits here, a stop ends the run here.
        if (controller.paused) {
          trainingMs += performance.now() - segmentStart;
          ctx.event('paused', `paused at step ${step}`);
          await controller.whenResumed();
          if (!controller.stopRequested) ctx.event('resumed', `resumed at step ${step}`);
          segmentStart = performance.now();
        }
        if (controller.stopRequested) break epochs;
        applyChanges();
        const lr = (options.lrAt ? options.lrAt(step) : learningRateAt(config.schedule, schedule, step)) * controller.lrScale;
        optimizer.setLearningRate(lr);
        const batches: Int32Array[] = [];
        for (let b = s * k; b < Math.min(batchesPerEpoch, (s + 1) * k); b++) {
          batches.push(order.subarray(b * batchSize, Math.min(train.rows, (b + 1) * batchSize)));
          samples += batches[batches.length - 1].length;
        }
        // Reading the loss back is a sync point with the backend (tape): only every lossReadInterval ms and at epoch ends.
        const readNow = s === stepsPerEpoch - 1 || performance.now() - lastRead >= lossReadInterval;
        const { loss, gradNorm } = stepper.step(batches, step, readNow);
        step++;
        const now = performance.now();
        if (readNow) lastRead = now;
        const info: StepInfo = {
          step,
          totalSteps,
          epoch,
          epochs: config.epochs,
          lr,
          loss,
          gradNorm,
          samples,
          elapsedMs: trainingMs + (now - segmentStart),
        };
        for (const cb of callbacks) cb.onStepEnd?.(info, ctx);
        if (controller.stopRequested) break epochs;
        // Give the event loop a turn now and then, so that pause, stop and changes are heard.
        if (now - lastYield >= yieldInterval) {
          await yieldToEventLoop();
          lastYield = performance.now();
        }
      }
      // ---- End of epoch: metrics on the training sample and the validation split, then the epoch callbacks.
      if (options.skipEpochEvaluation) {
        if (controller.stopRequested) break;
        continue;
      }
      stepper.syncModel();
      const resultsPart = input.validation && input.validation.rows > 0 ? input.validation : trainEval;
      const report = options.onResults
        ? (output: Float32Array) => options.onResults!(resultsOf(task, output, resultsPart.y, classes, task === 'regression' ? stats : null), epoch)
        : undefined;
      const record: EpochRecord = {
        epoch,
        step,
        train: evaluate(stepper.predict, input, trainEval, resultsPart === trainEval ? report : undefined),
        validation: input.validation && input.validation.rows > 0 ? evaluate(stepper.predict, input, input.validation, report) : null,
      };
      record.elapsedS = Math.round(performance.now() - wallStart) / 1000;
      history.push(record);
      for (const cb of callbacks) await cb.onEpochEnd?.(record, ctx);
      if (controller.stopRequested) break;
      await yieldToEventLoop();
      lastYield = performance.now();
    }
    // The model gets the last steps' weights before onTrainEnd (early stopping may restore older ones).
    stepper.syncModel();
    for (const cb of callbacks) cb.onTrainEnd?.(ctx);

    // ---- Final evaluation: metrics on every split with the weights the model ends with; then the
    // saved model gets the target's standardization folded in, so that it predicts in target units.
    stepper.reloadModel();
    const has = (p: DataPart | null): p is DataPart => p !== null && p.rows > 0;
    metrics = {
      train: evaluate(stepper.predict, input, train),
      validation: has(input.validation) ? evaluate(stepper.predict, input, input.validation) : null,
      test: has(input.test) ? evaluate(stepper.predict, input, input.test) : null,
    };
    if (task === 'regression' && stats) foldTargetScaling(model, stats);
  } catch (err) {
    model.dispose();
    throw err;
  } finally {
    stepper.dispose();
  }

  const status = controller.failed ? 'failed' : controller.stopRequested && !controller.finishedEarly ? 'stopped' : 'completed';
  const message =
    controller.finishedEarly
      ? controller.reason!
      : status === 'completed'
        ? `completed ${config.epochs} epoch(s), ${step} steps`
        : status === 'stopped'
          ? `stopped at step ${step} of ${totalSteps} (${controller.reason})`
          : (controller.reason ?? 'failed');
  return { status, message, steps: step, history, events, metrics, model, engine: stepper.engine, engineFallback: fallback };
}
