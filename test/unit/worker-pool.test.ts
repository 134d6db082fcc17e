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
  const started: { posted: HostToWorker[]; terminated: boolean; answer(): void; trap(): void }[] = [];
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
      /** What the wasm backend answers once its heap is corrupt. */
      trap() {
        for (const m of worker.posted.splice(0)) {
          if (m.type === 'predict') listener({ type: 'request-error', requestId: m.requestId, message: 'memory access out of bounds' });
          if (m.type === 'train') listener({ type: 'run-error', runId: m.runId, message: 'memory access out of bounds' });
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

  it('a worker that hit a wasm trap is replaced: its work fails plainly, the next request gets a fresh worker', async () => {
    const { launch, started } = fakeWorkers();
    const pool = new WorkerPool(launch, 'auto', { max: 1 });
    const errors: string[] = [];
    const handlers = { onEmit() {}, onResults() {}, onSurface() {}, onCheckpoint() {}, onFinished() {}, onError: (m: string) => errors.push(m) };
    await pool.forRun().train({ type: 'train', runId: 'r1' } as never, handlers);
    await pool.forRun().train({ type: 'train', runId: 'r2' } as never, handlers);
    const doomed = pool.request((w) => w.predict('m', artifacts, new Float32Array(1), 1, 1));
    await tick();
    started[0].trap();
    await expect(doomed).rejects.toThrow(/^Prediction failed: The training worker ran out of memory and was replaced by a fresh one.*Another run or request on the same worker/);
    // Both runs on that worker fail with a message, none hangs.
    expect(errors).toHaveLength(2);
    expect(errors[0]).toMatch(/memory access out of bounds\. The training worker ran out of memory and was replaced/);
    expect(errors[1]).toMatch(/replaced by a fresh one/);
    expect(started[0].terminated).toBe(true);
    expect(pool.primary.replacements).toBe(1);
    // The next prediction starts a fresh worker and works.
    const next = pool.request((w) => w.predict('m', artifacts, new Float32Array(2), 2, 1));
    await tick();
    expect(started).toHaveLength(2);
    expect(started[1].posted.find((m) => m.type === 'predict')).toMatchObject({ artifacts }); // the model is sent again
    started[1].answer();
    expect((await next).output).toHaveLength(2);
    await pool.dispose();
  });
});
