/**
 * Container → tar. Every open is either openInRoot (the path the user named,
 * resolved inside the container's root) or one component, with O_NOFOLLOW,
 * below a directory fd already inside it (`/proc/self/fd/N/name`: the magic
 * link names the open directory itself, then one lookup that follows
 * nothing). So a symlink in the container, planted or swapped in during the
 * copy, is archived as a symlink and never read through.
 */
import fs from 'node:fs';
import { BerthError } from '../../../../preload/errors';
import { openInRoot } from '../../../../native/index';
import { tarChunks, type TarWriteEntry } from '../../oci/tar/writer';
import type { IdRange } from '../../userns/ranges';
import { O_PATH } from './container-fs';
import { cpError, type ContainerPath } from './cp-path';

export type CpEntryType = 'file' | 'dir' | 'symlink' | 'char' | 'block' | 'fifo' | 'socket';

export interface CpStat {
  name: string;
  type: CpEntryType;
  size: number;
  mode: number;
  uid: number;
  gid: number;
  /** Seconds since the epoch. */
  mtime: number;
  linkTarget: string | null;
}

const READ_CHUNK = 256 * 1024;

export function at(dirFd: number, name?: string): string {
  return name === undefined ? `/proc/self/fd/${dirFd}` : `/proc/self/fd/${dirFd}/${name}`;
}

function typeOf(st: fs.Stats): CpEntryType {
  if (st.isDirectory()) return 'dir';
  if (st.isSymbolicLink()) return 'symlink';
  if (st.isCharacterDevice()) return 'char';
  if (st.isBlockDevice()) return 'block';
  if (st.isFIFO()) return 'fifo';
  if (st.isSocket()) return 'socket';
  return 'file';
}

/** A host id of a --userns container back to the container's own. */
export function idOut(id: number, base: number | undefined, range: IdRange | null): number {
  if (!range || base === undefined) return id;
  return id >= base && id < base + range.size ? id - base : id;
}

export function statOf(name: string, st: fs.Stats, link: string | null, range: IdRange | null): CpStat {
  return {
    name,
    type: typeOf(st),
    size: st.isFile() ? st.size : 0,
    mode: st.mode & 0o7777,
    uid: idOut(st.uid, range?.uid, range),
    gid: idOut(st.gid, range?.gid, range),
    mtime: Math.floor(st.mtimeMs / 1000),
    linkTarget: link,
  };
}

/** lstat of a container path (its parents resolved in the root, the last component as it is). */
export function statInRoot(rootFd: number, p: ContainerPath, range: IdRange | null): CpStat {
  if (p.base === '') return statOf('/', fs.fstatSync(rootFd), null, range);
  let dfd: number;
  try {
    dfd = openInRoot(rootFd, p.dir, O_PATH | fs.constants.O_DIRECTORY);
  } catch (err) {
    throw cpError(err, p.full);
  }
  try {
    const st = fs.lstatSync(at(dfd, p.base));
    return statOf(p.base, st, st.isSymbolicLink() ? fs.readlinkSync(at(dfd, p.base)) : null, range);
  } catch (err) {
    throw cpError(err, p.full);
  } finally {
    fs.closeSync(dfd);
  }
}

/** The entries of a directory (symlinks on the way resolved in the root), sorted by name, at most `max`. */
export function listInRoot(
  rootFd: number,
  p: ContainerPath,
  range: IdRange | null,
  max: number,
): { entries: CpStat[]; truncated: boolean } {
  let dfd: number;
  try {
    dfd = openInRoot(rootFd, p.full, fs.constants.O_RDONLY | fs.constants.O_DIRECTORY);
  } catch (err) {
    throw cpError(err, p.full);
  }
  try {
    const names = fs.readdirSync(at(dfd)).sort();
    const entries: CpStat[] = [];
    for (const n of names.slice(0, max)) {
      const st = fs.lstatSync(at(dfd, n), { throwIfNoEntry: false });
      if (!st) continue; // removed meanwhile
      entries.push(statOf(n, st, st.isSymbolicLink() ? fs.readlinkSync(at(dfd, n)) : null, range));
    }
    return { entries, truncated: names.length > max };
  } finally {
    fs.closeSync(dfd);
  }
}

/** Exactly `size` bytes of an open file: a file that shrank meanwhile is padded with zeros (as GNU tar does). */
async function* fileBody(fd: number, size: number): AsyncGenerator<Buffer> {
  try {
    let left = size;
    while (left > 0) {
      const buf = Buffer.allocUnsafe(Math.min(READ_CHUNK, left));
      const n = await new Promise<number>((res, rej) =>
        fs.read(fd, buf, 0, buf.length, size - left, (err, got) => (err ? rej(err) : res(got))),
      );
      if (n === 0) {
        for (; left > 0; left -= Math.min(READ_CHUNK, left)) yield Buffer.alloc(Math.min(READ_CHUNK, left));
        break;
      }
      left -= n;
      yield buf.subarray(0, n);
    }
  } finally {
    fs.closeSync(fd);
  }
}

interface WalkCtx {
  range: IdRange | null;
  /** dev:ino → archive path of files with more than one link, for hardlink members. */
  links: Map<string, string>;
}

