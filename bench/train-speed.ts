/**
 * Training speed per backend: a 32-64-64-1 MLP (binary), 20,000 synthetic rows, batch 128.
 * For each backend that loads it times one epoch, taking the fastest of REPEATS (after a warm-up
 * epoch; this machine's timings are noisy, the minimum is the stable figure):
 *   - Tickwork's loop with Adam, and with SGD (the difference is the optimizer's cost),
 *   - forward + backward alone (no update), to see where a step's time goes,
 *   - tfjs' own `model.fit` with its Adam, the baseline the loop replaces,
 * and, where a Python with torch is present, PyTorch on the same data and batch size
 * (bench/pytorch_mlp.py), printed as ratios.
 *
 *   npm run bench            all backends that load
 *   npm run bench -- wasm    one backend
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../models/backend.js';
import { buildMlp } from '../models/nn/mlp.js';
import { taskLoss } from '../models/nn/losses.js';
import { createRng, normal } from '../models/random.js';
import { loopConfig, trainModel, type DataPart } from '../models/train/loop.js';
import type { BackendPreference } from '../shared/run-config.js';

const ROWS = 20000;
const FEATURES = 32;
const BATCH = 128;
const REPEATS = 5;

async function fastest(run: () => Promise<number> | number): Promise<number> {
  let best = Infinity;
  for (let i = 0; i < REPEATS; i++) best = Math.min(best, await run());
  return best;
}

function data(): DataPart {
  const rng = createRng(1);
  const x = new Float32Array(ROWS * FEATURES);
  const y = new Float32Array(ROWS);
  for (let r = 0; r < ROWS; r++) {
    let s = 0;
    for (let c = 0; c < FEATURES; c++) {
      const v = normal(rng);
      x[r * FEATURES + c] = v;
      s += (c % 3 === 0 ? 1 : -0.5) * v;
    }
    y[r] = s > 0 ? 1 : 0;
  }
  return { x, y, rows: ROWS, cols: FEATURES };
}

async function timeLoop(train: DataPart, optimizer: 'adam' | 'sgd'): Promise<number> {
  const config = loopConfig({ model: { hidden: [64, 64] }, batchSize: BATCH, epochs: 1, optimizer: { name: optimizer } });
  const input = { config, task: 'binary' as const, classes: 2, targetStats: null, train, validation: null, test: null };
  (await trainModel(input, { maxTrainEvalRows: 1 })).model.dispose(); // warm-up
  return fastest(async () => {
    const started = performance.now();
    (await trainModel(input, { maxTrainEvalRows: 1, skipEpochEvaluation: true })).model.dispose();
    return (performance.now() - started) / 1000;
  });
}

/** Forward + backward of every batch of an epoch, no update: the floor for any optimizer. */
async function timeGradients(train: DataPart): Promise<number> {
  const spec = loopConfig({ model: { hidden: [64, 64] } }).model;
  const model = buildMlp({ spec, task: 'binary', inputSize: FEATURES, classes: 2, seed: 1 });
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const x = tf.tensor2d(train.x, [ROWS, FEATURES]);
  const y = tf.tensor1d(train.y);
  const epoch = () => {
    for (let start = 0; start < ROWS; start += BATCH) {
      tf.tidy(() => {
        // gather, as the loop does: tfjs-wasm's slice reads the whole input back to JS.
        const idx = tf.range(start, Math.min(ROWS, start + BATCH), 1, 'int32');
        const xb = tf.gather(x, idx);
        const yb = tf.gather(y, idx) as tf.Tensor1D;
        tf.variableGrads(() => taskLoss('binary', model.apply(xb, { training: true }) as tf.Tensor, yb, 2), vars);
      });
    }
  };
  epoch();
  const seconds = await fastest(() => {
    const started = performance.now();
    epoch();
    return (performance.now() - started) / 1000;
  });
  tf.dispose([x, y]);
  model.dispose();
  return seconds;
}

async function timeFit(train: DataPart): Promise<number> {
  const spec = loopConfig({ model: { hidden: [64, 64] } }).model;
  const model = buildMlp({ spec, task: 'binary', inputSize: FEATURES, classes: 2, seed: 1 });
  const optimizer = tf.train.adam(0.001);
  model.compile({ optimizer, loss: 'binaryCrossentropy' });
  const x = tf.tensor2d(train.x, [ROWS, FEATURES]);
  const y = tf.tensor2d(train.y, [ROWS, 1]);
  await model.fit(x, y, { batchSize: BATCH, epochs: 1, verbose: 0 });
  const seconds = await fastest(async () => {
    const started = performance.now();
    await model.fit(x, y, { batchSize: BATCH, epochs: 1, verbose: 0 });
    return (performance.now() - started) / 1000;
  });
  tf.dispose([x, y]);
  model.dispose();
  optimizer.dispose();
  return seconds;
}

function timePytorch(train: DataPart): number | string {
  const probe = spawnSync('python3', ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' });
  if (probe.status !== 0) return 'skipped: no Python with torch on this machine';
  const dir = mkdtempSync(join(tmpdir(), 'tickwork-bench-'));
  writeFileSync(join(dir, 'x.bin'), Buffer.from(train.x.buffer));
  writeFileSync(join(dir, 'y.bin'), Buffer.from(train.y.buffer));
  const script = new URL('./pytorch_mlp.py', import.meta.url).pathname.replace('/dist/node/', '/bench/');
  const r = spawnSync('python3', [script, dir, String(ROWS), String(FEATURES), String(BATCH), String(REPEATS)], { encoding: 'utf8' });
  if (r.status !== 0) return `failed: ${r.stderr.trim().split('\n').pop()}`;
  return Number(r.stdout.trim().split('\n').pop());
}

async function main() {
  const wanted = process.argv.slice(2) as BackendPreference[];
  const backends: BackendPreference[] = wanted.length > 0 ? wanted : ['tensorflow', 'wasm', 'cpu'];
  const train = data();
  console.log(`MLP 32-64-64-1, ${ROWS} rows, batch ${BATCH}, seconds per epoch (fastest of ${REPEATS}, after a warm-up epoch)`);
  const torch = timePytorch(train);
  console.log(`pytorch (CPU, its default threads): ${typeof torch === 'number' ? `${torch.toFixed(3)} s/epoch` : torch}`);
  for (const preference of backends) {
    let name: string;
    try {
      name = (await selectBackend(preference)).name;
    } catch (err) {
      console.log(`${preference}: skipped — ${(err as Error).message.split('\n')[0]}`);
      continue;
    }
    const adam = await timeLoop(train, 'adam');
    const sgd = await timeLoop(train, 'sgd');
    const grads = await timeGradients(train);
    const fit = await timeFit(train);
    const vsTorch = typeof torch === 'number' ? `  ×${(adam / torch).toFixed(1)} PyTorch` : '';
    console.log(
      `${name.padEnd(10)} loop+adam ${adam.toFixed(3)}  loop+sgd ${sgd.toFixed(3)}  forward+backward only ${grads.toFixed(3)}  ` +
        `tfjs fit+adam ${fit.toFixed(3)}  → loop/fit ${(adam / fit).toFixed(2)}${vsTorch}  (tensors alive ${tf.memory().numTensors})`,
    );
  }
}

void main();
