/**
 * Per-container sample history: a ring of the last N samples (default 900 =
 * 15 min at 1 s) kept as Float64Array columns, not objects, so 900 samples
 * cost ~130 KB per container and pushing allocates nothing. A sample is a
 * row of sample-layout.ts SLOTs (what the native StatBatch fills); rates are
 * derived on read from counter deltas over wall time:
 *
 *   cpuPercent  = Δcpu µs / Δt(µs) × 100 — 100% = one full CPU, as
 *                 `docker stats` shows it (docker: Δcontainer / Δsystem × ncpu × 100,
 *                 the same quantity measured against host time)
 *   cpuPercentOfHost = cpuPercent / online CPUs (0..100)
 *   io/net bytes per second = Δbytes / Δt(s), summed over devices / interfaces
 *   psi*Avg10   = the kernel's own 10 s average (%), as read; null without PSI
 *
 * A counter that goes backwards (group recreated) yields null for that point.
 */
import os from 'node:os';
import type { HistoryPointT, ResourceStats } from '../../../preload/schemas/resources';
import { POINT_FIELDS, pointFromValues } from '../../shared/sample-wire';
import { SLOT, STRIDE, limitOrNull } from './sample-layout';

export const DEFAULT_CAPACITY = 900;

export type HistoryPoint = HistoryPointT;

/** A ResourceStats as a SLOT row (for callers that read files themselves, and tests). */
export function statsToRow(s: ResourceStats): Float64Array {
  const v = new Float64Array(STRIDE);
  v[SLOT.cpuUsec] = s.cpu.usageUsec;
  v[SLOT.nrPeriods] = s.cpu.nrPeriods;
  v[SLOT.nrThrottled] = s.cpu.nrThrottled;
  v[SLOT.memCurrent] = s.memory.current;
  v[SLOT.memLimit] = s.memory.limit ?? Infinity;
  v[SLOT.pids] = s.pids.current;
  for (const d of s.io.devices) {
    v[SLOT.ioReadBytes]! += d.rbytes;
    v[SLOT.ioWriteBytes]! += d.wbytes;
  }
  for (const n of s.net.ifaces) {
    v[SLOT.netRxBytes]! += n.rxBytes;
    v[SLOT.netTxBytes]! += n.txBytes;
  }
  v[SLOT.oom] = s.memory.oomEvents;
  v[SLOT.oomKill] = s.memory.oomKillEvents;
  const p = s.pressure;
  v[SLOT.psiCpuSome] = p?.cpu?.someAvg10 ?? NaN;
  v[SLOT.psiCpuFull] = p?.cpu?.fullAvg10 ?? NaN;
  v[SLOT.psiMemorySome] = p?.memory?.someAvg10 ?? NaN;
  v[SLOT.psiMemoryFull] = p?.memory?.fullAvg10 ?? NaN;
  v[SLOT.psiIoSome] = p?.io?.someAvg10 ?? NaN;
  v[SLOT.psiIoFull] = p?.io?.fullAvg10 ?? NaN;
  return v;
}

const nullIfNaN = (x: number): number | null => (Number.isNaN(x) ? null : x);

export class SampleRing {
  readonly capacity: number;
  readonly onlineCpus: number;
  /** Wall time of each sample, ms since the epoch. */
  private readonly t: Float64Array;
  /** capacity × STRIDE: sample k's SLOT s at k × STRIDE + s. */
  private readonly v: Float64Array;
  private head = 0;
  private count = 0;

  constructor(capacity = DEFAULT_CAPACITY, onlineCpus = os.availableParallelism()) {
    if (!Number.isInteger(capacity) || capacity < 2) throw new RangeError('capacity must be an integer >= 2');
    this.capacity = capacity;
    this.onlineCpus = Math.max(1, onlineCpus);
    this.t = new Float64Array(capacity);
    this.v = new Float64Array(capacity * STRIDE);
  }

  get length(): number {
    return this.count;
  }

  /** Copies row[base .. base + STRIDE) as the sample taken at `t`. */
  pushRow(t: number, row: ArrayLike<number>, base = 0): void {
    const i = this.head;
    this.t[i] = t;
    const o = i * STRIDE;
    for (let s = 0; s < STRIDE; s++) this.v[o + s] = row[base + s]!;
    this.head = (i + 1) % this.capacity;
    if (this.count < this.capacity) this.count++;
  }

  push(s: ResourceStats): void {
    this.pushRow(s.timestamp, statsToRow(s));
  }

  /** The raw value of a SLOT in the newest sample (NaN when empty or absent). */
  lastValue(slot: number): number {
    return this.count ? this.v[this.at(this.count - 1) * STRIDE + slot]! : NaN;
  }

  /** The newest point, or null when empty. O(1). */
  last(): HistoryPoint | null {
    return this.count ? this.point(this.count - 1) : null;
  }

