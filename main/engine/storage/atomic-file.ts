/**
 * Crash-safe state files: write a temp file in the same directory, rename it
 * over the target. A reader (or a process crash) sees the old file or the new
 * one, never a torn one: rename is atomic. What a *power cut* may undo
 * depends on the durability asked for, since each fsync costs a journal
 * commit (milliseconds on a busy disk, several per container start):
 *
 *   'durable'  fsync the file, rename, fsync the directory: survives a power
 *              cut once this returns. For what the user asked for (a
 *              container's config, its name, its limits, a restart policy's
 *              inputs) and what other state is derived from.
 *   'atomic'   fsync the file, rename; no directory fsync. After a power cut
 *              the old or the new content, never an empty or torn file; the
 *              rename itself may be lost. For run-state transitions whose
 *              loss the boot re-adoption repairs (a "running" record whose
 *              process is gone is recorded as ended).
 *   'volatile' no fsync. For files that describe only this boot (a spec
 *              handed to a monitor that reads it at once): a reboot makes
 *              them meaningless, and readers treat unreadable as missing.
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';

export type Durability = 'durable' | 'atomic' | 'volatile';

export function writeFileAtomic(
  file: string,
  data: string | Buffer,
  mode = 0o600,
  durability: Durability = 'durable',
): void {
  const dir = path.dirname(file);
  const tmp = path.join(dir, `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  const fd = fs.openSync(tmp, 'wx', mode);
  try {
    fs.writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data);
    if (durability !== 'volatile') fs.fsyncSync(fd);
  } catch (err) {
    fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw err;
  }
  fs.closeSync(fd);
  try {
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
  if (durability !== 'durable') return;
  const dfd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(dfd);
  } finally {
    fs.closeSync(dfd);
  }
}

export function writeJsonAtomic(file: string, value: unknown, mode = 0o600, durability: Durability = 'durable'): void {
  writeFileAtomic(file, JSON.stringify(value, null, 2) + '\n', mode, durability);
}

/** Reads JSON, or returns null when the file does not exist. */
export function readJsonOrNull(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  return JSON.parse(text);
}

/** Leftover temp files of writes interrupted by a crash. */
export function removeStaleTemps(dir: string): number {
  let n = 0;
  for (const name of fs.readdirSync(dir)) {
    if (name.startsWith('.') && name.endsWith('.tmp')) {
      fs.rmSync(path.join(dir, name), { force: true });
      n++;
    }
  }
  return n;
}
