/**
 * A Tickwork MLP (models/nn/mlp.ts: Dense [→ BatchNorm] [→ dropout] … → output Dense) laid out
 * in kernel memory, with a hand-written forward and backward pass.
 *
 * Forward, per stage s with input h (rows × inputs):
 *   dense       z = h·W + b;  y = act(z)
 *   batch norm  y = γ·x̂ + β,  x̂ = (h − μ)/√(σ² + ε) with the batch's μ, σ² (training) or the moving ones
 *   dropout     out = y·mask  (a fresh seeded mask per micro-batch), else out = y
 * Backward, from ∂L/∂z of the output layer (the loss folds in sigmoid / softmax):
 *   dropout     ∂L/∂y = ∂L/∂out · mask
 *   dense       ∂L/∂z = ∂L/∂y · act′;  ∂W += hᵀ·∂L/∂z;  ∂b += Σ_rows ∂L/∂z;  ∂L/∂h = ∂L/∂z · Wᵀ
 *   batch norm  ∂γ, ∂β and ∂L/∂h as in assembly/layers.ts (batchNormBackward)
 * θ and ∂L/∂θ are flat vectors in the order of model.trainableWeights (kernel, bias per dense
 * layer; γ, β per batch norm), so one optimizer call updates every weight.
 *
 * `planNetwork` accepts only what the kernel implements and says what it found otherwise; the
 * caller then trains on the tfjs tape instead.
 */
import * as tf from '@tensorflow/tfjs';
import type { Task } from '../../../shared/run-config.js';
import { PROBABILITY_EPSILON } from '../metrics.js';
import type { KernelMemory } from './kernel.js';
import type { FlatSegment } from './flat-optimizer.js';

const ACTIVATION_CODES: Record<string, number> = { linear: 0, relu: 1, tanh: 2, sigmoid: 3, elu: 4, selu: 5, softmax: 6 };
const TASK_CODES: Record<Task, number> = { binary: 0, multiclass: 1, regression: 2 };
const OUTPUT_ACTIVATION: Record<Task, string> = { binary: 'sigmoid', multiclass: 'softmax', regression: 'linear' };

interface StageBase {
  name: string;
  /** Floats per row coming in and going out. */
  inputs: number;
  units: number;
  /** Dropout rate applied to this stage's output in training (0: none). */
  dropout: number;
}

export interface DenseStage extends StageBase {
  kind: 'dense';
  activation: number;
  kernel: tf.LayerVariable;
  bias: tf.LayerVariable;
  l1: number;
  l2: number;
}

export interface BatchNormStage extends StageBase {
  kind: 'batchnorm';
  epsilon: number;
  momentum: number;
  gamma: tf.LayerVariable;
  beta: tf.LayerVariable;
  movingMean: tf.LayerVariable;
  movingVariance: tf.LayerVariable;
}

export type Stage = DenseStage | BatchNormStage;

export interface NetworkPlan {
  stages: Stage[];
  task: Task;
  inputs: number;
  outputs: number;
}

export interface PlanOptions {
  /** Dropout rate by the name of the layer it follows (nn/mlp.ts dropoutPoints). */
  dropoutAfter: Map<string, number>;
  /** L1/L2 penalties by kernel variable name. */
  penalties: Map<string, { l1: number; l2: number }>;
}

const weightOf = (layer: tf.layers.Layer, part: string, trainable = true) =>
  (trainable ? layer.trainableWeights : layer.nonTrainableWeights).find((w) => w.originalName.endsWith(`/${part}`) || w.originalName === part);

