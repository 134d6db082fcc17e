/**
 * Which columns a model relies on, on a data file the user gives (`tickwork explain`,
 * `model:explain`): permutation importance per original input column, on the file's rows that
 * have a value for the target (a seeded sample of at most 10,000), several repeats with their
 * spread. The file goes through the model's query, if it has one, as in scoring.
 */
import { resolve } from 'node:path';
import type { Importance, RequestParsedInput } from '../shared/contract.js';
import { TickworkError } from '../shared/errors.js';
import { readTableFile } from '../models/data/read.js';
import { scoringReadOptions } from '../models/data/model-query.js';
import { columnIndex } from '../models/data/table.js';
import { encodeTarget, rowsWithTarget } from '../models/prep/preprocessing.js';
import { permutationImportance } from '../models/evaluation/permutation-importance.js';
import type { ModelRegistry } from './model-registry.js';

export async function explainModel(models: ModelRegistry, { modelId, input, target, repeats }: RequestParsedInput<'model:explain'>): Promise<Importance> {
  const entry = await models.get(modelId);
  const spec = entry.preprocessing;
  const { table } = await readTableFile(resolve(input), scoringReadOptions(spec, entry.runConfig));
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
