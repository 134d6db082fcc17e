/**
 * The service's event bus: one place where every event channel of the contract is emitted and
 * subscribed to. Transports subscribe (WebSocket, Electron IPC, the in-memory client); owners
 * (datasets, run sessions, the model registry) emit.
 */
import type { EventChannel, EventPayload } from '../shared/contract.js';

export type Listener<C extends EventChannel> = (payload: EventPayload<C>) => void;

export class EventBus {
  readonly #listeners = new Map<EventChannel, Set<Listener<never>>>();

  /** Subscribe to one channel; returns the unsubscribe. */
  on<C extends EventChannel>(channel: C, listener: Listener<C>): () => void {
    let set = this.#listeners.get(channel);
    if (!set) this.#listeners.set(channel, (set = new Set()));
    set.add(listener as Listener<never>);
    return () => set!.delete(listener as Listener<never>);
  }

  emit<C extends EventChannel>(channel: C, payload: EventPayload<C>): void {
    for (const listener of this.#listeners.get(channel) ?? []) {
      try {
        (listener as Listener<C>)(payload);
      } catch (err) {
        // A failing subscriber (a closed socket, a bug in a client) must not stop the others or the emitter.
        console.error(`tickwork: a ${channel} listener failed:`, err);
      }
    }
  }
}