/** The kernel's view of a model, or a plain sentence saying why the kernel cannot train it. */
export function planNetwork(model: tf.LayersModel, task: Task, options: PlanOptions): NetworkPlan | string {
  const stages: Stage[] = [];
  const firstShape = model.inputs[0].shape;
  if (firstShape.length !== 2 || typeof firstShape[1] !== 'number') return `the model's input is not a flat row (shape ${JSON.stringify(firstShape)})`;
  let width = firstShape[1];
  for (const layer of model.layers) {
    const kind = layer.getClassName();
    const config = layer.getConfig() as Record<string, unknown>;
    const dropout = options.dropoutAfter.get(layer.name) ?? 0;
    if (kind === 'Dense') {
      const kernel = weightOf(layer, 'kernel');
      const bias = weightOf(layer, 'bias');
      const activation = ACTIVATION_CODES[String(config.activation)];
      if (!kernel || !bias) return `layer ${layer.name} has no bias`;
      if (activation === undefined) return `layer ${layer.name} uses activation ${String(config.activation)}, which the kernel does not implement`;
      if (config.kernelRegularizer || config.biasRegularizer || config.activityRegularizer || config.kernelConstraint || config.biasConstraint) {
        return `layer ${layer.name} has a regularizer or constraint of its own`;
      }
      const units = kernel.shape[1] as number;
      const penalty = options.penalties.get(kernel.name) ?? { l1: 0, l2: 0 };
      stages.push({ kind: 'dense', name: layer.name, inputs: width, units, dropout, activation, kernel, bias, l1: penalty.l1, l2: penalty.l2 });
      width = units;
    } else if (kind === 'BatchNormalization') {
      const gamma = weightOf(layer, 'gamma');
      const beta = weightOf(layer, 'beta');
      const movingMean = weightOf(layer, 'moving_mean', false);
      const movingVariance = weightOf(layer, 'moving_variance', false);
      const axis = config.axis as number;
      if (!gamma || !beta || !movingMean || !movingVariance) return `layer ${layer.name} is a batch norm without scale or center`;
      if (axis !== -1 && axis !== 1) return `layer ${layer.name} normalizes axis ${axis}`;
      stages.push({ kind: 'batchnorm', name: layer.name, inputs: width, units: width, dropout, epsilon: config.epsilon as number, momentum: config.momentum as number, gamma, beta, movingMean, movingVariance });
    } else {
      return `layer ${layer.name} is a ${kind} layer; the kernel trains Dense and BatchNormalization layers`;
    }
  }
  const last = stages[stages.length - 1];
  if (!last || last.kind !== 'dense') return 'the model does not end in a Dense layer';
  if (last.activation === ACTIVATION_CODES.softmax ? task !== 'multiclass' : last.activation !== ACTIVATION_CODES[OUTPUT_ACTIVATION[task]]) {
    return `the output activation does not match the ${task} task`;
  }
  if (last.dropout > 0) return 'dropout after the output layer';
  if (stages.slice(0, -1).some((s) => s.kind === 'dense' && s.activation === ACTIVATION_CODES.softmax)) return 'softmax in a hidden layer';
  return { stages, task, inputs: firstShape[1], outputs: last.units };
}

/** Addresses of one stage's parameters, gradients and buffers (bytes). */
interface StageMemory {
  stage: Stage;
  /** dense: W, b; batch norm: γ, β — in θ and in ∂θ. */
  p0: number;
  p1: number;
  g0: number;
  g1: number;
  /** dense: z (total input); batch norm: x̂. */
  pre: number;
  /** act(z) or γ·x̂ + β. */
  y: number;
  /** The stage's output: y, or y·mask after dropout. */
  out: number;
  mask: number;
  /** batch norm: 1/√(σ² + ε), moving μ and σ². */
  rstd: number;
  movingMean: number;
  movingVariance: number;
}

const size = (v: tf.LayerVariable) => v.shape.reduce((a: number, b) => a * (b ?? 1), 1);

export class DenseNet {
  /** θ and ∂L/∂θ (addresses) and their length in floats. */
  readonly theta: number;
  readonly grad: number;
  readonly parameters: number;
  readonly segments: FlatSegment[] = [];
  private readonly stages: StageMemory[];
  /** Two gradient buffers (rows × widest stage) used in turn going backward, and Wᵀ scratch (∂h = ∂z·Wᵀ). */
  private readonly back: [number, number];
  private readonly wT: number;
  /** A stage's input transposed (inputs × rows), for ∂W. */
  private readonly hT: number;
  private readonly taskCode: number;
  /** Weights changed since they were last written to the tfjs model. */
  dirty = false;

