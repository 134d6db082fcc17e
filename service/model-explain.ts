/**
 * Which columns a model relies on, on a data file the user gives (`tickwork explain`,
 * `model:explain`): permutation importance per original input column, on the file's rows that
 * have a value for the target (a seeded sample of at most 10,000), several repeats with their
 * spread. The file goes through the model's query, if it has one, as in scoring.
 */
import type { Importance, RequestParsedInput } from '../shared/contract.js';
import { TickworkError } from '../shared/errors.js';
import { columnIndex } from '../models/data/table.js';
import { encodeTarget, rowsWithTarget } from '../models/prep/preprocessing.js';
import { permutationImportance } from '../models/evaluation/permutation-importance.js';
import type { ModelRegistry } from './model-registry.js';
import type { DatasetStore } from './datasets.js';
import type { RunRegistry } from './runs.js';
import { planRun, type RequestedConfig } from './run-planner.js';
import { partialDependence } from '../models/evaluation/partial-dependence.js';
import type { Table } from '../models/data/table.js';

export async function explainModel(models: ModelRegistry, { modelId, input, target, repeats }: RequestParsedInput<'model:explain'>): Promise<Importance> {
  const entry = await models.get(modelId);
  const spec = entry.preprocessing;
  const table = await models.readForModel(input, entry);
  const missing = spec.inputs.filter((name) => columnIndex(table, name) < 0);
  if (missing.length > 0) {
    throw new TickworkError('bad_data', `${table.name} lacks the model's input column(s) ${missing.join(', ')}. Give a file with every column the model was trained on.`);
  }
  const targetName = target ?? spec.target;
  if (columnIndex(table, targetName) < 0) {
    throw new TickworkError(
      'bad_data',
      `${table.name} has no target column "${targetName}"; importance needs the true values to measure how much worse the model gets. ${target ? 'Check --target.' : 'Give --target COLUMN if it is named differently.'}`,
    );
  }
  const rows = rowsWithTarget(table, targetName);
  if (rows.length < 2) throw new TickworkError('bad_data', `${table.name} has fewer than 2 rows with a value for "${targetName}".`);
  const y = encodeTarget({ labels: spec.labels, target: targetName }, table, rows);
  const result = await permutationImportance({
    spec,
    table,
    rows,
    y,
    predict: async (x, n, cols) => (await models.outputs(modelId, x, n, cols)).output,
    repeats,
    seed: entry.runConfig?.seed ?? 42,
    maxRows: 10_000,
  });
  return { ...result, importance: result.importance.map(({ column, mean, std }) => ({ column, mean, std })) };
}

/**
 * Rows to average partial dependence over: the run's training rows (its session in this process,
 * or the run re-planned on its dataset when that is open — the split is seeded, so the same rows);
 * else the rows of the dataset given, when it has the model's columns.
 */
async function rowsFor(
  deps: { models: ModelRegistry; runs: RunRegistry; datasets: DatasetStore },
  modelId: string,
  datasetId: string | undefined,
): Promise<{ table: Table; rows: Int32Array }> {
  const { info, preprocessing } = await deps.models.get(modelId);
  if (info.runId) {
    const session = deps.runs.sessionIfAny(info.runId);
    if (session) return session.trainingData;
    const run = deps.runs.get(info.runId);
    const entry = deps.datasets.find(run.datasetId);
    if (entry) return { table: entry.loaded.table, rows: planRun(entry, run.config as unknown as RequestedConfig, null).split.train };
  }
  const given = datasetId ? deps.datasets.find(datasetId) : null;
  if (given && preprocessing.inputs.every((name) => columnIndex(given.loaded.table, name) >= 0)) {
    return { table: given.loaded.table, rows: Int32Array.from({ length: given.loaded.table.rowCount }, (_, i) => i) };
  }
  throw new TickworkError(
    'bad_data',
    `Partial dependence averages the model over rows of its data: open the dataset it was trained on${info.runId ? ` (${deps.runs.get(info.runId).datasetName})` : ''} in the Data step, then ask again.`,
  );
}

export async function partialDependenceOf(
  deps: { models: ModelRegistry; runs: RunRegistry; datasets: DatasetStore },
  { modelId, column, datasetId }: RequestParsedInput<'model:partial-dependence'>,
) {
  const { preprocessing, runConfig } = await deps.models.get(modelId);
  if (!preprocessing.inputs.includes(column)) {
    throw new TickworkError('bad_data', `"${column}" is not an input of this model (its inputs: ${preprocessing.inputs.join(', ')}).`);
  }
  const { table, rows } = await rowsFor(deps, modelId, datasetId);
  return partialDependence({
    spec: preprocessing,
    table,
    rows,
    column,
    predict: async (x, n, cols) => (await deps.models.outputs(modelId, x, n, cols)).output,
    seed: runConfig?.seed ?? 42,
  });
}
