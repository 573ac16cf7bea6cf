/**
 * Typed fan-out of engine and app events to every subscriber (windows,
 * WebSocket clients, CLI). Payloads are validated on emit so a transport
 * never forwards something its schema refuses (and not at all when nobody
 * listens: nothing is forwarded then).
 */
import { events, type EventName, type EventPayload } from '../../preload/contract';

type Listener<E extends EventName> = (payload: EventPayload<E>) => void;

export class EventHub {
  private readonly listeners = new Map<EventName, Set<Listener<EventName>>>();

  on<E extends EventName>(event: E, listener: Listener<E>): () => void {
    let set = this.listeners.get(event);
    if (!set) {
      set = new Set();
      this.listeners.set(event, set);
    }
    set.add(listener as Listener<EventName>);
    return () => {
      set.delete(listener as Listener<EventName>);
    };
  }

  /**
   * Checks the payload and delivers it. An event nobody listens to is dropped
   * unchecked: checking builds its schema first, which a one-shot CLI command
   * paid at each `helper.state` change (≈ 1–2 ms, right before its first call).
   */
  emit<E extends EventName>(event: E, payload: EventPayload<E>): void {
    if (this.listenerCount(event) === 0) return;
    this.deliver(event, events[event].parse(payload) as EventPayload<E>);
  }

  /**
   * For payloads that were validated against events[event] already (the
   * helper connection checks each event it receives): no second parse, which
   * for the per-second stats sample of 100 containers is not free.
   */
  deliver<E extends EventName>(event: E, checked: EventPayload<E>): void {
    for (const l of this.listeners.get(event) ?? []) {
      try {
        (l as Listener<E>)(checked);
      } catch {
        // One broken subscriber must not starve the others.
      }
    }
  }

  listenerCount(event: EventName): number {
    return this.listeners.get(event)?.size ?? 0;
  }
}
