/**
 * docker's size syntax: 512, 512b, 64k, 256m, 1.5g (binary units). Sizes are
 * printed with preload/units.ts's formatBytes, the GUI's own (IEC).
 */
import { BerthError } from '../../preload/errors';

const UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

export function parseSize(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([bkmgt]?)i?b?$/i.exec(text.trim());
  if (!m) throw new BerthError('USAGE', `invalid size: ${text} (use a number with b, k, m or g)`);
  const v = Math.round(Number(m[1]) * UNITS[m[2]!.toLowerCase()]!);
  if (!Number.isSafeInteger(v)) throw new BerthError('USAGE', `size too large: ${text}`);
  return v;
}

/** "3 minutes ago" style, like docker ps. */
export function ago(iso: string | null, nowMs = Date.now()): string {
  if (!iso) return '';
  const s = Math.max(0, Math.round((nowMs - Date.parse(iso)) / 1000));
  if (s < 60) return `${s} seconds`;
  if (s < 3600) return `${Math.round(s / 60)} minutes`;
  if (s < 86400) return `${Math.round(s / 3600)} hours`;
  return `${Math.round(s / 86400)} days`;
}
