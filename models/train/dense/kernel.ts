/**
 * Loads Tickwork's dense-network kernel (dist/kernels/dense.wasm, compiled from ./assembly by
 * scripts/build.mjs) and lays out its memory.
 *
 * The kernel is a set of f32 WebAssembly SIMD functions (matrix products, activations, batch
 * norm, dropout, losses, optimizer rules) that work on byte addresses in one linear memory.
 * Each training run gets its own instance and memory; `KernelMemory.alloc` hands out 16-byte
 * aligned blocks from it and never frees (a run allocates everything it needs at the start,
 * plus optimizer slots the first time a rule needs them).
 *
 * The compiled module is cached per process. When it cannot be used (not built, or a runtime
 * without WebAssembly SIMD) `kernelProblem()` says why in plain words and training takes the
 * tfjs tape path instead. Two builds exist: plain SIMD, and relaxed SIMD whose multiply-add is
 * fused (one rounding instead of two; ~1.3× faster matrix products here); a run uses the second
 * where the runtime accepts it. Either is deterministic on one machine.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';

/** The kernel's exports (see assembly/index.ts); addresses are byte offsets, flags 0/1. */
export interface DenseKernel {
  gemm(a: number, sam: number, sak: number, b: number, ldb: number, c: number, ldc: number, M: number, N: number, K: number, acc: number): void;
  gemv(a: number, lda: number, x: number, y: number, M: number, K: number, acc: number): void;
  transpose(src: number, dst: number, M: number, N: number): void;
  biasActivation(z: number, bias: number, y: number, M: number, N: number, act: number): void;
  activate(z: number, y: number, M: number, N: number, act: number): void;
  activationBackward(dy: number, z: number, y: number, dz: number, count: number, act: number): void;
  columnSums(d: number, M: number, N: number, out: number, acc: number): void;
  batchNormTrain(x: number, M: number, N: number, gamma: number, beta: number, epsilon: number, momentum: number, movingMean: number, movingVar: number, xhat: number, rstd: number, y: number): void;
  batchNormBackward(dy: number, xhat: number, rstd: number, gamma: number, M: number, N: number, dx: number, dgamma: number, dbeta: number, acc: number): void;
  batchNormInfer(x: number, M: number, N: number, gamma: number, beta: number, epsilon: number, movingMean: number, movingVar: number, y: number): void;
  dropout(x: number, out: number, mask: number, count: number, rate: number, key: number): void;
  multiply(d: number, mask: number, count: number): void;
  gatherRows(x: number, y: number, cols: number, index: number, first: number, count: number, outX: number, outY: number): void;
  gatherValues(v: number, index: number, first: number, count: number, out: number): void;
  lossAndGradient(task: number, out: number, M: number, C: number, target: number, weights: number, epsilon: number, dz: number): number;
  lossOnly(task: number, out: number, M: number, C: number, target: number, epsilon: number): number;
  penalty(theta: number, g: number, count: number, l1: number, l2: number): number;
  sgd(theta: number, g: number, b: number, n: number, lr: number, momentum: number, dampening: number, nesterov: number, wd: number, first: number): void;
  adam(theta: number, g: number, m: number, v: number, vmax: number, n: number, decay: number, wd: number, b1: number, oneMinusB1: number, b2: number, oneMinusB2: number, invSqrtBias2: number, epsilon: number, stepSize: number, amsgrad: number): void;
  nadam(theta: number, g: number, m: number, v: number, n: number, wd: number, b1: number, oneMinusB1: number, b2: number, oneMinusB2: number, bias2: number, epsilon: number, cm: number, cg: number, lr: number): void;
  rmsprop(theta: number, g: number, v: number, mean: number, b: number, n: number, wd: number, rho: number, oneMinusRho: number, epsilon: number, momentum: number, centered: number, lr: number): void;
  adagrad(theta: number, g: number, s: number, n: number, wd: number, epsilon: number, lr: number): void;
  adadelta(theta: number, g: number, v: number, u: number, n: number, wd: number, rho: number, oneMinusRho: number, epsilon: number, lr: number): void;
  adamax(theta: number, g: number, m: number, u: number, n: number, wd: number, b1: number, oneMinusB1: number, b2: number, epsilon: number, stepSize: number): void;
  lion(theta: number, g: number, m: number, n: number, lr: number, b1: number, oneMinusB1: number, b2: number, oneMinusB2: number, wd: number): void;
  adafactor(theta: number, g: number, rows: number, cols: number, r: number, c: number, v: number, m: number, u: number, rho: number, scaleParameter: number, epsilon1: number, epsilon2: number, beta2: number, clipThreshold: number, beta1: number, wd: number): void;
  clipValues(g: number, n: number, c: number): void;
  sumSquares(g: number, n: number): number;
  scale(g: number, n: number, s: number): void;
}

const PAGE = 65536;
/** The first page holds the kernel's own constants (math tables); runs allocate above it. */
const RESERVED = PAGE;

/** Where the build puts the kernels, relative to this module in the bundles and in the source tree. */
const FOLDERS = ['../kernels/', '../../../dist/kernels/'];

/** The two builds of the kernel: plain WebAssembly SIMD, and with relaxed SIMD's fused multiply-add. */
export type KernelVariant = 'simd' | 'relaxed-simd';
const FILES: Record<KernelVariant, string> = { simd: 'dense.wasm', 'relaxed-simd': 'dense-relaxed.wasm' };