function baseEntry(archPath: string, st: fs.Stats, ctx: WalkCtx): TarWriteEntry {
  return {
    path: archPath,
    mode: st.mode & 0o7777,
    uid: idOut(st.uid, ctx.range?.uid, ctx.range),
    gid: idOut(st.gid, ctx.range?.gid, ctx.range),
    mtime: Math.floor(st.mtimeMs / 1000),
  };
}

async function* walk(
  parentFd: number,
  name: string | undefined,
  archPath: string,
  st: fs.Stats,
  ctx: WalkCtx,
): AsyncGenerator<TarWriteEntry> {
  const where = at(parentFd, name);
  if (st.isDirectory()) {
    let dfd: number;
    try {
      dfd = fs.openSync(where, fs.constants.O_RDONLY | fs.constants.O_DIRECTORY | fs.constants.O_NOFOLLOW);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ELOOP') return;
      throw err;
    }
    try {
      yield { ...baseEntry(archPath, st, ctx), type: 'dir' };
      for (const child of fs.readdirSync(at(dfd)).sort()) {
        const cst = fs.lstatSync(at(dfd, child), { throwIfNoEntry: false });
        if (cst) yield* walk(dfd, child, `${archPath}/${child}`, cst, ctx);
      }
    } finally {
      fs.closeSync(dfd);
    }
    return;
  }
  if (st.isSymbolicLink()) {
    yield { ...baseEntry(archPath, st, ctx), type: 'symlink', linkname: fs.readlinkSync(where) };
    return;
  }
  if (st.isFile()) {
    const key = `${st.dev}:${st.ino}`;
    const first = st.nlink > 1 ? ctx.links.get(key) : undefined;
    if (first !== undefined) {
      yield { ...baseEntry(archPath, st, ctx), type: 'hardlink', linkname: first };
      return;
    }
    let fd: number;
    try {
      fd = fs.openSync(where, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK);
    } catch (err) {
      // Removed or swapped for a symlink since the lstat: not archived.
      if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ELOOP') return;
      throw err;
    }
    const fst = fs.fstatSync(fd);
    if (!fst.isFile()) {
      fs.closeSync(fd);
      return;
    }
    if (st.nlink > 1) ctx.links.set(key, archPath);
    yield { ...baseEntry(archPath, fst, ctx), type: 'file', size: fst.size, body: fileBody(fd, fst.size) };
    return;
  }
  if (st.isCharacterDevice() || st.isBlockDevice()) {
    yield {
      ...baseEntry(archPath, st, ctx),
      type: st.isCharacterDevice() ? 'char' : 'block',
      devmajor: Number((BigInt(st.rdev) >> 8n) & 0xfffn),
      devminor: Number((BigInt(st.rdev) & 0xffn) | ((BigInt(st.rdev) >> 12n) & 0xfff00n)),
    };
    return;
  }
  if (st.isFIFO()) yield { ...baseEntry(archPath, st, ctx), type: 'fifo' };
  // Sockets have no tar form: skipped, as tar does.
}

/**
 * A tar stream of a container path: the path itself (a symlink as a symlink)
 * named `name` in the archive (default: its last component, "." for "/"),
 * with everything below it.
 */
export async function* tarFromRoot(
  rootFd: number,
  p: ContainerPath,
  range: IdRange | null,
  name?: string,
): AsyncGenerator<Buffer> {
  const top = name ?? (p.base || '.');
  const ctx: WalkCtx = { range, links: new Map() };
  let entries: AsyncGenerator<TarWriteEntry>;
  if (p.base === '') {
    const fd = openInRoot(rootFd, '/', fs.constants.O_RDONLY | fs.constants.O_DIRECTORY);
    entries = (async function* () {
      try {
        yield* walk(fd, undefined, top, fs.fstatSync(fd), ctx);
      } finally {
        fs.closeSync(fd);
      }
    })();
  } else {
    let dfd: number;
    try {
      dfd = openInRoot(rootFd, p.dir, O_PATH | fs.constants.O_DIRECTORY);
    } catch (err) {
      throw cpError(err, p.full);
    }
    let st: fs.Stats;
    try {
      st = fs.lstatSync(at(dfd, p.base));
    } catch (err) {
      fs.closeSync(dfd);
      throw cpError(err, p.full);
    }
    if (st.isSocket()) {
      fs.closeSync(dfd);
      throw new BerthError('CP_NOT_A_FILE', `${p.full} is a socket`, { path: p.full });
    }
    entries = (async function* () {
      try {
        yield* walk(dfd, p.base, top, st, ctx);
      } finally {
        fs.closeSync(dfd);
      }
    })();
  }
  yield* tarChunks(entries);
}

/** The bytes of one regular file (symlinks on the way, the last one included, resolved inside the root). */
export function rawFromRoot(rootFd: number, p: ContainerPath): { size: number; body: AsyncGenerator<Buffer> } {
  let fd: number;
  try {
    fd = openInRoot(rootFd, p.full, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  } catch (err) {
    throw cpError(err, p.full);
  }
  const st = fs.fstatSync(fd);
  if (!st.isFile()) {
    fs.closeSync(fd);
    throw new BerthError('CP_NOT_A_FILE', `${p.full} is not a regular file`, { path: p.full });
  }
  return { size: st.size, body: fileBody(fd, st.size) };
}
