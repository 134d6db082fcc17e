/**
 * Browser mode: a small local HTTP server that serves the built renderer and the same API over
 * a WebSocket (`/api/ws`). Like Jupyter, it binds 127.0.0.1 by default and requires a random
 * token: the printed URL carries it (`?token=…`), the first page load turns it into a
 * SameSite=Strict cookie, and any request without it is refused with 403.
 *
 * Also: `POST /api/upload?name=…` stores a dataset the user picked in the browser (browsers
 * cannot hand over paths), `GET /api/models/<id>/export.zip` downloads an export and
 * `GET /api/models/<id>/recipe.zip` the run's PyTorch recipe.
 *
 * No request ends the process: the Host header must name this machine (server-guards.ts), a
 * malformed URL answers 400, uploads stop at a stated limit (413), every stream and socket has
 * an error path, and the WebSocket's limits and slow-reader policy live in ws-connection.ts.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { mkdir, readFile, rm, stat } from 'node:fs/promises';
import { basename, extname, join, normalize, resolve, sep } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import type { RequestChannel, RequestOutput } from '../shared/contract.js';
import { unwrapEnvelope } from '../shared/client.js';
import { refuseRelativePaths } from './browser-paths.js';
import { createDispatcher } from './dispatch.js';
import {
  allowedHosts,
  BAD_URL,
  decodedPath,
  hostMessage,
  hostOf,
  MAX_UPLOAD_BYTES,
  receiveBody,
  replyAndClose,
  requestUrl,
  TooLarge,
} from './server-guards.js';
import { MAX_FRAME_BYTES, serveConnection } from './ws-connection.js';
import { paths } from './runtime.js';
import { makeTempDir, removeTempDir } from './temp-dirs.js';
import type { WorkbenchService } from './workbench-service.js';

export interface ServerOptions {
  port: number;
  host: string;
  /** Folder of the built renderer; defaults to dist/renderer. */
  rendererDir?: string;
  /** Fixed token (tests); random otherwise. */
  token?: string;
}

export interface RunningServer {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

/** Client → server and server → client WebSocket frames. */
export type { ClientFrame, ServerFrame } from './ws-connection.js';

const COOKIE = 'tickwork_token';

/** What a request without the current token sees: how to get the current URL. */
const FORBIDDEN_PAGE = `<!doctype html><meta charset="utf-8"><title>Tickwork: access token needed</title>
<h1>This link does not carry Tickwork's current access token</h1>
<p>Tickwork's browser mode opens only with the URL it prints, which carries the access token. The token is kept with the
workspace, so a bookmarked URL keeps working — unless the token was renewed (<code>tickwork serve --new-token</code>)
or the server runs on another workspace.</p>
<p>On the machine that runs Tickwork, get the current URL with:</p>
<pre>tickwork serve --print-url</pre>`;

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.map': 'application/json',
  '.woff2': 'font/woff2',
};

/** The page's policy, as strict as the desktop app's (electron/csp.ts): no inline code or styles, and the API socket is this origin's. */
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

