/**
 * RunConfig: everything that defines a training run, as one JSON-serializable object.
 * It crosses IPC, is stored with the run, and is embedded in every export
 * (`run-config.json`). Plain TypeScript + zod: no Node, no DOM.
 */
import { z } from 'zod';
import { hyper, optimizerConfigSchema } from './optimizers.js';

export const TASKS = ['binary', 'multiclass', 'regression'] as const;
export const taskSchema = z.enum(TASKS);
export type Task = z.infer<typeof taskSchema>;

export const ACTIVATIONS = ['relu', 'tanh', 'sigmoid', 'elu', 'selu', 'linear'] as const;
export const activationSchema = z.enum(ACTIVATIONS);
export type Activation = z.infer<typeof activationSchema>;

export const BACKEND_PREFERENCES = ['auto', 'tensorflow', 'wasm', 'cpu'] as const;
export const backendPreferenceSchema = z.enum(BACKEND_PREFERENCES);
export type BackendPreference = z.infer<typeof backendPreferenceSchema>;


/**
 * One hidden layer. A bare number is a Dense layer of that many units with the model-wide
 * settings; an object overrides them for that layer only.
 */
export const layerSpecSchema = z
  .object({
    units: z.number().int().min(1).max(4096),
    activation: activationSchema.optional(),
    dropout: hyper('dropout', { gte: 0, lt: 1 }).optional(),
    batchNorm: z.boolean().optional(),
    l1: hyper('l1', { gte: 0 }).optional(),
    l2: hyper('l2', { gte: 0 }).optional(),
  })
  .strict();
export type LayerSpec = z.infer<typeof layerSpecSchema>;

/** Model: a multilayer perceptron; input and output sizes come from the data. */
export const modelSpecSchema = z.object({
  /** Hidden layers, first to last: `[64, 64]`, or objects such as `{ units: 32, dropout: 0.2 }`. */
  hidden: z.array(z.union([z.number().int().min(1).max(4096), layerSpecSchema])).max(16).default([64, 64]),
  activation: activationSchema.default('relu'),
  /** Dropout rate after each hidden layer during training (inverted dropout; none at prediction). */
  dropout: hyper('dropout', { gte: 0, lt: 1 }).default(0),
  /** Batch normalization after each hidden layer. */
  batchNorm: z.boolean().default(false),
  /** L1 / L2 penalties on every kernel (the output layer's too), added to the loss: l1·Σ|W| + l2·ΣW². */
  l1: hyper('l1', { gte: 0 }).default(0),
  l2: hyper('l2', { gte: 0 }).default(0),
});
export type ModelSpec = z.infer<typeof modelSpecSchema>;
export type ModelSpecInput = z.input<typeof modelSpecSchema>;

export { optimizerConfigSchema, OPTIMIZER_NAMES, type OptimizerConfig, type OptimizerName } from './optimizers.js';

/**
 * Learning-rate schedule, a pure function of the optimizer step. For s < warmupSteps the LR
 * ramps linearly from baseLr·warmupStartFactor to baseLr (see shared/schedule.ts).
 */
export const SCHEDULE_KINDS = ['constant', 'linear', 'cosine', 'step', 'exponential', 'inverse_sqrt', 'one_cycle'] as const;
export const scheduleConfigSchema = z.object({
  kind: z.enum(SCHEDULE_KINDS).default('constant'),
  warmupSteps: z.number().int().min(0).default(0),
  warmupStartFactor: z.number().gte(0).lte(1).default(0),
  /** linear / cosine: the LR reached at the last step. */
  finalLr: z.number().gte(0).default(0),
  /** step / exponential: the LR is multiplied by gamma every stepSize steps. */
  gamma: z.number().positive().lte(1).default(0.5),
  stepSize: z.number().int().min(1).default(1000),
  /** one_cycle: share of the steps spent rising, and the start / end LR divisors. */
  pctStart: hyper('pctStart', { gt: 0, lt: 1 }).default(0.3),
  divFactor: hyper('divFactor', { gte: 1 }).default(25),
  finalDivFactor: hyper('finalDivFactor', { gte: 1 }).default(1e4),
});
export type ScheduleConfig = z.infer<typeof scheduleConfigSchema>;

