/**
 * `tickwork export --model <dir|zip|run:ID> --format pytorch --out DIR`: the run as a PyTorch
 * training recipe (models/io/pytorch-export.ts). A folder or zip is read as it is; `run:ID` is the
 * model of a run in the workspace, exported by the service first. A run on a bundled dataset also
 * gets that dataset as data.csv.
 */
import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { TickworkError } from '../../shared/errors.js';
import { bundledTableOf } from '../../models/data/bundled.js';
import { readExportFolder, type ExportBundle } from '../../models/io/export-folder.js';
import { writePytorchExport } from '../../models/io/pytorch-export.js';
import { paths } from '../../service/runtime.js';
import { UsageError, type Flags } from '../flags.js';
import { withService } from '../session.js';
import { makeTempDir } from '../../service/temp-dirs.js';

async function bundleOf(model: string, values: Flags): Promise<ExportBundle> {
  if (!model.startsWith('run:')) return readExportFolder(resolve(model));
  const scratch = await makeTempDir('pytorch');
  try {
    await withService(values, async (api) => {
      const { modelId } = await api.loadModel({ dir: model });
      await api.exportModel({ modelId, dir: join(scratch, 'model') });
    });
    return await readExportFolder(join(scratch, 'model'));
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

export async function exportPytorch(values: Flags): Promise<void> {
  const get = (k: string) => values[k] as string | undefined;
  if (!get('model')) throw new UsageError('export needs --model <export folder, .zip or run:ID>');
  if (!get('out')) throw new UsageError('export needs --out <folder>');
  if (get('quantize') !== undefined && get('quantize') !== 'none') {
    throw new TickworkError('invalid_input', '--quantize does not apply to --format pytorch: the recipe trains in float32 (quantize its output with tickwork export).');
  }
  const bundle = await bundleOf(get('model')!, values);
  const source = bundle.runConfig?.dataset.source ?? '';
  const bundledTable = await bundledTableOf(source, paths.datasets());
  const written = await writePytorchExport(get('out')!, bundle, { recipeScript: paths.pytorchRecipe(), bundledTable, force: values.force === true });
  if (!bundle.split) {
    process.stderr.write("note: this model carries no split (an older export); train.py will split the data again with the run's seed and shares.\n");
  }
  if (values.json === true) {
    console.log(JSON.stringify({ format: 'pytorch', written: [written.dir], files: written.files }));
    return;
  }
  console.log(`exported pytorch: ${written.dir}`);
  console.log(`  train: cd ${written.dir} && python3 train.py --data ${source.startsWith('bundled:') ? 'data.csv' : source} --out trained   (see README.md)`);
}
