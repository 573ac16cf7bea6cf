/**
 * Per-container sample history: a ring of the last N samples (default 900 =
 * 15 min at 1 s) kept as Float64Array columns, not objects, so 900 samples
 * cost ~80 KB per container and pushing allocates nothing. Rates are derived
 * on read from counter deltas over wall time:
 *
 *   cpuPercent  = Δcpu.usageUsec / Δt(µs) × 100 — 100% = one full CPU, as
 *                 `docker stats` shows it (docker: Δcontainer / Δsystem × ncpu × 100,
 *                 the same quantity measured against host time)
 *   cpuPercentOfHost = cpuPercent / online CPUs (0..100)
 *   io/net bytes per second = Δbytes / Δt(s), summed over devices / interfaces
 *
 * A counter that goes backwards (group recreated) yields null for that point.
 */
import os from 'node:os';
import type { ResourceStats } from '../../../preload/schemas/resources';

export const DEFAULT_CAPACITY = 900;

export interface HistoryPoint {
  /** ms since the epoch. */
  t: number;
  cpuPercent: number | null;
  cpuPercentOfHost: number | null;
  /** Share of CFS periods that were throttled since the previous sample, 0..100. */
  throttledPercent: number | null;
  memoryBytes: number;
  memoryLimit: number | null;
  pids: number;
  ioReadBps: number | null;
  ioWriteBps: number | null;
  netRxBps: number | null;
  netTxBps: number | null;
}

const COLUMNS = [
  't',
  'cpu',
  'periods',
  'throttled',
  'mem',
  'memLimit',
  'pids',
  'ioR',
  'ioW',
  'netRx',
  'netTx',
] as const;
type Column = (typeof COLUMNS)[number];

export class SampleRing {
  readonly capacity: number;
  readonly onlineCpus: number;
  private readonly cols: Record<Column, Float64Array>;
  private head = 0;
  private count = 0;
  private last: ResourceStats | null = null;

  constructor(capacity = DEFAULT_CAPACITY, onlineCpus = os.availableParallelism()) {
    if (!Number.isInteger(capacity) || capacity < 2) throw new RangeError('capacity must be an integer >= 2');
    this.capacity = capacity;
    this.onlineCpus = Math.max(1, onlineCpus);
    this.cols = Object.fromEntries(COLUMNS.map((c) => [c, new Float64Array(capacity)])) as Record<Column, Float64Array>;
  }

  get length(): number {
    return this.count;
  }

  /** The last full sample (per-device detail, pressure, …). */
  latest(): ResourceStats | null {
    return this.last;
  }

  push(s: ResourceStats): void {
    const i = this.head;
    const c = this.cols;
    c.t[i] = s.timestamp;
    c.cpu[i] = s.cpu.usageUsec;
    c.periods[i] = s.cpu.nrPeriods;
    c.throttled[i] = s.cpu.nrThrottled;
    c.mem[i] = s.memory.current;
    c.memLimit[i] = s.memory.limit ?? NaN;
    c.pids[i] = s.pids.current;
    let r = 0;
    let w = 0;
    for (const d of s.io.devices) {
      r += d.rbytes;
      w += d.wbytes;
    }
    c.ioR[i] = r;
    c.ioW[i] = w;
    let rx = 0;
    let tx = 0;
    for (const n of s.net.ifaces) {
      rx += n.rxBytes;
      tx += n.txBytes;
    }
    c.netRx[i] = rx;
    c.netTx[i] = tx;
    this.head = (i + 1) % this.capacity;
    if (this.count < this.capacity) this.count++;
    this.last = s;
  }

  /** Index in the columns of the k-th oldest sample. */
  private at(k: number): number {
    return (this.head - this.count + k + this.capacity) % this.capacity;
  }

  private col(name: Column, idx: number): number {
    return this.cols[name][idx] ?? NaN;
  }

  /** Points with t >= sinceMs, oldest first; rates need the sample before, so the very first point has null rates. */
  range(sinceMs = 0): HistoryPoint[] {
    const out: HistoryPoint[] = [];
    for (let k = 0; k < this.count; k++) {
      const i = this.at(k);
      const t = this.col('t', i);
      if (t < sinceMs) continue;
      const p = k > 0 ? this.at(k - 1) : -1;
      const dtMs = p >= 0 ? t - this.col('t', p) : NaN;
      const rate = (name: Column, perSecond: number): number | null => {
        if (p < 0 || !(dtMs > 0)) return null;
        const d = this.col(name, i) - this.col(name, p);
        return d < 0 ? null : (d / dtMs) * perSecond;
      };
      // Δusage µs / (Δt ms × 1000 µs/ms) × 100% = Δusage / Δt × 0.1
      const cpuPercent = rate('cpu', 0.1);
      const dPeriods = p >= 0 ? this.col('periods', i) - this.col('periods', p) : NaN;
      const dThrottled = p >= 0 ? this.col('throttled', i) - this.col('throttled', p) : NaN;
      const limit = this.col('memLimit', i);
      out.push({
        t,
        cpuPercent,
        cpuPercentOfHost: cpuPercent === null ? null : cpuPercent / this.onlineCpus,
        throttledPercent: dPeriods > 0 && dThrottled >= 0 ? (dThrottled / dPeriods) * 100 : p >= 0 ? 0 : null,
        memoryBytes: this.col('mem', i),
        memoryLimit: Number.isNaN(limit) ? null : limit,
        pids: this.col('pids', i),
        ioReadBps: rate('ioR', 1000),
        ioWriteBps: rate('ioW', 1000),
        netRxBps: rate('netRx', 1000),
        netTxBps: rate('netTx', 1000),
      });
    }
    return out;
  }
}

/** Rings by container id. */
export class History {
  private readonly rings = new Map<string, SampleRing>();
  readonly capacity: number;
  readonly onlineCpus: number;

  constructor(opts: { capacity?: number; onlineCpus?: number } = {}) {
    this.capacity = opts.capacity ?? DEFAULT_CAPACITY;
    this.onlineCpus = opts.onlineCpus ?? os.availableParallelism();
  }

  push(id: string, s: ResourceStats): void {
    let r = this.rings.get(id);
    if (!r) this.rings.set(id, (r = new SampleRing(this.capacity, this.onlineCpus)));
    r.push(s);
  }

  range(id: string, sinceMs = 0): HistoryPoint[] {
    return this.rings.get(id)?.range(sinceMs) ?? [];
  }

  latest(id: string): ResourceStats | null {
    return this.rings.get(id)?.latest() ?? null;
  }

  ring(id: string): SampleRing | undefined {
    return this.rings.get(id);
  }

  delete(id: string): void {
    this.rings.delete(id);
  }

  ids(): string[] {
    return [...this.rings.keys()];
  }
}
