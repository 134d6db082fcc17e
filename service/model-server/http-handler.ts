/**
 * The scoring service's HTTP routes, inside a worker:
 *
 *   GET  /healthz                        200 while the process runs (no token)
 *   GET  /readyz                         200 when the models are loaded, 503 while draining (no token)
 *   GET  /v1/models                      {"models": [{name, task, labels, inputs}]}
 *   GET  /v1/models/<name>               the model card as JSON
 *   POST /v1/models/<name>/predict       JSON rows or a CSV body → predictions in the rows' order
 *   GET  /metrics                        Prometheus text (from the supervisor, all workers)
 *
 * Every route but the two health checks needs `Authorization: Bearer <token>`. Each request is
 * reported to the supervisor as counts and codes; nothing a client sent is logged.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { tokenChecker } from './auth.js';
import { HttpError } from './http-error.js';
import type { ModelSummary } from './model-card.js';
import type { Limits, RequestObservation, Route } from './protocol.js';
import { parseRows, readBody } from './request-body.js';
import type { ModelScorer } from './scorer.js';

export interface ServedModel {
  scorer: ModelScorer;
  summary: ModelSummary;
  card: Record<string, unknown>;
}

export interface HandlerOptions {
  models: Map<string, ServedModel>;
  token: string;
  limits: Limits;
  isDraining(): boolean;
  metrics(): Promise<{ contentType: string; text: string }>;
  observe(observation: RequestObservation): void;
}

/** After a refused body, at most this much more of it is read (and dropped) before the connection is cut. */
const DISCARD_LIMIT = 64 * 2 ** 20;

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, {
    'content-type': typeof body === 'string' ? (headers['content-type'] ?? 'text/plain; charset=utf-8') : 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(text)),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    ...headers,
  });
  res.end(text);
}

interface Outcome {
  model: string;
  route: Route;
  rows: number;
  rowsWithWarnings: number;
  drift: RequestObservation['drift'];
}

/** Route a path: which route, and which model it names (only a served one counts as named). */
function routeOf(path: string, models: Map<string, ServedModel>): { route: Route; name: string | null; model: string } {
  if (path === '/healthz' || path === '/readyz') return { route: 'health', name: null, model: '' };
  if (path === '/metrics') return { route: 'metrics', name: null, model: '' };
  if (path === '/v1/models' || path === '/v1/models/') return { route: 'models', name: null, model: '' };
  const match = /^\/v1\/models\/([^/]+)(\/predict)?\/?$/.exec(path);
  if (!match) return { route: 'unknown', name: null, model: '' };
  let name: string;
  try {
    name = decodeURIComponent(match[1]);
  } catch {
    return { route: 'unknown', name: null, model: '' };
  }
  return { route: match[2] ? 'predict' : 'card', name, model: models.has(name) ? name : '' };
}

function methodNotAllowed(allowed: string): HttpError {
  return new HttpError(405, 'method_not_allowed', `Use ${allowed} here.`, { allow: allowed });
}

