/**
 * startModelServer: the scoring service's programmatic API, used by `tickwork serve-model` and
 * meant for the app's "Serve this model".
 *
 *   const server = await startModelServer({ models: ['./iris-model'], port: 0 });
 *   server.url, server.token            where it listens, what clients send as Bearer token
 *   server.stats()                      requests, rows, drift per input, active alerts
 *   await server.stop()                 drains in-flight requests, then the workers exit
 *
 * This process (the supervisor) stays free of tfjs: it checks the models, forks `workers`
 * processes with Node's cluster (they share one port; each loads every model once and answers
 * HTTP), and keeps the metrics, drift windows and alerts for all of them (monitor.ts). A worker
 * that crashes is replaced.
 */
import cluster, { type Worker } from 'node:cluster';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { exampleRow, readExportFolder, type ExportBundle } from '../../models/io/export-folder.js';
import { decisionThreshold } from '../../models/train/prediction.js';
import { TickworkError } from '../../shared/errors.js';
import type { BackendPreference } from '../../shared/run-config.js';
import { packageRoot } from '../runtime.js';
import type { AlertRules } from './alerts.js';
import { checkToken, generateToken } from './auth.js';
import { DEFAULT_DRIFT_WINDOW } from './drift-window.js';
import { modelSummary, modelVersionId, type ModelSummary } from './model-card.js';
import { resolveModelSources } from './model-source.js';
import { Monitor, type ServiceStats } from './monitor.js';
import type { BatchOptions, Limits, ModelRef, SupervisorToWorker, WorkerConfig, WorkerToSupervisor } from './protocol.js';

export interface ModelServerOptions {
  /** What follows each --model: an export folder or zip, NAME=PATH, or run:ID. */
  models: string[];
  /** The workspace run:ID refers to (null: $TICKWORK_WORKSPACE, else the per-user data folder). */
  workspace?: string | null;
  /** Default 127.0.0.1 (this machine only). */
  host?: string;
  /** Default 8780; 0 picks a free port. */
  port?: number;
  /** Worker processes sharing the port (default 1). */
  workers?: number;
  /** The bearer token; generated (32 random bytes) when absent. */
  token?: string;
  backend?: BackendPreference;
  limits?: Partial<Limits>;
  batch?: Partial<BatchOptions>;
  alerts?: Partial<AlertRules>;
  /** Rows in each model's drift window (default 1000). */
  driftWindow?: number;
  requestTimeoutMs?: number;
  drainTimeoutMs?: number;
  /** Where log lines go (default: stderr). They hold counts and codes, never request data. */
  log?: (line: string) => void;
  /** The worker bundle (default: dist/node/model-server-worker.cjs of this package). */
  workerScript?: string;
}

export interface ModelServer {
  url: string;
  host: string;
  port: number;
  token: string;
  /** Each served model, where it was read from, and a request row of typical training values. */
  models: Array<ModelSummary & { path: string; example: Record<string, string | number | null> }>;
  /** The tfjs backend the workers use. */
  backend: string;
  workers: number;
  stats(): ServiceStats;
  /** Stop accepting requests, answer those in flight, stop the workers. */
  stop(): Promise<void>;
  /** Settles when the server has stopped, by stop() or because no worker is left. */
  closed: Promise<void>;
}

export const DEFAULT_PORT = 8780;
export const DEFAULT_LIMITS: Limits = { maxBodyBytes: 16 * 2 ** 20, maxRows: 10_000 };
export const DEFAULT_BATCH: BatchOptions = { maxRows: 4096, maxWaitMs: 0 };
export const DEFAULT_ALERTS: AlertRules = { psi: 0.2, errorRate: null, latencyMs: null, webhook: null };
const MAX_RESTARTS_PER_MINUTE = 5;
const START_TIMEOUT_MS = 120_000;

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);
export const isLoopback = (host: string) => LOOPBACK.has(host) || /^127\.\d+\.\d+\.\d+$/.test(host);

function workerScript(): string {
  const script = join(packageRoot(), 'dist', 'node', 'model-server-worker.cjs');
  if (!existsSync(script)) throw new TickworkError('internal', `The scoring worker is not built (${script} is missing). Run: npm run build`);
  return script;
}

function positive(name: string, value: number, integer: boolean): number {
  if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    throw new TickworkError('invalid_input', `${name} must be a positive ${integer ? 'whole number' : 'number'}, received ${value}`);
  }
  return value;
}

