/**
 * Browser mode: the TickworkApi over the local server's WebSocket. The token comes from the
 * page URL (`?token=…`) or the cookie the server set when the page loaded.
 */
import { createApi, type Transport } from '../../shared/client.js';
import type { EventChannel, ResponseEnvelope, TickworkApi } from '../../shared/contract.js';

type ServerFrame =
  | { type: 'response'; id: number; envelope: ResponseEnvelope }
  | { type: 'event'; channel: EventChannel; payload: unknown };

export function connectWebSocketApi(onConnectionLost: (message: string) => void): TickworkApi {
  const token = new URLSearchParams(location.search).get('token');
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  const url = `${scheme}://${location.host}/api/ws${token ? `?token=${encodeURIComponent(token)}` : ''}`;
  const pending = new Map<number, (envelope: ResponseEnvelope) => void>();
  const listeners = new Map<EventChannel, Set<(payload: unknown) => void>>();
  let nextId = 1;
  const socket = new WebSocket(url);
  const opened = new Promise<void>((resolve, reject) => {
    socket.addEventListener('open', () => resolve());
    socket.addEventListener('error', () => reject(new Error('cannot connect')));
  });
  socket.addEventListener('message', (event) => {
    const frame = JSON.parse(String(event.data)) as ServerFrame;
    if (frame.type === 'response') {
      pending.get(frame.id)?.(frame.envelope);
      pending.delete(frame.id);
    } else if (frame.type === 'event') {
      for (const listener of listeners.get(frame.channel) ?? []) listener(frame.payload);
    }
  });
  socket.addEventListener('close', () => {
    const message = 'The connection to the Tickwork server was lost. Restart "tickwork serve" and reload this page.';
    for (const resolve of pending.values()) resolve({ ok: false, error: { code: 'io', message } });
    pending.clear();
    onConnectionLost(message);
  });
  const transport: Transport = {
    async invoke(channel, input) {
      try {
        await opened;
      } catch {
        return { ok: false, error: { code: 'io', message: 'Cannot reach the Tickwork server. Open the URL printed by "tickwork serve".' } };
      }
      const id = nextId++;
      return new Promise<ResponseEnvelope>((resolve) => {
        pending.set(id, resolve);
        socket.send(JSON.stringify({ type: 'request', id, channel, input }));
      });
    },
    subscribe(channel, listener) {
      let set = listeners.get(channel);
      if (!set) listeners.set(channel, (set = new Set()));
      const l = listener as (payload: unknown) => void;
      set.add(l);
      return () => set!.delete(l);
    },
  };
  return createApi(transport);
}
