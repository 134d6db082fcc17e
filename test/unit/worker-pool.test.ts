/**
 * The worker pool with fake workers: a race gets up to `max` workers, a request goes to an idle
 * worker (a new one while all are busy and there is room), and extra workers are shut down once
 * idle. No real worker is started.
 */
import { describe, expect, it } from 'vitest';
import { WorkerPool } from '../../service/worker-pool';
import type { HostToWorker, WorkerEndpoint, WorkerLauncher, WorkerToHost } from '../../service/worker-protocol';

/** Fake workers that answer init at once and predictions when told to. */
function fakeWorkers() {
  const started: { posted: HostToWorker[]; terminated: boolean; answer(): void }[] = [];
  const launch: WorkerLauncher = (): WorkerEndpoint => {
    let listener: (m: WorkerToHost) => void = () => undefined;
    const worker = {
      posted: [] as HostToWorker[],
      terminated: false,
      answer() {
        for (const m of worker.posted.splice(0)) {
          if (m.type === 'predict') listener({ type: 'predicted', requestId: m.requestId, output: new Float32Array(m.rows), units: 1 });
        }
      },
    };
    started.push(worker);
    return {
      post: (m) => {
        if (m.type === 'init') queueMicrotask(() => listener({ type: 'ready', backend: { name: 'cpu', detail: 'fake', fallbacks: [] }, versions: {} }));
        else worker.posted.push(m);
      },
      onMessage: (l) => (listener = l),
      onExit: () => undefined,
      terminate: async () => {
        worker.terminated = true;
      },
    };
  };
  return { launch, started };
}

const artifacts = { modelJson: {} as never, weights: new Uint8Array(0) };
const tick = () => new Promise((r) => setTimeout(r, 5));

describe('worker pool', () => {
  it('gives a race up to max workers and spreads nothing beyond', () => {
    const { launch } = fakeWorkers();
    const pool = new WorkerPool(launch, 'auto', { max: 3 });
    expect(pool.size).toBe(1);
    expect(pool.forRace(5)).toHaveLength(3);
    expect(pool.size).toBe(3);
    expect(pool.forRace(2)).toHaveLength(2);
    expect(pool.size).toBe(3);
  });

  it('sends a request to an idle worker, starting one while the others are busy', async () => {
    const { launch, started } = fakeWorkers();
    const pool = new WorkerPool(launch, 'auto', { max: 2, idleMs: 10 });
    const first = pool.request((w) => w.predict('m1', artifacts, new Float32Array(3), 3, 1));
    await tick();
    expect(started).toHaveLength(1); // the first worker was idle
    const second = pool.request((w) => w.predict('m1', artifacts, new Float32Array(2), 2, 1));
    await tick();
    expect(started).toHaveLength(2); // the first is busy: a second worker takes it
    started.forEach((w) => w.answer());
    expect((await first).output).toHaveLength(3);
    expect((await second).output).toHaveLength(2);
    // Idle for idleMs: the extra worker is shut down, the first stays.
    await new Promise((r) => setTimeout(r, 40));
    expect(pool.size).toBe(1);
    expect(started[1].terminated).toBe(true);
    expect(started[0].terminated).toBe(false);
    await pool.dispose();
    expect(started[0].terminated).toBe(true);
  });

  it('with one worker allowed, a request waits its turn on it', async () => {
    const { launch, started } = fakeWorkers();
    const pool = new WorkerPool(launch, 'auto', { max: 1 });
    const a = pool.request((w) => w.predict('m', artifacts, new Float32Array(1), 1, 1));
    const b = pool.request((w) => w.predict('m', artifacts, new Float32Array(1), 1, 1));
    await tick();
    expect(started).toHaveLength(1);
    started[0].answer();
    await Promise.all([a, b]);
    await pool.dispose();
  });
});