function checkOptions(o: ModelServerOptions) {
  const port = o.port ?? DEFAULT_PORT;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new TickworkError('invalid_input', `--port must be a whole number from 0 to 65535, received ${port}`);
  const workers = o.workers ?? 1;
  if (!Number.isInteger(workers) || workers < 1 || workers > 64) throw new TickworkError('invalid_input', `--workers must be a whole number from 1 to 64, received ${workers}`);
  const limits: Limits = { ...DEFAULT_LIMITS, ...o.limits };
  positive('--max-body-mb', limits.maxBodyBytes, false);
  positive('--max-rows', limits.maxRows, true);
  const batch: BatchOptions = { ...DEFAULT_BATCH, ...o.batch };
  positive('batch rows', batch.maxRows, true);
  if (!(batch.maxWaitMs >= 0)) throw new TickworkError('invalid_input', `batch wait must be ≥ 0 ms, received ${batch.maxWaitMs}`);
  const alerts: AlertRules = { ...DEFAULT_ALERTS, ...o.alerts };
  if (alerts.psi !== null) positive('--alert-psi', alerts.psi, false);
  if (alerts.errorRate !== null && !(alerts.errorRate > 0 && alerts.errorRate <= 1)) {
    throw new TickworkError('invalid_input', `--alert-error-rate is a share of requests, above 0 and at most 1 (0.05 = 5%), received ${alerts.errorRate}`);
  }
  if (alerts.latencyMs !== null) positive('--alert-latency-ms', alerts.latencyMs, false);
  if (alerts.webhook !== null) {
    let url: URL | null = null;
    try {
      url = new URL(alerts.webhook);
    } catch {
      /* below */
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) throw new TickworkError('invalid_input', '--alert-webhook must be an http:// or https:// URL.');
  }
  const driftWindow = positive('--drift-window', o.driftWindow ?? DEFAULT_DRIFT_WINDOW, true);
  const host = o.host ?? '127.0.0.1';
  if (host.trim() === '') throw new TickworkError('invalid_input', '--host must be an address such as 127.0.0.1 or 0.0.0.0');
  return { port, workers, limits, batch, alerts, driftWindow, host };
}