export const splitConfigSchema = z
  .object({
    validation: z.number().gte(0).lt(1).default(0.15),
    test: z.number().gte(0).lt(1).default(0.15),
    stratify: z.boolean().default(true),
    /**
     * Cross-validation: the training part (all but the test rows) cut into k stratified folds;
     * index: this run validates on that fold and trains on the others; null: the final model,
     * trained on the whole training part (no validation), evaluated on the test rows.
     */
    fold: z
      .object({ k: hyper('cv folds', { int: true, gte: 2, lte: 50 }), index: z.number().int().min(0).nullable() })
      .refine((f) => f.index === null || f.index < f.k, { error: 'fold index must be below k' })
      .nullable()
      .default(null),
  })
  .refine((s) => s.validation + s.test < 1, { error: 'validation + test must leave rows for training (< 1)' });
export type SplitConfig = z.infer<typeof splitConfigSchema>;

const MONITORS = ['validation.loss', 'validation.accuracy', 'validation.auc', 'validation.f1', 'validation.mse', 'validation.mae', 'validation.r2', 'train.loss'] as const;
export const monitorSchema = z.enum(MONITORS);
export type Monitor = z.infer<typeof monitorSchema>;

/** Stop when the monitored metric has not improved by minDelta for `patience` epochs. */
export const earlyStoppingSchema = z.object({
  monitor: monitorSchema.default('validation.loss'),
  mode: z.enum(['auto', 'min', 'max']).default('auto'),
  patience: hyper('patience', { int: true, gte: 1 }).default(10),
  minDelta: hyper('minDelta', { gte: 0 }).default(0),
  restoreBestWeights: z.boolean().default(true),
});
export type EarlyStoppingConfig = z.infer<typeof earlyStoppingSchema>;

/** Multiply the learning rate by `factor` when the monitored metric plateaus for `patience` epochs. */
export const reduceOnPlateauSchema = z.object({
  monitor: monitorSchema.default('validation.loss'),
  mode: z.enum(['auto', 'min', 'max']).default('auto'),
  factor: hyper('factor', { gt: 0, lt: 1 }).default(0.5),
  patience: hyper('patience', { int: true, gte: 1 }).default(5),
  minDelta: hyper('minDelta', { gte: 0 }).default(0),
  minLr: hyper('minLr', { gte: 0 }).default(0),
});
export type ReduceOnPlateauConfig = z.infer<typeof reduceOnPlateauSchema>;

/** 'balanced' weighs each class by n / (k · n_class), as scikit-learn does. */
export const classWeightsSchema = z.union([z.enum(['none', 'balanced']), z.record(z.string(), hyper('class weight', { gt: 0 }))]);
export type ClassWeightsConfig = z.infer<typeof classWeightsSchema>;

/**
 * How each input column is prepared. Defaults apply to every column of a kind; `columns` holds
 * per-column choices, keyed by column name.
 */
export const NUMERIC_IMPUTES = ['mean', 'median', 'constant'] as const;
export const CATEGORICAL_IMPUTES = ['most_frequent', 'constant'] as const;
export const SCALINGS = ['standard', 'minmax', 'robust', 'none'] as const;
export const SCALING_HELP: Record<(typeof SCALINGS)[number], string> = {
  standard: '(x − mean) / std',
  minmax: '(x − min) / (max − min): 0 to 1 on the training rows',
  robust: '(x − median) / IQR: outliers pull less',
  none: 'raw values',
};
export const columnPrepSchema = z
  .object({
    /** feature: use it even if the data check would leave it out; ignore: leave it out. */
    role: z.enum(['feature', 'ignore']).optional(),
    /** Read a column of whole numbers as categories, or a categorical column as numbers. */
    treatAs: z.enum(['numeric', 'categorical']).optional(),
    impute: z.enum(['mean', 'median', 'most_frequent', 'constant']).optional(),
    /** The value for impute 'constant' (a number for numeric columns; default 0 or "(missing)"). */
    fillValue: z.union([z.number(), z.string()]).optional(),
    scale: z.enum(SCALINGS).optional(),
    maxCategories: hyper('maxCategories', { int: true, gte: 1, lte: 1000 }).optional(),
  })
  .strict();
