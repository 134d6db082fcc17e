/**
 * model.onnx, verified with onnxruntime-node against the tfjs model on the same rows:
 * max |difference| ≤ 1e-5 (float32), raw-column input with in-graph imputation and scaling for
 * all-numeric data, the encoded vector otherwise.
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../models/backend';
import { readTableFile } from '../../models/data/read';
import { numberView } from '../../models/data/table';
import { artifactsToModel } from '../../models/io/artifacts';
import { readExportFolder } from '../../models/io/export-folder';
import { encodeFeatures } from '../../models/prep/preprocessing';
import { predictRows } from '../../models/train/loop';
import type { RunConfigInput } from '../../shared/run-config';
import type { TickworkApi } from '../../shared/contract';
import { inMemoryApi } from '../../service/in-memory-transport';
import { createNodeService } from '../../service/runtime';
import type { WorkbenchService } from '../../service/workbench-service';

let service: WorkbenchService;
let api: TickworkApi;
let dir: string;

beforeAll(async () => {
  await selectBackend('wasm');
  service = createNodeService({ backend: 'wasm' });
  api = inMemoryApi(service);
  dir = await mkdtemp(join(tmpdir(), 'tickwork-onnx-'));
});

afterAll(async () => {
  await service.dispose();
});

/** Train on a CSV, export, and compare ONNX (raw or encoded input) with tfjs on every row of the file. */
async function compare(name: string, csv: string, config: RunConfigInput, quantize: 'none' | 'float16' | 'int8' = 'none') {
  const path = join(dir, `${name}.csv`);
  await writeFile(path, csv);
  const ds = await api.openDataset({ source: { kind: 'file', path } });
  const { runId } = await api.startTraining({ datasetId: ds.id, config: { epochs: 15, earlyStopping: null, ...config } });
  const run = await service.waitForRun(runId);
  expect(run.status).toBe('completed');
  const out = join(dir, `${name}-model`);
  const exported = await api.exportModel({ modelId: run.modelId!, dir: out, quantize });
  const bundle = await readExportFolder(out);
  const spec = bundle.preprocessing;
  const note = JSON.parse(await readFile(join(out, 'preprocessing.json'), 'utf8')).onnx;

  const { table } = await readTableFile(path);
  const encoded = encodeFeatures(spec, table);
  const model = await artifactsToModel(bundle.artifacts);
  const tfOut = predictRows(model, encoded.x, encoded.rows, encoded.cols);
  model.dispose();

  let input: Float32Array;
  let width: number;
  if (note.takes === 'raw') {
    width = spec.inputs.length;
    input = new Float32Array(table.rowCount * width);
    spec.inputs.forEach((col, c) => {
      const { values } = numberView(table.columns[table.columnNames.indexOf(col)]);
      for (let r = 0; r < table.rowCount; r++) input[r * width + c] = values[r];
    });
  } else {
    width = encoded.cols;
    input = encoded.x;
  }
  const session = await ort.InferenceSession.create(await readFile(join(out, 'model.onnx')));
  const result = await session.run({ features: new ort.Tensor('float32', input, [table.rowCount, width]) });
  const outputName = spec.task === 'regression' ? 'prediction' : 'probabilities';
  expect(session.inputNames).toEqual(['features']);
  expect(session.outputNames).toEqual([outputName]);
  const onnxOut = result[outputName].data as Float32Array;
  // tfjs gives P(positive) for binary; ONNX gives [P(negative), P(positive)].
  const expected = spec.task === 'binary' ? Float32Array.from({ length: tfOut.length * 2 }, (_, i) => (i % 2 === 1 ? tfOut[(i - 1) / 2] : 1 - tfOut[i / 2])) : tfOut;
  expect(onnxOut.length).toBe(expected.length);
  let maxDiff = 0;
  for (let i = 0; i < expected.length; i++) maxDiff = Math.max(maxDiff, Math.abs(onnxOut[i] - expected[i]));
  console.log(`onnx vs tfjs, ${name}: max |diff| ${maxDiff.toExponential(2)} over ${expected.length} outputs`);
  return { maxDiff, note, spec, rows: table.rowCount, exported, out, tfOut, onnxOut, run };
}

