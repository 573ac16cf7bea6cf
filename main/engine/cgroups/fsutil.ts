/**
 * Control-file I/O shared by every controller: reads that tell "absent" from
 * "failed", single-write() writes that keep the kernel's errno, a write
 * transaction that can put previous values back, and parsers for the
 * kernel's file formats (flat keyed, nested keyed, single values).
 */
import fs from 'node:fs';
import path from 'node:path';
import { cgroupError, errMessage, sysCode } from './errors';

// ------------------------------------------------------------------ reading

/** Where controllers read files from: directly, or a StatsReader's open fds. */
export interface FileSource {
  /** The whole file, or null when it does not exist (controller absent, old kernel). */
  read(file: string): string | null;
}

const ABSENT = new Set(['ENOENT', 'ENODEV', 'ENOTDIR']);

export function readOptional(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    if (ABSENT.has(sysCode(err) ?? '')) return null;
    throw cgroupError('CGROUP_READ_FAILED', `reading ${file}: ${errMessage(err)}`, { file, errno: sysCode(err) });
  }
}

export const directSource: FileSource = { read: readOptional };

export function readTrim(file: string, src: FileSource = directSource): string | null {
  const t = src.read(file);
  return t === null ? null : t.trim();
}

export function exists(file: string): boolean {
  return fs.existsSync(file);
}

// ------------------------------------------------------------------ writing

export const O_WRITE = fs.constants.O_WRONLY | fs.constants.O_TRUNC;

/**
 * One open + one write(2), as the kernel wants control files written. No
 * O_CREAT: a missing file fails with ENOENT on cgroupfs and on fixture trees alike.
 */
export function writeRaw(file: string, value: string): void {
  const fd = fs.openSync(file, O_WRITE);
  try {
    fs.writeSync(fd, value);
  } finally {
    fs.closeSync(fd);
  }
}

export interface WriteRecord {
  file: string;
  value: string;
}

/**
 * All-or-nothing writes. Each write first notes how to undo it (by default:
 * write back the file's previous content); on a refusal the caller rolls back
 * in reverse order and the previous values stay in force.
 */
export class WriteTxn {
  readonly writes: WriteRecord[] = [];
  private readonly undo: Array<{ file: string; fn: () => void }> = [];

  /**
   * @param restore how to undo: a value to write back, a function, or null for
   *   nothing to undo. Default: the file's current content.
   */
  write(file: string, value: string, restore?: string | (() => void) | null): void {
    let undo: (() => void) | null;
    if (restore === undefined) {
      const prev = readTrim(file);
      undo = prev === null ? null : () => writeRaw(file, prev);
    } else if (typeof restore === 'string') {
      undo = () => writeRaw(file, restore);
    } else {
      undo = restore;
    }
    try {
      writeRaw(file, value);
    } catch (err) {
      const errno = sysCode(err) ?? 'EIO';
      const previous = typeof restore === 'string' ? restore : readTrimSafe(file);
      throw cgroupError(
        'CGROUP_LIMIT_REFUSED',
        `the kernel refused ${JSON.stringify(value)} for ${file}: ${errno} (${describeErrno(errno, file)})` +
          (previous !== null ? `; the previous value ${JSON.stringify(previous)} stays in force` : ''),
        { file, value, errno, previous },
      );
    }
    this.writes.push({ file, value });
    if (undo) this.undo.push({ file, fn: undo });
  }

  /** Undo in reverse order; returns the undo steps that failed (best effort). */
  rollback(): Array<{ file: string; error: string }> {
    const failed: Array<{ file: string; error: string }> = [];
    for (let i = this.undo.length - 1; i >= 0; i--) {
      const u = this.undo[i];
      if (!u) continue;
      try {
        u.fn();
      } catch (err) {
        failed.push({ file: u.file, error: errMessage(err) });
      }
    }
    this.undo.length = 0;
    return failed;
  }
}

function readTrimSafe(file: string): string | null {
  try {
    return readTrim(file);
  } catch {
    return null;
  }
}

/** Run `fn` in `tx`, or in a transaction of its own that rolls back on failure. */
export function inTxn(tx: WriteTxn | undefined, fn: (tx: WriteTxn) => void): void {
  if (tx) return fn(tx);
  const own = new WriteTxn();
  try {
    fn(own);
  } catch (err) {
    own.rollback();
    throw err;
  }
}

function describeErrno(errno: string, file: string): string {
  const base = path.basename(file);
  switch (errno) {
    case 'EBUSY':
      return base.startsWith('memory.')
        ? 'usage is above the new limit and could not be reclaimed'
        : 'the group is busy (in use or has children)';
    case 'EINVAL':
      return 'invalid value for this file or its parent group';
    case 'ENOSPC':
      return 'no space: the value exceeds what the parent or the system allows';
    case 'EPERM':
    case 'EACCES':
      return 'permission denied';
    case 'ENOENT':
      return 'file absent: controller not enabled for this group';
    case 'ENODEV':
      return 'no such device';
    case 'ERANGE':
      return 'value out of range';
    default:
      return 'kernel error';
  }
}