/** The part of the WebAssembly JS API used here (Node's type definitions lack it without the DOM lib). */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: object };
  Memory: new (descriptor: { initial: number }) => WasmMemory;
  validate(bytes: Uint8Array): boolean;
}
const wasm = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;

const compiled = new Map<KernelVariant, object>();
let chosen: KernelVariant | null = null;
let problem: string | null | undefined;

function locate(file: string): string | null {
  for (const folder of FOLDERS) {
    const path = fileURLToPath(new URL(folder + file, import.meta.url));
    if (existsSync(path)) return path;
  }
  return null;
}

/**
 * Relaxed SIMD ships in V8 from 11.4 (Electron ≥ 25, Node ≥ 22). Node 20's V8 11.3 has it
 * behind a flag, which only widens what the wasm validator accepts: set it, then validate again.
 */
function relaxedSimdAccepted(bytes: Uint8Array): boolean {
  if (wasm!.validate(bytes)) return true;
  if (process.versions.electron || !process.versions.v8.startsWith('11.')) return false;
  try {
    setFlagsFromString('--experimental-wasm-relaxed-simd');
  } catch {
    return false;
  }
  return wasm!.validate(bytes);
}

/** Compile a variant (cached); throws with the reason when it cannot be used here. */
export function compileKernel(variant: KernelVariant): object {
  const cached = compiled.get(variant);
  if (cached) return cached;
  const path = locate(FILES[variant]);
  if (!path) throw new Error(`Tickwork's dense kernel is not built (dist/kernels/${FILES[variant]} is missing; run npm run build)`);
  const bytes = readFileSync(path);
  if (variant === 'relaxed-simd' && !relaxedSimdAccepted(bytes)) throw new Error('this runtime has no WebAssembly relaxed SIMD');
  const module = new wasm!.Module(bytes);
  compiled.set(variant, module);
  return module;
}

/**
 * Pick and compile the kernel once: relaxed SIMD where the runtime takes it (TICKWORK_KERNEL=simd
 * keeps plain SIMD), else plain SIMD. Returns null when a kernel is ready, else why not.
 */
export function kernelProblem(): string | null {
  if (problem !== undefined) return problem;
  if (!wasm) return (problem = 'this runtime has no WebAssembly');
  const wanted: KernelVariant[] = process.env.TICKWORK_KERNEL?.trim().toLowerCase() === 'simd' ? ['simd'] : ['relaxed-simd', 'simd'];
  const reasons: string[] = [];
  for (const variant of wanted) {
    try {
      compileKernel(variant);
      chosen = variant;
      return (problem = null);
    } catch (err) {
      reasons.push((err as Error).message.split('\n')[0]);
    }
  }
  return (problem = reasons.some((r) => r.includes('not built')) ? reasons.find((r) => r.includes('not built'))! : `Tickwork's dense kernel did not compile (${reasons.join('; ')}): this runtime may lack WebAssembly SIMD`);
}

/** The variant runs use (after kernelProblem() returned null). */
export function kernelVariant(): KernelVariant | null {
  return kernelProblem() === null ? chosen : null;
}

/** One kernel instance with its own memory and a bump allocator over it. */
export class KernelMemory {
  readonly k: DenseKernel;
  readonly variant: KernelVariant;
  private readonly memory: WasmMemory;
  private next = RESERVED;
  private f32View: Float32Array;
  private i32View: Int32Array;

  /** @param variant a particular build (tests); by default the one kernelProblem() chose */
  constructor(initialBytes = 0, variant?: KernelVariant) {
    const why = variant ? null : kernelProblem();
    if (why !== null) throw new Error(why);
    this.variant = variant ?? chosen!;
    const pages = Math.max(2, Math.ceil((RESERVED + initialBytes) / PAGE) + 1);
    this.memory = new wasm!.Memory({ initial: pages });
    const instance = new wasm!.Instance(compileKernel(this.variant), { env: { memory: this.memory } });
    this.k = instance.exports as unknown as DenseKernel;
    this.f32View = new Float32Array(this.memory.buffer);
    this.i32View = new Int32Array(this.memory.buffer);
  }

  /** A zeroed block of `floats` 4-byte values; returns its byte address. */
  alloc(floats: number): number {
    const address = this.next;
    const bytes = Math.ceil((Math.max(1, floats) * 4) / 16) * 16;
    this.next += bytes;
    const missing = this.next - this.memory.buffer.byteLength;
    if (missing > 0) this.memory.grow(Math.ceil(missing / PAGE));
    this.f32.fill(0, address / 4, address / 4 + floats);
    return address;
  }

  /** Bytes handed out so far (the reserved page included). */
  get used(): number {
    return this.next;
  }

  /** The whole memory as f32 (index = address / 4); a fresh view after the memory grew. */
  get f32(): Float32Array {
    if (this.f32View.buffer !== this.memory.buffer) this.f32View = new Float32Array(this.memory.buffer);
    return this.f32View;
  }

  get i32(): Int32Array {
    if (this.i32View.buffer !== this.memory.buffer) this.i32View = new Int32Array(this.memory.buffer);
    return this.i32View;
  }

  /** Copy values in at an address. */
  write(address: number, values: ArrayLike<number>): void {
    this.f32.set(values, address / 4);
  }

  /** A copy of `length` floats at an address. */
  read(address: number, length: number): Float32Array {
    return this.f32.slice(address / 4, address / 4 + length);
  }
}
