import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../models/backend';
import { artifactsToModel, modelToArtifacts } from '../../models/io/artifacts';
import { fromFloat16Bits, quantizeArtifacts, readFloatWeights, toFloat16Bits } from '../../models/io/quantize';
import { predictRows, trainModel } from '../../models/train/loop';
import { moonsInput } from '../helpers/engine';

beforeAll(async () => {
  await selectBackend('wasm');
});

describe('float16', () => {
  it('encodes known values exactly (IEEE 754 half precision)', () => {
    expect(toFloat16Bits(1)).toBe(0x3c00);
    expect(toFloat16Bits(-2)).toBe(0xc000);
    expect(toFloat16Bits(65504)).toBe(0x7bff); // largest finite half
    expect(toFloat16Bits(1e6)).toBe(0x7c00); // overflow → +Inf
    expect(toFloat16Bits(2 ** -24)).toBe(0x0001); // smallest subnormal
    expect(toFloat16Bits(0.1)).toBe(0x2e66);
    expect(fromFloat16Bits(0x2e66)).toBeCloseTo(0.0999755859375, 12);
  });

  it('round trips within half a unit in the last place', () => {
    for (const v of [0.3333, -7.77, 123.456, 1e-3, -6.2e-5]) {
      const back = fromFloat16Bits(toFloat16Bits(v));
      expect(Math.abs(back - v) / Math.abs(v)).toBeLessThanOrEqual(2 ** -11);
    }
    // Subnormal halves (below 2^-14) have a fixed step of 2^-24: half of it is the bound.
    for (const v of [-1e-5, 3e-7]) expect(Math.abs(fromFloat16Bits(toFloat16Bits(v)) - v)).toBeLessThanOrEqual(2 ** -25);
  });
});

describe('quantized exports load in tfjs and predict closely', () => {
  it.each(['float16', 'int8'] as const)('%s', async (dtype) => {
    const input = moonsInput({ epochs: 5 });
    const result = await trainModel(input);
    const artifacts = await modelToArtifacts(result.model);
    const quantized = quantizeArtifacts(artifacts, dtype);
    expect(quantized.weights.byteLength).toBe(artifacts.weights.byteLength / (dtype === 'float16' ? 2 : 4));
    // What tfjs decodes is what readFloatWeights says (the ONNX export dequantizes the same way).
    const restored = await artifactsToModel(quantized);
    const ours = readFloatWeights(quantized);
    restored.getWeights().forEach((w, i) => {
      const name = quantized.modelJson.weightsManifest[0].weights[i].name;
      const expected = ours.get(name)!.values;
      const got = w.dataSync();
      for (let k = 0; k < got.length; k++) expect(Math.abs(got[k] - expected[k])).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(expected[k])));
    });
    const before = predictRows(result.model, input.test!.x, input.test!.rows, input.test!.cols);
    const after = predictRows(restored, input.test!.x, input.test!.rows, input.test!.cols);
    const maxDiff = before.reduce((m, v, i) => Math.max(m, Math.abs(v - after[i])), 0);
    expect(maxDiff).toBeLessThan(dtype === 'float16' ? 5e-3 : 5e-2);
    expect(() => quantizeArtifacts(quantized, 'int8')).toThrow('already quantized');
    result.model.dispose();
    restored.dispose();
    void tf;
  });
});
