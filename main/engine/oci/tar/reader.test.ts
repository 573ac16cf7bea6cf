import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { chunksOf, engineErrorOf, hasTool, makeTmp, rmrf, run } from '../../../testing/oci/helpers';
import { BLOCK, TYPEFLAG, headerChecksums, type TarHeader } from './format';
import { encodeNumeric, parseNumeric, parseNumericAt, parseOctalAt } from './numeric';
import { readTar, readTarHeaders, type TarReadOptions } from './reader';
import { RangeByteReader } from '../range-reader';
import { BerthError } from '../../../../preload/errors';
import { encodeHeader, encodePaxMember, endOfArchive, tarBuffer, type TarWriteEntry } from './writer';

interface Read {
  path: string;
  type: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number;
  linkname: string;
  devmajor: number;
  devminor: number;
  xattrs: Record<string, string>;
  body: string;
}

/** The header fields readAll compares (all but the body). */
function headerOf(e: TarHeader): Omit<Read, 'body'> {
  return {
    path: e.path,
    type: e.type,
    mode: e.mode,
    uid: e.uid,
    gid: e.gid,
    size: e.size,
    mtime: e.mtime,
    linkname: e.linkname,
    devmajor: e.devmajor,
    devminor: e.devminor,
    xattrs: Object.fromEntries([...e.xattrs].map(([k, v]) => [k, v.toString('hex')])),
  };
}

/**
 * readTarHeaders over the same bytes, from a stream (a batch per header: no
 * synchronous reads) and from a file through RangeByteReader (many headers
 * per batch): the same headers as readTar, or the same error (code and
 * message; the batch the error ends holds no entries, so only a prefix of
 * readTar's entries comes before it).
 */
async function expectSameHeaders(
  buf: Buffer,
  opts: TarReadOptions | undefined,
  chunk: number,
  entries: Read[],
  err: unknown,
): Promise<void> {
  const tmp = makeTmp('berth-tar-headers-');
  const file = path.join(tmp, 'a.tar');
  fs.writeFileSync(file, buf);
  const fh = await fs.promises.open(file, 'r');
  try {
    for (const source of [chunksOf(buf, chunk), new RangeByteReader(fh, 0, buf.length)]) {
      const got: Array<Omit<Read, 'body'>> = [];
      let batchErr: unknown;
      try {
        for await (const batch of readTarHeaders(source, opts)) got.push(...batch.map(headerOf));
      } catch (e) {
        batchErr = e;
      }
      const want = entries.map(({ body: _, ...h }) => h);
      if (err === undefined) {
        expect(batchErr).toBeUndefined();
        expect(got).toEqual(want);
      } else {
        expect(batchErr).toBeInstanceOf(BerthError);
        expect((batchErr as BerthError).code).toBe((err as BerthError).code);
        if (source instanceof RangeByteReader) continue; // the file reader words truncation its own way
        expect((batchErr as BerthError).message).toBe((err as BerthError).message);
        expect(want.slice(0, got.length)).toEqual(got);
      }
    }
  } finally {
    await fh.close();
    rmrf(tmp);
  }
}

async function readAll(buf: Buffer, opts?: TarReadOptions, chunk = 4096): Promise<Read[]> {
  const out: Read[] = [];
  let err: unknown;
  try {
    for await (const e of readTar(chunksOf(buf, chunk), opts)) {
      const parts: Buffer[] = [];
      for await (const c of e.body()) parts.push(c);
      out.push({ ...headerOf(e), body: Buffer.concat(parts).toString('utf8') });
    }
  } catch (e) {
    err = e;
  }
  await expectSameHeaders(buf, opts, chunk, out, err);
  if (err !== undefined) throw err;
  return out;
}

const longName = `${'d'.repeat(120)}/${'e'.repeat(90)}/${'f'.repeat(150)}.txt`;

