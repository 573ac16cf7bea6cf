import { BerthError, type ErrorCode } from '../../../preload/errors';
/**
 * Member paths are cleaned relative to the layer root the way containerd
 * does (a leading "/" means the root; "." and empty components vanish;
 * ".." pops), and only what still climbs above the root is refused.
 */

/**
 * Returns the cleaned components ([] is the root itself). Throws `code`
 * (TAR_PATH_ESCAPE by default) naming `entry` when ".." leaves the root.
 */
export function cleanComponents(p: string, entry: string, code: ErrorCode = 'TAR_PATH_ESCAPE'): string[] {
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length === 0) {
        throw new BerthError(code, `${entry}: path ${JSON.stringify(p)} climbs above the root`, { entry, path: p });
      }
      out.pop();
      continue;
    }
    out.push(part);
  }
  return out;
}
