/**
 * RunConfig: everything that defines a training run, as one JSON-serializable object.
 * It crosses IPC, is stored with the run, and is embedded in every export
 * (`run-config.json`). Plain TypeScript + zod: no Node, no DOM.
 */
import { z } from 'zod';
import { optimizerConfigSchema } from './optimizers.js';

export const TASKS = ['binary', 'multiclass', 'regression'] as const;
export const taskSchema = z.enum(TASKS);
export type Task = z.infer<typeof taskSchema>;

export const ACTIVATIONS = ['relu', 'tanh', 'sigmoid', 'elu', 'selu', 'linear'] as const;
export const activationSchema = z.enum(ACTIVATIONS);
export type Activation = z.infer<typeof activationSchema>;

export const BACKEND_PREFERENCES = ['auto', 'tensorflow', 'wasm', 'cpu'] as const;
export const backendPreferenceSchema = z.enum(BACKEND_PREFERENCES);
export type BackendPreference = z.infer<typeof backendPreferenceSchema>;


/** Model: a multilayer perceptron; input and output sizes come from the data. */
export const modelSpecSchema = z.object({
  hidden: z.array(z.number().int().min(1).max(4096)).max(16).default([64, 64]),
  activation: activationSchema.default('relu'),
});
export type ModelSpec = z.infer<typeof modelSpecSchema>;

export { optimizerConfigSchema, OPTIMIZER_NAMES, type OptimizerConfig, type OptimizerName } from './optimizers.js';

/**
 * Learning-rate schedule, a pure function of the optimizer step. For s < warmupSteps the LR
 * ramps linearly from baseLr·warmupStartFactor to baseLr (see models/train/schedule.ts).
 */
export const SCHEDULE_KINDS = ['constant', 'linear', 'cosine', 'step', 'exponential', 'inverse_sqrt'] as const;
export const scheduleConfigSchema = z.object({
  kind: z.enum(SCHEDULE_KINDS).default('constant'),
  warmupSteps: z.number().int().min(0).default(0),
  warmupStartFactor: z.number().gte(0).lte(1).default(0),
  /** linear / cosine: the LR reached at the last step. */
  finalLr: z.number().gte(0).default(0),
  /** step / exponential: the LR is multiplied by gamma every stepSize steps. */
  gamma: z.number().positive().lte(1).default(0.5),
  stepSize: z.number().int().min(1).default(1000),
});
export type ScheduleConfig = z.infer<typeof scheduleConfigSchema>;

export const splitConfigSchema = z
  .object({
    validation: z.number().gte(0).lt(1).default(0.15),
    test: z.number().gte(0).lt(1).default(0.15),
    stratify: z.boolean().default(true),
  })
  .refine((s) => s.validation + s.test < 1, { error: 'validation + test must leave rows for training (< 1)' });
export type SplitConfig = z.infer<typeof splitConfigSchema>;

/** What the user (or the CLI) asks for; defaults are filled in by the schema. */
export const runConfigInputSchema = z.object({
  target: z.string().min(1, { error: 'target column name is required' }),
  task: taskSchema.optional(),
  features: z.array(z.string()).optional(),
  split: splitConfigSchema.default({ validation: 0.15, test: 0.15, stratify: true }),
  model: modelSpecSchema.default({ hidden: [64, 64], activation: 'relu' }),
  optimizer: optimizerConfigSchema.default({ name: 'adam', lr: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, amsgrad: false, weightDecay: 0 }),
  schedule: scheduleConfigSchema.default({ kind: 'constant', warmupSteps: 0, warmupStartFactor: 0, finalLr: 0, gamma: 0.5, stepSize: 1000 }),
  batchSize: z.number().int().min(1).max(65536).default(32),
  epochs: z.number().int().min(1).max(100000).default(20),
  seed: z.number().int().min(0).max(2 ** 31 - 1).default(42),
  backend: backendPreferenceSchema.default('auto'),
});
export type RunConfigInput = z.input<typeof runConfigInputSchema>;

/** The resolved config stored with a run: task and features are known, dataset identified. */
export const runConfigSchema = runConfigInputSchema.extend({
  version: z.literal(1),
  task: taskSchema,
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
