/**
 * Serves the contract's request channels from a handler object: validates the channel and the
 * input (naming the field on error), calls the handler, and wraps the outcome in an envelope.
 * Every transport adapter (Electron IPC, WebSocket, in-memory) goes through here.
 */
import { isRequestChannel, parseRequest, type RequestHandlers, type ResponseEnvelope } from '../shared/contract.js';
import { toErrorPayload } from '../shared/errors.js';

export type Dispatch = (channel: unknown, input: unknown) => Promise<ResponseEnvelope>;

export function createDispatcher(handlers: RequestHandlers, onInternalError?: (err: unknown) => void): Dispatch {
  return async (channel, input) => {
    try {
      if (!isRequestChannel(channel)) {
        return { ok: false, error: { code: 'invalid_input', message: `unknown channel "${String(channel)}"` } };
      }
      const parsed = parseRequest(channel, input);
      const handler = handlers[channel] as (input: unknown) => Promise<unknown>;
      const result = await handler.call(handlers, parsed);
      return { ok: true, result };
    } catch (err) {
      const payload = toErrorPayload(err);
      if (payload.code === 'internal') onInternalError?.(err);
      return { ok: false, error: payload };
    }
  };
}
