/**
 * One browser connection's policy, against a stand-in socket whose unsent byte count the test
 * sets: progress events are dropped for a slow reader (responses and results never are), a
 * reader past the larger bound is closed, oversize requests get a reply naming the limit, and
 * socket errors are logged, not thrown.
 */
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import { CLOSE_SLOW_BYTES, DROP_PROGRESS_BYTES, MAX_REQUEST_BYTES, serveConnection } from '../../service/ws-connection';
import type { EventChannel } from '../../shared/contract';

class FakeSocket extends EventEmitter {
  readonly OPEN = 1;
  readyState = 1;
  bufferedAmount = 0;
  sent: any[] = [];
  closed: { code: number; reason: string } | null = null;
  send(body: string) {
    this.sent.push(JSON.parse(body));
  }
  close(code: number, reason: string) {
    this.closed = { code, reason };
  }
  terminate() {}
}

function connection() {
  const ws = new FakeSocket();
  const listeners = new Map<EventChannel, (p: unknown) => void>();
  const log: string[] = [];
  serveConnection(ws as unknown as WebSocket, {
    dispatch: async (channel, input) => ({ ok: true, result: { channel, input } }),
    on: (channel, listener) => {
      listeners.set(channel, listener);
      return () => listeners.delete(channel);
    },
    log: (line) => log.push(line),
  });
  const emit = (channel: EventChannel, payload: unknown) => listeners.get(channel)!(payload);
  const request = async (frame: string) => {
    ws.emit('message', Buffer.from(frame), false);
    await new Promise((r) => setTimeout(r, 5));
  };
  return { ws, emit, request, log, listeners };
}

describe('a browser connection', () => {
  it('drops progress events for a slow reader, never results or responses', async () => {
    const { ws, emit, request } = connection();
    ws.bufferedAmount = DROP_PROGRESS_BYTES + 1;
    emit('training:progress', { runId: 'r', step: 1 });
    emit('dataset:progress', { file: 'f', bytes: 1 });
    emit('training:results', { runId: 'r' });
    emit('training:status', { runId: 'r', status: 'completed' });
    await request(JSON.stringify({ type: 'request', id: 4, channel: 'run:list', input: {} }));
    expect(ws.sent.map((f) => f.channel ?? `response ${f.id}`)).toEqual(['training:results', 'training:status', 'response 4']);
    ws.bufferedAmount = 0;
    emit('training:progress', { runId: 'r', step: 2 });
    expect(ws.sent.at(-1).channel).toBe('training:progress');
  });

  it('closes a reader that falls past the larger bound (1013), saying why', () => {
    const { ws, emit, log } = connection();
    ws.bufferedAmount = CLOSE_SLOW_BYTES + 1;
    emit('training:results', { runId: 'r' });
    expect(ws.sent).toEqual([]);
    expect(ws.closed?.code).toBe(1013);
    expect(ws.closed?.reason).toContain('reading too slowly');
    expect(Buffer.byteLength(ws.closed!.reason)).toBeLessThanOrEqual(123);
    expect(log.join('\n')).toContain('read too slowly');
  });

  it('answers an oversize request with the limit, keeping the socket open', async () => {
    const { ws, request } = connection();
    await request(`{"type":"request","id":9,"channel":"model:predict","input":"${'a'.repeat(MAX_REQUEST_BYTES)}"}`);
    expect(ws.closed).toBeNull();
    expect(ws.sent[0]).toMatchObject({ type: 'response', id: 9, envelope: { ok: false, error: { code: 'invalid_input' } } });
    expect(ws.sent[0].envelope.error.message).toContain('requests are limited to 32 MB');
  });

  it('closes (1009) an oversize message whose id cannot be read', async () => {
    const { ws, request } = connection();
    await request(`{"input":"${'a'.repeat(MAX_REQUEST_BYTES)}","id":3}`);
    expect(ws.closed).toEqual({ code: 1009, reason: 'request over the 32 MB limit' });
  });

  it('ignores frames that are not requests, answers those that are', async () => {
    const { ws, request } = connection();
    for (const junk of ['', 'null', '[]', '{"type":"request"}', '{"type":"request","id":"1"}', '\u0000', '{"a":']) await request(junk);
    expect(ws.sent).toEqual([]);
    await request('{"type":"request","id":1,"channel":"app:info","input":{}}');
    expect(ws.sent).toHaveLength(1);
  });

  it('logs a socket error in one line instead of throwing, and unsubscribes on close', () => {
    const { ws, log, listeners } = connection();
    expect(() => ws.emit('error', Object.assign(new RangeError('Invalid WebSocket frame: invalid UTF-8 sequence'), { code: 'WS_ERR_INVALID_UTF8' }))).not.toThrow();
    expect(log).toEqual(['tickwork: closed a browser connection: Invalid WebSocket frame: invalid UTF-8 sequence']);
    ws.emit('close');
    expect(listeners.size).toBe(0);
  });

  it('answers a reply too large to serialize with an error, not a crash', async () => {
    const ws = new FakeSocket();
    const huge = { toJSON: () => { throw new RangeError('Invalid string length'); } };
    serveConnection(ws as unknown as WebSocket, { dispatch: async () => ({ ok: true, result: huge }), on: () => () => undefined, log: () => undefined });
    ws.emit('message', Buffer.from('{"type":"request","id":2,"channel":"dataset:rows","input":{}}'), false);
    await new Promise((r) => setTimeout(r, 5));
    expect(ws.sent[0].envelope.ok).toBe(false);
    expect(ws.sent[0].envelope.error.message).toContain('The reply is too large to send (Invalid string length)');
  });
});
