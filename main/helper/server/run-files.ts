/**
 * The root helper's files in its owner's run dir (/run/berth/u<UID>/, a
 * directory the owner owns): the log, the pid file and the socket. The owner
 * can put anything there at any moment: a symlink to /etc/shadow, a hard
 * link, a FIFO, and swap it between two of our calls. So nothing here opens,
 * reads, chmods or chowns by a path that could follow a link:
 *
 * - files are opened with O_NOFOLLOW (and O_CLOEXEC, O_NONBLOCK: a planted
 *   FIFO neither blocks nor holds us), then fstat-ed: only a regular file with
 *   one link that root owns is ours; anything else is unlinked and made anew
 *   with O_CREAT|O_EXCL (which never follows a link either);
 * - the socket is bound, given its mode (umask) and owner in a directory only
 *   root can enter, then renamed into place (listenForOwner): nothing is
 *   chmod-ed or chown-ed by a path in the owner's dir.
 *
 * unlink never follows a link. The directory itself lives in root's run dir,
 * which the owner cannot write, so it cannot be swapped.
 */
import fs from 'node:fs';
import type net from 'node:net';
import path from 'node:path';
import { BerthError } from '../../../preload/errors';
import { connectUnix } from '../../shared/unix-socket';
import { tryLockFd, type HeldLock } from '../../engine/storage/file-lock';

const C = fs.constants;
/** Not in fs.constants; libuv sets it anyway, we say it. Linux's generic value. */
const O_CLOEXEC = 0o2000000;
const NOFOLLOW = C.O_NOFOLLOW | O_CLOEXEC | C.O_NONBLOCK | C.O_NOCTTY;
const ATTEMPTS = 4;

function code(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException).code;
}

/** Removes whatever is at `file` unless it is a directory (never recursive: a root rm -r in a user's dir is a race). */
function unlinkForeign(file: string): void {
  try {
    fs.unlinkSync(file);
  } catch (err) {
    if (code(err) === 'ENOENT') return;
    if (code(err) === 'EISDIR' || code(err) === 'EPERM') {
      throw new BerthError(
        'RUN_FILE_REFUSED',
        `${file} is a directory or cannot be removed; remove it and start again`,
      );
    }
    throw err;
  }
}

/** Ours: a regular file root owns, with no second name. */
function ours(fd: number): boolean {
  const st = fs.fstatSync(fd);
  return st.isFile() && st.nlink === 1 && st.uid === 0;
}

/**
 * Opens `file` for appending, as root's own regular file: a symlink, hard
 * link, FIFO or someone else's file there is removed and a new file made.
 */
export function openOwnFile(file: string, mode: number): number {
  for (let i = 0; i < ATTEMPTS; i++) {
    let fd: number;
    try {
      fd = fs.openSync(file, C.O_WRONLY | C.O_APPEND | C.O_CREAT | NOFOLLOW, mode);
    } catch (err) {
      // ELOOP: a symlink; ENXIO: a FIFO nobody reads. Both go; a directory stays and stops us.
      if (code(err) === 'ELOOP' || code(err) === 'ENXIO') {
        unlinkForeign(file);
        continue;
      }
      if (code(err) === 'EISDIR') throw new BerthError('RUN_FILE_REFUSED', `${file} is a directory; remove it`);
      throw err;
    }
    if (ours(fd)) return fd;
    fs.closeSync(fd);
    unlinkForeign(file);
  }
  throw new BerthError('RUN_FILE_REFUSED', `${file} keeps being replaced; not opening it`);
}

/** The pid in `file` if it is root's own regular pid file; null for anything else. */
function readOwnPid(file: string): number | null {
  let fd: number;
  try {
    fd = fs.openSync(file, C.O_RDONLY | NOFOLLOW);
  } catch {
    return null;
  }
  try {
    if (!ours(fd)) return null;
    const buf = Buffer.alloc(32);
    const n = fs.readSync(fd, buf, 0, buf.length, 0);
    const pid = Number(buf.subarray(0, n).toString('utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * One helper per owner: an exclusive flock on root's own lock file (opened as
 * openOwnFile does: a link or FIFO planted there is replaced), held until the
 * returned lock is closed or the process dies. Null when another helper holds it.
 */
export function takeOwnerLock(file: string): HeldLock | null {
  return tryLockFd(file, openOwnFile(file, 0o600));
}

/**
 * An O_EXCL pid file, taken over only from a dead
 * holder (or from anything that is not root's pid file: a link, a FIFO, the
 * owner's own file). False when a live helper holds it.
 */
export function takePidFile(file: string, alive: (pid: number) => boolean): boolean {
  for (let i = 0; i < ATTEMPTS; i++) {
    try {
      const fd = fs.openSync(file, C.O_WRONLY | C.O_CREAT | C.O_EXCL | NOFOLLOW, 0o644);
      try {
        fs.writeSync(fd, `${process.pid}\n`);
      } finally {
        fs.closeSync(fd);
      }
      return true;
    } catch (err) {
      if (code(err) !== 'EEXIST') throw err;
      const holder = readOwnPid(file);
      if (holder !== null && holder !== process.pid && alive(holder)) return false;
      unlinkForeign(file);
    }
  }
  return false;
}

function canConnect(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    let s: net.Socket;
    try {
      s = connectUnix(socketPath);
    } catch {
      resolve(false);
      return;
    }
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/**
 * Before binding: 'answers' when a live socket is there (another helper);
 * otherwise whatever is at the path (a dead socket, a link, a file) is gone.
 */
export async function clearSocketPath(socketPath: string): Promise<'answers' | 'clear'> {
  let st: fs.Stats;
  try {
    st = fs.lstatSync(socketPath);
  } catch (err) {
    if (code(err) === 'ENOENT') return 'clear';
    throw err;
  }
  if (st.isSocket() && (await canConnect(socketPath))) return 'answers';
  unlinkForeign(socketPath);
  return 'clear';
}

/** The umask that makes bind create the socket with `mode` (so no chmod by path follows). */
export function socketUmask(mode: number): number {
  return ~mode & 0o777;
}

/**
 * Binds the owner's socket where the owner cannot reach it, then moves it in:
 * `listen` binds in a fresh 0700 directory of root's (`privateParent`, the
 * root-owned run dir) under a umask that gives it `mode`, lchown gives it to
 * the owner there, and rename(2) puts it at `socketPath`, replacing whatever
 * the owner left at that name (rename never follows a link, and no chown or
 * chmod ever touches a path in the owner's dir: a hard link swapped in there
 * would take the chown to its target).
 */
export async function listenForOwner(
  listen: (bindPath: string) => Promise<void>,
  socketPath: string,
  privateParent: string,
  owner: { uid: number; gid: number; mode: number },
): Promise<void> {
  const dir = fs.mkdtempSync(path.join(privateParent, '.bind-'));
  try {
    const bound = path.join(dir, path.basename(socketPath));
    const oldMask = process.umask(socketUmask(owner.mode));
    try {
      await listen(bound);
    } finally {
      process.umask(oldMask);
    }
    fs.lchownSync(bound, owner.uid, owner.gid);
    fs.renameSync(bound, socketPath);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true }); // root's own 0700 dir
  }
}
