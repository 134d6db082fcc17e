/**
 * The step in Tickwork's dense kernel (see ../step.ts for what a step computes). The training
 * data is copied into kernel memory once; a step gathers each mini-batch's rows there, runs the
 * hand-written forward and backward pass (dense-net.ts) into one flat gradient, clips it and
 * applies one flat-vector optimizer update (flat-optimizer.ts). No tfjs op runs during a step;
 * the tfjs model gets the weights back when someone reads it (`syncModel`).
 */
import { dropoutPoints, penalizedKernels } from '../../nn/mlp.js';
import type { StepResult, StepSetup, Stepper } from '../step.js';
import { DenseNet, mixKey, planNetwork } from './dense-net.js';
import { FlatOptimizer } from './flat-optimizer.js';
import { KernelMemory, kernelProblem } from './kernel.js';

/** Rows one forward pass takes at most (the batch size, or more for inference in chunks). */
const MIN_CAPACITY = 256;

export interface KernelStepper extends Stepper {
  readonly net: DenseNet;
  readonly memory: KernelMemory;
}

/** A kernel stepper for the run, or a sentence saying why the kernel cannot train it. */
export function createKernelStepper(setup: StepSetup): KernelStepper | string {
  const problem = kernelProblem();
  if (problem !== null) return problem;
  const { model, config, task, rows, cols } = setup;
  const penalties = new Map(penalizedKernels(model, config.model).map((p) => [p.kernel.name, { l1: p.l1, l2: p.l2 }]));
  const plan = planNetwork(model, task, { dropoutAfter: dropoutPoints(config.model), penalties });
  if (typeof plan === 'string') return plan;

  const capacity = Math.max(config.batchSize, MIN_CAPACITY);
  const weighted = setup.classWeights !== null && task !== 'regression';
  const dataFloats = rows * cols + rows * (weighted ? 2 : 1);
  let mem: KernelMemory, xAll: number, yAll: number, wAll: number, index: number, xb: number, yb: number, wb: number, net: DenseNet;
  try {
    mem = new KernelMemory(4 * dataFloats);
    xAll = mem.alloc(rows * cols);
    mem.write(xAll, setup.x);
    yAll = mem.alloc(rows);
    mem.write(yAll, setup.y);
    wAll = weighted ? mem.alloc(rows) : 0;
    if (weighted) mem.write(wAll, Array.from(setup.y, (c) => setup.classWeights![c]));
    index = mem.alloc(capacity);
    xb = mem.alloc(capacity * cols);
    yb = mem.alloc(capacity);
    wb = weighted ? mem.alloc(capacity) : 0;
    net = new DenseNet(mem, plan, capacity);
  } catch (err) {
    // A WebAssembly memory holds at most 4 GiB (and the machine may have less to give).
    if (err instanceof RangeError) return `the training data (${Math.round((4 * dataFloats) / 2 ** 20)} MiB) does not fit in the kernel's memory (${err.message})`;
    throw err;
  }
  const k = mem.k;
  const optimizer = new FlatOptimizer(mem, config.optimizer, net.theta, net.grad, net.segments);
  const n = net.parameters;
  const seedKey = mixKey(config.seed >>> 0, 0x5eed);

  return {
    engine: 'kernel',
    optimizer,
    net,
    memory: mem,
    step(batches: Int32Array[], step: number, read: boolean): StepResult {
      net.zeroGradient();
      let lossSum = 0;
      batches.forEach((batch, b) => {
        mem.i32.set(batch, index / 4);
        k.gatherRows(xAll, yAll, cols, index, 0, batch.length, xb, yb);
        if (weighted) k.gatherValues(wAll, index, 0, batch.length, wb);
        lossSum += net.accumulate(xb, yb, wb, batch.length, mixKey(mixKey(seedKey, step), b));
      });
      const count = batches.length;
      if (count > 1) k.scale(net.grad, n, 1 / count);
      if (config.clipValue !== null) k.clipValues(net.grad, n, config.clipValue);
      const norm = read || config.clipNorm !== null ? Math.sqrt(k.sumSquares(net.grad, n)) : null;
      if (config.clipNorm !== null) k.scale(net.grad, n, Math.min(1, config.clipNorm / (norm! + 1e-12)));
      optimizer.apply();
      net.dirty = true;
      return { loss: read ? lossSum / count : null, gradNorm: read ? norm : null };
    },
    syncModel() {
      net.writeToModel();
    },
    reloadModel() {
      net.loadFromModel();
    },
    predict: (x, rows) => net.predict(x, rows, xb),
    dispose() {
      optimizer.dispose();
    },
  };
}
