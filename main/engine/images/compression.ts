/**
 * Layer blobs come plain, gzip or zstd (OCI media types .tar, .tar+gzip,
 * .tar+zstd). The format is decided by magic bytes, never by media type or
 * file name, and anything else is COMPRESSION_BAD before a byte is unpacked.
 */
import { Readable, pipeline } from 'node:stream';
import zlib from 'node:zlib';
import { BLOCK, headerChecksums } from './tar/format';
import { parseNumeric } from './tar/numeric';
import { zstdDecompress } from './zstd';
import { BerthError } from '../../../preload/errors';

export type Compression = 'gzip' | 'zstd' | 'none';

export interface DecompressOptions {
  /** Largest zstd window accepted (bytes). Default 2^27, zstd's default decoder limit. */
  maxZstdWindow?: number;
}

function looksLikeTar(head: Uint8Array): boolean {
  if (head.length >= 262 && Buffer.from(head.subarray(257, 262)).toString('latin1') === 'ustar') return true;
  if (head.length < BLOCK) return false;
  const block = head.subarray(0, BLOCK);
  if (block.every((b) => b === 0)) return true; // an empty archive
  const stored = parseNumeric(block.subarray(148, 156));
  const [unsigned, signed] = headerChecksums(block);
  return stored !== null && (stored === BigInt(unsigned) || stored === BigInt(signed));
}

/**
 * Decides the format from the first bytes (at least 512 unless the stream is
 * shorter). Returns null for data that is none of them.
 */
export function detectCompression(head: Uint8Array): Compression | null {
  if (head.length === 0) return 'none';
  if (head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) return 'zstd';
  return looksLikeTar(head) ? 'none' : null;
}

function describe(head: Uint8Array): string {
  if (head[0] === 0xfd && head[1] === 0x37 && head[2] === 0x7a && head[3] === 0x58)
    return 'xz (not an OCI layer compression)';
  if (head[0] === 0x42 && head[1] === 0x5a && head[2] === 0x68) return 'bzip2 (not an OCI layer compression)';
  return 'neither a tar archive nor gzip or zstd data';
}

async function* prefixed(head: Buffer[], rest: AsyncIterator<Uint8Array>): AsyncGenerator<Buffer> {
  yield* head;
  for (;;) {
    const r = await rest.next();
    if (r.done) return;
    const c = r.value;
    yield Buffer.isBuffer(c) ? c : Buffer.from(c.buffer, c.byteOffset, c.byteLength);
  }
}

function isZlibError(err: unknown): err is Error & { code: string } {
  if (!(err instanceof Error)) return false;
  const code = (err as Error & { code?: unknown }).code;
  return typeof code === 'string' && code.startsWith('Z_');
}

async function* gunzip(source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  const gz = zlib.createGunzip({ chunkSize: 64 * 1024 });
  // pipeline() forwards source errors into gz, so iterating gz reports them.
  pipeline(Readable.from(source), gz, () => {});
  try {
    for await (const chunk of gz) yield chunk as Buffer;
  } catch (err) {
    if (isZlibError(err)) {
      throw new BerthError('COMPRESSION_BAD', `invalid gzip stream: ${err.message}`, {
        format: 'gzip',
        reason: err.message,
        zlibCode: err.code,
      });
    }
    throw err;
  } finally {
    gz.destroy();
  }
}

/**
 * Peeks at the stream, picks the decompressor and returns the uncompressed
 * byte stream. Throws COMPRESSION_BAD for unknown data; gzip/zstd errors met
 * later surface as COMPRESSION_BAD from the returned stream.
 */
export async function openDecompressed(
  source: AsyncIterable<Uint8Array>,
  options: DecompressOptions = {},
): Promise<{ compression: Compression; stream: AsyncIterable<Buffer> }> {
  const it = source[Symbol.asyncIterator]();
  const head: Buffer[] = [];
  let have = 0;
  while (have < BLOCK) {
    const r = await it.next();
    if (r.done) break;
    const b = Buffer.isBuffer(r.value) ? r.value : Buffer.from(r.value.buffer, r.value.byteOffset, r.value.byteLength);
    head.push(b);
    have += b.length;
  }
  const first = Buffer.concat(head).subarray(0, BLOCK);
  const compression = detectCompression(first);
  if (compression === null) {
    await it.return?.();
    throw new BerthError('COMPRESSION_BAD', `unrecognized layer data: ${describe(first)}`, {
      reason: describe(first),
      magic: first.subarray(0, 8).toString('hex'),
    });
  }
  const raw = prefixed(head, it);
  if (compression === 'gzip') return { compression, stream: gunzip(raw) };
  if (compression === 'zstd') return { compression, stream: zstdDecompress(raw, { maxWindow: options.maxZstdWindow }) };
  return { compression, stream: raw };
}
