/**
 * Builds the named-function TickworkApi from two primitives a transport provides:
 * `invoke(channel, input)` and `subscribe(event, listener)`. Used by the preload (Electron),
 * the WebSocket client (browser mode) and the in-memory client (tests), so that all three
 * expose exactly the same functions.
 */
import { EVENT_METHODS, REQUEST_METHODS } from './channels.js';
import type {
  EventChannel,
  EventPayload,
  RequestChannel,
  ResponseEnvelope,
  TickworkApi,
} from './contract.js';
import { TickworkError, ERROR_CODES, type ErrorCode } from './errors.js';

export interface Transport {
  invoke(channel: RequestChannel, input: unknown): Promise<ResponseEnvelope>;
  subscribe<C extends EventChannel>(channel: C, listener: (payload: EventPayload<C>) => void): () => void;
}

export function unwrapEnvelope(envelope: ResponseEnvelope): unknown {
  if (envelope.ok) return envelope.result;
  const code = (ERROR_CODES as readonly string[]).includes(envelope.error.code)
    ? (envelope.error.code as ErrorCode)
    : 'internal';
  throw new TickworkError(code, envelope.error.message);
}

export function createApi(transport: Transport): TickworkApi {
  const api: Record<string, unknown> = {};
  for (const channel of Object.keys(REQUEST_METHODS) as RequestChannel[]) {
    api[REQUEST_METHODS[channel]] = async (input: unknown) => unwrapEnvelope(await transport.invoke(channel, input ?? {}));
  }
  for (const channel of Object.keys(EVENT_METHODS) as EventChannel[]) {
    api[EVENT_METHODS[channel]] = (listener: (payload: EventPayload<typeof channel>) => void) => transport.subscribe(channel, listener);
  }
  return api as TickworkApi;
}
