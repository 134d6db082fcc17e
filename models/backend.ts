/**
 * Picks the fastest tfjs backend that loads, in this order:
 *   1. tensorflow via @tensorflow/tfjs-node-gpu (CUDA)   — optional dependency
 *   2. tensorflow via @tensorflow/tfjs-node (native CPU)  — optional dependency
 *   3. wasm via @tensorflow/tfjs-backend-wasm (SIMD)
 *   4. cpu (pure JavaScript, always there)
 * and says which one it uses and, for each faster one it skipped, what it found and why it was
 * not used, in plain words (`fallbacks`). A preference (`auto|tensorflow|wasm|cpu`, from a
 * setting, `--backend` or TICKWORK_BACKEND) forces one.
 *
 * On wasm and cpu, dense networks train on Tickwork's own WebAssembly SIMD kernel
 * (train/dense/); the detail says so, or a fallback line says why it cannot.
 *
 * tfjs-node-gpu 4.22 runs TensorFlow 2.9.1, built for CUDA 11.2 and cuDNN 8.1: it needs the
 * NVIDIA driver (libcuda.so.1), the CUDA 11 runtime (libcudart.so.11.0) and cuDNN 8
 * (libcudnn.so.8). Where they are missing or of another major version TensorFlow still loads
 * and silently computes on the CPU (tfjs#8362, #8269, #8505), so after loading it the report
 * checks which CUDA libraries the process actually mapped.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs';
import type { BackendInfo } from '../shared/contract.js';
import type { BackendPreference } from '../shared/run-config.js';
import { TickworkError } from '../shared/errors.js';
import { kernelProblem, kernelVariant } from './train/dense/kernel.js';

const nodeRequire = createRequire(import.meta.url);

function firstLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.split('\n')[0].slice(0, 200);
}

// ---------------------------------------------------------------- what the machine has for CUDA

/** The NVIDIA driver and CUDA libraries visible to this process (Linux; elsewhere all empty). */
export interface GpuProbe {
  /** "NVIDIA driver 550.54.15", from /proc/driver/nvidia/version, or null. */
  driver: string | null;
  /** File names found in the library folders, e.g. libcuda.so.1, libcudart.so.12, libcudnn.so.8. */
  libcuda: string[];
  cudart: string[];
  cudnn: string[];
}

/** Folders the dynamic loader searches, plus where CUDA toolkits usually live. */
function libraryFolders(env: NodeJS.ProcessEnv): string[] {
  const folders = (env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean);
  folders.push('/usr/lib/x86_64-linux-gnu', '/usr/lib64', '/usr/lib', '/usr/local/cuda/lib64', '/usr/lib/wsl/lib', '/opt/cuda/lib64');
  try {
    for (const name of readdirSync('/usr/local')) if (/^cuda-[\d.]+$/.test(name)) folders.push(`/usr/local/${name}/lib64`);
  } catch {
    // no /usr/local
  }
  return [...new Set(folders)];
}

export function probeGpu(env: NodeJS.ProcessEnv = process.env): GpuProbe {
  const probe: GpuProbe = { driver: null, libcuda: [], cudart: [], cudnn: [] };
  if (process.platform !== 'linux') return probe;
  try {
    const version = readFileSync('/proc/driver/nvidia/version', 'utf8').match(/Kernel Module\s+([\d.]+)/);
    probe.driver = version ? `NVIDIA driver ${version[1]}` : 'an NVIDIA driver';
  } catch {
    // no NVIDIA kernel module loaded
  }
  for (const folder of libraryFolders(env)) {
    let names: string[];
    try {
      names = readdirSync(folder);
    } catch {
      continue;
    }
    for (const name of names) {
      if (/^libcuda\.so\.\d/.test(name)) probe.libcuda.push(name);
      else if (/^libcudart\.so\.\d/.test(name)) probe.cudart.push(name);
      else if (/^libcudnn\.so\.\d/.test(name)) probe.cudnn.push(name);
    }
  }
  for (const key of ['libcuda', 'cudart', 'cudnn'] as const) probe[key] = [...new Set(probe[key])].sort();
  return probe;
}

