/**
 * The WorkbenchService: transport-agnostic plain Node code that implements the contract. It is
 * a façade — one handler per request channel, named by the channel, each delegating to the owner
 * of its concern:
 *
 *   EventBus        events to every transport            event-bus.ts
 *   DatasetStore    open, profile, check, preview        datasets.ts
 *   run planner     request → complete RunConfig (pure)  run-planner.ts
 *   RunRegistry     run sessions, one training at a time runs.ts, run-session.ts
 *   ModelRegistry   predictions, scoring, export         model-registry.ts
 *   WorkerPool      the training workers                 worker-pool.ts
 *
 * No tfjs here: data preparation is plain JavaScript; training and prediction happen in workers.
 * Served over Electron IPC, over a WebSocket (browser mode) and from the CLI, always through the
 * validating dispatcher (dispatch.ts).
 */
import { totalmem } from 'node:os';
import type { EventChannel, RequestHandlers, RequestOutput, RequestParsedInput, RunSummary } from '../shared/contract.js';
import { TickworkError } from '../shared/errors.js';
import type { BackendPreference } from '../shared/run-config.js';
import { DatasetStore } from './datasets.js';
import type { DataReader } from './data-reader.js';
import { EventBus, type Listener } from './event-bus.js';
import { ModelRegistry } from './model-registry.js';
import { describePlan, encodeRun, planRun, type PlannedRun } from './run-planner.js';
import { RunRegistry } from './runs.js';
import { importRun } from './run-import.js';
import { exportRecipe } from './recipe-export.js';
import { paths } from './runtime.js';
import { RunGroups } from './run-groups.js';
import { ModelServing } from './model-serving.js';
import { explainModel, partialDependenceOf } from './model-explain.js';
import { WorkerPool, type WorkerPoolOptions } from './worker-pool.js';
import type { WorkerLauncher } from './worker-protocol.js';
import type { Workspace } from './workspace/workspace.js';
import { WritePolicy } from './write-policy.js';
import { sweepStaleTempDirs } from './temp-dirs.js';

export interface WorkbenchOptions {
  version: string;
  /** Folder with the bundled dataset files (iris.csv). */
  datasetsDir: string;
  launchWorker: WorkerLauncher;
  /** Where datasets, runs and models are kept (Workspace.inMemory() keeps nothing). */
  workspace: Workspace;
  backend?: BackendPreference;
  workers?: WorkerPoolOptions;
  /** Where requests may write files (browser mode: only under chosen roots; default anywhere). */
  writes?: WritePolicy;
  /** Who reads dataset files: the data worker (servers, the desktop app) or this thread (default; the CLI's one-shot commands). */
  reader?: DataReader;
}

export class WorkbenchService implements RequestHandlers {
  readonly #bus = new EventBus();
  readonly #pool: WorkerPool;
  readonly #datasets: DatasetStore;
  readonly #models: ModelRegistry;
  readonly #runs: RunRegistry;
  readonly #groups: RunGroups;
  readonly #serving: ModelServing;
  readonly #writes: WritePolicy;

  constructor(private readonly options: WorkbenchOptions) {
    // Temp folders (uploads, exports, scratch) of Tickwork processes that crashed: removed at this start.
    sweepStaleTempDirs();
    this.#pool = new WorkerPool(options.launchWorker, options.backend ?? 'auto', options.workers);
    this.#datasets = new DatasetStore(options.datasetsDir, this.#bus, options.workspace, options.reader);
    this.#models = new ModelRegistry(this.#pool, this.#bus, options.workspace, options.reader);
    this.#runs = new RunRegistry(this.#pool, { bus: this.#bus, models: this.#models, store: options.workspace.runs, version: options.version });
    this.#groups = new RunGroups(this.#runs, (input, config) => this.#plan({ ...input, config }));
    this.#serving = new ModelServing(this.#models, options.workspace);
    this.#writes = options.writes ?? WritePolicy.anywhere();
  }

  on<C extends EventChannel>(channel: C, listener: Listener<C>): () => void {
    return this.#bus.on(channel, listener);
  }

  /** Wait until a run has ended (for the CLI and tests). */
  waitForRun(runId: string): Promise<RunSummary> {
    return this.#runs.waitForRun(runId);
  }

  /** The workspace folder runs and models are kept in (null when it keeps nothing). */
  get keptIn(): string | null {
    return this.options.workspace.recording ? this.options.workspace.info.dir : null;
  }

  async dispose(): Promise<void> {
    await this.#serving.dispose();
    await this.#pool.dispose();
    await this.#datasets.close();
    await this.#models.settled();
    this.options.workspace.close();
  }

