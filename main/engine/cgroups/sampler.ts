/**
 * Samples a set of groups on one timer (default every 1000 ms), cheaply: the
 * files each group's tick needs (driver.sampleFiles) stay open in one native
 * StatBatch, and a tick is one native call that preads and parses them all
 * into a Float64Array row per group (sample-layout.ts), copied into History.
 * No process is spawned, no text reaches JS, no object is built per group
 * (callers build the points they send from History). A tick doubles as the
 * OOM poll: the oom/oom_kill counters are in the row.
 */
import { createStatBatch, type StatBatch } from '../../../native/index';
import { toErrorShape, type ErrorShape } from '../../../preload/errors';
import type { CgroupDriver, CgroupHandle } from './driver';
import { cgroupError } from './errors';
import { History } from './history';
import { SLOT, STRIDE, type SampleFile } from './sample-layout';

export interface SampleBatch {
  at: number;
  /** Groups with a new point in History this tick. */
  ids: string[];
  errors: Array<{ id: string; error: ErrorShape }>;
}

export interface OomSeen {
  id: string;
  /** Counters after the change (v1 has no separate oom counter: both are oom_kill). */
  oom: number;
  oomKill: number;
  newKills: number;
}

export interface SamplerOptions {
  intervalMs?: number;
  history?: History;
  onSample?: (batch: SampleBatch) => void;
  /** Called when a group's oom or oom_kill counter went up since its previous sample. */
  onOom?: (e: OomSeen) => void;
  /** Keep the event loop alive for the timer (default false: the helper's server does that). */
  keepAlive?: boolean;
  /**
   * Account each tick's process CPU (cpuUs, lastTickCpuUs) for benches. Off by
   * default: getrusage sums every thread of the process, and twice a tick it
   * cost about a tenth of the tick in the helper (bench/stats-sampling).
   */
  measureCpu?: boolean;
}

const GONE = new Set(['ENODEV', 'ENOENT']);

export class Sampler {
  readonly intervalMs: number;
  readonly history: History;
  private readonly driver: Pick<CgroupDriver, 'sampleFiles'>;
  private readonly rows = new Map<string, number>();
  /** Each id's handle and extra files, to plan its row again after an apply(). */
  private readonly groups = new Map<string, { handle: CgroupHandle; extra: readonly SampleFile[] }>();
  private readonly offApply: () => void;
  private readonly freeRows: number[] = [];
  private batch: StatBatch | null = null;
  private out = new Float64Array(0);
  private readonly onSample: ((b: SampleBatch) => void) | undefined;
  private readonly onOom: ((e: OomSeen) => void) | undefined;
  private readonly keepAlive: boolean;
  private readonly measureCpu: boolean;
  private timer: NodeJS.Timeout | null = null;
  /** Cost accounting: ticks done, wall ms spent in them; with measureCpu, process CPU µs in them and in the last one. */
  ticks = 0;
  busyMs = 0;
  cpuUs = 0;
  lastTickCpuUs = 0;

  constructor(driver: Pick<CgroupDriver, 'sampleFiles' | 'onApply'>, opts: SamplerOptions = {}) {
    this.driver = driver;
    // After a write the group's files are planned again (a quota makes the
    // throttling counters worth reading each tick) and all read on the next
    // tick, so a new limit shows at once, not SLOW_EVERY ticks later.
    this.offApply = driver.onApply((h) => {
      for (const [id, g] of this.groups) {
        const row = this.rows.get(id);
        if (g.handle.path !== h.path || row === undefined || !this.batch) continue;
        // Open failures leave those files absent (NaN) until the next add.
        this.batch.setRow(row, [...driver.sampleFiles(g.handle), ...g.extra]);
      }
    });
    this.intervalMs = opts.intervalMs ?? 1000;
    this.history = opts.history ?? new History();
    this.onSample = opts.onSample;
    this.onOom = opts.onOom;
    this.keepAlive = opts.keepAlive ?? false;
    this.measureCpu = opts.measureCpu ?? false;
  }

