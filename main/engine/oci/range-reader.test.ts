import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTmp, rmrf } from '../../testing/oci/helpers';
import { readTar } from './tar/reader';
import { tarBuffer, type TarWriteEntry } from './tar/writer';
import { RangeByteReader } from './range-reader';

describe('RangeByteReader', () => {
  let tmp = '';
  let file = '';
  // Small members (headers close together) around large ones (skipped).
  const entries: TarWriteEntry[] = [];
  for (let i = 0; i < 300; i++) entries.push({ path: `small/${i}`, body: `body ${i}\n` });
  entries.push({ path: 'big/a', body: Buffer.alloc(3 * 1024 * 1024, 1) });
  for (let i = 0; i < 50; i++) entries.push({ path: `more/${i}`, body: 'x'.repeat(i * 100) });
  entries.push({ path: 'big/b', body: Buffer.alloc(2 * 1024 * 1024 + 7, 2) });
  const prefix = 4096; // the member sits inside a larger file
  let tar: Buffer = Buffer.alloc(0);

  beforeAll(async () => {
    tmp = makeTmp('berth-range-');
    file = path.join(tmp, 'outer');
    tar = await tarBuffer(entries);
    fs.writeFileSync(file, Buffer.concat([Buffer.alloc(prefix, 0x55), tar, Buffer.alloc(1000, 0x66)]));
  });
  afterAll(() => rmrf(tmp));

  it('lists every member of its range with body offsets, skipping bodies', async () => {
    const fh = await fs.promises.open(file, 'r');
    try {
      const seen: Array<[string, number, number]> = [];
      for await (const e of readTar(new RangeByteReader(fh, prefix, tar.length), { totalSize: tar.length }))
        seen.push([e.path, e.size, e.dataOffset]);
      expect(seen.map(([p]) => p)).toEqual(entries.map((e) => e.path));
      // Each body offset points at the body in the member.
      for (const [p, size, at] of seen) {
        const want = entries.find((e) => e.path === p)?.body;
        const body = tar.subarray(at, at + size);
        expect(Buffer.compare(body, Buffer.from(want as string | Buffer)), p).toBe(0);
      }
    } finally {
      await fh.close();
    }
  });

  it('hands out header views synchronously from its window, and bodies as copies', async () => {
    const fh = await fs.promises.open(file, 'r');
    try {
      const r = new RangeByteReader(fh, prefix, tar.length);
      expect(r.readExactSync(512)).toBeUndefined(); // nothing read yet
      const first = await r.readExact(512, 'a header block');
      expect(first?.subarray(0, 7).toString()).toBe('small/0');
      expect(r.skipSync(512)).toBe(true); // the body block
      const second = r.readExactSync(512);
      expect(second?.subarray(0, 7).toString()).toBe('small/1');
      expect(r.skipSync(tar.length)).toBe(false); // past the end: left to skip(), which reports it
      await expect(r.skip(tar.length, () => 'a body')).rejects.toMatchObject({ code: 'TAR_TRUNCATED' });
      const body = await r.readSome(10, () => 'a body');
      const copy = Buffer.from(body);
      await r.readExact(512, 'a header block');
      expect(body).toEqual(copy); // not overwritten by the next read
    } finally {
      await fh.close();
    }
  });

  it('refuses a member cut short (TAR_TRUNCATED)', async () => {
    const fh = await fs.promises.open(file, 'r');
    try {
      const cut = 512 * 3 + 100;
      const list = async (): Promise<void> => {
        for await (const _ of readTar(new RangeByteReader(fh, prefix, cut), { totalSize: cut })) void _;
      };
      await expect(list()).rejects.toMatchObject({ code: 'TAR_TRUNCATED' });
    } finally {
      await fh.close();
    }
  });
});
