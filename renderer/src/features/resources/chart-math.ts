/** Pure helpers of the charts (ticks, sparkline paths): no React, no recharts, unit-tested. */
import type { EffectiveLimits, Limits } from '../../../../preload/schemas/resources';
import { formatClock } from './format';

export type Row = { t: number } & Record<string, number | null | undefined>;

/** Round-time ticks inside the domain (every 15 s for 1 min, 1 min for 5 min, 3 min for 15 min): they do not crawl. */
export function timeTicks(domain: readonly [number, number]): number[] {
  const span = domain[1] - domain[0];
  const step = span <= 60_000 ? 15_000 : span <= 300_000 ? 60_000 : 180_000;
  const out: number[] = [];
  for (let t = Math.ceil(domain[0] / step) * step; t <= domain[1]; t += step) out.push(t);
  return out;
}

/** Five ticks 0, ¼, ½, ¾, 1 × yMax (the caller picks a yMax that divides well). */
export function valueTicks(yMax: number): number[] {
  return [0, 0.25, 0.5, 0.75, 1].map((f) => f * yMax);
}

export function clockTick(span: number) {
  return (t: number) => (span <= 60_000 ? formatClock(t) : formatClock(t).slice(0, 5));
}

export const SPARK_W = 1000;
export const SPARK_H = 100;

/** The SVG path of a series on a fixed domain; a null value breaks the line. */
export function sparkPath(
  rows: readonly Row[],
  dataKey: string,
  domain: readonly [number, number],
  yMax: number,
  w = SPARK_W,
  h = SPARK_H,
): string {
  const span = Math.max(1, domain[1] - domain[0]);
  const ky = yMax > 0 ? h / yMax : 0;
  let d = '';
  let pen = false;
  for (const r of rows) {
    const v = r[dataKey];
    if (v === null || v === undefined) {
      pen = false;
      continue;
    }
    const x = ((r.t - domain[0]) / span) * w;
    const y = h - Math.min(v, yMax) * ky;
    d += `${pen ? 'L' : 'M'}${x.toFixed(1)} ${y.toFixed(1)}`;
    pen = true;
  }
  return d;
}

export interface LimitLines {
  /** cpus × 100 when a CFS quota is set. */
  cpuQuotaPercent: number | null;
  memoryMax: number | null;
  memoryHigh: number | null;
  pidsMax: number | null;
  /** Where the values come from: the kernel's read-back, or (not running) what was asked for. */
  source: 'kernel' | 'requested';
}

/**
 * The limit lines: the kernel's read-back (the values in force) while the
 * container runs; what it asked for (applied at its next start) otherwise.
 */
export function limitLines(eff: EffectiveLimits | null | undefined, requested?: Limits): LimitLines {
  if (!eff && requested) {
    const cpu = requested.cpu;
    const period = cpu?.quota?.periodUs ?? 100_000;
    const quotaPct =
      cpu?.cpus !== undefined ? cpu.cpus * 100 : cpu?.quota?.quotaUs ? (cpu.quota.quotaUs / period) * 100 : null;
    return {
      cpuQuotaPercent: quotaPct,
      memoryMax: requested.memory?.max ?? null,
      memoryHigh: requested.memory?.high ?? null,
      pidsMax: requested.pids?.max ?? null,
      source: 'requested',
    };
  }
  const quota = eff?.cpu?.quotaUs?.value ?? null;
  const period = eff?.cpu?.periodUs?.value ?? 100_000;
  return {
    cpuQuotaPercent: quota !== null && period > 0 ? (quota / period) * 100 : null,
    memoryMax: eff?.memory?.max?.value ?? null,
    memoryHigh: eff?.memory?.high?.value ?? null,
    pidsMax: eff?.pids?.max?.value ?? null,
    source: 'kernel',
  };
}
