/**
 * The helper's event history for `berth events --since`: container and image
 * events in docker's vocabulary, in a bounded ring (the newest CAPACITY kept;
 * docker's daemon keeps 256 in memory, we keep more since a desktop's
 * history is short anyway). Lost with the helper: a restart starts it empty.
 */
import type { EventName, EventPayload } from '../../../preload/contract';
import type { EngineEventT } from '../../../preload/schemas/events';

export const EVENT_RING_CAPACITY = 1024;

/** The container's name and image, as the helper knows it now (null once gone). */
export type DescribeContainer = (id: string) => { name: string; image: string } | null;

const CONTAINER_ACTION: Record<EventPayload<'containers.changed'>['action'], string> = {
  create: 'create',
  start: 'start',
  die: 'die',
  oom: 'oom',
  stop: 'stop',
  pause: 'pause',
  unpause: 'unpause',
  restart: 'restart',
  rename: 'rename',
  remove: 'destroy',
};

const IMAGE_ACTION: Record<EventPayload<'images.changed'>['reason'], string> = {
  load: 'load',
  pull: 'pull',
  tag: 'tag',
  remove: 'delete',
  prune: 'delete',
};

export class EventLog {
  private readonly ring: EngineEventT[] = [];
  private next = 0;
  private droppedUntil: string | null = null;
  /** Last known name and image per container, for its destroy event (the record is gone by then). */
  private readonly known = new Map<string, { name: string; image: string }>();

  constructor(
    private readonly describe: DescribeContainer,
    readonly capacity = EVENT_RING_CAPACITY,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Records what an engine event means for `berth events`; returns the entries made (none for other events). */
  record<E extends EventName>(event: E, payload: EventPayload<E>): EngineEventT[] {
    if (event === 'containers.changed') {
      const e = payload as EventPayload<'containers.changed'>;
      const d = this.describe(e.id) ?? this.known.get(e.id) ?? null;
      if (d) this.known.set(e.id, d);
      if (e.action === 'remove') this.known.delete(e.id);
      const attributes: Record<string, string> = d ? { name: d.name, image: d.image } : {};
      if (e.action === 'die' && e.exitCode !== null) attributes.exitCode = String(e.exitCode);
      return [this.push('container', CONTAINER_ACTION[e.action], e.id, attributes, e.at)];
    }
    if (event === 'images.changed') {
      const e = payload as EventPayload<'images.changed'>;
      const at = this.now().toISOString();
      const ids = e.ids?.length ? e.ids : [''];
      return ids.map((id) => this.push('image', IMAGE_ACTION[e.reason], id, {}, at));
    }
    return [];
  }

  private push(
    type: EngineEventT['type'],
    action: string,
    id: string,
    attributes: Record<string, string>,
    time: string,
  ): EngineEventT {
    const entry: EngineEventT = { seq: this.next++, type, action, id, attributes, time };
    this.ring.push(entry);
    if (this.ring.length > this.capacity) {
      const gone = this.ring.splice(0, this.ring.length - this.capacity);
      this.droppedUntil = gone[gone.length - 1]!.time;
    }
    return entry;
  }

  /** Events with sinceMs ≤ time ≤ untilMs, oldest first. */
  list(sinceMs?: number, untilMs?: number): { events: EngineEventT[]; capacity: number; droppedUntil: string | null } {
    const events = this.ring.filter((e) => {
      const t = Date.parse(e.time);
      return (sinceMs === undefined || t >= sinceMs) && (untilMs === undefined || t <= untilMs);
    });
    return { events, capacity: this.capacity, droppedUntil: this.droppedUntil };
  }
}
