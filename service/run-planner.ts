/**
 * The run planner: pure functions from a training request and an open dataset to a complete
 * RunConfig and what the worker needs — no worker, no events, no state.
 *
 *   planRun      request → resolved columns and task, split, fitted preprocessing, and the
 *                complete RunConfig (batch size, epochs, early stopping), in one pass; with the
 *                backend and the machine's memory, refuses a run whose memory estimate cannot fit
 *   describePlan planned run → the RunPlan the app shows before training
 *   encodeRun    planned run → encoded parts, class weights, decision-surface grid
 *
 * Every refusal is a TickworkError('bad_data') with a plain message.
 */
import type { RequestParsedInput, RunPlan } from '../shared/contract.js';
import { usesColumn } from '../shared/columns.js';
import { TickworkError } from '../shared/errors.js';
import { DEFAULT_BATCH_SIZE, earlyStoppingSchema, type ClassWeightsConfig, type RunConfig, type Task } from '../shared/run-config.js';
import { summarizeNetwork } from '../shared/network.js';
import { estimateRunMemory, memoryProblem } from '../shared/memory-estimate.js';
import type { LoadedFile } from '../models/data/read.js';
import { detectTask, isNumericType, type ColumnProfile } from '../models/data/schema.js';
import { defaultIgnored } from '../models/data/doctor.js';
import { kFoldIndices, splitRows } from '../models/data/split.js';
import { columnIndex, type Table } from '../models/data/table.js';
import { assertNumericClean, binaryLabels, classLabels, encodeFeatures, encodeTarget, fitPreprocessing, rowsWithTarget, type PreprocessingSpec } from '../models/prep/preprocessing.js';
import type { DataPart } from '../models/train/loop.js';
import { MAX_TRAIN_EVAL_ROWS, autoEpochs, planSteps } from '../models/train/plan.js';
import { buildSurfaceGrid, defaultSurfaceAxes, isTwoValued, surfaceBasis, type SurfaceBasis, type SurfaceGrid } from '../models/prep/surface.js';
import type { TrainRequest } from './worker-protocol.js';
import type { DatasetEntry } from './datasets.js';

/** The config a request asks for, after its schema filled in the defaults. */
export type RequestedConfig = RequestParsedInput<'training:start'>['config'];

/** More classes than this is almost always an identifier or a free-text column chosen by mistake. */
const MAX_CLASSES = 100;

export interface PlannedRun {
  entry: DatasetEntry;
  config: RunConfig;
  preprocessing: PreprocessingSpec;
  split: ReturnType<typeof splitRows>;
  /** A separate test file, when the request named one. */
  test: LoadedFile | null;
}

export interface PreparedRun extends PlannedRun {
  request: Omit<TrainRequest, 'type' | 'runId'>;
  /** Table rows of the split the Results view is computed on, in order (null: not traceable). */
  resultRows: Int32Array | null;
  /** What the decision surface needs from the training rows, to draw any two numeric inputs. */
  surfaceBasis: SurfaceBasis;
  /** The decision-surface grid scored while training (null: none, e.g. fewer than two numeric inputs). */
  surface: SurfaceGrid | null;
}

