/**
 * One time-ordered stream from several containers' logs: each batch a
 * container's `containers.logs` answers is already in order, so it is merged
 * into the view by time (the engine's RFC 3339 stamps, to the nanosecond),
 * ties kept in arrival order. The view keeps the newest `max` lines.
 */
import type { Result } from '../../../../preload/contract';

type LogLine = Result<'containers.logs'>['lines'][number];

export interface MergedLine extends LogLine {
  /** Unique in the view, in arrival order. */
  key: number;
  /** The stamp as [ms since the epoch, ns below the ms] (timeKey). */
  at: TimeKey;
  id: string;
  service: string;
}

/** Two numbers, since one double cannot hold epoch nanoseconds (its step near 2026 is ~0.24 µs). */
export type TimeKey = readonly [ms: number, ns: number];

/** "2026-12-07T16:46:53.123456789Z" → [ms, ns below it]; unparsable stamps sort first. */
export function timeKey(t: string): TimeKey {
  const frac = /\.(\d+)/.exec(t);
  const base = Date.parse(frac ? t.replace(frac[0], '') : t);
  if (Number.isNaN(base)) return [0, 0];
  const digits = (frac?.[1] ?? '').padEnd(9, '0').slice(0, 9);
  return [base + Number(digits.slice(0, 3)), Number(digits.slice(3))];
}

export function compareTime(a: TimeKey, b: TimeKey): number {
  return a[0] - b[0] || a[1] - b[1];
}

/** Merges one batch into the view; returns the new view and how many old lines fell off the top. */
export function mergeBatch(
  view: readonly MergedLine[],
  batch: readonly MergedLine[],
  max: number,
): { lines: MergedLine[]; dropped: number } {
  const out: MergedLine[] = [];
  let i = 0;
  let j = 0;
  while (i < view.length || j < batch.length) {
    const a = view[i];
    const b = batch[j];
    // A line already shown stays before a new one with the same time.
    if (b === undefined || (a !== undefined && compareTime(a.at, b.at) <= 0)) {
      out.push(a!);
      i++;
    } else {
      out.push(b);
      j++;
    }
  }
  const over = Math.max(0, out.length - max);
  return { lines: over ? out.slice(over) : out, dropped: over };
}
