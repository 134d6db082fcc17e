/**
 * Training speed per backend: a 32-64-64-1 MLP (binary), 20,000 synthetic rows, batch 128, Adam,
 * through the real training loop. Prints seconds per epoch and steps per second, and the ratio
 * to the PyTorch figure recorded in TECH_NOTES (0.17 s/epoch, PyTorch 1.13 CPU, 1 thread — not
 * measured by this script).
 *
 *   npm run bench            all backends that load
 *   npm run bench -- wasm    one backend
 */
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../models/backend.js';
import { createRng, normal } from '../models/random.js';
import { loopConfig, trainModel, type DataPart } from '../models/train/loop.js';
import type { BackendPreference } from '../shared/run-config.js';

const ROWS = 20000;
const FEATURES = 32;
const EPOCHS = 3;
const PYTORCH_S_PER_EPOCH = 0.17;

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

async function main() {
  const wanted = process.argv.slice(2) as BackendPreference[];
  const backends: BackendPreference[] = wanted.length > 0 ? wanted : ['tensorflow', 'wasm', 'cpu'];
  const train = data();
  console.log(`MLP 32-64-64-1, ${ROWS} rows, batch 128, Adam, ${EPOCHS} epochs (after 1 warm-up epoch)`);
  for (const preference of backends) {
    let name: string;
    try {
      name = (await selectBackend(preference)).name;
    } catch (err) {
      console.log(`${preference.padEnd(10)} skipped: ${(err as Error).message.split('\n')[0]}`);
      continue;
    }
    const config = loopConfig({ model: { hidden: [64, 64] }, batchSize: 128, epochs: 1, optimizer: { name: 'adam', lr: 0.001 } });
    const input = { config, task: 'binary' as const, classes: 2, targetStats: null, train, validation: null, test: null };
    (await trainModel(input, { maxTrainEvalRows: 1 })).model.dispose(); // warm-up: kernels compiled
    const started = performance.now();
    const result = await trainModel({ ...input, config: { ...config, epochs: EPOCHS } }, { maxTrainEvalRows: 1 });
    const seconds = (performance.now() - started) / 1000;
    result.model.dispose();
    const perEpoch = seconds / EPOCHS;
    console.log(
      `${name.padEnd(10)} ${perEpoch.toFixed(3)} s/epoch  ${(result.steps / seconds).toFixed(0)} steps/s  ` +
        `${((result.steps * 128) / seconds).toFixed(0)} samples/s  ×${(perEpoch / PYTORCH_S_PER_EPOCH).toFixed(1)} PyTorch's 0.17 s/epoch  ` +
        `(tensors alive: ${tf.memory().numTensors})`,
    );
  }
}

void main();
