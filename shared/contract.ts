/**
 * The typed contract between the renderer (or any client) and the WorkbenchService.
 *
 * Two maps: `requests` (channel → input schema, output schema, API method name) and `events`
 * (channel → payload schema). Channel names read `domain:verb`. Every transport (Electron IPC,
 * WebSocket, in-memory) validates request inputs against these schemas on the service side and
 * rejects bad input with an error naming the channel and the field.
 */
import { z } from 'zod';
import { EVENT_METHODS, REQUEST_METHODS, type EventChannelName, type RequestChannelName } from './channels.js';
import { TickworkError } from './errors.js';
import { hyper, optimizerConfigSchema } from './optimizers.js';
import { preprocessingChoiceSchema, runConfigInputSchema, runConfigSchema, taskSchema } from './run-config.js';

// ---------------------------------------------------------------- run plans

export const networkRowSchema = z.object({
  name: z.string(),
  kind: z.enum(['input', 'dense', 'batchnorm', 'dropout', 'output']),
  units: z.number().int(),
  detail: z.string(),
  params: z.number().int(),
});
export const runPlanSchema = z.object({
  task: taskSchema,
  features: z.array(z.string()),
  /** Encoded model inputs (a numeric column is one, a categorical column one per kept category). */
  inputs: z.array(z.string()),
  /** Class labels (classification), in output order. */
  labels: z.array(z.string()).nullable(),
  network: z.object({ rows: z.array(networkRowSchema), trainable: z.number().int(), nonTrainable: z.number().int() }),
  rows: z.object({ train: z.number().int(), validation: z.number().int(), test: z.number().int() }),
  batchSize: z.number().int(),
  epochs: z.number().int(),
  stepsPerEpoch: z.number().int(),
  totalSteps: z.number().int(),
});
export type RunPlan = z.infer<typeof runPlanSchema>;

// ---------------------------------------------------------------- data shapes

export const datasetSourceSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('bundled'), name: z.string().min(1, { error: 'bundled dataset name is required' }) }),
  z.object({
    kind: z.literal('file'),
    path: z.string().min(1, { error: 'file path is required' }),
    /** Excel: a sheet name, or its 1-based number; the first sheet when left out. */
    sheet: z.string().min(1).optional(),
  }),
]);
export type DatasetSource = z.infer<typeof datasetSourceSchema>;


/** integer: whole numbers (treated as numeric); text: free text (left out unless chosen). */
export const columnTypeSchema = z.enum(['numeric', 'integer', 'boolean', 'categorical', 'datetime', 'text']);
export type ColumnType = z.infer<typeof columnTypeSchema>;

export const columnSummarySchema = z.object({
  name: z.string(),
  type: columnTypeSchema,
  missing: z.number().int(),
  distinct: z.number().int(),
  min: z.number().nullable(),
  max: z.number().nullable(),
  mean: z.number().nullable(),
  std: z.number().nullable(),
  top: z.array(z.object({ value: z.string(), count: z.number().int() })),
  /** Numeric columns: equal-width bins from min to max (edges has one more entry than counts). */
  histogram: z.object({ edges: z.array(z.number()), counts: z.array(z.number().int()) }).nullable(),
  /** The task a run predicting this column has unless one is chosen (the service's rule, not a guess). */
  asTarget: taskSchema,
  /** Why a run leaves this column out of its inputs unless its role is set to "feature"; null: it is used. */
  leftOut: z.enum(['constant', 'identifier', 'free text']).nullable(),
});
export type ColumnSummary = z.infer<typeof columnSummarySchema>;

export const findingCodeSchema = z.enum(['constant', 'identifier', 'high_cardinality', 'non_numeric', 'target_missing', 'single_class', 'imbalance', 'leakage', 'duplicates']);
export const findingSchema = z.object({
  severity: z.enum(['error', 'warning']),
  code: findingCodeSchema,
  column: z.string().nullable(),
  message: z.string(),
});
export type Finding = z.infer<typeof findingSchema>;

/** What the user chose for a dataset: the target, the task, and the per-column preparation. */
export const datasetChoicesSchema = z
  .object({
    target: z.string().max(1000).nullable(),
    task: taskSchema.nullable(),
    /** Binary: the positive class chosen (null: the less frequent one). */
    positiveClass: z.string().max(1000).nullable().optional(),
    preprocessing: preprocessingChoiceSchema.optional(),
  })
  .strict();
export type DatasetChoices = z.infer<typeof datasetChoicesSchema>;

export const datasetSummarySchema = z.object({
  id: z.string(),
  name: z.string(),
  source: z.string(),
  sha256: z.string(),
  rows: z.number().int(),
  delimiter: z.string(),
  columns: z.array(columnSummarySchema),
  /** The first rows; more come from dataset:rows. */
  preview: z.array(z.array(z.string().nullable())),
  /** Set when the file had more rows than the cap and a random sample of `rows` was kept. */
  sample: z.object({ totalRows: z.number().int(), maxRows: z.number().int() }).nullable(),
  suggestedTarget: z.string().nullable(),
  suggestedTask: taskSchema.nullable(),
  /** The data check for the suggested target. */
  findings: z.array(findingSchema),
  /** Set when the workspace knew this file and it changed since it was last opened: what changed, in words. */
  changed: z.string().nullable(),
  /** The column choices last made for this dataset in the workspace (target, task, preparation), or null. */
  choices: datasetChoicesSchema.nullable(),
});
export type DatasetSummary = z.infer<typeof datasetSummarySchema>;



