/**
 * tar → container. Each member's parent directory is opened with openInRoot
 * (symlinks on the way resolve inside the container's root, so a planted
 * `dir -> /` lands in the container's "/", never the host's), and the member
 * itself is made with one call on `/proc/self/fd/<parent>/<name>` that
 * follows nothing: mkdir, symlink, mknod, link, open(O_CREAT|O_EXCL|
 * O_NOFOLLOW). Something already at the name that is not a directory is
 * unlinked first (as tar does); a directory is never replaced by a
 * non-directory (CP_TYPE_CONFLICT). Owners: the archive's with `archive`
 * (docker cp -a), else the container's root; shifted into a --userns range.
 */
import fs from 'node:fs';
import { BerthError } from '../../../../preload/errors';
import { mknod, openInRoot } from '../../../../native/index';
import { readTar, type TarEntry } from '../../oci/tar/reader';
import type { IdRange } from '../../userns/ranges';
import { O_PATH } from './container-fs';
import { cpError, entryParts } from './cp-path';
import { at } from './tar-out';

export interface ExtractOptions {
  /** Keep the archive's uid/gid (docker cp -a); else the container's root owns everything. */
  archive: boolean;
  idRange: IdRange | null;
  /** The archive's top name becomes this one ("cp file ctr:/dir/newname"). */
  rename?: { from: string; to: string };
}

export interface ExtractResult {
  entries: number;
  bytes: number;
}

const { O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW, O_DIRECTORY, O_RDONLY } = fs.constants;
const S_IFMT: Record<string, number> = { char: 0o020000, block: 0o060000, fifo: 0o010000 };

function idIn(id: number, range: IdRange | null, base: number | undefined): number {
  return range && base !== undefined && id < range.size ? base + id : id;
}

async function writeAll(fd: number, body: AsyncIterable<Buffer>): Promise<number> {
  let off = 0;
  for await (const chunk of body) {
    let done = 0;
    while (done < chunk.length) {
      const n = await new Promise<number>((res, rej) =>
        fs.write(fd, chunk, done, chunk.length - done, off + done, (err, w) => (err ? rej(err) : res(w))),
      );
      if (n <= 0) throw new BerthError('ENOSPC', 'no space left in the container', { offset: off + done });
      done += n;
    }
    off += chunk.length;
  }
  return off;
}

class Parents {
  private key: string | null = null;
  private fd = -1;
  constructor(
    private readonly rootFd: number,
    private readonly dest: string,
  ) {}

  /** The directory fd of dest/parts (made, 0755, where missing). */
  get(parts: readonly string[]): number {
    const key = parts.join('/');
    if (key === this.key) return this.fd;
    this.close();
    const full = `${this.dest}/${key}`;
    let fd: number;
    try {
      fd = openInRoot(this.rootFd, full, O_PATH | O_DIRECTORY);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || parts.length === 0) throw cpError(err, full);
      // A member whose directory the archive did not list: make it, one level at a time.
      const up = this.get(parts.slice(0, -1));
      const name = parts[parts.length - 1]!;
      try {
        fs.mkdirSync(at(up, name), 0o755);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      this.close();
      try {
        fd = openInRoot(this.rootFd, full, O_PATH | O_DIRECTORY);
      } catch (e) {
        // Something at the name that leads nowhere inside the root (a link to a host path).
        throw cpError(e, full);
      }
    }
    this.key = key;
    this.fd = fd;
    return fd;
  }

  close(): void {
    if (this.fd >= 0) fs.closeSync(this.fd);
    this.fd = -1;
    this.key = null;
  }
}

