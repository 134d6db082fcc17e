/**
 * What the browser-mode server accepts before a request reaches a route: the Host header (DNS
 * rebinding), the request target (a malformed URL or percent-encoding answers 400, never a
 * stack trace), and request bodies written to disk under a stated size limit (413 naming it).
 * Plain functions over node:http types; http-server.ts wires them in.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createWriteStream } from 'node:fs';
import { hostname, networkInterfaces } from 'node:os';

/** Uploads (a dataset picked in the browser, a file to score) are stored up to this size. */
export const MAX_UPLOAD_BYTES = 512 * 2 ** 20;

export const megabytes = (bytes: number) => `${Math.round(bytes / 2 ** 20)} MB`;

const WILDCARD = new Set(['0.0.0.0', '::', '[::]', '']);

/** Host names (lower case, IPv6 in brackets, no port) a request may be addressed to. */
export function allowedHosts(boundHost: string): Set<string> {
  const bracket = (h: string) => (h.includes(':') && !h.startsWith('[') ? `[${h}]` : h);
  const hosts = new Set(['localhost', '127.0.0.1', '[::1]', bracket(boundHost.toLowerCase())]);
  if (WILDCARD.has(boundHost)) {
    // Listening on every interface: the machine's own names and addresses are what users type.
    hosts.add(hostname().toLowerCase());
    for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) hosts.add(bracket(a.address.toLowerCase()));
  }
  return hosts;
}

/** The host name of a Host header without its port: "LocalHost:8765" → "localhost", "[::1]:80" → "[::1]". */
export function hostOf(header: string | undefined): string | null {
  if (!header) return null;
  const match = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9._-]+)(?::\d{1,5})?$/.exec(header.trim());
  return match ? match[1].toLowerCase() : null;
}

export function hostMessage(header: string | undefined, allowed: Set<string>): string {
  const shown = header === undefined ? 'no Host header' : `the host "${header.slice(0, 100)}"`;
  return (
    `Tickwork refused a request addressed to ${shown}: it answers only to ${[...allowed].slice(0, 6).join(', ')}` +
    `${allowed.size > 6 ? ', …' : ''} (a page on another site cannot reach it by renaming itself). ` +
    'Open the URL that "tickwork serve" printed, or start it with --host set to the name you use.'
  );
}

/** The request target as a URL, or null when it is not one ("//", "http://[", …). */
export function requestUrl(req: IncomingMessage): URL | null {
  try {
    return new URL(req.url ?? '/', 'http://localhost');
  } catch {
    return null;
  }
}

/** The decoded path, or null when its percent-encoding is malformed ("/%zz"). */
export function decodedPath(url: URL): string | null {
  try {
    return decodeURIComponent(url.pathname);
  } catch {
    return null;
  }
}

export const BAD_URL = 'Bad request: the address is not a valid URL, or its percent-encoding (%xx) is malformed. Open the URL that "tickwork serve" printed.';

export class TooLarge extends Error {
  constructor(readonly limit: number) {
    super(`The file is larger than the ${megabytes(limit)} limit of uploads. Use a smaller file or a sample of its rows.`);
  }
}

/**
 * Write a request body to `path`, refusing it past `limit` bytes (also when Content-Length
 * announces more). Rejects with TooLarge, or the stream's error; the caller replies.
 */
export function receiveBody(req: IncomingMessage, path: string, limit: number): Promise<void> {
  const announced = Number(req.headers['content-length'] ?? 0);
  if (announced > limit) return Promise.reject(new TooLarge(limit));
  return new Promise<void>((resolve, reject) => {
    const out = createWriteStream(path);
    let received = 0;
    let settled = false;
    const fail = (err: Error) => {
      if (settled) return;
      settled = true;
      req.unpipe(out);
      out.destroy();
      reject(err);
    };
    req.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received > limit) fail(new TooLarge(limit));
    });
    req.on('error', fail);
    req.on('aborted', () => fail(new Error('the upload was interrupted')));
    out.on('error', fail);
    out.on('finish', () => {
      if (settled) return;
      settled = true;
      resolve();
    });
    req.pipe(out);
  });
}

/**
 * Reply to a request whose body is not wanted (too large, refused) and close the connection:
 * the rest of the body is read and dropped for a moment so the client sees the reply rather
 * than a reset, then the socket is destroyed.
 */
export function replyAndClose(req: IncomingMessage, res: ServerResponse, status: number, body: string, type: string): void {
  if (!res.headersSent) {
    res.writeHead(status, { 'content-type': type, 'x-content-type-options': 'nosniff', connection: 'close' });
    res.end(body);
  } else {
    res.end();
  }
  req.resume();
  setTimeout(() => req.socket.destroy(), 2000).unref();
}