/** The input columns a run uses: as given, or every column but the target minus those left out by default or by role. */
function resolveFeatures(entry: DatasetEntry, requested: RequestedConfig): string[] {
  const { table } = entry.loaded;
  const roles = requested.preprocessing.columns;
  const unknownRoles = Object.keys(roles).filter((name) => columnIndex(table, name) < 0);
  if (unknownRoles.length > 0) {
    throw new TickworkError('bad_data', `Column choices name column(s) ${table.name} does not have: ${unknownRoles.join(', ')}.`);
  }
  // Without an explicit choice, identifiers and constant columns are left out (the doctor says so);
  // a column's role "feature" keeps one the check would leave out.
  const ignored = defaultIgnored(entry.profiles, table.rowCount, requested.target);
  const features =
    requested.features ?? table.columnNames.filter((name) => name !== requested.target && usesColumn(roles[name]?.role, ignored.has(name)));
  const unknown = features.filter((f) => columnIndex(table, f) < 0);
  if (unknown.length > 0) throw new TickworkError('bad_data', `${table.name} has no column(s) ${unknown.join(', ')}.`);
  if (features.includes(requested.target)) throw new TickworkError('bad_data', `The target "${requested.target}" cannot also be a feature.`);
  if (features.length === 0) {
    const why = ignored.size > 0 ? ` (left out: ${[...ignored].map(([c, reason]) => `${c}, ${reason}`).join('; ')})` : '';
    throw new TickworkError('bad_data', `${table.name} has no usable feature columns besides the target${why}. Set a column's role to "feature" to use it anyway.`);
  }
  for (const f of features) if (roles[f]?.treatAs !== 'categorical') assertNumericClean(entry.profiles[columnIndex(table, f)], table.name);
  return features;
}

/** The task (asked for, or detected from the target), checked against the target column. */
function resolveTask(table: Table, target: string, profile: ColumnProfile, asked: Task | undefined): Task {
  const task = asked ?? detectTask(profile);
  if (task === 'regression') {
    if (!isNumericType(profile.type)) {
      throw new TickworkError('bad_data', `The target "${target}" is not numeric, so it cannot be predicted as a regression. Choose binary or multiclass.`);
    }
    assertNumericClean(profile, table.name);
    return task;
  }
  const classes = profile.distinct;
  if (classes < 2) throw new TickworkError('bad_data', `The target "${target}" has only one class; there is nothing to learn. Choose another target.`);
  if (task === 'binary' && classes > 2) throw new TickworkError('bad_data', `The target "${target}" has ${classes} classes; binary needs 2. Choose multiclass.`);
  if (classes > MAX_CLASSES) {
    throw new TickworkError(
      'bad_data',
      `The target "${target}" has ${classes} distinct values — too many classes (max ${MAX_CLASSES}). If it is a number to predict, choose regression.`,
    );
  }
  return task;
}

/** A separate test file must have the target and every input column (found by the hostile-input suite: it threw a TypeError). */
function checkTestColumns(test: Table, target: string, features: string[]): void {
  const missing = [target, ...features].filter((name) => columnIndex(test, name) < 0);
  if (missing.length === 0) return;
  const shown = (names: string[]) => names.slice(0, 8).join(', ') + (names.length > 8 ? ', …' : '');
  throw new TickworkError(
    'bad_data',
    `The test file ${test.name} has no column(s) ${shown(missing)}${missing.includes(target) ? ' (the target)' : ''}. Its columns: ${shown(test.columnNames)}. ` +
      'Use a test file with the same columns as the dataset.',
  );
}

/** A training request on an open dataset → the complete RunConfig, its split and fitted preprocessing. */
/** What the run will run on, for the memory check: the tfjs backend's name and the machine's memory in bytes. */
export interface RunResources {
  backend: string;
  machineBytes: number;
}