/** What tfjs-node-gpu 4.22 needs, against what the probe found: null when everything is there. */
export function gpuShortfall(probe: GpuProbe): string | null {
  const missing: string[] = [];
  if (!probe.driver && probe.libcuda.length === 0) missing.push('no NVIDIA driver (no /proc/driver/nvidia/version, no libcuda.so.1)');
  else if (probe.libcuda.length === 0) missing.push(`${probe.driver} but libcuda.so.1 is not on the library path`);
  if (!probe.cudart.some((n) => n.startsWith('libcudart.so.11'))) {
    missing.push(probe.cudart.length ? `CUDA runtime ${probe.cudart.join(', ')} where TensorFlow 2.9 needs CUDA 11.2 (libcudart.so.11.0)` : 'no CUDA 11.2 runtime (libcudart.so.11.0)');
  }
  if (!probe.cudnn.some((n) => n.startsWith('libcudnn.so.8'))) {
    missing.push(probe.cudnn.length ? `cuDNN ${probe.cudnn.join(', ')} where it needs cuDNN 8.1 (libcudnn.so.8)` : 'no cuDNN 8.1 (libcudnn.so.8)');
  }
  return missing.length ? missing.join('; ') : null;
}

/** Why a tfjs-node build did not load, from its error, in the words a user can act on. */
export function explainLoadError(pkg: string, message: string, probe: GpuProbe | null): string {
  const gpu = pkg.endsWith('-gpu');
  if (/libtensorflow/.test(message)) return `${pkg} is installed but its TensorFlow library is missing (its install step downloads libtensorflow 2.9.1; run npm run native:install -- ${gpu ? 'gpu' : 'cpu'} where the internet is reachable)`;
  if (/libcud|libcublas|libcufft|libcurand|libcusolver|libcusparse/.test(message)) {
    const library = message.match(/lib[\w.+-]+\.so[\d.]*/)?.[0] ?? 'a CUDA library';
    return `${pkg} did not load: ${library} was not found (${(probe && gpuShortfall(probe)) ?? 'TensorFlow 2.9 needs CUDA 11.2 and cuDNN 8.1'})`;
  }
  if (/NODE_MODULE_VERSION|napi|N-API|invalid ELF|wrong ELF class|was compiled against/i.test(message)) {
    return `${pkg} did not load: its prebuilt binding does not match this runtime (${process.versions.electron ? `Electron ${process.versions.electron}` : `Node ${process.versions.node}`}, N-API ${process.versions.napi}; tfjs-node 4.22 ships N-API ≤ 8 builds): ${message.slice(0, 160)}`;
  }
  return `${pkg} did not load: ${message.slice(0, 200)}`;
}

/** CUDA libraries this process has mapped (Linux), e.g. after TensorFlow initialized its devices. */
export function mappedCudaLibraries(maps?: string): string[] {
  let text = maps;
  if (text === undefined) {
    try {
      text = readFileSync('/proc/self/maps', 'utf8');
    } catch {
      return [];
    }
  }
  return [...new Set([...text.matchAll(/\/(libcuda\.so[\d.]*|libcudart\.so[\d.]*|libcudnn\.so[\d.]*)/g)].map((m) => m[1]))].sort();
}

// ---------------------------------------------------------------- the candidates

interface Loaded {
  /** Problem that made this candidate unusable, or null. */
  problem: string | null;
  /** When usable: a remark for the fallbacks list (e.g. the GPU build running on the CPU). */
  note?: string;
  detail?: string;
}

