/**
 * Train + live state: the run settings, the active run, and the series the live chart draws.
 * Series are plain arrays behind $state.raw and replaced (not mutated), so Svelte does not
 * proxy chart data (chart.js writes into it).
 */
import { isActive, type Surface, type EventPayload, type RunStatus, type RunSummary, type RunResults, type RunEventPayload, type TickworkApi, type EpochRecord, type BackendInfo } from '../../../shared/contract.js';
import type { BackendPreference, OptimizerName, RunConfigInput, ModelSpecInput, ScheduleConfig } from '../../../shared/run-config.js';
import { optimizerDefaults } from '../../../shared/optimizers.js';
import type { ErrorBanner } from '../../lib/errors.svelte.js';

export interface Point {
  x: number;
  y: number;
}

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

/** Keep at most this many batch-loss points; older ones are thinned 2:1 when it is reached. */
export const MAX_BATCH_POINTS = 2000;
/** Runs whose latest decision surface is kept for follow() (about 20 KB each). */
const MAX_KEPT_SURFACES = 24;

function thin(points: Point[]): Point[] {
  return points.filter((_, i) => i % 2 === 0);
}

export class TrainingState {
  // Settings
  validationShare = $state(0.15);
  testShare = $state(0.15);
  optimizer = $state<OptimizerName>('adam');
  /** The optimizer's other hyperparameters; reset to its defaults when the optimizer changes. */
  hyperparameters = $state<Record<string, number | boolean>>(optimizerDefaults('adam'));
  lr = $state(0.01);
  /** On: stop when validation loss stops improving for `patience` epochs, and keep the best weights. */
  earlyStopping = $state(true);
  patience = $state(10);
  /** Clip the global gradient norm to this (null or 0: no clipping). */
  clipNorm = $state<number | null>(null);
  /** Clip every gradient element to ±clipValue (null or 0: no clipping). */
  clipValue = $state<number | null>(null);
  /** On: multiply the learning rate by `plateauFactor` when validation loss stalls for `plateauPatience` epochs. */
  reduceOnPlateau = $state(false);
  plateauFactor = $state(0.5);
  plateauPatience = $state(5);
  accumulationSteps = $state(1);
  backendPreference = $state<BackendPreference>('auto');
  warmupSteps = $state(0);
  schedule = $state<ScheduleConfig['kind']>('constant');
  /** The schedule's own settings; only those of the chosen kind are sent (SCHEDULE_FIELDS). */
  scheduleParams = $state({ finalLr: 0, gamma: 0.5, stepSize: 1000, pctStart: 0.3, divFactor: 25, finalDivFactor: 1e4 });
  /** Empty (null) means auto: about 2,000 steps, 10–200 epochs, with early stopping. */
  epochs = $state<number | null>(null);
  /** Empty (null) means auto: 32, or the number of training rows if fewer. */
  batchSize = $state<number | null>(null);
  seed = $state(42);

  // The run
  runId = $state<string | null>(null);
  status = $state<RunStatus | 'idle'>('idle');
  message = $state('idle');
  backend = $state.raw<BackendInfo | null>(null);
  progress = $state.raw<EventPayload<'training:progress'> | null>(null);
  history = $state.raw<EpochRecord[]>([]);
  run = $state.raw<RunSummary | null>(null);
  results = $state.raw<RunResults | null>(null);
  events = $state.raw<RunEventPayload[]>([]);
  /** The decision surface, as the model learns, then for the final model. */
  surface = $state.raw<Surface | null>(null);
  /** The latest surface of each recent run (any run, races included), for follow(). */
  private readonly lastSurfaces = new Map<string, Surface>();
  /** The axes the user chose; kept for the next runs when their data has these columns. */
  surfaceAxes = $state.raw<{ x: string; y: string | null } | null>(null);

  // LR finder
  lrFinder = $state.raw<Awaited<ReturnType<TickworkApi['findLearningRate']>> | null>(null);
  findingLr = $state(false);

