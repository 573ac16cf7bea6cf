/**
 * docker's `--since` / `--until` values (timetypes.GetTimestamp): a Go
 * duration back from now (`10m`, `1h30m`, `1.5h`, `250ms`), an RFC 3339 time
 * (`2024-03-01T12:00:00Z`, fractions and offsets too; without a zone it is
 * local time, as in docker), a date or a date and time (`2024-03-01`,
 * `2024-03-01T12:00`), or Unix seconds (`1709294400`, `1709294400.5`).
 * Returns epoch milliseconds.
 */
import { BerthError } from '../../preload/errors';

const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** A Go duration (time.ParseDuration) in ms; null when `s` is not one. */
export function parseGoDuration(s: string): number | null {
  const m = /^([+-]?)((?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|ms|s|m|h))+$/.exec(s);
  if (!m) return s === '0' ? 0 : null;
  let total = 0;
  for (const part of s.slice(m[1]!.length).matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/g)) {
    total += Number(part[1]) * UNIT_MS[part[2]!]!;
  }
  return m[1] === '-' ? -total : total;
}

export function parseTimeArg(flagName: string, value: string, now = Date.now()): number {
  const v = value.trim();
  const d = parseGoDuration(v);
  if (d !== null) return now - d;
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2})(?::(\d{2})(?::(\d{2})(\.\d+)?)?)?)?(Z|[+-]\d{2}:\d{2})?$/.exec(v);
  if (m) {
    const [, y, mo, da, h = '0', mi = '0', se = '0', frac = '', zone] = m;
    const ms = frac ? Math.floor(Number(frac) * 1000) : 0;
    if (zone === undefined) return new Date(+y!, +mo! - 1, +da!, +h, +mi, +se, ms).getTime();
    const utc = Date.UTC(+y!, +mo! - 1, +da!, +h, +mi, +se, ms);
    if (zone === 'Z') return utc;
    const sign = zone.startsWith('-') ? -1 : 1;
    const [zh, zm] = zone.slice(1).split(':').map(Number) as [number, number];
    return utc - sign * (zh * 60 + zm) * 60_000;
  }
  throw new BerthError(
    'USAGE',
    `--${flagName} ${value}: use a duration (10m, 1h30m), an RFC 3339 time (2024-03-01T12:00:00Z) or Unix seconds`,
  );
}
