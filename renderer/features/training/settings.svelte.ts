/**
 * The Training step's settings: optimizer and its hyperparameters, learning rate, warmup and
 * schedule, epochs, batch size, split, seed, early stopping, plateau, clipping, accumulation and
 * backend. Every default comes from the run-config schemas (shared/), so the app, the CLI and
 * the service agree. `config(target)` is the run request, with the Data step's column choices
 * and the Model step's network read through the getters given to the constructor.
 */
import {
  OPTIMIZER_NAMES,
  earlyStoppingSchema,
  reduceOnPlateauSchema,
  runConfigInputSchema,
  scheduleConfigSchema,
  splitConfigSchema,
  type BackendPreference,
  type ModelSpecInput,
  type OptimizerName,
  type RunConfigInput,
  type ScheduleConfig,
} from '../../../shared/run-config.js';
import { optimizerConfigSchema, optimizerDefaults } from '../../../shared/optimizers.js';

type ScheduleParam = 'finalLr' | 'gamma' | 'stepSize' | 'pctStart' | 'divFactor' | 'finalDivFactor';
/** The settings each schedule kind reads (shared/schedule.ts), with a plain explanation. */
export const SCHEDULE_FIELDS: Record<ScheduleConfig['kind'], Array<{ key: ScheduleParam; label: string; help: string; step: string }>> = {
  constant: [],
  linear: [{ key: 'finalLr', label: 'Final LR', help: 'reached at the last step', step: 'any' }],
  cosine: [{ key: 'finalLr', label: 'Final LR', help: 'reached at the last step', step: 'any' }],
  step: [
    { key: 'gamma', label: 'Gamma', help: 'multiplies the LR every step size', step: '0.05' },
    { key: 'stepSize', label: 'Step size', help: 'optimizer steps between drops', step: '1' },
  ],
  exponential: [
    { key: 'gamma', label: 'Gamma', help: 'the LR is multiplied by gamma per step size', step: '0.05' },
    { key: 'stepSize', label: 'Step size', help: 'optimizer steps per factor of gamma', step: '1' },
  ],
  inverse_sqrt: [],
  one_cycle: [
    { key: 'pctStart', label: 'Rising share', help: 'share of the steps spent rising', step: '0.05' },
    { key: 'divFactor', label: 'Start divisor', help: 'starts at LR / this', step: '1' },
    { key: 'finalDivFactor', label: 'End divisor', help: 'ends at start LR / this', step: 'any' },
  ],
};

/** The settings a session keeps (snapshot / restore). */
const SETTING_KEYS = [
  'validationShare',
  'testShare',
  'optimizer',
  'hyperparameters',
  'lr',
  'earlyStopping',
  'patience',
  'clipNorm',
  'clipValue',
  'reduceOnPlateau',
  'plateauFactor',
  'plateauPatience',
  'accumulationSteps',
  'backendPreference',
  'warmupSteps',
  'schedule',
  'scheduleParams',
  'epochs',
  'batchSize',
  'seed',
] as const;

/** The schema defaults the settings start from (written once, in shared/run-config.ts). */
const DEFAULTS = {
  run: runConfigInputSchema.parse({ target: '_' }),
  split: splitConfigSchema.parse({}),
  schedule: scheduleConfigSchema.parse({}),
  earlyStopping: earlyStoppingSchema.parse({}),
  plateau: reduceOnPlateauSchema.parse({}),
};

/** An optimizer's own default learning rate (Adam 0.001, SGD 0.01, …). */
export function defaultLr(name: OptimizerName): number {
  return optimizerConfigSchema.parse({ name }).lr;
}

export interface SettingsSources {
  /** The Data step's column choices and task, merged into every run config. */
  dataInputs: () => Pick<RunConfigInput, 'preprocessing' | 'task' | 'positiveClass'>;
  /** The Model step's network. */
  modelSpec: () => ModelSpecInput;
}

export class TrainingSettings {
  validationShare = $state(DEFAULTS.split.validation);
  testShare = $state(DEFAULTS.split.test);
  optimizer = $state<OptimizerName>(DEFAULTS.run.optimizer.name);
  /** The optimizer's other hyperparameters; reset to its defaults when the optimizer changes. */
  hyperparameters = $state<Record<string, number | boolean>>(optimizerDefaults(DEFAULTS.run.optimizer.name));
  lr = $state(DEFAULTS.run.optimizer.lr);
  /** On: stop when validation loss stops improving for `patience` epochs, and keep the best weights. */
  earlyStopping = $state(true);
  patience = $state(DEFAULTS.earlyStopping.patience);
  /** Clip the global gradient norm to this (null or 0: no clipping). */
  clipNorm = $state<number | null>(DEFAULTS.run.clipNorm);
  /** Clip every gradient element to ±clipValue (null or 0: no clipping). */
  clipValue = $state<number | null>(DEFAULTS.run.clipValue);
  /** On: multiply the learning rate by `plateauFactor` when validation loss stalls for `plateauPatience` epochs. */
  reduceOnPlateau = $state(false);
  plateauFactor = $state(DEFAULTS.plateau.factor);
  plateauPatience = $state(DEFAULTS.plateau.patience);
  accumulationSteps = $state(DEFAULTS.run.accumulationSteps);
  backendPreference = $state<BackendPreference>(DEFAULTS.run.backend);
  warmupSteps = $state(DEFAULTS.schedule.warmupSteps);
  schedule = $state<ScheduleConfig['kind']>(DEFAULTS.schedule.kind);
  /** The schedule's own settings; only those of the chosen kind are sent (SCHEDULE_FIELDS). */
  scheduleParams = $state({
    finalLr: DEFAULTS.schedule.finalLr,
    gamma: DEFAULTS.schedule.gamma,
    stepSize: DEFAULTS.schedule.stepSize,
    pctStart: DEFAULTS.schedule.pctStart,
    divFactor: DEFAULTS.schedule.divFactor,
    finalDivFactor: DEFAULTS.schedule.finalDivFactor,
  });
  /** Empty (null) means auto: about 2,000 steps, 10–200 epochs, with early stopping. */
  epochs = $state<number | null>(null);
  /** Empty (null) means auto: 32, or the number of training rows if fewer. */
  batchSize = $state<number | null>(null);
  seed = $state(DEFAULTS.run.seed);

