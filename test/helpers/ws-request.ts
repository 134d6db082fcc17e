/** One request over a browser-mode server's API socket, as the page sends it; resolves with the response's envelope. */
import type WebSocket from 'ws';

export interface Envelope {
  ok: boolean;
  /** The channel's output (tests read the fields they asked for). */
  result?: any;
  error?: { code: string; message: string };
}

export function wsRequest(ws: WebSocket, id: number, channel: string, input: unknown): Promise<Envelope> {
  return new Promise((resolve) => {
    const onMessage = (data: WebSocket.RawData) => {
      const frame = JSON.parse(String(data));
      if (frame.type === 'response' && frame.id === id) {
        ws.off('message', onMessage);
        resolve(frame.envelope);
      }
    };
    ws.on('message', onMessage);
    ws.send(JSON.stringify({ type: 'request', id, channel, input }));
  });
}
