/**
 * One browser connection on the WebSocket (`/api/ws`): requests in, responses and events out,
 * and nothing a page sends can end the process.
 *
 * - Every socket has an 'error' listener: an invalid frame (bad UTF-8, a reserved opcode, a
 *   length over the hard limit) closes that socket only, with ws's close code (1007, 1002, 1009).
 * - A request over MAX_REQUEST_BYTES is answered with an error naming the limit (the socket
 *   stays open); over the hard frame limit, ws closes the socket with 1009.
 * - A reply that cannot be serialized (too large for a JavaScript string) becomes an error reply.
 * - Slow readers: past DROP_PROGRESS_BYTES of unsent data, progress events are dropped for that
 *   socket (responses and results never are); past CLOSE_SLOW_BYTES the socket is closed
 *   (1013) and then terminated, so a page that never reads cannot grow the server without bound.
 */
import type { WebSocket, RawData } from 'ws';
import { EVENT_CHANNELS, type EventChannel, type ResponseEnvelope } from '../shared/contract.js';
import type { Dispatch } from './dispatch.js';
import { megabytes } from './server-guards.js';

/** Requests above this size are refused with a reply that names the limit. */
export const MAX_REQUEST_BYTES = 32 * 2 ** 20;
/** ws refuses frames (and messages) above this outright, closing the socket with 1009. */
export const MAX_FRAME_BYTES = 2 * MAX_REQUEST_BYTES;
/** Unsent bytes on a socket above which its progress events are dropped. */
export const DROP_PROGRESS_BYTES = 1 * 2 ** 20;
/** Unsent bytes on a socket above which it is closed. */
export const CLOSE_SLOW_BYTES = 64 * 2 ** 20;

/** Events that are superseded by the next one: safe to drop for a reader that falls behind. */
const PROGRESS_EVENTS = new Set<EventChannel>(['training:progress', 'dataset:progress', 'scoring:progress']);

export type ClientFrame = { type: 'request'; id: number; channel: string; input: unknown };
export type ServerFrame =
  | { type: 'response'; id: number; envelope: ResponseEnvelope }
  | { type: 'event'; channel: string; payload: unknown };

export interface ConnectionDeps {
  dispatch: Dispatch;
  /** Subscribe to a service event; returns the unsubscribe. */
  on: (channel: EventChannel, listener: (payload: unknown) => void) => () => void;
  log: (line: string) => void;
}

const size = (data: RawData): number =>
  Array.isArray(data) ? data.reduce((n, b) => n + b.length, 0) : data instanceof ArrayBuffer ? data.byteLength : data.length;

const text = (data: RawData): string =>
  Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data as ArrayBuffer).toString('utf8');

/** The request id of an oversized request, read from its start (the client writes `{"type":"request","id":N,…`). */
function leadingId(head: string): number | null {
  const match = /^\s*\{[^{}]{0,200}?"id"\s*:\s*(\d{1,15})\b/.exec(head);
  return match ? Number(match[1]) : null;
}

export function serveConnection(ws: WebSocket, deps: ConnectionDeps): void {
  let dropped = 0;
  let closing = false;

  ws.on('error', (err: Error & { code?: string }) => {
    const what =
      err.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH' ? `a message was larger than the ${megabytes(MAX_FRAME_BYTES)} limit` : err.message;
    deps.log(`tickwork: closed a browser connection: ${what}`);
  });

  const closeSlow = () => {
    if (closing) return;
    closing = true;
    deps.log(`tickwork: closed a browser connection that read too slowly (over ${megabytes(CLOSE_SLOW_BYTES)} unsent)`);
    ws.close(1013, `reading too slowly: over ${megabytes(CLOSE_SLOW_BYTES)} of replies unsent; reload the page`);
    // The close frame waits behind the unsent data; a reader that never reads is cut off.
    setTimeout(() => ws.terminate(), 2000).unref();
  };

  /** Send a frame; false when it was not sent (closed, dropped, or not serializable). */
  const sendFrame = (frame: ServerFrame, droppable: boolean): boolean => {
    if (ws.readyState !== ws.OPEN || closing) return false;
    if (ws.bufferedAmount > CLOSE_SLOW_BYTES) {
      closeSlow();
      return false;
    }
    if (droppable && ws.bufferedAmount > DROP_PROGRESS_BYTES) {
      dropped++;
      return false;
    }
    let body: string;
    try {
      body = JSON.stringify(frame);
    } catch (err) {
      if (frame.type !== 'response') {
        deps.log(`tickwork: a ${frame.channel} event could not be sent: ${(err as Error).message}`);
        return false;
      }
      const message = `The reply is too large to send (${(err as Error).message}). Ask for less (fewer rows, a smaller file or sample).`;
      body = JSON.stringify({ type: 'response', id: frame.id, envelope: { ok: false, error: { code: 'bad_data', message } } } satisfies ServerFrame);
    }
    ws.send(body, () => undefined);
    return true;
  };

  const reply = (id: number, envelope: ResponseEnvelope) => sendFrame({ type: 'response', id, envelope }, false);

  const unsubscribe = EVENT_CHANNELS.map((channel) =>
    deps.on(channel, (payload) => {
      try {
        sendFrame({ type: 'event', channel, payload }, PROGRESS_EVENTS.has(channel));
      } catch (err) {
        deps.log(`tickwork: a ${channel} event could not be sent: ${(err as Error).message}`);
      }
    }),
  );

  const handle = async (data: RawData) => {
    const bytes = size(data);
    const raw = text(data);
    if (bytes > MAX_REQUEST_BYTES) {
      const id = leadingId(raw.slice(0, 300));
      const message = `The request is ${megabytes(bytes)}; requests are limited to ${megabytes(MAX_REQUEST_BYTES)}. Send fewer rows at a time.`;
      if (id !== null) reply(id, { ok: false, error: { code: 'invalid_input', message } });
      else ws.close(1009, `request over the ${megabytes(MAX_REQUEST_BYTES)} limit`);
      return;
    }
    let frame: ClientFrame;
    try {
      frame = JSON.parse(raw);
    } catch {
      return; // not JSON: nothing to answer (no id to answer to)
    }
    if (frame === null || typeof frame !== 'object' || frame.type !== 'request' || typeof frame.id !== 'number') return;
    const envelope = await deps.dispatch(frame.channel, frame.input);
    reply(frame.id, envelope);
  };

  ws.on('message', (data) => {
    handle(data).catch((err) => deps.log(`tickwork: a browser request failed: ${(err as Error)?.message ?? String(err)}`));
  });

  ws.on('close', () => {
    unsubscribe.forEach((off) => off());
    if (dropped > 0) deps.log(`tickwork: ${dropped} progress event(s) were dropped for a connection that read slowly`);
  });
}
