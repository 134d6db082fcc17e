/**
 * The run planner's memory estimate (shared/memory-estimate.ts) against what a run allocates:
 * Tickwork's dense kernel's WebAssembly memory after the first step (optimizer slots included),
 * the tfjs wasm backend's heap, and the process's peak RSS growth.
 *
 *   npx esbuild bench/memory-estimate.ts --bundle --platform=node --external:@tensorflow/tfjs-node \
 *     --external:@tensorflow/tfjs-node-gpu --define:import.meta.url=__u \
 *     --banner:js="const __u=require('url').pathToFileURL(__filename).href;" --outfile=dist/node/bench-memory.cjs
 *   node dist/node/bench-memory.cjs 32:256,256 32:1024,1024,1024 64:4096,4096
 *
 * Each argument is INPUTS:HIDDEN,HIDDEN…; 20,000 training rows, batch 128, Adam.
 */
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../models/backend.js';
import { buildMlp } from '../models/nn/mlp.js';
import { createKernelStepper } from '../models/train/dense/kernel-step.js';
import { loopConfig } from '../models/train/loop.js';
import { estimateRunMemory, formatBytes } from '../shared/memory-estimate.js';

const ROWS = 20000;
const BATCH = 128;

async function main(): Promise<void> {
  await selectBackend('wasm');
  const wasmHeap = () => ((tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.length);
  for (const arg of process.argv.slice(2)) {
    const [inputText, hiddenText] = arg.split(':');
    const inputs = Number(inputText);
    const hidden = hiddenText.split(',').map(Number);
    const config = loopConfig({ epochs: 1, batchSize: BATCH, optimizer: { name: 'adam', lr: 0.001 }, model: { hidden } });
    const estimate = estimateRunMemory({ model: config.model, task: 'binary', optimizer: config.optimizer, batchSize: BATCH, inputs, classes: 2, trainRows: ROWS, otherRows: 0 });
    const rssBefore = process.memoryUsage().rss;
    const heapBefore = wasmHeap();
    let peak = rssBefore;
    const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
    const x = new Float32Array(ROWS * inputs).map((_, i) => Math.sin(i));
    const y = new Float32Array(ROWS).map((_, i) => i % 2);
    const model = buildMlp({ spec: config.model, task: 'binary', inputSize: inputs, classes: 2, seed: 1 });
    const stepper = createKernelStepper({ model, config, task: 'binary', classes: 2, x, y, rows: ROWS, cols: inputs, classWeights: null });
    if (typeof stepper === 'string') throw new Error(stepper);
    stepper.step([Int32Array.from({ length: BATCH }, (_, i) => i)], 1, true);
    await new Promise((r) => setTimeout(r, 20));
    peak = Math.max(peak, process.memoryUsage().rss);
    clearInterval(timer);
    const kernel = stepper.memory.used;
    console.log(
      [
        `${inputs}-${hidden.join('-')}-1`,
        `params ${estimate.parameters.toLocaleString('en-US')}`,
        `kernel estimate ${formatBytes(estimate.engine)} measured ${formatBytes(kernel)} (${((100 * (estimate.engine - kernel)) / kernel).toFixed(1)}%)`,
        `backend estimate ${formatBytes(estimate.backend)} wasm heap growth ${formatBytes(wasmHeap() - heapBefore)} (heap ${formatBytes(wasmHeap())})`,
        `total estimate ${formatBytes(estimate.total)} peak RSS growth ${formatBytes(peak - rssBefore)}`,
      ].join(' | '),
    );
    model.dispose();
  }
}

void main();