/** A dataset the workspace has opened before. */
export const knownDatasetSchema = z.object({
  id: z.string(),
  name: z.string(),
  source: datasetSourceSchema,
  rows: z.number().int().nullable(),
  lastOpenedAt: z.string(),
});
export type KnownDataset = z.infer<typeof knownDatasetSchema>;

export const bundledDatasetSchema = z.object({
  name: z.string(),
  title: z.string(),
  description: z.string(),
  target: z.string(),
});
export type BundledDataset = z.infer<typeof bundledDatasetSchema>;

export const backendInfoSchema = z.object({
  name: z.enum(['tensorflow', 'wasm', 'cpu']),
  /** e.g. "tfjs-node-gpu (CUDA)", "tfjs-backend-wasm (SIMD)". */
  detail: z.string(),
  /** Why faster backends were not used, in plain words; empty when the first choice loaded. */
  fallbacks: z.array(z.string()),
});
export type BackendInfo = z.infer<typeof backendInfoSchema>;

export const metricsSchema = z.record(z.string(), z.number());
export type Metrics = z.infer<typeof metricsSchema>;

export const splitMetricsSchema = z.object({
  train: metricsSchema,
  validation: metricsSchema.nullable(),
  test: metricsSchema.nullable(),
});
export type SplitMetrics = z.infer<typeof splitMetricsSchema>;

/** interrupted: the process that trained it ended mid-run (a crash, kill -9); its committed epochs and last checkpoint are kept. */
export const runStatusSchema = z.enum(['preparing', 'training', 'paused', 'completed', 'stopped', 'failed', 'interrupted']);
export type RunStatus = z.infer<typeof runStatusSchema>;

/** A run that has not ended yet (it can still be paused, resumed or stopped). */
export function isActive(status: RunStatus | 'idle'): boolean {
  return status === 'preparing' || status === 'training' || status === 'paused';
}

export const epochRecordSchema = z.object({
  epoch: z.number().int(),
  step: z.number().int(),
  train: metricsSchema,
  validation: metricsSchema.nullable(),
  /**
   * Wall-clock seconds from the start of training to the end of this epoch (its evaluation
   * included, pauses too: it is the clock on the wall). Null or absent where it is not known:
   * epochs recorded before Tickwork kept it, and runs imported from elsewhere.
   */
  elapsedS: z.number().nonnegative().nullable().optional(),
});
export type EpochRecord = z.infer<typeof epochRecordSchema>;

export const runEventSchema = z.object({
  step: z.number().int(),
  epoch: z.number().int(),
  kind: z.enum(['hyperparameters', 'lr-reduced', 'paused', 'resumed', 'early-stop']),
  message: z.string(),
});
export type RunEventPayload = z.infer<typeof runEventSchema>;

const pointSchema = z.object({ x: z.number(), y: z.number() });
export const resultsSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('classification'),
    /** rows: true class, columns: predicted class, in the order of `labels`. */
    confusion: z.array(z.array(z.number().int())),
    roc: z.array(pointSchema).nullable(),
    pr: z.array(pointSchema).nullable(),
    /** Binary: (P(class 1), true class 0/1) for up to 2,000 evenly spread rows — the threshold slider. */
    scores: z.array(pointSchema).nullable(),
  }),
  z.object({ kind: z.literal('regression'), points: z.array(pointSchema) }),
]);
/** For a binary model's final results: the exact threshold table, the reliability diagram and the gains curve. */
export const binaryViewsSchema = z.object({
  /** The decision threshold saved with the run. */
  threshold: z.number(),
  /** Rows per score bin of width 1/bins, by true class: the confusion matrix at any bin edge, exactly, over all rows. */
  thresholds: z.object({ bins: z.number().int(), positives: z.array(z.number().int()), negatives: z.array(z.number().int()) }),
  calibration: z.object({
    bins: z.array(z.object({ lower: z.number(), upper: z.number(), meanPredicted: z.number(), fractionPositive: z.number(), count: z.number().int() })),
    binCount: z.number().int(),
    brier: z.number(),
    rows: z.number().int(),
  }),
  /** Cumulative gains: share of rows targeted (highest scores first) → share of positives captured, and the lift. */
  gains: z.object({ points: z.array(z.object({ targeted: z.number(), captured: z.number(), lift: z.number() })), rows: z.number().int(), positives: z.number().int() }).nullable(),
});
export type BinaryViews = z.infer<typeof binaryViewsSchema>;

