/**
 * The runs owner: the run sessions of this process, the runs recorded in the workspace (this
 * process's and others'), which are active, and the rule that one training (a single run or a
 * race) goes at a time in a process.
 */
import { randomUUID } from 'node:crypto';
import { isActive, type RequestParsedInput, type RunGroup, type RunRow, type RunSnapshot, type RunSummary, type Surface } from '../shared/contract.js';
import { TickworkError } from '../shared/errors.js';
import type { PreparedRun } from './run-planner.js';
import { RunSession, type RunSessionDeps } from './run-session.js';
import type { WorkerPool } from './worker-pool.js';
import type { StepPoint } from './workspace/run-store.js';
import { processAlive } from '../models/process-alive.js';

export class RunRegistry {
  readonly #sessions = new Map<string, RunSession>();
  readonly #active = new Set<RunSession>();

  constructor(
    private readonly pool: WorkerPool,
    private readonly deps: Omit<RunSessionDeps, 'onEnded'>,
  ) {
    // Runs a crashed or killed process left active are interrupted, with what they committed.
    deps.store.markInterrupted(processAlive);
  }

  /** A run of this process that is training (or was trained here), for control. */
  session(runId: string): RunSession {
    const session = this.#sessions.get(runId);
    if (session) return session;
    if (this.deps.store.exists(runId)) {
      throw new TickworkError('bad_data', `Run ${this.deps.store.row(runId).name} is not training in this window (it is ${this.deps.store.row(runId).status}).`);
    }
    throw new TickworkError('not_found', `No run with id ${runId}.`);
  }

  /** A run id as given (the whole id, or 6+ characters of it) → the whole id. */
  resolve(given: string): string {
    return this.#sessions.has(given) ? given : this.deps.store.resolveId(given);
  }

  /** The session of a run trained in this process, if any. */
  sessionIfAny(runId: string): RunSession | null {
    return this.#sessions.get(runId) ?? null;
  }

  /** A run in full: this process's live summary, or what the workspace recorded. */
  get(given: string): RunSummary {
    const runId = this.resolve(given);
    return this.#sessions.get(runId)?.summary ?? this.deps.store.get(runId);
  }

  /** The run table: every run of the workspace, newest first. */
  list(): RunRow[] {
    return this.deps.store.list();
  }

  /** A run's step series and its last decision surface (live, or as kept with it when it ended). */
  series(given: string): { steps: StepPoint[]; surface: Surface | null } {
    const runId = this.resolve(given);
    const session = this.#sessions.get(runId);
    const steps = session?.steps ?? this.deps.store.steps(runId);
    return { steps, surface: (session?.lastSurface ?? this.deps.store.surface(runId)) as Surface | null };
  }

  timeline(given: string): { epochs: number[] } {
    return { epochs: this.deps.store.snapshotEpochs(this.resolve(given)) };
  }

  snapshot(given: string, epoch: number): RunSnapshot {
    const runId = this.resolve(given);
    const found = this.deps.store.snapshot(runId, epoch) as RunSnapshot | null;
    if (!found) throw new TickworkError('not_found', `Run ${this.deps.store.row(runId).name} has no snapshot of epoch ${epoch}; its timeline has epochs ${this.deps.store.snapshotEpochs(runId).slice(0, 8).join(', ') || 'none'}.`);
    return found;
  }

  update({ runId: given, ...changes }: RequestParsedInput<'run:update'>): RunRow {
    const runId = this.resolve(given);
    this.deps.store.update(runId, changes);
    const session = this.#sessions.get(runId);
    if (session) Object.assign(session.summary, changes.name !== undefined ? { name: changes.name } : {}, changes.tags ? { tags: changes.tags } : {}, changes.notes !== undefined ? { notes: changes.notes } : {});
    return this.deps.store.row(runId);
  }

  /** Save a binary run's decision threshold with it and its model. */
  async setThreshold({ runId: given, threshold }: RequestParsedInput<'run:set-threshold'>): Promise<{ threshold: number; modelId: string | null }> {
    const runId = this.resolve(given);
    const run = this.get(runId);
    if (run.config.task !== 'binary') throw new TickworkError('bad_data', `A decision threshold is for binary tasks; ${run.name} is ${run.config.task}.`);
    this.deps.store.setThreshold(runId, threshold);
    const session = this.#sessions.get(runId);
    if (session) session.summary.config = { ...session.summary.config, threshold };
    if (run.modelId) await this.deps.models.setThreshold(run.modelId, threshold);
    return { threshold, modelId: run.modelId };
  }

