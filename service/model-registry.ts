/**
 * The model registry: every model the service can predict with and export — the model a run
 * returned (or kept from its last checkpoint), and exported models loaded back. Each is written
 * into the workspace as an export folder (`models/<id>/`) and recorded there, so it survives a
 * restart; in memory it is held as plain artifacts (model.json + weights bytes), loaded from its
 * folder on first use. Predictions go to the worker pool.
 */
import { randomUUID } from 'node:crypto';
import { writeFile, rename, rm } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import Papa from 'papaparse';
import type { Metrics, ModelInfo, Prediction, QuantizationReport, RawRow, RequestParsedInput, SplitMetrics } from '../shared/contract.js';
import { TickworkError } from '../shared/errors.js';
import type { RunConfig } from '../shared/run-config.js';
import { inProcessReader, type DataReader } from './data-reader.js';
import { modelQuery, rowsForModel, scoringReadOptions } from '../models/data/model-query.js';
import { cell, tableFromRows, type Table } from '../models/data/table.js';
import { encodeFeatures, type PreprocessingSpec } from '../models/prep/preprocessing.js';
import { rangesFromSpec, typicalFromSpec } from '../models/prep/surface.js';
import { scoringWarnings } from '../models/prep/drift.js';
import { computeMetrics } from '../models/train/metrics.js';
import { decisionThreshold, predictionOf } from '../models/train/prediction.js';
import type { DataPart } from '../models/train/loop.js';
import type { ModelArtifactsData } from '../models/io/model-files.js';
import { readExportFolder, writeExportFolder, writeExportZip } from '../models/io/export-folder.js';
import type { RunSplit } from '../models/io/run-split.js';
import { quantizeArtifacts } from '../models/io/quantize.js';
import { checkFileTarget, stagingPath, sweepStaging } from '../models/io/export-target.js';
import type { EventBus } from './event-bus.js';
import type { WorkerPool } from './worker-pool.js';
import type { StoredModel, Workspace } from './workspace/workspace.js';

export interface ModelEntry {
  info: ModelInfo;
  artifacts: ModelArtifactsData;
  preprocessing: PreprocessingSpec;
  runConfig: RunConfig | null;
  /** The run's encoded test split (models trained here), to measure what quantization costs. */
  test: DataPart | null;
  /** The run's train / validation / test rows, written as split.json with every export. */
  split?: RunSplit | null;
}

/** What a run hands over when it has a model. */
export interface RunModel {
  runId: string;
  config: RunConfig;
  preprocessing: PreprocessingSpec;
  artifacts: ModelArtifactsData;
  metrics: SplitMetrics | null;
  /** Typical value per input (training medians / most frequent), for the what-if form. */
  typical: Record<string, string | null>;
  test: DataPart | null;
  /** Where the model came from, in words ("run …", "run …, checkpoint of epoch 3"). */
  source: string;
  split?: RunSplit | null;
}

/** Rows scored per worker round trip (and per progress event). */
const SCORING_CHUNK = 20000;

export class ModelRegistry {
  readonly #models = new Map<string, ModelEntry>();
  /** Model folders being written; the service waits for them before it shuts down. */
  readonly #saving = new Set<Promise<unknown>>();

  constructor(
    private readonly pool: WorkerPool,
    private readonly bus: EventBus,
    private readonly workspace: Workspace,
    private readonly reader: DataReader = inProcessReader,
  ) {}

  /** A file to score or explain, read as the model reads one (its query first), in the data worker when there is one. */
  async readForModel(input: string, entry: { preprocessing: { target: string }; runConfig: Pick<RunConfig, 'query'> | null | undefined }): Promise<Table> {
    return (await this.reader.load({ kind: 'file', path: resolve(input) }, '', scoringReadOptions(entry.preprocessing, entry.runConfig))).table;
  }