export const runResultsSchema = z.object({
  /** The epoch the results are of: during training the latest; at the end, the epoch of the model the run returned. */
  epoch: z.number().int(),
  /** True: the model the run returned (after early stopping restored its best epoch); false: a snapshot during training. */
  final: z.boolean(),
  /** final: the weights are those of an earlier epoch, restored by early stopping. */
  restored: z.boolean(),
  /** final, binary: the threshold, calibration and gains views over every row of the split. */
  binary: binaryViewsSchema.nullable().optional(),
  /** Which split the results are on. */
  split: z.enum(['validation', 'train']),
  labels: z.array(z.string()).nullable(),
  results: resultsSchema,
  /**
   * Rows for the predictions table: the errors first (most confident mistakes first; for a
   * regression the largest residuals), then evenly spread other rows; null when the rows cannot
   * be traced back to the file (no validation split and more than 10,000 training rows).
   */
  predictions: z
    .object({
      /** Input columns shown beside each prediction (the first 8 features). */
      columns: z.array(z.string()),
      rows: z.array(
        z.object({
          line: z.number().int(),
          values: z.array(z.string().nullable()),
          actual: z.string(),
          predicted: z.string(),
          /** Classification: probability of the predicted class. */
          confidence: z.number().nullable(),
          error: z.boolean(),
        }),
      ),
      /** Rows in the split. */
      total: z.number().int(),
      /** Misclassified rows (classification), or rows flagged as the largest residuals (regression). */
      errors: z.number().int(),
    })
    .nullable(),
});
export type RunResults = z.infer<typeof runResultsSchema>;

const surfaceAxisSchema = z.object({ name: z.string(), min: z.number(), max: z.number() });
export const surfaceSchema = z.object({
  runId: z.string(),
  step: z.number().int(),
  epoch: z.number().int(),
  /** The finished run's model (after best weights were restored), not a snapshot mid-training. */
  final: z.boolean(),
  x: surfaceAxisSchema,
  /** null: a response curve — the model's output along x alone (values has `size` entries). */
  y: surfaceAxisSchema.nullable(),
  /** Cells per side; cell (i, j) is values[j·size + i], x growing with i, y with j. */
  size: z.number().int(),
  /** binary: P(second label); multiclass: the predicted class id; regression: the prediction. */
  values: z.array(z.number()),
  /** multiclass: the probability of the predicted class per cell; otherwise null. */
  confidence: z.array(z.number()).nullable(),
  labels: z.array(z.string()).nullable(),
  /** Training rows drawn on top: raw coordinates and the target (class id, or value); on a curve y is the target. */
  points: z.array(z.object({ x: z.number(), y: z.number(), label: z.number() })),
  /** What every other input is held at. */
  heldAt: z.record(z.string(), z.string().nullable()),
  /** The numeric input columns the axes can be chosen from. */
  columns: z.array(z.string()),
});
export type Surface = z.infer<typeof surfaceSchema>;

/** A warning about what a run learned: e.g. degenerate (no better than always predicting the majority class). */
export const runWarningSchema = z.object({ code: z.enum(['degenerate']), check: z.string(), message: z.string() });
export type RunWarning = z.infer<typeof runWarningSchema>;

/** The trivial models a run is compared with, on the same rows: the constant predictor and a linear model. */
export const baselinesSchema = z.object({
  constant: z.object({ validation: metricsSchema.nullable(), test: metricsSchema.nullable() }),
  linear: z.object({ validation: metricsSchema.nullable(), test: metricsSchema.nullable() }),
});
export type Baselines = z.infer<typeof baselinesSchema>;

/** Permutation importance of a run's model per original input column, on its validation rows. */
export const importanceSchema = z.object({
  /** What the drop is measured in: the loss (how much worse it gets when the column is shuffled). */
  metric: z.string(),
  higherIsBetter: z.boolean(),
  baseline: z.number(),
  rows: z.number().int(),
  repeats: z.number().int(),
  /** Most important first; std: over the repeats. */
  importance: z.array(z.object({ column: z.string(), mean: z.number(), std: z.number() })),
});
export type Importance = z.infer<typeof importanceSchema>;

export const runGroupSchema = z.object({ id: z.string(), kind: z.enum(['race', 'repeats', 'cv']) });
export type RunGroup = z.infer<typeof runGroupSchema>;

export const runSummarySchema = z.object({
  runId: z.string(),
  /** The run's number in its workspace (#1, #2, …). */
  seq: z.number().int(),
  /** Default "#N optimizer lr 0.01"; the user can rename it. */
  name: z.string(),
  tags: z.array(z.string()),
  notes: z.string(),
  /** local: trained by Tickwork; imported: trained elsewhere (e.g. the PyTorch recipe) and imported. */
  origin: z.enum(['local', 'imported']),
  datasetId: z.string(),
  /** The dataset's name (file name, or the bundled name), for lists of runs. */
  datasetName: z.string(),
  status: runStatusSchema,
  message: z.string(),
  config: runConfigSchema,
  backend: backendInfoSchema.nullable(),
  history: z.array(epochRecordSchema),
  events: z.array(runEventSchema),
  /** The latest Results view data (confusion matrix, ROC / PR, or actual vs predicted). */
  results: runResultsSchema.nullable(),
  metrics: splitMetricsSchema.nullable(),
  /** What the run learned, compared: degenerate runs are flagged (and never made the model in use without the user choosing). */
  warnings: z.array(runWarningSchema),
  baselines: baselinesSchema.nullable(),
  /** Which input columns the model relies on (computed shortly after the run ends; null before, or when it could not be). */
  importance: importanceSchema.nullable(),
  /** Library versions the run used (tfjs, tickwork, node), for reproducibility. */
  versions: z.record(z.string(), z.string()),
  modelId: z.string().nullable(),
  /** The race this run belongs to, if any. */
  raceId: z.string().nullable(),
  /** The group it was started with: a race, seed repeats, or cross-validation (its folds and final model). */
  group: runGroupSchema.nullable(),
  /** Trainable parameters of the run's network (inputs as encoded for this data). */
  parameters: z.number().int(),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
});
export type RunSummary = z.infer<typeof runSummarySchema>;