  /**
   * Opens the group's sample files (plus `extra` ones, e.g. the container's
   * /proc/PID/net/dev). Files that do not exist read NaN; any other open
   * failure throws CGROUP_READ_FAILED and nothing is added.
   */
  add(id: string, handle: CgroupHandle, extra: readonly SampleFile[] = []): void {
    this.remove(id);
    this.batch ??= createStatBatch(STRIDE);
    const row = this.freeRows.pop() ?? this.rows.size;
    const failed = this.batch.setRow(row, [...this.driver.sampleFiles(handle), ...extra]);
    if (failed.length) {
      this.batch.clearRow(row);
      this.freeRows.push(row);
      const e = failed[0]!;
      throw cgroupError('CGROUP_READ_FAILED', `opening ${e.path ?? '?'} for sampling: ${e.message}`, {
        file: e.path,
        errno: e.code,
      });
    }
    this.rows.set(id, row);
    this.groups.set(id, { handle, extra });
    const need = (row + 1) * STRIDE;
    if (this.out.length < need) {
      const grown = new Float64Array(Math.max(need, this.out.length * 2));
      grown.set(this.out);
      this.out = grown;
    }
  }

  /** Stop sampling a group and close its files (the history stays until history.delete). */
  remove(id: string): void {
    const row = this.rows.get(id);
    if (row === undefined) return;
    this.batch?.clearRow(row);
    this.rows.delete(id);
    this.groups.delete(id);
    this.freeRows.push(row);
  }

  get size(): number {
    return this.rows.size;
  }

  get running(): boolean {
    return this.timer !== null;
  }

  /** Files held open and syscalls issued so far (for tests and the bench). */
  counters(): { opens: number; preads: number; openFiles: number } {
    return this.batch?.counters() ?? { opens: 0, preads: 0, openFiles: 0 };
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.sampleOnce(), this.intervalMs);
    if (!this.keepAlive) this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** stop(), and close every file. */
  close(): void {
    this.stop();
    this.offApply();
    this.rows.clear();
    this.groups.clear();
    this.freeRows.length = 0;
    this.batch?.close();
    this.batch = null;
  }

  /** One pass over every group; a group whose files are gone is dropped and reported. */
  sampleOnce(): SampleBatch {
    const t0 = performance.now();
    const c0 = this.measureCpu ? process.cpuUsage() : null;
    const at = Date.now();
    const batch: SampleBatch = { at, ids: [], errors: [] };
    const failures = this.batch && this.rows.size ? this.batch.read(this.out) : null;
    let failedRows: Set<number> | null = null;
    if (failures) {
      failedRows = new Set(failures.map((f) => f.row));
      for (const [id, row] of [...this.rows]) {
        const f = failures.find((x) => x.row === row);
        if (!f) continue;
        const gone = GONE.has(f.error.code);
        const error = toErrorShape(
          gone
            ? cgroupError('CGROUP_NOT_FOUND', `${f.error.path ?? 'a sample file'} is gone (group removed)`, {
                file: f.error.path,
                errno: f.error.code,
              })
            : cgroupError('CGROUP_READ_FAILED', f.error.message, { file: f.error.path, errno: f.error.code }),
        );
        batch.errors.push({ id, error });
        if (gone) this.remove(id);
      }
    }
    const out = this.out;
    for (const [id, row] of this.rows) {
      if (failedRows?.has(row)) continue;
      const base = row * STRIDE;
      const ring = this.history.ringFor(id);
      if (this.onOom && ring.length > 0) {
        const oom = out[base + SLOT.oom]!;
        const kill = out[base + SLOT.oomKill]!;
        const prevOom = ring.lastValue(SLOT.oom);
        const prevKill = ring.lastValue(SLOT.oomKill);
        if (kill > prevKill || oom > prevOom)
          this.onOom({
            id,
            oom: Number.isNaN(oom) ? kill : oom,
            oomKill: kill,
            newKills: kill > prevKill ? kill - prevKill : 0,
          });
      }
      ring.pushRow(at, out, base);
      batch.ids.push(id);
    }
    if (c0) {
      const c = process.cpuUsage(c0);
      this.lastTickCpuUs = c.user + c.system;
      this.cpuUs += this.lastTickCpuUs;
    }
    this.ticks++;
    this.busyMs += performance.now() - t0;
    this.onSample?.(batch);
    return batch;
  }
}
