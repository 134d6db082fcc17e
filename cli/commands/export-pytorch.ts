/**
 * `tickwork export --model <dir|zip> --format pytorch --out DIR`: the run as a PyTorch training
 * recipe (models/io/pytorch-export.ts). Works from the export folder alone; a run on a bundled
 * dataset also gets that dataset as data.csv.
 */
import { resolve } from 'node:path';
import { TickworkError } from '../../shared/errors.js';
import { loadBundled } from '../../models/data/bundled.js';
import { readExportFolder } from '../../models/io/export-folder.js';
import { writePytorchExport } from '../../models/io/pytorch-export.js';
import { paths } from '../../service/runtime.js';

export async function exportPytorch(options: { model: string; out: string; json: boolean; quantize?: string }): Promise<void> {
  if (options.quantize !== undefined && options.quantize !== 'none') {
    throw new TickworkError('invalid_input', '--quantize does not apply to --format pytorch: the recipe trains in float32 (quantize its output with tickwork export).');
  }
  const bundle = await readExportFolder(resolve(options.model));
  const source = bundle.runConfig?.dataset.source ?? '';
  const bundledTable = source.startsWith('bundled:') ? (await loadBundled(source.slice('bundled:'.length), paths.datasets())).table : null;
  const written = await writePytorchExport(options.out, bundle, { recipeScript: paths.pytorchRecipe(), bundledTable });
  if (!bundle.split) {
    process.stderr.write('note: this model carries no split (an older export); train.py will split the data again with the run\'s seed and shares.\n');
  }
  if (options.json) {
    console.log(JSON.stringify({ format: 'pytorch', written: [written.dir], files: written.files }));
    return;
  }
  console.log(`exported pytorch: ${written.dir}`);
  console.log(`  train: cd ${written.dir} && python3 train.py --data ${source.startsWith('bundled:') ? 'data.csv' : source} --out trained   (see README.md)`);
}

