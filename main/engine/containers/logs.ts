/**
 * Reads the monitor's JSON-lines log ({t, s, log, partial?}) with a cursor,
 * across rotation: the cursor names the live file's inode and an offset, so
 * a poller that fell behind a rotation finishes the rotated file first.
 */
import fs from 'node:fs';
import type { LogLineT } from '../../../preload/schemas/containers';

interface Cursor {
  ino: number;
  offset: number;
}

function encode(c: Cursor): string {
  return `${c.ino}:${c.offset}`;
}

function decode(s: string | undefined): Cursor | null {
  const m = s ? /^(\d+):(\d+)$/.exec(s) : null;
  return m ? { ino: Number(m[1]), offset: Number(m[2]) } : null;
}

/**
 * Parses complete lines; returns how many bytes of `text` end at a point
 * where no stream has an unfinished partial entry (a cursor may stop there).
 */
function parseLines(text: string, out: LogLineT[], pending: Map<string, string>): number {
  let offset = 0;
  let safe = 0;
  let safeCount = out.length;
  for (const raw of text.split('\n')) {
    offset += Buffer.byteLength(raw) + 1;
    if (!raw) {
      if (pending.size === 0) {
        safe = Math.min(offset, Buffer.byteLength(text));
        safeCount = out.length;
      }
      continue;
    }
    let e: { t?: unknown; s?: unknown; log?: unknown; partial?: unknown };
    try {
      e = JSON.parse(raw) as typeof e;
    } catch {
      continue; // a torn last line is completed on the next poll (we stop at the last newline)
    }
    if (typeof e.t !== 'string' || (e.s !== 'stdout' && e.s !== 'stderr') || typeof e.log !== 'string') continue;
    // Partial entries (long lines) continue in the next entry of the same stream.
    const joined = (pending.get(e.s) ?? '') + e.log;
    if (e.partial === true) {
      pending.set(e.s, joined);
      continue;
    }
    pending.delete(e.s);
    out.push({ t: e.t, stream: e.s, line: joined });
    if (pending.size === 0) {
      safe = Math.min(offset, Buffer.byteLength(text));
      safeCount = out.length;
    }
  }
  // Lines completed after an unfinished partial are read again next time.
  out.length = safeCount;
  return safe;
}

/** At most this much per poll, so a huge backlog is paged, not loaded whole. */
const MAX_READ = 4 * 1024 * 1024;

function readRange(file: string, from: number, max = Number.MAX_SAFE_INTEGER): { text: string; end: number } {
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    if (from >= size) return { text: '', end: from };
    const buf = Buffer.alloc(Math.min(size - from, max));
    const n = fs.readSync(fd, buf, 0, buf.length, from);
    // Stop at the last complete line; the rest is read next time.
    const lastNl = buf.subarray(0, n).lastIndexOf(0x0a);
    if (lastNl < 0) return { text: '', end: from };
    return { text: buf.subarray(0, lastNl + 1).toString('utf8'), end: from + lastNl + 1 };
  } finally {
    fs.closeSync(fd);
  }
}

export interface LogRead {
  lines: LogLineT[];
  cursor: string;
}

export function readLogs(
  logPath: string,
  opts: { cursor?: string; tail?: number; limit: number; maxFiles?: number },
): LogRead {
  const live = fs.statSync(logPath, { throwIfNoEntry: false });
  if (!live) return { lines: [], cursor: opts.cursor ?? '0:0' };
  const lines: LogLineT[] = [];
  const pending = new Map<string, string>();
  const c = decode(opts.cursor);
  if (c === null) {
    // First read: rotated files oldest first, then the live one.
    const files: string[] = [];
    for (let i = (opts.maxFiles ?? 5) - 1; i >= 1; i--)
      if (fs.existsSync(`${logPath}.${i}`)) files.push(`${logPath}.${i}`);
    for (const f of files) parseLines(readRange(f, 0).text, lines, pending);
    const r = readRange(logPath, 0);
    const safe = parseLines(r.text, lines, pending);
    const tail = opts.tail ?? opts.limit;
    return { lines: lines.slice(-Math.min(tail, opts.limit)), cursor: encode({ ino: live.ino, offset: safe }) };
  }
  let offset = c.offset;
  if (c.ino !== live.ino) {
    // Rotated since: finish the file we were reading (now .1), then the new one from its start.
    const prev = fs.statSync(`${logPath}.1`, { throwIfNoEntry: false });
    if (prev?.ino === c.ino) parseLines(readRange(`${logPath}.1`, c.offset).text, lines, pending);
    offset = 0;
  }
  const r = readRange(logPath, offset, MAX_READ);
  const safe = parseLines(r.text, lines, pending);
  return { lines, cursor: encode({ ino: live.ino, offset: offset + safe }) };
}
