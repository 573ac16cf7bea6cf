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
  /** Milliseconds since the epoch, with the stamp's sub-millisecond part as a fraction. */
  at: number;
  id: string;
  service: string;
}

/** "2026-12-07T16:46:53.123456789Z" → ms with the fraction kept; unparsable stamps sort first. */
export function timeKey(t: string): number {
  const frac = /\.(\d+)/.exec(t);
  const base = Date.parse(frac ? t.replace(frac[0], '') : t);
  if (Number.isNaN(base)) return 0;
  return base + (frac ? Number(`0.${frac[1]}`) * 1000 : 0);
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
    if (b === undefined || (a !== undefined && a.at <= b.at)) {
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
