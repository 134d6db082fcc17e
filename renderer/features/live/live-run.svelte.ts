/**
 * The run the Live step follows: its status, progress, per-epoch history, events, Results and
 * decision surface, and the step series its charts draw. Series are plain arrays behind
 * $state.raw and replaced (not mutated), so Svelte does not proxy chart data (chart.js writes
 * into it). Events of other runs are ignored; `follow` switches to another run.
 */
import { isActive, type Surface, type EventPayload, type RunStatus, type RunSummary, type RunResults, type RunEventPayload, type TickworkApi, type EpochRecord, type BackendInfo } from '../../../shared/contract.js';
import type { RunConfigInput } from '../../../shared/run-config.js';
import type { ErrorBanner } from '../../lib/errors.svelte.js';
import { plainIssues, type PlainIssue } from '../../lib/plain-words.js';

export interface Point {
  x: number;
  y: number;
}

/**
 * Keep at most this many live points per step series; older ones are thinned 2:1 when it is
 * reached (what the charts can redraw 10 times a second). When a run ends, the series the service
 * kept (every step up to 4,000) replaces them.
 */
export const MAX_BATCH_POINTS = 2000;
/** Epochs that arrived are appended to the charts at most this often (ms). */
const EPOCH_FLUSH_MS = 200;
/** Runs whose latest decision surface is kept for follow() (about 20 KB each). */
const MAX_KEPT_SURFACES = 24;

function thin(points: Point[]): Point[] {
  return points.filter((_, i) => i % 2 === 0);
}

export class LiveRun {
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
  readonly #lastSurfaces = new Map<string, Surface>();
  /** The axes the user chose; kept for the next runs when their data has these columns. */
  surfaceAxes = $state.raw<{ x: string; y: string | null } | null>(null);

  // Series for the live charts
  batchLoss = $state.raw<Point[]>([]);
  lrSeries = $state.raw<Point[]>([]);
  gradNormSeries = $state.raw<Point[]>([]);
  trainLoss = $state.raw<Point[]>([]);
  validationLoss = $state.raw<Point[]>([]);

  /** A start request is on its way (Train stays disabled until the service answers). */
  starting = $state(false);
  /** Why the service refused the last Train, in plain words (null: it did not). */
  refusal = $state.raw<PlainIssue[] | null>(null);

  readonly running = $derived(isActive(this.status));
  /** The epoch the tick counter and the status line both show: the one in progress, or the last one recorded if newer. */
  readonly shownEpoch = $derived(Math.max(this.progress?.epoch ?? 0, this.history.at(-1)?.epoch ?? 0));
  /** The status line: while training, the epoch the ticks show (the service's message is only sent on a change of status). */
  readonly statusLine = $derived(this.status === 'training' && this.progress ? `training epoch ${this.shownEpoch}/${this.progress.epochs}` : this.message);
  /** Steps and samples per second now: 0 while paused (the last progress event's rates are from before the pause). */
  readonly rates = $derived(
    this.progress && this.status !== 'paused' ? { steps: this.progress.stepsPerSecond, samples: this.progress.samplesPerSecond } : { steps: 0, samples: 0 },
  );
  readonly modelId = $derived(this.run?.modelId ?? null);

  constructor(
    private readonly api: TickworkApi,
    private readonly errors: ErrorBanner,
  ) {
    api.onTrainingProgress((p) => {
      if (p.runId !== this.runId) return;
      this.progress = p;
      // Every step since the last event (a short run), else the event's own point.
      const ticks = p.steps ?? [{ step: p.step, lr: p.lr, loss: p.loss, gradNorm: p.gradNorm }];
      const append = (series: Point[], pick: (t: (typeof ticks)[number]) => number | null) => {
        const next = [...series];
        for (const t of ticks) {
          const y = pick(t);
          if (y !== null) next.push({ x: t.step, y });
        }
        return next.length > MAX_BATCH_POINTS ? thin(next) : next;
      };
      this.batchLoss = append(this.batchLoss, (t) => t.loss);
      this.lrSeries = append(this.lrSeries, (t) => t.lr);
      this.gradNormSeries = append(this.gradNormSeries, (t) => t.gradNorm);
    });
    // Epochs of a small dataset come hundreds a second: the first is shown at once, those that follow
    // within EPOCH_FLUSH_MS in one go after it (copying the history per epoch made the page fall behind
    // and a reload mid-run take 20 s).
    api.onTrainingEpoch(({ runId, record }) => {
      if (runId !== this.runId) return;
      this.#pendingEpochs.push(record);
      if (this.#epochTimer) return;
      this.#flushEpochs();
      this.#epochTimer = setTimeout(() => {
        this.#epochTimer = null;
        this.#flushEpochs();
      }, EPOCH_FLUSH_MS);
    });
    api.onTrainingEvent(({ runId, event }) => {
      if (runId === this.runId) this.events = [...this.events, event];
    });
    api.onTrainingResults(({ runId, results }) => {
      if (runId === this.runId) this.results = results;
    });
    api.onTrainingSurface((surface) => this.#surfaceArrived(surface));
    api.onTrainingImportance(({ runId, importance }) => {
      if (runId !== this.runId || !this.run) return;
      this.run = { ...this.run, importance };
      this.#axesByImportance();
    });
    api.onTrainingStatus((s) => {
      if (s.runId !== this.runId) return;
      this.status = s.status;
      this.message = s.message;
      if (s.backend) this.backend = s.backend;
      if (s.status === 'failed') this.errors.show(s.message);
      // Ended: the step series the service kept (every step of a short run) replaces the throttled live points.
      if (!isActive(s.status)) void this.#refresh().then(() => this.#loadSeries(s.runId));
    });
  }

