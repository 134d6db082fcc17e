/**
 * The training worker as an owned object: starts it, waits for its backend, sends runs and
 * predictions, routes its messages by runId / requestId, and turns a crash into a failed run
 * with a plain message instead of a hang.
 */
import type { BackendInfo } from '../shared/contract.js';
import { TickworkError } from '../shared/errors.js';
import type { BackendPreference } from '../shared/run-config.js';
import type { ModelArtifactsData } from '../models/io/model-files.js';
import type { HyperparameterChanges } from '../models/train/callbacks.js';
import type { LrFinderOptions, LrFinderResult } from '../models/train/lr-finder.js';
import type { Results } from '../models/train/results.js';
import type { SurfaceInput } from '../models/train/surface-reporter.js';
import type { HostToWorker, RunEmit, TrainRequest, WorkerEndpoint, WorkerLauncher, WorkerToHost } from './worker-protocol.js';

export type Finished = Extract<WorkerToHost, { type: 'finished' }>;

/**
 * Errors after which the worker's memory cannot be trusted: a WebAssembly trap (the wasm backend's
 * heap is then corrupt and every later op fails the same way) or an allocation V8 refused.
 */
const POISONED = /memory access out of bounds|RuntimeError|out of memory|Array buffer allocation failed|Cannot allocate Wasm memory|WebAssembly\.Memory|Invalid typed array length|unreachable/i;

export function poisonsWorker(message: string): boolean {
  return POISONED.test(message);
}

const REPLACED = 'The training worker ran out of memory and was replaced by a fresh one, so the next run, prediction or sweep starts clean. Use a smaller network, batch or dataset for this one.';

export interface RunHandlers {
  /** A contract event of the run (progress, epoch, run event), as the worker sent it. */
  onEmit(message: RunEmit): void;
  onResults(epoch: number, results: Results): void;
  /** The decision-surface grid scored by the model as it trains (raw outputs, row-major). */
  onSurface(step: number, epoch: number, output: Float32Array): void;
  onCheckpoint(epoch: number, artifacts: ModelArtifactsData): void;
  onFinished(result: Finished): void;
  onError(message: string): void;
}

export class TrainingWorkerHost {
  private endpoint: WorkerEndpoint | null = null;
  private readyPromise: Promise<BackendInfo> | null = null;
  /** Library versions reported by the worker (tfjs, node). */
  versions: Record<string, string> = {};
  private readonly runs = new Map<string, RunHandlers>();
  /** Requests answered by requestId (predictions, LR finder). */
  private readonly pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  private readonly loadedModels = new Set<string>();
  private nextRequest = 1;
  private disposed = false;

  /** Runs and requests in flight: the pool sends new work to the least loaded worker. */
  get load(): number {
    return this.runs.size + this.pending.size;
  }

  constructor(
    private readonly launch: WorkerLauncher,
    private readonly backend: BackendPreference,
  ) {}

  /** Start the worker if needed; resolves with the backend it chose. */
  ready(): Promise<BackendInfo> {
    if (this.disposed) return Promise.reject(new TickworkError('internal', 'the training worker was shut down'));
    if (this.readyPromise) return this.readyPromise;
    const endpoint = this.launch();
    this.endpoint = endpoint;
    this.readyPromise = new Promise<BackendInfo>((resolve, reject) => {
      endpoint.onMessage((message) => {
        if (message.type === 'ready') {
          this.versions = message.versions;
          resolve(message.backend);
        }
        else if (message.type === 'init-failed') reject(new TickworkError('unsupported', message.message));
        else this.route(message);
      });
      endpoint.onExit(({ code, reason }) => {
        if (this.endpoint !== endpoint) return; // a worker already replaced (see replace())
        const why = `The training process stopped unexpectedly (${reason}).`;
        reject(new TickworkError('internal', why));
        this.crashed(code === 0 && this.disposed ? 'the training worker was shut down' : `${why} Start the run again; if it repeats, try --backend wasm.`);
      });
    });
    // A failed start must not poison later attempts.
    this.readyPromise.catch(() => undefined);
    endpoint.post({ type: 'init', backend: this.backend });
    return this.readyPromise;
  }

  private crashed(message: string): void {
    this.endpoint = null;
    this.readyPromise = null;
    this.loadedModels.clear();
    for (const [runId, handlers] of this.runs) {
      this.runs.delete(runId);
      handlers.onError(message);
    }
    for (const [id, pending] of this.pending) {
      this.pending.delete(id);
      pending.reject(new TickworkError('internal', message));
    }
  }