  // Series for the live chart
  batchLoss = $state.raw<Point[]>([]);
  lrSeries = $state.raw<Point[]>([]);
  gradNormSeries = $state.raw<Point[]>([]);
  trainLoss = $state.raw<Point[]>([]);
  validationLoss = $state.raw<Point[]>([]);

  readonly running = $derived(isActive(this.status));
  readonly modelId = $derived(this.run?.modelId ?? null);

  constructor(
    private readonly api: TickworkApi,
    private readonly errors: ErrorBanner,
  ) {
    api.onTrainingProgress((p) => {
      if (p.runId !== this.runId) return;
      this.progress = p;
      const append = (series: Point[], y: number) => {
        const next = [...series, { x: p.step, y }];
        return next.length > MAX_BATCH_POINTS ? thin(next) : next;
      };
      this.batchLoss = append(this.batchLoss, p.loss);
      this.lrSeries = append(this.lrSeries, p.lr);
      this.gradNormSeries = append(this.gradNormSeries, p.gradNorm);
    });
    api.onTrainingEpoch(({ runId, record }) => {
      if (runId !== this.runId) return;
      this.history = [...this.history, record];
      this.trainLoss = [...this.trainLoss, { x: record.step, y: record.train.loss }];
      if (record.validation) this.validationLoss = [...this.validationLoss, { x: record.step, y: record.validation.loss }];
    });
    api.onTrainingEvent(({ runId, event }) => {
      if (runId === this.runId) this.events = [...this.events, event];
    });
    api.onTrainingResults(({ runId, results }) => {
      if (runId === this.runId) this.results = results;
    });
    api.onTrainingSurface((surface) => {
      // Every run's latest surface is kept (a few, small), so a race's run can be shown later.
      this.lastSurfaces.delete(surface.runId);
      this.lastSurfaces.set(surface.runId, surface);
      if (this.lastSurfaces.size > MAX_KEPT_SURFACES) this.lastSurfaces.delete(this.lastSurfaces.keys().next().value!);
      if (surface.runId !== this.runId) return;
      const wanted = this.surfaceAxes;
      const first = this.surface === null;
      this.surface = surface;
      // A new run starts on the default axes: switch to the ones the user chose, if it has them.
      const usable = (name: string | null) => name === null || surface.columns.includes(name);
      if (first && wanted && (wanted.x !== surface.x.name || wanted.y !== (surface.y?.name ?? null)) && usable(wanted.x) && usable(wanted.y)) {
        void this.setSurfaceAxes(wanted.x, wanted.y);
      }
    });
    api.onTrainingStatus((s) => {
      if (s.runId !== this.runId) return;
      this.status = s.status;
      this.message = s.message;
      if (s.backend) this.backend = s.backend;
      if (s.status === 'failed') this.errors.show(s.message);
      if (s.status !== 'preparing' && s.status !== 'training' && s.status !== 'paused') void this.refreshRun();
    });
  }

  /** The data panel's column choices, merged into every run config (set by the app). */
  dataInputs: () => Pick<RunConfigInput, 'preprocessing' | 'task'> = () => ({});
  /** The Model panel's network (set by the app). */
  modelSpec: () => ModelSpecInput = () => ({});

