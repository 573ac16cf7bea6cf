import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { detectCompression, openDecompressed } from './compression';
import { tarBuffer } from './tar/writer';
import { chunksOf, engineErrorOf, hasTool, run } from '../../testing/oci/helpers';
import { zstdHugeWindowFrame, zstdRawFrame } from '../../testing/oci/zstd-raw';
import { BerthError } from '../../../preload/errors';

async function inflate(data: Buffer, chunk = 1000): Promise<{ compression: string; out: Buffer; maxChunk: number }> {
  const { compression, stream } = await openDecompressed(chunksOf(data, chunk));
  const parts: Buffer[] = [];
  let maxChunk = 0;
  for await (const c of stream) {
    parts.push(c);
    maxChunk = Math.max(maxChunk, c.length);
  }
  return { compression, out: Buffer.concat(parts), maxChunk };
}

describe('compression', () => {
  it('detects formats from magic bytes', async () => {
    const tar = await tarBuffer([{ path: 'a', body: 'x' }]);
    expect(detectCompression(tar)).toBe('none');
    expect(detectCompression(Buffer.alloc(1024))).toBe('none');
    expect(detectCompression(zlib.gzipSync(tar))).toBe('gzip');
    expect(detectCompression(zstdRawFrame(tar))).toBe('zstd');
    expect(detectCompression(Buffer.from('hello world, this is not an archive'.repeat(20)))).toBeNull();
  });

  it('passes plain tar through and inflates gzip (multi-member too)', async () => {
    const tar = await tarBuffer([{ path: 'a', body: 'x'.repeat(100_000) }]);
    expect((await inflate(tar)).out.equals(tar)).toBe(true);
    const gz = Buffer.concat([zlib.gzipSync(tar.subarray(0, 5000)), zlib.gzipSync(tar.subarray(5000))]);
    const r = await inflate(gz);
    expect(r.compression).toBe('gzip');
    expect(r.out.equals(tar)).toBe(true);
  });

  it('inflates zstd raw and RLE blocks, several frames and skippable frames, in bounded chunks', async () => {
    const tar = await tarBuffer([{ path: 'z', body: Buffer.alloc(3 * 1024 * 1024, 7) }]);
    const skippable = Buffer.concat([Buffer.from([0x50, 0x2a, 0x4d, 0x18, 3, 0, 0, 0]), Buffer.from('abc')]);
    const data = Buffer.concat([
      zstdRawFrame(tar.subarray(0, 70_000)),
      skippable,
      zstdRawFrame(tar.subarray(70_000), { rle: true }),
    ]);
    // RLE: 4 bytes in, 128 KiB out per block; output must still come block by block.
    const r = await inflate(data, 64 * 1024);
    expect(r.compression).toBe('zstd');
    expect(r.out.equals(tar)).toBe(true);
    expect(r.maxChunk).toBeLessThanOrEqual(128 * 1024);
  });

  it.skipIf(!hasTool('zstd'))('reads what the zstd tool writes', async () => {
    const tar = await tarBuffer([
      { path: 'f', body: 'compressible '.repeat(50_000) },
      { path: 'g', body: Buffer.from(Array.from({ length: 50_000 }, (_, i) => (i * 7919) % 251)) },
    ]);
    for (const level of ['-1', '-19']) {
      const z = run('zstd', [level, '-c', '--no-progress'], { input: tar });
      expect((await inflate(z, 4096)).out.equals(tar)).toBe(true);
    }
  });

  it('rejects garbage, xz, broken gzip and broken zstd with COMPRESSION_BAD', async () => {
    const tar = await tarBuffer([{ path: 'a', body: 'x'.repeat(10_000) }]);
    const cases: Array<[string, Buffer]> = [
      ['garbage', Buffer.from('definitely not a layer '.repeat(40))],
      ['xz', Buffer.concat([Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]), Buffer.alloc(600, 1)])],
      ['gzip garbage', Buffer.concat([Buffer.from([0x1f, 0x8b, 8, 0]), Buffer.alloc(600, 0x55)])],
      ['gzip truncated', ((g: Buffer) => g.subarray(0, g.length - 12))(zlib.gzipSync(tar))],
      ['zstd garbage', Buffer.concat([Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x08]), Buffer.alloc(600, 0xff)])],
      ['zstd truncated', zstdRawFrame(tar).subarray(0, 3000)],
      ['zstd huge window', zstdHugeWindowFrame(31)],
      ['zstd reserved block', Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x38, 0x07, 0x00, 0x00])],
    ];
    for (const [name, data] of cases) {
      const err = await engineErrorOf(() => inflate(data)).catch((e: unknown) => {
        throw new Error(`${name}: ${(e as Error).message}`);
      });
      expect(err.code, name).toBe('COMPRESSION_BAD');
    }
  });

  it('lets source errors through unchanged', async () => {
    const gz = zlib.gzipSync(Buffer.alloc(100_000));
    async function* failing(): AsyncGenerator<Buffer> {
      yield gz.subarray(0, 600);
      throw new BerthError('BLOB_MISSING', 'source went away');
    }
    const err = await engineErrorOf(async () => {
      const { stream } = await openDecompressed(failing());
      for await (const _ of stream) void _;
    });
    expect(err.code).toBe('BLOB_MISSING');
  });
});
