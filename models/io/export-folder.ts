/**
 * The export folder: everything needed to use a model without Tickwork.
 *
 *   model.json + weights.bin   tfjs Layers model (tf.loadLayersModel)
 *   preprocessing.json         how raw rows become the model's input (see prep/preprocessing.ts)
 *   run-config.json            the RunConfig that produced it
 *   metrics.json               train / validation / test metrics
 *   split.json                 the run's train / validation / test rows (see run-split.ts), when known
 *   README.md                  a short model card
 *
 * Written to a hidden staging sibling first, so a failure never leaves a half-written export; an
 * existing folder is only written into when it is an earlier Tickwork export (or empty), and the
 * user's other files in it are never touched (export-target.ts).
 */
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { zipSync } from 'fflate';
import type { QuantizationReport, SplitMetrics } from '../../shared/contract.js';
import { TickworkError } from '../../shared/errors.js';
import type { RunConfig } from '../../shared/run-config.js';
import { describeNetwork } from '../../shared/network.js';
import type { PreprocessingSpec } from '../prep/preprocessing.js';
import { typicalFromSpec } from '../prep/surface.js';
import { WEIGHTS_FILE, type ModelArtifactsData, type ModelJson } from './model-files.js';
import { buildOnnxModel, onnxTakesRawColumns } from './onnx-export.js';
import { storedBytes } from './quantize.js';
import { parseRunSplit, type RunSplit } from './run-split.js';
import { readModelZip } from './model-zip.js';
import { checkManifest, checkModel } from './model-check.js';
import { checkFileTarget, checkFolderTarget, moveIntoFolder, stagingPath, sweepStaging, type WriteOptions } from './export-target.js';

export interface ExportBundle {
  artifacts: ModelArtifactsData;
  preprocessing: PreprocessingSpec;
  runConfig: RunConfig | null;
  metrics: SplitMetrics | null;
  /** Set when the weights were quantized: what it cost on the test split. */
  quantization?: QuantizationReport | null;
  /** The run's train / validation / test rows, written as split.json (absent: a model from an older export). */
  split?: RunSplit | null;
}

/** What quantizing the weights cost (the contract's shape). */
export type { QuantizationReport };

export const EXPORT_FILES = ['model.json', WEIGHTS_FILE, 'model.onnx', 'preprocessing.json', 'run-config.json', 'metrics.json', 'README.md'];
/** Written next to EXPORT_FILES when the model knows its run's split. */
export const SPLIT_FILE = 'split.json';

/** How to feed model.onnx, recorded in preprocessing.json. */
export function onnxInputNote(spec: PreprocessingSpec) {
  const raw = onnxTakesRawColumns(spec);
  return {
    input: 'features',
    output: spec.task === 'regression' ? 'prediction' : 'probabilities',
    takes: raw ? 'raw' : 'encoded',
    columns: raw ? spec.inputs : spec.encoded,
    missing: raw ? 'NaN (imputed inside the graph)' : 'encode as described in "features"',
  };
}

function fmt(metrics: Record<string, number> | null | undefined): string {
  if (!metrics) return '—';
  return Object.entries(metrics)
    .map(([k, v]) => `${k} ${Number.isInteger(v) ? v : v.toFixed(4)}`)
    .join(', ');
}

/** A request row of typical training values (numbers as numbers), for the card's serving example and the scoring service. */
export function exampleRow(spec: PreprocessingSpec): Record<string, string | number | null> {
  const typical = typicalFromSpec(spec);
  const row: Record<string, string | number | null> = {};
  for (const f of spec.features) {
    const v = typical[f.name];
    row[f.name] = f.kind === 'numeric' && v !== null ? Number(v) : f.kind === 'datetime' ? '2024-01-31' : v;
  }
  return row;
}

