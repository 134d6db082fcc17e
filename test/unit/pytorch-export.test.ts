/**
 * The split a model carries (split.json) and the PyTorch recipe folder, without Python: what is
 * written, what is read back, what the exporter refuses and why, and that nothing of the user's
 * is overwritten.
 */
import { mkdtemp, mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../models/backend';
import { parseDelimited } from '../../models/data/csv';
import { splitRows } from '../../models/data/split';
import { tableFromRows, type Table } from '../../models/data/table';
import { modelToArtifacts } from '../../models/io/artifacts';
import { readExportFolder, writeExportFolder, type ExportBundle } from '../../models/io/export-folder';
import { checkPytorchReproducible, writePytorchExport } from '../../models/io/pytorch-export';
import { runSplitOf } from '../../models/io/run-split';
import type { PreprocessingSpec } from '../../models/prep/preprocessing';
import { trainModel } from '../../models/train/loop';
import { runConfigSchema, type RunConfig } from '../../shared/run-config';
import { moonsInput } from '../helpers/engine';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const RECIPE = join(ROOT, 'recipes/pytorch/train.py');
let bundle: ExportBundle;
let table: Table;
let dir: string;

beforeAll(async () => {
  await selectBackend('wasm');
  const result = await trainModel(moonsInput({ epochs: 1, model: { hidden: [4] } }));
  const preprocessing: PreprocessingSpec = {
    format: 'tickwork-preprocessing', version: 1, task: 'binary', target: 'label', inputs: ['x1', 'x2'],
    features: ['x1', 'x2'].map((name) => ({ name, kind: 'numeric' as const, impute: 'mean' as const, fill: 0, scaling: 'standard' as const, center: 0, scale: 1, mean: 0, std: 1 })),
    encoded: ['x1', 'x2'], labels: ['0', '1'], targetStats: null,
  };
  const rows = Array.from({ length: 20 }, (_, i) => [String(i / 10), String(1 - i / 20), String(i % 2)]);
  table = tableFromRows({ name: 'toy', source: 'bundled:toy', delimiter: '' }, ['x1', 'x2', 'label'], rows);
  const runConfig: RunConfig = runConfigSchema.parse({
    target: 'label', task: 'binary', features: ['x1', 'x2'], model: { hidden: [4] }, version: 1, epochs: 1, earlyStopping: null, batchSize: 16,
    dataset: { name: 'toy', source: 'bundled:toy', sha256: 'ab'.repeat(32), rows: 20 }, testSource: null,
  });
  const split = runSplitOf({ table, sha256: 'ab'.repeat(32) }, splitRows(Int32Array.from({ length: 20 }, (_, i) => i), { validation: 0.2, test: 0.2, seed: 3 }));
  bundle = { artifacts: await modelToArtifacts(result.model), preprocessing, runConfig, metrics: result.metrics, split };
  result.model.dispose();
  dir = await mkdtemp(join(tmpdir(), 'tickwork-pytorch-export-'));
});

describe('split.json', () => {
  it('lists the rows of each part; file lines only for a sample, where they differ from row + 2', () => {
    const s = bundle.split!;
    expect([s.train.length, s.validation.length, s.test.length]).toEqual([12, 4, 4]);
    expect(new Set([...s.train, ...s.validation, ...s.test]).size).toBe(20);
    expect(s).toMatchObject({ format: 'tickwork-split', tableRows: 20, fileRows: 20, lines: null, missingTokens: null });

    const big = Array.from({ length: 30 }, (_, i) => `${i},${i % 3}`).join('\n');
    const sampled = parseDelimited(`a,b\n${big}\n`, { name: 'big.csv', source: '/data/big.csv' }, { maxRows: 10, seed: 1 });
    expect(sampled.sample).not.toBeNull();
    const split = splitRows(Int32Array.from({ length: 10 }, (_, i) => i), { validation: 0.2, test: 0.2, seed: 1 });
    const record = runSplitOf({ table: sampled, sha256: 'cd'.repeat(32) }, split, ['NA']);
    expect(record).toMatchObject({ tableRows: 10, fileRows: 30, delimiter: ',', missingTokens: ['NA'] });
    expect(record.lines!.train).toEqual(Array.from(split.train, (r) => sampled.sample!.lines[r]));
    // The sampled row's line finds its record: line − 2 is the data record in the file.
    const r = split.train[0];
    expect(Number(sampled.columns[0].kind === 'number' ? sampled.columns[0].values[r] : NaN)).toBe(record.lines!.train[0] - 2);
  });

  it('is written with every export that knows it and read back; a damaged one is named', async () => {
    const out = join(dir, 'with-split');
    const { files } = await writeExportFolder(out, bundle);
    expect(files).toContain('split.json');
    expect((await readdir(out)).sort()).toContain('split.json');
    expect((await readExportFolder(out)).split).toEqual(bundle.split);
    const text = await readFile(join(out, 'split.json'), 'utf8');
    expect(text.split('\n')[1]).toBe('  "format": "tickwork-split",'); // one key per line, row lists inline
    await writeFile(join(out, 'split.json'), JSON.stringify({ format: 'tickwork-split', train: [1, -2] }));
    await expect(readExportFolder(out)).rejects.toThrow(/split\.json in .* is not a Tickwork split/);

    const without = join(dir, 'without-split');
    const written = await writeExportFolder(without, { ...bundle, split: null });
    expect(written.files).not.toContain('split.json');
    expect((await readExportFolder(without)).split).toBeNull();
  });
});

describe('tickwork export --format pytorch', () => {
  it('writes train.py as shipped, the run, its split, the model, data.csv for a bundled dataset, and a README with the commands', async () => {
    const out = join(dir, 'recipe');
    const { files } = await writePytorchExport(out, bundle, { recipeScript: RECIPE, bundledTable: table });
    expect((await readdir(out)).sort()).toEqual([...files].sort());
    expect(files.sort()).toEqual(['README.md', 'data.csv', 'metrics.json', 'model.json', 'model.onnx', 'preprocessing.json', 'run-config.json', 'split.json', 'train.py', 'weights.bin']);
    expect(await readFile(join(out, 'train.py'), 'utf8')).toBe(await readFile(RECIPE, 'utf8'));
    const csv = (await readFile(join(out, 'data.csv'), 'utf8')).trim().split('\n');
    expect(csv[0]).toBe('x1,x2,label');
    expect(csv).toHaveLength(21);
    expect(csv[3]).toBe('0.2,0.9,0');
    const readme = await readFile(join(out, 'README.md'), 'utf8');
    expect(readme).toContain('python3 train.py --data data.csv --out trained');
    expect(readme).toContain('RANK=1 LOCAL_RANK=1 python3 train.py');
    // Exporting again replaces its own earlier folder.
    await writePytorchExport(out, bundle, { recipeScript: RECIPE, bundledTable: table });
  });

  it('refuses, naming the part and why, what the recipe cannot rebuild', () => {
    expect(() => checkPytorchReproducible({ ...bundle, runConfig: null })).toThrow(/Cannot hand this model to PyTorch: run-config\.json is missing, so the run’s settings/);
    const nesterov = { ...bundle.runConfig!, optimizer: { name: 'sgd' as const, lr: 0.1, momentum: 0.9, dampening: 0.1, nesterov: true, weightDecay: 0 } };
    expect(() => checkPytorchReproducible({ ...bundle, runConfig: nesterov })).toThrow(/sgd with nesterov and dampening 0\.1\) is not one torch\.optim\.SGD runs/);
    const wider = { ...bundle.runConfig!, model: { ...bundle.runConfig!.model, hidden: [8] } };
    expect(() => checkPytorchReproducible({ ...bundle, runConfig: wider })).toThrow(
      /model\.json \(layers dense_1 \(Dense 4 relu\), output \(Dense 1 sigmoid\)\) is not the network its run-config\.json describes \(dense_1 \(Dense 8 relu\), output \(Dense 1 sigmoid\)\)/,
    );
    expect(() => checkPytorchReproducible(bundle)).not.toThrow();
  });

  it('never overwrites a folder that is not a Tickwork export, and leaves nothing behind when it refuses', async () => {
    const mine = join(dir, 'my-notes');
    await mkdir(mine);
    await writeFile(join(mine, 'notes.txt'), 'keep me');
    await expect(writePytorchExport(mine, bundle, { recipeScript: RECIPE })).rejects.toThrow(/already exists and is not a Tickwork export/);
    expect(await readdir(mine)).toEqual(['notes.txt']);
    const before = await readdir(dir);
    await expect(writePytorchExport(join(dir, 'never'), { ...bundle, runConfig: null }, { recipeScript: RECIPE })).rejects.toThrow(/Cannot hand/);
    await expect(writePytorchExport(join(dir, 'never'), bundle, { recipeScript: join(dir, 'missing.py') })).rejects.toThrow(/recipe template .* cannot be read/);
    expect(await readdir(dir)).toEqual(before);
  });
});
