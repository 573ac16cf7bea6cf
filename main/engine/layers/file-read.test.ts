import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeHeader } from '../oci/tar/writer';
import { makeLayer, type LayerBlob } from '../../testing/oci/image-archive';
import { MAX_FILE_READ_BYTES, readLayerFile, type LayerBlobSource } from './file-read';
import { BerthError } from '../../../preload/errors';

const mem = (b: Buffer): LayerBlobSource => ({ open: () => Readable.from([b]) });
const blob = (l: LayerBlob): Buffer => l.bytes as Buffer;

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    if (err instanceof BerthError) return err.code;
    throw err;
  }
  return 'resolved';
}

describe('readLayerFile', () => {
  let dir = '';
  let layers: LayerBlobSource[] = [];
  const big = Buffer.alloc(200 * 1024, 0x41);
  const bin = Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2, 3, 0xff]);

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-file-read-'));
    const l0 = await makeLayer(
      [
        { path: 'etc', type: 'dir', mode: 0o755 },
        { path: 'etc/passwd', body: 'root:x:0:0\n', mode: 0o644 },
        { path: 'etc/motd', body: 'welcome\n' },
        { path: 'bin/prog', body: bin, mode: 0o755 },
        { path: 'bin/sh', type: 'symlink', linkname: 'prog' },
        { path: 'bin/prog2', type: 'hardlink', linkname: 'bin/prog' },
        { path: 'dev/null', type: 'char', devmajor: 1, devminor: 3, mode: 0o666 },
        { path: 'var/cache/a', body: 'cached' },
        { path: 'opt/x/y', body: 'under opt' },
        { path: 'big', body: big },
      ],
      'none',
    );
    const l1 = await makeLayer(
      [
        { path: 'etc/passwd', body: 'root:x:0:0\nuser:x:1000:1000\n', mode: 0o600 },
        { path: 'etc/.wh.motd', body: '' },
        { path: 'var/cache/.wh..wh..opq', body: '' },
        { path: 'var/cache/b', body: 'new' },
        { path: 'opt', body: 'now a file' },
      ],
      'gzip',
    );
    // l0 read by range from a file (the archive case), l1 streamed and gunzipped.
    const f = path.join(dir, 'l0.tar');
    fs.writeFileSync(f, Buffer.concat([Buffer.alloc(1024, 7), blob(l0)]));
    layers = [
      { open: () => fs.createReadStream(f, { start: 1024 }), range: { file: f, offset: 1024, size: blob(l0).length } },
      mem(blob(l1)),
    ];
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('reads a text file as of each layer: the changed one on top, the first one below', async () => {
    const top = await readLayerFile(layers, 1, '/etc/passwd');
    expect(top).toMatchObject({ kind: 'file', layer: 1, size: 28, mode: 0o600, truncated: false });
    expect(top.kind === 'file' && top.data.toString()).toBe('root:x:0:0\nuser:x:1000:1000\n');
    const bottom = await readLayerFile(layers, 0, '/etc/passwd');
    expect(bottom.kind === 'file' && bottom.data.toString()).toBe('root:x:0:0\n');
  });

  it('an unchanged file as of the top layer comes from the layer below; binary bytes are kept as they are', async () => {
    const r = await readLayerFile(layers, 1, '/bin/prog');
    expect(r).toMatchObject({ kind: 'file', layer: 0, size: bin.length });
    expect(r.kind === 'file' && r.data.equals(bin)).toBe(true);
  });

  it('caps the bytes read, and says so', async () => {
    const r = await readLayerFile(layers, 0, '/big');
    expect(r).toMatchObject({ kind: 'file', size: big.length, truncated: true });
    expect(r.kind === 'file' && r.data.length).toBe(MAX_FILE_READ_BYTES);
    const small = await readLayerFile(layers, 0, '/big', { maxBytes: 10 });
    expect(small.kind === 'file' && small.data.length).toBe(10);
    // A cap above the hard one is the hard one.
    const over = await readLayerFile(layers, 0, '/big', { maxBytes: 10 * MAX_FILE_READ_BYTES });
    expect(over.kind === 'file' && over.data.length).toBe(MAX_FILE_READ_BYTES);
  });

  it('links, devices and directories are described, never followed', async () => {
    expect(await readLayerFile(layers, 1, '/bin/sh')).toMatchObject({ kind: 'symlink', linkname: 'prog', layer: 0 });
    expect(await readLayerFile(layers, 1, '/bin/prog2')).toMatchObject({ kind: 'hardlink', linkname: 'bin/prog' });
    expect(await readLayerFile(layers, 1, '/dev/null')).toMatchObject({ kind: 'char', devmajor: 1, devminor: 3 });
    expect(await readLayerFile(layers, 0, '/etc')).toMatchObject({ kind: 'dir', mode: 0o755 });
  });

  it('whiteouts, opaque directories and replaced parents read as removed, naming the layer and the member', async () => {
    expect(await readLayerFile(layers, 1, '/etc/motd')).toEqual({
      kind: 'removed',
      path: '/etc/motd',
      layer: 1,
      by: 'whiteout',
      entry: 'etc/.wh.motd',
    });
    expect(await readLayerFile(layers, 0, '/etc/motd')).toMatchObject({ kind: 'file', layer: 0 });
    expect(await readLayerFile(layers, 1, '/var/cache/a')).toMatchObject({ kind: 'removed', by: 'opaque' });
    // The opaque layer's own entries stay.
    expect(await readLayerFile(layers, 1, '/var/cache/b')).toMatchObject({ kind: 'file', layer: 1 });
    expect(await readLayerFile(layers, 1, '/opt/x/y')).toMatchObject({ kind: 'removed', by: 'replaced', entry: 'opt' });
  });

  it('paths are cleaned; one that climbs out, is relative or holds NUL is LAYER_PATH_ESCAPE', async () => {
    const r = await readLayerFile(layers, 1, '//etc/./x/../passwd');
    expect(r).toMatchObject({ kind: 'file', path: '/etc/passwd' });
    for (const bad of ['/../etc/passwd', '/etc/../../x', 'etc/passwd', '', '/etc/\0passwd']) {
      expect(await codeOf(readLayerFile(layers, 1, bad)), bad).toBe('LAYER_PATH_ESCAPE');
    }
  });

  it('a path in no layer is LAYER_PATH_NOT_FOUND; a layer out of range is LAYER_INDEX_INVALID', async () => {
    expect(await codeOf(readLayerFile(layers, 1, '/nope'))).toBe('LAYER_PATH_NOT_FOUND');
    expect(await codeOf(readLayerFile(layers, 0, '/var/cache/b'))).toBe('LAYER_PATH_NOT_FOUND');
    for (const i of [-1, 2, 1.5]) expect(await codeOf(readLayerFile(layers, i, '/etc'))).toBe('LAYER_INDEX_INVALID');
  });

  it('a member that claims more bytes than the layer holds is TAR_TRUNCATED, plain by range or gzip', async () => {
    // A header announcing 1 GiB, then 100 bytes and nothing more.
    const h = encodeHeader({ name: 'liar', mode: 0o644, size: 1024 ** 3, typeflag: 0x30 });
    const lying = Buffer.concat([h, Buffer.alloc(100, 0x61)]);
    const f = path.join(dir, 'liar.tar');
    fs.writeFileSync(f, lying);
    const plain: LayerBlobSource = {
      open: () => fs.createReadStream(f),
      range: { file: f, offset: 0, size: lying.length },
    };
    expect(await codeOf(readLayerFile([plain], 0, '/liar'))).toBe('TAR_TRUNCATED');
    expect(await codeOf(readLayerFile([mem(zlib.gzipSync(lying))], 0, '/liar'))).toBe('TAR_TRUNCATED');
    // Garbage is not a layer.
    expect(await codeOf(readLayerFile([mem(Buffer.from('not a tar at all'.repeat(64)))], 0, '/x'))).toBe(
      'COMPRESSION_BAD',
    );
  });

  it('stops decompressing once the cap is reached (a huge member is never read through)', async () => {
    // 64 MiB of zeros gzip to ~64 KiB; count the compressed bytes the reader pulls.
    const huge = await makeLayer(
      [
        { path: 'zeros', body: Buffer.alloc(64 * 1024 * 1024) },
        { path: 'after', body: 'x' },
      ],
      'gzip',
    );
    let pulled = 0;
    const src: LayerBlobSource = {
      open: () =>
        (async function* () {
          const b = blob(huge);
          for (let i = 0; i < b.length; i += 1024) {
            pulled += Math.min(1024, b.length - i);
            yield b.subarray(i, i + 1024);
          }
        })(),
    };
    const r = await readLayerFile([src], 0, '/zeros');
    expect(r).toMatchObject({ kind: 'file', size: 64 * 1024 * 1024, truncated: true });
    expect(pulled).toBeLessThan(blob(huge).length / 2);
  });
});
