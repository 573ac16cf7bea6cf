/**
 * Member paths are cleaned relative to the layer root the way containerd
 * does (a leading "/" means the root; "." and empty components vanish;
 * ".." pops), and only what still climbs above the root is refused.
 */
import { EngineError, type EngineErrorCode } from '../images/errors';

/**
 * Returns the cleaned components ([] is the root itself). Throws `code`
 * (TAR_PATH_ESCAPE by default) naming `entry` when ".." leaves the root.
 */
export function cleanComponents(p: string, entry: string, code: EngineErrorCode = 'TAR_PATH_ESCAPE'): string[] {
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length === 0) {
        throw new EngineError(code, `${entry}: path ${JSON.stringify(p)} climbs above the root`, { entry, path: p });
      }
      out.pop();
      continue;
    }
    out.push(part);
  }
  return out;
}
