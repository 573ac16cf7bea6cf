import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readLogs } from './logs';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-logs-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const entry = (s: string, log: string, partial = false) =>
  JSON.stringify({ t: '2026-01-01T00:00:00.000000000Z', s, log, ...(partial ? { partial: true } : {}) }) + '\n';

describe('reading the monitor log with a cursor', () => {
  it('joins partial entries, never splits a long line across polls, follows rotation', () => {
    const f = path.join(dir, 'container.log');
    fs.writeFileSync(f, entry('stdout', 'one') + entry('stderr', 'two'));
    const a = readLogs(f, { limit: 100 });
    expect(a.lines.map((l) => `${l.stream}:${l.line}`)).toEqual(['stdout:one', 'stderr:two']);
    // A long line arrives in two pieces, the second one later.
    fs.appendFileSync(f, entry('stdout', 'abc', true));
    const b = readLogs(f, { cursor: a.cursor, limit: 100 });
    expect(b.lines).toEqual([]);
    expect(b.cursor).toBe(a.cursor); // the cursor waits before the unfinished piece
    fs.appendFileSync(f, entry('stdout', 'def') + '{"torn":');
    const c = readLogs(f, { cursor: b.cursor, limit: 100 });
    expect(c.lines.map((l) => l.line)).toEqual(['abcdef']);
    // Rotation: the rest of the old file, then the new one.
    fs.appendFileSync(f, '"x"}\n' + entry('stdout', 'before-rotate'));
    fs.renameSync(f, f + '.1');
    fs.writeFileSync(f, entry('stdout', 'after-rotate'));
    const d = readLogs(f, { cursor: c.cursor, limit: 100 });
    expect(d.lines.map((l) => l.line)).toEqual(['before-rotate', 'after-rotate']);
    expect(readLogs(f, { tail: 1, limit: 100 }).lines.map((l) => l.line)).toEqual(['after-rotate']);
  });
});