/** The query of the run (or of a loaded export's preprocessing.json), or null. */
function exportQuery(bundle: ExportBundle): string | null {
  const fromSpec = (bundle.preprocessing as { query?: unknown }).query;
  return bundle.runConfig?.query ?? (typeof fromSpec === 'string' ? fromSpec : null);
}

export function modelCard(bundle: ExportBundle): string {
  const query = exportQuery(bundle);
  const { preprocessing: p, runConfig: c, metrics: m } = bundle;
  const lines = [
    `# Tickwork model — predicts \`${p.target}\` (${p.task})`,
    '',
    c ? `Trained on \`${c.dataset.name}\` (${c.dataset.rows} rows, sha256 ${c.dataset.sha256.slice(0, 12)}…).` : '',
    '',
    ...(query
      ? [
          '## Query',
          '',
          'The training table is the result of this SQL over the file (`data`); `tickwork predict` runs it on the rows to score first, so derived columns are computed the same way (other tools must do the same, e.g. with DuckDB):',
          '',
          '```sql',
          query,
          '```',
          '',
        ]
      : []),
    '## Inputs',
    '',
    ...p.features.map((f) => {
      switch (f.kind) {
        case 'numeric':
          return `- \`${f.name}\` numeric: missing → ${f.fill.toPrecision(6)} (${f.impute}), then (x − ${f.center.toPrecision(6)}) / ${f.scale.toPrecision(6)} (${f.scaling} scaling)`;
        case 'categorical':
          return (
            `- \`${f.name}\` categorical, one-hot over ${f.categories.length} categories` +
            (f.other ? ' plus "(other)" for rarer and unseen ones' : ' (unseen → all zeros)') +
            `; missing → ${f.fill === null ? 'all zeros' : `"${f.fill}"`}`
          );
        case 'boolean':
          return `- \`${f.name}\` boolean: ${f.trueValues.join('/')} → 1, otherwise 0; missing → ${f.fill.toPrecision(4)}`;
        case 'datetime':
          return `- \`${f.name}\` date: ${f.parts.map((q) => q.part).join(', ')} (UTC), each standardized; missing → 0`;
      }
    }),
    '',
    p.labels ? `Output: probabilities of ${p.labels.map((l) => `\`${l}\``).join(', ')}` +
      (p.task === 'binary' ? ` (the model's single sigmoid output is the probability of \`${p.labels[1] ?? p.labels[0]}\`).` : '.')
      : 'Output: the predicted value, in the target\'s own units.',
    '',
    '## Metrics',
    '',
    `- train: ${fmt(m?.train)}`,
    `- validation: ${fmt(m?.validation)}`,
    `- test: ${fmt(m?.test)}`,
    '',
    c ? `## Training\n\n${c.model.hidden.length === 0 ? 'A linear model (no hidden layers)' : `MLP ${describeNetwork(c.model)}`}, ${c.optimizer.name} (lr ${c.optimizer.lr}), ` +
      `${c.schedule.kind} schedule with ${c.schedule.warmupSteps} warmup steps, batch ${c.batchSize}, ${c.epochs} epochs, seed ${c.seed}.\n` : '',
    '## Scoring',
    '',
    'With Tickwork:',
    '',
    '```sh',
    'npx tickwork predict --model . --data new-rows.csv --out scored.csv',
    '```',
    '',
    'As an HTTP scoring service (prints its URL and a token; `--workers N`, `--port`, alerts: `tickwork serve-model --help`):',
    '',
    '```sh',
    'npx tickwork serve-model --model model=.     # prints "url: …" and "token: …"',
    'TOKEN=…                                      # the token it printed',
    'curl -s -H "Authorization: Bearer $TOKEN" -H \'content-type: application/json\' \\',
    `  -d '${JSON.stringify({ rows: [exampleRow(p)] }).replace(/'/g, "'\\''")}' \\`,
    '  http://127.0.0.1:8780/v1/models/model/predict',
    '```',
    '',
    `The answer holds, per row, the ${p.labels ? 'predicted label, the probability of each label' : 'predicted value'} and any warnings (unseen categories, values far outside the training range); \`GET /metrics\` reports requests, latency and each input's drift from the training data (PSI).`,
    '',
    onnxTakesRawColumns(p)
      ? `\`model.onnx\` takes the raw columns [${p.inputs.map((c) => `\`${c}\``).join(', ')}] as float32 (NaN for missing) and does the preprocessing itself.`
      : '`model.onnx` and the tfjs model take the encoded vector: build it as `preprocessing.json` describes (`features`, in the order of `encoded`).',
    '',
    'Python (onnxruntime):',
    '',
    '```python',
    'import numpy as np, onnxruntime as ort',
    'session = ort.InferenceSession("model.onnx")',
    `rows = np.array([[${(onnxTakesRawColumns(p) ? p.inputs : p.encoded).map(() => '0.0').join(', ')}]], dtype=np.float32)`,
    `print(session.run(None, {"features": rows})[0])  # ${p.labels ? `probabilities of ${p.labels.join(', ')}` : 'prediction'}`,
    '```',
    '',
    'Node (onnxruntime-node):',
    '',
    '```js',
    "const ort = require('onnxruntime-node');",
    "const session = await ort.InferenceSession.create('model.onnx');",
    `const features = new ort.Tensor('float32', Float32Array.from([${(onnxTakesRawColumns(p) ? p.inputs : p.encoded).map(() => '0').join(', ')}]), [1, ${(onnxTakesRawColumns(p) ? p.inputs : p.encoded).length}]);`,
    "console.log((await session.run({ features }))['" + (p.labels ? 'probabilities' : 'prediction') + "'].data);",
    '```',
    '',
    'Node (TensorFlow.js; input = the encoded vector):',
    '',
    '```js',
    "const tf = require('@tensorflow/tfjs-node');",
    "const model = await tf.loadLayersModel('file://path/to/this/folder/model.json');",
    'const output = model.predict(tf.tensor2d(encodedRows)).arraySync();',
    '```',
    '',
    'To a Keras file (Python, `pip install tensorflowjs`):',
    '',
    '```sh',
    'tensorflowjs_converter --input_format=tfjs_layers_model --output_format=keras model.json model.h5',
    '```',
    '',
  ];
  return lines.filter((l, i, all) => !(l === '' && all[i - 1] === '')).join('\n');
}

