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
 *
 * Files are read back through record-file.ts (validated, damage reported as
 * a value, never thrown).
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { faultPoint } from './fault-points';

export type Durability = 'durable' | 'atomic' | 'volatile';

/**
 * Writes all of buf at the fd's position. write(2) may write less than asked
 * (a full disk part way, a signal); a return of 0 for a regular file means no
 * progress is possible, which we report as ENOSPC rather than loop forever.
 */
export function writeAllSync(fd: number, buf: Uint8Array): void {
  let off = 0;
  while (off < buf.length) {
    const n = fs.writeSync(fd, buf, off, buf.length - off);
    if (n <= 0) {
      const err = new Error(`write: ENOSPC: no progress after ${off} of ${buf.length} bytes`) as NodeJS.ErrnoException;
      err.code = 'ENOSPC';
      err.syscall = 'write';
      throw err;
    }
    off += n;
  }
}

export function writeFileAtomic(
  file: string,
  data: string | Buffer,
  mode = 0o600,
  durability: Durability = 'durable',
): void {
  const dir = path.dirname(file);
  const base = path.basename(file);
  const tmp = path.join(dir, `.${base}.${randomBytes(6).toString('hex')}.tmp`);
  const fd = fs.openSync(tmp, 'wx', mode);
  // Until the rename, the target is untouched: any failure (a short write on
  // a full disk, fsync's EIO) drops the temp file and leaves the old content.
  try {
    try {
      writeAllSync(fd, typeof data === 'string' ? Buffer.from(data) : data);
      faultPoint('atomic.written', base);
      if (durability !== 'volatile') fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    faultPoint('atomic.before-rename', base);
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
  faultPoint('atomic.renamed', base);
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