function sameToken(given: string | null | undefined, token: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function cookieToken(req: IncomingMessage): string | null {
  const header = req.headers.cookie ?? '';
  for (const part of header.split(';')) {
    const [k, v] = part.trim().split('=');
    if (k === COOKIE) return v ?? null;
  }
  return null;
}

function send(res: ServerResponse, status: number, body: string, type = 'text/plain; charset=utf-8'): void {
  res.writeHead(status, { 'content-type': type, 'x-content-type-options': 'nosniff' });
  res.end(body);
}

export async function startServer(service: WorkbenchService, options: ServerOptions): Promise<RunningServer> {
  const token = options.token ?? randomBytes(24).toString('hex');
  const rendererDir = resolve(options.rendererDir ?? paths.renderer());
  // Removed on close, at exit, and (after a crash) by the next service's sweep: temp-dirs.ts.
  const uploadsRoot = await makeTempDir('uploads');
  const exportsRoot = await makeTempDir('exports');
  const dispatch = createDispatcher(service, (err) => console.error('tickwork: internal error:', err));
  /** The HTTP routes call the service through the same validating dispatcher as the WebSocket. */
  const call = async (channel: RequestChannel, input: unknown) => unwrapEnvelope(await dispatch(channel, input));

  const authorized = (req: IncomingMessage, url: URL) =>
    sameToken(url.searchParams.get('token'), token) || sameToken(cookieToken(req), token);

  async function serveStatic(req: IncomingMessage, res: ServerResponse, url: URL, setCookie: boolean) {
    const decoded = decodedPath(url);
    if (decoded === null) return send(res, 400, BAD_URL);
    const relative = normalize(decoded).replace(/^([/\\])+/, '');
    let file = resolve(rendererDir, relative || 'index.html');
    if (!file.startsWith(rendererDir + sep) && file !== rendererDir) return send(res, 403, 'Forbidden');
    const info = await stat(file).catch(() => null);
    if (!info || info.isDirectory()) file = join(rendererDir, 'index.html');
    const body = await readFile(file).catch(() => null);
    if (!body) {
      return send(res, 500, `The renderer is not built (${rendererDir}). Run: npm run build`);
    }
    const headers: Record<string, string> = {
      'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-store',
    };
    if (extname(file) === '.html') {
      headers['content-security-policy'] = CSP;
      headers['x-frame-options'] = 'DENY';
    }
    if (setCookie) headers['set-cookie'] = `${COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`;
    res.writeHead(200, headers);
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  async function upload(req: IncomingMessage, res: ServerResponse, url: URL) {
    const name = basename(url.searchParams.get('name') ?? 'upload.csv').replace(/[^\w.\- ]/g, '_') || 'upload.csv';
    const dir = join(uploadsRoot, randomUUID());
    await mkdir(dir);
    const path = join(dir, name);
    try {
      await receiveBody(req, path, MAX_UPLOAD_BYTES);
    } catch (err) {
      await rm(dir, { recursive: true, force: true });
      return refuseBody(req, res, err);
    }
    send(res, 200, JSON.stringify({ path }), 'application/json');
  }

  /** A body that was too large (413, naming the limit) or broke off (400); the connection is closed. */
  function refuseBody(req: IncomingMessage, res: ServerResponse, err: unknown) {
    const status = err instanceof TooLarge ? 413 : 400;
    const message = err instanceof TooLarge ? err.message : `Upload failed: ${(err as Error).message}`;
    replyAndClose(req, res, status, JSON.stringify({ error: message }), 'application/json');
  }

  /** Browser-mode batch scoring: the uploaded file in, the scored CSV out (warnings in a header). */
  async function score(req: IncomingMessage, res: ServerResponse, url: URL, modelId: string) {
    const dir = join(uploadsRoot, randomUUID());
    await mkdir(dir);
    const name = basename(url.searchParams.get('name') ?? 'rows.csv').replace(/[^\w.\- ]/g, '_') || 'rows.csv';
    const input = join(dir, name);
    const output = join(dir, 'scored.csv');
    try {
      await receiveBody(req, input, MAX_UPLOAD_BYTES);
    } catch (err) {
      await rm(dir, { recursive: true, force: true });
      return refuseBody(req, res, err);
    }
    try {
      const result = (await call('model:score-file', { modelId, input, output })) as RequestOutput<'model:score-file'>;
      const body = await readFile(output);
      res.writeHead(200, {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': `attachment; filename="${name.replace(/\.[^.]*$/, '')}-scored.csv"`,
        'x-tickwork-warnings': encodeURIComponent(JSON.stringify(result.warnings)),
        'x-tickwork-rows': String(result.rows),
      });
      res.end(body);
    } catch (err) {
      send(res, 400, JSON.stringify({ error: (err as Error).message }), 'application/json');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  async function exportZip(res: ServerResponse, modelId: string, quantizeParam: string | null) {
    const zipPath = join(exportsRoot, `${randomUUID()}.zip`);
    const quantize = quantizeParam === 'float16' || quantizeParam === 'int8' ? quantizeParam : 'none';
    try {
      const result = (await call('model:export', { modelId, dir: zipPath, format: 'zip', quantize })) as RequestOutput<'model:export'>;
      const zip = await readFile(zipPath);
      res.writeHead(200, {
        'content-type': 'application/zip',
        'content-disposition': 'attachment; filename="tickwork-model.zip"',
        'content-length': String(zip.byteLength),
        // What quantization cost, for the export dialog (URI-encoded JSON).
        'x-tickwork-quantization': encodeURIComponent(JSON.stringify(result.quantization)),
      });
      res.end(zip);
    } catch (err) {
      send(res, 404, (err as Error).message);
    } finally {
      await rm(zipPath, { force: true });
    }
  }

  /** The run's PyTorch recipe (train.py and the run's folder), as a zip download. */
  async function recipeZip(res: ServerResponse, modelId: string) {
    const zipPath = join(exportsRoot, `${randomUUID()}.zip`);
    try {
      await call('model:export-recipe', { modelId, dir: zipPath, format: 'zip' });
      const zip = await readFile(zipPath);
      res.writeHead(200, {
        'content-type': 'application/zip',
        'content-disposition': 'attachment; filename="tickwork-pytorch-recipe.zip"',
        'content-length': String(zip.byteLength),
      });
      res.end(zip);
    } catch (err) {
      send(res, 400, (err as Error).message);
    } finally {
      await rm(zipPath, { force: true });
    }
  }

  const hosts = allowedHosts(options.host);
  const hostAllowed = (req: IncomingMessage) => {
    const host = hostOf(req.headers.host);
    return host !== null && hosts.has(host);
  };

  const server = createServer((req, res) => {
    req.on('error', () => undefined); // a client that breaks off mid-request: nothing to answer
    res.on('error', () => undefined);
    if (!hostAllowed(req)) return send(res, 403, hostMessage(req.headers.host, hosts));
    const url = requestUrl(req);
    if (!url) return send(res, 400, BAD_URL);
    if (!authorized(req, url)) {
      return send(res, 403, FORBIDDEN_PAGE, 'text/html; charset=utf-8');
    }
    const handle = async () => {
      if (req.method === 'POST' && url.pathname === '/api/upload') return upload(req, res, url);
      const exportMatch = /^\/api\/models\/([\w-]+)\/export\.zip$/.exec(url.pathname);
      if (req.method === 'GET' && exportMatch) return exportZip(res, exportMatch[1], url.searchParams.get('quantize'));
      const recipeMatch = /^\/api\/models\/([\w-]+)\/recipe\.zip$/.exec(url.pathname);
      if (req.method === 'GET' && recipeMatch) return recipeZip(res, recipeMatch[1]);
      const scoreMatch = /^\/api\/models\/([\w-]+)\/score$/.exec(url.pathname);
      if (req.method === 'POST' && scoreMatch) return score(req, res, url, scoreMatch[1]);
      if (url.pathname.startsWith('/api/')) return send(res, 404, 'Not found');
      if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'Method not allowed');
      return serveStatic(req, res, url, url.searchParams.has('token'));
    };
    handle().catch((err) => {
      console.error(`tickwork: request failed: ${(err as Error)?.message ?? String(err)}`);
      if (!res.headersSent) send(res, 500, 'Internal error');
      else res.end();
    });
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });
  wss.on('error', (err) => console.error(`tickwork: WebSocket server: ${err.message}`));
  const sockets = new Set<WebSocket>();
  server.on('upgrade', (req, socket, head) => {
    socket.on('error', () => undefined); // a reset during the handshake ends that socket only
    const refuse = (status: string, body = '') => {
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
      setTimeout(() => socket.destroy(), 1000).unref();
    };
    if (!hostAllowed(req)) return refuse('403 Forbidden', hostMessage(req.headers.host, hosts));
    const url = requestUrl(req);
    if (!url) return refuse('400 Bad Request', BAD_URL);
    const origin = req.headers.origin;
    const host = req.headers.host;
    const originOk = !origin || (host !== undefined && (origin === `http://${host}` || origin === `https://${host}`));
    if (url.pathname !== '/api/ws' || !authorized(req, url) || !originOk) return refuse('403 Forbidden');
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws));
  });

  wss.on('connection', (ws: WebSocket) => {
    sockets.add(ws);
    serveConnection(ws, {
      dispatch: async (channel, input) => refuseRelativePaths(channel, input) ?? dispatch(channel, input),
      on: (channel, listener) => service.on(channel, listener),
      log: (line) => console.error(line),
    });
    ws.on('close', () => sockets.delete(ws));
  });
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    // Malformed HTTP (oversized headers, bad request line): answer 400/431 on that socket only.
    if (!socket.writable || err.code === 'ECONNRESET') return socket.destroy();
    const status = err.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request';
    socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  });

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE') reject(new Error(`Port ${options.port} is in use. Use --port 0 to pick a free port.`));
      else reject(err);
    });
    server.listen(options.port, options.host, () => resolveListen());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const shownHost = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${shownHost}:${port}/?token=${token}`,
    port,
    token,
    close: async () => {
      for (const ws of sockets) ws.terminate();
      wss.close();
      await new Promise<void>((r) => server.close(() => r()));
      await removeTempDir(uploadsRoot);
      await removeTempDir(exportsRoot);
    },
  };
}