export function planRun(entry: DatasetEntry, requested: RequestedConfig, test: LoadedFile | null, resources?: RunResources): PlannedRun {
  const { table } = entry.loaded;
  const t = columnIndex(table, requested.target);
  if (t < 0) throw new TickworkError('bad_data', `${table.name} has no column "${requested.target}". Columns: ${table.columnNames.join(', ')}.`);
  const features = resolveFeatures(entry, requested);
  if (test) checkTestColumns(test.table, requested.target, features);
  const task = resolveTask(table, requested.target, entry.profiles[t], requested.task);

  // Rows, split and preprocessing (fitted on the training rows only).
  const usable = rowsWithTarget(table, requested.target);
  if (usable.length < 2) throw new TickworkError('bad_data', `Fewer than 2 rows have a value for "${requested.target}".`);
  const labels = task === 'regression' ? null : task === 'binary' ? binaryLabels(table, requested.target, usable, requested.positiveClass) : classLabels(table, requested.target);
  if (requested.positiveClass && task !== 'binary') {
    throw new TickworkError('bad_data', `A positive class ("${requested.positiveClass}") is for binary targets; "${requested.target}" is ${task}. Leave it out.`);
  }
  const strata = labels && requested.split.stratify ? encodeTarget({ labels, target: requested.target }, table, usable) : undefined;
  const base = splitRows(usable, { validation: requested.split.validation, test: test ? 0 : requested.split.test, seed: requested.seed, strata });
  const split = requested.split.fold ? foldSplit(base, requested.split.fold, labels ? { table, target: requested.target, labels } : null, requested.seed) : base;
  const preprocessing = fitPreprocessing({
    table,
    profiles: entry.profiles,
    target: requested.target,
    features,
    task,
    trainRows: split.train,
    preprocessing: requested.preprocessing,
    labels: labels ?? undefined,
  });

  // What was left to "auto" follows from the training rows.
  const trainRows = split.train.length;
  const batchSize = requested.batchSize ?? Math.min(DEFAULT_BATCH_SIZE, trainRows);
  if (batchSize > trainRows) {
    throw new TickworkError('bad_data', `batchSize ${batchSize} is larger than the ${trainRows} training rows. Use a batch size of at most ${trainRows}.`);
  }
  const epochs = requested.epochs ?? autoEpochs({ batchSize, accumulationSteps: requested.accumulationSteps }, trainRows);
  const config: RunConfig = {
    ...requested,
    version: 1,
    task,
    positiveClass: task === 'binary' ? labels![1] : null,
    threshold: requested.threshold ?? 0.5,
    features,
    batchSize,
    epochs,
    earlyStopping: requested.earlyStopping !== undefined ? requested.earlyStopping : split.validation.length > 0 ? earlyStoppingSchema.parse({}) : null,
    dataset: { name: table.name, source: table.source, sha256: entry.loaded.sha256, rows: table.rowCount },
    testSource: test ? test.table.source : null,
    query: table.query ?? null,
  };
  const { totalSteps } = planSteps(config, trainRows);
  if (config.schedule.warmupSteps >= totalSteps) {
    throw new TickworkError(
      'bad_data',
      `warmupSteps ${config.schedule.warmupSteps} is not shorter than the whole run (${totalSteps} steps = ${epochs} epochs × ` +
        `${totalSteps / epochs} steps of batch ${batchSize}). Use fewer warmup steps or more epochs.`,
    );
  }
  if (resources) {
    // Before the worker allocates anything: refuse what cannot fit, naming the estimate and the limit.
    const estimate = estimateRunMemory({
      model: config.model,
      task,
      optimizer: config.optimizer,
      batchSize,
      accumulationSteps: config.accumulationSteps,
      inputs: preprocessing.encoded.length,
      classes: preprocessing.labels?.length ?? 1,
      trainRows,
      otherRows: split.validation.length + (test ? test.table.rowCount : split.test.length),
      weighted: config.classWeights !== 'none' && task !== 'regression',
    });
    const problem = memoryProblem(estimate, resources.backend, resources.machineBytes);
    if (problem) throw new TickworkError('bad_data', problem);
  }
  return { entry, config, preprocessing, split, test };
}

/** The smallest class's row count in `rows` (null for regression). */
function smallestClass(rows: Int32Array, classes: { table: Table; target: string; labels: string[] } | null): { label: string; count: number } | null {
  if (!classes) return null;
  const y = encodeTarget({ labels: classes.labels, target: classes.target }, classes.table, rows);
  const counts = new Array<number>(classes.labels.length).fill(0);
  y.forEach((k) => counts[k]++);
  const k = counts.indexOf(Math.min(...counts));
  return { label: classes.labels[k], count: counts[k] };
}

/**
 * Cross-validation splits: the training part (the base split's training and validation rows; the
 * test rows stay held out) in k folds, stratified by class — fold `index` validates, the others
 * train; index null is the final model's split: the whole training part, no validation.
 */
