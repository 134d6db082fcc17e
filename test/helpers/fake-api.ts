/**
 * A TickworkApi for renderer state tests: requests answer from handlers the test gives (and are
 * recorded); events are pushed by the test with `emit`, exactly as a transport would deliver them.
 */
import { EVENT_METHODS } from '../../shared/channels';
import type { EventChannel, EventPayload, TickworkApi } from '../../shared/contract';

type Handlers = Partial<{ [K in keyof TickworkApi]: TickworkApi[K] }>;

export interface FakeApi {
  api: TickworkApi;
  calls: Array<{ method: string; input: unknown }>;
  emit<C extends EventChannel>(channel: C, payload: EventPayload<C>): void;
}

export function fakeApi(handlers: Handlers = {}): FakeApi {
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  const calls: FakeApi['calls'] = [];
  const eventMethods = new Set<string>(Object.values(EVENT_METHODS));
  const api = new Proxy({} as TickworkApi, {
    get(_, method: string) {
      if (eventMethods.has(method)) {
        return (listener: (payload: unknown) => void) => {
          const set = listeners.get(method) ?? new Set();
          set.add(listener);
          listeners.set(method, set);
          return () => set.delete(listener);
        };
      }
      return async (input: unknown) => {
        calls.push({ method, input });
        const handler = handlers[method as keyof TickworkApi] as ((i: unknown) => Promise<unknown>) | undefined;
        if (!handler) throw new Error(`fake api: no handler for ${method}`);
        return handler(input);
      };
    },
  });
  return {
    api,
    calls,
    emit(channel, payload) {
      for (const listener of listeners.get(EVENT_METHODS[channel]) ?? []) listener(payload);
    },
  };
}
