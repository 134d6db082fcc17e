/**
 * The worker pool: owns the training workers (TrainingWorkerHost, one process or thread each) and
 * decides which one does what. A single run goes to the least loaded worker; a race gets up to
 * `max` workers; a prediction or an LR sweep goes to an idle worker (starting one if there is
 * room), so a what-if answer does not wait for a training run. Workers beyond the first are shut
 * down after `idleMs` without work.
 */
import { availableParallelism } from 'node:os';
import type { BackendInfo } from '../shared/contract.js';
import type { BackendPreference } from '../shared/run-config.js';
import { TrainingWorkerHost } from './training-worker-host.js';
import type { WorkerLauncher } from './worker-protocol.js';

export interface WorkerPoolOptions {
  /** At most this many workers (default: cores − 1, at least 1). */
  max?: number;
  /** Extra workers idle this long are shut down (default 60 s). */
  idleMs?: number;
}

export class WorkerPool {
  readonly #hosts: TrainingWorkerHost[] = [];
  readonly #max: number;
  readonly #idleMs: number;
  #shrinkTimer: ReturnType<typeof setTimeout> | null = null;
  #disposed = false;

  constructor(
    private readonly launch: WorkerLauncher,
    private readonly backend: BackendPreference,
    options: WorkerPoolOptions = {},
  ) {
    this.#max = Math.max(1, options.max ?? availableParallelism() - 1);
    this.#idleMs = options.idleMs ?? 60_000;
    this.#hosts.push(this.#create());
  }

  #create(): TrainingWorkerHost {
    return new TrainingWorkerHost(this.launch, this.backend);
  }

  /** The first worker is always there: its backend is the one the app reports. */
  get primary(): TrainingWorkerHost {
    return this.#hosts[0];
  }

  get size(): number {
    return this.#hosts.length;
  }

  ready(): Promise<BackendInfo> {
    return this.primary.ready();
  }

  /** The least loaded worker (the first among equals). */
  #leastLoaded(): TrainingWorkerHost {
    return this.#hosts.reduce((best, h) => (h.load < best.load ? h : best), this.#hosts[0]);
  }

  /** A worker for one training run. */
  forRun(): TrainingWorkerHost {
    return this.#leastLoaded();
  }

  /** Workers for a race of `runs` runs: up to `max`, idle ones first; runs are spread over them in turn. */
  forRace(runs: number): TrainingWorkerHost[] {
    const want = Math.min(runs, this.#max);
    while (this.#hosts.length < want) this.#hosts.push(this.#create());
    return [...this.#hosts].sort((a, b) => a.load - b.load).slice(0, want);
  }

  /** Run a one-off request (a prediction, an LR sweep) on an idle worker; a new one if all are busy and there is room. */
  async request<T>(work: (host: TrainingWorkerHost) => Promise<T>): Promise<T> {
    let host = this.#hosts.find((h) => h.load === 0);
    if (!host && this.#hosts.length < this.#max) this.#hosts.push((host = this.#create()));
    try {
      return await work(host ?? this.#leastLoaded());
    } finally {
      this.released();
    }
  }

  /** A run or request ended: extra workers that stay idle are shut down later. */
  released(): void {
    if (this.#disposed || this.#hosts.length <= 1 || this.#shrinkTimer) return;
    this.#shrinkTimer = setTimeout(() => {
      this.#shrinkTimer = null;
      this.#shrink();
    }, this.#idleMs);
    this.#shrinkTimer.unref?.();
  }

  #shrink(): void {
    const extra = this.#hosts.slice(1).filter((h) => h.load === 0);
    for (const host of extra) {
      this.#hosts.splice(this.#hosts.indexOf(host), 1);
      void host.dispose();
    }
    if (this.#hosts.length > 1) this.released();
  }

  /** Drop a model every worker may have cached for predictions. */
  forget(modelId: string): void {
    for (const host of this.#hosts) host.forget(modelId);
  }

  async dispose(): Promise<void> {
    this.#disposed = true;
    if (this.#shrinkTimer) clearTimeout(this.#shrinkTimer);
    await Promise.all(this.#hosts.map((h) => h.dispose()));
  }
}