export function createRequestHandler(options: HandlerOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const { models, limits } = options;
  const authorized = tokenChecker(options.token);
  const list = { models: [...models.values()].map((m) => m.summary) };

  type Reply = (status: number, body: unknown, headers?: Record<string, string>) => void;

  async function answer(req: IncomingMessage, send: Reply, outcome: Outcome, path: string, name: string | null): Promise<void> {
    const method = req.method ?? 'GET';
    if (outcome.route === 'health') {
      if (method !== 'GET' && method !== 'HEAD') throw methodNotAllowed('GET');
      if (path === '/healthz') return send(200, { status: 'ok' });
      if (options.isDraining()) return send(503, { status: 'draining' });
      return send(200, { status: 'ready' });
    }
    if (!authorized(req.headers.authorization)) {
      throw new HttpError(401, 'unauthorized', 'This service needs the token printed when it started: send the header "Authorization: Bearer <token>".');
    }
    switch (outcome.route) {
      case 'metrics': {
        if (method !== 'GET') throw methodNotAllowed('GET');
        const { contentType, text } = await options.metrics();
        return send(200, text, { 'content-type': contentType });
      }
      case 'models':
        if (method !== 'GET') throw methodNotAllowed('GET');
        return send(200, list);
      case 'card':
      case 'predict': {
        const served = name === null ? undefined : models.get(name);
        if (!served) {
          throw new HttpError(404, 'unknown_model', `No model is served under that name. Served: ${[...models.keys()].join(', ')} (GET /v1/models lists them).`);
        }
        if (outcome.route === 'card') {
          if (method !== 'GET') throw methodNotAllowed('GET');
          return send(200, served.card);
        }
        if (method !== 'POST') throw methodNotAllowed('POST');
        const body = await readBody(req, limits.maxBodyBytes);
        const { table, rowLabel } = parseRows(body, req.headers['content-type'], served.scorer.spec, limits);
        const result = await served.scorer.score(table, rowLabel);
        outcome.rows = result.predictions.length;
        outcome.rowsWithWarnings = result.rowsWithWarnings;
        outcome.drift = result.drift;
        return send(200, { model: served.summary.name, predictions: result.predictions, warnings: result.warnings });
      }
      default:
        throw new HttpError(404, 'not_found', 'Nothing here. The routes are GET /v1/models, GET /v1/models/<name>, POST /v1/models/<name>/predict, GET /metrics, GET /healthz, GET /readyz.');
    }
  }

  return (req, res) => {
    const started = process.hrtime.bigint();
    const path = (() => {
      try {
        return new URL(req.url ?? '/', 'http://localhost').pathname;
      } catch {
        return '';
      }
    })();
    const { route, name, model } = routeOf(path, models);
    const outcome: Outcome = { model, route, rows: 0, rowsWithWarnings: 0, drift: null };
    let error: string | undefined;
    req.on('error', () => undefined); // a reset connection is not a crash
    res.on('error', () => undefined);
    if (options.isDraining()) res.setHeader('connection', 'close');
    // Reported just before the answer is written, so a client that reads /metrics (or the app
    // stats()) after its answer sees its request counted; 499 when the client left first.
    let observed = false;
    const observeAs = (status: number) => {
      if (observed) return;
      observed = true;
      const ok = status === 200;
      options.observe({
        model: outcome.model,
        route: outcome.route,
        status,
        seconds: Number(process.hrtime.bigint() - started) / 1e9,
        rows: ok ? outcome.rows : 0,
        rowsWithWarnings: ok ? outcome.rowsWithWarnings : 0,
        drift: ok ? outcome.drift : null,
        ...(error ? { error } : {}),
      });
    };
    const reply: Reply = (status, body, headers) => {
      if (res.headersSent || res.destroyed) return;
      observeAs(status);
      send(res, status, body, headers);
    };
    res.once('close', () => observeAs(499));
    answer(req, reply, outcome, path, name).catch((err: unknown) => {
      const failure = err instanceof HttpError ? err : new HttpError(500, 'internal', 'The server failed to answer this request; it has been logged (as a code, without your data). Try again.');
      // A bug: logged by its kind and where it happened, not its message (which may quote data).
      error = err instanceof HttpError ? failure.code : `internal ${errorSite(err)}`;
      const headers: Record<string, string> = {};
      if (failure.status === 401) headers['www-authenticate'] = 'Bearer realm="tickwork"';
      if (failure.status === 405) headers.allow = String(failure.details.allow);
      if (!req.complete) {
        // The rest of a refused body is read and dropped (so the client sees the answer rather
        // than a reset), up to a limit past which the connection is cut.
        let discarded = 0;
        req.on('data', (chunk: Buffer) => {
          discarded += chunk.length;
          if (discarded > DISCARD_LIMIT) req.socket.destroy();
        });
        req.resume();
      }
      reply(failure.status, failure.body(), headers);
    });
  };
}

/** An error's name and the first frame of its stack ("TypeError at scorer.ts:51:12"): enough to find the bug, nothing a client sent. */
export function errorSite(err: unknown): string {
  const e = err instanceof Error ? err : new Error('non-Error thrown');
  const frame = (e.stack ?? '').split('\n').find((l) => l.trim().startsWith('at '));
  const place = frame ? /([^\s(/\\]+:\d+:\d+)\)?\s*$/.exec(frame)?.[1] : undefined;
  return `${e.name}${place ? ` at ${place}` : ''}`;
}

/** Malformed HTTP (bad request line, huge headers): answered plainly and the connection closed, never a crash. */
export function onClientError(err: NodeJS.ErrnoException, socket: Socket): void {
  if (!socket.writable || (err as { code?: string }).code === 'ECONNRESET') {
    socket.destroy();
    return;
  }
  const status = err.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout' : '400 Bad Request';
  socket.end(`HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
}
