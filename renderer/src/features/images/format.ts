/**
 * Display helpers shared by the Images page and the Layer inspector. Sizes
 * are ui/units.ts's (IEC, like every page and the CLI).
 */

/** "sha256:abcdef…" → "abcdef012345" (12 hex digits, as docker shows IDs). */
export function shortDigest(digest: string, length = 12): string {
  const i = digest.indexOf(':');
  return (i >= 0 ? digest.slice(i + 1) : digest).slice(0, length);
}

export function formatPercent(fraction: number, digits = 1): string {
  if (!Number.isFinite(fraction)) return '—';
  const text = (fraction * 100).toFixed(digits);
  // Never round a loss away: 99.9996 % is not 100 %.
  if (fraction < 1 && Number(text) >= 100) return `> ${(100 - 10 ** -digits).toFixed(digits)} %`;
  if (fraction > 0 && Number(text) <= 0) return `< ${(10 ** -digits).toFixed(digits)} %`;
  return `${text} %`;
}

const RELATIVE_STEPS: ReadonlyArray<readonly [Intl.RelativeTimeFormatUnit, number]> = [
  ['second', 60],
  ['minute', 60],
  ['hour', 24],
  ['day', 30],
  ['month', 12],
  ['year', Infinity],
];

/** "3 days ago", "in 2 hours"; null input (no `created` in the config) → "—". */
export function formatRelative(iso: string | null | undefined, now: number = Date.now()): string {
  if (!iso) return '—';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  let v = (t - now) / 1000;
  const rtf = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });
  for (const [unit, next] of RELATIVE_STEPS) {
    if (Math.abs(v) < next) return rtf.format(Math.round(v), unit);
    v /= next;
  }
  return iso;
}

/** ls -l style permissions, with the type letter first ("drwxr-xr-x", "lrwxrwxrwx"). */
export function formatMode(type: string, mode: number): string {
  const t =
    type === 'dir'
      ? 'd'
      : type === 'symlink'
        ? 'l'
        : type === 'char'
          ? 'c'
          : type === 'block'
            ? 'b'
            : type === 'fifo'
              ? 'p'
              : '-';
  const rwx = (bits: number, special: boolean, specialChar: string): string =>
    (bits & 4 ? 'r' : '-') +
    (bits & 2 ? 'w' : '-') +
    (special ? (bits & 1 ? specialChar : specialChar.toUpperCase()) : bits & 1 ? 'x' : '-');
  return (
    t +
    rwx((mode >> 6) & 7, (mode & 0o4000) !== 0, 's') +
    rwx((mode >> 3) & 7, (mode & 0o2000) !== 0, 's') +
    rwx(mode & 7, (mode & 0o1000) !== 0, 't')
  );
}