  /** Points with t >= sinceMs, oldest first; rates need the sample before, so the very first point has null rates. */
  range(sinceMs = 0): HistoryPoint[] {
    const out: HistoryPoint[] = [];
    // Samples are in time order: skip to the first one at or after sinceMs.
    let k = this.count;
    while (k > 0 && this.t[this.at(k - 1)]! >= sinceMs) k--;
    for (; k < this.count; k++) out.push(this.point(k));
    return out;
  }

  /** Index in the ring of the k-th oldest sample. */
  private at(k: number): number {
    return (this.head - this.count + k + this.capacity) % this.capacity;
  }

  /**
   * Writes the k-th oldest sample's POINT_FIELDS values (all but t) into
   * out[offset ..]: what the per-tick event sends as columns, with no object
   * built per container.
   */
  writePoint(k: number, out: Array<number | null>, offset = 0): void {
    const i = this.at(k);
    const o = i * STRIDE;
    const v = this.v;
    const t = this.t[i]!;
    const p = k > 0 ? this.at(k - 1) : -1;
    const po = p * STRIDE;
    const dtMs = p >= 0 ? t - this.t[p]! : NaN;
    const ok = p >= 0 && dtMs > 0;
    // Rates are rounded (0.001 %, 1 B/s): no chart shows more, and short
    // numbers keep the per-tick event small to serialise.
    const rate = (slot: number, perSecond: number, scale: number): number | null => {
      if (!ok) return null;
      const d = v[o + slot]! - v[po + slot]!;
      return d < 0 || Number.isNaN(d) ? null : Math.round((d / dtMs) * perSecond * scale) / scale;
    };
    // Δusage µs / (Δt ms × 1000 µs/ms) × 100% = Δusage / Δt × 0.1
    const cpuPercent = rate(SLOT.cpuUsec, 0.1, 1000);
    const dPeriods = p >= 0 ? v[o + SLOT.nrPeriods]! - v[po + SLOT.nrPeriods]! : NaN;
    const dThrottled = p >= 0 ? v[o + SLOT.nrThrottled]! - v[po + SLOT.nrThrottled]! : NaN;
    // In POINT_FIELDS order.
    out[offset] = cpuPercent;
    out[offset + 1] = cpuPercent === null ? null : Math.round((cpuPercent / this.onlineCpus) * 1000) / 1000;
    out[offset + 2] =
      dPeriods > 0 && dThrottled >= 0 ? Math.round((dThrottled / dPeriods) * 100_000) / 1000 : p >= 0 ? 0 : null;
    out[offset + 3] = v[o + SLOT.memCurrent]!;
    out[offset + 4] = limitOrNull(v[o + SLOT.memLimit]!);
    out[offset + 5] = v[o + SLOT.pids]!;
    out[offset + 6] = rate(SLOT.ioReadBytes, 1000, 1);
    out[offset + 7] = rate(SLOT.ioWriteBytes, 1000, 1);
    out[offset + 8] = rate(SLOT.netRxBytes, 1000, 1);
    out[offset + 9] = rate(SLOT.netTxBytes, 1000, 1);
    out[offset + 10] = nullIfNaN(v[o + SLOT.psiCpuSome]!);
    out[offset + 11] = nullIfNaN(v[o + SLOT.psiCpuFull]!);
    out[offset + 12] = nullIfNaN(v[o + SLOT.psiMemorySome]!);
    out[offset + 13] = nullIfNaN(v[o + SLOT.psiMemoryFull]!);
    out[offset + 14] = nullIfNaN(v[o + SLOT.psiIoSome]!);
    out[offset + 15] = nullIfNaN(v[o + SLOT.psiIoFull]!);
  }

  /** The newest sample's POINT_FIELDS values into out[offset ..]; false when empty. */
  writeLast(out: Array<number | null>, offset = 0): boolean {
    if (!this.count) return false;
    this.writePoint(this.count - 1, out, offset);
    return true;
  }

  private point(k: number): HistoryPoint {
    const vals: Array<number | null> = new Array(POINT_FIELDS.length);
    this.writePoint(k, vals);
    return pointFromValues(this.t[this.at(k)]!, vals, 0);
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

  /** The ring of a container, created on first use. */
  ringFor(id: string): SampleRing {
    let r = this.rings.get(id);
    if (!r) this.rings.set(id, (r = new SampleRing(this.capacity, this.onlineCpus)));
    return r;
  }

  push(id: string, s: ResourceStats): void {
    this.ringFor(id).push(s);
  }

  pushRow(id: string, t: number, row: ArrayLike<number>, base = 0): void {
    this.ringFor(id).pushRow(t, row, base);
  }

  range(id: string, sinceMs = 0): HistoryPoint[] {
    return this.rings.get(id)?.range(sinceMs) ?? [];
  }

  last(id: string): HistoryPoint | null {
    return this.rings.get(id)?.last() ?? null;
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
