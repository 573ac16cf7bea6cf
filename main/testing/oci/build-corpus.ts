/**
 * Hostile and broken archives, generated with our own tar writer (no
 * python, no fixtures in git). Each case says what must happen: rejection
 * with a code (and the entry it names), or containment (the archive is
 * applied, but nothing outside the layer is touched).
 *
 * Layout the cases assume: `ctx.outside` is a directory next to the store,
 * holding a file "sentinel"; layers are extracted to <store>/<layer>, so
 * "../../outside" from inside a layer reaches it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import { sha256 } from '../../engine/oci/digest';
import { TYPEFLAG } from '../../engine/oci/tar/format';
import { encodePax } from '../../engine/oci/tar/pax';
import {
  encodeEntryHeader,
  encodeHeader,
  encodePaxMember,
  endOfArchive,
  padBlock,
  tarBuffer,
  type TarWriteEntry,
} from '../../engine/oci/tar/writer';
import { dockerSaveParts, makeLayer, ociArchiveParts, writeArchive, type ImageParts } from './image-archive';
import { zstdHugeWindowFrame } from './zstd-raw';
import { type ErrorCode } from '../../../preload/errors';

export type CorpusExpect =
  { reject: ErrorCode; entry?: string } | { contained: true; verify?: (layerDir: string) => void };

export interface LayerCase {
  kind: 'layer';
  name: string;
  why: string;
  file: string;
  options?: {
    allowDevices?: boolean;
    allowFifos?: boolean;
    expectedDigest?: string;
    maxArchiveMetadata?: number;
    maxLayerBytes?: number;
    imageBytesLeft?: number;
  };
  /** A bomb: what its few bytes of gzip would expand to (the test bounds the memory its rejection costs). */
  bomb?: { expandsTo: number };
  /** A lower layer (extracted first) for cases that attack through it. */
  lower?: TarWriteEntry[];
  expect: CorpusExpect;
}

export interface ImageCase {
  kind: 'image';
  name: string;
  why: string;
  file: string;
  expect: { reject: ErrorCode; entry?: string };
}

export type CorpusCase = LayerCase | ImageCase;

function assert(cond: boolean, msg: string): void {
  if (!cond) throw new Error(`corpus check failed: ${msg}`);
}

function replaceMember(parts: ImageParts, name: string, entry: TarWriteEntry | null): TarWriteEntry[] {
  const out: TarWriteEntry[] = [];
  for (const m of parts.members) {
    if (m.path === name) {
      if (entry) out.push(entry);
    } else out.push(m);
  }
  return out;
}

function bodyOf(parts: ImageParts, name: string): string {
  const m = parts.members.find((x) => x.path === name);
  if (!m || !(m.body instanceof Uint8Array)) throw new Error(`no in-memory member ${name}`);
  return Buffer.from(m.body).toString('utf8');
}