  private route(message: WorkerToHost): void {
    switch (message.type) {
      case 'emit':
        this.runs.get(message.runId)?.onEmit(message);
        return;
      case 'results':
        this.runs.get(message.runId)?.onResults(message.epoch, message.results);
        return;
      case 'surface':
        this.runs.get(message.runId)?.onSurface(message.step, message.epoch, message.output);
        return;
      case 'checkpoint':
        this.runs.get(message.runId)?.onCheckpoint(message.epoch, message.artifacts);
        return;
      case 'finished': {
        const handlers = this.runs.get(message.runId);
        this.runs.delete(message.runId);
        handlers?.onFinished(message);
        return;
      }
      case 'run-error': {
        const handlers = this.runs.get(message.runId);
        this.runs.delete(message.runId);
        if (poisonsWorker(message.message)) {
          handlers?.onError(`${message.message}. ${REPLACED}`);
          this.replace();
        } else handlers?.onError(message.message);
        return;
      }
      case 'predicted':
      case 'lr-found':
      case 'request-error': {
        const pending = this.pending.get(message.requestId);
        this.pending.delete(message.requestId);
        if (!pending) return;
        if (message.type === 'predicted') pending.resolve({ output: message.output, units: message.units });
        else if (message.type === 'lr-found') pending.resolve(message.result);
        else if (poisonsWorker(message.message)) {
          pending.reject(new TickworkError('internal', `${message.message}. ${REPLACED}`));
          this.replace();
        } else pending.reject(new TickworkError(message.code ?? 'internal', message.message));
        return;
      }
      default:
        return;
    }
  }

  async train(request: TrainRequest, handlers: RunHandlers): Promise<void> {
    await this.ready();
    this.runs.set(request.runId, handlers);
    this.endpoint!.post(request);
  }

  /** Send a control message to a running run; false when the run is not active. */
  control(
    runId: string,
    message: { type: 'stop' | 'pause' | 'resume' } | { type: 'update'; changes: HyperparameterChanges } | { type: 'surface-grid'; grid: SurfaceInput | null },
  ): boolean {
    if (!this.runs.has(runId) || !this.endpoint) return false;
    this.endpoint.post({ ...message, runId });
    return true;
  }

  private request<T>(build: (requestId: number) => HostToWorker): Promise<T> {
    const requestId = this.nextRequest++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(requestId, { resolve: resolve as (v: unknown) => void, reject });
      this.endpoint!.post(build(requestId));
    });
  }

  async predict(modelId: string, artifacts: ModelArtifactsData, x: Float32Array, rows: number, cols: number) {
    await this.ready();
    const send = this.loadedModels.has(modelId) ? null : artifacts;
    this.loadedModels.add(modelId);
    return this.request<{ output: Float32Array; units: number }>((requestId) => ({ type: 'predict', requestId, modelId, artifacts: send, x, rows, cols })).catch((err: Error) => {
      throw new TickworkError('internal', `Prediction failed: ${err.message}`);
    });
  }

  async findLearningRate(request: Omit<TrainRequest, 'type' | 'runId'>, options: LrFinderOptions): Promise<LrFinderResult> {
    await this.ready();
    return this.request<LrFinderResult>((requestId) => ({ type: 'lr-find', requestId, request, options }));
  }

  /** Drop a model the worker cached for predictions. */
  forget(modelId: string): void {
    if (this.loadedModels.delete(modelId)) this.endpoint?.post({ type: 'forget', modelId });
  }

  /** How many times this host's worker was replaced after a memory failure. */
  replacements = 0;

  /**
   * Replace a worker whose memory is no longer sound: whatever else it was doing fails with a
   * plain message, it is terminated, and the next request starts a fresh worker (ready()).
   */
  replace(): void {
    const old = this.endpoint;
    if (!old) return;
    this.replacements++;
    this.crashed(`${REPLACED} (Another run or request on the same worker hit the memory failure.)`);
    void old.terminate();
  }

  /** Stop runs, wait for the worker to exit (or kill it). */
  async dispose(): Promise<void> {
    this.disposed = true;
    for (const runId of this.runs.keys()) this.endpoint?.post({ type: 'stop', runId });
    const endpoint = this.endpoint;
    this.endpoint = null;
    if (endpoint) await endpoint.terminate();
  }
}
