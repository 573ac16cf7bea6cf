/**
 * THE byte-unit policy of everything Berth prints, GUI and CLI alike: binary
 * (IEC) units — KiB, MiB, GiB — as the kernel's files count (limits are page
 * multiples) and as `docker run -m 96m` means 96 MiB, so one size reads the
 * same on every page and in every command. Pure: the renderer and the CLI
 * both import it.
 */

export const KiB = 1024;
export const MiB = 1024 * KiB;
export const GiB = 1024 * MiB;
export const TiB = 1024 * GiB;

export const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'] as const;
export type ByteUnit = (typeof BYTE_UNITS)[number];
export const UNIT_FACTOR: Record<ByteUnit, number> = { B: 1, KiB, MiB, GiB, TiB };

/**
 * "96 MiB", "1.5 GiB", "512 B": `digits` decimals below 100 of a unit, none
 * for whole amounts and from 100 up; null = the kernel's "max" (no limit).
 */
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

/** Bytes per second, in the same units: "1.5 MiB/s". */
export function formatRate(bps: number | null | undefined): string {
  if (bps === null || bps === undefined || !Number.isFinite(bps)) return '—';
  return `${formatBytes(bps)}/s`;
}
