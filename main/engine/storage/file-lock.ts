/**
 * Cross-process locks on a lock file, with flock(2) through the addon. The
 * kernel owns the lock: it is released when the holder closes the file or
 * dies (SIGKILL included), so there is no pid to read, no "is it stale?"
 * judgement, and no window in which two processes both decide a lock is
 * stale and both take it (the race of the O_EXCL pid files this replaces).
 *
 * The lock file itself is never removed: deleting it while another process
 * waits on its (now unlinked) inode would let a third lock a new file.
 */
import fs from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { flock } from '../../../native/index';

/** An open lock file; close() releases the lock. */
export interface HeldLock {
  readonly file: string;
  close(): void;
}

function openLockFile(file: string): number {
  // O_NOFOLLOW: a symlink planted at the lock path must not make root open
  // (and create) a file elsewhere. O_CLOEXEC is Node's default.
  return fs.openSync(file, fs.constants.O_RDWR | fs.constants.O_CREAT | fs.constants.O_NOFOLLOW, 0o600);
}

function held(file: string, fd: number): HeldLock {
  let open = true;
  return {
    file,
    close: () => {
      if (!open) return;
      open = false;
      fs.closeSync(fd); // releases the flock
    },
  };
}

/** Takes the exclusive lock now, or returns null when another open file holds it. */
export function tryLockFile(file: string): HeldLock | null {
  return tryLockFd(file, openLockFile(file));
}

/**
 * The exclusive lock on an fd the caller opened (its own way: see the helper's
 * run-files); the fd is the lock's from here on, closed when it is not taken.
 */
export function tryLockFd(file: string, fd: number): HeldLock | null {
  try {
    if (flock(fd, 'ex', false)) return held(file, fd);
  } catch (err) {
    fs.closeSync(fd);
    throw err;
  }
  fs.closeSync(fd);
  return null;
}

/**
 * Runs fn under the exclusive lock, blocking this thread while another
 * process holds it. Only for sections a few syscalls long (a read-modify-write
 * of a small table): the event loop waits with us.
 */
export function withFileLockSync<T>(file: string, fn: () => T): T {
  const fd = openLockFile(file);
  try {
    flock(fd, 'ex', true);
    return fn();
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Waits (without blocking the event loop: LOCK_NB polled with backoff) for
 * the exclusive lock. On timeout calls onTimeout, which should throw the
 * caller's stable error.
 */
export async function lockFile(file: string, timeoutMs: number, onTimeout: () => never): Promise<HeldLock> {
  const deadline = Date.now() + timeoutMs;
  let delay = 2;
  for (;;) {
    const lock = tryLockFile(file);
    if (lock) return lock;
    if (Date.now() > deadline) onTimeout();
    await sleep(delay);
    delay = Math.min(delay * 2, 50);
  }
}
