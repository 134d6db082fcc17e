/**
 * A scoring-service worker: the process that loads tfjs and the models (once each) and answers
 * HTTP. Built as its own bundle (dist/node/model-server-worker.cjs) so the CLI, the service and
 * Electron's main process never load tfjs. Started by the supervisor with Node's cluster (the
 * workers share one listening port) and driven over process IPC (protocol.ts).
 *
 * On "drain" (or SIGTERM / SIGINT sent to the worker itself) it stops accepting connections,
 * answers the requests already in flight, then exits.
 */
import { createServer, type Server } from 'node:http';
import { selectBackend } from '../../models/backend.js';
import { artifactsToModel } from '../../models/io/artifacts.js';
import { readExportFolder } from '../../models/io/export-folder.js';
import { predictRows } from '../../models/train/loop.js';
import { TickworkError, type ErrorCode } from '../../shared/errors.js';
import { createRequestHandler, errorSite, onClientError, type ServedModel } from './http-handler.js';
import { modelCardJson, modelSummary } from './model-card.js';
import { addCounts } from './drift-counts.js';
import type { DriftReport, ForwardPass, RequestObservation, SupervisorToWorker, WorkerConfig, WorkerToSupervisor } from './protocol.js';
import { ModelScorer } from './scorer.js';

if (!process.send) {
  console.error('model-server-worker is started by "tickwork serve-model"; it cannot run on its own.');
  process.exit(2);
}

const post = (message: WorkerToSupervisor, then?: () => void) => {
  if (process.connected) process.send!(message, undefined, {}, () => then?.());
  else then?.();
};

// Reports are gathered and sent every REPORT_MS (and before a /metrics answer): one IPC message
// per request cost a seventh of a worker's time under load, one per event-loop turn still a
// tenth (measured with --cpu-prof on this machine).
const REPORT_MS = 25;
// Drift counts of small requests are added up into chunks of at least DRIFT_CHUNK_ROWS rows (a
// request's own counts are ~0.3 kB); a larger request stays a chunk of its own, so the drift
// window still drops old rows request by request.
const DRIFT_CHUNK_ROWS = 50;
const outbox: { observations: RequestObservation[]; passes: ForwardPass[]; drift: DriftReport[] } = { observations: [], passes: [], drift: [] };
let flushScheduled = false;
function flushReports(): void {
  flushScheduled = false;
  if (outbox.observations.length === 0 && outbox.passes.length === 0) return;
  post({ type: 'reports', observations: outbox.observations.splice(0), passes: outbox.passes.splice(0), drift: outbox.drift.splice(0) });
}
function report(kind: 'observations', item: RequestObservation): void;
function report(kind: 'passes', item: ForwardPass): void;
function report(kind: 'observations' | 'passes', item: RequestObservation | ForwardPass): void {
  if (kind === 'observations') {
    const o = item as RequestObservation;
    if (o.drift) {
      let open: DriftReport | undefined;
      for (let i = outbox.drift.length - 1; i >= 0 && !open; i--) if (outbox.drift[i].model === o.model) open = outbox.drift[i];
      if (open && open.counts.rows < DRIFT_CHUNK_ROWS && o.drift.rows < DRIFT_CHUNK_ROWS) {
        addCounts(open.counts, o.drift);
        open.rowsWithWarnings += o.rowsWithWarnings;
      } else outbox.drift.push({ model: o.model, counts: o.drift, rowsWithWarnings: o.rowsWithWarnings });
    }
    outbox.observations.push({ ...o, drift: null });
  } else outbox.passes.push(item as ForwardPass);
  if (!flushScheduled) {
    flushScheduled = true;
    setTimeout(flushReports, REPORT_MS);
  }
}
let workerId = 0;
const log = (line: string) => post({ type: 'log', line: `worker ${workerId}: ${line}` });

let server: Server | null = null;
let draining = false;
const pendingMetrics = new Map<number, (m: { contentType: string; text: string }) => void>();
let nextMetricsId = 0;

/** At most this many "request failed" lines per second; the rest are counted and summarized. */
const LOG_LINES_PER_SECOND = 10;
let logWindowStart = 0;
let logLines = 0;
let suppressed = 0;
function logFailure(o: RequestObservation): void {
  const now = Date.now();
  if (now - logWindowStart >= 1000) {
    if (suppressed > 0) log(`(${suppressed} more failed requests in the last second not shown)`);
    logWindowStart = now;
    logLines = 0;
    suppressed = 0;
  }
  if (logLines++ >= LOG_LINES_PER_SECOND) {
    suppressed++;
    return;
  }
  log(`${o.route}${o.model ? ` ${o.model}` : ''} → ${o.status} ${o.error ?? ''} (${(o.seconds * 1000).toFixed(1)} ms)`.trimEnd());
}

