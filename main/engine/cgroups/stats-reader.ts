/**
 * Cheap repeated reads of cgroup control files: each file is opened once and
 * re-read with pread(fd, buf, len, 0) per sample (fs.readSync with position 0).
 * cgroupfs files are seq_files that regenerate their content when read from
 * offset 0, so no reopen, lseek or allocation per sample. Files that do not
 * exist are remembered as absent until reset().
 */
import fs from 'node:fs';
import { cgroupError, errMessage, sysCode } from './errors';
import type { FileSource } from './fsutil';

const ABSENT = new Set(['ENOENT', 'ENODEV', 'ENOTDIR']);

/**
 * Files that change only when someone writes a limit, or that feed no
 * per-second chart: re-read every SLOW_EVERY samples instead of each one
 * (apply() calls invalidate(), so a new limit shows on the next sample).
 * Halves the reads per sample on a v1 host; see bench/stats-sampling.
 */
const SLOW_FILE =
  /(?:limit_in_bytes|soft_limit_in_bytes|max_usage_in_bytes|failcnt|oom_control|\.max|cfs_quota_us|cfs_period_us|\.pressure|io_serviced(?:_recursive)?|kmem\.[a-z_.]+|swappiness|\.weight|shares)$/;
export const SLOW_EVERY = 10;

export class StatsReader implements FileSource {
  private readonly fds = new Map<string, number | null>();
  private readonly slow = new Map<string, { text: string | null; left: number }>();
  private buf: Buffer;
  /** Syscalls issued (opens + preads), for the bench. */
  reads = 0;
  opens = 0;

  constructor(initialBuffer = 16 * 1024) {
    this.buf = Buffer.allocUnsafe(initialBuffer);
  }

  get openFiles(): number {
    let n = 0;
    for (const fd of this.fds.values()) if (fd !== null) n++;
    return n;
  }

  read(file: string): string | null {
    if (!SLOW_FILE.test(file)) return this.readNow(file);
    const hit = this.slow.get(file);
    if (hit && hit.left > 0) {
      hit.left--;
      return hit.text;
    }
    const text = this.readNow(file);
    this.slow.set(file, { text, left: SLOW_EVERY - 1 });
    return text;
  }

  /** The next sample re-reads every file (a limit was just written). */
  invalidate(): void {
    this.slow.clear();
  }

  private readNow(file: string): string | null {
    let fd = this.fds.get(file);
    if (fd === undefined) {
      try {
        fd = fs.openSync(file, 'r');
        this.opens++;
      } catch (err) {
        if (!ABSENT.has(sysCode(err) ?? ''))
          throw cgroupError('CGROUP_READ_FAILED', `opening ${file}: ${errMessage(err)}`, { file, errno: sysCode(err) });
        fd = null;
      }
      this.fds.set(file, fd);
    }
    if (fd === null) return null;
    for (;;) {
      let n: number;
      try {
        n = fs.readSync(fd, this.buf, 0, this.buf.length, 0);
        this.reads++;
      } catch (err) {
        // ENODEV: the group was removed under an open fd.
        const code = sysCode(err);
        if (code === 'ENODEV' || code === 'ENOENT')
          throw cgroupError('CGROUP_NOT_FOUND', `${file} is gone (group removed)`, { file, errno: code });
        throw cgroupError('CGROUP_READ_FAILED', `reading ${file}: ${errMessage(err)}`, { file, errno: code });
      }
      if (n < this.buf.length) return this.buf.toString('latin1', 0, n);
      this.buf = Buffer.allocUnsafe(this.buf.length * 2);
    }
  }

  /** Forget absent files and close everything (after the group's layout changed). */
  reset(): void {
    this.close();
  }

  close(): void {
    this.slow.clear();
    for (const fd of this.fds.values()) {
      if (fd === null) continue;
      try {
        fs.closeSync(fd);
      } catch {
        // already closed
      }
    }
    this.fds.clear();
  }
}
