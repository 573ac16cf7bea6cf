/**
 * The live binding between the transport and the SeriesStore, one per client
 * (so the overview, a standalone container page and a Containers tab share
 * one set of ring buffers and one event subscription):
 *
 * - while any view is mounted it subscribes to `resources.sample` (append a
 *   row per container per tick) and `containers.changed` (OOM counts, series
 *   of removed containers; the queries it touches are sync.ts's);
 * - a container seen for the first time gets one `resources.history` fill
 *   (at most 4 in flight); history is never polled;
 * - after the views were gone for a while, or after the WebSocket reopened,
 *   every known series is backfilled with `resources.history {sinceMs}`.
 */
import { useEffect, useSyncExternalStore } from 'react';
import type { StatsRowT } from '../../../../preload/schemas/resources';
import { toErrorShape } from '../../../../preload/errors';
import { useBerth, type BerthClient } from '../../app/client';
import { SeriesStore } from './series';

const MAX_INFLIGHT = 4;
const RELEASE_GRACE_MS = 5000;
const PRUNE_EVERY_TICKS = 60;

export class LiveResources {
  readonly store = new SeriesStore();
  private readonly oom = new Map<string, number[]>();
  private refs = 0;
  private subscriptions: (() => void)[] = [];
  private releaseTimer: ReturnType<typeof setTimeout> | null = null;
  /** Ids whose history fill succeeded (or can never succeed). */
  private readonly filled = new Set<string>();
  private readonly queued = new Set<string>();
  private queue: { id: string; sinceMs?: number }[] = [];
  private inflight = 0;
  private ticks = 0;
  private everSubscribed = false;
  /** Last history error per id (shown by a container view). */
  readonly historyErrors = new Map<string, string>();

  constructor(private readonly client: BerthClient) {}

  /** Keeps the subscriptions alive until the returned function is called. */
  retain(): () => void {
    this.refs++;
    if (this.releaseTimer !== null) {
      clearTimeout(this.releaseTimer);
      this.releaseTimer = null;
    }
    if (this.subscriptions.length === 0) this.start();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (--this.refs === 0) {
        this.releaseTimer = setTimeout(() => {
          this.releaseTimer = null;
          if (this.refs === 0) this.stop();
        }, RELEASE_GRACE_MS);
      }
    };
  }

  private start(): void {
    const resumed = this.everSubscribed;
    this.everSubscribed = true;
    this.subscriptions = [
      this.client.subscribe('resources.sample', (e) => this.onSample(e.at, e.rows)),
      this.client.subscribe('containers.changed', (e) => {
        if (e.action === 'oom') {
          const list = this.oom.get(e.id) ?? [];
          const at = Date.parse(e.at);
          list.push(Number.isNaN(at) ? Date.now() : at);
          this.oom.set(e.id, list);
          this.store.touch(e.id);
        }
        if (e.action === 'remove') {
          this.store.remove(e.id);
          this.filled.delete(e.id);
        }
      }),
      this.client.onTransportStatus((s) => {
        if (s.state === 'open' && s.opens > 1) this.backfillAll();
      }),
    ];
    // Back after a pause: the rings have a hole since their last point.
    if (resumed) this.backfillAll();
  }

  private stop(): void {
    for (const off of this.subscriptions) off();
    this.subscriptions = [];
  }

  private onSample(at: number, rows: readonly StatsRowT[]): void {
    const fresh = this.store.ingestSample({ at, rows });
    for (const id of fresh) this.ensureHistory(id);
    if (++this.ticks % PRUNE_EVERY_TICKS === 0) {
      for (const id of this.store.prune()) this.filled.delete(id);
    }
  }

  /** One `resources.history` fill for a container (a no-op once it has one). */
  ensureHistory(id: string): void {
    if (this.filled.has(id) || this.queued.has(id)) return;
    this.enqueue(id);
  }

  private enqueue(id: string, sinceMs?: number): void {
    this.queued.add(id);
    this.queue.push(sinceMs === undefined ? { id } : { id, sinceMs });
    this.pump();
  }

  private backfillAll(): void {
    for (const id of this.store.ids()) {
      if (this.queued.has(id)) continue;
      const last = this.store.ring(id)?.lastT();
      this.enqueue(id, last ?? undefined);
    }
  }

  private pump(): void {
    while (this.inflight < MAX_INFLIGHT && this.queue.length > 0) {
      const job = this.queue.shift()!;
      this.inflight++;
      void this.fetch(job.id, job.sinceMs).finally(() => {
        this.inflight--;
        this.queued.delete(job.id);
        this.pump();
      });
    }
  }

  private async fetch(id: string, sinceMs?: number): Promise<void> {
    try {
      const res = await this.client.invoke('resources.history', sinceMs === undefined ? { id } : { id, sinceMs });
      this.store.ingestHistory(id, res.points);
      this.historyErrors.delete(id);
      this.filled.add(id);
    } catch (err) {
      const e = toErrorShape(err);
      this.historyErrors.set(id, `${e.code}: ${e.message}`);
      // A container that does not exist will not start to; anything else may be retried by the next view.
      if (/NOT_FOUND|NO_SUCH/.test(e.code)) this.filled.add(id);
      this.store.touch(id);
    }
  }

  /** OOM events seen since this page subscribed (containers.changed action "oom"). */
  oomEvents(id: string): readonly number[] {
    return this.oom.get(id) ?? EMPTY;
  }
}

const EMPTY: readonly number[] = [];

const instances = new WeakMap<BerthClient, LiveResources>();

export function liveResourcesFor(client: BerthClient): LiveResources {
  let live = instances.get(client);
  if (!live) {
    live = new LiveResources(client);
    instances.set(client, live);
  }
  return live;
}

/** The shared live data; keeps the event subscriptions alive while the component is mounted. */
export function useLiveResources(): LiveResources {
  const client = useBerth();
  const live = liveResourcesFor(client);
  useEffect(() => live.retain(), [live]);
  return live;
}

/** Re-renders when `id`'s series changed (at most once per tick); inactive → never. */
export function useSeriesVersion(live: LiveResources, id: string, active = true): number {
  return useSyncExternalStore(live.store.subscribe, () => (active ? live.store.versionOf(id) : 0));
}

/** The latest sample's rows (one new array per tick). */
export function useLatestRows(live: LiveResources): readonly StatsRowT[] {
  return useSyncExternalStore(live.store.subscribe, () => live.store.rows());
}
