/**
 * The renderer's live resource data, free of React and of the transport so it
 * can be tested and benchmarked on its own:
 *
 * - `SeriesRing`: one container's samples in Float64Array columns (null kept as
 *   NaN), capped at 900 points (15 min at 1 s, what the helper keeps), so a
 *   push allocates nothing and 50 containers hold ~3.6 MB;
 * - `SeriesStore`: a ring per container fed by `resources.history` (initial
 *   fill, merged in time order) and `resources.sample` events (appended), the
 *   latest row per container, per-container versions so a chart re-renders
 *   only when its own container changed, and one notification per tick;
 * - `sliceWindow`: the points of a time window as chart rows, bucketed to a
 *   fixed time grid (so a bucket's value does not shift as points arrive) with
 *   explicit gaps where sampling stopped.
 */
import type { HistoryPointT, StatsRowT } from '../../../../preload/schemas/resources';

export const CAPACITY = 900;
/** Two points closer than this are the same sample (history and events carry the same timestamps). */
export const SAME_SAMPLE_MS = 100;

export const FIELDS = [
  'cpu',
  'cpuHost',
  'throttled',
  'mem',
  'memLimit',
  'pids',
  'ioR',
  'ioW',
  'netRx',
  'netTx',
  'psiCpu',
  'psiCpuFull',
  'psiMem',
  'psiMemFull',
  'psiIo',
  'psiIoFull',
] as const;
export type Field = (typeof FIELDS)[number];

type PointLike = HistoryPointT;

// `undefined`: a point from a helper older than the field (PSI).
const num = (v: number | null | undefined): number => (v === null || v === undefined ? Number.NaN : v);
const orNull = (v: number): number | null => (Number.isNaN(v) ? null : v);

export class SeriesRing {
  readonly capacity: number;
  readonly t: Float64Array;
  readonly cols: Record<Field, Float64Array>;
  /** Next write position. */
  private head = 0;
  private count = 0;

  constructor(capacity = CAPACITY) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('capacity must be a positive integer');
    this.capacity = capacity;
    this.t = new Float64Array(capacity);
    const col = () => new Float64Array(capacity);
    // A literal (not Object.fromEntries) keeps the hot path on a fast-properties object.
    this.cols = {
      cpu: col(),
      cpuHost: col(),
      throttled: col(),
      mem: col(),
      memLimit: col(),
      pids: col(),
      ioR: col(),
      ioW: col(),
      netRx: col(),
      netTx: col(),
      psiCpu: col(),
      psiCpuFull: col(),
      psiMem: col(),
      psiMemFull: col(),
      psiIo: col(),
      psiIoFull: col(),
    };
  }

  get length(): number {
    return this.count;
  }

  /** Physical index of the i-th oldest sample. */
  index(i: number): number {
    return (this.head - this.count + i + this.capacity) % this.capacity;
  }

  timeAt(i: number): number {
    return this.t[this.index(i)]!;
  }

  value(field: Field, i: number): number {
    return this.cols[field][this.index(i)]!;
  }

  firstT(): number | null {
    return this.count === 0 ? null : this.timeAt(0);
  }

  lastT(): number | null {
    return this.count === 0 ? null : this.timeAt(this.count - 1);
  }

  /** Appends a point newer than the last one; returns false (and drops it) otherwise. */
  push(p: PointLike): boolean {
    const last = this.lastT();
    if (last !== null && p.t < last + SAME_SAMPLE_MS) return false;
    const i = this.head;
    const c = this.cols;
    this.t[i] = p.t;
    c.cpu[i] = num(p.cpuPercent);
    c.cpuHost[i] = num(p.cpuPercentOfHost);
    c.throttled[i] = num(p.throttledPercent);
    c.mem[i] = p.memoryBytes;
    c.memLimit[i] = num(p.memoryLimit);
    c.pids[i] = p.pids;
    c.ioR[i] = num(p.ioReadBps);
    c.ioW[i] = num(p.ioWriteBps);
    c.netRx[i] = num(p.netRxBps);
    c.netTx[i] = num(p.netTxBps);
    c.psiCpu[i] = num(p.psiCpuSomeAvg10);
    c.psiCpuFull[i] = num(p.psiCpuFullAvg10);
    c.psiMem[i] = num(p.psiMemorySomeAvg10);
    c.psiMemFull[i] = num(p.psiMemoryFullAvg10);
    c.psiIo[i] = num(p.psiIoSomeAvg10);
    c.psiIoFull[i] = num(p.psiIoFullAvg10);
    this.head = (this.head + 1) % this.capacity;
    if (this.count < this.capacity) this.count++;
    return true;
  }

  /**
   * Merges points in any order (a history answer that arrives after some
   * events were appended, or a backfill after a reconnect): newer points are
   * appended, older ones interleaved; duplicates of a sample already held are
   * dropped; only the newest `capacity` are kept. Returns how many were added.
   */
  merge(points: readonly PointLike[]): number {
    if (points.length === 0) return 0;
    const last = this.lastT();
    let sorted = true;
    for (let i = 1; i < points.length; i++) {
      if (points[i]!.t < points[i - 1]!.t) {
        sorted = false;
        break;
      }
    }
    if (sorted && (last === null || points[0]!.t >= last + SAME_SAMPLE_MS)) {
      let added = 0;
      for (const p of points) if (this.push(p)) added++;
      return added;
    }
    // Rare path: rebuild in time order.
    const all = this.toPoints();
    const before = all.length;
    const have = all.map((p) => p.t);
    for (const p of points) {
      if (!nearAny(have, p.t)) all.push(p);
    }
    if (all.length === before) return 0;
    all.sort((a, b) => a.t - b.t);
    this.head = 0;
    this.count = 0;
    for (const p of all.slice(-this.capacity)) this.push(p);
    return all.length - before;
  }

  /** The first logical index whose time is ≥ t. */
  lowerBound(t: number): number {
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.timeAt(mid) < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  toPoints(): HistoryPointT[] {
    const out: HistoryPointT[] = [];
    for (let i = 0; i < this.count; i++) {
      const j = this.index(i);
      const c = this.cols;
      out.push({
        t: this.t[j]!,
        cpuPercent: orNull(c.cpu[j]!),
        cpuPercentOfHost: orNull(c.cpuHost[j]!),
        throttledPercent: orNull(c.throttled[j]!),
        memoryBytes: c.mem[j]!,
        memoryLimit: orNull(c.memLimit[j]!),
        pids: c.pids[j]!,
        ioReadBps: orNull(c.ioR[j]!),
        ioWriteBps: orNull(c.ioW[j]!),
        netRxBps: orNull(c.netRx[j]!),
        netTxBps: orNull(c.netTx[j]!),
        psiCpuSomeAvg10: orNull(c.psiCpu[j]!),
        psiCpuFullAvg10: orNull(c.psiCpuFull[j]!),
        psiMemorySomeAvg10: orNull(c.psiMem[j]!),
        psiMemoryFullAvg10: orNull(c.psiMemFull[j]!),
        psiIoSomeAvg10: orNull(c.psiIo[j]!),
        psiIoFullAvg10: orNull(c.psiIoFull[j]!),
      });
    }
    return out;
  }
}

