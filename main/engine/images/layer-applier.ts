/**
 * Applies tar entries to a layer directory without ever following a
 * symlink. Node has no openat(), so safety comes from the layout instead:
 * the root is a fresh 0700 directory only this process writes to, every
 * parent component is lstat()ed (and created as a real directory when
 * missing), existing entries are unlinked before a new one is created with
 * O_EXCL|O_NOFOLLOW, and metadata goes through file descriptors or l*()
 * calls. Lower layers are only ever lstat()ed, component by component.
 *
 * The per-entry syscalls are synchronous: a layer is thousands of small
 * files and each async call is a round trip through libuv's thread pool,
 * which under CPU contention costs a scheduler wakeup per syscall (the
 * images bench measured that wait as most of a load). The event loop still
 * gets a turn at every chunk of the tar stream (≤ 256 KiB).
 */
import fs from 'node:fs';
import path from 'node:path';
import { writeAllSync } from '../storage/atomic-file';
import type { NativeFsOps } from './native-fs';
import { cleanComponents } from './paths';
import type { TarEntry } from './tar/reader';
import { OVERLAY_OPAQUE_XATTR, classifyWhiteout, isOverlayWhiteout } from './whiteout';
import { BerthError } from '../../../preload/errors';

const { O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW, O_RDONLY, O_DIRECTORY } = fs.constants;

export interface ApplyPolicy {
  allowDevices: boolean;
  allowFifos: boolean;
  /** Cap on the sum of regular-file bytes (TAR_SIZE_LIMIT above). */
  maxTotalBytes: number;
}

export interface ApplyCounts {
  entries: number;
  files: number;
  dirs: number;
  symlinks: number;
  hardlinks: number;
  specials: number;
  whiteouts: number;
  /** Whiteouts dropped because no lower layer has the path (only when lower layers are given). */
  whiteoutsSkipped: number;
  opaqueDirs: number;
  bytes: number;
}

function lstatOrNull(p: string): fs.Stats | null {
  try {
    return fs.lstatSync(p);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw err;
  }
}

/** Where xattrs from an archive may go. */
function xattrVerdict(name: string): 'set' | 'forbid' | 'drop' {
  // Overlay's own metadata is our output (whiteouts, opaque dirs), never input:
  // a planted trusted.overlay.redirect/opaque would change what overlayfs shows.
  if (name.startsWith('trusted.overlay.')) return 'forbid';
  if (name.startsWith('user.overlay.')) return 'drop';
  if (name.startsWith('user.') || name.startsWith('trusted.') || name === 'security.capability') return 'set';
  return 'drop'; // security.selinux, system.posix_acl_*: not carried over (yet)
}

export class LayerApplier {
  readonly counts: ApplyCounts = {
    entries: 0,
    files: 0,
    dirs: 0,
    symlinks: 0,
    hardlinks: 0,
    specials: 0,
    whiteouts: 0,
    whiteoutsSkipped: 0,
    opaqueDirs: 0,
    bytes: 0,
  };
  readonly warnings: string[] = [];
  /** Directory mtimes, applied at the end (creating children changes them). */
  private readonly dirTimes = new Map<string, number>();
  /**
   * Verified parents: relative path of a real directory in this layer →
   * the lower-layer directories merged under it (topmost first).
   */
  private dirCache = new Map<string, string[]>();

  constructor(
    private readonly root: string,
    private readonly lowers: readonly string[],
    private readonly native: NativeFsOps,
    private readonly policy: ApplyPolicy,
  ) {}

  private warn(msg: string): void {
    if (this.warnings.length < 1000) this.warnings.push(msg);
  }

  /** Structure changed under some path: forget what was verified. */
  private invalidate(): void {
    this.dirCache = new Map();
  }

  async apply(entry: TarEntry): Promise<void> {
    this.counts.entries++;
    const comps = cleanComponents(entry.path, entry.path);
    const base = comps[comps.length - 1];
    if (base === undefined) {
      // The root itself (".", "/"): its attributes are the store's business, as in containerd.
      await entry.skip();
      return;
    }
    const parent = comps.slice(0, -1);
    const wh = classifyWhiteout(base);
    if (wh.kind !== 'none') {
      await entry.skip();
      if (wh.kind === 'aufs-meta') {
        this.warn(`${entry.path}: AUFS metadata ignored`);
        return;
      }
      if (wh.kind === 'opaque') return this.opaque(parent, entry.path);
      if (wh.name === '' || wh.name === '.' || wh.name === '..') {
        throw new BerthError('TAR_PATH_ESCAPE', `${entry.path}: whiteout of ${JSON.stringify(wh.name)}`, {
          entry: entry.path,
        });
      }
      return this.whiteout(parent, wh.name, entry.path);
    }

    this.checkPolicy(entry);
    const parentAbs = await this.resolveParent(parent, entry.path);
    const abs = path.join(parentAbs, base);
    const rel = comps.join('/');

    if (entry.type === 'hardlink') {
      const target = this.resolveLinkTarget(entry.linkname, entry.path);
      if (target === abs) {
        this.warn(`${entry.path}: hardlink to itself ignored`);
        return;
      }
      this.clear(abs, rel, lstatOrNull(abs));
      try {
        fs.linkSync(target, abs);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
          throw new BerthError('TAR_LINK_MISSING', `${entry.path}: hardlink target ${entry.linkname} was removed`, {
            entry: entry.path,
            linkname: entry.linkname,
          });
        }
        throw err;
      }
      this.counts.hardlinks++;
      return;
    }

