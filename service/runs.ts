/**
 * The runs owner: every run session of this service, which of them are active, and the rule
 * that one training (a single run or a race) goes at a time.
 */
import { randomUUID } from 'node:crypto';
import { isActive, type RunSummary } from '../shared/contract.js';
import { TickworkError } from '../shared/errors.js';
import type { PreparedRun } from './run-planner.js';
import { RunSession, type RunSessionDeps } from './run-session.js';
import type { WorkerPool } from './worker-pool.js';

export class RunRegistry {
  readonly #sessions = new Map<string, RunSession>();
  readonly #active = new Set<RunSession>();

  constructor(
    private readonly pool: WorkerPool,
    private readonly deps: Omit<RunSessionDeps, 'onEnded'>,
  ) {}

  get(runId: string): RunSession {
    const session = this.#sessions.get(runId);
    if (!session) throw new TickworkError('not_found', `No run with id ${runId}.`);
    return session;
  }

  list(): RunSummary[] {
    return [...this.#sessions.values()].map((s) => s.summary);
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

  /** Start a race: the runs spread over up to (cores − 1) workers; runs sharing a worker interleave step by step. */
  async startRace(prepared: PreparedRun[]): Promise<{ raceId: string; runIds: string[] }> {
    const raceId = randomUUID();
    const workers = this.pool.forRace(prepared.length);
    const runIds: string[] = [];
    for (const [i, p] of prepared.entries()) runIds.push(await this.#launch(p, workers[i % workers.length], raceId));
    return { raceId, runIds };
  }

  async #launch(prepared: PreparedRun, worker: ReturnType<WorkerPool['forRun']>, raceId: string | null): Promise<string> {
    const session = new RunSession(prepared, worker, raceId, {
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
    const session = this.get(runId);
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
