/** StatBatch (src/statbatch.h, src/statparse.h) on files written here: each kind's parse, every, optional, failures. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createStatBatch, nativeAvailable } from './index';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-statbatch-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const put = (name: string, text: string) => {
  const p = path.join(dir, name);
  fs.writeFileSync(p, text);
  return p;
};

describe.runIf(nativeAvailable())('StatBatch', () => {
  it('parses each kind into its slots', () => {
    const b = createStatBatch(24);
    const files = [
      { path: put('single', '9223372036854771712\n'), kind: 'single', slots: [0] },
      { path: put('max', 'max\n'), kind: 'single', slots: [1] },
      { path: put('ns', '2834876\n'), kind: 'single', slots: [2], scale: 0.001 },
      {
        path: put('cpu.stat', 'nr_periods 48211\nnr_throttled 1630\nthrottled_time 83122711000\n'),
        kind: 'keyed',
        keys: ['nr_throttled', 'nr_periods', 'absent'],
        slots: [3, 4, 5],
      },
      {
        path: put(
          'blkio',
          '8:0 Read 4096\n8:0 Write 512\n8:0 Sync 4608\n8:0 Total 4608\n259:0 Read 100\n259:0 Write 1\nTotal 9999\n',
        ),
        kind: 'rwstat',
        slots: [6, 7],
      },
      {
        path: put('io.stat', '259:0 rbytes=183287808 wbytes=59117568 rios=4077\n253:0 rbytes=2 wbytes=3 rios=4101\n'),
        kind: 'nested',
        keys: ['rbytes', 'wbytes'],
        slots: [8, 9],
      },
      {
        path: put(
          'cpu.pressure',
          'some avg10=29.61 avg60=72.64 avg300=54.48 total=7716740012\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n',
        ),
        kind: 'psi',
        slots: [10, 11, 12, 13, 14, -1, -1, 15],
      },
      {
        path: put('io.pressure', 'some avg10=1.50 avg60=0.00 avg300=0.00 total=5\n'),
        kind: 'psi',
        slots: [16, -1, -1, -1, 17, -1, -1, -1],
      },
      {
        path: put(
          'net.dev',
          'Inter-|   Receive                                                |  Transmit\n' +
            ' face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n' +
            '    lo:  999999      99    0    0    0     0          0         0   999999      99    0    0    0     0       0          0\n' +
            '  eth0:    1000      10    0    0    0     0          0         0     2000      20    0    0    0     0       0          0\n' +
            '  eth1:     500       5    0    0    0     0          0         0      100       1    0    0    0     0       0          0\n',
        ),
        kind: 'netdev',
        slots: [18, 19, 20, 21],
      },
      { path: path.join(dir, 'does-not-exist'), kind: 'single', slots: [22] },
    ] as const;
    expect(b.setRow(0, files)).toEqual([]);
    const out = new Float64Array(24).fill(-7);
    expect(b.read(out)).toBeNull();
    expect(out[0]).toBe(9223372036854771712);
    expect(out[1]).toBe(Infinity);
    expect(out[2]).toBeCloseTo(2834.876, 6);
    expect([out[3], out[4], out[5]]).toEqual([1630, 48211, NaN]);
    expect([out[6], out[7]]).toEqual([4196, 513]);
    expect([out[8], out[9]]).toEqual([183287810, 59117571]);
    expect([out[10], out[11], out[12], out[13], out[14], out[15]]).toEqual([29.61, 72.64, 54.48, 7716740012, 0, 0]);
    expect([out[16], out[17]]).toEqual([1.5, NaN]); // no "full" line
    expect([out[18], out[19], out[20], out[21]]).toEqual([1500, 15, 2100, 21]); // lo left out
    expect(out[22]).toBeNaN(); // absent file
    expect(out[23]).toBe(-7); // no file writes it
    expect(b.counters()).toMatchObject({
      opens: files.length - 1,
      preads: files.length - 1,
      openFiles: files.length - 1,
      rows: 1,
    });
    b.close();
    expect(b.counters().openFiles).toBe(0);
  });

  it('reads an `every`-N file on every N-th tick, and at once after invalidate', () => {
    const b = createStatBatch(2);
    const p = put('limit', '1\n');
    b.setRow(0, [
      { path: p, kind: 'single', slots: [0], every: 3 },
      { path: put('fast', '5\n'), kind: 'single', slots: [1] },
    ]);
    const out = new Float64Array(2);
    const seen: number[] = [];
    for (let i = 0; i < 4; i++) {
      b.read(out);
      seen.push(out[0]!);
      fs.writeFileSync(p, `${i + 2}\n`);
    }
    expect(seen).toEqual([1, 1, 1, 4]);
    b.invalidate(0);
    b.read(out);
    expect(out[0]).toBe(5);
    b.close();
  });

  it('a read failure fails its row only; an optional file reads NaN instead', () => {
    const b = createStatBatch(1);
    // A directory opens read-only, and pread on it fails with EISDIR.
    expect(b.setRow(0, [{ path: dir, kind: 'single', slots: [0] }])).toEqual([]);
    b.setRow(1, [{ path: put('ok', '3\n'), kind: 'single', slots: [0] }]);
    b.setRow(2, [{ path: dir, kind: 'single', slots: [0], optional: true }]);
    const out = new Float64Array(3);
    const failed = b.read(out);
    expect(failed).toHaveLength(1);
    expect(failed?.[0]).toMatchObject({ row: 0, error: { code: 'EISDIR', syscall: 'pread', path: dir } });
    expect(out[1]).toBe(3);
    expect(out[2]).toBeNaN();
    b.clearRow(0);
    expect(b.read(out)).toBeNull();
    b.close();
  });

  it('refuses bad arguments with EINVAL_ARG', () => {
    const b = createStatBatch(4);
    const bad = (files: unknown) => () => b.setRow(0, files as never);
    expect(bad([{ path: '/x', kind: 'bogus', slots: [0] }])).toThrow(expect.objectContaining({ code: 'EINVAL_ARG' }));
    expect(bad([{ path: '/x', kind: 'keyed', slots: [] }])).toThrow(/at least one key/);
    expect(bad([{ path: '/x', kind: 'rwstat', slots: [0] }])).toThrow(/array of 2 slot numbers/);
    expect(bad([{ path: '/x', kind: 'single', slots: [4] }])).toThrow(/from -1 to 3/);
    b.setRow(1, [{ path: put('one', '1'), kind: 'single', slots: [0] }]);
    expect(() => b.read(new Float64Array(4))).toThrow(/must hold 8 numbers/);
    expect(() => createStatBatch(0)).toThrow(expect.objectContaining({ code: 'EINVAL_ARG' }));
    b.close();
  });
});
