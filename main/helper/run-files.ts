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
 * - the socket gets its final mode from the umask at bind (no chmod), and its
 *   owner from lchown, which changes a swapped-in symlink itself, never its
 *   target; a socket that is not ours afterwards stops the start.
 *
 * unlink never follows a link. The directory itself lives in root's run dir,
 * which the owner cannot write, so it cannot be swapped.
 */
import fs from 'node:fs';
import net from 'node:net';
import { BerthError } from '../../preload/errors';

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
 * One helper per owner: an O_EXCL pid file, taken over only from a dead
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
    const s = net.createConnection(socketPath);
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
 * After bind: give the socket to its owner with lchown (a symlink swapped in
 * meanwhile is what gets chowned, not its target), then check that what is
 * at the path is still a socket with the mode bind gave it.
 */
export function ownSocket(socketPath: string, uid: number, gid: number, mode: number): void {
  fs.lchownSync(socketPath, uid, gid);
  const st = fs.lstatSync(socketPath);
  if (!st.isSocket() || st.uid !== uid || (st.mode & 0o777) !== mode) {
    throw new BerthError('RUN_FILE_REFUSED', `${socketPath} was replaced while the helper started`);
  }
}
