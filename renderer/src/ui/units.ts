/**
 * Byte units for every page: the one formatter (preload/units.ts, which the
 * CLI prints with too) and the helpers of a byte input with a unit selector.
 */
import { BYTE_UNITS, UNIT_FACTOR, type ByteUnit } from '../../../preload/units';

export { BYTE_UNITS, formatBytes, formatRate, GiB, KiB, MiB, TiB, UNIT_FACTOR } from '../../../preload/units';
export type { ByteUnit } from '../../../preload/units';

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
