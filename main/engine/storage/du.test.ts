import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DiskMeter, diskBytes } from './du';

/** GNU du's answer in bytes (blocks, hard links once): the peer we agree with. */
function gnuDu(...paths: string[]): number {
  const out = execFileSync('du', ['-s', '-c', '-B1', ...paths], { encoding: 'utf8' });
  return Number(/^(\d+)\s+total$/m.exec(out)![1]);
}

describe('DiskMeter (du-like)', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-du-'));
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  const a = path.join(root, 'a');
  const b = path.join(root, 'b');
  fs.mkdirSync(path.join(a, 'sub'), { recursive: true });
  fs.mkdirSync(b);
  fs.writeFileSync(path.join(a, 'one'), Buffer.alloc(100_000, 1));
  fs.writeFileSync(path.join(a, 'sub', 'two'), Buffer.alloc(5000, 2));
  fs.linkSync(path.join(a, 'one'), path.join(a, 'one-again'));
  fs.linkSync(path.join(a, 'one'), path.join(b, 'one-in-b'));
  fs.symlinkSync('one', path.join(a, 'link'));
  // sparse: 64 MiB long, one block written
  const fd = fs.openSync(path.join(b, 'sparse'), 'w');
  fs.writeSync(fd, Buffer.from('x'), 0, 1, 64 * 1024 * 1024);
  fs.closeSync(fd);

  it('agrees with GNU du on a tree with hard links, a symlink and a sparse file', async () => {
    expect(await diskBytes(a)).toBe(gnuDu(a));
    expect(await diskBytes(b)).toBe(gnuDu(b));
    expect(await diskBytes(b)).toBeLessThan(1024 * 1024); // the sparse file counts its blocks, not its length
  });

  it('one meter counts an inode once across trees', async () => {
    const m = new DiskMeter();
    const total = await m.measureAll([a, b]);
    expect(total).toBe(gnuDu(a, b));
    expect(total).toBeLessThan((await diskBytes(a)) + (await diskBytes(b)));
    expect(await m.measure(a)).toBe(0); // already counted
  });

  it('a missing path is 0', async () => {
    expect(await diskBytes(path.join(root, 'nope'))).toBe(0);
  });
});
