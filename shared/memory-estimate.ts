/**
 * How much memory a run needs, estimated before it starts, and whether it fits. Every number is
 * float32 bytes (4 per value):
 *
 *   weights      θ, P values: the trained parameters (+ BatchNorm's moving statistics)
 *   gradients    ∂L/∂θ, P values
 *   optimizer    its state, `slots` × P values (Adam's m and v: 2; AMSGrad 3; SGD 0, with momentum 1)
 *   activations  per row of a batch, for every layer: its total input z and output y (dropout
 *                adds the mask and the masked output, BatchNorm x̂), plus two backward buffers of
 *                the widest layer and the transposed input and weights the kernel multiplies with
 *   data         the training rows × (encoded columns + target [+ class weight]), copied to the
 *                engine once
 *
 * Where it lives: on the wasm and cpu backends Tickwork's dense kernel holds all of that in one
 * WebAssembly memory (at most 4 GiB), and the tfjs model holds another copy of θ in the backend
 * (the wasm backend's heap, also at most 4 GiB). The whole process holds both plus the data and
 * the weights on the JavaScript side; that must fit in a share of the machine's memory.
 *
 * Checked against bench/memory-estimate.ts (20,000 rows × 32–64 inputs, batch 128, Adam): the
 * kernel part is within 3% of the kernel's allocated bytes (6,337 to 17 M parameters).
 */
import type { OptimizerConfig } from './optimizers.js';
import { resolveLayers, outputUnits } from './network.js';
import type { ModelSpec, Task } from './run-config.js';

/** A WebAssembly memory (wasm32) holds at most 4 GiB. */
export const WASM_MEMORY_LIMIT = 4 * 2 ** 30;
/**
 * What a run may plan to use of it: growing a memory close to 4 GiB can fail (V8 must find the
 * contiguous reservation), and a kernel that cannot grow falls back to the tfjs tape, whose wasm
 * heap then traps ("memory access out of bounds") instead of refusing. Keep a margin.
 */
export const WASM_RUN_LIMIT = 3.5 * 2 ** 30;
/** A run may use at most this share of the machine's memory (the OS, the app and the data engine need the rest). */
export const MACHINE_SHARE = 0.6;
/** The dense kernel's smallest batch capacity (models/train/dense/kernel-step.ts). */
const MIN_CAPACITY = 256;

export interface MemoryEstimate {
  parameters: number;
  /** Bytes of each part (see the header). */
  weights: number;
  gradients: number;
  optimizer: number;
  optimizerSlots: number;
  activations: number;
  data: number;
  /** The engine's memory: what the kernel's WebAssembly memory (or the tape's backend) must hold. */
  engine: number;
  /** The tfjs backend's share: the model's own copy of the weights and an evaluation batch. */
  backend: number;
  /** The whole worker process: engine + backend + the data and weights on the JavaScript side. */
  total: number;
}

/** Values of optimizer state per parameter. */
export function optimizerSlots(optimizer: OptimizerConfig): number {
  const o = optimizer as OptimizerConfig & { momentum?: number; amsgrad?: boolean; centered?: boolean };
  switch (o.name) {
    case 'sgd':
      return (o.momentum ?? 0) > 0 ? 1 : 0;
    case 'momentum':
    case 'nesterov':
    case 'adagrad':
    case 'lion':
      return 1;
    case 'rmsprop':
      return 1 + (o.centered ? 1 : 0) + ((o.momentum ?? 0) > 0 ? 1 : 0);
    case 'adam':
    case 'adamw':
      return o.amsgrad ? 3 : 2;
    case 'adafactor':
      return 2; // factored second moment (small) + first moment and an update buffer
    default:
      return 2; // nadam, adamax, adadelta: two moments
  }
}

export interface MemoryInput {
  model: ModelSpec;
  task: Task;
  optimizer: OptimizerConfig;
  batchSize: number;
  accumulationSteps?: number;
  inputs: number;
  classes: number;
  trainRows: number;
  /** Validation + test rows (encoded on the JS side, evaluated in chunks). */
  otherRows: number;
  weighted?: boolean;
}

