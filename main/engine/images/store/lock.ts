/**
 * Mutual exclusion for store metadata (index.json, layers.json):
 *  - in this process, a promise-chain mutex shared by every store object on
 *    the same directory;
 *  - between processes (two helpers on one data root), an O_EXCL lock file
 *    holding the owner's pid, taken over only when that pid is dead.
 * Node has no flock(); a pid file is what the helper already uses for its
 * own single-instance check.
 */
import fs from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { BerthError } from '../../../../preload/errors';

export class Mutex {
  private tail: Promise<void> = Promise.resolve();

  /** Runs fn when every earlier holder is done. */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    const prev = this.tail;
    let release!: () => void;
    this.tail = new Promise<void>((r) => (release = r));
    await prev;
    try {
      return await fn();
    } finally {
      release();
    }
  }
}

const mutexes = new Map<string, Mutex>();

/** One mutex per path, process-wide. */
export function mutexFor(key: string): Mutex {
  let m = mutexes.get(key);
  if (!m) {
    m = new Mutex();
    mutexes.set(key, m);
  }
  return m;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes the lock file (O_EXCL + pid). The caller must hold the in-process
 * mutex for the same file, so a lock file naming our own pid is stale.
 */
export async function acquireLockFile(file: string, timeoutMs = 30_000): Promise<() => Promise<void>> {
  const deadline = Date.now() + timeoutMs;
  let delay = 5;
  for (;;) {
    try {
      const fh = await fs.promises.open(file, 'wx', 0o600);
      try {
        await fh.writeFile(`${process.pid}\n`);
      } finally {
        await fh.close();
      }
      return async () => {
        await fs.promises.rm(file, { force: true });
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    let stale: boolean;
    try {
      const text = await fs.promises.readFile(file, 'utf8');
      const pid = Number(text.trim());
      if (Number.isInteger(pid) && pid > 0) {
        stale = pid === process.pid || !alive(pid);
      } else {
        // Being written right now, or garbage left by a crash: give a writer 5 s.
        const st = await fs.promises.stat(file);
        stale = Date.now() - st.mtimeMs > 5000;
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue; // released meanwhile
      throw err;
    }
    if (stale) {
      await fs.promises.rm(file, { force: true });
      continue;
    }
    if (Date.now() > deadline) {
      throw new BerthError('STORE_LOCKED', `the image store is locked by another process (${file})`, {
        lockFile: file,
      });
    }
    await sleep(delay);
    delay = Math.min(delay * 2, 100);
  }
}

/** In-process mutex + lock file around fn. */
export async function withStoreLock<T>(file: string, fn: () => Promise<T>, timeoutMs?: number): Promise<T> {
  return mutexFor(file).run(async () => {
    const release = await acquireLockFile(file, timeoutMs);
    try {
      return await fn();
    } finally {
      await release();
    }
  });
}