/** A concrete free port for port 0, so that a replaced worker listens on the same one. */
function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen({ host, port: 0 }, () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

const formatHost = (host: string) => (host.includes(':') ? `[${host}]` : host);

/** Read and check every model here, before any worker starts, so a bad one is one plain error. */
async function loadBundles(refs: ModelRef[]): Promise<Array<{ ref: ModelRef; bundle: ExportBundle }>> {
  const out = [];
  for (const ref of refs) {
    const bundle = await readExportFolder(ref.path);
    decisionThreshold(bundle.preprocessing);
    out.push({ ref, bundle });
  }
  return out;
}

export async function startModelServer(options: ModelServerOptions): Promise<ModelServer> {
  const o = checkOptions(options);
  const log = options.log ?? ((line: string) => process.stderr.write(`tickwork serve-model: ${line}\n`));
  const token = options.token ?? generateToken();
  checkToken(token, 'token');
  const refs = await resolveModelSources(options.models, options.workspace ?? null);
  const loaded = await loadBundles(refs);
  const script = options.workerScript ?? workerScript();
  const port = o.port === 0 ? await freePort(o.host) : o.port;

  const live = new Set<Worker>();
  const monitor = new Monitor(
    loaded.map(({ ref, bundle }) => ({ name: ref.name, spec: bundle.preprocessing, version: modelVersionId(bundle) })),
    { rules: o.alerts, driftWindow: o.driftWindow, log, workers: () => live.size },
  );
  const config: WorkerConfig = {
    models: refs,
    host: o.host,
    port,
    token,
    limits: o.limits,
    batch: o.batch,
    backend: options.backend ?? 'auto',
    requestTimeoutMs: options.requestTimeoutMs ?? 30_000,
    drainTimeoutMs: options.drainTimeoutMs ?? 30_000,
  };

  let stopping = false;
  let backend = 'unknown';
  const restarts: number[] = [];
  let resolveClosed!: () => void;
  const closed = new Promise<void>((resolve) => (resolveClosed = resolve));
  let stopped: Promise<void> | null = null;

  cluster.setupPrimary({ exec: script, args: [], silent: false });

  /** Fork one worker; resolves when it listens, rejects when it cannot start. */
  const fork = (id: number): Promise<Worker> =>
    new Promise((resolve, reject) => {
      // ELECTRON_RUN_AS_NODE: started from Electron's main process, the worker is plain Node.
      const worker = cluster.fork({ TICKWORK_MODEL_SERVER_WORKER: String(id), ELECTRON_RUN_AS_NODE: '1' });
      live.add(worker);
      let listening = false;
      let drained = false;
      let failure: TickworkError | null = null;
      const timer = setTimeout(() => {
        failure = new TickworkError('internal', `worker ${id} did not start within ${START_TIMEOUT_MS / 1000} s.`);
        worker.kill();
      }, START_TIMEOUT_MS);
      worker.on('online', () => worker.send({ type: 'start', worker: id, config } satisfies SupervisorToWorker));
      worker.on('message', (message: WorkerToSupervisor) => {
        switch (message.type) {
          case 'listening':
            listening = true;
            backend = message.backend;
            clearTimeout(timer);
            resolve(worker);
            return;
          case 'start-failed':
            failure = new TickworkError(message.code, message.message);
            return;
          case 'reports':
            for (const o of message.observations) monitor.observe(o);
            for (const p of message.passes) monitor.forward(p.model, p.rows);
            for (const d of message.drift) monitor.drift(d.model, d.counts, d.rowsWithWarnings);
            return;
          case 'metrics?':
            void monitor.metrics().then(({ contentType, text }) => {
              if (worker.isConnected()) worker.send({ type: 'metrics', id: message.id, contentType, text } satisfies SupervisorToWorker);
            });
            return;
          case 'log':
            log(message.line);
            return;
          case 'drained':
            drained = true;
            return;
        }
      });
      worker.on('error', () => undefined); // IPC to a dying worker; its exit follows
      worker.on('exit', (code, signal) => {
        clearTimeout(timer);
        live.delete(worker);
        if (!listening) {
          reject(failure ?? new TickworkError('internal', `worker ${id} exited while starting (${signal ?? `code ${code}`}).`));
          return;
        }
        if (stopping) return;
        if (code === 0 || drained) {
          // It drained on its own (a signal sent to it): not replaced; the last one ends the server.
          if (live.size === 0) void stop();
          return;
        }
        const now = Date.now();
        restarts.push(now);
        while (restarts.length > 0 && now - restarts[0] > 60_000) restarts.shift();
        if (restarts.length > MAX_RESTARTS_PER_MINUTE) {
          log(`worker ${id} exited (${signal ?? `code ${code}`}); ${restarts.length} restarts within a minute, so the server stops.`);
          void stop();
          return;
        }
        log(`worker ${id} exited (${signal ?? `code ${code}`}); starting a new one.`);
        fork(id).catch((err: Error) => log(`worker ${id} could not be restarted: ${err.message}`));
      });
    });

  const stop = (): Promise<void> => {
    if (stopped) return stopped;
    stopping = true;
    stopped = (async () => {
      const drainMs = config.drainTimeoutMs + 2000;
      await Promise.all(
        [...live].map(
          (worker) =>
            new Promise<void>((resolve) => {
              if (worker.isDead()) return resolve();
              const kill = setTimeout(() => worker.process.kill('SIGKILL'), drainMs);
              worker.once('exit', () => {
                clearTimeout(kill);
                resolve();
              });
              if (worker.isConnected()) worker.send({ type: 'drain' } satisfies SupervisorToWorker);
              else worker.process.kill('SIGTERM');
            }),
        ),
      );
      await monitor.close();
      resolveClosed();
    })();
    return stopped;
  };

  try {
    await Promise.all(Array.from({ length: o.workers }, (_, i) => fork(i + 1)));
  } catch (err) {
    stopping = true;
    for (const worker of live) worker.process.kill('SIGKILL');
    throw err;
  }

  return {
    url: `http://${formatHost(o.host)}:${port}`,
    host: o.host,
    port,
    token,
    models: loaded.map(({ ref, bundle }) => ({ ...modelSummary(ref.name, bundle), path: ref.path, example: exampleRow(bundle.preprocessing) })),
    backend,
    workers: o.workers,
    stats: () => monitor.stats(),
    stop,
    closed,
  };
}
