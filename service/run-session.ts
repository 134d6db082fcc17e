/**
 * One training run, from the moment it is prepared to its end: its summary (status, history,
 * events, results, metrics), the worker that trains it, control (pause, resume, stop, changes
 * mid-run), its decision surface, its last checkpoint, and the model it hands to the registry.
 *
 * Lifecycle: preparing → training ⇄ paused → completed | stopped | failed. A failed run keeps
 * the model of its last checkpoint, so the work is not lost.
 */
import { randomUUID } from 'node:crypto';
import { isActive, type EventPayload, type RunGroup, type RunStatus, type RunSummary, type SplitMetrics } from '../shared/contract.js';
import { bestEpoch } from '../shared/monitor.js';
import { TickworkError } from '../shared/errors.js';
import { optimizerConfigSchema } from '../shared/optimizers.js';
import { outputUnits, summarizeNetwork } from '../shared/network.js';
import type { ModelArtifactsData } from '../models/io/model-files.js';
import { resultsOf, type Results } from '../models/train/results.js';
import { evaluateBinary } from '../models/evaluation/binary-evaluation.js';
import { permutationImportance } from '../models/evaluation/permutation-importance.js';
import type { EventBus } from './event-bus.js';
import type { ModelRegistry } from './model-registry.js';
import { runSplitOf } from '../models/io/run-split.js';
import type { PreparedRun } from './run-planner.js';
import { runResults } from './run-results.js';
import { RunSurface } from './run-surface.js';
import type { Finished, RunHandlers, TrainingWorkerHost } from './training-worker-host.js';
import type { RunEmit } from './worker-protocol.js';
import type { RunStore, StepPoint } from './workspace/run-store.js';
import { RunRecorder } from './run-recorder.js';

/** Results views (confusion matrix, curves, predictions) go out at most this often; epochs can be much faster. */
const RESULTS_INTERVAL_MS = 1000;

export interface RunSessionDeps {
  bus: EventBus;
  models: ModelRegistry;
  /** Where the run is recorded as it goes. */
  store: RunStore;
  version: string;
  /** Called once when the run has ended (any final status). */
  onEnded(session: RunSession): void;
}

export class RunSession {
  readonly runId = randomUUID();
  readonly summary: RunSummary;
  readonly surface: RunSurface;
  #pendingResults: { epoch: number; latest: Results } | null = null;
  #resultsTimer: ReturnType<typeof setTimeout> | null = null;
  #lastResultsAt = 0;
  /** The last surface drawn, kept with the run when it ends. */
  #lastSurface: EventPayload<'training:surface'> | null = null;
  /** Records the run in the workspace as it goes. */
  readonly #recorder: RunRecorder;