async function loadModels(config: WorkerConfig): Promise<Map<string, ServedModel>> {
  const models = new Map<string, ServedModel>();
  for (const ref of config.models) {
    const bundle = await readExportFolder(ref.path);
    const model = await artifactsToModel(bundle.artifacts);
    const scorer = new ModelScorer(ref.name, bundle.preprocessing, (x, rows, cols) => predictRows(model, x, rows, cols), config.batch, (pass) =>
      report('passes', { model: ref.name, ...pass }),
    );
    models.set(ref.name, { scorer, summary: modelSummary(ref.name, bundle), card: modelCardJson(ref.name, bundle) });
  }
  return models;
}

function listen(srv: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    srv.once('error', reject);
    srv.listen({ host, port }, () => {
      srv.off('error', reject);
      const address = srv.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}

async function start(config: WorkerConfig): Promise<void> {
  const backend = await selectBackend(config.backend);
  const models = await loadModels(config);
  const handler = createRequestHandler({
    models,
    token: config.token,
    limits: config.limits,
    isDraining: () => draining,
    metrics: () =>
      new Promise((resolve) => {
        const id = nextMetricsId++;
        pendingMetrics.set(id, resolve);
        flushReports(); // what this worker answered so far is counted first
        post({ type: 'metrics?', id });
      }),
    observe: (observation) => {
      report('observations', observation);
      if (observation.status >= 400) logFailure(observation);
    },
  });
  server = createServer({ requestTimeout: config.requestTimeoutMs, headersTimeout: Math.min(config.requestTimeoutMs, 20_000), keepAliveTimeout: 5000 }, handler);
  server.on('clientError', onClientError);
  const port = await listen(server, config.host, config.port);
  post({ type: 'listening', port, backend: backend.name });

  const drainTimeout = config.drainTimeoutMs;
  drainWith = () => {
    if (draining) return;
    draining = true;
    const srv = server!;
    // Keep-alive connections with nothing in flight close now; busy ones close after their answer.
    srv.close(() => {
      flushReports();
      // Exit once the last reports are written to the supervisor.
      post({ type: 'drained' }, () => process.exit(0));
    });
    srv.closeIdleConnections();
    const idle = setInterval(() => srv.closeIdleConnections(), 50);
    idle.unref();
    setTimeout(() => {
      log(`requests still running after ${drainTimeout / 1000} s of draining were cut off.`);
      srv.closeAllConnections();
      process.exit(0);
    }, drainTimeout).unref();
  };
}

let drainWith: () => void = () => process.exit(0);

process.on('message', (message: SupervisorToWorker) => {
  switch (message.type) {
    case 'start':
      workerId = message.worker;
      start(message.config).catch((err: unknown) => {
        const code: ErrorCode = err instanceof TickworkError ? err.code : (err as NodeJS.ErrnoException).code === 'EADDRINUSE' ? 'io' : 'internal';
        const e = err as NodeJS.ErrnoException;
        const text =
          e.code === 'EADDRINUSE'
            ? `port ${message.config.port} on ${message.config.host} is already in use. Stop what uses it, or choose another with --port (0 picks a free one).`
            : e.code === 'EADDRNOTAVAIL'
              ? `cannot listen on ${message.config.host}: this machine has no such address. Use 127.0.0.1 (this machine only) or one of its own addresses.`
              : e.code === 'EACCES'
                ? `not allowed to listen on port ${message.config.port}; ports below 1024 need extra rights. Choose a port above 1024.`
                : e.message;
        post({ type: 'start-failed', code, message: text });
        setImmediate(() => process.exit(1));
      });
      return;
    case 'metrics': {
      const resolve = pendingMetrics.get(message.id);
      pendingMetrics.delete(message.id);
      resolve?.({ contentType: message.contentType, text: message.text });
      return;
    }
    case 'drain':
      drainWith();
      return;
  }
});

// The supervisor went away (it crashed or was killed): nobody can stop this worker any more.
process.on('disconnect', () => drainWith());
process.on('SIGTERM', () => drainWith());
process.on('SIGINT', () => drainWith());
process.on('uncaughtException', (err) => {
  log(`unexpected error (${errorSite(err)}); this worker exits and the supervisor starts another.`);
  process.exit(1);
});
