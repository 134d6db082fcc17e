/**
 * The PyTorch recipe of a model the service holds (Predict & export → "PyTorch recipe"): the
 * run's train.py folder (models/io/pytorch-export.ts) written to a folder (desktop) or as a zip
 * (browser mode downloads it). A run on a bundled dataset gets that dataset as data.csv.
 */
import { readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { zipSync } from 'fflate';
import { TickworkError } from '../shared/errors.js';
import { loadBundled } from '../models/data/bundled.js';
import { writePytorchExport } from '../models/io/pytorch-export.js';
import { checkFileTarget, stagingPath } from '../models/io/export-target.js';
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
  const source = entry.runConfig.dataset.source;
  const bundledTable = source.startsWith('bundled:') ? (await loadBundled(source.slice('bundled:'.length), options.datasetsDir)).table : null;
  const target = resolve(dir);
  if (format === 'folder') return writePytorchExport(target, bundle, { recipeScript: options.recipeScript, bundledTable, force });
  // A zip: only over an earlier Tickwork zip (or forced); the folder is written beside it, packed, then
  // removed, and the zip appears whole or not at all.
  await checkFileTarget(target, 'zip', { force });
  const staging = stagingPath(target, 'recipe');
  const tmp = stagingPath(target, 'zip');
  try {
    const written = await writePytorchExport(staging, bundle, { recipeScript: options.recipeScript, bundledTable });
    const names = await readdir(written.dir);
    const contents: Record<string, Uint8Array> = {};
    for (const name of names) contents[name] = new Uint8Array(await readFile(join(written.dir, name)));
    await writeFile(tmp, zipSync(contents));
    await rename(tmp, target);
    return { dir: target, files: names };
  } finally {
    await rm(staging, { recursive: true, force: true });
    await rm(tmp, { force: true });
  }
}