/** Try to load a tfjs-node build. */
async function tryTensorflow(pkg: '@tensorflow/tfjs-node-gpu' | '@tensorflow/tfjs-node'): Promise<Loaded> {
  const gpu = pkg === '@tensorflow/tfjs-node-gpu';
  const probe = gpu ? probeGpu() : null;
  try {
    // Without this TensorFlow reserves all GPU memory at start.
    if (gpu) process.env.TF_FORCE_GPU_ALLOW_GROWTH ??= 'true';
    nodeRequire(pkg);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'MODULE_NOT_FOUND' && String((err as Error).message).includes(`'${pkg}'`)) {
      const shortfall = probe && gpuShortfall(probe);
      const context = !gpu || !probe ? '' : shortfall ? `; on this machine it would not use a GPU: ${shortfall}` : `; this machine has ${probe.driver ?? 'an NVIDIA driver'}, CUDA 11 and cuDNN 8, so it would`;
      return { problem: `${pkg} is not installed (npm run native:install -- ${gpu ? 'gpu' : 'cpu'})${context}` };
    }
    return { problem: explainLoadError(pkg, firstLine(err), probe) };
  }
  if (!tf.findBackend('tensorflow')) return { problem: `${pkg} loaded but registered with another copy of @tensorflow/tfjs (versions differ)` };
  if (!(await tf.setBackend('tensorflow'))) return { problem: `${pkg} loaded but the tensorflow backend failed to initialize` };
  if (!gpu) return { problem: null, detail: 'tfjs-node (TensorFlow, native CPU)' };
  // One op makes TensorFlow set up its devices; a GPU device means the CUDA libraries are mapped.
  tf.tidy(() => tf.matMul(tf.ones([2, 2]), tf.ones([2, 2])).dataSync());
  const mapped = mappedCudaLibraries();
  if (process.platform === 'linux' && !mapped.some((n) => n.startsWith('libcudart'))) {
    return {
      problem: null,
      detail: 'tfjs-node-gpu (TensorFlow on the CPU: no usable GPU)',
      note: `tfjs-node-gpu loaded, but TensorFlow found no usable GPU and computes on the CPU: ${(probe && gpuShortfall(probe)) ?? 'CUDA 11.2 and cuDNN 8.1 were found but not loaded'}`,
    };
  }
  return { problem: null, detail: `tfjs-node-gpu (TensorFlow, CUDA${mapped.length ? `: ${mapped.join(', ')}` : ''})` };
}

async function tryWasm(): Promise<Loaded> {
  try {
    // require, not import(): from the CommonJS bundles, import() sends the 1.4 MB module through the ESM loader's CJS lexer (~150 ms).
    nodeRequire('@tensorflow/tfjs-backend-wasm');
    const ok = await tf.setBackend('wasm');
    return { problem: ok ? null : 'the wasm backend failed to initialize' };
  } catch (err) {
    return { problem: `@tensorflow/tfjs-backend-wasm did not load: ${firstLine(err)}` };
  }
}

let current: BackendInfo | null = null;

/** Select (or switch to) a backend. Safe to call again; returns what is now in use. */
export async function selectBackend(preference: BackendPreference = 'auto'): Promise<BackendInfo> {
  const fallbacks: string[] = [];
  const candidates: Array<{ name: BackendInfo['name']; detail: string; load: () => Promise<Loaded> }> = [];
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
      load: async () => ({ problem: (await tf.setBackend('cpu')) ? null : 'the cpu backend failed to initialize' }),
    });
  }
  if (current && current.name !== 'tensorflow' && preference === current.name) return current;
  for (const candidate of candidates) {
    const loaded = await candidate.load();
    if (loaded.problem === null) {
      await tf.ready();
      if (loaded.note) fallbacks.push(loaded.note);
      let detail = loaded.detail ?? candidate.detail;
      if (candidate.name !== 'tensorflow') {
        const kernel = kernelProblem();
        if (kernel === null) detail += `; dense networks train on Tickwork's WebAssembly SIMD kernel${kernelVariant() === 'relaxed-simd' ? ' (fused multiply-add)' : ''}`;
        else fallbacks.push(`${kernel}; training runs on the tfjs tape`);
      }
      current = { name: candidate.name, detail, fallbacks };
      return current;
    }
    fallbacks.push(loaded.problem);
  }
  throw new TickworkError('unsupported', `The ${preference} backend could not be used: ${fallbacks.join('; ')}. Try --backend auto.`);
}

export function currentBackend(): BackendInfo | null {
  return current;
}