describe('ONNX export', () => {
  it.each(['float16', 'int8'] as const)('quantized %s: ONNX dequantizes exactly as tfjs does, and the accuracy change is reported', async (dtype) => {
    const csv = await readFile(join(import.meta.dirname, '../../datasets/iris.csv'), 'utf8');
    const r = await compare(`iris-${dtype}`, csv, { target: 'species', model: { hidden: [16] } }, dtype);
    expect(r.maxDiff).toBeLessThanOrEqual(1e-5);
    const q = r.exported.quantization!;
    expect(q.dtype).toBe(dtype);
    expect(q.bytesAfter).toBe(q.bytesBefore / (dtype === 'float16' ? 2 : 4));
    expect(q.testBefore!.accuracy).toBe(r.run.metrics!.test!.accuracy);
    expect(q.testAfter!.accuracy).toBeGreaterThan(q.testBefore!.accuracy - 0.1);
    const metrics = JSON.parse(await readFile(join(r.out, 'metrics.json'), 'utf8'));
    expect(metrics.quantization).toEqual(q);
  });

  it('multiclass, all numeric (iris): raw columns in, probabilities out, max diff ≤ 1e-5', async () => {
    const csv = await readFile(join(import.meta.dirname, '../../datasets/iris.csv'), 'utf8');
    const r = await compare('iris', csv, { target: 'species', model: { hidden: [16, 16], batchNorm: true } });
    expect(r.note).toMatchObject({ input: 'features', output: 'probabilities', takes: 'raw', columns: ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'] });
    expect(r.maxDiff).toBeLessThanOrEqual(1e-5);
  });

  it('binary with missing values: the graph imputes NaN with the training mean', async () => {
    const lines = ['a,b,y'];
    for (let i = 0; i < 120; i++) lines.push(`${i % 7 === 0 ? 'NA' : (i % 13) - 6},${((i * 5) % 11) - 5},${(i % 13) - 6 + ((i * 5) % 11) - 5 > 0 ? 'yes' : 'no'}`);
    const r = await compare('binary', lines.join('\n') + '\n', { target: 'y', model: { hidden: [8], activation: 'tanh' } });
    expect(r.spec.labels).toEqual(['no', 'yes']);
    expect(r.maxDiff).toBeLessThanOrEqual(1e-5);
  });

  it('regression: prediction in the target units', async () => {
    const lines = ['x1,x2,y'];
    for (let i = 0; i < 100; i++) lines.push(`${i % 10},${(i * 3) % 7},${(5 * (i % 10) - 2 * ((i * 3) % 7) + 100).toFixed(1)}`);
    const r = await compare('regression', lines.join('\n') + '\n', { target: 'y', model: { hidden: [8], activation: 'elu' } });
    expect(r.maxDiff).toBeLessThanOrEqual(1e-5 * 200); // outputs around 100: float32 relative precision
  });

  it('with a categorical feature the graph takes the encoded vector, as preprocessing.json says', async () => {
    const lines = ['colour,size,y'];
    for (let i = 0; i < 90; i++) lines.push(`${['red', 'green', 'blue'][i % 3]},${i % 5},${i % 3 === 0 || i % 5 === 0 ? 1 : 0}`);
    const r = await compare('categorical', lines.join('\n') + '\n', { target: 'y', model: { hidden: [8], activation: 'selu' } });
    expect(r.note.takes).toBe('encoded');
    expect(r.note.columns).toEqual(['colour=blue', 'colour=green', 'colour=red', 'size']);
    expect(r.maxDiff).toBeLessThanOrEqual(1e-5);
  });
});


