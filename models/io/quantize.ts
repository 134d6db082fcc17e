/**
 * Weight quantization of a saved tfjs Layers model, in the format tfjs itself reads
 * (`weightsManifest[].weights[].quantization`), so `tf.loadLayersModel` dequantizes on load:
 *   float16: each weight as IEEE half precision (2 bytes);
 *   int8:    each tensor affine-quantized to 8 bits, w ≈ q·scale + min, q ∈ [0, 255]
 *            (tfjs' 'uint8' scheme; 1 byte per weight).
 * No tfjs here: plain arithmetic on the weight bytes.
 */
import { TickworkError } from '../../shared/errors.js';
import type { ModelArtifactsData, WeightsManifestEntry } from './model-files.js';

export type QuantizeDtype = 'float16' | 'int8';

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** float32 → IEEE 754 half-precision bits, round to nearest even (subnormals and ±Inf/NaN kept). */
export function toFloat16Bits(value: number): number {
  f32[0] = value;
  const x = u32[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0); // Inf / NaN
  let e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00; // overflow → Inf
  if (e <= 0) {
    if (e < -10) return sign; // underflow → ±0
    mant |= 0x800000; // implicit leading 1
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    let m = mant >>> shift;
    const rest = mant & ((1 << shift) - 1);
    if (rest > half || (rest === half && (m & 1))) m++;
    return sign | m;
  }
  let m = mant >>> 13;
  const rest = mant & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && (m & 1))) {
    m++;
    if (m === 0x400) {
      m = 0;
      e++;
      if (e >= 0x1f) return sign | 0x7c00;
    }
  }
  return sign | (e << 10) | m;
}

export function fromFloat16Bits(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exp = (bits >>> 10) & 0x1f;
  const mant = bits & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant ? NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

function floatWeights(artifacts: ModelArtifactsData): Array<{ spec: WeightsManifestEntry; values: Float32Array }> {
  let offset = 0;
  const bytes = artifacts.weights;
  return artifacts.modelJson.weightsManifest
    .flatMap((g) => g.weights)
    .map((spec) => {
      if (spec.quantization || spec.dtype !== 'float32') {
        throw new TickworkError('bad_data', `This model's weights are already quantized (${spec.name}); export it without quantization.`);
      }
      const count = spec.shape.reduce((a, b) => a * b, 1);
      const values = new Float32Array(bytes.buffer.slice(bytes.byteOffset + offset, bytes.byteOffset + offset + count * 4));
      offset += count * 4;
      return { spec, values };
    });
}

export function quantizeArtifacts(artifacts: ModelArtifactsData, dtype: QuantizeDtype): ModelArtifactsData {
  const chunks: Uint8Array[] = [];
  const specs: WeightsManifestEntry[] = [];
  for (const { spec, values } of floatWeights(artifacts)) {
    if (dtype === 'float16') {
      const bits = new Uint16Array(values.length);
      values.forEach((v, i) => (bits[i] = toFloat16Bits(v)));
      chunks.push(new Uint8Array(bits.buffer));
      specs.push({ ...spec, quantization: { dtype: 'float16', original_dtype: 'float32' } });
    } else {
      let min = Infinity;
      let max = -Infinity;
      for (const v of values) {
        if (v < min) min = v;
        if (v > max) max = v;
      }
      if (!Number.isFinite(min)) min = max = 0;
      const scale = max > min ? (max - min) / 255 : 1;
      const q = new Uint8Array(values.length);
      values.forEach((v, i) => (q[i] = Math.max(0, Math.min(255, Math.round((v - min) / scale)))));
      chunks.push(q);
      specs.push({ ...spec, quantization: { dtype: 'uint8', min, scale, original_dtype: 'float32' } });
    }
  }
  const total = chunks.reduce((n, c) => n + c.byteLength, 0);
  const weights = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    weights.set(c, at);
    at += c.byteLength;
  }
  return {
    modelJson: { ...artifacts.modelJson, weightsManifest: [{ paths: artifacts.modelJson.weightsManifest[0].paths, weights: specs }] },
    weights,
  };
}

/** Bytes one weight takes in weights.bin, by its manifest entry. */
export function storedBytes(spec: WeightsManifestEntry): number {
  const count = spec.shape.reduce((a, b) => a * b, 1);
  const q = spec.quantization as { dtype?: string } | undefined;
  if (q?.dtype === 'float16') return count * 2;
  if (q?.dtype === 'uint8' || q?.dtype === 'int8') return count;
  return count * 4;
}

/** Every weight as float32 values (dequantizing the way tfjs does), by name, in manifest order. */
export function readFloatWeights(artifacts: ModelArtifactsData): Map<string, { spec: WeightsManifestEntry; values: Float32Array }> {
  const out = new Map<string, { spec: WeightsManifestEntry; values: Float32Array }>();
  const bytes = artifacts.weights;
  let offset = 0;
  for (const spec of artifacts.modelJson.weightsManifest.flatMap((g) => g.weights)) {
    const size = storedBytes(spec);
    const raw = bytes.buffer.slice(bytes.byteOffset + offset, bytes.byteOffset + offset + size);
    const q = spec.quantization as { dtype?: string; min?: number; scale?: number } | undefined;
    let values: Float32Array;
    if (q?.dtype === 'float16') values = Float32Array.from(new Uint16Array(raw), fromFloat16Bits);
    else if (q?.dtype === 'uint8') values = Float32Array.from(new Uint8Array(raw), (v) => v * q.scale! + q.min!);
    else values = new Float32Array(raw);
    out.set(spec.name, { spec, values });
    offset += size;
  }
  return out;
}