export type ColumnPrep = z.infer<typeof columnPrepSchema>;
export const preprocessingConfigSchema = z.object({
  numericImpute: z.enum(NUMERIC_IMPUTES).default('mean'),
  scale: z.enum(SCALINGS).default('standard'),
  /** constant: a missing category gets its own "(missing)" input when training has missing cells. */
  categoricalImpute: z.enum(CATEGORICAL_IMPUTES).default('constant'),
  /** One-hot keeps the most frequent categories; the rest (and unseen ones) share an "(other)" input. */
  maxCategories: hyper('maxCategories', { int: true, gte: 1, lte: 1000 }).default(50),
  columns: z.record(z.string(), columnPrepSchema).default({}),
});
export type PreprocessingConfig = z.infer<typeof preprocessingConfigSchema>;
/** The same settings as the user chose them, nothing filled in (what a dataset remembers). */
export const preprocessingChoiceSchema = z
  .object({
    numericImpute: z.enum(NUMERIC_IMPUTES).optional(),
    scale: z.enum(SCALINGS).optional(),
    categoricalImpute: z.enum(CATEGORICAL_IMPUTES).optional(),
    maxCategories: hyper('maxCategories', { int: true, gte: 1, lte: 1000 }).optional(),
    columns: z.record(z.string(), columnPrepSchema).optional(),
  })
  .strict();

/** The batch size when none is given (or the number of training rows, if fewer). */
export const DEFAULT_BATCH_SIZE = 32;

/** What the user (or the CLI) asks for; defaults are filled in by the schema. */
export const runConfigInputSchema = z.object({
  target: z.string().min(1, { error: 'target column name is required' }),
  task: taskSchema.optional(),
  /** Binary: the class whose precision, recall and F1 are the headline (left out: the less frequent class). */
  positiveClass: z.string().min(1, { error: 'positiveClass cannot be empty' }).max(1000).nullable().optional(),
  /** Binary: P(positive) at or above which the positive class is predicted. */
  threshold: hyper('threshold', { gt: 0, lt: 1 }).optional(),
  /** Input columns; left out: every column but the target, minus ignored ones (see preprocessing.columns). */
  features: z.array(z.string()).optional(),
  preprocessing: preprocessingConfigSchema.prefault({}),
  split: splitConfigSchema.prefault({}),
  model: modelSpecSchema.prefault({}),
  optimizer: optimizerConfigSchema.prefault({ name: 'adam' }),
  schedule: scheduleConfigSchema.prefault({}),
  /** Examples per mini-batch; when left out, 32 or the number of training rows if fewer. */
  batchSize: hyper('batchSize', { int: true, gte: 1, lte: 65536 }).optional(),
  /** Clip the global gradient norm to this value before each update (null: no clipping). */
  clipNorm: hyper('clipNorm', { gt: 0 }).nullable().default(null),
  /** Clip every gradient element to [−clipValue, clipValue] (null: no clipping). */
  clipValue: hyper('clipValue', { gt: 0 }).nullable().default(null),
  /** Average the gradients of this many mini-batches per optimizer step. */
  accumulationSteps: hyper('accumulationSteps', { int: true, gte: 1, lte: 1024 }).default(1),
  classWeights: classWeightsSchema.default('none'),
  /** Left out: on (patience 10 on validation loss, best weights restored) when there is a validation split; null: off. */
  earlyStopping: earlyStoppingSchema.nullable().optional(),
  reduceOnPlateau: reduceOnPlateauSchema.nullable().default(null),
  /** Left out: enough epochs for about 2,000 steps, between 10 and 200 (early stopping ends it sooner). */
  epochs: hyper('epochs', { int: true, gte: 1, lte: 100000 }).optional(),
  seed: hyper('seed', { int: true, gte: 0, lte: 2 ** 31 - 1 }).default(42),
  backend: backendPreferenceSchema.default('auto'),
});
export type RunConfigInput = z.input<typeof runConfigInputSchema>;

/** The resolved config stored with a run: task and features are known, dataset identified. */
export const runConfigSchema = runConfigInputSchema.extend({
  version: z.literal(1),
  epochs: hyper('epochs', { int: true, gte: 1, lte: 100000 }),
  earlyStopping: earlyStoppingSchema.nullable(),
  batchSize: hyper('batchSize', { int: true, gte: 1, lte: 65536 }),
  task: taskSchema,
  /** Binary: the positive class (the model outputs its probability); null otherwise. */
  positiveClass: z.string().nullable().default(null),
  threshold: hyper('threshold', { gt: 0, lt: 1 }).default(0.5),
  features: z.array(z.string()).min(1),
  dataset: z.object({
    name: z.string(),
    source: z.string(),
    sha256: z.string(),
    rows: z.number().int(),
  }),
  testSource: z.string().nullable(),
});
export type RunConfig = z.infer<typeof runConfigSchema>;