  /**
   * Register a run's model: usable at once; `saved` resolves when its export folder is written in
   * the workspace — with null, or with a sentence saying why it could not be (the model then stays
   * usable in this session, and a run's checkpoint stays in the workspace database).
   */
  registerRun(model: RunModel, kind: 'run' | 'checkpoint' | 'imported' = 'run'): { modelId: string; saved: Promise<string | null> } {
    const modelId = randomUUID();
    // A binary model carries the decision threshold chosen for its run.
    const preprocessing = model.config.task === 'binary' ? { ...model.preprocessing, threshold: model.config.threshold ?? 0.5 } : model.preprocessing;
    const entry: ModelEntry = {
      info: {
        modelId,
        runId: model.runId,
        task: model.config.task,
        target: model.config.target,
        inputs: preprocessing.inputs,
        typical: Object.fromEntries(preprocessing.inputs.map((name) => [name, model.typical[name] ?? null])),
        ranges: rangesFromSpec(preprocessing),
        labels: preprocessing.labels,
        ...decisionOf(preprocessing),
        metrics: model.metrics,
        source: model.source,
      },
      artifacts: model.artifacts,
      preprocessing,
      runConfig: model.config,
      test: model.test,
      split: model.split ?? null,
    };
    this.#models.set(modelId, entry);
    const saved = this.#save(entry, kind);
    this.#saving.add(saved);
    void saved.finally(() => this.#saving.delete(saved));
    return { modelId, saved };
  }

  /** Resolves when every model folder being written is written (or failed). */
  async settled(): Promise<void> {
    while (this.#saving.size > 0) await Promise.allSettled([...this.#saving]);
  }

  /** Write a model's export folder into the workspace and record it. */
  async #save(entry: ModelEntry, kind: StoredModel['kind']): Promise<string | null> {
    const dir = this.workspace.modelDir(entry.info.modelId);
    try {
      await writeExportFolder(dir, { artifacts: entry.artifacts, preprocessing: entry.preprocessing, runConfig: entry.runConfig, metrics: entry.info.metrics, split: entry.split });
      this.workspace.addModel({ id: entry.info.modelId, runId: entry.info.runId, kind, dir, info: entry.info });
      return null;
    } catch (err) {
      return `The model could not be saved in the workspace (${(err as Error).message}); it can still be used and exported in this session.`;
    }
  }

  /** A model by id: in memory, or loaded from its folder in the workspace. */
  async get(modelId: string): Promise<ModelEntry> {
    const known = this.#models.get(modelId);
    if (known) return known;
    const stored = this.workspace.model(modelId);
    if (!stored) throw new TickworkError('not_found', `No model with id ${modelId}. Train a run or load an exported model first.`);
    let bundle;
    try {
      bundle = await readExportFolder(stored.dir);
    } catch (err) {
      throw new TickworkError('not_found', `The files of model ${modelId} are missing or damaged in the workspace (${stored.dir}): ${(err as Error).message}`);
    }
    const entry: ModelEntry = { info: stored.info, artifacts: bundle.artifacts, preprocessing: bundle.preprocessing, runConfig: bundle.runConfig, test: null, split: bundle.split };
    this.#models.set(modelId, entry);
    return entry;
  }

  /** A binary model's decision threshold: kept in memory and in its workspace folder's preprocessing.json and model card. */
  async setThreshold(modelId: string, threshold: number): Promise<void> {
    const entry = await this.get(modelId);
    if (entry.preprocessing.task !== 'binary') throw new TickworkError('bad_data', 'A decision threshold is for binary models; this one is ' + entry.preprocessing.task + '.');
    entry.preprocessing = { ...entry.preprocessing, threshold };
    entry.info = { ...entry.info, ...decisionOf(entry.preprocessing) };
    if (entry.runConfig) entry.runConfig = { ...entry.runConfig, threshold };
    const stored = this.workspace.model(modelId);
    if (stored) {
      await writeExportFolder(stored.dir, { artifacts: entry.artifacts, preprocessing: entry.preprocessing, runConfig: entry.runConfig, metrics: entry.info.metrics });
      this.workspace.addModel({ ...stored, info: entry.info });
    }
  }

  /** Forget a model: from memory, the workers and the workspace (its folder too). */
  delete(modelId: string): void {
    this.#models.delete(modelId);
    this.pool.forget(modelId);
    this.workspace.deleteModel(modelId);
  }

  /** Load an export folder or zip; it is copied into the workspace. */
  async load({ dir }: RequestParsedInput<'model:load'>): Promise<ModelInfo> {
    const bundle = await readExportFolder(resolve(dir));
    const modelId = randomUUID();
    const info: ModelInfo = {
      modelId,
      runId: null,
      task: bundle.preprocessing.task,
      target: bundle.preprocessing.target,
      inputs: bundle.preprocessing.inputs,
      typical: typicalFromSpec(bundle.preprocessing),
      ranges: rangesFromSpec(bundle.preprocessing),
      labels: bundle.preprocessing.labels,
      ...decisionOf(bundle.preprocessing),
      metrics: bundle.metrics,
      source: resolve(dir),
    };
    const entry: ModelEntry = { info, artifacts: bundle.artifacts, preprocessing: bundle.preprocessing, runConfig: bundle.runConfig, test: null, split: bundle.split };
    this.#models.set(modelId, entry);
    await this.#save(entry, 'loaded');
    return info;
  }

  /** The model's raw outputs for encoded rows (row-major), from an idle worker. */
  async outputs(modelId: string, x: Float32Array, rows: number, cols: number): Promise<{ output: Float32Array; units: number }> {
    const entry = await this.get(modelId);
    return this.pool.request((worker) => worker.predict(entry.info.modelId, entry.artifacts, x, rows, cols));
  }

  /**
   * Predictions for every row of a table, in chunks of SCORING_CHUNK rows so that a large file
   * reports progress (`scoring:progress`) and the worker never holds all of it at once.
   */
  async predictTable(modelId: string, table: Table, progress?: { file: string }): Promise<Prediction[]> {
    const { preprocessing: spec } = await this.get(modelId);
    const threshold = decisionThreshold(spec);
    const predictions: Prediction[] = [];
    for (let start = 0; start < table.rowCount; start += SCORING_CHUNK) {
      const rows = Int32Array.from({ length: Math.min(SCORING_CHUNK, table.rowCount - start) }, (_, i) => start + i);
      const m = encodeFeatures(spec, table, rows);
      const { output, units } = await this.outputs(modelId, m.x, m.rows, m.cols);
      for (let r = 0; r < m.rows; r++) predictions.push(predictionOf(spec, output, r, units, threshold));
      if (progress) this.bus.emit('scoring:progress', { modelId, file: progress.file, done: predictions.length, total: table.rowCount });
    }
    return predictions;
  }

  async predict({ modelId, rows }: RequestParsedInput<'model:predict'>) {
    const entry = await this.get(modelId);
    const table = await rowsForModel(rows, entry.preprocessing.inputs, modelQuery(entry.preprocessing, entry.runConfig), rowsToTable, entry.preprocessing.target);
    return { predictions: await this.predictTable(modelId, table) };
  }

  async scoreFile({ modelId, input, output, force }: RequestParsedInput<'model:score-file'>) {
    // Checked before the work, and again just before the rename (the file may have appeared meanwhile).
    await checkFileTarget(resolve(output), 'csv', { force });
    const entry = await this.get(modelId);
    const table = await this.readForModel(input, entry);
    const warnings = scoringWarnings(entry.preprocessing, table);
    const predictions = await this.predictTable(modelId, table, { file: resolve(input) });
    const labels = entry.preprocessing.labels;
    const fields = [...table.columnNames, 'prediction', ...(labels ?? []).map((l) => `probability_${l}`)];
    const data = predictions.map((p, r) => [
      ...table.columns.map((col) => cell(col, r) ?? ''),
      String(p.prediction),
      ...(labels ?? []).map((l) => String(p.probabilities![l])),
    ]);
    const out = resolve(output);
    await sweepStaging(dirname(out));
    const tmp = stagingPath(out, 'tmp');
    try {
      await writeFile(tmp, Papa.unparse({ fields, data }, { newline: '\n' }) + '\n');
      await checkFileTarget(out, 'csv', { force });
      await rename(tmp, out);
    } catch (err) {
      await rm(tmp, { force: true }).catch(() => undefined);
      if (err instanceof TickworkError) throw err;
      throw new TickworkError('io', `Cannot write ${out}: ${(err as Error).message}. Choose a location you can write to.`);
    }
    return { rows: predictions.length, output: out, warnings };
  }

  async export({ modelId, dir, format, quantize, force }: RequestParsedInput<'model:export'>) {
    const entry = await this.get(modelId);
    let artifacts = entry.artifacts;
    let quantization: QuantizationReport | null = null;
    if (quantize !== 'none') {
      artifacts = quantizeArtifacts(entry.artifacts, quantize);
      quantization = {
        dtype: quantize,
        bytesBefore: entry.artifacts.weights.byteLength,
        bytesAfter: artifacts.weights.byteLength,
        testBefore: entry.info.metrics?.test ?? null,
        testAfter: entry.test ? await this.#evaluate(entry, artifacts, entry.test) : null,
      };
    }
    const bundle = { artifacts, preprocessing: entry.preprocessing, runConfig: entry.runConfig, metrics: entry.info.metrics, quantization, split: entry.split };
    let written;
    try {
      written = format === 'zip' ? await writeExportZip(dir, bundle, { force }) : await writeExportFolder(dir, bundle, { force });
    } catch (err) {
      // The model itself is untouched: say where it is kept.
      const stored = this.workspace.model(modelId);
      if (!(err instanceof TickworkError) || err.code !== 'io' || !stored || !this.workspace.recording) throw err;
      const again = entry.info.runId ? ` (tickwork export --model run:${entry.info.runId} --out <path>)` : '';
      throw new TickworkError('io', `${err.message} The model is still in the workspace (${stored.dir}); export it again to a location you can write to${again}.`);
    }
    return { ...written, quantization };
  }

  /** Metrics of (possibly quantized) weights on an encoded split, computed by a worker's forward pass. */
  async #evaluate(entry: ModelEntry, artifacts: ModelArtifactsData, part: DataPart): Promise<Metrics> {
    const tempId = `${entry.info.modelId}:eval:${randomUUID()}`;
    try {
      const { output, units } = await this.pool.request((worker) => worker.predict(tempId, artifacts, part.x, part.rows, part.cols));
      return computeMetrics(entry.info.task, output, part.y, units, entry.preprocessing.targetStats?.std ?? 1);
    } finally {
      this.pool.forget(tempId);
    }
  }
}

/** A binary model's positive class and decision threshold (null for other tasks). */
function decisionOf(spec: PreprocessingSpec): Pick<ModelInfo, 'positiveClass' | 'threshold'> {
  return spec.task === 'binary' && spec.labels ? { positiveClass: spec.labels[1], threshold: decisionThreshold(spec) } : { positiveClass: null, threshold: null };
}

/** Rows given as objects (what-if form, API) → a Table over the model's input columns. */
function rowsToTable(rows: RawRow[], inputs: string[]): Table {
  const missing = inputs.filter((name) => rows.some((row) => !(name in row)));
  if (missing.length > 0) {
    throw new TickworkError('bad_data', `Each row needs the model's input columns; missing: ${missing.join(', ')}.`);
  }
  const asText = (v: RawRow[string]) => (v === null || v === undefined ? '' : String(v));
  return tableFromRows(
    { name: 'rows', source: 'request', delimiter: '' },
    inputs,
    rows.map((row) => inputs.map((name) => asText(row[name]))),
  );
}