/** Extracts a tar stream into `dest` (a directory inside the root, symlinks resolved in it). */
export async function extractIntoRoot(
  rootFd: number,
  dest: string,
  source: AsyncIterable<Buffer>,
  o: ExtractOptions,
): Promise<ExtractResult> {
  // The destination must be a directory.
  try {
    fs.closeSync(openInRoot(rootFd, dest, O_PATH | O_DIRECTORY));
  } catch (err) {
    throw cpError(err, dest);
  }
  const parents = new Parents(rootFd, dest === '/' ? '' : dest);
  const owner = (e: TarEntry): [number, number] =>
    o.archive
      ? [idIn(e.uid, o.idRange, o.idRange?.uid), idIn(e.gid, o.idRange, o.idRange?.gid)]
      : [o.idRange?.uid ?? 0, o.idRange?.gid ?? 0];
  const mapParts = (name: string): string[] => {
    const parts = entryParts(name);
    if (o.rename && parts[0] === o.rename.from) parts[0] = o.rename.to;
    return parts;
  };
  let entries = 0;
  let bytes = 0;
  try {
    for await (const e of readTar(source)) {
      const parts = mapParts(e.path);
      if (parts.length === 0) {
        await e.skip(); // "." : the destination itself
        continue;
      }
      const name = parts[parts.length - 1]!;
      const pfd = parents.get(parts.slice(0, -1));
      const target = at(pfd, name);
      const [uid, gid] = owner(e);
      const existing = fs.lstatSync(target, { throwIfNoEntry: false });
      if (existing?.isDirectory() && e.type !== 'dir') {
        throw new BerthError('CP_TYPE_CONFLICT', `cannot overwrite directory ${parts.join('/')} with a ${e.type}`, {
          entry: e.path,
        });
      }
      if (existing && !existing.isDirectory()) fs.unlinkSync(target);
      switch (e.type) {
        case 'dir': {
          if (!existing?.isDirectory()) fs.mkdirSync(target, 0o700);
          const fd = fs.openSync(target, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
          try {
            fs.fchownSync(fd, uid, gid);
            fs.fchmodSync(fd, e.mode);
          } finally {
            fs.closeSync(fd);
          }
          break;
        }
        case 'file': {
          const fd = fs.openSync(target, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o600);
          try {
            bytes += await writeAll(fd, e.body());
            fs.fchownSync(fd, uid, gid);
            fs.fchmodSync(fd, e.mode); // after chown, which clears setuid bits
            fs.futimesSync(fd, e.mtime, e.mtime);
          } finally {
            fs.closeSync(fd);
          }
          break;
        }
        case 'symlink':
          fs.symlinkSync(e.linkname, target);
          fs.lchownSync(target, uid, gid);
          fs.lutimesSync(target, e.mtime, e.mtime);
          break;
        case 'hardlink': {
          const lparts = mapParts(e.linkname);
          if (lparts.length === 0)
            throw new BerthError('CP_ENTRY_INVALID', `hard link ${e.path} to "."`, { entry: e.path });
          const lfd = openInRoot(
            rootFd,
            `${dest === '/' ? '' : dest}/${lparts.slice(0, -1).join('/')}`,
            O_PATH | O_DIRECTORY,
          );
          try {
            fs.linkSync(at(lfd, lparts[lparts.length - 1]!), target);
          } catch (err) {
            throw cpError(err, e.linkname);
          } finally {
            fs.closeSync(lfd);
          }
          break;
        }
        case 'char':
        case 'block':
        case 'fifo': {
          mknod(target, (S_IFMT[e.type] ?? 0) | e.mode, e.devmajor, e.devminor);
          fs.lchownSync(target, uid, gid);
          // The umask applied: chmod through an O_PATH fd of the node just made
          // (a path chmod would follow a symlink swapped in meanwhile).
          const fd = fs.openSync(target, O_PATH | O_NOFOLLOW);
          try {
            if (fs.fstatSync(fd).isSymbolicLink())
              throw new BerthError('CP_TYPE_CONFLICT', `${e.path} changed during the copy`, { entry: e.path });
            fs.chmodSync(at(fd), e.mode);
          } finally {
            fs.closeSync(fd);
          }
          break;
        }
      }
      entries++;
    }
  } finally {
    parents.close();
  }
  return { entries, bytes };
}