  /**
   * @param capacity the most rows one forward pass takes (the micro-batch size, or more)
   */
  constructor(
    private readonly mem: KernelMemory,
    readonly plan: NetworkPlan,
    readonly capacity: number,
  ) {
    this.taskCode = TASK_CODES[plan.task];
    const variables = plan.stages.flatMap((s) => (s.kind === 'dense' ? [s.kernel, s.bias] : [s.gamma, s.beta]));
    this.parameters = variables.reduce((sum, v) => sum + size(v), 0);
    this.theta = mem.alloc(this.parameters);
    this.grad = mem.alloc(this.parameters);
    let offset = 0;
    const place = (v: tf.LayerVariable) => {
      this.segments.push({ offset, shape: v.shape as number[] });
      const at = offset * 4;
      offset += size(v);
      return at;
    };
    this.stages = plan.stages.map((stage) => {
      const [a, b] = stage.kind === 'dense' ? [stage.kernel, stage.bias] : [stage.gamma, stage.beta];
      const p0 = place(a);
      const p1 = place(b);
      const cells = capacity * stage.units;
      const pre = mem.alloc(cells);
      const y = mem.alloc(cells);
      const mask = stage.dropout > 0 ? mem.alloc(cells) : 0;
      const out = stage.dropout > 0 ? mem.alloc(cells) : y;
      const bn = stage.kind === 'batchnorm';
      return {
        stage,
        p0: this.theta + p0,
        p1: this.theta + p1,
        g0: this.grad + p0,
        g1: this.grad + p1,
        pre,
        y,
        out,
        mask,
        rstd: bn ? mem.alloc(stage.units) : 0,
        movingMean: bn ? mem.alloc(stage.units) : 0,
        movingVariance: bn ? mem.alloc(stage.units) : 0,
      };
    });
    const widest = Math.max(...plan.stages.map((s) => s.units));
    this.back = [mem.alloc(capacity * widest), mem.alloc(capacity * widest)];
    this.wT = mem.alloc(Math.max(...plan.stages.map((s) => s.inputs * s.units)));
    this.hT = mem.alloc(capacity * Math.max(...plan.stages.map((s) => s.inputs)));
    this.loadFromModel();
  }

  /** θ and the moving statistics ← the tfjs model's current weights. */
  loadFromModel(): void {
    for (const s of this.stages) {
      const [a, b] = s.stage.kind === 'dense' ? [s.stage.kernel, s.stage.bias] : [s.stage.gamma, s.stage.beta];
      this.mem.write(s.p0, a.read().dataSync());
      this.mem.write(s.p1, b.read().dataSync());
      if (s.stage.kind === 'batchnorm') {
        this.mem.write(s.movingMean, s.stage.movingMean.read().dataSync());
        this.mem.write(s.movingVariance, s.stage.movingVariance.read().dataSync());
      }
    }
    this.dirty = false;
  }

  /** The tfjs model's weights ← θ and the moving statistics (only when they changed). */
  writeToModel(): void {
    if (!this.dirty) return;
    const put = (v: tf.LayerVariable, address: number) => {
      const t = tf.tensor(this.mem.read(address, size(v)), v.shape as number[]);
      v.write(t);
      t.dispose();
    };
    for (const s of this.stages) {
      if (s.stage.kind === 'dense') {
        put(s.stage.kernel, s.p0);
        put(s.stage.bias, s.p1);
      } else {
        put(s.stage.gamma, s.p0);
        put(s.stage.beta, s.p1);
        put(s.stage.movingMean, s.movingMean);
        put(s.stage.movingVariance, s.movingVariance);
      }
    }
    this.dirty = false;
  }

  /**
   * Forward pass of `rows` rows at address x. Training: batch statistics (moving ones updated)
   * and dropout with masks from `key`; inference: moving statistics, no dropout.
   * Returns the address of the output (rows × outputs: probabilities or the linear output).
   */
  forward(x: number, rows: number, training: boolean, key = 0): number {
    const k = this.mem.k;
    let h = x;
    this.stages.forEach((s, i) => {
      const st = s.stage;
      if (st.kind === 'dense') {
        if (st.units === 1) k.gemv(h, st.inputs, s.p0, s.pre, rows, st.inputs, 0);
        else k.gemm(h, st.inputs, 1, s.p0, st.units, s.pre, st.units, rows, st.units, st.inputs, 0);
        k.biasActivation(s.pre, s.p1, s.y, rows, st.units, st.activation);
      } else if (training) {
        k.batchNormTrain(h, rows, st.units, s.p0, s.p1, st.epsilon, st.momentum, s.movingMean, s.movingVariance, s.pre, s.rstd, s.y);
      } else {
        k.batchNormInfer(h, rows, st.units, s.p0, s.p1, st.epsilon, s.movingMean, s.movingVariance, s.y);
      }
      if (st.dropout > 0 && training) {
        k.dropout(s.y, s.out, s.mask, rows * st.units, st.dropout, mixKey(key, i));
        h = s.out;
      } else {
        h = s.y;
      }
    });
    return h;
  }

