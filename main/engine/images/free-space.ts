/**
 * The free-space margin of the data root (limits.ts minFreeBytes): checked
 * before a blob or layer is written, every few MiB while a layer is
 * extracted, and before a commit. Below the margin the operation stops with
 * NO_SPACE and, being staged, stores nothing; the margin keeps room for the
 * store's own records (index.json, layers.json, container records) that must
 * still be written after it.
 */
import fs from 'node:fs';
import { EngineError } from './errors';

/** Bytes an unprivileged writer could still use on the filesystem of `dir` (statvfs f_bavail × f_bsize). */
export function freeBytes(dir: string): number {
  const st = fs.statfsSync(dir);
  return Number(st.bavail) * Number(st.bsize);
}

/** NO_SPACE when writing `need` more bytes under `dir` would leave less than `minFree` free. */
export function assertFreeSpace(dir: string, minFree: number, need: number, what: string): void {
  if (minFree <= 0 && need <= 0) return;
  const free = freeBytes(dir);
  if (free - need < minFree) {
    throw new EngineError(
      'NO_SPACE',
      `${what}: ${free} bytes free on the data root's filesystem, ${need > 0 ? `${need} more needed and ` : ''}${minFree} must stay free`,
      { free, need, minFree, dir },
    );
  }
}
