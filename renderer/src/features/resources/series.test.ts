import { describe, expect, it } from 'vitest';
import type { HistoryPointT, StatsRowT } from '../../../../preload/schemas/resources';
import {
  CAPACITY,
  SeriesRing,
  SeriesStore,
  bucketMs,
  hostCpusFromRows,
  sliceWindow,
  windowSpec,
  type TickScheduler,
} from './series';
import { sparkPath } from './chart-math';

const T0 = 1_700_000_000_000;

function point(t: number, over: Partial<HistoryPointT> = {}): HistoryPointT {
  return {
    t,
    cpuPercent: 50,
    cpuPercentOfHost: 25,
    throttledPercent: 0,
    memoryBytes: 1000,
    memoryLimit: null,
    pids: 1,
    ioReadBps: 0,
    ioWriteBps: 0,
    netRxBps: 0,
    netTxBps: 0,
    psiCpuSomeAvg10: null,
    psiCpuFullAvg10: null,
    psiMemorySomeAvg10: null,
    psiMemoryFullAvg10: null,
    psiIoSomeAvg10: null,
    psiIoFullAvg10: null,
    ...over,
  };
}

function row(id: string, t: number, over: Partial<HistoryPointT> = {}): StatsRowT {
  return { ...point(t, over), id, name: `c-${id}` };
}

/** Seconds 0..n-1 after T0. */
function points(n: number, start = 0, f: (i: number) => Partial<HistoryPointT> = () => ({})): HistoryPointT[] {
  return Array.from({ length: n }, (_, i) => point(T0 + (start + i) * 1000, f(start + i)));
}

/** A scheduler the test drives by hand. */
function manualScheduler(): TickScheduler & { time: number; run(): void; pending: number } {
  let queue: { fn: () => void; at: number; cancelled: boolean }[] = [];
  const s = {
    time: T0,
    now: () => s.time,
    later(fn: () => void, ms: number) {
      const job = { fn, at: s.time + ms, cancelled: false };
      queue.push(job);
      return () => {
        job.cancelled = true;
      };
    },
    run() {
      const due = queue.filter((j) => !j.cancelled && j.at <= s.time);
      queue = queue.filter((j) => !due.includes(j) && !j.cancelled);
      for (const j of due) j.fn();
    },
    get pending() {
      return queue.filter((j) => !j.cancelled).length;
    },
  };
  return s;
}

describe('SeriesRing', () => {
  it('keeps the newest `capacity` points in order, null as NaN and back', () => {
    const r = new SeriesRing(5);
    for (const p of points(8, 0, (i) => ({ cpuPercent: i === 6 ? null : i }))) r.push(p);
    expect(r.length).toBe(5);
    expect(r.firstT()).toBe(T0 + 3000);
    expect(r.lastT()).toBe(T0 + 7000);
    expect(r.toPoints().map((p) => p.cpuPercent)).toEqual([3, 4, 5, null, 7]);
  });

  it('drops duplicates and points older than the last one on push', () => {
    const r = new SeriesRing(10);
    expect(r.push(point(T0))).toBe(true);
    expect(r.push(point(T0))).toBe(false);
    expect(r.push(point(T0 + 50))).toBe(false);
    expect(r.push(point(T0 - 1000))).toBe(false);
    expect(r.length).toBe(1);
  });

  it('merges a history answer that arrives after some events (interleaving, dedupe, cap)', () => {
    const r = new SeriesRing(6);
    // Events at 8 s and 9 s arrived first.
    r.push(point(T0 + 8000, { cpuPercent: 800 }));
    r.push(point(T0 + 9000, { cpuPercent: 900 }));
    // History 0..8 s (8 s is the same sample as the event).
    const added = r.merge(points(9, 0, (i) => ({ cpuPercent: i })));
    expect(added).toBe(8);
    expect(r.length).toBe(6);
    expect(r.toPoints().map((p) => (p.t - T0) / 1000)).toEqual([4, 5, 6, 7, 8, 9]);
    // The event's value wins for the shared sample.
    expect(r.toPoints().map((p) => p.cpuPercent)).toEqual([4, 5, 6, 7, 800, 900]);
  });

  it('appends a sorted backfill without rebuilding, and lowerBound finds window starts', () => {
    const r = new SeriesRing(CAPACITY);
    r.merge(points(10));
    expect(r.merge(points(5, 8))).toBe(3);
    expect(r.length).toBe(13);
    expect(r.lowerBound(T0 + 4500)).toBe(5);
    expect(r.lowerBound(T0 - 1)).toBe(0);
    expect(r.lowerBound(T0 + 99_000)).toBe(13);
  });
});

