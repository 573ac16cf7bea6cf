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
