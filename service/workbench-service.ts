/**
 * The WorkbenchService: transport-agnostic plain Node code that implements the contract.
 * It owns datasets, runs, the model registry and the training worker's lifecycle, and is
 * served over Electron IPC, over a WebSocket (browser mode) and from the CLI.
 *
 * No tfjs here: data preparation is plain JavaScript, training and prediction happen in the
 * worker, and a trained model is held as plain artifacts (model.json + weights bytes).
 */
import { randomUUID } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { writeFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import Papa from 'papaparse';
import type {
  DatasetSource,
  DatasetSummary,
  EventChannel,
  EventPayload,
  ModelInfo,
  Prediction,
  RawRow,
  RequestHandlers,
  RequestParsedInput,
  RunPlan,
  RunResults,
  RunSummary,
  SplitMetrics,
  Metrics,
} from '../shared/contract.js';
import { usesColumn } from '../shared/columns.js';
import { TickworkError } from '../shared/errors.js';
import { earlyStoppingSchema, type ClassWeightsConfig, type RunConfig } from '../shared/run-config.js';
import { optimizerConfigSchema } from '../shared/optimizers.js';
import { findBundled, listBundled, loadBundled } from '../models/data/bundled.js';
import { DEFAULT_MAX_ROWS, readTableFile, type LoadedFile, type ReadOptions } from '../models/data/read.js';
import { detectTask, isNumericType, profileTable, toSummary, type ColumnProfile } from '../models/data/schema.js';
import { defaultIgnored, runDoctor } from '../models/data/doctor.js';
import { splitRows } from '../models/data/split.js';
import { cell, lineOf, tableFromRows, columnIndex, type Table } from '../models/data/table.js';
import {
  assertNumericClean,
  encodeFeatures,
  encodeTarget,
  classLabels,
  fitPreprocessing,
  rowsWithTarget,
  type PreprocessingSpec,
} from '../models/prep/preprocessing.js';
import { argmax, computeMetrics, rowProbabilities } from '../models/train/metrics.js';
import type { DataPart } from '../models/train/loop.js';
import { AUTO_EPOCHS, MAX_TRAIN_EVAL_ROWS, autoEpochs, planSteps } from '../models/train/plan.js';
import type { ResultRow, Results } from '../models/train/results.js';
import { buildSurfaceGrid, defaultSurfaceAxes, surfaceBasis, surfaceColumns, surfaceValues, typicalFromSpec, rangesFromSpec, type SurfaceBasis, type SurfaceGrid } from '../models/prep/surface.js';
import { outputUnits, summarizeNetwork } from '../shared/network.js';
import type { ModelArtifactsData } from '../models/io/model-files.js';
import { readExportFolder, writeExportFolder, writeExportZip, type QuantizationReport } from '../models/io/export-folder.js';
import { runSplitOf, type RunSplit } from '../models/io/run-split.js';
import { quantizeArtifacts } from '../models/io/quantize.js';
import { scoringWarnings } from '../models/prep/drift.js';
import { TrainingWorkerHost } from './training-worker-host.js';
import type { TrainRequest, WorkerLauncher } from './worker-protocol.js';
import type { BackendPreference } from '../shared/run-config.js';

export interface WorkbenchOptions {
  version: string;
  /** Folder with the bundled dataset files (iris.csv). */
  datasetsDir: string;
  launchWorker: WorkerLauncher;
  backend?: BackendPreference;
}

interface DatasetEntry {
  id: string;
  loaded: LoadedFile;
  profiles: ColumnProfile[];
  summary: DatasetSummary;
  missingTokens?: readonly string[];
}

interface PlannedRun {
  entry: DatasetEntry;
  config: RunConfig;
  preprocessing: PreprocessingSpec;
  split: ReturnType<typeof splitRows>;
  testLoaded: LoadedFile | null;
}

interface PreparedRun {
  entry: DatasetEntry;
  config: RunConfig;
  preprocessing: PreprocessingSpec;
  request: Omit<TrainRequest, 'type' | 'runId'>;
  split: PlannedRun['split'];
  /** Table rows of the split the Results view is computed on, in order (null: not traceable). */
  resultRows: Int32Array | null;
  /** What the decision surface needs from the training rows, to draw any two numeric inputs. */
  surfaceBasis: SurfaceBasis;
  /** The decision-surface grid scored while training (null: none, e.g. fewer than two numeric inputs). */
  surface: SurfaceGrid | null;
}

/** What a run needs to draw its decision surface over any two of its numeric inputs. */
interface RunSurface {
  table: Table;
  basis: SurfaceBasis;
  preprocessing: PreprocessingSpec;
  grid: SurfaceGrid | null;
}

interface ModelEntry {
  info: ModelInfo;
  artifacts: ModelArtifactsData;
  preprocessing: PreprocessingSpec;
  runConfig: RunConfig | null;
  /** The run's encoded test split (models trained here), to measure what quantization costs. */
  test: DataPart | null;
  split?: RunSplit | null;
}

type Listener<C extends EventChannel> = (payload: EventPayload<C>) => void;

const PREVIEW_ROWS = 50;
const DEFAULT_BATCH_SIZE = 32;
/** Rows scored per worker round trip (and per progress event). */
const SCORING_CHUNK = 20000;
/** More classes than this is almost always an identifier or a free-text column chosen by mistake. */
const MAX_CLASSES = 100;
/** Results views (confusion matrix, curves, predictions) go out at most this often; epochs can be much faster. */
const RESULTS_INTERVAL_MS = 1000;

export class WorkbenchService implements RequestHandlers {
  private readonly datasets = new Map<string, DatasetEntry>();
  private readonly runs = new Map<string, RunSummary>();
  private readonly models = new Map<string, ModelEntry>();
  private readonly listeners = new Map<EventChannel, Set<Listener<never>>>();
  private readonly worker: TrainingWorkerHost;
  private readonly activeRuns = new Set<string>();
  private readonly surfaces = new Map<string, RunSurface>();
  /** Extra workers for races (the first worker is `worker`). */
  private readonly pool: TrainingWorkerHost[] = [];
  private readonly workerOf = new Map<string, TrainingWorkerHost>();

  constructor(private readonly options: WorkbenchOptions) {
    this.worker = new TrainingWorkerHost(options.launchWorker, options.backend ?? 'auto');
  }

  // ------------------------------------------------------------ events

  on<C extends EventChannel>(channel: C, listener: Listener<C>): () => void {
    let set = this.listeners.get(channel);
    if (!set) this.listeners.set(channel, (set = new Set()));
    set.add(listener as Listener<never>);
    return () => set!.delete(listener as Listener<never>);
  }

  private emit<C extends EventChannel>(channel: C, payload: EventPayload<C>): void {
    for (const listener of this.listeners.get(channel) ?? []) (listener as Listener<C>)(payload);
  }

  // ------------------------------------------------------------ app

  async 'app:info'(): Promise<RequestOutputOf<'app:info'>> {
    return { version: this.options.version, backend: await this.worker.ready() };
  }

  // ------------------------------------------------------------ datasets

  async 'dataset:list'() {
    return listBundled();
  }

  private async load(source: DatasetSource, options: ReadOptions = {}): Promise<LoadedFile> {
    if (source.kind === 'bundled') return loadBundled(source.name, this.options.datasetsDir);
    return readTableFile(resolve(source.path), { sheet: source.sheet, ...options });
  }

  /** The dataset file being read, if any: dataset:cancel aborts it. */
  private opening: AbortController | null = null;

  async 'dataset:open'({ source, options }: RequestParsedInput<'dataset:open'>): Promise<DatasetSummary> {
    if (this.opening) throw new TickworkError('busy', 'Another dataset is being read. Wait for it, or cancel it, first.');
    const controller = new AbortController();
    this.opening = controller;
    const file = source.kind === 'file' ? resolve(source.path) : source.name;
    let lastEmit = 0;
    let loaded: LoadedFile;
    try {
      loaded = await this.load(source, {
        ...options,
        signal: controller.signal,
        onProgress: (p) => {
          const now = Date.now();
          if (now - lastEmit < 100 && p.bytes < p.totalBytes) return; // at most ~10 events/s
          lastEmit = now;
          this.emit('dataset:progress', { file, ...p });
        },
      });
    } finally {
      this.opening = null;
    }
    const profiles = profileTable(loaded.table);
    const id = randomUUID();
    const { table } = loaded;
    const suggestedTarget =
      (source.kind === 'bundled' ? findBundled(source.name)?.target : undefined) ?? table.columnNames[table.columnNames.length - 1];
    const targetProfile = profiles[columnIndex(table, suggestedTarget)];
    // Which columns a run leaves out by default does not depend on the target (the target is never an input).
    const leftOut = defaultIgnored(profiles, table.rowCount, '');
    const preview: (string | null)[][] = [];
    for (let r = 0; r < Math.min(PREVIEW_ROWS, table.rowCount); r++) preview.push(table.columns.map((col) => cell(col, r)));
    const summary: DatasetSummary = {
      id,
      name: table.name,
      source: table.source,
      sha256: loaded.sha256,
      rows: table.rowCount,
      delimiter: table.delimiter,
      columns: profiles.map((p) => toSummary(p, leftOut.get(p.name) ?? null)),
      preview,
      sample: table.sample ? { totalRows: table.sample.totalRows, maxRows: options?.maxRows ?? DEFAULT_MAX_ROWS } : null,
      suggestedTarget,
      suggestedTask: targetProfile ? detectTask(targetProfile) : null,
      findings: runDoctor(table, profiles, { target: suggestedTarget }),
    };
    this.datasets.set(id, { id, loaded, profiles, summary, missingTokens: options?.missingTokens });
    return summary;
  }

  async 'dataset:cancel'() {
    const controller = this.opening;
    controller?.abort();
    return { cancelled: controller !== null };
  }

  async 'dataset:rows'({ datasetId, offset, limit }: RequestParsedInput<'dataset:rows'>) {
    const { table } = this.dataset(datasetId).loaded;
    const end = Math.min(table.rowCount, offset + limit);
    const rows: (string | null)[][] = [];
    const lines: number[] = [];
    for (let r = offset; r < end; r++) {
      rows.push(table.columns.map((col) => cell(col, r)));
      lines.push(lineOf(table, r));
    }
    return { offset, rows, lines };
  }

  private dataset(datasetId: string): DatasetEntry {
    const entry = this.datasets.get(datasetId);
    if (!entry) throw new TickworkError('not_found', `No open dataset with id ${datasetId}. Open the dataset again.`);
    return entry;
  }

  async 'dataset:check'({ datasetId, target, features }: RequestParsedInput<'dataset:check'>) {
    const entry = this.dataset(datasetId);
    return runDoctor(entry.loaded.table, entry.profiles, { target: target ?? null, features });
  }

  async 'dataset:describe'({ datasetId }: RequestParsedInput<'dataset:describe'>) {
    return this.dataset(datasetId).summary;
  }

  // ------------------------------------------------------------ training

  /** Resolve a requested run against a dataset: features, task, checks. Throws bad_data with a plain message. */
  private resolveConfig(entry: DatasetEntry, input: RequestParsedInput<'training:start'>, testSource: string | null): RunConfig {
    const { table } = entry.loaded;
    const { config } = input;
    const t = columnIndex(table, config.target);
    if (t < 0) {
      throw new TickworkError(
        'bad_data',
        `${table.name} has no column "${config.target}". Columns: ${table.columnNames.join(', ')}.`,
      );
    }
    // Without an explicit choice, identifiers and constant columns are left out (the doctor says so).
    // Per-column roles adjust that default: "feature" keeps a column the check would leave out.
    const roles = config.preprocessing?.columns ?? {};
    const unknownRoles = Object.keys(roles).filter((name) => columnIndex(table, name) < 0);
    if (unknownRoles.length > 0) {
      throw new TickworkError('bad_data', `Column choices name column(s) ${table.name} does not have: ${unknownRoles.join(', ')}.`);
    }
    const ignored = defaultIgnored(entry.profiles, table.rowCount, config.target);
    const features =
      config.features ??
      table.columnNames.filter((name) => name !== config.target && usesColumn(roles[name]?.role, ignored.has(name)));
    const unknown = features.filter((f) => columnIndex(table, f) < 0);
    if (unknown.length > 0) throw new TickworkError('bad_data', `${table.name} has no column(s) ${unknown.join(', ')}.`);
    if (features.includes(config.target)) {
      throw new TickworkError('bad_data', `The target "${config.target}" cannot also be a feature.`);
    }
    if (features.length === 0) {
      throw new TickworkError(
        'bad_data',
        `${table.name} has no usable feature columns besides the target${ignored.size > 0 ? ` (left out: ${[...ignored].map(([c, why]) => `${c}, ${why}`).join('; ')})` : ''}. ` +
          `Set a column's role to "feature" to use it anyway.`,
      );
    }
    const targetProfile = entry.profiles[t];
    const task = config.task ?? detectTask(targetProfile);
    for (const f of features) if (roles[f]?.treatAs !== 'categorical') assertNumericClean(entry.profiles[columnIndex(table, f)], table.name);
    if (task === 'regression') {
      if (!isNumericType(targetProfile.type)) {
        throw new TickworkError(
          'bad_data',
          `The target "${config.target}" is not numeric, so it cannot be predicted as a regression. Choose binary or multiclass.`,
        );
      }
      assertNumericClean(targetProfile, table.name);
    } else {
      const classes = targetProfile.distinct;
      if (classes < 2) {
        throw new TickworkError('bad_data', `The target "${config.target}" has only one class; there is nothing to learn. Choose another target.`);
      }
      if (task === 'binary' && classes > 2) {
        throw new TickworkError('bad_data', `The target "${config.target}" has ${classes} classes; binary needs 2. Choose multiclass.`);
      }
      if (classes > MAX_CLASSES) {
        throw new TickworkError(
          'bad_data',
          `The target "${config.target}" has ${classes} distinct values — too many classes (max ${MAX_CLASSES}). ` +
            `If it is a number to predict, choose regression.`,
        );
      }
    }
    return {
      ...config,
      version: 1,
      task,
      features,
      batchSize: config.batchSize ?? DEFAULT_BATCH_SIZE,
      epochs: config.epochs ?? AUTO_EPOCHS.min, // resolved from the training rows in prepare()
      earlyStopping: config.earlyStopping ?? null,
      dataset: { name: table.name, source: table.source, sha256: entry.loaded.sha256, rows: table.rowCount },
      testSource,
    };
  }

  /**
   * A run before any data is encoded: the resolved config (batch size, epochs and early stopping
   * filled in), the split, and the preprocessing fitted on the training rows. Throws bad_data
   * with a plain message.
   */
  private async plan(input: RequestParsedInput<'training:start'>): Promise<PlannedRun> {
    const entry = this.dataset(input.datasetId);
    const testLoaded = input.testSource ? await this.load(input.testSource) : null;
    const config = this.resolveConfig(entry, input, testLoaded ? testLoaded.table.source : null);
    const { table } = entry.loaded;

    // Rows, split and preprocessing (fitted on the training rows only).
    const usable = rowsWithTarget(table, config.target);
    if (usable.length < 2) throw new TickworkError('bad_data', `Fewer than 2 rows have a value for "${config.target}".`);
    const labels = config.task === 'regression' ? null : classLabels(table, config.target);
    const strata = labels && config.split.stratify ? encodeTarget({ labels, target: config.target }, table, usable) : undefined;
    const split = splitRows(usable, {
      validation: config.split.validation,
      test: testLoaded ? 0 : config.split.test,
      seed: config.seed,
      strata,
    });
    const preprocessing = fitPreprocessing({
      table,
      profiles: entry.profiles,
      target: config.target,
      features: config.features,
      task: config.task,
      trainRows: split.train,
      preprocessing: config.preprocessing,
    });

    if (input.config.batchSize === undefined) config.batchSize = Math.min(DEFAULT_BATCH_SIZE, split.train.length);
    if (input.config.epochs === undefined) config.epochs = autoEpochs(config, split.train.length);
    if (input.config.earlyStopping === undefined) config.earlyStopping = split.validation.length > 0 ? earlyStoppingSchema.parse({}) : null;
    const { batchSize, totalSteps } = planSteps(config, split.train.length);
    if (config.batchSize > split.train.length) {
      throw new TickworkError(
        'bad_data',
        `batchSize ${config.batchSize} is larger than the ${split.train.length} training rows. Use a batch size of at most ${split.train.length}.`,
      );
    }
    if (config.schedule.warmupSteps >= totalSteps) {
      throw new TickworkError(
        'bad_data',
        `warmupSteps ${config.schedule.warmupSteps} is not shorter than the whole run (${totalSteps} steps = ${config.epochs} epochs × ` +
          `${totalSteps / config.epochs} steps of batch ${batchSize}). Use fewer warmup steps or more epochs.`,
      );
    }
    return { entry, config, preprocessing, split, testLoaded };
  }

  /** Everything a run needs before the worker sees it: the plan, the encoded parts and class weights. */
  private async prepare(input: RequestParsedInput<'training:start'>): Promise<PreparedRun> {
    const { entry, config, preprocessing, split, testLoaded } = await this.plan(input);
    const { table } = entry.loaded;
    const part = (t: Table, rows: Int32Array): DataPart => {
      const m = encodeFeatures(preprocessing, t, rows);
      return { x: m.x, rows: m.rows, cols: m.cols, y: encodeTarget(preprocessing, t, rows) };
    };
    let test: DataPart | null = split.test.length > 0 ? part(table, split.test) : null;
    if (testLoaded) {
      // encodeFeatures names any missing column or non-numeric cell of the test file.
      test = part(testLoaded.table, rowsWithTarget(testLoaded.table, config.target));
    }
    const request: Omit<TrainRequest, 'type' | 'runId'> = {
      config,
      task: config.task,
      classes: preprocessing.labels?.length ?? 1,
      targetStats: preprocessing.targetStats,
      classWeights: resolveClassWeights(config.classWeights, preprocessing, table, split.train),
      train: part(table, split.train),
      validation: split.validation.length > 0 ? part(table, split.validation) : null,
      test,
    };
    // The loop computes results on the validation rows, else on the training rows (subsampled past MAX_TRAIN_EVAL_ROWS).
    const resultRows = split.validation.length > 0 ? split.validation : split.train.length <= MAX_TRAIN_EVAL_ROWS ? split.train : null;
    const axes = input.surface ?? defaultSurfaceAxes(preprocessing);
    const basis = surfaceBasis(preprocessing, table, split.train);
    const surface = axes ? buildSurfaceGrid(preprocessing, table, basis, axes) : null;
    return { entry, config, preprocessing, request, split, resultRows, surfaceBasis: basis, surface };
  }

  async 'training:plan'(input: RequestParsedInput<'training:plan'>): Promise<RunPlan> {
    const { config, preprocessing, split, testLoaded } = await this.plan(input);
    const { stepsPerEpoch, totalSteps } = planSteps(config, split.train.length);
    const classes = preprocessing.labels?.length ?? 1;
    return {
      task: config.task,
      features: config.features,
      inputs: preprocessing.encoded,
      labels: preprocessing.labels,
      network: summarizeNetwork(config.model, config.task, preprocessing.encoded.length, classes),
      rows: {
        train: split.train.length,
        validation: split.validation.length,
        test: testLoaded ? rowsWithTarget(testLoaded.table, config.target).length : split.test.length,
      },
      batchSize: config.batchSize,
      epochs: config.epochs,
      stepsPerEpoch,
      totalSteps,
    };
  }

  async 'training:lr-find'({ minLr, maxLr, steps, ...input }: RequestParsedInput<'training:lr-find'>) {
    if (this.activeRuns.size > 0) throw new TickworkError('busy', 'A run is training. The LR finder can run when it has finished.');
    const prepared = await this.prepare(input);
    return this.worker.findLearningRate(prepared.request, { minLr, maxLr, steps });
  }

  private assertIdle(): void {
    if (this.activeRuns.size === 0) return;
    const racing = [...this.activeRuns].filter((id) => this.runs.get(id)?.raceId).length;
    throw new TickworkError(
      'busy',
      racing > 0
        ? `A race is still training (${racing} run${racing === 1 ? '' : 's'}). Stop it (Compare → Stop race), or wait for it to finish, before starting another run.`
        : 'A run is already training. Stop it, or wait for it to finish, before starting another.',
    );
  }

  async 'training:start'(input: RequestParsedInput<'training:start'>) {
    this.assertIdle();
    const prepared = await this.prepare(input);
    this.assertIdle();
    return { runId: await this.launch(prepared, this.worker, null) };
  }

  /**
   * An optimizer race: the same data, split, initial weights and batch order (one seed), one run
   * per optimizer, spread over up to (cores − 1) workers; runs sharing a worker interleave step by step.
   */
  async 'race:start'({ datasetId, config, optimizers, testSource }: RequestParsedInput<'race:start'>) {
    this.assertIdle();
    // The runs differ only in their optimizer: the split, preprocessing, encoded parts and surface
    // basis are computed once and shared (read-only; messages to the workers are copies).
    const first = await this.prepare({ datasetId, config: { ...config, optimizer: optimizers[0] }, testSource });
    const prepared: PreparedRun[] = optimizers.map((optimizer, i) => {
      if (i === 0) return first;
      const own = { ...first.config, optimizer };
      return { ...first, config: own, request: { ...first.request, config: own } };
    });
    this.assertIdle();
    const raceId = randomUUID();
    const size = Math.max(1, Math.min(optimizers.length, availableParallelism() - 1));
    while (this.pool.length < size) this.pool.push(new TrainingWorkerHost(this.options.launchWorker, this.options.backend ?? 'auto'));
    const workers = [this.worker, ...this.pool].slice(0, size);
    const runIds: string[] = [];
    for (const [i, p] of prepared.entries()) runIds.push(await this.launch(p, workers[i % workers.length], raceId));
    return { raceId, runIds };
  }

  private async launch(prepared: PreparedRun, worker: TrainingWorkerHost, raceId: string | null): Promise<string> {
    const { entry, config, preprocessing, request } = prepared;
    const left = entry.loaded.table.columnNames.filter((c) => c !== config.target && !config.features.includes(c));
    const counts =
      `${request.train.rows} training, ${request.validation?.rows ?? 0} validation, ${request.test?.rows ?? 0} test rows` +
      (left.length > 0 ? `; left out: ${left.join(', ')}` : '');
    const runId = randomUUID();
    const run: RunSummary = {
      runId,
      datasetId: entry.id,
      datasetName: entry.loaded.table.name,
      status: 'preparing',
      message: 'preparing data',
      config,
      backend: null,
      history: [],
      events: [],
      results: null,
      metrics: null,
      versions: { tickwork: this.options.version },
      modelId: null,
      raceId,
      parameters: summarizeNetwork(config.model, config.task, preprocessing.encoded.length, preprocessing.labels?.length ?? 1).trainable,
      startedAt: new Date().toISOString(),
      finishedAt: null,
    };
    this.runs.set(runId, run);
    this.activeRuns.add(runId);
    this.workerOf.set(runId, worker);
    this.setStatus(run, 'preparing', `preparing data: ${counts}`);

    const finish = (status: RunSummary['status'], message: string) => {
      flushResults();
      this.activeRuns.delete(runId);
      run.finishedAt = new Date().toISOString();
      this.setStatus(run, status, message);
    };
    const register = (artifacts: ModelArtifactsData, metrics: SplitMetrics | null, source: string) => {
      const modelId = randomUUID();
      this.models.set(modelId, {
        info: {
          modelId,
          runId,
          task: config.task,
          target: config.target,
          inputs: preprocessing.inputs,
          typical: Object.fromEntries(preprocessing.inputs.map((name) => [name, prepared.surfaceBasis.typical[name] ?? null])),
          ranges: rangesFromSpec(preprocessing),
          labels: preprocessing.labels,
          metrics,
          source,
        },
        artifacts,
        preprocessing,
        runConfig: config,
        test: request.test,
        split: runSplitOf(entry.loaded, prepared.split, entry.missingTokens),
      });
      run.modelId = modelId;
    };
    let checkpoint: { epoch: number; artifacts: ModelArtifactsData } | null = null;
    let pendingResults: { epoch: number; latest: Results } | null = null;
    let resultsTimer: ReturnType<typeof setTimeout> | null = null;
    let lastResultsAt = 0;
    const flushResults = () => {
      if (resultsTimer) clearTimeout(resultsTimer);
      resultsTimer = null;
      if (!pendingResults) return;
      const { epoch, latest } = pendingResults;
      pendingResults = null;
      lastResultsAt = Date.now();
      const { rows, errors, ...results } = latest;
      const predictions = prepared.resultRows ? predictionRows(entry.loaded.table, config, preprocessing, prepared.resultRows, rows, errors) : null;
      run.results = { epoch, split: request.validation ? 'validation' : 'train', labels: preprocessing.labels, results, predictions };
      this.emit('training:results', { runId, results: run.results });
    };
    /** A failed run keeps the model of its last good epoch, so the work is not lost. */
    const keepCheckpoint = (message: string): string => {
      if (!checkpoint) return message;
      const record = run.history.find((h) => h.epoch === checkpoint!.epoch);
      register(checkpoint.artifacts, record ? { train: record.train, validation: record.validation, test: null } : null, `run ${runId}, checkpoint of epoch ${checkpoint.epoch}`);
      return `${message} The model from epoch ${checkpoint.epoch} (the last checkpoint) is kept.`;
    };

    try {
      const backend = await worker.ready();
      run.backend = backend;
      run.versions = { ...run.versions, ...worker.versions };
      this.setStatus(run, 'training', `training on ${backend.name}`);
      const grid = prepared.surface;
      this.surfaces.set(runId, { table: entry.loaded.table, basis: prepared.surfaceBasis, preprocessing, grid });
      await worker.train(
        { type: 'train', runId, ...request, surface: grid ? { x: grid.matrix.x, rows: grid.matrix.rows, cols: grid.matrix.cols } : null },
        {
          onProgress: (p) => {
            run.message = `training epoch ${p.epoch}/${p.epochs}`;
            this.emit('training:progress', p);
          },
          onEpoch: (record, epochs) => {
            run.history.push(record);
            this.emit('training:epoch', { runId, record, epochs });
          },
          onEvent: (event) => {
            run.events.push(event);
            this.emit('training:event', { runId, event });
            if (event.kind === 'paused') this.setStatus(run, 'paused', `paused at step ${event.step}`);
            if (event.kind === 'resumed') this.setStatus(run, 'training', `training on ${backend.name}`);
          },
          onResults: (epoch, latest) => {
            // At most one Results update a second (epochs can be much faster); the last one always follows.
            pendingResults = { epoch, latest };
            if (resultsTimer) return;
            const wait = Math.max(0, lastResultsAt + RESULTS_INTERVAL_MS - Date.now());
            resultsTimer = setTimeout(flushResults, wait);
          },
          onSurface: (step, epoch, output) => {
            const current = this.surfaces.get(runId);
            // Outputs for an older grid (the axes just changed) no longer fit: skip them.
            // A diverging model's NaN outputs make no picture (the run is about to fail with a message).
            if (current?.grid && output.length / outputUnits(config.task, preprocessing.labels?.length ?? 1) === current.grid.matrix.rows && output.every(Number.isFinite)) {
              this.emit('training:surface', surfaceEvent(runId, current, output, { step, epoch, final: false, targetStats: preprocessing.targetStats }));
            }
          },
          onCheckpoint: (epoch, artifacts) => {
            checkpoint = { epoch, artifacts };
          },
          onFinished: (result) => {
            run.history = result.history;
            run.events = result.events;
            run.metrics = result.metrics;
            run.backend = result.backend;
            if (result.status !== 'failed') {
              register(result.artifacts, result.metrics, `run ${runId}`);
              finish(result.status, result.message);
              void this.finalSurface(runId).catch(() => undefined); // a missing picture is not worth failing the run
            } else {
              finish('failed', keepCheckpoint(`failed: ${result.message}`));
            }
          },
          onError: (message) => finish('failed', keepCheckpoint(`failed: ${message}`)),
        },
      );
    } catch (err) {
      finish('failed', `failed: ${err instanceof Error ? err.message : String(err)}`);
    }
    return runId;
  }

  private setStatus(run: RunSummary, status: RunSummary['status'], message: string): void {
    run.status = status;
    run.message = message;
    this.emit('training:status', { runId: run.runId, status, message, backend: run.backend, modelId: run.modelId });
  }

  private workerFor(runId: string): TrainingWorkerHost {
    return this.workerOf.get(runId) ?? this.worker;
  }

  /** The run, which must be preparing, training or paused. */
  private activeRunOf(runId: string): RunSummary {
    const run = this.run(runId);
    if (run.status !== 'training' && run.status !== 'paused' && run.status !== 'preparing') {
      throw new TickworkError('bad_data', `Run ${runId} is not training (it is ${run.status}).`);
    }
    return run;
  }

  async 'training:stop'({ runId }: RequestParsedInput<'training:stop'>) {
    this.run(runId);
    return { stopped: this.workerFor(runId).control(runId, { type: 'stop' }) };
  }

  async 'training:pause'({ runId }: RequestParsedInput<'training:pause'>) {
    this.activeRunOf(runId);
    return { paused: this.workerFor(runId).control(runId, { type: 'pause' }) };
  }

  async 'training:resume'({ runId }: RequestParsedInput<'training:resume'>) {
    this.activeRunOf(runId);
    return { resumed: this.workerFor(runId).control(runId, { type: 'resume' }) };
  }

  async 'training:update'({ runId, lr, optimizer }: RequestParsedInput<'training:update'>) {
    const run = this.activeRunOf(runId);
    // Validate against the optimizer's schema now, so a bad value is refused here, not mid-run.
    const merged = optimizerConfigSchema.safeParse({ ...run.config.optimizer, ...optimizer, ...(lr !== undefined ? { lr } : {}), name: run.config.optimizer.name });
    if (!merged.success) {
      throw new TickworkError('invalid_input', `training:update: ${merged.error.issues.map((i) => i.message).join('; ')}`);
    }
    if (optimizer && 'name' in optimizer) throw new TickworkError('invalid_input', 'training:update: the optimizer itself cannot change mid-run; start a new run.');
    return { queued: this.workerFor(runId).control(runId, { type: 'update', changes: { lr, optimizer } }) };
  }

  private run(runId: string): RunSummary {
    const run = this.runs.get(runId);
    if (!run) throw new TickworkError('not_found', `No run with id ${runId}.`);
    return run;
  }

  async 'training:surface'({ runId, x, y }: RequestParsedInput<'training:surface'>): Promise<{ ok: true }> {
    const run = this.run(runId);
    const surface = this.surfaces.get(runId);
    if (!surface) throw new TickworkError('bad_data', `Run ${runId} has no data to draw a decision surface from.`);
    surface.grid = buildSurfaceGrid(surface.preprocessing, surface.table, surface.basis, { x, y });
    const { matrix } = surface.grid;
    const sent = this.activeRuns.has(runId) && this.workerFor(runId).control(runId, { type: 'surface-grid', grid: { x: matrix.x, rows: matrix.rows, cols: matrix.cols } });
    if (!sent && run.modelId) await this.finalSurface(runId);
    return { ok: true };
  }

  /** The surface of a finished run's model (best weights restored, outputs in target units). */
  private async finalSurface(runId: string): Promise<void> {
    const run = this.run(runId);
    const surface = this.surfaces.get(runId);
    if (!surface?.grid || !run.modelId) return;
    const entry = this.model(run.modelId);
    const { matrix } = surface.grid;
    const { output } = await this.worker.predict(entry.info.modelId, entry.artifacts, matrix.x, matrix.rows, matrix.cols);
    const last = run.history.at(-1);
    this.emit('training:surface', surfaceEvent(runId, surface, output, { step: last?.step ?? 0, epoch: last?.epoch ?? 0, final: true, targetStats: null }));
  }

  async 'run:list'() {
    return [...this.runs.values()];
  }

  async 'run:get'({ runId }: RequestParsedInput<'run:get'>) {
    return this.run(runId);
  }

  /** Wait until a run leaves preparing/training (for the CLI and tests). */
  waitForRun(runId: string): Promise<RunSummary> {
    const run = this.run(runId);
    if (run.status !== 'preparing' && run.status !== 'training') return Promise.resolve(run);
    return new Promise((resolveRun) => {
      const off = this.on('training:status', (s) => {
        if (s.runId === runId && s.status !== 'preparing' && s.status !== 'training') {
          off();
          resolveRun(this.run(runId));
        }
      });
    });
  }

  // ------------------------------------------------------------ models

  private model(modelId: string): ModelEntry {
    const entry = this.models.get(modelId);
    if (!entry) throw new TickworkError('not_found', `No model with id ${modelId}. Train a run or load an exported model first.`);
    return entry;
  }

  async 'model:get'({ modelId }: RequestParsedInput<'model:get'>) {
    return this.model(modelId).info;
  }

  async 'model:load'({ dir }: RequestParsedInput<'model:load'>): Promise<ModelInfo> {
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
      metrics: bundle.metrics,
      source: resolve(dir),
    };
    this.models.set(modelId, { info, artifacts: bundle.artifacts, preprocessing: bundle.preprocessing, runConfig: bundle.runConfig, test: null, split: bundle.split });
    return info;
  }

  /**
   * Predictions for every row of a table, in chunks of SCORING_CHUNK rows so that a large file
   * reports progress (`scoring:progress`) and the worker never holds all of it at once.
   */
  private async predictTable(entry: ModelEntry, table: Table, progress?: { file: string }): Promise<Prediction[]> {
    const { preprocessing: spec } = entry;
    const predictions: Prediction[] = [];
    for (let start = 0; start < table.rowCount; start += SCORING_CHUNK) {
      const rows = Int32Array.from({ length: Math.min(SCORING_CHUNK, table.rowCount - start) }, (_, i) => start + i);
      const m = encodeFeatures(spec, table, rows);
      const { output, units } = await this.worker.predict(entry.info.modelId, entry.artifacts, m.x, m.rows, m.cols);
      for (let r = 0; r < m.rows; r++) {
        if (!spec.labels) {
          predictions.push({ prediction: output[r], probabilities: null });
          continue;
        }
        const probs = rowProbabilities(spec.task, output, r, units);
        const probabilities: Record<string, number> = {};
        spec.labels.forEach((label, k) => (probabilities[label] = probs[k]));
        predictions.push({ prediction: spec.labels[argmax(probs)], probabilities });
      }
      if (progress) this.emit('scoring:progress', { modelId: entry.info.modelId, file: progress.file, done: predictions.length, total: table.rowCount });
    }
    return predictions;
  }

  async 'model:predict'({ modelId, rows }: RequestParsedInput<'model:predict'>) {
    const entry = this.model(modelId);
    const table = rowsToTable(rows, entry.preprocessing.inputs);
    return { predictions: await this.predictTable(entry, table) };
  }

  async 'model:score-file'({ modelId, input, output }: RequestParsedInput<'model:score-file'>) {
    const entry = this.model(modelId);
    const { table } = await readTableFile(resolve(input));
    const warnings = scoringWarnings(entry.preprocessing, table);
    const predictions = await this.predictTable(entry, table, { file: resolve(input) });
    const labels = entry.preprocessing.labels;
    const fields = [...table.columnNames, 'prediction', ...(labels ?? []).map((l) => `probability_${l}`)];
    const data = predictions.map((p, r) => [
      ...table.columns.map((col) => cell(col, r) ?? ''),
      String(p.prediction),
      ...(labels ?? []).map((l) => String(p.probabilities![l])),
    ]);
    const out = resolve(output);
    const tmp = join(dirname(out), `.${basename(out)}.tmp-${randomUUID().slice(0, 8)}`);
    try {
      await writeFile(tmp, Papa.unparse({ fields, data }, { newline: '\n' }) + '\n');
      await rename(tmp, out);
    } catch (err) {
      await rm(tmp, { force: true }).catch(() => undefined);
      throw new TickworkError('io', `Cannot write ${out}: ${(err as Error).message}. Choose a location you can write to.`);
    }
    return { rows: predictions.length, output: out, warnings };
  }

  async 'model:export'({ modelId, dir, format, quantize }: RequestParsedInput<'model:export'>) {
    const entry = this.model(modelId);
    let artifacts = entry.artifacts;
    let quantization: QuantizationReport | null = null;
    if (quantize !== 'none') {
      artifacts = quantizeArtifacts(entry.artifacts, quantize);
      quantization = {
        dtype: quantize,
        bytesBefore: entry.artifacts.weights.byteLength,
        bytesAfter: artifacts.weights.byteLength,
        testBefore: entry.info.metrics?.test ?? null,
        testAfter: entry.test ? await this.evaluate(entry, artifacts, entry.test) : null,
      };
    }
    const bundle = { artifacts, preprocessing: entry.preprocessing, runConfig: entry.runConfig, metrics: entry.info.metrics, quantization, split: entry.split };
    const written = format === 'zip' ? await writeExportZip(dir, bundle) : await writeExportFolder(dir, bundle);
    return { ...written, quantization };
  }

  /** Metrics of (possibly quantized) weights on an encoded split, computed by the worker's forward pass. */
  private async evaluate(entry: ModelEntry, artifacts: ModelArtifactsData, part: DataPart): Promise<Metrics> {
    const tempId = `${entry.info.modelId}:eval:${randomUUID()}`;
    try {
      const { output, units } = await this.worker.predict(tempId, artifacts, part.x, part.rows, part.cols);
      return computeMetrics(entry.info.task, output, part.y, units, entry.preprocessing.targetStats?.std ?? 1);
    } finally {
      this.worker.forget(tempId);
    }
  }

  async dispose(): Promise<void> {
    await Promise.all([this.worker, ...this.pool].map((w) => w.dispose()));
  }
}