describe('sliceWindow', () => {
  it('every sample of the window with a fixed domain and per-field maxima', () => {
    const r = new SeriesRing();
    r.merge(points(120, 0, (i) => ({ cpuPercent: i, memoryBytes: 10 * i })));
    const to = T0 + 119_000;
    const s = sliceWindow(r, ['cpu', 'mem'], { to, ms: windowSpec('1m').ms });
    expect(s.domain).toEqual([to - 60_000, to]);
    expect(s.rows).toHaveLength(61);
    expect(s.rows[0]).toEqual({ t: T0 + 59_000, cpu: 59, mem: 590 });
    expect(s.max).toEqual({ cpu: 119, mem: 1190 });
  });

  it('buckets on an absolute grid so old buckets keep their value as time moves', () => {
    const r = new SeriesRing();
    r.merge(points(900, 0, (i) => ({ cpuPercent: i % 10 })));
    const ms = windowSpec('15m').ms;
    expect(bucketMs(ms, 120)).toBe(8000);
    const a = sliceWindow(r, ['cpu'], { to: T0 + 899_000, ms, maxPoints: 120 });
    r.push(point(T0 + 900_000, { cpuPercent: 5 }));
    const b = sliceWindow(r, ['cpu'], { to: T0 + 900_000, ms, maxPoints: 120 });
    expect(a.rows.length).toBeLessThanOrEqual(121);
    const common = a.rows.filter((x) => b.rows.some((y) => y.t === x.t)).slice(1, -1);
    expect(common.length).toBeGreaterThan(100);
    for (const x of common) expect(b.rows.find((y) => y.t === x.t)).toEqual(x);
  });

  it('marks a gap where sampling stopped and keeps nulls as nulls', () => {
    const r = new SeriesRing();
    r.merge([...points(5, 0), ...points(5, 30, () => ({ cpuPercent: null }))]);
    const s = sliceWindow(r, ['cpu'], { to: T0 + 34_000, ms: 60_000 });
    expect(s.rows).toHaveLength(11);
    const gap = s.rows[5]!;
    expect(gap.cpu).toBeNull();
    expect(gap.t).toBeGreaterThan(T0 + 4000);
    expect(gap.t).toBeLessThan(T0 + 30_000);
    expect(s.rows.slice(6).every((x) => x.cpu === null)).toBe(true);
    expect(s.max.cpu).toBe(50);
  });

  it('an unknown container is an empty slice with the window domain', () => {
    expect(sliceWindow(undefined, ['cpu'], { to: 1000, ms: 60_000 })).toEqual({
      rows: [],
      domain: [-59_000, 1000],
      max: {},
    });
  });
});

describe('SeriesStore', () => {
  it('merges sample rows per container, reports new ids and drops stopped ones from the table', () => {
    const s = new SeriesStore(manualScheduler());
    expect(s.ingestSample({ at: T0, rows: [row('a', T0), row('b', T0)] })).toEqual(['a', 'b']);
    expect(s.ingestSample({ at: T0 + 1000, rows: [row('a', T0 + 1000), row('c', T0 + 1000)] })).toEqual(['c']);
    expect(s.rows().map((r) => r.id)).toEqual(['a', 'c']);
    expect(s.latest('b')).toBeUndefined();
    expect(s.ring('b')?.length).toBe(1); // its series stays for the charts
    expect(s.ring('a')?.length).toBe(2);
    expect(s.now()).toBe(T0 + 1000);
    expect(hostCpusFromRows(s.rows())).toBe(2);
  });

  it('notifies once per tick; history answers wait for the tick (or the idle flush)', () => {
    const sched = manualScheduler();
    const s = new SeriesStore(sched);
    let calls = 0;
    s.subscribe(() => calls++);
    s.ingestSample({ at: T0, rows: [row('a', T0)] });
    expect(calls).toBe(1);
    const va = s.versionOf('a');
    // 3 history answers within the same second: no notification yet.
    s.ingestHistory('a', points(3, -10));
    s.ingestHistory('b', points(3, -10));
    s.ingestHistory('c', points(3, -10));
    expect(calls).toBe(1);
    expect(s.versionOf('a')).toBeGreaterThan(va);
    // The next sample flushes everything at once and cancels the idle flush.
    sched.time += 1000;
    s.ingestSample({ at: T0 + 1000, rows: [row('a', T0 + 1000)] });
    expect(calls).toBe(2);
    expect(sched.pending).toBe(0);
    // Without samples (a stopped container's page), the idle flush delivers it.
    s.ingestHistory('d', points(2, -5));
    expect(calls).toBe(2);
    sched.time += 1000;
    sched.run();
    expect(calls).toBe(3);
  });

  it('versions change only for the container that changed', () => {
    const s = new SeriesStore(manualScheduler());
    s.ingestSample({ at: T0, rows: [row('a', T0), row('b', T0)] });
    const vb = s.versionOf('b');
    s.ingestHistory('a', points(5, -5));
    expect(s.versionOf('b')).toBe(vb);
    s.remove('a');
    expect(s.ring('a')).toBeUndefined();
    expect(s.rows().map((r) => r.id)).toEqual(['b']);
  });

  it('prunes series of containers gone for longer than the window', () => {
    const s = new SeriesStore(manualScheduler());
    s.ingestSample({ at: T0, rows: [row('a', T0), row('b', T0)] });
    s.ingestSample({ at: T0 + 16 * 60_000, rows: [row('a', T0 + 16 * 60_000)] });
    expect(s.prune()).toEqual(['b']);
    expect(s.ids()).toEqual(['a']);
  });
});