    const existing = lstatOrNull(abs);
    const keepDir = existing !== null && existing.isDirectory() && entry.type === 'dir';
    const replacedWhiteout = existing !== null && isOverlayWhiteout(existing);
    if (existing !== null && !keepDir) this.clear(abs, rel, existing);

    switch (entry.type) {
      case 'file':
        await this.writeFile(abs, entry);
        break;
      case 'dir':
        await this.writeDir(abs, rel, entry, !keepDir);
        // A directory over a whiteout made in this same layer: the lower one stays hidden.
        if (replacedWhiteout) await this.setOpaque(abs, entry.path);
        break;
      case 'symlink':
        fs.symlinkSync(entry.linkname, abs);
        fs.lchownSync(abs, entry.uid, entry.gid);
        await this.setXattrs(abs, entry);
        fs.lutimesSync(abs, entry.mtime, entry.mtime);
        this.counts.symlinks++;
        break;
      case 'char':
      case 'block':
      case 'fifo':
        await this.native.mknod(abs, entry.type, entry.mode, entry.devmajor, entry.devminor);
        fs.lchownSync(abs, entry.uid, entry.gid);
        // chown clears setuid/setgid: set the mode after it. abs is the node just made, not a symlink.
        fs.chmodSync(abs, entry.mode);
        await this.setXattrs(abs, entry);
        fs.lutimesSync(abs, entry.mtime, entry.mtime);
        this.counts.specials++;
        break;
      default:
        throw new BerthError('TAR_UNSUPPORTED', `${entry.path}: unexpected entry type`, { entry: entry.path });
    }
  }

  private checkPolicy(entry: TarEntry): void {
    if (entry.type === 'char' || entry.type === 'block') {
      // A 0:0 char device is overlay's whiteout: only we make those, from .wh. names.
      if (!this.policy.allowDevices || (entry.type === 'char' && entry.devmajor === 0 && entry.devminor === 0)) {
        throw new BerthError(
          'TAR_DEVICE_FORBIDDEN',
          `${entry.path}: ${entry.type} device ${entry.devmajor}:${entry.devminor} not allowed`,
          {
            entry: entry.path,
            type: entry.type,
            devmajor: entry.devmajor,
            devminor: entry.devminor,
          },
        );
      }
    }
    if (entry.type === 'fifo' && !this.policy.allowFifos) {
      throw new BerthError('TAR_DEVICE_FORBIDDEN', `${entry.path}: fifo not allowed`, {
        entry: entry.path,
        type: 'fifo',
      });
    }
    for (const name of entry.xattrs.keys()) {
      if (xattrVerdict(name) === 'forbid') {
        throw new BerthError('TAR_XATTR_FORBIDDEN', `${entry.path}: xattr ${name} may not come from an archive`, {
          entry: entry.path,
          xattr: name,
        });
      }
    }
  }

  /**
   * Makes sure every parent component exists in this layer as a real
   * directory and returns its absolute path. A symlink anywhere on the way
   * (in this layer, or the topmost visible one in a lower layer) is refused:
   * writing through it is exactly what an escape needs.
   */
  private async resolveParent(comps: readonly string[], entry: string): Promise<string> {
    let abs = this.root;
    let lowers: readonly string[] = this.lowers;
    let rel = '';
    for (const c of comps) {
      rel = rel ? `${rel}/${c}` : c;
      abs = path.join(abs, c);
      const cached = this.dirCache.get(rel);
      if (cached) {
        lowers = cached;
        continue;
      }
      const st = lstatOrNull(abs);
      const merged: string[] = [];
      let top: fs.Stats | null = null;
      for (const l of lowers) {
        const lp = path.join(l, c);
        const ls = lstatOrNull(lp);
        if (!ls) continue;
        if (ls.isSymbolicLink()) {
          if (!st && merged.length === 0) {
            throw new BerthError('TAR_SYMLINK_PARENT', `${entry}: parent ${rel} is a symlink in a lower layer`, {
              entry,
              parent: rel,
              lowerDir: l,
            });
          }
          break;
        }
        if (!ls.isDirectory()) break; // a file or whiteout hides everything below it
        merged.push(lp);
        top ??= ls;
      }
      if (st) {
        if (st.isSymbolicLink()) {
          throw new BerthError('TAR_SYMLINK_PARENT', `${entry}: parent ${rel} is a symlink`, { entry, parent: rel });
        }
        if (isOverlayWhiteout(st)) {
          // Deleted (in this layer) then used as a directory: a fresh opaque directory.
          fs.unlinkSync(abs);
          this.mkdirMeta(abs, rel, null);
          await this.setOpaque(abs, entry);
          this.dirCache.set(rel, []);
          lowers = [];
          continue;
        }
        if (!st.isDirectory()) {
          throw new BerthError('TAR_PARENT_NOT_DIR', `${entry}: parent ${rel} is not a directory`, {
            entry,
            parent: rel,
          });
        }
      } else {
        this.mkdirMeta(abs, rel, top);
      }
      this.dirCache.set(rel, merged);
      lowers = merged;
    }
    return abs;
  }

  /** Creates a missing parent, copying the lower layer's attributes (as containerd's mkparent does). */
  private mkdirMeta(abs: string, rel: string, from: fs.Stats | null): void {
    fs.mkdirSync(abs, { mode: 0o700 });
    const fd = fs.openSync(abs, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
    try {
      fs.fchownSync(fd, from?.uid ?? 0, from?.gid ?? 0);
      fs.fchmodSync(fd, from ? from.mode & 0o7777 : 0o755);
    } finally {
      fs.closeSync(fd);
    }
    if (from) this.dirTimes.set(rel, from.mtimeMs / 1000);
  }

  /** A hardlink target: inside the root, in this layer, reached without symlinks, not a directory. */
  private resolveLinkTarget(linkname: string, entry: string): string {
    const comps = cleanComponents(linkname, entry, 'TAR_LINK_ESCAPE');
    const missing = (why: string): BerthError =>
      new BerthError('TAR_LINK_MISSING', `${entry}: hardlink target ${linkname} ${why}`, { entry, linkname });
    if (comps.length === 0) throw missing('is the root directory');
    let abs = this.root;
    for (const [i, c] of comps.entries()) {
      abs = path.join(abs, c);
      const st = lstatOrNull(abs);
      if (!st) throw missing('does not exist in this layer');
      const last = i === comps.length - 1;
      if (!last) {
        if (st.isSymbolicLink()) {
          throw new BerthError('TAR_LINK_ESCAPE', `${entry}: hardlink target ${linkname} goes through a symlink`, {
            entry,
            linkname,
            symlink: comps.slice(0, i + 1).join('/'),
          });
        }
        if (!st.isDirectory()) throw missing('has a parent that is not a directory');
      } else {
        if (st.isDirectory()) throw missing('is a directory');
        if (isOverlayWhiteout(st)) throw missing('was deleted in this layer');
      }
    }
    return abs;
  }

  /** Removes whatever is at abs (never following symlinks) before it is replaced. */
  private clear(abs: string, rel: string, st: fs.Stats | null): void {
    if (!st) return;
    if (st.isDirectory()) {
      fs.rmSync(abs, { recursive: true, force: true });
      for (const k of this.dirTimes.keys()) if (k === rel || k.startsWith(`${rel}/`)) this.dirTimes.delete(k);
      this.invalidate();
    } else {
      fs.unlinkSync(abs);
    }
  }

  private async writeFile(abs: string, entry: TarEntry): Promise<void> {
    const fd = fs.openSync(abs, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o600);
    try {
      for await (const chunk of entry.body()) {
        this.counts.bytes += chunk.length;
        if (this.counts.bytes > this.policy.maxTotalBytes) {
          throw new BerthError('TAR_SIZE_LIMIT', `layer content exceeds ${this.policy.maxTotalBytes} bytes`, {
            entry: entry.path,
            limit: this.policy.maxTotalBytes,
          });
        }
        writeAllSync(fd, chunk); // short writes looped; no progress (a full disk) is ENOSPC
      }
      // Order matters: chown clears setuid bits and file capabilities, and a
      // write clears capabilities; so data, then owner, then mode, then xattrs.
      fs.fchownSync(fd, entry.uid, entry.gid);
      fs.fchmodSync(fd, entry.mode);
      await this.setXattrs(abs, entry);
      fs.futimesSync(fd, entry.mtime, entry.mtime);
    } finally {
      fs.closeSync(fd);
    }
    this.counts.files++;
  }

  private async writeDir(abs: string, rel: string, entry: TarEntry, create: boolean): Promise<void> {
    if (create) fs.mkdirSync(abs, { mode: 0o700 });
    const fd = fs.openSync(abs, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
    try {
      fs.fchownSync(fd, entry.uid, entry.gid);
      fs.fchmodSync(fd, entry.mode);
    } finally {
      fs.closeSync(fd);
    }
    await this.setXattrs(abs, entry);
    this.dirTimes.set(rel, entry.mtime);
    if (create) this.counts.dirs++;
  }

  private async setXattrs(abs: string, entry: TarEntry): Promise<void> {
    for (const [name, value] of entry.xattrs) {
      if (xattrVerdict(name) !== 'set') {
        this.warn(`${entry.path}: xattr ${name} not applied`);
        continue;
      }
      try {
        await this.native.lsetxattr(abs, name, value);
      } catch (err) {
        const code = (err as { code?: unknown }).code;
        // Filesystems without xattrs, and user.* on symlinks/devices (EPERM):
        // skipped with a warning, as containerd does for ENOTSUP.
        if (code === 'ENOTSUP' || code === 'EOPNOTSUPP' || (code === 'EPERM' && name.startsWith('user.'))) {
          this.warn(`${entry.path}: xattr ${name} not supported here (${String(code)})`);
          continue;
        }
        throw new BerthError(
          'NATIVE_OP_FAILED',
          `${entry.path}: setting xattr ${name} failed: ${(err as Error).message}`,
          {
            entry: entry.path,
            xattr: name,
            errno: code,
          },
        );
      }
    }
  }

  private async setOpaque(abs: string, entry: string): Promise<void> {
    try {
      await this.native.lsetxattr(abs, OVERLAY_OPAQUE_XATTR, Buffer.from('y'));
    } catch (err) {
      throw new BerthError('NATIVE_OP_FAILED', `${entry}: marking directory opaque failed: ${(err as Error).message}`, {
        entry,
      });
    }
    this.counts.opaqueDirs++;
  }

  /** ".wh..wh..opq" in dir D: hide every lower D/* (entries of this layer stay). */
  private async opaque(dirComps: readonly string[], entry: string): Promise<void> {
    const abs = await this.resolveParent(dirComps, entry);
    await this.setOpaque(abs, entry);
    this.invalidate();
  }

  /**
   * ".wh.NAME" in dir D. Whiteouts apply to lower layers only (image-spec):
   * NAME made by this layer survives; as a directory it turns opaque so the
   * lower one stays hidden beneath it.
   */
  private async whiteout(dirComps: readonly string[], name: string, entry: string): Promise<void> {
    // With the lower layers known, a whiteout that hides nothing is dropped:
    // overlayfs would list it in a directory that is not merged, and its
    // parents would appear in the image out of nowhere.
    if (this.lowers.length > 0 && this.lowerLookup([...dirComps, name]) === 'absent') {
      this.counts.whiteoutsSkipped++;
      return;
    }
    const parentAbs = await this.resolveParent(dirComps, entry);
    const abs = path.join(parentAbs, name);
    const existing = lstatOrNull(abs);
    if (existing) {
      if (existing.isDirectory()) await this.setOpaque(abs, entry);
      this.invalidate();
      return;
    }
    try {
      await this.native.mknod(abs, 'char', 0, 0, 0);
    } catch (err) {
      throw new BerthError('NATIVE_OP_FAILED', `${entry}: creating whiteout failed: ${(err as Error).message}`, {
        entry,
      });
    }
    this.counts.whiteouts++;
    this.invalidate();
  }

  /**
   * Whether a path exists in the merged view of the lower layers alone,
   * walked component by component with lstat (whiteouts and non-directories
   * hide what is below them). A symlink on the way answers 'symlink' so the
   * caller's normal parent checks reject the entry.
   */
  private lowerLookup(comps: readonly string[]): 'present' | 'absent' | 'symlink' {
    let dirs: readonly string[] = this.lowers;
    for (const [i, c] of comps.entries()) {
      const last = i === comps.length - 1;
      const next: string[] = [];
      for (const d of dirs) {
        const st = lstatOrNull(path.join(d, c));
        if (!st) continue;
        if (isOverlayWhiteout(st)) break;
        if (last) return 'present';
        if (st.isSymbolicLink()) {
          if (next.length === 0) return 'symlink';
          break;
        }
        if (!st.isDirectory()) break;
        next.push(path.join(d, c));
      }
      if (next.length === 0) return 'absent';
      dirs = next;
    }
    return 'absent';
  }

  /** Applies the recorded directory mtimes; call once every entry is in. */
  async finish(): Promise<void> {
    for (const [rel, mtime] of this.dirTimes) {
      const abs = path.join(this.root, rel);
      const st = lstatOrNull(abs);
      if (st?.isDirectory()) fs.lutimesSync(abs, mtime, mtime);
    }
  }
}
