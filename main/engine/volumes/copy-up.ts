/**
 * docker's volume copy-up: the first time an empty volume is mounted at a
 * path the image has, the image's content there is copied into it, with
 * modes, owners and times. The container's root is an overlay only inside
 * its monitor's mount namespace, so the merged view is read here from the
 * layer directories themselves (the container's upper dir first, then the
 * image's lower dirs, topmost first), as overlayfs would show it: a 0:0
 * character device is a whiteout, a directory with trusted.overlay.opaque=y
 * hides what lower layers have under it, and a non-directory hides them too.
 * Symbolic links on the way to the path resolve inside the image's root.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { GetXattr } from '../storage/overlay-diff';

/** A directory of the merged view: where it exists in each layer, topmost first, cut at an opaque one. */
type MergedDir = string[];

type Found = { kind: 'dir'; dirs: MergedDir } | { kind: 'other'; path: string; st: fs.Stats } | null;

function isWhiteout(st: fs.Stats): boolean {
  return st.isCharacterDevice() && st.rdev === 0;
}

function lstatOrNull(p: string): fs.Stats | null {
  return fs.lstatSync(p, { throwIfNoEntry: false }) ?? null;
}

/** One name in a merged directory. */
function lookup(dir: MergedDir, name: string, getXattr: GetXattr): Found {
  const dirs: string[] = [];
  for (const d of dir) {
    const p = path.join(d, name);
    const st = lstatOrNull(p);
    if (!st) continue;
    if (dirs.length === 0) {
      if (isWhiteout(st)) return null;
      if (!st.isDirectory()) return { kind: 'other', path: p, st };
    } else if (!st.isDirectory()) break; // a lower non-directory is hidden by the directory above
    dirs.push(p);
    if (getXattr(p, 'trusted.overlay.opaque')?.toString() === 'y') break;
  }
  return dirs.length ? { kind: 'dir', dirs } : null;
}

/** The merged entries of a directory: name → what it is (whiteouts and hidden names left out). */
function entries(dir: MergedDir, getXattr: GetXattr): Map<string, NonNullable<Found>> {
  const names = new Set<string>();
  for (const d of dir) for (const n of fs.readdirSync(d)) names.add(n);
  const out = new Map<string, NonNullable<Found>>();
  for (const n of [...names].sort()) {
    const f = lookup(dir, n, getXattr);
    if (f) out.set(n, f);
  }
  return out;
}

const MAX_LINKS = 40;

/**
 * Resolves a container path to a merged directory, following symbolic links
 * inside the image's root (`..` stops at it, absolute targets start from it).
 * Null when the path does not exist or is not a directory.
 */
export function resolveImageDir(layers: string[], target: string, getXattr: GetXattr): MergedDir | null {
  let links = 0;
  const walk = (parts: string[]): MergedDir | null => {
    let stack: Array<{ name: string; dir: MergedDir }> = [];
    let cur: MergedDir = layers.filter((l) => lstatOrNull(l)?.isDirectory());
    const root = cur;
    const queue = [...parts];
    while (queue.length) {
      const name = queue.shift()!;
      if (name === '' || name === '.') continue;
      if (name === '..') {
        stack.pop();
        cur = stack.at(-1)?.dir ?? root;
        continue;
      }
      const f = lookup(cur, name, getXattr);
      if (!f) return null;
      if (f.kind === 'dir') {
        cur = f.dirs;
        stack.push({ name, dir: cur });
        continue;
      }
      if (!f.st.isSymbolicLink() || ++links > MAX_LINKS) return null;
      const to = fs.readlinkSync(f.path);
      if (to.startsWith('/')) {
        stack = [];
        cur = root;
      }
      queue.unshift(...to.split('/'));
    }
    return cur;
  };
  return walk(target.split('/'));
}

export interface CopyStats {
  entries: number;
  skipped: string[];
}

/** Owner and mode and times of `st` onto `dest` (a symlink: its owner only). */
function copyMeta(dest: string, st: fs.Stats, shift: { uid: number; gid: number }): void {
  fs.lchownSync(dest, st.uid + shift.uid, st.gid + shift.gid);
  if (st.isSymbolicLink()) return;
  fs.chmodSync(dest, st.mode & 0o7777); // after chown: chown clears setuid bits
  fs.utimesSync(dest, st.atime, st.mtime);
}

function copyEntry(
  f: NonNullable<Found>,
  dest: string,
  getXattr: GetXattr,
  shift: { uid: number; gid: number },
  stats: CopyStats,
): void {
  if (f.kind === 'dir') {
    fs.mkdirSync(dest, { mode: 0o700 });
    copyTree(f.dirs, dest, getXattr, shift, stats);
    copyMeta(dest, fs.lstatSync(f.dirs[0]!), shift);
    stats.entries++;
    return;
  }
  const st = f.st;
  if (st.isFile()) fs.copyFileSync(f.path, dest, fs.constants.COPYFILE_EXCL);
  else if (st.isSymbolicLink()) fs.symlinkSync(fs.readlinkSync(f.path), dest);
  else {
    // Device nodes, FIFOs and sockets are not copied (Node has no mknod);
    // docker's copy-up makes them, but images rarely keep them under a volume path.
    stats.skipped.push(dest);
    return;
  }
  copyMeta(dest, st, shift);
  stats.entries++;
}

function copyTree(
  dir: MergedDir,
  dest: string,
  getXattr: GetXattr,
  shift: { uid: number; gid: number },
  stats: CopyStats,
): void {
  for (const [name, f] of entries(dir, getXattr)) copyEntry(f, path.join(dest, name), getXattr, shift, stats);
}

function isEmptyDir(p: string): boolean {
  const d = fs.opendirSync(p);
  try {
    return d.readSync() === null;
  } finally {
    d.closeSync();
  }
}

/**
 * Fills an empty volume directory from the image at `target`. Does nothing
 * (returns null) when the volume holds anything or the image has no
 * directory there. The volume's root takes the image directory's owner and
 * mode, as docker's does. `shift` adds a user namespace's host id base.
 */
export function copyUp(opts: {
  layers: string[];
  target: string;
  volumeDir: string;
  getXattr: GetXattr;
  shift?: { uid: number; gid: number };
}): CopyStats | null {
  if (!isEmptyDir(opts.volumeDir)) return null;
  const shift = opts.shift ?? { uid: 0, gid: 0 };
  const src = resolveImageDir(opts.layers, opts.target, opts.getXattr);
  if (!src || src.length === 0) {
    if (shift.uid || shift.gid) fs.chownSync(opts.volumeDir, shift.uid, shift.gid);
    return null;
  }
  const stats: CopyStats = { entries: 0, skipped: [] };
  copyTree(src, opts.volumeDir, opts.getXattr, shift, stats);
  copyMeta(opts.volumeDir, fs.lstatSync(src[0]!), shift);
  return stats;
}
