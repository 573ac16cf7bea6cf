/**
 * One engine per data root. The helper takes `<dataRoot>/engine.lock`
 * (flock, storage/file-lock.ts) at start and holds it for its life; a second
 * helper on the same data root refuses to start with DATA_ROOT_IN_USE
 * instead of adopting the same containers and rewriting the same records.
 * The kernel releases the lock when the holder exits or is killed, so a
 * crashed helper never blocks the next one.
 */
import path from 'node:path';
import { BerthError } from '../../../preload/errors';
import { tryLockFile, type HeldLock } from './file-lock';

const held = new Map<string, HeldLock>();

export function engineLockPath(dataRoot: string): string {
  return path.join(path.resolve(dataRoot), 'engine.lock');
}

/** Takes the data root for this process, or throws DATA_ROOT_IN_USE. Idempotent. */
export function takeEngineLock(dataRoot: string): void {
  const file = engineLockPath(dataRoot);
  if (held.has(file)) return;
  const lock = tryLockFile(file);
  if (!lock) {
    throw new BerthError(
      'DATA_ROOT_IN_USE',
      `another Berth engine owns ${path.resolve(dataRoot)} (it holds ${file}); one engine per data root`,
      { dataRoot: path.resolve(dataRoot), lockFile: file },
    );
  }
  held.set(file, lock);
}

/** True when this process holds the data root's engine lock (nothing else can be using its files). */
export function ownsDataRoot(dataRoot: string): boolean {
  return held.has(engineLockPath(dataRoot));
}