  config(target: string): RunConfigInput {
    return {
      ...this.dataInputs(),
      target,
      model: this.modelSpec(),
      split: { validation: this.validationShare, test: this.testShare, stratify: true },
      optimizer: { ...this.cleanHyperparameters(), name: this.optimizer, lr: this.lr } as RunConfigInput['optimizer'],
      schedule: this.scheduleConfig(),
      epochs: this.epochs || undefined,
      batchSize: this.batchSize || undefined,
      seed: this.seed,
      // Left out (undefined): on with patience 10 when there is a validation split.
      earlyStopping: this.earlyStopping ? (this.patience !== 10 && this.patience > 0 ? { patience: this.patience } : undefined) : null,
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

  /** Pick another optimizer: its own hyperparameters at their defaults. */
  chooseOptimizer(name: OptimizerName): void {
    this.optimizer = name;
    this.hyperparameters = optimizerDefaults(name);
  }

  /** The hyperparameters as numbers and booleans (a cleared number field falls back to its default). */
  private cleanHyperparameters(): Record<string, number | boolean> {
    const defaults = optimizerDefaults(this.optimizer);
    const out: Record<string, number | boolean> = {};
    for (const [key, value] of Object.entries(this.hyperparameters)) {
      if (!(key in defaults)) continue;
      out[key] = typeof value === 'number' && !Number.isFinite(value) ? defaults[key] : value;
    }
    return out;
  }

  /** Forget the run on show: its series, history, results, events and surface. */
  private clearRun(): void {
    this.batchLoss = [];
    this.lrSeries = [];
    this.gradNormSeries = [];
    this.trainLoss = [];
    this.validationLoss = [];
    this.history = [];
    this.progress = null;
    this.run = null;
    this.results = null;
    this.events = [];
    this.surface = null;
  }

  /**
   * Show another run in Live — one of a race, or an earlier one: its epochs, results, events and
   * latest surface so far, then its live events (its step-by-step series start from here).
   */
  async follow(runId: string): Promise<void> {
    if (runId === this.runId) return;
    this.clearRun();
    this.runId = runId;
    this.surface = this.lastSurfaces.get(runId) ?? null;
    await this.refreshRun();
    if (this.runId === runId && this.run) this.events = this.run.events;
  }

  async start(datasetId: string, target: string): Promise<void> {
    await this.errors.guard(async () => {
      const config = this.config(target);
      this.clearRun();
      this.status = 'preparing';
      this.message = 'preparing data';
      try {
        const { runId } = await this.api.startTraining({ datasetId, config });
        this.runId = runId;
        // Status events may have arrived before we knew the runId.
        await this.refreshRun();
      } catch (err) {
        this.status = 'idle';
        this.message = 'idle';
        throw err;
      }
    });
  }

  private async refreshRun(): Promise<void> {
    if (!this.runId) return;
    const run = await this.errors.guard(() => this.api.getRun({ runId: this.runId! }), { keep: true });
    if (!run) return;
    this.run = run;
    if (run.results) this.results = run.results;
    this.status = run.status;
    this.message = run.message;
    if (run.backend) this.backend = run.backend;
    if (run.history.length > this.history.length) {
      this.history = run.history;
      this.trainLoss = run.history.map((r) => ({ x: r.step, y: r.train.loss }));
      this.validationLoss = run.history.filter((r) => r.validation).map((r) => ({ x: r.step, y: r.validation!.loss }));
    }
  }

  /** LR range test on a fresh copy of the model with the current settings. */
  async findLr(datasetId: string, target: string): Promise<void> {
    this.findingLr = true;
    try {
      const result = await this.errors.guard(() => this.api.findLearningRate({ datasetId, config: this.config(target), steps: 200 }));
      if (result) this.lrFinder = result;
    } finally {
      this.findingLr = false;
    }
  }

  get suggestedLr(): number | null {
    const s = this.lrFinder?.suggestions;
    return s ? (s.steepest ?? s.minLossOver10) : null;
  }

  async togglePause(): Promise<void> {
    if (!this.runId) return;
    const runId = this.runId;
    await this.errors.guard<unknown>(() => (this.status === 'paused' ? this.api.resumeTraining({ runId }) : this.api.pauseTraining({ runId })));
  }

  /** Draw the surface over x and y, or (y null) the response curve along x (the service answers with a training:surface event). */
  async setSurfaceAxes(x: string, y: string | null): Promise<void> {
    this.surfaceAxes = { x, y };
    const runId = this.runId;
    if (!runId || x === y) return;
    await this.errors.guard(() => this.api.setSurfaceAxes({ runId, x, y }));
  }

  /** Change the learning rate of the running run from its next step (recorded as a run event). */
  async applyLrNow(): Promise<void> {
    const runId = this.runId;
    if (!runId || !this.running) return;
    await this.errors.guard(() => this.api.updateTraining({ runId, lr: this.lr }));
  }

  async stop(): Promise<void> {
    if (!this.runId) return;
    const runId = this.runId;
    await this.errors.guard(() => this.api.stopTraining({ runId }));
  }
}
