import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { removeStaleTemps, writeAllSync, writeJsonAtomic, type Durability } from './atomic-file';
import { okOrNull, readRecordFile } from './record-file';

const readJsonOrNull = (f: string): unknown => okOrNull(readRecordFile(f, z.unknown()));

const dirs: string[] = [];
const tmp = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-atomic-'));
  dirs.push(d);
  return d;
};
afterEach(() => dirs.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

describe('atomic files', () => {
  it('replaces the whole file and leaves no temp behind', () => {
    const d = tmp();
    const f = path.join(d, 'state.json');
    writeJsonAtomic(f, { a: 1 });
    writeJsonAtomic(f, { a: 2, b: 'x'.repeat(100_000) });
    expect(readJsonOrNull(f)).toMatchObject({ a: 2 });
    expect(fs.readdirSync(d)).toEqual(['state.json']);
    expect(fs.statSync(f).mode & 0o777).toBe(0o600);
  });

  it('a reader racing many writers never sees a torn file', () => {
    const d = tmp();
    const f = path.join(d, 'state.json');
    writeJsonAtomic(f, { n: 0, pad: '' });
    for (let i = 1; i < 200; i++) {
      writeJsonAtomic(f, { n: i, pad: 'y'.repeat(i * 97) });
      const v = readJsonOrNull(f) as { n: number; pad: string };
      expect(v.pad.length).toBe(v.n * 97);
    }
  });

  it('every durability replaces the whole file the same way (they differ only in fsyncs)', () => {
    const d = tmp();
    const f = path.join(d, 'state.json');
    for (const durability of ['durable', 'atomic', 'volatile'] as Durability[]) {
      writeJsonAtomic(f, { durability, pad: 'z'.repeat(50_000) }, 0o640, durability);
      expect(readJsonOrNull(f)).toMatchObject({ durability });
      expect(fs.readdirSync(d)).toEqual(['state.json']);
      expect(fs.statSync(f).mode & 0o777).toBe(0o640);
    }
  });

  it('missing file reads as null; stale temps are cleaned', () => {
    const d = tmp();
    expect(readJsonOrNull(path.join(d, 'nope.json'))).toBeNull();
    fs.writeFileSync(path.join(d, '.state.json.abc.tmp'), '{');
    expect(removeStaleTemps(d)).toBe(1);
    expect(fs.readdirSync(d)).toEqual([]);
  });

  it('writeAllSync writes everything through short writes and refuses a write that makes no progress', () => {
    const d = tmp();
    const f = path.join(d, 'big');
    const buf = Buffer.alloc(3 * 1024 * 1024, 7);
    const fd = fs.openSync(f, 'w');
    try {
      writeAllSync(fd, buf);
    } finally {
      fs.closeSync(fd);
    }
    expect(fs.readFileSync(f).equals(buf)).toBe(true);
    // /dev/full: every write fails with ENOSPC, like a full disk.
    const full = fs.openSync('/dev/full', 'w');
    try {
      expect(() => writeAllSync(full, buf)).toThrow(expect.objectContaining({ code: 'ENOSPC' }));
    } finally {
      fs.closeSync(full);
    }
  });
});