  /** Delete a run that has ended, and its model (files included). */
  delete(given: string): { deleted: true } {
    const runId = this.resolve(given);
    const session = this.#sessions.get(runId);
    if (session?.active) throw new TickworkError('busy', `Run ${session.summary.name} is still training. Stop it first, then delete it.`);
    const modelId = this.deps.store.delete(runId);
    if (modelId) this.deps.models.delete(modelId);
    this.#sessions.delete(runId);
    return { deleted: true };
  }

  /** The model of a run: the one it returned, or one rebuilt from its last checkpoint (an interrupted or failed run). */
  async modelOf(given: string): Promise<string> {
    const runId = this.resolve(given);
    const row = this.deps.store.row(runId);
    if (row.modelId) return row.modelId;
    if (isActive(row.status)) throw new TickworkError('busy', `Run ${row.name} is still training; its model is ready when it ends.`);
    const checkpoint = this.deps.store.checkpoint(runId);
    if (!checkpoint) throw new TickworkError('not_found', `Run ${row.name} has no model: it ended (${row.status}) before its first epoch was committed.`);
    const record = this.deps.store.get(runId).history.find((h) => h.epoch === checkpoint.epoch);
    const { modelId, saved } = this.deps.models.registerRun(
      {
        runId,
        config: checkpoint.config,
        preprocessing: checkpoint.preprocessing,
        artifacts: checkpoint.artifacts,
        metrics: record ? { train: record.train, validation: record.validation, test: null } : null,
        typical: {},
        test: null,
        source: `${row.name}, checkpoint of epoch ${checkpoint.epoch}`,
      },
      'checkpoint',
    );
    await saved;
    this.deps.store.setModel(runId, modelId);
    return modelId;
  }

  get busy(): boolean {
    return this.#active.size > 0;
  }

  /** Refuse a new training while one is running, saying where to stop it. */
  assertIdle(): void {
    if (this.#active.size === 0) return;
    const racing = [...this.#active].filter((s) => s.summary.raceId).length;
    throw new TickworkError(
      'busy',
      racing > 0
        ? `A race is still training (${racing} run${racing === 1 ? '' : 's'}). Stop it (Compare → Stop race), or wait for it to finish, before starting another run.`
        : 'A run is already training. Stop it, or wait for it to finish, before starting another.',
    );
  }

  /** Start one run on the least loaded worker. */
  async start(prepared: PreparedRun): Promise<string> {
    return this.#launch(prepared, this.pool.forRun(), null);
  }

  /**
   * Start a group of runs — a race, seed repeats, cross-validation folds — spread over up to
   * (cores − 1) workers; runs sharing a worker interleave step by step.
   */
  async startGroup(prepared: PreparedRun[], group: RunGroup): Promise<string[]> {
    const workers = this.pool.forRace(prepared.length);
    const runIds: string[] = [];
    for (const [i, p] of prepared.entries()) runIds.push(await this.#launch(p, workers[i % workers.length], group));
    return runIds;
  }

  /** Start a race: the same data and start, one run per optimizer (and seed). */
  async startRace(prepared: PreparedRun[]): Promise<{ raceId: string; runIds: string[] }> {
    const raceId = randomUUID();
    return { raceId, runIds: await this.startGroup(prepared, { id: raceId, kind: 'race' }) };
  }

  async #launch(prepared: PreparedRun, worker: ReturnType<WorkerPool['forRun']>, group: RunGroup | null): Promise<string> {
    const session = new RunSession(prepared, worker, group, {
      ...this.deps,
      onEnded: (ended) => {
        this.#active.delete(ended);
        this.pool.released();
      },
    });
    this.#sessions.set(session.runId, session);
    this.#active.add(session);
    await session.start();
    return session.runId;
  }

  /** Wait until a run has ended (for the CLI and tests); a paused run has not. */
  waitForRun(runId: string): Promise<RunSummary> {
    const session = this.session(runId);
    const ended = () => !isActive(session.summary.status);
    if (ended()) return Promise.resolve(session.summary);
    return new Promise((resolveRun) => {
      const off = this.deps.bus.on('training:status', (s) => {
        if (s.runId === runId && ended()) {
          off();
          resolveRun(session.summary);
        }
      });
    });
  }
}