/** The best epoch of a run: by its early-stopping monitor when it had one, else by validation (or training) loss. */
export const bestEpochSchema = z.object({ epoch: z.number().int(), train: metricsSchema, validation: metricsSchema.nullable() });
export type BestEpoch = z.infer<typeof bestEpochSchema>;

/** One row of the run table: what a list of many runs needs, without their histories. */
export const runRowSchema = z.object({
  runId: z.string(),
  seq: z.number().int(),
  name: z.string(),
  status: runStatusSchema,
  message: z.string(),
  datasetId: z.string().nullable(),
  datasetName: z.string(),
  raceId: z.string().nullable(),
  group: runGroupSchema.nullable(),
  /** Cross-validation: the fold this run validated on (null: the final model); null outside cross-validation. */
  fold: z.object({ k: z.number().int(), index: z.number().int().nullable() }).nullable(),
  task: taskSchema,
  target: z.string(),
  optimizer: z.string(),
  lr: z.number(),
  schedule: z.string(),
  warmupSteps: z.number().int(),
  batchSize: z.number().int(),
  /** Epochs planned, and epochs that ran. */
  epochs: z.number().int(),
  epochsRun: z.number().int(),
  /** The network in words ("64-64 relu"). */
  network: z.string(),
  parameters: z.number().int(),
  seed: z.number().int(),
  best: bestEpochSchema.nullable(),
  /** The returned model's metrics (after early stopping restored its best epoch). */
  metrics: splitMetricsSchema.nullable(),
  warnings: z.array(runWarningSchema),
  baselines: baselinesSchema.nullable(),
  durationMs: z.number().nullable(),
  stepsPerSecond: z.number().nullable(),
  backend: z.string().nullable(),
  tags: z.array(z.string()),
  notes: z.string(),
  origin: z.enum(['local', 'imported']),
  modelId: z.string().nullable(),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
});
export type RunRow = z.infer<typeof runRowSchema>;

/** A run at the end of one epoch, for its timeline. */
export const runSnapshotSchema = z.object({
  epoch: z.number().int(),
  record: epochRecordSchema.nullable(),
  results: runResultsSchema.nullable(),
  surface: surfaceSchema.nullable(),
});
export type RunSnapshot = z.infer<typeof runSnapshotSchema>;

/** Where the service keeps its work. */
export const workspaceInfoSchema = z.object({
  /** The folder (null: nothing is kept, e.g. --no-workspace). */
  dir: z.string().nullable(),
  readOnly: z.boolean(),
  /** Something to tell the user (read-only, upgraded from an older schema), or null. */
  note: z.string().nullable(),
});
export type WorkspaceInfo = z.infer<typeof workspaceInfoSchema>;

export const modelInfoSchema = z.object({
  modelId: z.string(),
  runId: z.string().nullable(),
  task: taskSchema,
  target: z.string(),
  inputs: z.array(z.string()),
  /**
   * A typical value per input, to start a what-if row from: the training median or most frequent
   * value (a model loaded from an export: from its preprocessing — mean, most frequent or first
   * category); null where there is none (dates).
   */
  typical: z.record(z.string(), z.string().nullable()),
  /** Numeric inputs' training range (to vary one input of a what-if row over it). */
  ranges: z.record(z.string(), z.object({ min: z.number(), max: z.number() })),
  labels: z.array(z.string()).nullable(),
  /** Binary: the positive class (labels[1]) and the decision threshold on its probability. */
  positiveClass: z.string().nullable(),
  threshold: z.number().nullable(),
  metrics: splitMetricsSchema.nullable(),
  source: z.string(),
});
export type ModelInfo = z.infer<typeof modelInfoSchema>;

/** A model served over HTTP from the app (tickwork serve-model): where, with which token, and how to call it. */
export const servingSchema = z.object({
  modelId: z.string(),
  name: z.string(),
  url: z.string(),
  token: z.string(),
  /** A ready-to-run request (curl) with a row of typical training values. */
  curl: z.string(),
});
export const servingStatsSchema = z.object({
  running: z.boolean(),
  requests: z.number().int(),
  failedRequests: z.number().int(),
  rows: z.number().int(),
  /** Share of recent rows that had a warning (unseen category, out of range, missing column values). */
  warningShare: z.number().nullable(),
  p95Ms: z.number().nullable(),
  /** Per input over the recent rows: population stability against the training data, missing and unseen shares. */
  drift: z.array(z.object({ input: z.string(), psi: z.number().nullable(), missingShare: z.number().nullable(), unseenShare: z.number().nullable() })),
  alerts: z.array(z.string()),
});
export type ServingStats = z.infer<typeof servingStatsSchema>;