describe('numeric fields', () => {
  it('parses octal with spaces and NULs and rejects junk', () => {
    expect(parseNumeric(Buffer.from('0000644\0'))).toBe(0o644n);
    expect(parseNumeric(Buffer.from('   644 \0'))).toBe(0o644n);
    expect(parseNumeric(Buffer.from('\0\0\0\0\0\0\0\0'))).toBe(0n);
    expect(parseNumeric(Buffer.from('0006x4\0\0'))).toBeNull();
    expect(parseNumeric(Buffer.from('00089\0\0\0'))).toBeNull();
    expect(parseNumeric(Buffer.from('0644\0 1\0'))).toBeNull();
  });
  it('parses octal past 17 digits exactly, and a field in place', () => {
    expect(parseNumeric(Buffer.from('7'.repeat(20) + '\0'))).toBe(8n ** 20n - 1n);
    expect(parseNumeric(Buffer.from('1' + '0'.repeat(18)))).toBe(8n ** 18n);
    const block = Buffer.from('xx0000644\0yy');
    expect(parseNumericAt(block, 2, 8)).toBe(0o644n);
    expect(parseNumericAt(block, 2, 9)).toBeNull(); // the 'y' after the NUL
  });
  it('computes both checksums, counting the checksum field as spaces', () => {
    const block = Buffer.alloc(BLOCK);
    block.fill(0xff, 0, 10);
    block.fill(0x41, 148, 156); // ignored
    expect(headerChecksums(block)).toEqual([10 * 255 + 8 * 32, 10 * -1 + 8 * 32]);
  });
  it('sums a block the same word by word (aligned) as byte by byte (unaligned, short)', () => {
    const bytewise = (b: Uint8Array): [number, number] => {
      let u = 8 * 0x20;
      let high = 0;
      for (let i = 0; i < Math.min(BLOCK, b.length); i++) {
        if (i >= 148 && i < 156) continue;
        u += b[i] as number;
        high += (b[i] as number) >>> 7;
      }
      return [u, u - 256 * high];
    };
    const backing = new Uint8Array(BLOCK + 8);
    for (const fill of [0x00, 0x7f, 0x80, 0xff, -1]) {
      if (fill < 0) for (let i = 0; i < backing.length; i++) backing[i] = (i * 131 + 17) & 0xff;
      else backing.fill(fill);
      for (const at of [0, 1, 2, 4]) {
        const block = backing.subarray(at, at + BLOCK);
        expect(headerChecksums(block)).toEqual(bytewise(block));
      }
      expect(headerChecksums(backing.subarray(0, 200))).toEqual(bytewise(backing.subarray(0, 200)));
    }
  });
  it('parses as a Number (parseOctalAt) exactly what the BigInt path parses, and defers everything else to it', () => {
    const fields: Buffer[] = [
      '0000644\0',
      '   644 \0',
      '\0\0\0\0\0\0\0\0',
      '        ',
      '',
      '0006x4\0\0',
      '00089\0\0\0',
      '0644\0 1\0',
      ' 7 7',
      '-0000001',
      '7'.repeat(17),
      '7'.repeat(17) + '\0',
      '7'.repeat(18),
      '1' + '0'.repeat(17),
      '0'.repeat(11) + '\0',
      '77777777777\0',
    ].map((t) => Buffer.from(t, 'latin1'));
    fields.push(encodeNumeric(2n ** 62n, 12, true), encodeNumeric(-1n, 8, true), encodeNumeric(5n, 12, true));
    for (let i = 0; i < 2000; i++) {
      // Random fields over the bytes that matter: digits, terminators, junk, a high bit.
      const alphabet = [0x30, 0x31, 0x37, 0x38, 0x20, 0x00, 0x2d, 0x80, 0xff];
      fields.push(
        Buffer.from(Array.from({ length: 1 + (i % 20) }, (_, j) => alphabet[(i * 7 + j * 13 + i * j) % 9] as number)),
      );
    }
    for (const f of fields) {
      const slow = parseNumericAt(f, 0, f.length);
      const fast = parseOctalAt(f, 0, f.length);
      if (fast !== undefined) expect(BigInt(fast)).toBe(slow);
      if (fast !== undefined) expect(Number.isSafeInteger(fast)).toBe(true);
      // Only plain octal of at most 17 digits takes the fast path: malformed or base-256 stays with the slow one.
      if (slow === null || (f[0] ?? 0) & 0x80) expect(fast).toBeUndefined();
      if (
        slow !== null &&
        slow < 8n ** 17n &&
        !((f[0] ?? 0) & 0x80) &&
        f.toString('latin1').trim().replace(/\0+$/, '').length <= 17
      )
        expect(fast).toBeDefined();
    }
    // In place, as the reader calls it.
    const block = Buffer.from('xx0000644\0yy');
    expect(parseOctalAt(block, 2, 8)).toBe(0o644);
    expect(parseOctalAt(block, 2, 9)).toBeUndefined();
  });
  it('round-trips base-256, positive and negative', () => {
    for (const v of [0n, 1n, 8n ** 11n, 2n ** 62n, -1n, -(2n ** 40n)]) {
      expect(parseNumeric(encodeNumeric(v, 12, true))).toBe(v);
    }
    // GNU's own layout for 2^33: 0x80 then big-endian.
    const f = Buffer.alloc(12);
    f[0] = 0x80;
    f[7] = 2; // 0x02_00000000
    expect(parseNumeric(f)).toBe(2n ** 33n);
  });
});