type RequestOutputOf<C extends keyof RequestHandlers> = Awaited<ReturnType<RequestHandlers[C]>>;

/** A training:surface event from the model's raw outputs over the run's current grid (values rounded for the picture). */
function surfaceEvent(
  runId: string,
  surface: RunSurface,
  output: Float32Array,
  at: { step: number; epoch: number; final: boolean; targetStats: { mean: number; std: number } | null },
): EventPayload<'training:surface'> {
  const grid = surface.grid!;
  const { values, confidence } = surfaceValues(surface.preprocessing.task, output, grid.matrix.rows, at.targetStats);
  // Four significant digits are plenty for a picture, and cut the event to a fifth of its size.
  const round = (v: number) => Number(v.toPrecision(4));
  return {
    runId,
    step: at.step,
    epoch: at.epoch,
    final: at.final,
    x: grid.x,
    y: grid.y,
    size: grid.size,
    values: values.map(round),
    confidence: confidence && confidence.map(round),
    labels: surface.preprocessing.labels,
    points: grid.points.map((p) => ({ x: round(p.x), y: round(p.y), label: p.label })),
    heldAt: grid.heldAt,
    columns: surfaceColumns(surface.preprocessing),
  };
}

/** The predictions table: each result row traced to its file line and raw input values. */
function predictionRows(
  table: Table,
  config: RunConfig,
  preprocessing: PreprocessingSpec,
  tableRows: Int32Array,
  rows: ResultRow[],
  errors: number,
): NonNullable<RunResults['predictions']> {
  const columns = config.features.slice(0, 8);
  const shown = columns.map((name) => table.columns[columnIndex(table, name)]);
  const labels = preprocessing.labels;
  const value = (v: number) => (labels ? labels[v] : String(Number(v.toPrecision(6))));
  return {
    columns,
    total: tableRows.length,
    errors,
    rows: rows.map((row) => {
      const r = tableRows[row.index];
      return {
        line: lineOf(table, r),
        values: shown.map((c) => cell(c, r)),
        actual: value(row.actual),
        predicted: value(row.predicted),
        confidence: row.confidence,
        error: row.error,
      };
    }),
  };
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

/** Class weights as a vector by class index; 'balanced' weighs class c by n / (k · n_c) on the training rows. */
function resolveClassWeights(config: ClassWeightsConfig, spec: PreprocessingSpec, table: Table, trainRows: Int32Array): number[] | null {
  if (config === 'none' || !spec.labels) return null;
  const labels = spec.labels;
  if (config === 'balanced') {
    const y = encodeTarget(spec, table, trainRows);
    const counts = new Array<number>(labels.length).fill(0);
    y.forEach((k) => counts[k]++);
    return counts.map((c) => (c > 0 ? y.length / (labels.length * c) : 0));
  }
  const unknown = Object.keys(config).filter((label) => !labels.includes(label));
  if (unknown.length > 0) {
    throw new TickworkError('bad_data', `classWeights names ${unknown.map((u) => `"${u}"`).join(', ')}, which are not classes of the target (${labels.join(', ')}).`);
  }
  return labels.map((label) => config[label] ?? 1);
}