  // ------------------------------------------------------------ app and workspace

  async 'app:info'(): Promise<RequestOutput<'app:info'>> {
    return { version: this.options.version, backend: await this.#pool.ready(), workspace: this.options.workspace.info };
  }

  async 'workspace:get-state'({ key }: RequestParsedInput<'workspace:get-state'>) {
    return { state: this.options.workspace.state(key) ?? null };
  }

  async 'workspace:save-state'({ key, state }: RequestParsedInput<'workspace:save-state'>) {
    this.options.workspace.saveState(key, state);
    return { ok: true as const };
  }

  // ------------------------------------------------------------ datasets

  async 'dataset:list'() {
    return this.#datasets.listBundled();
  }

  async 'dataset:open'(input: RequestParsedInput<'dataset:open'>) {
    const summary = await this.#datasets.open(input);
    if (input.source.kind === 'file') this.#writes.openedFrom(input.source.path);
    return summary;
  }

  async 'dataset:cancel'() {
    return this.#datasets.cancel();
  }

  async 'dataset:rows'(input: RequestParsedInput<'dataset:rows'>) {
    return this.#datasets.rows(input);
  }

  async 'dataset:check'(input: RequestParsedInput<'dataset:check'>) {
    return this.#datasets.check(input);
  }

  async 'dataset:describe'({ datasetId }: RequestParsedInput<'dataset:describe'>) {
    return this.#datasets.get(datasetId).summary;
  }

  async 'dataset:recent'() {
    return this.#datasets.recent();
  }

  async 'dataset:reopen'(input: RequestParsedInput<'dataset:reopen'>) {
    return this.#datasets.reopen(input);
  }

  async 'dataset:choose'(input: RequestParsedInput<'dataset:choose'>) {
    return this.#datasets.choose(input);
  }

  // ------------------------------------------------------------ training

  /** A request planned on its dataset (and its test file, when one is named). */
  async #plan({ datasetId, config, testSource }: Pick<RequestParsedInput<'training:plan'>, 'datasetId' | 'config' | 'testSource'>): Promise<PlannedRun> {
    const entry = this.#datasets.get(datasetId);
    const test = testSource ? await this.#datasets.load(testSource) : null;
    // The backend the workers use decides the memory limit (wasm: 4 GiB per memory).
    // (A worker that cannot start is reported when training starts; the plan then checks the machine's memory only.)
    const backend = await this.#pool.ready().catch(() => null);
    return planRun(entry, config, test, { backend: backend?.name ?? 'unknown', machineBytes: totalmem() });
  }

