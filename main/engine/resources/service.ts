/**
 * Live resources of running containers: one sampler over their cgroups
 * (files kept open), network counters from each container's own
 * /proc/PID/net/dev (kept open too), a 15-minute history in the helper, and
 * one compact event per tick for every chart and table.
 */
import fs from 'node:fs';
import type { ResourceStats, StatsRowT } from '../../../preload/schemas/resources';
import type { CgroupDriver, CgroupHandle, OomWatcher } from '../cgroups/driver';
import { History } from '../cgroups/history';
import { Sampler } from '../cgroups/sampler';
import { parseNetDev } from '../network/sandbox';

interface Tracked {
  name: string;
  pid: number;
  netFd: number | null;
  oom: OomWatcher | null;
}

export interface ResourceServiceOptions {
  driver: CgroupDriver;
  intervalMs?: number;
  onTick: (at: number, rows: StatsRowT[]) => void;
  onOom: (id: string, newKills: number) => void;
}

const NET_BUF = Buffer.alloc(64 * 1024);

export class ResourceService {
  readonly history = new History();
  private readonly sampler: Sampler;
  private readonly tracked = new Map<string, Tracked>();

  constructor(private readonly o: ResourceServiceOptions) {
    this.sampler = new Sampler(o.driver, {
      intervalMs: o.intervalMs ?? 1000,
      history: this.history,
      augment: (id, stats) => this.addNet(id, stats),
      onSample: (batch) => {
        const rows: StatsRowT[] = [];
        for (const s of batch.samples) {
          const t = this.tracked.get(s.id);
          const p = this.history.range(s.id, batch.at - 1).at(-1);
          if (t && p) rows.push({ ...p, id: s.id, name: t.name });
        }
        this.o.onTick(batch.at, rows);
      },
    });
  }

  track(id: string, name: string, handle: CgroupHandle, pid: number): void {
    this.untrack(id, false);
    let netFd: number | null;
    try {
      netFd = fs.openSync(`/proc/${pid}/net/dev`, 'r');
    } catch {
      netFd = null;
    }
    let oom: OomWatcher | null;
    try {
      oom = this.o.driver.watchOom(handle, (e) => this.o.onOom(id, e.newKills));
    } catch {
      oom = null;
    }
    this.tracked.set(id, { name, pid, netFd, oom });
    this.sampler.add(id, handle);
    this.sampler.start();
  }

  rename(id: string, name: string): void {
    const t = this.tracked.get(id);
    if (t) t.name = name;
  }

  /** Stops sampling; the history stays until the container is removed (forget). */
  untrack(id: string, keepHistory = true): void {
    const t = this.tracked.get(id);
    if (!t) return;
    if (t.netFd !== null) fs.closeSync(t.netFd);
    t.oom?.close();
    this.tracked.delete(id);
    this.sampler.remove(id);
    if (!keepHistory) this.history.delete(id);
    if (this.sampler.size === 0) this.sampler.stop();
  }

  forget(id: string): void {
    this.untrack(id, false);
    this.history.delete(id);
  }

  latest(id?: string): Array<{ row: StatsRowT; stats: ResourceStats }> {
    const out: Array<{ row: StatsRowT; stats: ResourceStats }> = [];
    for (const [cid, t] of this.tracked) {
      if (id !== undefined && cid !== id) continue;
      const stats = this.history.latest(cid);
      const p = this.history.range(cid).at(-1);
      if (stats && p) out.push({ row: { ...p, id: cid, name: t.name }, stats });
    }
    return out;
  }

  /** Cost of sampling so far: CPU µs per tick, for the benchmark. */
  cost(): { ticks: number; cpuUs: number } {
    return { ticks: this.sampler.ticks, cpuUs: this.sampler.cpuUs };
  }

  stop(): void {
    for (const id of [...this.tracked.keys()]) this.untrack(id);
    this.sampler.stop();
  }

  private addNet(id: string, stats: ResourceStats): void {
    const t = this.tracked.get(id);
    if (!t || t.netFd === null) return;
    try {
      const n = fs.readSync(t.netFd, NET_BUF, 0, NET_BUF.length, 0);
      stats.net.ifaces = parseNetDev(NET_BUF.toString('latin1', 0, n));
    } catch {
      // The namespace went away with the container: the next tick drops it.
    }
  }
}