function nearAny(sortedTimes: readonly number[], t: number): boolean {
  let lo = 0;
  let hi = sortedTimes.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sortedTimes[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  const a = sortedTimes[lo - 1];
  const b = sortedTimes[lo];
  return (a !== undefined && t - a < SAME_SAMPLE_MS) || (b !== undefined && b - t < SAME_SAMPLE_MS);
}

// ── windows ──────────────────────────────────────────────────────────────

export type WindowKey = '1m' | '5m' | '15m';

export interface WindowSpec {
  key: WindowKey;
  label: string;
  ms: number;
}

export const WINDOWS: readonly WindowSpec[] = [
  { key: '1m', label: '1 min', ms: 60_000 },
  { key: '5m', label: '5 min', ms: 300_000 },
  { key: '15m', label: '15 min', ms: 900_000 },
];

export function windowSpec(key: WindowKey): WindowSpec {
  return WINDOWS.find((w) => w.key === key) ?? WINDOWS[0]!;
}

/** One chart row: `t` plus the requested fields (null = no value: a gap). */
export type ChartRow = { t: number } & Partial<Record<Field, number | null>>;

export interface SliceOptions {
  /** The window's end (the latest sample's time keeps the axis still between ticks). */
  to: number;
  ms: number;
  /** At most this many points (buckets on a fixed grid); 0 = every sample. */
  maxPoints?: number;
  /** A gap longer than this many sampling steps (1 s) is drawn as a break. */
  gapSteps?: number;
}

export interface Slice {
  rows: ChartRow[];
  /** Fixed x domain [to − ms, to]. */
  domain: [number, number];
  /** Per field: the largest finite value in the window (for a nice y domain). */
  max: Partial<Record<Field, number>>;
}

/**
 * The window's end, held still between redraws: a chart whose points are
 * `step`-wide buckets only changes when a bucket closes, so its end moves in
 * whole steps (a 15 min chart redraws every 8 s, a 1 min chart every second).
 */
export function heldWindowEnd(now: number, step: number): number {
  const s = Math.max(1000, step);
  return Math.floor(now / s) * s;
}

/** Bucket width for a window: a whole number of seconds so the grid is stable. */
export function bucketMs(ms: number, maxPoints: number): number {
  if (maxPoints <= 0) return 0;
  return Math.max(1000, Math.ceil(ms / maxPoints / 1000) * 1000);
}

/**
 * The points of [to − ms, to] for `fields`. With `maxPoints`, samples are
 * averaged per bucket on a grid aligned to absolute time (floor(t / width)),
 * so an old bucket keeps its value while new samples arrive.
 */
export function sliceWindow(ring: SeriesRing | undefined, fields: readonly Field[], opts: SliceOptions): Slice {
  const from = opts.to - opts.ms;
  const max: Partial<Record<Field, number>> = {};
  const rows: ChartRow[] = [];
  const slice: Slice = { rows, domain: [from, opts.to], max };
  if (!ring || ring.length === 0) return slice;
  const width = bucketMs(opts.ms, opts.maxPoints ?? 0);
  const gap = Math.max(width, 1000) * (opts.gapSteps ?? 3);
  const start = ring.lowerBound(from);
  const end = ring.length;
  const cols = fields.map((f) => ring.cols[f]);
  let prevT = Number.NaN;

  const pushGap = (t: number) => {
    const row: ChartRow = { t };
    for (const f of fields) row[f] = null;
    rows.push(row);
  };
  const note = (f: Field, v: number) => {
    if (!(v <= (max[f] ?? -Infinity))) max[f] = v;
  };

  if (width === 0) {
    for (let i = start; i < end; i++) {
      const j = ring.index(i);
      const t = ring.t[j]!;
      if (t > opts.to) break;
      if (!Number.isNaN(prevT) && t - prevT > gap) pushGap((prevT + t) / 2);
      const row: ChartRow = { t };
      for (let k = 0; k < fields.length; k++) {
        const v = cols[k]![j]!;
        const f = fields[k]!;
        if (Number.isNaN(v)) row[f] = null;
        else {
          row[f] = v;
          note(f, v);
        }
      }
      rows.push(row);
      prevT = t;
    }
    return slice;
  }

  const sums = new Float64Array(fields.length);
  const counts = new Uint32Array(fields.length);
  let bucket = Number.NaN;
  const flush = () => {
    if (Number.isNaN(bucket)) return;
    const row: ChartRow = { t: bucket + width / 2 };
    for (let k = 0; k < fields.length; k++) {
      const f = fields[k]!;
      if (counts[k]! > 0) {
        const v = sums[k]! / counts[k]!;
        row[f] = v;
        note(f, v);
      } else row[f] = null;
    }
    rows.push(row);
    sums.fill(0);
    counts.fill(0);
  };
  for (let i = start; i < end; i++) {
    const j = ring.index(i);
    const t = ring.t[j]!;
    if (t > opts.to) break;
    const b = Math.floor(t / width) * width;
    if (b !== bucket) {
      flush();
      if (!Number.isNaN(prevT) && t - prevT > gap) pushGap((prevT + t) / 2);
      bucket = b;
    }
    for (let k = 0; k < fields.length; k++) {
      const v = cols[k]![j]!;
      if (!Number.isNaN(v)) {
        sums[k]! += v;
        counts[k]!++;
      }
    }
    prevT = t;
  }
  flush();
  return slice;
}

// ── the store ────────────────────────────────────────────────────────────

export interface SamplePayload {
  at: number;
  rows: readonly StatsRowT[];
}

export interface TickScheduler {
  /** Run `fn` after `ms`; returns a cancel function. */
  later(fn: () => void, ms: number): () => void;
  now(): number;
}

export const realScheduler: TickScheduler = {
  later(fn, ms) {
    const h = setTimeout(fn, ms);
    return () => clearTimeout(h);
  },
  now: () => Date.now(),
};

/**
 * Rings per container plus what the overview table shows. Listeners are told
 * at most once per tick: a sample flushes at once (it *is* the tick); other
 * changes (history answers arriving one by one) wait for the next sample or at
 * most `idleFlushMs`, whichever comes first.
 */
export class SeriesStore {
  readonly capacity: number;
  private readonly rings = new Map<string, SeriesRing>();
  private readonly versions = new Map<string, number>();
  private readonly fills = new Map<string, number>();
  private readonly latestRows = new Map<string, StatsRowT>();
  private rowsSnapshot: readonly StatsRowT[] = [];
  private version = 0;
  private lastAt = 0;
  private readonly listeners = new Set<() => void>();
  private dirty = false;
  private cancelFlush: (() => void) | null = null;
  private lastFlush = 0;
  /** Flush calls (each one notifies every listener once); counted for tests and the benchmark. */
  flushes = 0;

  constructor(
    private readonly scheduler: TickScheduler = realScheduler,
    opts: { capacity?: number; idleFlushMs?: number } = {},
  ) {
    this.capacity = opts.capacity ?? CAPACITY;
    this.idleFlushMs = opts.idleFlushMs ?? 1000;
  }

  private readonly idleFlushMs: number;

  ring(id: string): SeriesRing | undefined {
    return this.rings.get(id);
  }

  ids(): string[] {
    return [...this.rings.keys()];
  }

  /** Changes whenever anything about `id` changed (0 = never seen). */
  versionOf(id: string): number {
    return this.versions.get(id) ?? 0;
  }

  /** Changes on every flush that changed anything. */
  globalVersion(): number {
    return this.version;
  }

  /** The latest sample's time (the charts' "now"). */
  now(): number {
    return this.lastAt;
  }

  /** The rows of the latest sample, in the helper's order (same array until the next sample). */
  rows(): readonly StatsRowT[] {
    return this.rowsSnapshot;
  }

  latest(id: string): StatsRowT | undefined {
    return this.latestRows.get(id);
  }

  private ringFor(id: string): SeriesRing {
    let r = this.rings.get(id);
    if (!r) {
      r = new SeriesRing(this.capacity);
      this.rings.set(id, r);
    }
    return r;
  }

  private bump(id: string): void {
    this.versions.set(id, (this.versions.get(id) ?? 0) + 1);
  }

  /** Appends one tick's rows; returns the ids seen for the first time (they want a history fill). */
  ingestSample(payload: SamplePayload): string[] {
    const fresh: string[] = [];
    for (const row of payload.rows) {
      if (!this.rings.has(row.id)) fresh.push(row.id);
      this.ringFor(row.id).push(row);
      this.latestRows.set(row.id, row);
      this.bump(row.id);
    }
    // Containers that stopped: no longer in the table (their series stay for the charts).
    if (payload.rows.length !== this.latestRows.size) {
      const live = new Set(payload.rows.map((r) => r.id));
      for (const id of [...this.latestRows.keys()]) {
        if (!live.has(id)) {
          this.latestRows.delete(id);
          this.bump(id);
        }
      }
    }
    this.rowsSnapshot = payload.rows;
    this.lastAt = Math.max(this.lastAt, payload.at);
    this.dirty = true;
    this.flush();
    return fresh;
  }

  /** Changes only when a history answer added points to `id`'s ring (not on every sample). */
  fillsOf(id: string): number {
    return this.fills.get(id) ?? 0;
  }

  /** Merges a `resources.history` answer (initial fill or backfill). */
  ingestHistory(id: string, points: readonly HistoryPointT[]): number {
    const added = this.ringFor(id).merge(points);
    if (added > 0) this.fills.set(id, (this.fills.get(id) ?? 0) + 1);
    const last = points[points.length - 1];
    if (last && this.lastAt === 0) this.lastAt = last.t;
    if (added > 0 || this.versionOf(id) === 0) {
      this.bump(id);
      this.markDirty();
    }
    return added;
  }

  /** Something else about `id` changed (an OOM event): re-render its views at the next flush. */
  touch(id: string): void {
    this.bump(id);
    this.markDirty();
  }

  remove(id: string): void {
    if (!this.rings.delete(id) && !this.latestRows.has(id)) return;
    this.latestRows.delete(id);
    this.rowsSnapshot = this.rowsSnapshot.filter((r) => r.id !== id);
    this.bump(id);
    this.markDirty();
  }

  /** Drops series whose last point is older than `maxAgeMs` before the latest tick (default 15 min). */
  prune(maxAgeMs = 15 * 60_000): string[] {
    const dropped: string[] = [];
    for (const [id, ring] of this.rings) {
      const last = ring.lastT();
      if (!this.latestRows.has(id) && last !== null && this.lastAt - last > maxAgeMs) {
        this.rings.delete(id);
        this.bump(id);
        dropped.push(id);
      }
    }
    if (dropped.length) this.markDirty();
    return dropped;
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  };

  private markDirty(): void {
    this.dirty = true;
    if (this.cancelFlush) return;
    const wait = Math.max(0, this.lastFlush + this.idleFlushMs - this.scheduler.now());
    this.cancelFlush = this.scheduler.later(() => {
      this.cancelFlush = null;
      this.flush();
    }, wait);
  }

  /** Notifies listeners once if anything changed since the last flush. */
  flush(): void {
    if (this.cancelFlush) {
      this.cancelFlush();
      this.cancelFlush = null;
    }
    if (!this.dirty) return;
    this.dirty = false;
    this.version++;
    this.flushes++;
    this.lastFlush = this.scheduler.now();
    for (const l of [...this.listeners]) l();
  }
}

/** Host CPUs as the helper counts them (cpuPercent / cpuPercentOfHost), or null without a busy sample. */
export function hostCpusFromRows(rows: readonly Pick<StatsRowT, 'cpuPercent' | 'cpuPercentOfHost'>[]): number | null {
  for (const r of rows) {
    if (r.cpuPercent !== null && r.cpuPercentOfHost !== null && r.cpuPercentOfHost > 0.01) {
      return Math.round(r.cpuPercent / r.cpuPercentOfHost);
    }
  }
  return null;
}