function foldSplit(
  base: ReturnType<typeof splitRows>,
  fold: { k: number; index: number | null },
  classes: { table: Table; target: string; labels: string[] } | null,
  seed: number,
): ReturnType<typeof splitRows> {
  const part = Int32Array.from([...base.train, ...base.validation]).sort();
  const smallest = smallestClass(part, classes);
  if (smallest && smallest.count < fold.k) {
    throw new TickworkError(
      'bad_data',
      `Cross-validation with ${fold.k} folds needs at least ${fold.k} training rows of every class; "${smallest.label}" has ${smallest.count}. Use ${Math.max(2, smallest.count)} folds or fewer (or no cross-validation).`,
    );
  }
  if (part.length < fold.k * 2) throw new TickworkError('bad_data', `Cross-validation with ${fold.k} folds needs at least ${fold.k * 2} training rows; there are ${part.length}.`);
  if (fold.index === null) return { train: part, validation: new Int32Array(0), test: base.test };
  const strata = classes ? encodeTarget({ labels: classes.labels, target: classes.target }, classes.table, part) : undefined;
  const folds = kFoldIndices(part, fold.k, { seed, strata });
  return { train: folds[fold.index].train, validation: folds[fold.index].validation, test: base.test };
}

/** Rows of the test file that have a target value. */
function testRows(planned: PlannedRun): Int32Array | null {
  return planned.test ? rowsWithTarget(planned.test.table, planned.config.target) : null;
}

/** What the app shows before training: the resolved task and inputs, the network, the rows and the steps. */
export function describePlan(planned: PlannedRun): RunPlan {
  const { config, preprocessing, split } = planned;
  const { stepsPerEpoch, totalSteps } = planSteps(config, split.train.length);
  return {
    task: config.task,
    features: config.features,
    inputs: preprocessing.encoded,
    labels: preprocessing.labels,
    network: summarizeNetwork(config.model, config.task, preprocessing.encoded.length, preprocessing.labels?.length ?? 1),
    rows: { train: split.train.length, validation: split.validation.length, test: testRows(planned)?.length ?? split.test.length },
    batchSize: config.batchSize,
    epochs: config.epochs,
    stepsPerEpoch,
    totalSteps,
  };
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

/** Everything a run needs before the worker sees it: the encoded parts, class weights and the surface grid. */
export function encodeRun(planned: PlannedRun, axes?: { x: string; y: string | null }): PreparedRun {
  const { entry, config, preprocessing, split } = planned;
  const { table } = entry.loaded;
  const part = (t: Table, rows: Int32Array): DataPart => {
    const m = encodeFeatures(preprocessing, t, rows);
    return { x: m.x, rows: m.rows, cols: m.cols, y: encodeTarget(preprocessing, t, rows) };
  };
  const fileRows = testRows(planned);
  // encodeFeatures names any missing column or non-numeric cell of the test file.
  const test = planned.test && fileRows ? part(planned.test.table, fileRows) : split.test.length > 0 ? part(table, split.test) : null;
  const request: PreparedRun['request'] = {
    config,
    task: config.task,
    classes: preprocessing.labels?.length ?? 1,
    labels: preprocessing.labels,
    targetStats: preprocessing.targetStats,
    classWeights: resolveClassWeights(config.classWeights, preprocessing, table, split.train),
    train: part(table, split.train),
    validation: split.validation.length > 0 ? part(table, split.validation) : null,
    test,
  };
  // The loop computes results on the validation rows, else on the training rows (subsampled past MAX_TRAIN_EVAL_ROWS).
  const resultRows = split.validation.length > 0 ? split.validation : split.train.length <= MAX_TRAIN_EVAL_ROWS ? split.train : null;
  const chosen = axes ?? defaultSurfaceAxes(preprocessing, (name) => isTwoValued(table, name, split.train));
  const basis = surfaceBasis(preprocessing, table, split.train);
  const surface = chosen ? buildSurfaceGrid(preprocessing, table, basis, chosen) : null;
  return { ...planned, request, resultRows, surfaceBasis: basis, surface };
}