/** split.json with one key per line and each row list on one line (it can hold millions of row numbers). */
function splitJson(split: RunSplit): string {
  return `{\n${Object.entries(split).map(([key, value]) => `  ${JSON.stringify(key)}: ${JSON.stringify(value)}`).join(',\n')}\n}\n`;
}

/** The names a folder export writes (an earlier export's files that the new one replaces or removes). */
export const EXPORT_OWN_FILES: readonly string[] = [...EXPORT_FILES, SPLIT_FILE];

/**
 * Write an export folder. The target is new, empty, or an earlier Tickwork export (see
 * export-target.ts; `force` also writes into a folder with other files, which are kept). The files
 * are staged in a hidden sibling first: a new folder is renamed into place, an existing one gets
 * the staged files moved in one by one, so a failure never leaves a half-written new export and
 * never touches the user's other files.
 */
export async function writeExportFolder(
  target: string,
  bundle: ExportBundle,
  options: WriteOptions & { own?: readonly string[]; extra?: (staging: string) => Promise<string[]> } = {},
): Promise<{ dir: string; files: string[] }> {
  const dir = resolve(target);
  const parent = dirname(dir);
  const own = options.own ?? EXPORT_OWN_FILES;
  const state = await checkFolderTarget(dir, own, options);
  try {
    await mkdir(parent, { recursive: true });
  } catch (err) {
    throw new TickworkError('io', `Cannot export to ${dir}: ${(err as Error).message}. Choose a folder you can write to.`);
  }
  await sweepStaging(parent);
  const tmp = stagingPath(dir, 'tmp');
  const files = bundle.split ? [...EXPORT_FILES, SPLIT_FILE] : [...EXPORT_FILES];
  try {
    await mkdir(tmp);
    const json = (value: unknown) => JSON.stringify(value, null, 2) + '\n';
    await writeFile(join(tmp, 'model.json'), json(bundle.artifacts.modelJson));
    await writeFile(join(tmp, WEIGHTS_FILE), bundle.artifacts.weights);
    await writeFile(join(tmp, 'model.onnx'), buildOnnxModel(bundle.artifacts, bundle.preprocessing, `Tickwork model predicting ${bundle.preprocessing.target}`));
    // query: the SQL that shaped the training table; prediction runs it on new rows first (models/data/model-query.ts).
    await writeFile(join(tmp, 'preprocessing.json'), json({ ...bundle.preprocessing, query: exportQuery(bundle), onnx: onnxInputNote(bundle.preprocessing) }));
    await writeFile(join(tmp, 'run-config.json'), json(bundle.runConfig));
    await writeFile(join(tmp, 'metrics.json'), json(bundle.quantization ? { ...bundle.metrics, quantization: bundle.quantization } : bundle.metrics));
    if (bundle.split) await writeFile(join(tmp, SPLIT_FILE), splitJson(bundle.split));
    await writeFile(join(tmp, 'README.md'), modelCard(bundle));
    if (options.extra) for (const name of await options.extra(tmp)) if (!files.includes(name)) files.push(name);
    if (state === 'new') await rename(tmp, dir);
    else await moveIntoFolder(tmp, dir, own);
  } catch (err) {
    await rm(tmp, { recursive: true, force: true }).catch(() => undefined);
    if (err instanceof TickworkError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    const hint = code === 'ENOSPC' ? 'The disk is full; free some space or choose another location.' : 'Choose a folder you can write to.';
    throw new TickworkError('io', `Cannot export to ${dir}: ${(err as Error).message}. ${hint}`);
  }
  return { dir, files };
}

/** The files an export is read from (anything else in a folder or zip is left alone); history.jsonl: a run imported from train.py. */
const READ_FILES = new Set(['model.json', WEIGHTS_FILE, 'preprocessing.json', 'run-config.json', 'metrics.json', SPLIT_FILE, 'history.jsonl']);

/**
 * The files of an export, from a folder or a zip (files at its root or in one top folder). Only
 * regular files are read: a FIFO, a device or a socket is refused at once (reading one would
 * hang or never end). A zip is checked before it is inflated (model-zip.ts).
 */
export async function exportFiles(path: string): Promise<{ label: string; read(name: string): Promise<Uint8Array | null> }> {
  const info = await stat(path).catch(() => null);
  if (!info) throw new TickworkError('not_found', `Model not found: ${path}. Give the export folder (with model.json) or its .zip.`);
  if (info.isDirectory()) {
    return {
      label: path,
      read: async (name) => {
        const file = join(path, name);
        const kind = await stat(file).catch((err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? null : err));
        if (kind === null) return null;
        if (kind instanceof Error) throw new TickworkError('io', `Cannot read ${file}: ${kind.message}`);
        if (!kind.isFile()) throw new TickworkError('bad_data', `${file} is not a regular file (a folder, device, pipe or socket); a Tickwork export holds plain files. Export the model again.`);
        try {
          return new Uint8Array(await readFile(file));
        } catch (err) {
          throw new TickworkError('io', `Cannot read ${file}: ${(err as Error).message}`);
        }
      },
    };
  }
  if (!info.isFile()) throw new TickworkError('bad_data', `${path} is not a regular file or folder (a device, pipe or socket); give the export folder or its .zip.`);
  const byName = await readModelZip(path, (name) => READ_FILES.has(name));
  return { label: path, read: async (name) => byName.get(name) ?? null };
}

async function readJson(files: Awaited<ReturnType<typeof exportFiles>>, file: string, required: boolean): Promise<unknown> {
  const bytes = await files.read(file);
  if (!bytes) {
    if (!required) return null;
    throw new TickworkError('bad_data', `${files.label} is not a complete Tickwork export: ${file} is missing. Export the model again.`);
  }
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch (err) {
    throw new TickworkError('bad_data', `${file} in ${files.label} cannot be read: ${(err as Error).message}`);
  }
}

/** Read an export folder or its zip. */
export async function readExportFolder(path: string): Promise<ExportBundle> {
  const files = await exportFiles(path);
  const modelJson = (await readJson(files, 'model.json', true)) as ModelJson;
  if (modelJson?.format !== 'layers-model' || !Array.isArray(modelJson.weightsManifest)) {
    throw new TickworkError('bad_data', `model.json in ${files.label} is not a tfjs Layers model.`);
  }
  const preprocessing = (await readJson(files, 'preprocessing.json', true)) as PreprocessingSpec;
  if (preprocessing?.format !== 'tickwork-preprocessing') {
    throw new TickworkError('bad_data', `preprocessing.json in ${files.label} was not written by Tickwork; export the model from Tickwork.`);
  }
  const weights = await files.read(WEIGHTS_FILE);
  if (!weights) throw new TickworkError('bad_data', `${files.label} is not a complete Tickwork export: ${WEIGHTS_FILE} is missing. Export the model again.`);
  checkManifest(files.label, modelJson);
  const expected = modelJson.weightsManifest.flatMap((g) => g.weights).reduce((sum, w) => sum + storedBytes(w), 0);
  if (expected !== weights.byteLength) {
    throw new TickworkError(
      'bad_data',
      `${WEIGHTS_FILE} in ${files.label} has ${weights.byteLength} bytes but model.json describes ${expected}; the export is damaged. Export the model again.`,
    );
  }
  // Shapes against the topology, sizes, finite weights, labels against outputs, preprocessing against inputs.
  checkModel(files.label, { modelJson, weights }, preprocessing);
  const runConfig = (await readJson(files, 'run-config.json', false)) as RunConfig | null;
  const metrics = (await readJson(files, 'metrics.json', false)) as SplitMetrics | null;
  const splitJson = await readJson(files, SPLIT_FILE, false);
  const split = splitJson === null ? null : parseRunSplit(splitJson, files.label);
  return { artifacts: { modelJson, weights }, preprocessing, runConfig, metrics, split };
}

/** Write the export as a zip (files at the root), atomically; never over a file that is not a Tickwork zip unless forced. */
export async function writeExportZip(
  target: string,
  bundle: ExportBundle,
  options: WriteOptions & { extra?: (staging: string) => Promise<string[]> } = {},
): Promise<{ dir: string; files: string[] }> {
  const zipPath = resolve(target);
  await checkFileTarget(zipPath, 'zip', options);
  await mkdir(dirname(zipPath), { recursive: true }).catch(() => undefined);
  await sweepStaging(dirname(zipPath));
  const staging = stagingPath(zipPath, 'staging');
  const tmp = stagingPath(zipPath, 'tmp');
  try {
    const { files } = await writeExportFolder(staging, bundle, { extra: options.extra });
    const contents: Record<string, Uint8Array> = {};
    for (const file of files) contents[file] = new Uint8Array(await readFile(join(staging, file)));
    await writeFile(tmp, zipSync(contents));
    await rename(tmp, zipPath);
    return { dir: zipPath, files };
  } catch (err) {
    await rm(tmp, { force: true }).catch(() => undefined);
    if (err instanceof TickworkError) throw err;
    throw new TickworkError('io', `Cannot write ${zipPath}: ${(err as Error).message}. Choose a location you can write to.`);
  } finally {
    await rm(staging, { recursive: true, force: true }).catch(() => undefined);
  }
}
