/**
 * The PyTorch hand-off: an export folder that is also a training recipe.
 *
 *   train.py                  reproduces the run with PyTorch (recipes/pytorch/train.py, copied as is)
 *   README.md                 the commands: one process, a GPU, torchrun, ranks launched by hand
 *   run-config.json           the run's settings          preprocessing.json   the fitted preprocessing
 *   split.json                the run's train / validation / test rows (see run-split.ts)
 *   model.json + weights.bin  the Tickwork model (for --init tickwork), model.onnx, metrics.json
 *   data.csv                  only for bundled datasets: the table, so the recipe runs as it is
 *
 * Before writing, the run is checked against what the recipe can rebuild; what it cannot is named
 * with the reason, and nothing is written. Written to a temporary sibling and renamed into place;
 * an existing folder is replaced only when it is empty or itself a Tickwork export.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import Papa from 'papaparse';
import { TickworkError } from '../../shared/errors.js';
import { outputActivation, outputUnits, resolveLayers } from '../../shared/network.js';
import { OPTIMIZER_NAMES } from '../../shared/optimizers.js';
import { ACTIVATIONS, SCHEDULE_KINDS } from '../../shared/run-config.js';
import { cell, type Table } from '../data/table.js';
import { EXPORT_OWN_FILES, writeExportFolder, writeExportZip, type ExportBundle } from './export-folder.js';
import { pytorchReadme } from './pytorch-readme.js';

export const RECIPE_SCRIPT = 'train.py';
export const BUNDLED_DATA_FILE = 'data.csv';

export interface PytorchExportOptions {
  /** The recipe template, recipes/pytorch/train.py (service/runtime.ts `paths.pytorchRecipe`). */
  recipeScript: string;
  /** A bundled dataset's table (the run's dataset source is `bundled:<name>`), written as data.csv. */
  bundledTable?: Table | null;
  /** Write into a folder that holds files Tickwork did not write (they are kept), or over a file that is not a Tickwork zip. */
  force?: boolean;
  /** A folder (default), or one zip of its files (browser mode's download). */
  format?: 'folder' | 'zip';
}

interface LayerConfig {
  class_name: string;
  config: { name: string; units?: number; activation?: string };
}

function cannot(part: string, why: string): never {
  throw new TickworkError('bad_data', `Cannot hand this model to PyTorch: ${part} ${why}`);
}

/**
 * Throws bad_data naming the first part of the run that train.py cannot rebuild, and why.
 * train.py checks the same on start (check_reproducible), for recipes edited by hand.
 */
export function checkPytorchReproducible(bundle: ExportBundle): void {
  const config = bundle.runConfig;
  if (!config) {
    cannot('run-config.json is missing,', 'so the run’s settings (optimizer, schedule, epochs, seed) are unknown. Export the model from the run that trained it.');
  }
  const optimizer = config.optimizer as { name: string; nesterov?: boolean; momentum?: number; dampening?: number };
  if (!(OPTIMIZER_NAMES as readonly string[]).includes(optimizer.name)) cannot(`the optimizer "${optimizer.name}"`, 'has no update rule in the recipe.');
  if (optimizer.name === 'sgd' && optimizer.nesterov && (optimizer.momentum ?? 0) > 0 && (optimizer.dampening ?? 0) > 0) {
    cannot(
      `the optimizer (sgd with nesterov and dampening ${optimizer.dampening})`,
      'is not one torch.optim.SGD runs: PyTorch refuses Nesterov momentum with dampening, and the recipe does not write that combination out. Train it with dampening 0 or without nesterov.',
    );
  }
  if (!(SCHEDULE_KINDS as readonly string[]).includes(config.schedule.kind)) cannot(`the schedule "${config.schedule.kind}"`, 'is not one the recipe computes.');
  const layers = resolveLayers(config.model);
  layers.forEach((layer, i) => {
    if (!(ACTIVATIONS as readonly string[]).includes(layer.activation)) cannot(`hidden layer ${i + 1}`, `has the activation "${layer.activation}", which the recipe does not build.`);
  });
  // model.json must be the network the run-config describes: the recipe builds that network, and
  // --init tickwork loads these weights into it.
  const classes = bundle.preprocessing.labels?.length ?? 1;
  const expected = layers.flatMap((layer, i) => [
    `dense_${i + 1} (Dense ${layer.units} ${layer.activation})`,
    ...(layer.batchNorm ? [`bn_${i + 1} (BatchNormalization)`] : []),
  ]);
  expected.push(`output (Dense ${outputUnits(config.task, classes)} ${outputActivation(config.task)})`);
  const topology = bundle.artifacts.modelJson.modelTopology as { config?: { layers?: LayerConfig[] } };
  const found = (topology.config?.layers ?? []).map((l) =>
    l.class_name === 'Dense' ? `${l.config.name} (Dense ${l.config.units} ${l.config.activation ?? 'linear'})` : `${l.config.name} (${l.class_name})`,
  );
  if (found.join(', ') !== expected.join(', ')) {
    cannot(
      `model.json (layers ${found.join(', ') || 'none'})`,
      `is not the network its run-config.json describes (${expected.join(', ')}); the recipe rebuilds only the run's network. Export the model from the run that trained it.`,
    );
  }
}

/** The rows of a table as CSV, numbers in the form Tickwork reads back to the same values. */
function tableCsv(table: Table): string {
  const rows = Array.from({ length: table.rowCount }, (_, r) => table.columns.map((c) => cell(c, r) ?? ''));
  return Papa.unparse({ fields: table.columnNames, data: rows }, { newline: '\n' }) + '\n';
}

export async function writePytorchExport(target: string, bundle: ExportBundle, options: PytorchExportOptions): Promise<{ dir: string; files: string[] }> {
  checkPytorchReproducible(bundle);
  let script: Buffer;
  try {
    script = await readFile(options.recipeScript);
  } catch (err) {
    throw new TickworkError('io', `The PyTorch recipe template ${options.recipeScript} cannot be read (${(err as Error).message}); reinstall Tickwork.`);
  }
  const bundled = bundle.runConfig!.dataset.source.startsWith('bundled:') && options.bundledTable ? options.bundledTable : null;
  const extra = async (staging: string) => {
    await writeFile(join(staging, RECIPE_SCRIPT), script, { mode: 0o755 });
    if (bundled) await writeFile(join(staging, BUNDLED_DATA_FILE), tableCsv(bundled));
    await writeFile(join(staging, 'README.md'), pytorchReadme(bundle, { dataFile: bundled ? BUNDLED_DATA_FILE : null }));
    return [RECIPE_SCRIPT, ...(bundled ? [BUNDLED_DATA_FILE] : [])];
  };
  if (options.format === 'zip') return writeExportZip(target, bundle, { force: options.force, extra });
  // An earlier recipe folder is replaced file by file; the user's files in it are never touched.
  return writeExportFolder(target, bundle, { force: options.force, own: [...EXPORT_OWN_FILES, RECIPE_SCRIPT, BUNDLED_DATA_FILE], extra });
}