  #surfaceArrived(surface: Surface): void {
    // Every run's latest surface is kept (a few, small), so a race's run can be shown later.
    this.#lastSurfaces.delete(surface.runId);
    this.#lastSurfaces.set(surface.runId, surface);
    if (this.#lastSurfaces.size > MAX_KEPT_SURFACES) this.#lastSurfaces.delete(this.#lastSurfaces.keys().next().value!);
    if (surface.runId !== this.runId) return;
    const wanted = this.surfaceAxes;
    const first = this.surface === null;
    this.surface = surface;
    // A new run starts on the default axes: switch to the ones the user chose, if it has them.
    const usable = (name: string | null) => name === null || surface.columns.includes(name);
    if (first && wanted && (wanted.x !== surface.x.name || wanted.y !== (surface.y?.name ?? null)) && usable(wanted.x) && usable(wanted.y)) {
      void this.setSurfaceAxes(wanted.x, wanted.y, false);
    }
    else this.#axesByImportance();
  }

  #pendingEpochs: EpochRecord[] = [];
  #epochTimer: ReturnType<typeof setTimeout> | null = null;

  #flushEpochs(): void {
    const last = this.history.at(-1)?.epoch ?? 0;
    const records = this.#pendingEpochs.filter((r) => r.epoch > last);
    this.#pendingEpochs = [];
    if (records.length === 0) return;
    this.history = [...this.history, ...records];
    this.trainLoss = [...this.trainLoss, ...records.map((r) => ({ x: r.step, y: r.train.loss }))];
    const validated = records.filter((r) => r.validation);
    if (validated.length > 0) this.validationLoss = [...this.validationLoss, ...validated.map((r) => ({ x: r.step, y: r.validation!.loss }))];
  }

  /** Forget the run on show: its series, history, results, events and surface. */
  #clear(): void {
    this.#pendingEpochs = [];
    if (this.#epochTimer) clearTimeout(this.#epochTimer);
    this.#epochTimer = null;
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
   * Show another run — one of a race, or an earlier one from the workspace: its epochs, results,
   * events, step series and latest surface so far, then its live events.
   */
  async follow(runId: string): Promise<void> {
    if (runId === this.runId) return;
    this.#clear();
    this.runId = runId;
    this.surface = this.#lastSurfaces.get(runId) ?? null;
    await this.#refresh();
    if (this.runId !== runId || !this.run) return;
    this.events = this.run.events;
    await this.#loadSeries(runId);
  }

  /**
   * The run's step series as the service keeps them (every step until a few thousand, then thinned
   * 2:1), and the surface if none has arrived yet. Points that arrived live after it come after it.
   */
  async #loadSeries(runId: string): Promise<void> {
    if (this.runId !== runId) return;
    const series = await this.errors.guard(() => this.api.runSeries({ runId }), { keep: true });
    if (!series || this.runId !== runId) return;
    const { steps } = series;
    const since = (points: Point[]) => points.filter((p) => p.x > (steps.at(-1)?.step ?? -1));
    const of = (pick: (s: (typeof steps)[number]) => number | null) =>
      steps.flatMap((s) => (typeof pick(s) === 'number' ? [{ x: s.step, y: pick(s)! }] : []));
    this.batchLoss = [...of((s) => s.loss), ...since(this.batchLoss)];
    this.lrSeries = [...of((s) => s.lr), ...since(this.lrSeries)];
    this.gradNormSeries = [...of((s) => s.gradNorm), ...since(this.gradNormSeries)];
    if (!this.surface && series.surface) this.surface = series.surface;
  }

  /** Show nothing (e.g. another dataset was opened and the run shown is of the old one). */
  clear(): void {
    this.#clear();
    this.runId = null;
    this.status = 'idle';
    this.message = 'idle';
  }

  /** Start a run with this config and follow it. Refused (bad settings, busy): the run shown stays, and `refusal` says why. */
  async start(
    datasetId: string,
    config: RunConfigInput,
    group: { repeats?: number; cv?: number } = {},
    onStarted: (runId: string) => void = () => undefined,
  ): Promise<boolean> {
    this.refusal = null;
    this.starting = true;
    let runId: string;
    let runIds: string[];
    try {
      // A group (seed repeats, cross-validation folds) is followed from its first run; Compare lists them all.
      ({ runId, runIds } = await this.api.startTraining({ datasetId, config, ...group }));
    } catch (err) {
      this.refusal = plainIssues(err instanceof Error ? err.message : String(err));
      return false;
    } finally {
      this.starting = false;
    }
    for (const id of runIds.length > 0 ? runIds : [runId]) onStarted(id);
    this.#clear();
    this.runId = runId;
    this.status = 'preparing';
    this.message = 'preparing data';
    // Status events may have arrived before we knew the runId.
    await this.#refresh();
    return true;
  }

  /** Refuse a Train here, before asking the service (the form knows what is wrong). */
  refuse(issues: PlainIssue[]): void {
    this.refusal = issues;
  }

  /** Forget the last refusal (the settings changed, or the user dismissed it). */
  dismissRefusal(): void {
    this.refusal = null;
  }

  async #refresh(): Promise<void> {
    const runId = this.runId;
    if (!runId) return;
    const run = await this.errors.guard(() => this.api.getRun({ runId }), { keep: true });
    // Another run was shown meanwhile (two quick clicks, back / forward): this answer is not for it.
    if (!run || this.runId !== runId) return;
    this.run = run;
    if (run.results) this.results = run.results;
    this.status = run.status;
    this.message = run.message;
    if (run.backend) this.backend = run.backend;
    if (run.history.length > this.history.length) {
      this.#pendingEpochs = this.#pendingEpochs.filter((r) => r.epoch > (run.history.at(-1)?.epoch ?? 0));
      this.history = run.history;
      this.trainLoss = run.history.map((r) => ({ x: r.step, y: r.train.loss }));
      this.validationLoss = run.history.filter((r) => r.validation).map((r) => ({ x: r.step, y: r.validation!.loss }));
    }
  }

  async togglePause(): Promise<void> {
    if (!this.runId) return;
    const runId = this.runId;
    await this.errors.guard<unknown>(() => (this.status === 'paused' ? this.api.resumeTraining({ runId }) : this.api.pauseTraining({ runId })));
  }

  /** Whether the user picked the surface's axes (then importance does not move them). */
  #axesChosen = false;

  /**
   * Once the run's permutation importance is known, the surface moves to its two most important
   * numeric inputs (unless the user chose axes); the next runs start there too.
   */
  #axesByImportance(): void {
    const ranked = this.run?.importance?.importance;
    const surface = this.surface;
    if (this.#axesChosen || !ranked || !surface || !surface.y) return;
    const numeric = ranked.filter((r) => surface.columns.includes(r.column)).map((r) => r.column);
    if (numeric.length < 2) return;
    const [x, y] = numeric;
    if (x === surface.x.name && y === surface.y.name) return;
    void this.setSurfaceAxes(x, y, false);
  }

  /** Draw the surface over x and y, or (y null) the response curve along x (the service answers with a training:surface event). */
  async setSurfaceAxes(x: string, y: string | null, byUser = true): Promise<void> {
    if (byUser) this.#axesChosen = true;
    this.surfaceAxes = { x, y };
    const runId = this.runId;
    if (!runId || x === y) return;
    await this.errors.guard(() => this.api.setSurfaceAxes({ runId, x, y }));
  }

  /** Change the learning rate of the running run from its next step (recorded as a run event). */
  async applyLr(lr: number): Promise<void> {
    const runId = this.runId;
    if (!runId || !this.running) return;
    await this.errors.guard(() => this.api.updateTraining({ runId, lr }));
  }

  /** Save a binary run's decision threshold with it and its model. */
  async useThreshold(threshold: number): Promise<void> {
    const runId = this.runId;
    if (!runId) return;
    const saved = await this.errors.guard(() => this.api.setRunThreshold({ runId, threshold }));
    if (!saved || this.runId !== runId) return;
    const results = this.results;
    if (results?.binary) this.results = { ...results, binary: { ...results.binary, threshold: saved.threshold } };
    if (this.run) this.run = { ...this.run, config: { ...this.run.config, threshold: saved.threshold } };
  }

  async stop(): Promise<void> {
    if (!this.runId) return;
    const runId = this.runId;
    await this.errors.guard(() => this.api.stopTraining({ runId }));
  }
}
