/**
 * The free-space margin of the data root (limits.ts minFreeBytes): checked
 * before a blob or layer is written, every few MiB while a layer is
 * extracted, and before a commit. Below the margin the operation stops with
 * NO_SPACE and, being staged, stores nothing; the margin keeps room for the
 * store's own records (index.json, layers.json, container records) that must
 * still be written after it.
 */
import fs from 'node:fs';
import { BerthError } from '../../../preload/errors';

/** Bytes free and in all on the filesystem of `dir` (statvfs). */
export function fsSpace(dir: string): { free: number; total: number } {
  const st = fs.statfsSync(dir);
  return { free: Number(st.bavail) * Number(st.bsize), total: Number(st.blocks) * Number(st.bsize) };
}

/**
 * The margin kept on a filesystem: the configured one, but never more than a
 * twentieth of the filesystem (a 64 MiB data root keeps 3.2 MiB, not 256).
 */
export function marginFor(minFree: number, total: number): number {
  return Math.min(minFree, Math.floor(total / 20));
}

/**
 * NO_SPACE when writing `need` more bytes under `dir` would leave less than
 * the margin free; else the bytes that may still be written before it.
 */
export function assertFreeSpace(dir: string, minFreeBytes: number, need: number, what: string): number {
  if (minFreeBytes <= 0 && need <= 0) return Number.POSITIVE_INFINITY;
  const { free, total } = fsSpace(dir);
  const minFree = marginFor(minFreeBytes, total);
  if (free - need < minFree) {
    throw new BerthError(
      'NO_SPACE',
      `${what}: ${free} bytes free on the data root's filesystem, ${need > 0 ? `${need} more needed and ` : ''}${minFree} must stay free`,
      { free, need, minFree, dir },
    );
  }
  return free - need - minFree;
}