/** What quantizing an export's weights cost: sizes, and the test metrics before and after. */
export const quantizationReportSchema = z.object({
  dtype: z.enum(['float16', 'int8']),
  bytesBefore: z.number(),
  bytesAfter: z.number(),
  testBefore: metricsSchema.nullable(),
  testAfter: metricsSchema.nullable(),
});
export type QuantizationReport = z.infer<typeof quantizationReportSchema>;

export const rawValueSchema = z.union([z.string(), z.number(), z.boolean(), z.null()]);
export const rawRowSchema = z.record(z.string(), rawValueSchema);
export type RawRow = z.infer<typeof rawRowSchema>;

export const predictionSchema = z.object({
  prediction: z.union([z.string(), z.number()]),
  probabilities: z.record(z.string(), z.number()).nullable(),
});
export type Prediction = z.infer<typeof predictionSchema>;

// ---------------------------------------------------------------- request channels

const empty = z.object({}).strict();
const repeatsSchema = hyper('repeats', { int: true, gte: 2, lte: 20 });
const id = (what: string) => z.string().min(1, { error: `${what} is required` });



export const requests = {
  'app:info': {
    input: empty,
    output: z.object({ version: z.string(), backend: backendInfoSchema, workspace: workspaceInfoSchema }),
  },
  'dataset:list': {
    input: empty,
    output: z.array(bundledDatasetSchema),
  },
  'dataset:open': {
    input: z
      .object({
        source: datasetSourceSchema,
        options: z
          .object({
            /** Cells read as missing (case-insensitive); the empty cell always is. */
            missingTokens: z.array(z.string().max(40)).max(50).optional(),
            /** Delimited text: keep a uniform random sample of this many rows when the file has more. */
            maxRows: z.number().int().min(100, { error: 'maxRows must be at least 100' }).max(50_000_000).optional(),
            /** SQL over the file, `SELECT … FROM data …`; its result is the dataset (null or empty: the whole file). */
            query: z.string().max(20_000, { error: 'query must be at most 20,000 characters' }).nullable().optional(),
            /**
             * 'inspect': only looked at (tickwork inspect) — the statistics and the data check cover every
             * row, no rows are kept for training and none of it can train. Default 'train'.
             */
            purpose: z.enum(['train', 'inspect']).optional(),
          })
          .strict()
          .optional(),
      })
      .strict(),
    output: datasetSummarySchema,
  },
  /** Cancel the dataset being read (nothing is loaded); false when none is being read. */
  'dataset:cancel': {
    input: empty,
    output: z.object({ cancelled: z.boolean() }),
  },
  /** A window of rows for the virtualized preview. */
  'dataset:rows': {
    input: z
      .object({
        datasetId: id('datasetId'),
        offset: z.number().int().min(0),
        limit: z.number().int().min(1).max(1000, { error: 'limit must be at most 1000 rows' }),
      })
      .strict(),
    output: z.object({ offset: z.number().int(), rows: z.array(z.array(z.string().nullable())), lines: z.array(z.number().int()) }),
  },
  /** The data check ("doctor") for a target and feature choice. */
  'dataset:check': {
    input: z.object({ datasetId: id('datasetId'), target: z.string().nullable().optional(), features: z.array(z.string()).optional() }).strict(),
    output: z.array(findingSchema),
  },
  'dataset:describe': {
    input: z.object({ datasetId: id('datasetId') }).strict(),
    output: datasetSummarySchema,
  },
  'training:start': {
    input: z
      .object({
        datasetId: id('datasetId'),
        config: runConfigInputSchema,
        testSource: datasetSourceSchema.optional(),
        /** Decision-surface axes (numeric input columns; y null: a response curve along x); left out: the first two numeric inputs. */
        surface: z.object({ x: z.string().min(1), y: z.string().min(1).nullable() }).optional(),
        /** Train this many runs that differ only in their seed (seed, seed + 1, …). */
        repeats: repeatsSchema.optional(),
        /** Cross-validate: k folds of the training part, then a final model on all of it, tested on the test rows. */
        cv: hyper('cv', { int: true, gte: 2, lte: 20 }).optional(),
      })
      .strict()
      .refine((v) => !(v.repeats && v.cv), { error: 'choose seed repeats or cross-validation, not both', path: ['cv'] }),
    output: z.object({ runId: z.string(), runIds: z.array(z.string()), groupId: z.string().nullable() }),
  },
  /**
   * What a run with this config would be, without training it: the resolved task and features,
   * the split, the encoded input width, the network layer by layer with parameter counts, and
   * the steps. Fails with the same message training:start would.
   */
  'training:plan': {
    input: z
      .object({ datasetId: id('datasetId'), config: runConfigInputSchema, testSource: datasetSourceSchema.optional() })
      .strict(),
    output: runPlanSchema,
  },
  /** LR range test (Smith 2017) on a fresh copy of the model: loss against an exponential LR sweep. */
  'training:lr-find': {
    input: z
      .object({
        datasetId: id('datasetId'),
        config: runConfigInputSchema,
        testSource: datasetSourceSchema.optional(),
        minLr: hyper('minLr', { gt: 0 }).default(1e-7),
        maxLr: hyper('maxLr', { gt: 0 }).default(10),
        steps: hyper('steps', { int: true, gte: 10, lte: 5000 }).default(200),
      })
      .strict()
      .refine((v) => v.maxLr > v.minLr, { error: 'maxLr must be greater than minLr', path: ['maxLr'] }),
    output: z.object({
      lrs: z.array(z.number()),
      losses: z.array(z.number()),
      smoothed: z.array(z.number()),
      suggestions: z.object({ steepest: z.number().nullable(), minLossOver10: z.number().nullable() }),
      ended: z.enum(['completed', 'diverged']),
    }),
  },
  /** An optimizer race: one run per optimizer, same data, split, initial weights and batch order. */
  'race:start': {
    input: z
      .object({
        datasetId: id('datasetId'),
        config: runConfigInputSchema,
        optimizers: z.array(optimizerConfigSchema).min(2, { error: 'a race needs at least 2 optimizers' }).max(12),
        testSource: datasetSourceSchema.optional(),
        /** Each optimizer with this many seeds. */
        repeats: repeatsSchema.optional(),
      })
      .strict(),
    output: z.object({ raceId: z.string(), runIds: z.array(z.string()) }),
  },
  'training:stop': {
    input: z.object({ runId: id('runId') }).strict(),
    output: z.object({ stopped: z.boolean() }),
  },
  'training:pause': {
    input: z.object({ runId: id('runId') }).strict(),
    output: z.object({ paused: z.boolean() }),
  },
  'training:resume': {
    input: z.object({ runId: id('runId') }).strict(),
    output: z.object({ resumed: z.boolean() }),
  },
  /** Change the learning rate or optimizer hyperparameters of a running run, from its next step. */
  'training:update': {
    input: z
      .object({
        runId: id('runId'),
        lr: hyper('lr', { gt: 0 }).optional(),
        optimizer: z.record(z.string(), z.union([z.number(), z.boolean()])).optional(),
      })
      .strict(),
    output: z.object({ queued: z.boolean() }),
  },
  /**
   * Draw the run's decision surface over two numeric input columns, or (y null) its response
   * curve along one (the others held at their training median or most frequent value). While
   * the run trains, the next training:surface events use the new axes; for a finished run one
   * event follows with the final model.
   */
  'training:surface': {
    input: z.object({ runId: id('runId'), x: z.string().min(1), y: z.string().min(1).nullable() }).strict(),
    output: z.object({ ok: z.literal(true) }),
  },
  /** The run table: every run of the workspace (newest first), without histories. */
  'run:list': {
    input: empty,
    output: z.array(runRowSchema),
  },
  /** A run's step series (loss, LR, gradient norm; thinned past a few thousand points) and its last decision surface. */
  'run:series': {
    input: z.object({ runId: id('runId') }).strict(),
    output: z.object({
      steps: z.array(z.object({ step: z.number().int(), loss: z.number().nullable(), lr: z.number().nullable(), gradNorm: z.number().nullable() })),
      surface: surfaceSchema.nullable(),
    }),
  },
  /** The epochs of a run that can be replayed: its timeline (the epochs it has snapshots of). */
  'run:timeline': {
    input: z.object({ runId: id('runId') }).strict(),
    output: z.object({ epochs: z.array(z.number().int()) }),
  },
  /** A run as it was at the end of an epoch: that epoch's metrics, Results (without the predictions table) and decision surface. */
  'run:snapshot': {
    input: z.object({ runId: id('runId'), epoch: z.number().int().min(1) }).strict(),
    output: runSnapshotSchema,
  },
  /** Rename, tag or annotate a run. */
  'run:update': {
    input: z
      .object({
        runId: id('runId'),
        name: z.string().trim().min(1, { error: 'a run name cannot be empty' }).max(200).optional(),
        tags: z.array(z.string().trim().min(1).max(40)).max(20).optional(),
        notes: z.string().max(10_000).optional(),
      })
      .strict(),
    output: runRowSchema,
  },
  /** Binary: save the decision threshold with the run and its model (what-if, scoring, predict and the export use it). */
  'run:set-threshold': {
    input: z
      .object({
        runId: id('runId'),
        threshold: z.number({ error: 'threshold must be a number' }).gt(0, { error: 'threshold must be between 0 and 1 (exclusive)' }).lt(1, { error: 'threshold must be between 0 and 1 (exclusive)' }),
      })
      .strict(),
    output: z.object({ threshold: z.number(), modelId: z.string().nullable() }),
  },
  /** Delete a run that has ended, with its model files. */
  /** A run trained elsewhere (the folder train.py wrote) into the workspace, marked imported. */
  'run:import': {
    input: z.object({ dir: id('dir') }).strict(),
    output: runSummarySchema,
  },
  'run:delete': {
    input: z.object({ runId: id('runId') }).strict(),
    output: z.object({ deleted: z.literal(true) }),
  },
  'run:get': {
    input: z.object({ runId: id('runId') }).strict(),
    output: runSummarySchema,
  },
  /** Datasets the workspace has opened, most recent first. */
  'dataset:recent': {
    input: empty,
    output: z.array(knownDatasetSchema),
  },
  /** Open a dataset the workspace knows again, from where it was (it says when the file changed or moved). */
  'dataset:reopen': {
    input: z.object({ datasetId: id('datasetId') }).strict(),
    output: datasetSummarySchema,
  },
  /** Remember the column choices for a dataset, so they come back with it. */
  'dataset:choose': {
    input: z.object({ datasetId: id('datasetId'), choices: datasetChoicesSchema }).strict(),
    output: z.object({ ok: z.literal(true) }),
  },
  /** The app's own saved state (the open dataset, settings, the run shown), as it saved it; null when none. */
  'workspace:get-state': {
    input: z.object({ key: z.string().min(1).max(100) }).strict(),
    output: z.object({ state: z.unknown().nullable() }),
  },
  'workspace:save-state': {
    input: z
      .object({ key: z.string().min(1).max(100), state: z.unknown() })
      .strict()
      .refine((v) => JSON.stringify(v.state ?? null).length <= 256 * 1024, { error: 'the saved state is larger than 256 KB', path: ['state'] }),
    output: z.object({ ok: z.literal(true) }),
  },
  'model:get': {
    input: z.object({ modelId: id('modelId') }).strict(),
    output: modelInfoSchema,
  },
  'model:load': {
    input: z.object({ dir: id('dir') }).strict(),
    output: modelInfoSchema,
  },
  'model:predict': {
    input: z.object({ modelId: id('modelId'), rows: z.array(rawRowSchema).min(1).max(100000) }).strict(),
    output: z.object({ predictions: z.array(predictionSchema) }),
  },
  'model:score-file': {
    input: z
      .object({
        modelId: id('modelId'),
        input: id('input'),
        output: id('output'),
        /** Replace an existing file Tickwork did not write (without it: an 'exists' error that says what is there). */
        force: z.boolean().default(false),
      })
      .strict(),
    output: z.object({ rows: z.number().int(), output: z.string(), warnings: z.array(z.string()) }),
  },
  /** Permutation importance of the model's input columns on a data file with the target (tickwork explain). */
  'model:explain': {
    input: z
      .object({
        modelId: id('modelId'),
        input: id('input'),
        /** The target column's name in the file (default: the model's target). */
        target: z.string().min(1).optional(),
        repeats: hyper('repeats', { int: true, gte: 1, lte: 50 }).default(5),
      })
      .strict(),
    output: importanceSchema,
  },
  /**
   * Partial dependence of the model's output on one input column: the output averaged over rows
   * (the run's training rows; for a loaded export, the rows of the dataset given) as the column
   * moves over its values, with a few rows' own curves.
   */
  'model:partial-dependence': {
    input: z.object({ modelId: id('modelId'), column: z.string().min(1), datasetId: z.string().min(1).optional() }).strict(),
    output: z.object({
      column: z.string(),
      kind: z.string(),
      grid: z.array(z.union([z.number(), z.string()])),
      outputs: z.array(z.string()),
      mean: z.array(z.array(z.number())),
      ice: z.array(z.object({ row: z.number().int(), values: z.array(z.array(z.number())) })),
      rows: z.number().int(),
    }),
  },
  /** Serve the model over HTTP on a free loopback port (as `tickwork serve-model` does), until stopped. */
  'model:serve': {
    input: z.object({ modelId: id('modelId') }).strict(),
    output: servingSchema,
  },
  'model:serve-stop': {
    input: z.object({ modelId: id('modelId') }).strict(),
    output: z.object({ stopped: z.boolean() }),
  },
  /** The served model's live counters: requests, rows, warnings, drift per input, alerts. */
  'model:serve-stats': {
    input: z.object({ modelId: id('modelId') }).strict(),
    output: servingStatsSchema,
  },
  /** Export to a folder (or a .zip); optionally with float16 / int8 weights. */
  /** The run of a model as a PyTorch training recipe (train.py with the run's data, settings and model): a folder, or a zip. */
  'model:export-recipe': {
    input: z
      .object({
        modelId: id('modelId'),
        dir: id('dir'),
        format: z.enum(['folder', 'zip']).default('folder'),
        /** Write over what is there when it is not an earlier Tickwork export (the user said Replace). */
        force: z.boolean().default(false),
      })
      .strict(),
    output: z.object({ dir: z.string(), files: z.array(z.string()) }),
  },
  'model:export': {
    input: z
      .object({
        modelId: id('modelId'),
        dir: id('dir'),
        format: z.enum(['folder', 'zip']).default('folder'),
        quantize: z.enum(['none', 'float16', 'int8']).default('none'),
        /**
         * Write even though the target is not an earlier Tickwork export: over a file that is not a
         * Tickwork zip, or into a folder with files Tickwork did not write (those are kept).
         */
        force: z.boolean().default(false),
      })
      .strict(),
    output: z.object({
      dir: z.string(),
      files: z.array(z.string()),
      quantization: quantizationReportSchema.nullable(),
    }),
  },
} as const;