export function estimateRunMemory(input: MemoryInput): MemoryEstimate {
  const layers = resolveLayers(input.model);
  const widths = [...layers.map((l) => l.units), outputUnits(input.task, input.classes)];
  let parameters = 0;
  let maxWeights = 0;
  let perRow = 0;
  let inputs = input.inputs;
  let widest = inputs;
  layers.forEach((layer, i) => {
    const w = inputs * layer.units;
    parameters += w + layer.units + (layer.batchNorm ? 4 * layer.units : 0);
    maxWeights = Math.max(maxWeights, w);
    perRow += layer.units * (2 + (layer.dropout > 0 ? 2 : 0)) + (layer.batchNorm ? 2 * layer.units : 0);
    widest = Math.max(widest, layer.units);
    inputs = widths[i];
  });
  const out = widths[widths.length - 1];
  parameters += inputs * out + out;
  maxWeights = Math.max(maxWeights, inputs * out);
  perRow += 2 * out + 3 * widest; // output z/y; two backward buffers and the transposed input
  const capacity = Math.max(input.batchSize, MIN_CAPACITY);
  const slots = optimizerSlots(input.optimizer);
  const weights = 4 * parameters;
  const gradients = 4 * parameters;
  const optimizer = 4 * parameters * slots;
  const activations = 4 * (capacity * perRow + maxWeights);
  const data = 4 * input.trainRows * (input.inputs + (input.weighted ? 2 : 1));
  const engine = weights + gradients + optimizer + activations + data;
  // The tfjs model's weights, the initializer's temporary of the largest layer, an evaluation chunk.
  const backend = weights + 4 * maxWeights + 4 * Math.min(input.trainRows + input.otherRows, 8192) * widest * 2;
  // JS side: encoded train/validation/test rows (the service's and the worker's copy) and the weights
  // read back for the export (model.json's weights and the copy sent to the service).
  const js = 2 * 4 * (input.trainRows + input.otherRows) * (input.inputs + 1) + 2 * weights;
  return { parameters, weights, gradients, optimizer, optimizerSlots: slots, activations, data, engine, backend, total: engine + backend + js };
}

export function formatBytes(bytes: number): string {
  if (bytes >= 2 ** 30) return `${(bytes / 2 ** 30).toFixed(1)} GiB`;
  if (bytes >= 2 ** 20) return `${(bytes / 2 ** 20).toFixed(0)} MiB`;
  return `${Math.max(1, Math.round(bytes / 2 ** 10))} KiB`;
}

/**
 * Why the run cannot fit (null when it can): the estimate, its parts and the limit, in words.
 * `backend`: the tfjs backend the run will use; `machine`: the machine's memory in bytes.
 */
export function memoryProblem(e: MemoryEstimate, backend: string, machine: number): string | null {
  const parts =
    `${e.parameters.toLocaleString('en-US')} parameters: weights ${formatBytes(e.weights)}, gradients ${formatBytes(e.gradients)}, ` +
    `optimizer state ${formatBytes(e.optimizer)} (${e.optimizerSlots} per parameter), activations of a batch ${formatBytes(e.activations)}, ` +
    `training data ${formatBytes(e.data)}`;
  const what = 'Use fewer or narrower hidden layers, a smaller batch, fewer rows (--max-rows) or an optimizer with less state (SGD, Lion)';
  // wasm: the kernel's memory and, were it to fall back, the tape's tensors both live in 4 GiB memories.
  // cpu: a run too big for the kernel's memory trains on the tape in JavaScript arrays; only the machine limits it.
  if (backend === 'wasm' && Math.max(e.engine, e.backend) > WASM_RUN_LIMIT) {
    return (
      `This run needs about ${formatBytes(Math.max(e.engine, e.backend))} in one WebAssembly memory (${parts}); the wasm backend holds at most ` +
      `${formatBytes(WASM_MEMORY_LIMIT)} per memory, of which a run may plan ${formatBytes(WASM_RUN_LIMIT)}. ${what}${e.total <= MACHINE_SHARE * machine ? ', or train on the cpu backend (--backend cpu; much slower)' : ''}.`
    );
  }
  const limit = MACHINE_SHARE * machine;
  if (e.total > limit) {
    return (
      `This run needs about ${formatBytes(e.total)} of memory (${parts}); at most ${formatBytes(limit)} is available to a run ` +
      `(${Math.round(MACHINE_SHARE * 100)}% of this machine's ${formatBytes(machine)}). ${what}.`
    );
  }
  return null;
}
