/**
 * The service over an in-memory transport: the same envelopes and structured-clone boundary as
 * the real transports, with no Electron and no sockets. Used by tests and by the CLI.
 */
import { createApi, type Transport } from '../shared/client.js';
import type { EventChannel, TickworkApi } from '../shared/contract.js';
import { createDispatcher } from './dispatch.js';
import type { WorkbenchService } from './workbench-service.js';

export function inMemoryApi(service: WorkbenchService): TickworkApi {
  const dispatch = createDispatcher(service);
  const transport: Transport = {
    invoke: async (channel, input) => structuredClone(await dispatch(channel, structuredClone(input))),
    subscribe: (channel: EventChannel, listener) => service.on(channel, (payload) => listener(structuredClone(payload) as never)),
  };
  return createApi(transport);
}