describe('benchmark (prints, asserts nothing about time)', () => {
  it('50 containers × 900 points: one tick through the data layer', () => {
    const N = 50;
    const sched = manualScheduler();
    const store = new SeriesStore(sched);
    const ids = Array.from({ length: N }, (_, i) => `c${i}`);
    const history = ids.map(() =>
      points(CAPACITY, -CAPACITY, (i) => ({ cpuPercent: (i * 7) % 100, memoryBytes: 1e6 + i })),
    );
    const fillStart = performance.now();
    ids.forEach((id, i) => store.ingestHistory(id, history[i]!));
    const fillMs = performance.now() - fillStart;
    let notified = 0;
    store.subscribe(() => notified++);

    const ticks = 60;
    // What the views do at 1 Hz, worst case (every small chart on screen, 1 min window: redrawn every tick).
    const overview = { ms: windowSpec('1m').ms, maxPoints: 120 };
    const detail = { ms: windowSpec('5m').ms, maxPoints: 150 };
    const times: number[] = [];
    let rowsOut = 0;
    let pathChars = 0;
    for (let k = 0; k < ticks; k++) {
      const at = T0 + k * 1000;
      sched.time = at;
      const t0 = performance.now();
      // 1. the event: one row per container
      store.ingestSample({ at, rows: ids.map((id, i) => row(id, at, { cpuPercent: (k + i) % 100 })) });
      // 2. the overview: per container one slice (cpu + memory) and two SVG paths
      for (const id of ids) {
        const s = sliceWindow(store.ring(id), ['cpu', 'mem'], { to: at, ...overview });
        rowsOut += s.rows.length;
        pathChars += sparkPath(s.rows, 'cpu', s.domain, 100).length;
        pathChars += sparkPath(s.rows, 'mem', s.domain, 2e6).length;
      }
      // 3. one open Resources tab: one slice feeding its six charts
      const fields = ['cpu', 'throttled', 'mem', 'pids', 'ioR', 'ioW', 'netRx', 'netTx'] as const;
      rowsOut += sliceWindow(store.ring(ids[0]!), fields, { to: at, ...detail }).rows.length;
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    const mean = times.reduce((a, b) => a + b, 0) / times.length;
    const p50 = times[Math.floor(times.length / 2)]!;
    const p95 = times[Math.floor(times.length * 0.95)]!;
    console.log(
      `[resources bench] initial fill ${N}×${CAPACITY} points: ${fillMs.toFixed(1)} ms; ` +
        `per tick (ingest ${N} rows + ${N} overview slices and ${2 * N} SVG paths + 1 detail slice): ` +
        `mean ${mean.toFixed(2)} ms, p50 ${p50.toFixed(2)} ms, p95 ${p95.toFixed(2)} ms, ` +
        `min ${times[0]!.toFixed(2)} ms, max ${times[times.length - 1]!.toFixed(2)} ms over ${ticks} ticks; ${notified} notifications; ` +
        `${Math.round(rowsOut / ticks)} chart rows and ${Math.round(pathChars / ticks / 1024)} KiB of path per tick`,
    );
    expect(notified).toBe(ticks);
    expect(store.ring('c0')!.length).toBe(CAPACITY);
  });
});