  /**
   * Forward and backward of one micro-batch at x (rows × inputs) with targets at y and per-row
   * weights at w (0: none). Adds ∂L/∂θ to the gradient (zero it first for a fresh step) and the
   * L1/L2 penalties' gradient; returns the loss of this micro-batch, penalties included.
   */
  accumulate(x: number, y: number, w: number, rows: number, key: number): number {
    const k = this.mem.k;
    const output = this.forward(x, rows, true, key);
    const outputs = this.plan.outputs;
    let d = this.back[0];
    let spare = this.back[1];
    let loss = k.lossAndGradient(this.taskCode, output, rows, outputs, y, w, PROBABILITY_EPSILON, d);
    for (let i = this.stages.length - 1; i >= 0; i--) {
      const s = this.stages[i];
      const st = s.stage;
      const input = i === 0 ? x : this.stages[i - 1].out;
      const cells = rows * st.units;
      if (st.dropout > 0) k.multiply(d, s.mask, cells);
      if (st.kind === 'batchnorm') {
        k.batchNormBackward(d, s.pre, s.rstd, s.p0, rows, st.units, spare, s.g0, s.g1, 1);
        [d, spare] = [spare, d];
        continue;
      }
      if (i < this.stages.length - 1) k.activationBackward(d, s.pre, s.y, d, cells, st.activation);
      // ∂W += hᵀ·∂z, with hᵀ copied out first: reading h down its columns measured 10–40% slower
      // than the copy plus a product over contiguous rows. (One unit: ∂wᵀ = ∂zᵀ·h, a row of `inputs`.)
      if (st.units === 1) {
        k.gemm(d, 0, 1, input, st.inputs, s.g0, st.inputs, 1, st.inputs, rows, 1);
      } else {
        k.transpose(input, this.hT, rows, st.inputs);
        k.gemm(this.hT, rows, 1, d, st.units, s.g0, st.units, st.inputs, st.units, rows, 1);
      }
      k.columnSums(d, rows, st.units, s.g1, 1);
      if (st.l1 > 0 || st.l2 > 0) loss += k.penalty(s.p0, s.g0, st.inputs * st.units, st.l1, st.l2);
      if (i === 0) break;
      // ∂h = ∂z·Wᵀ
      if (st.units === 1) {
        k.gemm(d, 1, 0, s.p0, st.inputs, spare, st.inputs, rows, st.inputs, 1, 0);
      } else {
        k.transpose(s.p0, this.wT, st.inputs, st.units);
        k.gemm(d, st.units, 1, this.wT, st.inputs, spare, st.inputs, rows, st.inputs, st.units, 0);
      }
      [d, spare] = [spare, d];
    }
    return loss;
  }

  /** Moving mean and variance of each batch-norm stage, as the kernel holds them (tests). */
  movingStatistics(): Float32Array[] {
    return this.stages.filter((s) => s.stage.kind === 'batchnorm').flatMap((s) => [this.mem.read(s.movingMean, s.stage.units), this.mem.read(s.movingVariance, s.stage.units)]);
  }

  /** ∂L/∂θ ← 0. */
  zeroGradient(): void {
    this.mem.f32.fill(0, this.grad / 4, this.grad / 4 + this.parameters);
  }

  /** The dropout mask stage `index` drew in the last training forward pass (tests). */
  maskOf(index: number, rows: number): Float32Array | null {
    const s = this.stages[index];
    return s.mask ? this.mem.read(s.mask, rows * s.stage.units) : null;
  }

  /** Inference on rows of x (row-major), in chunks of `capacity` rows; returns rows × outputs. */
  predict(x: Float32Array, rows: number, input: number): Float32Array {
    const cols = this.plan.inputs;
    const out = new Float32Array(rows * this.plan.outputs);
    for (let start = 0; start < rows; start += this.capacity) {
      const n = Math.min(this.capacity, rows - start);
      this.mem.write(input, x.subarray(start * cols, (start + n) * cols));
      const at = this.forward(input, n, false);
      out.set(this.mem.f32.subarray(at / 4, at / 4 + n * this.plan.outputs), start * this.plan.outputs);
    }
    return out;
  }
}

/** A dropout key per (micro-batch key, stage): every stage of every micro-batch draws its own mask. */
export function mixKey(key: number, stage: number): number {
  let h = (key ^ Math.imul(stage + 1, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}