// ------------------------------------------------------------------ parsing

/** v1 "unlimited" reads back as PAGE_COUNTER_MAX * PAGE_SIZE = LONG_MAX rounded down to a page (…771712 on 4K pages). */
export const V1_UNLIMITED_FLOOR = 0x7fffffffffff0000n; // covers page sizes up to 64 KiB

export function parseBig(s: string | undefined | null): bigint | null {
  if (s === undefined || s === null) return null;
  const t = s.trim();
  if (!/^-?\d+$/.test(t)) return null;
  return BigInt(t);
}

/** A bigint as a JS number; counters beyond 2^53 lose low bits, which charts do not see. */
export function big2num(b: bigint): number {
  return Number(b);
}

/** Exact conversion for limits: refuses values a number cannot hold. */
export function big2safe(b: bigint): number | null {
  if (b > BigInt(Number.MAX_SAFE_INTEGER) || b < BigInt(Number.MIN_SAFE_INTEGER)) return null;
  return Number(b);
}

/** A v1 byte limit (memory.limit_in_bytes, soft_limit, memsw): "unlimited" → null. */
export function v1Limit(raw: string | null): number | null {
  const b = parseBig(raw);
  if (b === null || b < 0n || b >= V1_UNLIMITED_FLOOR) return null;
  return big2safe(b);
}

/** A v2 single value: "max" → null. */
export function v2Limit(raw: string | null): number | null {
  if (raw === null) return null;
  const t = raw.trim();
  if (t === 'max') return null;
  const b = parseBig(t);
  return b === null ? null : big2safe(b);
}

/** A counter or count as a JS number (exact below 2^53); fallback when absent or not a number. */
export function num(raw: string | null, fallback = 0): number {
  if (raw === null) return fallback;
  const t = raw.trim();
  return t !== '' && /^-?\d+$/.test(t) ? Number(t) : fallback;
}

/**
 * Flat keyed ("key value" per line), e.g. memory.stat, cpu.stat, memory.events.
 * Values become JS numbers: counters beyond 2^53 (v1's hierarchical_memory_limit
 * "unlimited") lose low bits, which no consumer of these maps needs; exact
 * limits go through parseBig/v1Limit instead. Parsing with Number() rather than
 * BigInt keeps a sample of 100 groups cheap.
 */
export function parseFlatKeyed(text: string | null): Map<string, number> {
  const m = new Map<string, number>();
  if (!text) return m;
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const sp = text.indexOf(' ', start);
    if (sp > start && sp < end) {
      const v = Number(text.slice(sp + 1, end));
      if (!Number.isNaN(v)) m.set(text.slice(start, sp), v);
    }
    start = end + 1;
  }
  return m;
}

export function keyed(m: Map<string, number>, key: string, fallback = 0): number {
  return m.get(key) ?? fallback;
}

/** Nested keyed ("KEY sub=val sub=val" per line), e.g. io.stat, io.max, PSI files. */
export function parseNestedKeyed(text: string | null): Map<string, Map<string, string>> {
  const out = new Map<string, Map<string, string>>();
  if (!text) return out;
  for (const line of text.split('\n')) {
    const parts = line.trim().split(/\s+/);
    const key = parts[0];
    if (!key) continue;
    const kv = new Map<string, string>();
    for (const p of parts.slice(1)) {
      const eq = p.indexOf('=');
      if (eq > 0) kv.set(p.slice(0, eq), p.slice(eq + 1));
    }
    out.set(key, kv);
  }
  return out;
}

export function parseDevice(key: string): { major: number; minor: number } | null {
  const m = /^(\d+):(\d+)$/.exec(key);
  if (!m) return null;
  return { major: Number(m[1]), minor: Number(m[2]) };
}

// ------------------------------------------------------------------ ids and paths

const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

/** A group id or parent path made of safe segments (no "..", no absolute paths). */
export function checkGroupPath(kind: 'id' | 'parent', p: string): string {
  const segs = p.split('/');
  if (segs.length === 0 || segs.length > 8 || segs.some((s) => !SEGMENT.test(s) || s === '..' || s === '.')) {
    throw cgroupError('CGROUP_BAD_ID', `${kind} ${JSON.stringify(p)} must be path segments of [A-Za-z0-9_.-]`, {
      [kind]: p,
    });
  }
  if (kind === 'id' && segs.length !== 1) {
    throw cgroupError('CGROUP_BAD_ID', `id ${JSON.stringify(p)} must be a single path segment`, { id: p });
  }
  return p;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