describe('readTar', () => {
  it('round-trips the writer: files, dirs, links, devices, PAX long names/links, xattrs, fractional mtime, big ids', async () => {
    const entries: TarWriteEntry[] = [
      { path: './etc', type: 'dir', mode: 0o755, mtime: 1_600_000_000 },
      { path: './etc/hostname', body: 'berth\n', mode: 0o644, uid: 1000, gid: 1001, mtime: 1_600_000_000.25 },
      { path: longName, body: 'long', mode: 0o4755, uid: 3_000_000, gid: 4_000_000 },
      { path: 'lnk', type: 'symlink', linkname: `/${'t'.repeat(200)}` },
      { path: 'hard', type: 'hardlink', linkname: './etc/hostname' },
      { path: 'dev/null', type: 'char', devmajor: 1, devminor: 3, mode: 0o666 },
      { path: 'dev/sda', type: 'block', devmajor: 8, devminor: 0 },
      { path: 'fifo', type: 'fifo' },
      {
        path: 'cap',
        body: 'x',
        xattrs: { 'security.capability': Buffer.from([1, 0, 0, 2, 0, 0x20, 0, 0]), 'user.k': 'v' },
      },
    ];
    const got = await readAll(await tarBuffer(entries), undefined, 100);
    expect(got.map((g) => [g.path, g.type])).toEqual([
      ['etc', 'dir'],
      ['etc/hostname', 'file'],
      [longName, 'file'],
      ['lnk', 'symlink'],
      ['hard', 'hardlink'],
      ['dev/null', 'char'],
      ['dev/sda', 'block'],
      ['fifo', 'fifo'],
      ['cap', 'file'],
    ]);
    expect(got[1]).toMatchObject({
      body: 'berth\n',
      uid: 1000,
      gid: 1001,
      mode: 0o644,
      mtime: 1_600_000_000.25,
      size: 6,
    });
    expect(got[2]).toMatchObject({ body: 'long', mode: 0o4755, uid: 3_000_000, gid: 4_000_000 });
    expect(got[3]?.linkname).toBe(`/${'t'.repeat(200)}`);
    expect(got[4]?.linkname).toBe('etc/hostname');
    expect(got[5]).toMatchObject({ devmajor: 1, devminor: 3, mode: 0o666 });
    expect(got[8]?.xattrs).toEqual({
      'security.capability': '0100000200200000',
      'user.k': Buffer.from('v').toString('hex'),
    });
  });

  it('reads GNU L/K long names and links', async () => {
    const buf = await tarBuffer([
      { path: longName, body: 'gnu', longNames: 'gnu' },
      { path: 'l', type: 'symlink', linkname: 'x'.repeat(300), longNames: 'gnu' },
    ]);
    expect(buf.includes('././@LongLink')).toBe(true);
    const got = await readAll(buf);
    expect(got[0]).toMatchObject({ path: longName, body: 'gnu' });
    expect(got[1]?.linkname).toBe('x'.repeat(300));
  });

  it('applies PAX global headers to the following entries and lets local records win', async () => {
    const buf = Buffer.concat([
      encodePaxMember(
        [
          ['comment', 'git archive'],
          ['mtime', '1234.5'],
          ['SCHILY.xattr.user.g', 'global'],
        ],
        { global: true },
      ),
      await tarBuffer(
        [
          { path: 'a', body: 'A' },
          { path: 'b', body: 'B', pax: { mtime: '99' } },
        ],
        { end: false },
      ),
      endOfArchive(),
    ]);
    const got = await readAll(buf);
    expect(got.map((g) => [g.path, g.mtime, g.xattrs['user.g']])).toEqual([
      ['a', 1234.5, Buffer.from('global').toString('hex')],
      ['b', 99, Buffer.from('global').toString('hex')],
    ]);
  });

  it('reads base-256 sizes and ids written by GNU tar', async () => {
    const tmp = makeTmp();
    try {
      fs.writeFileSync(path.join(tmp, 'f'), 'hello');
      const tarFile = path.join(tmp, 'g.tar');
      run('tar', ['--format=gnu', '--owner=big:3000000', '--group=big:3000001', '-C', tmp, '-cf', tarFile, 'f']);
      const buf = fs.readFileSync(tarFile);
      expect((buf[108] ?? 0) & 0x80).toBe(0x80); // uid really is base-256
      const got = await readAll(buf);
      expect(got[0]).toMatchObject({ path: 'f', uid: 3_000_000, gid: 3_000_001, body: 'hello' });
    } finally {
      rmrf(tmp);
    }
  });

  it.skipIf(!hasTool('tar'))('reads PAX archives from GNU tar with long names, long links and xattrs', async () => {
    const tmp = makeTmp();
    try {
      const deep = path.join(tmp, 'src', 'a'.repeat(90), 'b'.repeat(90));
      fs.mkdirSync(deep, { recursive: true });
      fs.writeFileSync(path.join(deep, `${'c'.repeat(100)}.txt`), 'deep');
      fs.symlinkSync('z'.repeat(150), path.join(tmp, 'src', 'longlink'));
      run('python3', [
        '-c',
        `import os; os.setxattr(${JSON.stringify(path.join(deep, `${'c'.repeat(100)}.txt`))}, "user.berth", b"\\x00\\xffok")`,
      ]);
      const tarFile = path.join(tmp, 'p.tar');
      run('tar', [
        '--format=pax',
        '--xattrs',
        '--xattrs-include=user.*',
        '-C',
        path.join(tmp, 'src'),
        '-cf',
        tarFile,
        '.',
      ]);
      const got = await readAll(fs.readFileSync(tarFile));
      const file = got.find((g) => g.path.endsWith('.txt'));
      expect(file?.path).toBe(`${'a'.repeat(90)}/${'b'.repeat(90)}/${'c'.repeat(100)}.txt`);
      expect(file?.body).toBe('deep');
      expect(file?.xattrs['user.berth']).toBe('00ff6f6b');
      expect(got.find((g) => g.path === 'longlink')?.linkname).toBe('z'.repeat(150));
      expect(got[0]?.path).toBe('.');
    } finally {
      rmrf(tmp);
    }
  });

  it('skips unread bodies and reports offsets', async () => {
    const buf = await tarBuffer([
      { path: 'one', body: 'x'.repeat(1000) },
      { path: 'two', body: 'second' },
    ]);
    const seen: Array<[string, number, number]> = [];
    for await (const e of readTar(chunksOf(buf, 7))) {
      seen.push([e.path, e.offset, e.dataOffset]);
      if (e.path === 'two') {
        const parts: Buffer[] = [];
        for await (const c of e.body()) parts.push(c);
        expect(Buffer.concat(parts).toString()).toBe('second');
      }
    }
    expect(seen).toEqual([
      ['one', 0, 512],
      ['two', 512 + 1024, 512 + 1024 + 512],
    ]);
  });

  it('verifies header checksums (and accepts the historic signed sum)', async () => {
    const good = await tarBuffer([{ path: 'f', body: 'x' }]);
    const bad = Buffer.from(good);
    bad.write('0000001\0', 148, 'latin1');
    const err = await engineErrorOf(() => readAll(bad));
    expect(err.code).toBe('TAR_BAD_HEADER');
    expect(err.details?.['entry']).toBe('f');

    // A name with bytes >= 0x80 gives different signed/unsigned sums.
    const hdr = encodeHeader({ name: 'caf\u00e9', typeflag: TYPEFLAG.file });
    let signed = 0;
    for (let i = 0; i < BLOCK; i++) {
      const b = i >= 148 && i < 156 ? 0x20 : (hdr[i] ?? 0);
      signed += b > 127 ? b - 256 : b;
    }
    const signedHdr = encodeHeader({ name: 'caf\u00e9', typeflag: TYPEFLAG.file, checksum: signed });
    const got = await readAll(Buffer.concat([signedHdr, endOfArchive()]));
    expect(got[0]?.path).toBe('caf\u00e9');
  });

  it('rejects malformed octal fields', async () => {
    const buf = await tarBuffer([{ path: 'f', body: 'x' }]);
    buf.write('00x0644', 100, 'latin1'); // mode
    // Recompute the checksum so only the octal field is wrong.
    const fixed = encodeHeader({ name: 'f', typeflag: TYPEFLAG.file, size: 1 });
    fixed.write('00x0644', 100, 'latin1');
    let sum = 0;
    for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : (fixed[i] ?? 0);
    fixed.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
    fixed.copy(buf, 0);
    const err = await engineErrorOf(() => readAll(buf));
    expect(err.code).toBe('TAR_BAD_HEADER');
    expect(err.message).toMatch(/mode/);
  });

  it('detects truncation mid-header, mid-body and a missing end marker', async () => {
    const buf = await tarBuffer([
      { path: 'a', body: 'x'.repeat(3000) },
      { path: 'b', body: 'y' },
    ]);
    const midBody = await engineErrorOf(() => readAll(buf.subarray(0, 512 + 1000)));
    expect(midBody.code).toBe('TAR_TRUNCATED');
    expect(midBody.message).toMatch(/body of a/);
    const midHeader = await engineErrorOf(() => readAll(buf.subarray(0, 512 + 3072 + 100)));
    expect(midHeader.code).toBe('TAR_TRUNCATED');
    const noEnd = await engineErrorOf(() => readAll(buf.subarray(0, 512 + 3072 + 1024)));
    expect(noEnd.code).toBe('TAR_TRUNCATED');
    // A lone zero block at EOF is accepted.
    expect(await readAll(buf.subarray(0, 512 + 3072 + 1024 + 512))).toHaveLength(2);
  });

  it('rejects negative and oversized sizes before reading a byte of body', async () => {
    const huge = encodeHeader({ name: 'huge', typeflag: TYPEFLAG.file, size: 2n ** 62n });
    const e1 = await engineErrorOf(() => readAll(Buffer.concat([huge, endOfArchive()])));
    expect(e1.code).toBe('TAR_SIZE_LIMIT');
    expect(e1.details?.['entry']).toBe('huge');

    const neg = encodeHeader({ name: 'neg', typeflag: TYPEFLAG.file, size: -5n });
    const e2 = await engineErrorOf(() => readAll(Buffer.concat([neg, endOfArchive()])));
    expect(e2.code).toBe('TAR_BAD_HEADER');
    expect(e2.message).toMatch(/negative size/);

    const small = encodeHeader({ name: 'tiny-limit', typeflag: TYPEFLAG.file, size: 2048 });
    const e3 = await engineErrorOf(() =>
      readAll(Buffer.concat([small, Buffer.alloc(2048), endOfArchive()]), { maxEntrySize: 1024 }),
    );
    expect(e3.code).toBe('TAR_SIZE_LIMIT');

    const e4 = await engineErrorOf(() => readAll(Buffer.concat([small, Buffer.alloc(100)]), { totalSize: 612 }));
    expect(e4.code).toBe('TAR_TRUNCATED');
    expect(e4.details?.['entry']).toBe('tiny-limit');
  });

  it('caps extension headers held in memory', async () => {
    const pax = encodeHeader({ name: 'PaxHeader', typeflag: TYPEFLAG.paxLocal, size: 5 * 1024 * 1024 });
    const err = await engineErrorOf(() => readAll(Buffer.concat([pax, endOfArchive()])));
    expect(err.code).toBe('TAR_SIZE_LIMIT');
  });

  it('rejects malformed PAX records and GNU sparse files', async () => {
    const broken = Buffer.concat([
      encodeHeader({ name: 'PaxHeader', typeflag: TYPEFLAG.paxLocal, size: 12 }),
      Buffer.concat([Buffer.from('99 path=abc\n'), Buffer.alloc(500)]),
      encodeHeader({ name: 'x', typeflag: TYPEFLAG.file }),
      endOfArchive(),
    ]);
    expect((await engineErrorOf(() => readAll(broken))).code).toBe('TAR_BAD_HEADER');
    const sparse = await tarBuffer([{ path: 's', body: 'x', pax: { 'GNU.sparse.major': '1' } }]);
    expect((await engineErrorOf(() => readAll(sparse))).code).toBe('TAR_UNSUPPORTED');
  });

  it('normalizes names but keeps .. and leading / for the extractor to judge', async () => {
    const got = await readAll(
      await tarBuffer([
        { path: './a//b/./c/', type: 'dir' },
        { path: '/abs/x', body: '' },
        { path: '../up', body: '' },
        { path: 'benign', body: '', pax: { path: 'x/../../evil' } },
      ]),
    );
    expect(got.map((g) => g.path)).toEqual(['a/b/c', '/abs/x', '../up', 'x/../../evil']);
  });
});

