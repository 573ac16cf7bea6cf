import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { hasTool, makeTmp, rmrf, run } from '../../../testing/oci/helpers';
import { encodeEntryHeader, endOfArchive, entryBlocksSync, tarBuffer, type TarWriteEntry, zeros } from './writer';

describe('tar writer', () => {
  it('pads to blocks and ends with two zero blocks', async () => {
    const buf = await tarBuffer([{ path: 'a', body: 'abc' }]);
    expect(buf.length).toBe(512 + 512 + 1024);
    expect(buf.subarray(1024).every((b) => b === 0)).toBe(true);
  });

  it('splits long names into ustar prefix + name when they fit, PAX otherwise', () => {
    const fits = `${'p'.repeat(120)}/${'n'.repeat(90)}`;
    expect(encodeEntryHeader({ path: fits, body: '' }).length).toBe(512);
    expect(encodeEntryHeader({ path: `${'q'.repeat(300)}`, body: '' }).length).toBeGreaterThan(512);
  });

  it('refuses a body that does not match its size', async () => {
    await expect(tarBuffer([{ path: 'x', size: 10, body: zeros(5) }])).rejects.toThrow(/body has 5 bytes/);
  });

  it.skipIf(!hasTool('tar') || process.getuid?.() !== 0)('writes archives GNU tar extracts faithfully', async () => {
    const tmp = makeTmp();
    try {
      const long = `${'deep/'.repeat(40)}file.txt`;
      const buf = await tarBuffer([
        { path: 'dir', type: 'dir', mode: 0o750, uid: 123, gid: 456, mtime: 1_500_000_000 },
        { path: long, body: 'long name', mode: 0o640, mtime: 1_500_000_000.75 },
        { path: 'big-ids', body: 'ids', uid: 3_000_000, gid: 3_000_001 },
        { path: 'link', type: 'symlink', linkname: `/${'t'.repeat(150)}` },
        { path: 'hard', type: 'hardlink', linkname: 'big-ids' },
        { path: 'attr', body: 'x', xattrs: { 'user.berth': 'value' } },
      ]);
      const file = path.join(tmp, 'w.tar');
      fs.writeFileSync(file, buf);
      const out = path.join(tmp, 'out');
      fs.mkdirSync(out);
      run('tar', ['--xattrs', '--xattrs-include=user.*', '--numeric-owner', '-xpf', file, '-C', out]);
      const dir = fs.lstatSync(path.join(out, 'dir'));
      expect([dir.mode & 0o7777, dir.uid, dir.gid, dir.mtimeMs]).toEqual([0o750, 123, 456, 1_500_000_000_000]);
      expect(fs.readFileSync(path.join(out, long), 'utf8')).toBe('long name');
      expect(fs.lstatSync(path.join(out, long)).mtimeMs).toBe(1_500_000_000_750);
      const ids = fs.lstatSync(path.join(out, 'big-ids'));
      expect([ids.uid, ids.gid]).toEqual([3_000_000, 3_000_001]);
      expect(fs.lstatSync(path.join(out, 'hard')).ino).toBe(ids.ino);
      expect(fs.readlinkSync(path.join(out, 'link'))).toBe(`/${'t'.repeat(150)}`);
      const xattr = run('python3', [
        '-c',
        `import os,sys; sys.stdout.write(os.getxattr(${JSON.stringify(path.join(out, 'attr'))}, 'user.berth').decode())`,
      ]);
      expect(xattr.toString()).toBe('value');
    } finally {
      rmrf(tmp);
    }
  });

  it('entryBlocksSync gives the bytes tarChunks gives for in-memory bodies, null for streamed ones, and the same size errors', async () => {
    const entries: TarWriteEntry[] = [
      { path: 'd/', type: 'dir', mode: 0o755, mtime: 1700000000 },
      { path: 'd/a.txt', body: Buffer.from('hello\n'), mode: 0o600, uid: 1000, gid: 1000, mtime: 1700000001 },
      { path: 'd/s.txt', body: 'a string body', mtime: 1700000002.5 },
      { path: 'd/u8', body: new Uint8Array([1, 2, 3]), size: 3 },
      { path: 'd/empty', body: Buffer.alloc(0) },
      { path: 'd/link', type: 'symlink', linkname: 'a.txt' },
      { path: `d/${'long-name-'.repeat(20)}`, body: Buffer.alloc(700, 7) },
    ];
    const sync = Buffer.concat([...entries.flatMap((e) => entryBlocksSync(e) ?? []), endOfArchive()]);
    expect(sync.equals(await tarBuffer(entries))).toBe(true);
    expect(
      entryBlocksSync({
        path: 's',
        size: 1,
        body: (function* () {
          yield Buffer.from('x');
        })(),
      }),
    ).toBeNull();
    expect(() => entryBlocksSync({ path: 'big', body: Buffer.from('abc'), size: 2 })).toThrow(/longer than its size 2/);
    expect(() => entryBlocksSync({ path: 'short', body: Buffer.from('a'), size: 2 })).toThrow(
      /has 1 bytes, size says 2/,
    );
    await expect(tarBuffer([{ path: 'short', body: Buffer.from('a'), size: 2 }])).rejects.toThrow(
      /has 1 bytes, size says 2/,
    );
  });
});
