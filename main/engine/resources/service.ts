/**
 * Live resources of running containers: one sampler over their cgroups and
 * their network counters (each container's own /proc/PID/net/dev), all kept
 * open in one native StatBatch and read in one call per tick; a 15-minute
 * history in the helper; one compact event per tick for every chart and
 * table; OOM kills noticed from the same tick.
 */
import fs from 'node:fs';
import { toErrorShape, type ErrorShape } from '../../../preload/errors';
import type { ResourceStats, StatsRowT } from '../../../preload/schemas/resources';
import type { CgroupDriver, CgroupHandle } from '../cgroups/driver';
import { History } from '../cgroups/history';
import { SLOT, SLOW_EVERY, type SampleFile } from '../cgroups/sample-layout';
import { Sampler } from '../cgroups/sampler';
import { parseNetDev } from '../network/sandbox';
import { encodeSampleColumns, type SampleColumns } from '../../shared/sample-wire';

interface Tracked {
  name: string;
  pid: number;
  handle: CgroupHandle;
}

export interface ResourceServiceOptions {
  driver: CgroupDriver;
  intervalMs?: number;
  /** Every tick: the newest point of each sampled container, as the helper's wire sends it. */
  onTick: (sample: SampleColumns) => void;
  /** False while nobody would receive onTick (no client connected): the tick then skips encoding. */
  wantsTicks?: () => boolean;
  onOom: (id: string, newKills: number) => void;
}

/**
 * A container's interface counters, from inside its network namespace
 * (optional: the process may be exiting). A namespace with only lo
 * (`--network none`) has nothing to chart: read every SLOW_EVERY ticks.
 */
export function netDevFile(pid: number): SampleFile {
  const path = `/proc/${pid}/net/dev`;
  let onlyLo = false;
  try {
    onlyLo = parseNetDev(fs.readFileSync(path, 'latin1')).length === 0;
  } catch {
    // exiting: the tick reads NaN
  }
  return {
    path,
    kind: 'netdev',
    slots: [SLOT.netRxBytes, -1, SLOT.netTxBytes, -1],
    optional: true,
    ...(onlyLo ? { every: SLOW_EVERY } : {}),
  };
}

export class ResourceService {
  readonly history = new History();
  private readonly sampler: Sampler;
  private readonly tracked = new Map<string, Tracked>();
  private readonly failed = new Map<string, ErrorShape>();

  constructor(private readonly o: ResourceServiceOptions) {
    this.sampler = new Sampler(o.driver, {
      intervalMs: o.intervalMs ?? 1000,
      history: this.history,
      onOom: (e) => o.onOom(e.id, e.newKills),
      onSample: (batch) => {
        if (o.wantsTicks && !o.wantsTicks()) return;
        o.onTick(encodeSampleColumns(batch.at, batch.ids, (id) => this.tracked.get(id)?.name, this.history));
      },
    });
  }

  /**
   * Starts sampling a running container. Never throws (it runs inside the
   * container's start): a group whose files cannot be opened stays tracked
   * for on-demand reads, unsampled, with the reason in sampleErrors().
   */
  track(id: string, name: string, handle: CgroupHandle, pid: number): void {
    this.untrack(id, false);
    this.tracked.set(id, { name, pid, handle });
    this.failed.delete(id);
    try {
      this.sampler.add(id, handle, [netDevFile(pid)]);
    } catch (err) {
      this.failed.set(id, toErrorShape(err));
      return;
    }
    this.sampler.start();
  }

  /** Containers tracked but not sampled, and why. */
  sampleErrors(): Map<string, ErrorShape> {
    return new Map(this.failed);
  }

  rename(id: string, name: string): void {
    const t = this.tracked.get(id);
    if (t) t.name = name;
  }

  /** Stops sampling; the history stays until the container is removed (forget). */
  untrack(id: string, keepHistory = true): void {
    const t = this.tracked.get(id);
    if (!t) return;
    this.tracked.delete(id);
    this.failed.delete(id);
    this.sampler.remove(id);
    this.o.driver.release(t.handle);
    if (!keepHistory) this.history.delete(id);
    if (this.sampler.size === 0) this.sampler.stop();
  }

  forget(id: string): void {
    this.untrack(id, false);
    this.history.delete(id);
  }

  /**
   * The latest point of each running container (or one) with every raw
   * counter read now (driver.stats, on demand: memory.stat, per-device IO,
   * per-interface network, PSI totals…), which the per-second tick skips.
   */
  latest(id?: string): Array<{ row: StatsRowT; stats: ResourceStats }> {
    const out: Array<{ row: StatsRowT; stats: ResourceStats }> = [];
    for (const [cid, t] of this.tracked) {
      if (id !== undefined && cid !== id) continue;
      const p = this.history.last(cid);
      if (!p) continue;
      let stats: ResourceStats;
      try {
        stats = this.o.driver.stats(t.handle);
      } catch {
        continue; // removed meanwhile: the next tick drops it
      } finally {
        // One container's view polls this: its files stay open. A one-off
        // over all of them (`berth stats --no-stream`) keeps no fds.
        if (id === undefined) this.o.driver.release(t.handle);
      }
      stats.net.ifaces = readNetDev(t.pid);
      out.push({ row: Object.assign(p, { id: cid, name: t.name }), stats });
    }
    return out;
  }

  stop(): void {
    for (const id of [...this.tracked.keys()]) this.untrack(id);
    this.sampler.close();
  }
}

function readNetDev(pid: number): ResourceStats['net']['ifaces'] {
  try {
    return parseNetDev(fs.readFileSync(`/proc/${pid}/net/dev`, 'latin1'));
  } catch {
    return []; // the namespace went away with the container
  }
}