describe('extension-header caps (ARCHIVE_METADATA_TOO_LARGE)', () => {
  const records = (prefix: string, n: number): Array<[string, string]> =>
    Array.from({ length: n }, (_, i) => [`${prefix}.${i}`, 'v'.repeat(1000)]);
  const entry = tarBuffer([{ path: 'f', body: 'x' }]);

  it('global PAX headers past 1 MiB in all (they are kept to the end of the stream)', async () => {
    const g = (p: string) => encodePaxMember(records(p, 600), { global: true }); // ~0.6 MB each
    const ok = Buffer.concat([g('a'), await entry]);
    expect((await readAll(ok)).map((e) => e.path)).toEqual(['f']);
    const bomb = Buffer.concat([g('a'), g('b'), await entry]);
    expect(await engineErrorOf(() => readAll(bomb))).toMatchObject({ code: 'ARCHIVE_METADATA_TOO_LARGE' });
  });

  it('a chain of local headers in front of one entry past 2 MiB; the same bytes spread over entries pass', async () => {
    const l = (p: string) => encodePaxMember(records(p, 600)); // ~0.6 MB each
    const chain = Buffer.concat([l('a'), l('b'), l('c'), l('d'), await entry]);
    expect(await engineErrorOf(() => readAll(chain))).toMatchObject({ code: 'ARCHIVE_METADATA_TOO_LARGE' });
    const one = await tarBuffer([{ path: 'g', body: 'y' }]);
    const spread = Buffer.concat([
      l('a'),
      one.subarray(0, 1024),
      l('b'),
      one.subarray(0, 1024),
      l('c'),
      one.subarray(0, 1024),
      l('d'),
      await entry,
    ]);
    expect((await readAll(spread)).map((e) => e.path)).toEqual(['g', 'g', 'g', 'f']);
  });

  it('every extension header of the stream against maxArchiveMetadata (default applies to analysis too)', async () => {
    const parts: Buffer[] = [];
    for (let i = 0; i < 20; i++) {
      parts.push(encodePaxMember(records(`e${i}`, 100))); // ~100 KB each: 2 MB in all
      parts.push((await tarBuffer([{ path: `f${i}`, body: 'x' }])).subarray(0, 1024));
    }
    parts.push(endOfArchive());
    const all = Buffer.concat(parts);
    expect(await readAll(all)).toHaveLength(20);
    expect(await engineErrorOf(() => readAll(all, { maxArchiveMetadata: 1024 * 1024 }))).toMatchObject({
      code: 'ARCHIVE_METADATA_TOO_LARGE',
      details: { limit: 1024 * 1024 },
    });
  });
});
