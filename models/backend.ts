/**
 * Picks the fastest tfjs backend that loads, in this order:
 *   1. tensorflow via @tensorflow/tfjs-node-gpu (CUDA)   — optional dependency
 *   2. tensorflow via @tensorflow/tfjs-node (native CPU)  — optional dependency
 *   3. wasm via @tensorflow/tfjs-backend-wasm (SIMD)
 *   4. cpu (pure JavaScript, always there)
 * and says which one it uses and why the faster ones were skipped. A preference
 * (`auto|tensorflow|wasm|cpu`, from a setting, `--backend` or TICKWORK_BACKEND) forces one.
 */
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs';
import type { BackendInfo } from '../shared/contract.js';
import type { BackendPreference } from '../shared/run-config.js';
import { TickworkError } from '../shared/errors.js';

const nodeRequire = createRequire(import.meta.url);


function firstLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.split('\n')[0].slice(0, 200);
}

/** Try to load a tfjs-node build; returns an error message when it cannot be used. */
async function tryTensorflow(pkg: '@tensorflow/tfjs-node-gpu' | '@tensorflow/tfjs-node'): Promise<string | null> {
  try {
    if (pkg === '@tensorflow/tfjs-node-gpu') {
      // Without this TensorFlow reserves all GPU memory at start.
      process.env.TF_FORCE_GPU_ALLOW_GROWTH ??= 'true';
    }
    nodeRequire(pkg);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'MODULE_NOT_FOUND' && String((err as Error).message).includes(`'${pkg}'`)) {
      return `${pkg} is not installed (npm run native:install -- ${pkg.endsWith('gpu') ? 'gpu' : 'cpu'})`;
    }
    return `${pkg} did not load: ${firstLine(err)}`;
  }
  if (!tf.findBackend('tensorflow')) {
    return `${pkg} loaded but registered with another copy of @tensorflow/tfjs (versions differ)`;
  }
  const ok = await tf.setBackend('tensorflow');
  return ok ? null : `${pkg} loaded but the tensorflow backend failed to initialize`;
}

async function tryWasm(): Promise<string | null> {
  try {
    // require, not import(): from the CommonJS bundles, import() sends the 1.4 MB module through the ESM loader's CJS lexer (~150 ms).
    nodeRequire('@tensorflow/tfjs-backend-wasm');
    const ok = await tf.setBackend('wasm');
    return ok ? null : 'the wasm backend failed to initialize';
  } catch (err) {
    return `@tensorflow/tfjs-backend-wasm did not load: ${firstLine(err)}`;
  }
}

let current: BackendInfo | null = null;

/** Select (or switch to) a backend. Safe to call again; returns what is now in use. */
export async function selectBackend(preference: BackendPreference = 'auto'): Promise<BackendInfo> {
  const fallbacks: string[] = [];
  const candidates: Array<{ name: BackendInfo['name']; detail: string; load: () => Promise<string | null> }> = [];
  if (preference === 'auto' || preference === 'tensorflow') {
    candidates.push(
      { name: 'tensorflow', detail: 'tfjs-node-gpu (TensorFlow, CUDA)', load: () => tryTensorflow('@tensorflow/tfjs-node-gpu') },
      { name: 'tensorflow', detail: 'tfjs-node (TensorFlow, native CPU)', load: () => tryTensorflow('@tensorflow/tfjs-node') },
    );
  }
  if (preference === 'auto' || preference === 'wasm') {
    candidates.push({ name: 'wasm', detail: 'tfjs-backend-wasm (WebAssembly SIMD)', load: tryWasm });
  }
  if (preference === 'auto' || preference === 'cpu') {
    candidates.push({
      name: 'cpu',
      detail: 'tfjs cpu (pure JavaScript)',
      load: async () => ((await tf.setBackend('cpu')) ? null : 'the cpu backend failed to initialize'),
    });
  }
  if (current && current.name !== 'tensorflow' && preference === current.name) return current;
  for (const candidate of candidates) {
    const problem = await candidate.load();
    if (problem === null) {
      await tf.ready();
      current = { name: candidate.name, detail: candidate.detail, fallbacks };
      return current;
    }
    fallbacks.push(problem);
  }
  throw new TickworkError(
    'unsupported',
    `The ${preference} backend could not be used: ${fallbacks.join('; ')}. Try --backend auto.`,
  );
}

export function currentBackend(): BackendInfo | null {
  return current;
}