export type Requests = typeof requests;
export type RequestChannel = keyof Requests;
export type RequestInput<C extends RequestChannel> = z.input<Requests[C]['input']>;
export type RequestParsedInput<C extends RequestChannel> = z.output<Requests[C]['input']>;
export type RequestOutput<C extends RequestChannel> = z.output<Requests[C]['output']>;
export const REQUEST_CHANNELS = Object.keys(requests) as RequestChannel[];

// ---------------------------------------------------------------- event channels

export const events = {
  'training:status': {
    payload: z.object({
      runId: z.string(),
      status: runStatusSchema,
      message: z.string(),
      backend: backendInfoSchema.nullable(),
      modelId: z.string().nullable(),
    }),
  },
  /** Throttled to ~10 per second. One optimizer step is one tick. */
  'training:progress': {
    payload: z.object({
      runId: z.string(),
      step: z.number().int(),
      totalSteps: z.number().int(),
      epoch: z.number().int(),
      epochs: z.number().int(),
      loss: z.number(),
      lr: z.number(),
      /** Global L2 norm of the gradient before clipping. */
      gradNorm: z.number(),
      stepsPerSecond: z.number(),
      samplesPerSecond: z.number(),
      /**
       * Every step since the last progress event, while the run is within its first few thousand
       * steps (a short run is shown whole): the LR of each, the loss and gradient norm where they
       * were read back (null where not). Left out after that; the event's own point stands for it.
       */
      steps: z.array(z.object({ step: z.number().int(), lr: z.number(), loss: z.number().nullable(), gradNorm: z.number().nullable() })).optional(),
    }),
  },
  'training:epoch': {
    payload: z.object({ runId: z.string(), record: epochRecordSchema, epochs: z.number().int() }),
  },
  /** Results view data, after each epoch. */
  'training:results': {
    payload: z.object({ runId: z.string(), results: runResultsSchema }),
  },
  /** The decision surface, a few times a second while training, and once for the final model. */
  'training:surface': {
    payload: surfaceSchema,
  },
  /**
   * Opening a dataset file: while it is parsed (stage reading, bytes so far, rows estimated), at most
   * ~10 a second; then once when it is read (stage checking: its statistics and data check follow),
   * and once more at the end with the exact row count.
   */
  'dataset:progress': {
    payload: z.object({ file: z.string(), bytes: z.number(), totalBytes: z.number(), rows: z.number().int(), stage: z.enum(['reading', 'checking']) }),
  },
  /** Batch scoring progress, after each chunk of rows. */
  'scoring:progress': {
    payload: z.object({ modelId: z.string(), file: z.string(), done: z.number().int(), total: z.number().int() }),
  },
  /** A finished run's permutation importance, once computed. */
  'training:importance': {
    payload: z.object({ runId: z.string(), importance: importanceSchema }),
  },
  /** Hyperparameter changes, LR reductions, pauses, early stops: marked on the charts. */
  'training:event': {
    payload: z.object({ runId: z.string(), event: runEventSchema }),
  },
} as const;