  constructor(private readonly sources: SettingsSources) {}

  /** The settings as plain data, to save with the session. */
  snapshot(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const key of SETTING_KEYS) out[key] = $state.snapshot(this[key]);
    return out;
  }

  /** Settings saved by snapshot() (an older or damaged one: what fits is taken, the rest stays). */
  restore(saved: unknown): void {
    if (!saved || typeof saved !== 'object') return;
    const values = saved as Record<string, unknown>;
    for (const key of SETTING_KEYS) {
      const value = values[key];
      const current = this[key];
      const fits =
        value !== undefined &&
        (current === null || value === null ? key === 'epochs' || key === 'batchSize' || key === 'clipNorm' || key === 'clipValue' : typeof value === typeof current);
      if (fits) (this as Record<string, unknown>)[key] = key === 'hyperparameters' || key === 'scheduleParams' ? { ...(current as object), ...(value as object) } : value;
    }
    if (!(OPTIMIZER_NAMES as readonly string[]).includes(this.optimizer)) this.chooseOptimizer(DEFAULTS.run.optimizer.name);
  }

  /** How the run is evaluated: one run, the same run with other seeds, or k-fold cross-validation (then a final model). */
  evaluation = $state<'single' | 'repeats' | 'cv'>('single');
  /** Seeds (repeats) or folds (cross-validation), 2–20. */
  evaluationCount = $state(5);

  /** What training:start adds for the evaluation chosen. */
  group(): { repeats?: number; cv?: number } {
    if (this.evaluation === 'repeats') return { repeats: this.evaluationCount };
    if (this.evaluation === 'cv') return { cv: this.evaluationCount };
    return {};
  }

  config(target: string): RunConfigInput {
    return {
      ...this.sources.dataInputs(),
      target,
      model: this.sources.modelSpec(),
      split: { validation: this.validationShare, test: this.testShare, stratify: true },
      optimizer: { ...this.#cleanHyperparameters(), name: this.optimizer, lr: this.lr } as RunConfigInput['optimizer'],
      schedule: this.scheduleConfig(),
      epochs: this.epochs || undefined,
      batchSize: this.batchSize || undefined,
      seed: this.seed,
      // Left out (undefined): on with the schema's patience when there is a validation split.
      earlyStopping: this.earlyStopping
        ? this.patience !== DEFAULTS.earlyStopping.patience && this.patience > 0
          ? { patience: this.patience }
          : undefined
        : null,
      clipNorm: this.clipNorm && this.clipNorm > 0 ? this.clipNorm : null,
      clipValue: this.clipValue && this.clipValue > 0 ? this.clipValue : null,
      reduceOnPlateau: this.reduceOnPlateau ? { factor: this.plateauFactor, patience: this.plateauPatience } : null,
      accumulationSteps: this.accumulationSteps > 1 ? this.accumulationSteps : 1,
      backend: this.backendPreference,
    };
  }

  /** The schedule as the run config has it: the kind, warmup, and the kind's own settings. */
  scheduleConfig(): RunConfigInput['schedule'] {
    const own: Record<string, number> = {};
    for (const { key } of SCHEDULE_FIELDS[this.schedule]) {
      const v = this.scheduleParams[key];
      if (Number.isFinite(v)) own[key] = v;
    }
    return { kind: this.schedule, warmupSteps: this.warmupSteps, ...own };
  }

  /** Pick another optimizer: its own hyperparameters at their defaults, and its default learning rate if the LR was the old one's. */
  chooseOptimizer(name: OptimizerName): void {
    if (this.lr === defaultLr(this.optimizer)) this.lr = defaultLr(name);
    this.optimizer = name;
    this.hyperparameters = optimizerDefaults(name);
  }

  /** The hyperparameters as numbers and booleans (a cleared number field falls back to its default). */
  #cleanHyperparameters(): Record<string, number | boolean> {
    const defaults = optimizerDefaults(this.optimizer);
    const out: Record<string, number | boolean> = {};
    for (const [key, value] of Object.entries(this.hyperparameters)) {
      if (!(key in defaults)) continue;
      out[key] = typeof value === 'number' && !Number.isFinite(value) ? defaults[key] : value;
    }
    return out;
  }
}
