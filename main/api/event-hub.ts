/**
 * Typed fan-out of engine and app events to every subscriber (windows,
 * WebSocket clients, CLI). Payloads are validated on emit so a transport
 * never forwards something its schema refuses.
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

  emit<E extends EventName>(event: E, payload: EventPayload<E>): void {
    const checked = events[event].parse(payload) as EventPayload<E>;
    for (const l of this.listeners.get(event) ?? []) {
      try {
        l(checked);
      } catch {
        // One broken subscriber must not starve the others.
      }
    }
  }

  /** For payloads from outside (the helper): validated, dropped when they do not fit. */
  emitChecked(event: EventName, payload: unknown): void {
    const r = events[event].safeParse(payload);
    if (r.success) this.emit(event, r.data as EventPayload<typeof event>);
  }

  listenerCount(event: EventName): number {
    return this.listeners.get(event)?.size ?? 0;
  }
}
