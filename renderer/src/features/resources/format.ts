/**
 * Units for the Resources and Limits views. Memory and IO use binary (IEC)
 * units because the kernel's limits are page multiples and `docker run -m 96m`
 * means 96 MiB; the byte count itself is always one click away (the raw
 * read-back shows the file's content).
 */

export const KiB = 1024;
export const MiB = 1024 * KiB;
export const GiB = 1024 * MiB;
export const TiB = 1024 * GiB;

export const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'] as const;
export type ByteUnit = (typeof BYTE_UNITS)[number];
export const UNIT_FACTOR: Record<ByteUnit, number> = { B: 1, KiB, MiB, GiB, TiB };

/** "96 MiB", "1.5 GiB", "512 B"; null = the kernel's "max". */
export function formatBytes(n: number | null | undefined, digits = 1): string {
  if (n === null) return 'max';
  if (n === undefined || !Number.isFinite(n)) return '—';
  const sign = n < 0 ? '-' : '';
  let v = Math.abs(n);
  let u = 0;
  while (v >= 1024 && u < BYTE_UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  const exact = Number.isInteger(v);
  const d = u === 0 || exact ? 0 : v >= 100 ? 0 : digits;
  return `${sign}${v.toFixed(d)} ${BYTE_UNITS[u]}`;
}

export function formatRate(bps: number | null | undefined): string {
  if (bps === null || bps === undefined || !Number.isFinite(bps)) return '—';
  return `${formatBytes(bps)}/s`;
}

/** cpuPercent is docker's: 100 = one full CPU. */
export function formatPercent(p: number | null | undefined, digits = 1): string {
  if (p === null || p === undefined || !Number.isFinite(p)) return '—';
  return `${p.toFixed(digits)} %`;
}

/** The largest unit in which `bytes` is a whole number (for the unit selector next to a byte input). */
export function naturalUnit(bytes: number): ByteUnit {
  for (let i = BYTE_UNITS.length - 1; i > 0; i--) {
    const u = BYTE_UNITS[i]!;
    if (bytes >= UNIT_FACTOR[u] && bytes % UNIT_FACTOR[u] === 0) return u;
  }
  return 'B';
}

/** A number input's text in `unit` → bytes; '' → null (unlimited); NaN for junk. */
export function parseByteInput(text: string, unit: ByteUnit): number | null {
  const t = text.trim();
  if (t === '' || t.toLowerCase() === 'max') return null;
  if (!/^\d+(\.\d+)?$/.test(t)) return Number.NaN;
  return Math.round(Number(t) * UNIT_FACTOR[unit]);
}

/** Bytes as the text of an input in `unit` (up to 4 decimals, trailing zeros dropped). */
export function byteInputText(bytes: number | null, unit: ByteUnit): string {
  if (bytes === null) return '';
  const v = bytes / UNIT_FACTOR[unit];
  return Number.isInteger(v) ? String(v) : String(Number(v.toFixed(4)));
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