  constructor(
    private readonly prepared: PreparedRun,
    private readonly worker: TrainingWorkerHost,
    group: RunGroup | null,
    private readonly deps: RunSessionDeps,
  ) {
    const { entry, config, preprocessing } = prepared;
    this.summary = {
      runId: this.runId,
      seq: 0,
      name: '',
      tags: [],
      notes: '',
      origin: 'local',
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
      warnings: [],
      baselines: null,
      importance: null,
      versions: { tickwork: deps.version },
      modelId: null,
      raceId: group?.kind === 'race' ? group.id : null,
      group,
      parameters: summarizeNetwork(config.model, config.task, preprocessing.encoded.length, preprocessing.labels?.length ?? 1).trainable,
      startedAt: new Date().toISOString(),
      finishedAt: null,
    };
    this.surface = new RunSurface(entry.loaded.table, prepared.surfaceBasis, preprocessing, prepared.surface);
    const split = prepared.request.validation ? 'validation' : 'train';
    this.#recorder = new RunRecorder(
      deps.store,
      this.runId,
      (epoch, latest) => {
        const full = runResults(entry.loaded.table, config, preprocessing, null, epoch, split, latest);
        return full.results.kind === 'classification' ? { ...full, results: { ...full.results, scores: null } } : full;
      },
      () => this.#lastSurface,
      () => this.worker.control(this.runId, { type: 'stop' }),
    );
  }

  /** The step series so far (thinned past a few thousand points). */
  get steps(): StepPoint[] {
    return this.#recorder.steps;
  }

  /** The last decision surface drawn (null before the first). */
  get lastSurface(): EventPayload<'training:surface'> | null {
    return this.#lastSurface;
  }

  /** The table and training rows the run was trained on (for partial dependence). */
  get trainingData(): { table: PreparedRun['entry']['loaded']['table']; rows: Int32Array } {
    return { table: this.prepared.entry.loaded.table, rows: this.prepared.split.train };
  }

  get active(): boolean {
    return isActive(this.summary.status);
  }

  /** Record the run, then hand it to its worker; resolves once the worker has it (not when it ends). */
  async start(): Promise<void> {
    const { request, entry, config, preprocessing } = this.prepared;
    // Recorded before anything else: from here on a crash leaves it `interrupted` with what was committed.
    this.#recorder.started(this.summary, preprocessing);
    const left = entry.loaded.table.columnNames.filter((c) => c !== config.target && !config.features.includes(c));
    const counts =
      `${request.train.rows} training, ${request.validation?.rows ?? 0} validation, ${request.test?.rows ?? 0} test rows` +
      (left.length > 0 ? `; left out: ${left.join(', ')}` : '');
    this.#setStatus('preparing', `preparing data: ${counts}`);
    try {
      const backend = await this.worker.ready();
      this.summary.backend = backend;
      this.summary.versions = { ...this.summary.versions, ...this.worker.versions };
      this.#setStatus('training', `training on ${backend.name}`);
      await this.worker.train({ type: 'train', runId: this.runId, ...request, surface: this.surface.input }, this.#handlers());
    } catch (err) {
      this.#finish('failed', `failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  #handlers(): RunHandlers {
    return {
      onEmit: (message) => this.#record(message),
      onResults: (epoch, latest) => {
        this.#recorder.epochResults(epoch, latest);
        // At most one Results update a second (epochs can be much faster); the last one always follows.
        this.#pendingResults = { epoch, latest };
        if (this.#resultsTimer) return;
        const wait = Math.max(0, this.#lastResultsAt + RESULTS_INTERVAL_MS - Date.now());
        this.#resultsTimer = setTimeout(() => this.#flushResults(), wait);
      },
      onSurface: (step, epoch, output) => {
        // Outputs for an older grid (the axes just changed) no longer fit, and NaN outputs make no picture: skip them.
        const { config, preprocessing } = this.prepared;
        if (!this.surface.fits(output, outputUnits(config.task, preprocessing.labels?.length ?? 1))) return;
        this.#emitSurface(this.surface.event(this.runId, output, { step, epoch, final: false, targetStats: preprocessing.targetStats }));
      },
      onCheckpoint: (epoch, artifacts) => this.#recorder.checkpointed(epoch, artifacts),
      onFinished: (result) => void this.#finished(result),
      onError: (message) => this.#finish('failed', this.#keepCheckpoint(`failed: ${message}`)),
    };
  }

  /** A contract event from the worker: recorded with the run, then forwarded to the page as it is. */
  #record(message: RunEmit): void {
    const run = this.summary;
    switch (message.channel) {
      case 'training:progress': {
        const p = message.payload;
        run.message = `training epoch ${p.epoch}/${p.epochs}`;
        // Every step of a short run (the event lists them), else the event's own point.
        if (p.steps) for (const t of p.steps) this.#recorder.step(t);
        else this.#recorder.step({ step: p.step, loss: p.loss, lr: p.lr, gradNorm: p.gradNorm });
        break;
      }
      case 'training:epoch':
        run.history.push(message.payload.record);
        this.#recorder.epoch(message.payload.record);
        break;
      case 'training:event': {
        const { event } = message.payload;
        run.events.push(event);
        this.#recorder.event(run.events.length, event);
        if (event.kind === 'paused') this.#setStatus('paused', `paused at step ${event.step}`);
        if (event.kind === 'resumed') this.#setStatus('training', `training on ${run.backend?.name ?? 'the worker'}`);
        break;
      }
    }
    this.deps.bus.emit(message.channel, message.payload as never);
  }

  async #finished(result: Finished): Promise<void> {
    const run = this.summary;
    run.history = result.history;
    run.events = result.events;
    run.metrics = result.metrics;
    run.backend = result.backend;
    run.warnings = result.warnings ?? [];
    run.baselines = result.baselines ?? null;
    if (this.#recorder.failed) return this.#finish('failed', this.#keepCheckpoint(this.#recorder.failed));
    if (result.status === 'failed') return this.#finish('failed', this.#keepCheckpoint(`failed: ${result.message}`));
    const note = await this.#register(result.artifacts, result.metrics, `${run.name || `run ${this.runId}`}`, 'run');
    await this.#finalResults().catch(() => undefined); // the last epoch's results stay if these cannot be made
    const warned = run.warnings.length > 0 ? ` Warning: ${run.warnings[0].message}` : '';
    this.#finish(result.status, `${result.message}${note ? ` ${note}` : ''}${warned}`);
    void this.finalSurface().catch(() => undefined); // a missing picture is not worth failing the run
    void this.#importance().catch(() => undefined); // nor a missing importance chart
  }

  /** Which input columns the returned model relies on: permutation importance on the validation rows (5 repeats, ≤ 5,000 rows). */
  async #importance(): Promise<void> {
    const { entry, preprocessing, split, request, config } = this.prepared;
    const modelId = this.summary.modelId;
    const part = request.validation ?? request.train;
    const rows = request.validation ? split.validation : split.train;
    if (!modelId || preprocessing.inputs.length < 2 || rows.length !== part.rows) return;
    const result = await permutationImportance({
      spec: preprocessing,
      table: entry.loaded.table,
      rows,
      y: part.y,
      predict: async (x, n, cols) => (await this.deps.models.outputs(modelId, x, n, cols)).output,
      repeats: 5,
      seed: config.seed,
      maxRows: 5000,
    });
    const importance = { ...result, importance: result.importance.map(({ column, mean, std }) => ({ column, mean, std })) };
    this.summary.importance = importance;
    this.#recorder.importance(importance);
    this.deps.bus.emit('training:importance', { runId: this.runId, importance });
  }

  /**
   * The Results of the model the run returned — the one its final metrics, its export and its
   * predictions describe (after early stopping restored its best epoch) — in place of the last
   * epoch's, saying which epoch that model is.
   */
  async #finalResults(): Promise<void> {
    const { request, config, preprocessing, entry, resultRows } = this.prepared;
    const { modelId, history, events } = this.summary;
    const part = request.validation ?? (resultRows ? request.train : null);
    if (!modelId || !part || history.length === 0) return;
    const { output } = await this.deps.models.outputs(modelId, part.x, part.rows, part.cols);
    const restored = (config.earlyStopping?.restoreBestWeights ?? false) && events.some((e) => e.kind === 'early-stop');
    const epoch = (restored ? bestEpoch(history, config.earlyStopping)?.epoch : undefined) ?? history.at(-1)!.epoch;
    // Results still waiting to go out describe an older model.
    if (this.#resultsTimer) clearTimeout(this.#resultsTimer);
    this.#resultsTimer = null;
    this.#pendingResults = null;
    const latest = resultsOf(config.task, output, part.y, preprocessing.labels?.length ?? 1, null);
    const results = runResults(entry.loaded.table, config, preprocessing, resultRows, epoch, request.validation ? 'validation' : 'train', latest, { final: true, restored });
    if (config.task === 'binary') {
      const threshold = config.threshold ?? 0.5;
      try {
        const { thresholds, calibration, gains } = evaluateBinary(output, part.y, { threshold });
        results.binary = { threshold, thresholds, calibration, gains };
      } catch {
        results.binary = null; // scores that are not probabilities (a diverged model): no threshold views
      }
    }
    this.summary.results = results;
    this.#recorder.results(results);
    this.deps.bus.emit('training:results', { runId: this.runId, results });
  }

  /** Hand a model to the registry (which writes it into the workspace); resolves with a note when it could not be saved. */
  #register(artifacts: ModelArtifactsData, metrics: SplitMetrics | null, source: string, kind: 'run' | 'checkpoint'): Promise<string | null> {
    const { config, preprocessing, request, surfaceBasis } = this.prepared;
    const { modelId, saved } = this.deps.models.registerRun(
      { runId: this.runId, config, preprocessing, artifacts, metrics, typical: surfaceBasis.typical, test: request.test, source,
        split: runSplitOf(this.prepared.entry.loaded, this.prepared.split, this.prepared.entry.missingTokens) },
      kind,
    );
    this.summary.modelId = modelId;
    return saved;
  }

  /** A failed run keeps the model of its last good epoch, so the work is not lost. */
  #keepCheckpoint(message: string): string {
    const checkpoint = this.#recorder.checkpoint;
    if (!checkpoint) return message;
    const record = this.summary.history.find((h) => h.epoch === checkpoint.epoch);
    const metrics = record ? { train: record.train, validation: record.validation, test: null } : null;
    void this.#register(checkpoint.artifacts, metrics, `${this.summary.name || `run ${this.runId}`}, checkpoint of epoch ${checkpoint.epoch}`, 'checkpoint');
    return `${message} The model from epoch ${checkpoint.epoch} (the last checkpoint) is kept.`;
  }

  #emitSurface(surface: EventPayload<'training:surface'>): void {
    this.#lastSurface = surface;
    this.deps.bus.emit('training:surface', surface);
  }

  #flushResults(): void {
    if (this.#resultsTimer) clearTimeout(this.#resultsTimer);
    this.#resultsTimer = null;
    const pending = this.#pendingResults;
    if (!pending) return;
    this.#pendingResults = null;
    this.#lastResultsAt = Date.now();
    const { entry, config, preprocessing, resultRows, request } = this.prepared;
    const split = request.validation ? 'validation' : 'train';
    const results = runResults(entry.loaded.table, config, preprocessing, resultRows, pending.epoch, split, pending.latest);
    this.summary.results = results;
    this.#recorder.results(results);
    this.deps.bus.emit('training:results', { runId: this.runId, results });
  }

  #finish(status: RunStatus, message: string): void {
    if (!this.active) return; // ends once
    this.#flushResults();
    const run = this.summary;
    run.finishedAt = new Date().toISOString();
    run.status = status;
    run.message = message;
    const outcome = {
      status,
      message,
      finishedAt: run.finishedAt,
      metrics: run.metrics,
      results: run.results,
      modelId: run.modelId,
      best: bestEpoch(run.history, this.prepared.config.earlyStopping),
      backend: run.backend,
      versions: run.versions,
      warnings: run.warnings,
      baselines: run.baselines,
    };
    this.#recorder.finished(outcome);
    this.#setStatus(status, message);
    this.deps.onEnded(this);
  }

  #setStatus(status: RunStatus, message: string): void {
    const run = this.summary;
    run.status = status;
    run.message = message;
    if (isActive(status)) this.#recorder.status(status, message, run.backend);
    this.deps.bus.emit('training:status', { runId: this.runId, status, message, backend: run.backend, modelId: run.modelId });
  }

  // ------------------------------------------------------------ control

  #assertActive(): void {
    if (!this.active) throw new TickworkError('bad_data', `Run ${this.runId} is not training (it is ${this.summary.status}).`);
  }

  stop(): boolean {
    return this.worker.control(this.runId, { type: 'stop' });
  }

  pause(): boolean {
    this.#assertActive();
    return this.worker.control(this.runId, { type: 'pause' });
  }

  resume(): boolean {
    this.#assertActive();
    return this.worker.control(this.runId, { type: 'resume' });
  }

  /** Change the learning rate or other hyperparameters from the next step; checked against the optimizer's schema first. */
  update(lr: number | undefined, optimizer: Record<string, number | boolean> | undefined): boolean {
    this.#assertActive();
    const current = this.summary.config.optimizer;
    const merged = optimizerConfigSchema.safeParse({ ...current, ...optimizer, ...(lr !== undefined ? { lr } : {}), name: current.name });
    if (!merged.success) throw new TickworkError('invalid_input', `training:update: ${merged.error.issues.map((i) => i.message).join('; ')}`);
    if (optimizer && 'name' in optimizer) throw new TickworkError('invalid_input', 'training:update: the optimizer itself cannot change mid-run; start a new run.');
    return this.worker.control(this.runId, { type: 'update', changes: { lr, optimizer } });
  }

  /** Draw the surface over other axes: the worker scores the new grid while training; a finished run's model draws it once. */
  async setSurfaceAxes(axes: { x: string; y: string | null }): Promise<void> {
    const grid = this.surface.setAxes(axes);
    const sent = this.active && this.worker.control(this.runId, { type: 'surface-grid', grid });
    if (!sent && this.summary.modelId) await this.finalSurface();
  }

  /** The surface of the finished run's model (best weights restored, outputs in target units). */
  async finalSurface(): Promise<void> {
    const grid = this.surface.input;
    const modelId = this.summary.modelId;
    if (!grid || !modelId) return;
    const { output } = await this.deps.models.outputs(modelId, grid.x, grid.rows, grid.cols);
    const last = this.summary.history.at(-1);
    const surface = this.surface.event(this.runId, output, { step: last?.step ?? 0, epoch: last?.epoch ?? 0, final: true, targetStats: null });
    this.#emitSurface(surface);
    this.#recorder.finalSurface(surface);
  }
}
