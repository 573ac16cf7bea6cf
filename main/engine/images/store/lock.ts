/**
 * Mutual exclusion for store metadata (index.json, layers.json):
 *  - in this process, a promise-chain mutex shared by every store object on
 *    the same directory (main/shared/mutex.ts);
 *  - between processes, a flock(2) on the lock file (storage/file-lock.ts).
 *    One engine owns a data root at a time (engine.lock), so this second
 *    layer only matters for tools that open a store beside a helper.
 */
import { BerthError } from '../../../../preload/errors';
import { mutexFor } from '../../../shared/mutex';
import { lockFile } from '../../storage/file-lock';

/**
 * Takes the store's lock file: flock(2), released by the kernel when we close
 * it or die, so a crashed holder never leaves a stale lock and no two
 * processes can both take it. Times out with STORE_LOCKED.
 */
export async function acquireLockFile(file: string, timeoutMs = 30_000): Promise<() => Promise<void>> {
  const lock = await lockFile(file, timeoutMs, () => {
    throw new BerthError('STORE_LOCKED', `the image store is locked by another process (${file})`, {
      lockFile: file,
    });
  });
  return () => {
    lock.close();
    return Promise.resolve();
  };
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
