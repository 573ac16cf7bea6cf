/**
 * A chart's text alternative: per series its current value (the latest
 * sample in the shown window) and its range over that window, in the
 * chart's own units. Screen readers get this instead of the SVG.
 */
import type { Row } from './chart-math';

export interface SeriesSummary {
  latest: number | null;
  min: number | null;
  max: number | null;
}

export function summarize(rows: readonly Row[], key: string, domain: readonly [number, number]): SeriesSummary {
  let latest: number | null = null;
  let latestT = -Infinity;
  let min: number | null = null;
  let max: number | null = null;
  for (const r of rows) {
    const v = r[key];
    if (typeof v !== 'number' || !Number.isFinite(v) || r.t < domain[0] || r.t > domain[1]) continue;
    if (r.t >= latestT) {
      latestT = r.t;
      latest = v;
    }
    min = min === null ? v : Math.min(min, v);
    max = max === null ? v : Math.max(max, v);
  }
  return { latest, min, max };
}

/** "cpu: now 3.2 %, range 0.1 % to 7.3 %", or "cpu: no samples". */
export function seriesText(label: string, s: SeriesSummary, format: (v: number) => string): string {
  if (s.latest === null || s.min === null || s.max === null) return `${label}: no samples`;
  return `${label}: now ${format(s.latest)}, range ${format(s.min)} to ${format(s.max)}`;
}

export function chartText(
  rows: readonly Row[],
  series: readonly { key: string; label: string }[],
  domain: readonly [number, number],
  format: (v: number) => string,
): string {
  return series.map((s) => seriesText(s.label, summarize(rows, s.key, domain), format)).join('; ');
}
