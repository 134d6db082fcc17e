/** Small helpers to drive the engine in-process in tests. */
import { generateToy } from '../../models/data/toy';
import { profileTable } from '../../models/data/schema';
import { splitRows } from '../../models/data/split';
import { encodeFeatures, encodeTarget, fitPreprocessing, rowsWithTarget, type PreprocessingSpec } from '../../models/prep/preprocessing';
import { loopConfig, trainModel, type DataPart, type TrainInput } from '../../models/train/loop';
import { selectBackend } from '../../models/backend';
import { modelToArtifacts } from '../../models/io/artifacts';
import type { ExportBundle } from '../../models/io/export-folder';
import type { RunConfigInput } from '../../shared/run-config';
import { tableFromRows } from '../../models/data/table';
import { createRng, normal } from '../../models/random';

export function moonsInput(overrides: Partial<RunConfigInput> = {}): TrainInput {
  const table = generateToy('moons', { rows: 200, seed: 3 });
  const profiles = profileTable(table);
  const rows = rowsWithTarget(table, 'label');
  const split = splitRows(rows, { validation: 0.2, test: 0.2, seed: 1 });
  const spec = fitPreprocessing({ table, profiles, target: 'label', features: ['x1', 'x2'], task: 'binary', trainRows: split.train });
  const part = (r: Int32Array): DataPart => ({ ...encodeFeatures(spec, table, r), y: encodeTarget(spec, table, r) });
  const config = loopConfig({ epochs: 3, batchSize: 16, optimizer: { name: 'adam', lr: 0.01 }, ...overrides });
  return { config, task: 'binary', classes: 2, targetStats: null, train: part(split.train), validation: part(split.validation), test: part(split.test) };
}

/** y = 3·x1 − 2·x2 + 50 + noise: a regression whose target is far from 0 and not unit scale. */
export function linearRegressionInput(overrides: Partial<RunConfigInput> = {}): TrainInput {
  const rng = createRng(5);
  const data: string[][] = [];
  for (let i = 0; i < 300; i++) {
    const x1 = normal(rng);
    const x2 = normal(rng);
    data.push([x1.toFixed(4), x2.toFixed(4), (3 * x1 - 2 * x2 + 50 + 0.1 * normal(rng)).toFixed(4)]);
  }
  const table = tableFromRows({ name: 'lin', source: 'lin', delimiter: ',' }, ['x1', 'x2', 'y'], data);
  const rows = rowsWithTarget(table, 'y');
  const split = splitRows(rows, { validation: 0.2, test: 0.2, seed: 1 });
  const spec = fitPreprocessing({ table, profiles: profileTable(table), target: 'y', features: ['x1', 'x2'], task: 'regression', trainRows: split.train });
  const part = (r: Int32Array): DataPart => ({ ...encodeFeatures(spec, table, r), y: encodeTarget(spec, table, r) });
  const config = loopConfig({ epochs: 40, batchSize: 32, optimizer: { name: 'adam', lr: 0.01 }, model: { hidden: [16] }, ...overrides });
  return { config, task: 'regression', classes: 1, targetStats: spec.targetStats, train: part(split.train), validation: part(split.validation), test: part(split.test) };
}

/**
 * An export of a moons model trained for one epoch, with a hand-written preprocessing of its two
 * numeric inputs (what the export and model-loading tests write, damage and read back).
 */
export async function moonsBundle(overrides: Partial<RunConfigInput> = {}): Promise<ExportBundle> {
  await selectBackend('wasm');
  const result = await trainModel(moonsInput({ epochs: 1, ...overrides }));
  const preprocessing: PreprocessingSpec = {
    format: 'tickwork-preprocessing', version: 1, task: 'binary', target: 'label', inputs: ['x1', 'x2'],
    features: [
      { name: 'x1', kind: 'numeric', impute: 'mean', fill: 0, scaling: 'standard', center: 0, scale: 1, mean: 0, std: 1 },
      { name: 'x2', kind: 'numeric', impute: 'mean', fill: 0, scaling: 'standard', center: 0, scale: 1, mean: 0, std: 1 },
    ],
    encoded: ['x1', 'x2'], labels: ['0', '1'], targetStats: null,
  };
  const bundle = { artifacts: await modelToArtifacts(result.model), preprocessing, runConfig: null, metrics: result.metrics };
  result.model.dispose();
  return bundle;
}
