/**
 * The PyTorch recipe of a model the service holds (Predict & export → "PyTorch recipe"): the
 * run's train.py folder (models/io/pytorch-export.ts) written to a folder (desktop) or as a zip
 * (browser mode downloads it). A run on a bundled dataset gets that dataset as data.csv.
 */
import { resolve } from 'node:path';
import { TickworkError } from '../shared/errors.js';
import { bundledTableOf } from '../models/data/bundled.js';
import { writePytorchExport } from '../models/io/pytorch-export.js';
import type { ModelRegistry } from './model-registry.js';

export interface RecipeExportOptions {
  recipeScript: string;
  datasetsDir: string;
}

export async function exportRecipe(
  models: ModelRegistry,
  { modelId, dir, format, force }: { modelId: string; dir: string; format: 'folder' | 'zip'; force?: boolean },
  options: RecipeExportOptions,
): Promise<{ dir: string; files: string[] }> {
  const entry = await models.get(modelId);
  if (!entry.runConfig) {
    throw new TickworkError(
      'bad_data',
      "This model has no run settings with it (an export without run-config.json), so there is no run to write as a PyTorch recipe. Export it from the run that trained it.",
    );
  }
  const bundle = { artifacts: entry.artifacts, preprocessing: entry.preprocessing, runConfig: entry.runConfig, metrics: entry.info.metrics, split: entry.split ?? null };
  const bundledTable = await bundledTableOf(entry.runConfig.dataset.source, options.datasetsDir);
  return writePytorchExport(resolve(dir), bundle, { recipeScript: options.recipeScript, bundledTable, force, format });
}