  async 'training:plan'(input: RequestParsedInput<'training:plan'>) {
    return describePlan(await this.#plan(input));
  }

  async 'training:start'(input: RequestParsedInput<'training:start'>) {
    this.#runs.assertIdle();
    if (input.repeats) return this.#groups.repeats(input, input.repeats);
    if (input.cv) return this.#groups.crossValidate(input, input.cv);
    const prepared = encodeRun(await this.#plan(input), input.surface);
    this.#runs.assertIdle();
    const runId = await this.#runs.start(prepared);
    return { runId, runIds: [runId], groupId: null };
  }

  /** Every run of a group (seed repeats, cross-validation with its final model, a race) once all have ended. */
  waitForGroup(groupId: string): Promise<RunSummary[]> {
    return this.#groups.waitForGroup(groupId);
  }

  /** An optimizer race: the same data, split, initial weights and batch order (one seed), one run per optimizer. */
  async 'race:start'({ optimizers, repeats, ...input }: RequestParsedInput<'race:start'>) {
    this.#runs.assertIdle();
    // The runs of one seed differ only in their optimizer: the split, preprocessing, encoded parts
    // and surface basis are computed once per seed and shared (read-only; messages to the workers are copies).
    const seeds = Array.from({ length: repeats ?? 1 }, (_, i) => input.config.seed + i);
    const prepared = [];
    for (const seed of seeds) {
      const first = encodeRun(await this.#plan({ ...input, config: { ...input.config, seed, optimizer: optimizers[0] } }));
      for (const [i, optimizer] of optimizers.entries()) {
        if (i === 0) prepared.push(first);
        else {
          const config = { ...first.config, optimizer };
          prepared.push({ ...first, config, request: { ...first.request, config } });
        }
      }
    }
    this.#runs.assertIdle();
    const race = await this.#runs.startRace(prepared);
    this.#groups.track(race.raceId, race.runIds);
    return race;
  }

  async 'training:lr-find'({ minLr, maxLr, steps, ...input }: RequestParsedInput<'training:lr-find'>) {
    if (this.#runs.busy) throw new TickworkError('busy', 'A run is training. The LR finder can run when it has finished.');
    const { request } = encodeRun(await this.#plan(input));
    const sweep = await this.#pool.request((worker) => worker.findLearningRate(request, { minLr, maxLr, steps }));
    this.options.workspace.addSweep(input.datasetId, { ...input.config, minLr, maxLr, steps }, sweep);
    return sweep;
  }

  async 'training:stop'({ runId }: RequestParsedInput<'training:stop'>) {
    return { stopped: this.#runs.session(runId).stop() };
  }

  async 'training:pause'({ runId }: RequestParsedInput<'training:pause'>) {
    return { paused: this.#runs.session(runId).pause() };
  }

  async 'training:resume'({ runId }: RequestParsedInput<'training:resume'>) {
    return { resumed: this.#runs.session(runId).resume() };
  }

  async 'training:update'({ runId, lr, optimizer }: RequestParsedInput<'training:update'>) {
    return { queued: this.#runs.session(runId).update(lr, optimizer) };
  }

  async 'training:surface'({ runId, x, y }: RequestParsedInput<'training:surface'>): Promise<{ ok: true }> {
    await this.#runs.session(runId).setSurfaceAxes({ x, y });
    return { ok: true };
  }

  async 'run:list'() {
    return this.#runs.list();
  }

  async 'run:get'({ runId }: RequestParsedInput<'run:get'>) {
    return this.#runs.get(runId);
  }

  async 'run:series'({ runId }: RequestParsedInput<'run:series'>) {
    return this.#runs.series(runId);
  }

  async 'run:timeline'({ runId }: RequestParsedInput<'run:timeline'>) {
    return this.#runs.timeline(runId);
  }

  async 'run:snapshot'({ runId, epoch }: RequestParsedInput<'run:snapshot'>) {
    return this.#runs.snapshot(runId, epoch);
  }

  async 'run:update'(input: RequestParsedInput<'run:update'>) {
    return this.#runs.update(input);
  }

  async 'run:set-threshold'(input: RequestParsedInput<'run:set-threshold'>) {
    return this.#runs.setThreshold(input);
  }

  async 'run:import'({ dir }: RequestParsedInput<'run:import'>) {
    const { workspace, version } = this.options;
    return importRun(dir, { store: workspace.runs, models: this.#models, version, datasetIdOf: (sha) => workspace.datasetWithSha(sha) });
  }

  async 'run:delete'({ runId }: RequestParsedInput<'run:delete'>) {
    return this.#runs.delete(runId);
  }

  // ------------------------------------------------------------ models

  async 'model:get'({ modelId }: RequestParsedInput<'model:get'>) {
    return (await this.#models.get(modelId)).info;
  }

  /** An export folder or zip — or `run:ID`, the model of a run in the workspace (its last checkpoint when it was interrupted). */
  async 'model:load'(input: RequestParsedInput<'model:load'>) {
    if (input.dir.startsWith('run:')) return (await this.#models.get(await this.#runs.modelOf(input.dir.slice(4)))).info;
    return this.#models.load(input);
  }

  async 'model:predict'(input: RequestParsedInput<'model:predict'>) {
    return this.#models.predict(input);
  }

  async 'model:score-file'(input: RequestParsedInput<'model:score-file'>) {
    this.#writes.check(input.output, 'the scored file');
    return this.#models.scoreFile(input);
  }

  async 'model:export-recipe'(input: RequestParsedInput<'model:export-recipe'>) {
    this.#writes.check(input.dir, 'the PyTorch recipe');
    return exportRecipe(this.#models, input, { recipeScript: paths.pytorchRecipe(), datasetsDir: this.options.datasetsDir });
  }

  async 'model:export'(input: RequestParsedInput<'model:export'>) {
    this.#writes.check(input.dir, 'the export');
    return this.#models.export(input);
  }

  async 'model:explain'(input: RequestParsedInput<'model:explain'>) {
    return explainModel(this.#models, input);
  }

  async 'model:partial-dependence'(input: RequestParsedInput<'model:partial-dependence'>) {
    return partialDependenceOf({ models: this.#models, runs: this.#runs, datasets: this.#datasets }, input);
  }

  async 'model:serve'({ modelId }: RequestParsedInput<'model:serve'>) {
    return this.#serving.start(modelId);
  }

  async 'model:serve-stop'({ modelId }: RequestParsedInput<'model:serve-stop'>) {
    return this.#serving.stop(modelId);
  }

  async 'model:serve-stats'({ modelId }: RequestParsedInput<'model:serve-stats'>) {
    return this.#serving.stats(modelId);
  }
}
