/**
 * Samples a set of groups on one timer (default every 1000 ms), cheaply: no
 * processes are spawned and each group's control files stay open between
 * samples (driver.stats uses a StatsReader per handle: one pread per file).
 * Each tick pushes into History and hands the batch to the listener.
 */
import type { ResourceStats } from '../../../preload/schemas/resources';
import type { CgroupDriver, CgroupHandle } from './driver';
import { History } from './history';
import { toErrorShape, type ErrorShape } from '../../../preload/errors';

export interface SampleBatch {
  at: number;
  samples: Array<{ id: string; stats: ResourceStats }>;
  errors: Array<{ id: string; error: ErrorShape }>;
}

export interface SamplerOptions {
  intervalMs?: number;
  history?: History;
  onSample?: (batch: SampleBatch) => void;
  /** Keep the event loop alive for the timer (default false: the helper's server does that). */
  keepAlive?: boolean;
  /** Adds what the cgroup does not hold (a container's network counters) before the sample is kept. */
  augment?: (id: string, stats: ResourceStats) => void;
}

export class Sampler {
  readonly intervalMs: number;
  readonly history: History;
  private readonly driver: Pick<CgroupDriver, 'stats' | 'release'>;
  private readonly handles = new Map<string, CgroupHandle>();
  private readonly onSample: ((b: SampleBatch) => void) | undefined;
  private readonly keepAlive: boolean;
  private readonly augment: ((id: string, stats: ResourceStats) => void) | undefined;
  private timer: NodeJS.Timeout | null = null;
  /** Cost accounting: ticks done, wall ms and process CPU µs spent inside them, and the last tick's CPU µs. */
  ticks = 0;
  busyMs = 0;
  cpuUs = 0;
  lastTickCpuUs = 0;

  constructor(driver: Pick<CgroupDriver, 'stats' | 'release'>, opts: SamplerOptions = {}) {
    this.driver = driver;
    this.intervalMs = opts.intervalMs ?? 1000;
    this.history = opts.history ?? new History();
    this.onSample = opts.onSample;
    this.keepAlive = opts.keepAlive ?? false;
    this.augment = opts.augment;
  }

  add(id: string, handle: CgroupHandle): void {
    this.handles.set(id, handle);
  }

  /** Stop sampling a group and close its files (the history stays until history.delete). */
  remove(id: string): void {
    const h = this.handles.get(id);
    if (h) this.driver.release(h);
    this.handles.delete(id);
  }

  get size(): number {
    return this.handles.size;
  }

  get running(): boolean {
    return this.timer !== null;
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

  /** One pass over every group; a group whose files are gone is dropped and reported. */
  sampleOnce(): SampleBatch {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const batch: SampleBatch = { at: Date.now(), samples: [], errors: [] };
    for (const [id, h] of this.handles) {
      try {
        const stats = this.driver.stats(h);
        this.augment?.(id, stats);
        this.history.push(id, stats);
        batch.samples.push({ id, stats });
      } catch (err) {
        const error = toErrorShape(err);
        batch.errors.push({ id, error });
        if (error.code === 'CGROUP_NOT_FOUND') this.remove(id);
      }
    }
    const c = process.cpuUsage(c0);
    this.lastTickCpuUs = c.user + c.system;
    this.cpuUs += this.lastTickCpuUs;
    this.ticks++;
    this.busyMs += performance.now() - t0;
    this.onSample?.(batch);
    return batch;
  }
}