export async function buildCorpus(dir: string, ctx: { outside: string }): Promise<CorpusCase[]> {
  fs.mkdirSync(dir, { recursive: true });
  const cases: CorpusCase[] = [];
  const out = ctx.outside;
  const write = (name: string, data: Buffer): string => {
    const f = path.join(dir, name);
    fs.writeFileSync(f, data);
    return f;
  };
  const layer = async (
    name: string,
    why: string,
    entries: TarWriteEntry[],
    expect: CorpusExpect,
    extra: Partial<LayerCase> = {},
  ): Promise<void> => {
    cases.push({ kind: 'layer', name, why, file: write(`${name}.tar`, await tarBuffer(entries)), expect, ...extra });
  };
  const raw = (name: string, why: string, data: Buffer, expect: CorpusExpect, extra: Partial<LayerCase> = {}): void => {
    cases.push({
      kind: 'layer',
      name: name.replace(/\.(tar|tar\.gz|tar\.zst|bin)$/, ''),
      why,
      file: write(name, data),
      expect,
      ...extra,
    });
  };
  const body = 'PWNED\n';

  // --- names -------------------------------------------------------------
  await layer(
    'abs-path',
    'absolute name is taken relative to the layer root (containerd)',
    [{ path: `${out}/abs-pwned`, body }],
    {
      contained: true,
      verify: (l) =>
        assert(
          fs.readFileSync(path.join(l, out, 'abs-pwned'), 'utf8') === body,
          'absolute entry lands inside the layer',
        ),
    },
  );
  await layer('dotdot-escape', '".." climbing out of the root', [{ path: '../../outside/dotdot-pwned', body }], {
    reject: 'TAR_PATH_ESCAPE',
    entry: '../../outside/dotdot-pwned',
  });
  await layer(
    'dotdot-inner',
    '".." after real components still climbing out',
    [{ path: 'a/b/../../../outside/inner-pwned', body }],
    {
      reject: 'TAR_PATH_ESCAPE',
      entry: 'a/b/../../../outside/inner-pwned',
    },
  );
  await layer(
    'pax-path-escape',
    'benign ustar name, PAX path record escaping',
    [{ path: 'benign', body, pax: { path: '../../outside/pax-pwned' } }],
    {
      reject: 'TAR_PATH_ESCAPE',
      entry: '../../outside/pax-pwned',
    },
  );
  const gnuName = `../../outside/${'g'.repeat(120)}`;
  await layer('gnu-longname-escape', 'GNU L long name escaping', [{ path: gnuName, body, longNames: 'gnu' }], {
    reject: 'TAR_PATH_ESCAPE',
    entry: gnuName,
  });
  raw(
    'pax-global-path.tar',
    'global PAX header carrying path=../../outside/global-pwned (would rename every member): ignored',
    Buffer.concat([
      encodePaxMember([['path', '../../outside/global-pwned']], { global: true }),
      await tarBuffer([{ path: 'g', body }]),
    ]),
    {
      contained: true,
      verify: (l) => assert(fs.readFileSync(path.join(l, 'g'), 'utf8') === body, 'global path ignored'),
    },
  );
  const longPath = `${'p/'.repeat(2500)}x`;
  await layer('path-too-long', 'a 5000-byte PAX path', [{ path: 'x', body, pax: { path: longPath } }], {
    reject: 'TAR_BAD_HEADER',
  });

  // --- symlinks ------------------------------------------------------------
  await layer(
    'pax-linkpath-symlink',
    'symlink whose PAX linkpath points outside, then a file written through it',
    [
      { path: 's', type: 'symlink', linkname: 'benign', pax: { linkpath: out } },
      { path: 's/pax-sym-pwned', body },
    ],
    { reject: 'TAR_SYMLINK_PARENT', entry: 's/pax-sym-pwned' },
  );
  await layer(
    'symlink-root-parent',
    'symlink to / then a file under it',
    [
      { path: 'rootlink', type: 'symlink', linkname: '/' },
      { path: `rootlink${out}/root-pwned`, body },
    ],
    { reject: 'TAR_SYMLINK_PARENT', entry: `rootlink${out}/root-pwned` },
  );
  await layer(
    'symlink-planted-relative',
    'relative symlink climbing out, then written through',
    [
      { path: 'up', type: 'symlink', linkname: '../../outside' },
      { path: 'up/up-pwned', body },
    ],
    { reject: 'TAR_SYMLINK_PARENT', entry: 'up/up-pwned' },
  );
  await layer(
    'symlink-chain',
    'a -> b -> outside, write a/x',
    [
      { path: 'b', type: 'symlink', linkname: out },
      { path: 'a', type: 'symlink', linkname: 'b' },
      { path: 'a/chain-pwned', body },
    ],
    { reject: 'TAR_SYMLINK_PARENT', entry: 'a/chain-pwned' },
  );
  await layer(
    'symlink-deep-planted',
    'symlink planted deep in a tree, then a path through it',
    [
      { path: 'd', type: 'dir' },
      { path: 'd/e', type: 'symlink', linkname: out },
      { path: 'd/e/f/deep-pwned', body },
    ],
    { reject: 'TAR_SYMLINK_PARENT', entry: 'd/e/f/deep-pwned' },
  );
  await layer(
    'symlink-lower-layer',
    'symlink planted by a lower layer, written through by this one',
    [{ path: 'lib/lower-pwned', body }],
    {
      reject: 'TAR_SYMLINK_PARENT',
      entry: 'lib/lower-pwned',
    },
    { lower: [{ path: 'lib', type: 'symlink', linkname: out }] },
  );
  await layer(
    'file-replaces-symlink',
    'a file replacing a symlink that points outside: the link is replaced, not followed',
    [
      { path: 's', type: 'symlink', linkname: path.join(out, 'sentinel') },
      { path: 's', body: 'replaced' },
    ],
    {
      contained: true,
      verify: (l) => {
        const st = fs.lstatSync(path.join(l, 's'));
        assert(
          st.isFile() && fs.readFileSync(path.join(l, 's'), 'utf8') === 'replaced',
          's is a regular file inside the layer',
        );
      },
    },
  );
  await layer(
    'dir-replaces-symlink',
    'a directory replacing a symlink to outside, then files in it',
    [
      { path: 's', type: 'symlink', linkname: out },
      { path: 's', type: 'dir' },
      { path: 's/inside', body },
    ],
    {
      contained: true,
      verify: (l) =>
        assert(
          fs.lstatSync(path.join(l, 's')).isDirectory() && fs.existsSync(path.join(l, 's', 'inside')),
          's is a real directory',
        ),
    },
  );

  // --- hardlinks -----------------------------------------------------------
  await layer(
    'hardlink-abs-passwd',
    'hardlink to /etc/passwd: resolved inside the layer, where it does not exist',
    [{ path: 'pw', type: 'hardlink', linkname: '/etc/passwd' }],
    {
      reject: 'TAR_LINK_MISSING',
      entry: 'pw',
    },
  );
  await layer(
    'hardlink-abs-passwd-own',
    'hardlink to /etc/passwd when the layer has its own: links to the layer copy',
    [
      { path: 'etc/passwd', body: 'root:x:0:0::/root:/bin/sh\n' },
      { path: 'pw', type: 'hardlink', linkname: '/etc/passwd' },
    ],
    {
      contained: true,
      verify: (l) => {
        const a = fs.lstatSync(path.join(l, 'pw'));
        const b = fs.lstatSync(path.join(l, 'etc/passwd'));
        assert(a.ino === b.ino && a.ino !== fs.lstatSync('/etc/passwd').ino, 'linked to the layer copy');
      },
    },
  );
  await layer(
    'hardlink-dotdot',
    'hardlink climbing out to the host /etc/passwd',
    [{ path: 'pw', type: 'hardlink', linkname: '../../../../../../../../etc/passwd' }],
    {
      reject: 'TAR_LINK_ESCAPE',
      entry: 'pw',
    },
  );
  await layer(
    'pax-linkpath-hardlink',
    'hardlink with a PAX linkpath escaping',
    [{ path: 'h', type: 'hardlink', linkname: 'benign', pax: { linkpath: '../../outside/sentinel' } }],
    {
      reject: 'TAR_LINK_ESCAPE',
      entry: 'h',
    },
  );
  await layer(
    'hardlink-through-symlink',
    'hardlink whose target path goes through a symlink to outside',
    [
      { path: 's', type: 'symlink', linkname: out },
      { path: 'h', type: 'hardlink', linkname: 's/sentinel' },
    ],
    { reject: 'TAR_LINK_ESCAPE', entry: 'h' },
  );
  await layer(
    'hardlink-to-dir',
    'hardlink to a directory',
    [
      { path: 'd', type: 'dir' },
      { path: 'h', type: 'hardlink', linkname: 'd' },
    ],
    {
      reject: 'TAR_LINK_MISSING',
      entry: 'h',
    },
  );

  // --- whiteouts -----------------------------------------------------------
  await layer('whiteout-escape', 'whiteout "../.wh.x" outside the root', [{ path: '../.wh.outside', body: '' }], {
    reject: 'TAR_PATH_ESCAPE',
    entry: '../.wh.outside',
  });
  await layer('whiteout-of-dotdot', 'whiteout of ".." (".wh...")', [{ path: 'a/.wh...', body: '' }], {
    reject: 'TAR_PATH_ESCAPE',
    entry: 'a/.wh...',
  });
  await layer(
    'whiteout-through-symlink',
    'whiteout under a symlink to outside (would replace the sentinel)',
    [
      { path: 's', type: 'symlink', linkname: out },
      { path: 's/.wh.sentinel', body: '' },
    ],
    { reject: 'TAR_SYMLINK_PARENT', entry: 's/.wh.sentinel' },
  );
  await layer(
    'opaque-through-symlink',
    'opaque marker under a symlink to outside (would set an xattr there)',
    [
      { path: 's', type: 'symlink', linkname: out },
      { path: 's/.wh..wh..opq', body: '' },
    ],
    { reject: 'TAR_SYMLINK_PARENT', entry: 's/.wh..wh..opq' },
  );

  // --- devices, fifos, xattrs ----------------------------------------------
  await layer('char-device', 'char device /dev/mem', [{ path: 'dev/mem', type: 'char', devmajor: 1, devminor: 1 }], {
    reject: 'TAR_DEVICE_FORBIDDEN',
    entry: 'dev/mem',
  });
  await layer('block-device', 'block device /dev/sda', [{ path: 'dev/sda', type: 'block', devmajor: 8, devminor: 0 }], {
    reject: 'TAR_DEVICE_FORBIDDEN',
    entry: 'dev/sda',
  });
  await layer(
    'whiteout-device-input',
    'a raw 0:0 char device (overlay whiteout) even with devices allowed',
    [{ path: 'fake', type: 'char', devmajor: 0, devminor: 0 }],
    {
      reject: 'TAR_DEVICE_FORBIDDEN',
      entry: 'fake',
    },
    { options: { allowDevices: true } },
  );
  await layer(
    'fifo-forbidden',
    'fifo when fifos are disallowed',
    [{ path: 'run/initctl', type: 'fifo' }],
    { reject: 'TAR_DEVICE_FORBIDDEN', entry: 'run/initctl' },
    {
      options: { allowFifos: false },
    },
  );
  await layer(
    'overlay-xattr',
    'trusted.overlay.redirect planted through the archive',
    [{ path: 'x', body, xattrs: { 'trusted.overlay.redirect': '/etc' } }],
    {
      reject: 'TAR_XATTR_FORBIDDEN',
      entry: 'x',
    },
  );

  // --- structure -------------------------------------------------------------
  await layer(
    'duplicate-entries',
    'same path twice (last wins) and a file replacing a directory with contents',
    [
      { path: 'dup', body: 'first' },
      { path: 'dup', body: 'second' },
      { path: 'd', type: 'dir' },
      { path: 'd/child', body },
      { path: 'd', body: 'now a file' },
    ],
    {
      contained: true,
      verify: (l) => {
        assert(fs.readFileSync(path.join(l, 'dup'), 'utf8') === 'second', 'last duplicate wins');
        assert(fs.readFileSync(path.join(l, 'd'), 'utf8') === 'now a file', 'file replaced the directory');
      },
    },
  );
  await layer(
    'parent-not-dir',
    'a path under a regular file',
    [
      { path: 'f', body },
      { path: 'f/x', body },
    ],
    { reject: 'TAR_PARENT_NOT_DIR', entry: 'f/x' },
  );

  // --- broken streams ----------------------------------------------------------
  const two = await tarBuffer([
    { path: 'a', body: 'a'.repeat(1000) },
    { path: 'b', body: 'b' },
  ]);
  raw('truncated-mid-header.tar', 'stream cut inside the second header', two.subarray(0, 512 + 1024 + 100), {
    reject: 'TAR_TRUNCATED',
  });
  raw('truncated-mid-body.tar', 'stream cut inside the first body', two.subarray(0, 512 + 300), {
    reject: 'TAR_TRUNCATED',
    entry: 'a',
  });
  raw('missing-end.tar', 'stream ends without the end-of-archive marker', two.subarray(0, 512 + 1024 + 512 + 512), {
    reject: 'TAR_TRUNCATED',
  });
  const badSum = Buffer.from(two);
  badSum.write('0000000\0', 148, 'latin1');
  raw('bad-checksum.tar', 'header checksum wrong', badSum, { reject: 'TAR_BAD_HEADER', entry: 'a' });
  raw(
    'bad-gzip.tar.gz',
    'gzip magic, garbage after',
    Buffer.concat([Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]), Buffer.alloc(2000, 0xa5)]),
    { reject: 'COMPRESSION_BAD' },
  );
  const gz = zlib.gzipSync(
    await tarBuffer([{ path: 'r', body: Buffer.from(Array.from({ length: 20_000 }, (_, i) => (i * 31) % 256)) }]),
  );
  raw('truncated-gzip.tar.gz', 'gzip stream cut short', gz.subarray(0, gz.length - 100), { reject: 'COMPRESSION_BAD' });
  raw(
    'bad-zstd.tar.zst',
    'zstd magic, garbage after',
    Buffer.concat([Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x58]), Buffer.alloc(2000, 0xff)]),
    { reject: 'COMPRESSION_BAD' },
  );
  raw('zstd-huge-window.tar.zst', 'zstd frame asking for a 2 GiB window', zstdHugeWindowFrame(31), {
    reject: 'COMPRESSION_BAD',
  });
  raw('garbage.bin', 'neither tar nor gzip nor zstd', Buffer.from('MZ this is not a layer at all '.repeat(40)), {
    reject: 'COMPRESSION_BAD',
  });
  raw(
    'huge-size.tar',
    'declared size 2^62 in base-256',
    Buffer.concat([
      encodeHeader({ name: 'huge', typeflag: TYPEFLAG.file, size: 2n ** 62n, base256Size: true }),
      endOfArchive(),
    ]),
    { reject: 'TAR_SIZE_LIMIT', entry: 'huge' },
  );
  raw(
    'size-past-end.tar',
    'declares 1 GiB (under the limit) but the archive ends after 100 bytes',
    Buffer.concat([encodeHeader({ name: 'liar', typeflag: TYPEFLAG.file, size: 1024 ** 3 }), Buffer.alloc(100, 0x41)]),
    { reject: 'TAR_TRUNCATED', entry: 'liar' },
  );
  raw(
    'negative-size.tar',
    'negative base-256 size',
    Buffer.concat([encodeHeader({ name: 'neg', typeflag: TYPEFLAG.file, size: -1n }), endOfArchive()]),
    {
      reject: 'TAR_BAD_HEADER',
      entry: 'neg',
    },
  );
  raw(
    'huge-pax-header.tar',
    'a 100 MiB PAX header (would be buffered)',
    Buffer.concat([
      encodeHeader({ name: 'PaxHeaders/x', typeflag: TYPEFLAG.paxLocal, size: 100 * 1024 * 1024 }),
      endOfArchive(),
    ]),
    { reject: 'TAR_SIZE_LIMIT' },
  );
  const benign = await tarBuffer([{ path: 'ok', body: 'fine' }]);
  raw(
    'wrong-layer-digest.tar',
    'content does not match the digest it was announced with',
    benign,
    { reject: 'DIGEST_MISMATCH' },
    {
      options: { expectedDigest: sha256('something else') },
    },
  );

  // --- bombs: a few MB of gzip that would expand to GiBs of headers or bytes ---
  const MB = 1_000_000;
  /** ~`bytes` of PAX records, ~1 KB each, keys distinct (prefix + counter): nothing overwrites anything. */
  const paxData = (prefix: string, bytes: number): Buffer => {
    const parts: Buffer[] = [];
    const value = 'x'.repeat(1000);
    let n = 0;
    for (let i = 0; n < bytes - 1100; i++) {
      const rec = encodePax([[`${prefix}.${i}`, value]]);
      parts.push(rec);
      n += rec.length;
    }
    return Buffer.concat(parts);
  };
  const metaMember = (typeflag: number, data: Buffer, name: string): Buffer =>
    Buffer.concat([encodeHeader({ name, typeflag, size: data.length }), data, padBlock(data.length)]);
  /** Streams `chunks` through gzip into a file: the bombs are never whole in memory. */
  const bomb = async (
    name: string,
    why: string,
    chunks: () => Iterable<Buffer>,
    expandsTo: number,
    expect: CorpusExpect,
    options: LayerCase['options'] = {},
  ): Promise<void> => {
    const file = path.join(dir, `${name}.tar.gz`);
    await pipeline(Readable.from(chunks()), zlib.createGzip({ level: 6 }), fs.createWriteStream(file));
    cases.push({ kind: 'layer', name, why, file, expect, options, bomb: { expandsTo } });
  };
  const HEADERS = 128;
  await bomb(
    'pax-global-bomb',
    `${HEADERS} global PAX headers of ~1 MB with distinct keys (kept to the end of the stream: ${HEADERS} MB held)`,
    function* () {
      for (let h = 0; h < HEADERS; h++) yield metaMember(TYPEFLAG.paxGlobal, paxData(`g${h}`, MB), 'pax_global_header');
      yield encodeEntryHeader({ path: 'after', body: '' });
      yield endOfArchive();
    },
    HEADERS * MB,
    { reject: 'ARCHIVE_METADATA_TOO_LARGE' },
  );
  await bomb(
    'pax-local-chain',
    `${HEADERS} local PAX headers of ~1 MB chained in front of one entry (merged into one record set)`,
    function* () {
      for (let h = 0; h < HEADERS; h++) yield metaMember(TYPEFLAG.paxLocal, paxData(`l${h}`, MB), 'PaxHeader/x');
      yield encodeEntryHeader({ path: 'victim', body: '' });
      yield endOfArchive();
    },
    HEADERS * MB,
    { reject: 'ARCHIVE_METADATA_TOO_LARGE' },
  );
  await bomb(
    'gnu-longname-chain',
    `${HEADERS} GNU long-name headers of ~1 MB in front of one entry`,
    function* () {
      const name = Buffer.alloc(MB, 0x61);
      for (let h = 0; h < HEADERS; h++) yield metaMember(TYPEFLAG.gnuLongName, name, '././@LongLink');
      yield encodeEntryHeader({ path: 'victim', body: '' });
      yield endOfArchive();
    },
    HEADERS * MB,
    { reject: 'ARCHIVE_METADATA_TOO_LARGE' },
  );
  await bomb(
    'pax-per-entry-total',
    '64 small files, each with its own ~1 MB PAX header: the stream total passes the cap (16 MiB here)',
    function* () {
      for (let i = 0; i < 64; i++) {
        yield metaMember(TYPEFLAG.paxLocal, paxData(`e${i}`, MB), `PaxHeader/f${i}`);
        yield Buffer.concat([encodeEntryHeader({ path: `f${i}`, body: 'x' }), Buffer.from('x'), padBlock(1)]);
      }
      yield endOfArchive();
    },
    64 * MB,
    { reject: 'ARCHIVE_METADATA_TOO_LARGE' },
    { maxArchiveMetadata: 16 * 1024 * 1024 },
  );
  const zeros = (fileBytes: number) =>
    function* (): Generator<Buffer> {
      yield encodeEntryHeader({ path: 'zeros', size: fileBytes });
      const chunk = Buffer.alloc(1024 * 1024);
      for (let left = fileBytes; left > 0; left -= chunk.length) yield chunk.subarray(0, Math.min(left, chunk.length));
      yield padBlock(fileBytes);
      yield endOfArchive();
    };
  await bomb(
    'gzip-bomb',
    'one file of 512 MiB of zeros (~0.5 MB of gzip), against a 64 MiB layer cap',
    zeros(512 * 1024 * 1024),
    512 * 1024 * 1024,
    { reject: 'LAYER_TOO_LARGE' },
    { maxLayerBytes: 64 * 1024 * 1024 },
  );
  await bomb(
    'image-cap',
    'a 32 MiB layer when the load or pull has 16 MiB of its image cap left',
    zeros(32 * 1024 * 1024),
    32 * 1024 * 1024,
    { reject: 'IMAGE_TOO_LARGE' },
    { imageBytesLeft: 16 * 1024 * 1024 },
  );

  // --- image archives (analysis) ----------------------------------------------
  const l0 = await makeLayer(
    [
      { path: 'etc', type: 'dir' },
      { path: 'etc/os-release', body: 'ID=test\n' },
    ],
    'gzip',
    'ADD rootfs /',
  );
  const l1 = await makeLayer(
    [
      { path: 'app', type: 'dir' },
      { path: 'app/run', body: '#!/bin/sh\n', mode: 0o755 },
    ],
    'none',
    'COPY run /app/',
  );
  const image = async (
    name: string,
    why: string,
    members: TarWriteEntry[],
    expect: ImageCase['expect'],
  ): Promise<void> => {
    const file = path.join(dir, `${name}.tar`);
    await writeArchive(file, members);
    cases.push({ kind: 'image', name, why, file, expect });
  };
  const classic = dockerSaveParts([l0, l1]);
  const oci = ociArchiveParts([l0, l1]);
  const hexOf = (d: string): string => d.slice(7);

  {
    const name = `blobs/sha256/${hexOf(l1.digest)}`;
    await image(
      'image-wrong-layer-digest',
      'OCI archive: a layer blob whose bytes are not its digest',
      replaceMember(oci, name, {
        path: name,
        body: Buffer.concat([l1.bytes ?? Buffer.alloc(0)]).fill(0x58, 1024, 1030),
      }),
      {
        reject: 'DIGEST_MISMATCH',
        entry: name,
      },
    );
  }
  {
    const name = `${hexOf(classic.configDigest)}.json`;
    await image(
      'image-wrong-config-digest',
      'docker save: config content changed, name (its digest) kept',
      replaceMember(classic, name, { path: name, body: classic.configBytes.toString().replace('amd64', 'arm64') }),
      {
        reject: 'DIGEST_MISMATCH',
        entry: name,
      },
    );
  }
  {
    const cfg = { ...oci.config, rootfs: { type: 'layers', diff_ids: [l0.diffId, sha256('not the layer')] } };
    const parts = ociArchiveParts([l0, l1], { config: cfg });
    await image('image-wrong-diffid', 'config diff_ids do not match the layer content', parts.members, {
      reject: 'DIGEST_MISMATCH',
      entry: `blobs/sha256/${hexOf(l1.digest)}`,
    });
  }
  {
    const cfg = JSON.parse(bodyOf(oci, `blobs/sha256/${hexOf(oci.configDigest)}`)) as Record<string, unknown>;
    const parts = ociArchiveParts([l0, l1], {
      manifestOverride: (m) => ({
        ...m,
        config: { ...(m['config'] as object), digest: sha256(JSON.stringify({ ...cfg, os: 'other' })) },
      }),
    });
    await image('image-oci-config-missing', 'manifest names a config blob that is not there', parts.members, {
      reject: 'BLOB_MISSING',
    });
  }
  await image(
    'image-invalid-manifest-json',
    'manifest.json is not JSON',
    replaceMember(classic, 'manifest.json', { path: 'manifest.json', body: '[{"Config": ' }),
    {
      reject: 'MANIFEST_INVALID',
      entry: 'manifest.json',
    },
  );
  await image(
    'image-manifest-schema',
    'manifest.json has the wrong shape',
    replaceMember(classic, 'manifest.json', { path: 'manifest.json', body: '[{"Config": 5, "Layers": "x"}]' }),
    {
      reject: 'MANIFEST_INVALID',
      entry: 'manifest.json',
    },
  );
  const manifestWith = (layers: string[]): TarWriteEntry => ({
    path: 'manifest.json',
    body: JSON.stringify([{ Config: `${hexOf(classic.configDigest)}.json`, RepoTags: ['x:y'], Layers: layers }]),
  });
  await image(
    'image-layer-path-dotdot',
    'manifest layer path climbing out of the archive',
    replaceMember(classic, 'manifest.json', manifestWith(['../x/layer.tar', 'y/layer.tar'])),
    {
      reject: 'MANIFEST_PATH_ESCAPE',
      entry: '../x/layer.tar',
    },
  );
  await image(
    'image-layer-path-absolute',
    'manifest layer path absolute',
    replaceMember(classic, 'manifest.json', manifestWith(['/etc/passwd', 'y/layer.tar'])),
    {
      reject: 'MANIFEST_PATH_ESCAPE',
      entry: '/etc/passwd',
    },
  );
  await image(
    'image-missing-blob',
    'manifest layer not in the archive',
    replaceMember(classic, 'manifest.json', manifestWith(['nothere/layer.tar', 'y/layer.tar'])),
    {
      reject: 'BLOB_MISSING',
      entry: 'nothere/layer.tar',
    },
  );
  await image(
    'image-duplicate-member',
    'two different manifest.json members',
    [...classic.members, { path: 'manifest.json', body: '[]' }],
    {
      reject: 'TAR_DUPLICATE',
      entry: 'manifest.json',
    },
  );
  {
    const layerName = (JSON.parse(bodyOf(classic, 'manifest.json')) as Array<{ Layers: string[] }>)[0]?.Layers[0] ?? '';
    await image(
      'image-symlink-member-escape',
      'layer.tar is a symlink climbing out of the archive',
      replaceMember(classic, layerName, { path: layerName, type: 'symlink', linkname: '../../../../etc/passwd' }),
      { reject: 'MANIFEST_PATH_ESCAPE' },
    );
  }
  {
    const parts = ociArchiveParts([l0, l1], {
      manifestOverride: (m) => ({
        ...m,
        layers: (m['layers'] as Array<Record<string, unknown>>).map((d, i) =>
          i === 0 ? { ...d, size: Number(d['size']) + 1 } : d,
        ),
      }),
    });
    await image('image-oci-size-mismatch', 'descriptor size differs from the blob', parts.members, {
      reject: 'DIGEST_MISMATCH',
    });
  }
  {
    const parts = ociArchiveParts([l0, l1], {
      manifestOverride: (m) => ({
        ...m,
        layers: (m['layers'] as Array<Record<string, unknown>>).map((d, i) =>
          i === 0 ? { ...d, digest: 'sha256:../../../../etc/passwd' } : d,
        ),
      }),
    });
    await image('image-oci-bad-digest', 'descriptor digest is a path, not a digest', parts.members, {
      reject: 'MANIFEST_INVALID',
    });
  }
  {
    const evil = await makeLayer([{ path: '../evil', body }], 'gzip');
    await image(
      'image-layer-entry-escape',
      'a layer entry climbing out (analysis refuses what extraction would)',
      ociArchiveParts([l0, evil]).members,
      {
        reject: 'TAR_PATH_ESCAPE',
        entry: '../evil',
      },
    );
  }
  {
    // The same PAX global bomb as a layer of an image: load (extraction) and analysis (main) both refuse it.
    const tarParts: Buffer[] = [];
    for (let h = 0; h < 8; h++)
      tarParts.push(metaMember(TYPEFLAG.paxGlobal, paxData(`g${h}`, MB), 'pax_global_header'));
    tarParts.push(encodeEntryHeader({ path: 'after', body: '' }), endOfArchive());
    const tar = Buffer.concat(tarParts);
    const bytes = zlib.gzipSync(tar);
    const paxLayer = {
      compression: 'gzip' as const,
      size: bytes.length,
      digest: sha256(bytes),
      diffId: sha256(tar),
      bytes,
    };
    await image(
      'image-pax-bomb-layer',
      'a layer of 8 global PAX headers of ~1 MB each',
      ociArchiveParts([l0, paxLayer]).members,
      {
        reject: 'ARCHIVE_METADATA_TOO_LARGE',
      },
    );
  }
  return cases;
}
