import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { hasTool, makeTmp, rmrf, run } from '../../../testing/oci/helpers';
import { FIELD, headerChecksums, TYPEFLAG } from './format';
import { encodeNumeric } from './numeric';
import {
  encodeEntryHeader,
  encodeHeader,
  endOfArchive,
  entryBlocksSync,
  tarBuffer,
  type RawHeader,
  type TarWriteEntry,
  zeros,
} from './writer';

/** A header as the writer made it before it wrote fields in place: a buffer per field, BigInt numbers. */
function referenceHeader(h: RawHeader): Buffer {
  const block = Buffer.alloc(512);
  const str = ([off, len]: readonly [number, number], v: string): void => {
    const b = Buffer.from(v, 'utf8');
    b.copy(block, off, 0, Math.min(len, b.length));
  };
  const num = ([off, len]: readonly [number, number], v: number | bigint, b256 = false): void => {
    encodeNumeric(v, len, b256).copy(block, off);
  };
  str(FIELD.name, h.name);
  num(FIELD.mode, h.mode ?? 0o644);
  num(FIELD.uid, h.uid ?? 0);
  num(FIELD.gid, h.gid ?? 0);
  num(FIELD.size, h.size ?? 0, h.base256Size);
  num(FIELD.mtime, h.mtime ?? 0);
  block[FIELD.typeflag[0]] = h.typeflag;
  str(FIELD.linkname, h.linkname ?? '');
  block.write('ustar\x0000', FIELD.magic[0], 'latin1');
  str(FIELD.uname, h.uname ?? '');
  str(FIELD.gname, h.gname ?? '');
  num(FIELD.devmajor, h.devmajor ?? 0);
  num(FIELD.devminor, h.devminor ?? 0);
  if (h.prefix) str(FIELD.prefix, h.prefix);
  block.write(`${headerChecksums(block)[0].toString(8).padStart(6, '0')}\x00 `, FIELD.chksum[0], 'latin1');
  return block;
}

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

  it('writes header fields in place byte for byte as the per-field encoders do, at the octal limits and for cut names', () => {
    const headers: RawHeader[] = [
      { name: 'a.txt', typeflag: TYPEFLAG.file, mode: 0o644, uid: 1000, gid: 1000, size: 6, mtime: 1700000000 },
      // The largest octal values of 8- and 12-byte fields, and one past (base-256).
      { name: 'max', typeflag: TYPEFLAG.file, mode: 0o7777777, uid: 0o7777777, size: 8 ** 11 - 1, mtime: 8 ** 11 - 1 },
      { name: 'past', typeflag: TYPEFLAG.file, uid: 0o7777777 + 1, size: 8 ** 11, mtime: 2 ** 40 },
      { name: 'big', typeflag: TYPEFLAG.file, size: 2n ** 40n, base256Size: true },
      { name: 'neg', typeflag: TYPEFLAG.file, mtime: -1 },
      // 3-byte characters past the field: cut at its length, inside a character, as before.
      { name: '\u20ac'.repeat(40), typeflag: TYPEFLAG.file, uname: '\u00e9'.repeat(20), gname: 'g\u{1F600}'.repeat(8) },
      {
        name: 'n',
        prefix: 'p/'.repeat(70),
        typeflag: TYPEFLAG.symlink,
        linkname: 'x'.repeat(100),
        devmajor: 8,
        devminor: 1,
      },
      { name: '', typeflag: TYPEFLAG.dir, mode: 0 },
    ];
    for (const h of headers) expect(encodeHeader(h).equals(referenceHeader(h)), h.name).toBe(true);
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
