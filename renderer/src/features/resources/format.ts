/**
 * Numbers of the Resources and Limits views: percentages, chart axes, clock
 * times. Bytes are ui/units.ts's (IEC, like every page); the byte count itself
 * is always one click away (the raw read-back shows the file's content).
 */

import { MiB, TiB } from '../../ui/units';

/** cpuPercent is docker's: 100 = one full CPU. */
export function formatPercent(p: number | null | undefined, digits = 1): string {
  if (p === null || p === undefined || !Number.isFinite(p)) return '—';
  return `${p.toFixed(digits)} %`;
}

/** The next "nice" number ≥ v for an axis: 1, 2, 4, 8 × 10^k. */
export function niceCeil(v: number): number {
  if (!Number.isFinite(v) || v <= 0) return 1;
  const exp = Math.floor(Math.log10(v));
  const base = 10 ** exp;
  // 1, 2, 4, 8 and 10: quarter ticks stay short (100 → 25, 50, 75; 400 → 100…).
  for (const m of [1, 2, 4, 8, 10]) {
    if (m * base >= v - 1e-9 * base) return m * base;
  }
  return 10 * base;
}

/** Byte axes: 1, 2, 4, 8, 12, 16, 24 … × 2^(10k), so a 96 MiB limit does not leave half the chart empty. */
export function niceBytesCeil(v: number): number {
  if (!Number.isFinite(v) || v <= 0) return MiB;
  let unit = 1;
  while (v / unit >= 1024 && unit < TiB) unit *= 1024;
  const x = v / unit;
  // Multiples of 4 (or 1, 2) so quarter ticks are whole: 96 MiB → 0, 24, 48, 72, 96.
  for (const m of [1, 2, 4, 8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512, 768, 1024]) {
    if (m >= x - 1e-9) return m * unit;
  }
  return 1024 * unit;
}

export function formatClock(t: number): string {
  const d = new Date(t);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}
