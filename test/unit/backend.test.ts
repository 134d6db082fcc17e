/**
 * The backend report says what it found and why it fell back, in plain words. No test needs a
 * GPU: the CUDA checks are fed made-up probes, library folders and /proc/self/maps text.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { explainLoadError, gpuShortfall, mappedCudaLibraries, probeGpu, selectBackend, type GpuProbe } from '../../models/backend';

const none: GpuProbe = { driver: null, libcuda: [], cudart: [], cudnn: [] };

describe('what tfjs-node-gpu needs against what the machine has', () => {
  it('names a missing driver, runtime and cuDNN', () => {
    expect(gpuShortfall(none)).toBe('no NVIDIA driver (no /proc/driver/nvidia/version, no libcuda.so.1); no CUDA 11.2 runtime (libcudart.so.11.0); no cuDNN 8.1 (libcudnn.so.8)');
  });

  it('names a CUDA or cuDNN major version that TensorFlow 2.9 cannot use', () => {
    const probe: GpuProbe = { driver: 'NVIDIA driver 550.54.15', libcuda: ['libcuda.so.1'], cudart: ['libcudart.so.12'], cudnn: ['libcudnn.so.9'] };
    expect(gpuShortfall(probe)).toBe('CUDA runtime libcudart.so.12 where TensorFlow 2.9 needs CUDA 11.2 (libcudart.so.11.0); cuDNN libcudnn.so.9 where it needs cuDNN 8.1 (libcudnn.so.8)');
  });

  it('is satisfied by a driver, CUDA 11 and cuDNN 8', () => {
    expect(gpuShortfall({ driver: 'NVIDIA driver 470.1', libcuda: ['libcuda.so.1'], cudart: ['libcudart.so.11.0'], cudnn: ['libcudnn.so.8'] })).toBeNull();
  });

  it('finds the libraries on LD_LIBRARY_PATH', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tickwork-cuda-'));
    for (const name of ['libcuda.so.1', 'libcudart.so.12', 'libcudnn.so.9', 'libz.so.1']) writeFileSync(join(dir, name), '');
    const probe = probeGpu({ LD_LIBRARY_PATH: `${dir}:/nonexistent` });
    expect(probe.libcuda).toContain('libcuda.so.1');
    expect(probe.cudart).toContain('libcudart.so.12');
    expect(probe.cudnn).toContain('libcudnn.so.9');
    expect([...probe.libcuda, ...probe.cudart, ...probe.cudnn]).not.toContain('libz.so.1');
  });

  it('reads which CUDA libraries a process mapped', () => {
    const maps = [
      '7f00-7f10 r-xp 0 08:01 1 /usr/lib/x86_64-linux-gnu/libcuda.so.550.54.15',
      '7f20-7f30 r-xp 0 08:01 2 /usr/local/cuda-11.2/lib64/libcudart.so.11.2.152',
      '7f40-7f50 r-xp 0 08:01 3 /usr/lib/x86_64-linux-gnu/libc.so.6',
    ].join('\n');
    expect(mappedCudaLibraries(maps)).toEqual(['libcuda.so.550.54.15', 'libcudart.so.11.2.152']);
    expect(mappedCudaLibraries('7f40-7f50 r-xp 0 08:01 3 /usr/lib/libc.so.6')).toEqual([]);
  });
});

describe('why a native build did not load', () => {
  const gpu = '@tensorflow/tfjs-node-gpu';
  it('a missing CUDA library, with what the probe found', () => {
    const probe: GpuProbe = { driver: 'NVIDIA driver 550.54.15', libcuda: ['libcuda.so.1'], cudart: ['libcudart.so.12'], cudnn: [] };
    expect(explainLoadError(gpu, 'libcudart.so.11.0: cannot open shared object file: No such file or directory', probe)).toBe(
      '@tensorflow/tfjs-node-gpu did not load: libcudart.so.11.0 was not found (CUDA runtime libcudart.so.12 where TensorFlow 2.9 needs CUDA 11.2 (libcudart.so.11.0); no cuDNN 8.1 (libcudnn.so.8))',
    );
  });

  it('libtensorflow not downloaded at install', () => {
    expect(explainLoadError(gpu, 'libtensorflow.so.2: cannot open shared object file', none)).toMatch(/its TensorFlow library is missing .*npm run native:install -- gpu/);
  });

  it('a binding built for another N-API / Node', () => {
    expect(explainLoadError('@tensorflow/tfjs-node', "The module 'tfjs_binding.node' was compiled against a different Node.js version using NODE_MODULE_VERSION 115", null)).toMatch(
      /prebuilt binding does not match this runtime \(Node [\d.]+, N-API \d+; tfjs-node 4.22 ships N-API ≤ 8 builds\)/,
    );
  });
});

describe('the backend in use', () => {
  it('wasm names the dense kernel that trains dense networks', async () => {
    const info = await selectBackend('wasm');
    expect(info.name).toBe('wasm');
    expect(info.detail).toMatch(/^tfjs-backend-wasm \(WebAssembly SIMD\); dense networks train on Tickwork's WebAssembly SIMD kernel( \(fused multiply-add\))?$/);
    expect(info.fallbacks).toEqual([]);
  });

  it('auto lands on a backend and gives one plain reason per faster backend it skipped', async () => {
    const info = await selectBackend('auto');
    const reasons = info.fallbacks.filter((f) => f.startsWith('@tensorflow/tfjs-node'));
    // Past the native builds, both of them say why; on the native build, the GPU one may.
    if (info.name !== 'tensorflow') expect(reasons).toHaveLength(2);
    for (const reason of reasons) expect(reason).toMatch(/^@tensorflow\/tfjs-node(-gpu)? (is not installed \(npm run native:install -- (gpu|cpu)\)|did not load: |is installed but )/);
    await selectBackend('wasm');
  });
});
