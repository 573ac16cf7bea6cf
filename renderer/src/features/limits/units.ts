/**
 * Conversions between what an input holds and what the contract carries:
 * byte amounts with a unit, whole numbers with "max", cpu lists, tc class
 * handles, and the v1 shares a weight becomes. Each returns a `Parsed` so a
 * field can say what is wrong next to its input.
 */
import { byteInputText, MiB, naturalUnit, parseByteInput, type ByteUnit } from '../../ui/units';
import type { BytesField } from './draft';

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

export const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
export const bad = (error: string): Parsed<never> => ({ ok: false, error });

/** cpu.weight → the cpu.shares the v1 driver writes (main/engine/cgroups/convert.ts, runc's inverse). */
export function weightToShares(weight: number): number {
  return 2 + Math.ceil(((weight - 1) * 262_142) / 9999);
}

/** Cpus as the kernel's list syntax, ranges compressed ("0-3,5"). */
export function formatCpuList(cpus: readonly number[]): string {
  const s = [...new Set(cpus)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < s.length;) {
    let j = i;
    while (j + 1 < s.length && s[j + 1] === s[j]! + 1) j++;
    parts.push(j === i ? String(s[i]) : `${s[i]}-${s[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

/** A tc class handle "10:1" (hex major:minor), "0x00100001" or a decimal → net_cls.classid. */
export function parseClassid(text: string): number | null {
  const t = text.trim().toLowerCase();
  if (t === '') return null;
  const m = /^([0-9a-f]{1,4}):([0-9a-f]{0,4})$/.exec(t);
  if (m) return parseInt(m[1]!, 16) * 0x10000 + (m[2] ? parseInt(m[2], 16) : 0);
  if (/^0x[0-9a-f]{1,8}$/.test(t)) return parseInt(t.slice(2), 16);
  if (/^\d+$/.test(t)) return Number(t);
  return Number.NaN;
}

export function formatClassid(v: number): string {
  const major = Math.floor(v / 0x10000);
  const minor = v % 0x10000;
  return `${major.toString(16)}:${minor.toString(16)}`;
}

/** A byte amount read back → the input's text and unit (MiB where it divides evenly). */
export function bytesField(v: number | null | undefined): BytesField {
  if (v === null || v === undefined) return { text: '', unit: 'MiB' };
  const unit: ByteUnit = v % MiB === 0 ? 'MiB' : naturalUnit(v);
  return { text: byteInputText(v, unit), unit };
}

export const intText = (v: number | null | undefined): string => (v === null || v === undefined ? '' : String(v));

export function parseBytesField(f: BytesField): Parsed<number | null> {
  const v = parseByteInput(f.text, f.unit);
  if (v !== null && Number.isNaN(v)) return bad('a number (empty = unlimited)');
  return ok(v);
}

/** Bytes the input means, NaN for text that is not a number. */
export const bytesOf = (f: BytesField): number | null => parseByteInput(f.text, f.unit);

/** A whole number; empty or "max" = null (unlimited). */
export function parseIntOrNull(text: string, what = 'a whole number'): Parsed<number | null> {
  const t = text.trim();
  if (t === '' || t === 'max') return ok(null);
  if (!/^\d+$/.test(t)) return bad(`${what} (empty = unlimited)`);
  return ok(Number(t));
}

/** A device major or minor: a number or "*". */
export function parseDeviceNumber(text: string): number | '*' | typeof Number.NaN {
  const t = text.trim();
  if (t === '*') return '*';
  if (/^\d+$/.test(t)) return Number(t);
  return Number.NaN;
}

/** Same value, or both unparseable (then the text decides nothing). */
export const sameNumber = (a: number | null, b: number | null): boolean =>
  a === b || (Number.isNaN(a ?? 0) && Number.isNaN(b ?? 0));
