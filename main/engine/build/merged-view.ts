/**
 * Reads an image's filesystem through its unpacked layer dirs (topmost
 * first) the way overlayfs would show it, without mounting: a 0:0 character
 * device is a whiteout, a directory with trusted.overlay.opaque=y hides what
 * the layers below hold there. Symlinks resolve inside the image's root (an
 * absolute target or `..` never leaves it), as buildkit's FollowSymlinkInScope.
 */
import fs from 'node:fs';
import path from 'node:path';
import { lgetxattr } from '../../../native/index';

export interface Found {
  /** The host path of the topmost copy. */
  abs: string;
  st: fs.Stats;
}

function isWhiteout(st: fs.Stats | undefined): boolean {
  return st !== undefined && st.isCharacterDevice() && st.rdev === 0;
}

function isOpaque(abs: string): boolean {
  try {
    return lgetxattr(abs, 'trusted.overlay.opaque')?.toString() === 'y';
  } catch {
    return false;
  }
}

const lstat = (p: string): fs.Stats | undefined => fs.lstatSync(p, { throwIfNoEntry: false });

export class MergedView {
  constructor(readonly lowerDirs: readonly string[]) {}

  /** The entry at `rel` (no symlink followed), or null. */
  lookup(rel: string): Found | null {
    const parts = rel.split('/').filter((p) => p !== '' && p !== '.');
    for (const layer of this.lowerDirs) {
      let stop = false;
      // A whiteout of the path or a parent in this layer hides everything below.
      for (let i = 1; i <= parts.length; i++) {
        const st = lstat(path.join(layer, ...parts.slice(0, i)));
        if (st === undefined) break;
        if (isWhiteout(st)) return null;
        if (i < parts.length && !st.isDirectory()) return null; // a file shadows a dir below
        if (i < parts.length && isOpaque(path.join(layer, ...parts.slice(0, i)))) stop = true;
      }
      const abs = path.join(layer, ...parts);
      const st = lstat(abs);
      if (st !== undefined) return isWhiteout(st) ? null : { abs, st };
      if (stop) return null;
    }
    return null;
  }

  /**
   * Resolves symlinks inside the root; `followLast` false keeps a final
   * symlink as it is. Returns the clean in-image path (no leading slash).
   */
  resolve(rel: string, followLast = true): string {
    let todo = rel.split('/').filter((p) => p !== '' && p !== '.');
    const done: string[] = [];
    let hops = 0;
    while (todo.length > 0) {
      const part = todo.shift() as string;
      if (part === '..') {
        done.pop();
        continue;
      }
      const cur = [...done, part].join('/');
      const f = this.lookup(cur);
      if (f?.st.isSymbolicLink() && (todo.length > 0 || followLast)) {
        if (++hops > 40) throw Object.assign(new Error(`too many symlinks at /${cur}`), { code: 'ELOOP' });
        const target = fs.readlinkSync(f.abs);
        if (target.startsWith('/')) done.length = 0;
        todo = [...target.split('/').filter((p) => p !== '' && p !== '.'), ...todo];
        continue;
      }
      done.push(part);
    }
    return done.join('/');
  }

  /** Names in a directory across the layers, whiteouts and opaque dirs honoured. */
  readdir(rel: string): string[] {
    const parts = rel.split('/').filter((p) => p !== '' && p !== '.');
    const names = new Set<string>();
    const hidden = new Set<string>();
    for (const layer of this.lowerDirs) {
      const dir = path.join(layer, ...parts);
      const st = lstat(dir);
      if (st === undefined) continue;
      if (!st.isDirectory()) break;
      for (const n of fs.readdirSync(dir)) {
        if (names.has(n) || hidden.has(n)) continue;
        if (isWhiteout(lstat(path.join(dir, n)))) hidden.add(n);
        else names.add(n);
      }
      if (isOpaque(dir)) break;
    }
    return [...names].sort();
  }
}