export type Events = typeof events;
export type EventChannel = keyof Events;
export type EventPayload<C extends EventChannel> = z.output<Events[C]['payload']>;
export const EVENT_CHANNELS = Object.keys(events) as EventChannel[];

// ---------------------------------------------------------------- the API each client sees

type MethodOf<C extends RequestChannel> = (typeof REQUEST_METHODS)[C];
type EventMethodOf<C extends EventChannel> = (typeof EVENT_METHODS)[C];

// The schema maps and the name maps must list the same channels.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const channelsInStep: Same<RequestChannel, RequestChannelName> & Same<EventChannel, EventChannelName> = true;
void channelsInStep;

/** `window.tickwork` in Electron, the WebSocket client in browser mode, the in-memory client in tests. */
export type TickworkApi = {
  [C in RequestChannel as MethodOf<C>]: (input: RequestInput<C>) => Promise<RequestOutput<C>>;
} & {
  [C in EventChannel as EventMethodOf<C>]: (listener: (payload: EventPayload<C>) => void) => () => void;
};

/** The service side: one handler per request channel, receiving validated input. */
export type RequestHandlers = {
  [C in RequestChannel]: (input: RequestParsedInput<C>) => Promise<RequestOutput<C>>;
};

/** Format a zod error as `channel: field.path: message; …`. */
function describeIssues(channel: string, error: z.ZodError): string {
  const parts = error.issues.map((issue) => {
    const path = issue.path.length > 0 ? issue.path.join('.') : '(input)';
    return `${path}: ${issue.message}`;
  });
  return `${channel}: invalid input — ${parts.join('; ')}`;
}

/** Validate a request's input. Throws TickworkError('invalid_input') naming channel and field. */
export function parseRequest<C extends RequestChannel>(channel: C, input: unknown): RequestParsedInput<C> {
  const spec = requests[channel];
  if (!spec) throw new TickworkError('invalid_input', `unknown channel "${String(channel)}"`);
  const result = spec.input.safeParse(input ?? {});
  if (!result.success) throw new TickworkError('invalid_input', describeIssues(channel, result.error));
  return result.data as RequestParsedInput<C>;
}

export function isRequestChannel(value: unknown): value is RequestChannel {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(requests, value);
}

export function isEventChannel(value: unknown): value is EventChannel {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(events, value);
}

/** Wire envelopes shared by the WebSocket and Electron adapters. */
export type ResponseEnvelope =
  | { ok: true; result: unknown }
  | { ok: false; error: { code: string; message: string } };
