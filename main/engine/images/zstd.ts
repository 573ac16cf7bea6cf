/**
 * Streaming zstd decompression on top of fzstd, with two guards fzstd lacks:
 *  - every frame's window size is checked before fzstd allocates it (a
 *    hostile header can ask for ~2 GiB); the default limit is zstd's own
 *    default decoder limit, 2^27 bytes (ZSTD_WINDOWLOG_LIMIT_DEFAULT);
 *  - input is fed one block at a time and output handed on between blocks,
 *    so a run of RLE blocks (4 bytes in, 128 KiB out each) cannot expand a
 *    single input chunk into gigabytes.
 * The frame/block scanner below follows RFC 8878 section 3.1.
 */
import { Decompress } from 'fzstd';
import { BerthError } from '../../../preload/errors';

export const DEFAULT_MAX_ZSTD_WINDOW = 2 ** 27;

const ZSTD_MAGIC = 0xfd2fb528;
const BLOCK_MAX = 128 * 1024;

function bad(reason: string, extra?: Record<string, unknown>): BerthError {
  return new BerthError('COMPRESSION_BAD', `invalid zstd stream: ${reason}`, { format: 'zstd', reason, ...extra });
}

/** Accumulates input and hands out exact-size pieces. */
class Pieces {
  private chunks: Buffer[] = [];
  length = 0;
  push(b: Buffer): void {
    if (b.length === 0) return;
    this.chunks.push(b);
    this.length += b.length;
  }
  peek(n: number): Buffer {
    const first = this.chunks[0];
    if (first && first.length >= n) return first.subarray(0, n);
    const parts: Buffer[] = [];
    let got = 0;
    for (const c of this.chunks) {
      if (got >= n) break;
      parts.push(c.subarray(0, n - got));
      got += Math.min(c.length, n - got);
    }
    return Buffer.concat(parts);
  }
  take(n: number): Buffer {
    const out: Buffer[] = [];
    let left = n;
    while (left > 0) {
      const c = this.chunks[0];
      if (!c) throw new Error('Pieces.take past end');
      if (c.length <= left) {
        out.push(c);
        this.chunks.shift();
        left -= c.length;
      } else {
        out.push(c.subarray(0, left));
        this.chunks[0] = c.subarray(left);
        left = 0;
      }
    }
    this.length -= n;
    return out.length === 1 ? (out[0] as Buffer) : Buffer.concat(out);
  }
}

type State =
  | { at: 'magic' }
  | { at: 'frameHeader' }
  | { at: 'block'; blockMax: number; checksum: boolean }
  | { at: 'checksum' }
  | { at: 'skippable'; left: number };

/** Decompresses a zstd stream of one or more frames. Output chunks are at most one block (128 KiB) each. */
export async function* zstdDecompress(
  source: AsyncIterable<Uint8Array>,
  options: { maxWindow?: number } = {},
): AsyncGenerator<Buffer> {
  const maxWindow = options.maxWindow ?? DEFAULT_MAX_ZSTD_WINDOW;
  const out: Buffer[] = [];
  let dec = new Decompress((data) => {
    if (data.length) out.push(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  });
  const pieces = new Pieces();
  let state: State = { at: 'magic' };
  let consumedAny = false;

  const feed = (b: Buffer): void => {
    try {
      dec.push(b);
    } catch (err) {
      throw bad(err instanceof Error ? err.message : String(err));
    }
  };

  // Runs the scanner over what is buffered; returns when more input is needed.
  function* step(): Generator<Buffer> {
    for (;;) {
      switch (state.at) {
        case 'magic': {
          if (pieces.length < 4) return;
          const magic = pieces.peek(4).readUInt32LE(0);
          if (magic === ZSTD_MAGIC) {
            state = { at: 'frameHeader' };
          } else if ((magic & 0xfffffff0) === 0x184d2a50) {
            if (pieces.length < 8) return;
            const size = pieces.peek(8).readUInt32LE(4);
            pieces.take(8);
            state = { at: 'skippable', left: size };
          } else {
            throw bad('bad frame magic');
          }
          break;
        }
        case 'skippable': {
          const n = Math.min(state.left, pieces.length);
          pieces.take(n);
          state.left -= n;
          if (state.left > 0) return;
          state = { at: 'magic' };
          break;
        }
        case 'frameHeader': {
          if (pieces.length < 6) return;
          const head = pieces.peek(6);
          const fhd = head[4] ?? 0;
          if (fhd & 0x08) throw bad('reserved frame header bit set');
          const fcsFlag = fhd >> 6;
          const single = (fhd >> 5) & 1;
          const checksum = ((fhd >> 2) & 1) === 1;
          const dictFlag = fhd & 3;
          const dictBytes = [0, 1, 2, 4][dictFlag] ?? 0;
          const fcsBytes = [single, 2, 4, 8][fcsFlag] ?? 0;
          const headerLen = 5 + (single ? 0 : 1) + dictBytes + fcsBytes;
          if (pieces.length < headerLen) return;
          const h = pieces.peek(headerLen);
          if (dictBytes > 0) {
            let dictId = 0;
            for (let i = 0; i < dictBytes; i++) dictId += (h[5 + (single ? 0 : 1) + i] ?? 0) * 256 ** i;
            if (dictId !== 0) throw bad('frames that need a dictionary are not supported');
          }
          let window: number;
          if (single) {
            let fcs = 0;
            const at = 5 + dictBytes;
            for (let i = 0; i < fcsBytes; i++) fcs += (h[at + i] ?? 0) * 256 ** i;
            if (fcsBytes === 2) fcs += 256;
            window = fcs;
          } else {
            const wd = h[5] ?? 0;
            const base = 2 ** (10 + (wd >> 3));
            window = base + (base / 8) * (wd & 7);
          }
          if (window > maxWindow) {
            throw new BerthError(
              'COMPRESSION_BAD',
              `zstd frame window of ${window} bytes exceeds the limit of ${maxWindow}`,
              {
                format: 'zstd',
                reason: 'window too large',
                window,
                limit: maxWindow,
              },
            );
          }
          feed(pieces.take(headerLen));
          state = { at: 'block', blockMax: Math.min(Math.max(window, 1), BLOCK_MAX), checksum };
          break;
        }
        case 'block': {
          if (pieces.length < 3) return;
          const bh = pieces.peek(3);
          const raw = (bh[0] ?? 0) | ((bh[1] ?? 0) << 8) | ((bh[2] ?? 0) << 16);
          const last = raw & 1;
          const type = (raw >> 1) & 3;
          const size = raw >>> 3;
          if (type === 3) throw bad('reserved block type');
          const payload = type === 1 ? 1 : size;
          if (size > state.blockMax) throw bad('block larger than the frame allows');
          if (pieces.length < 3 + payload) return;
          feed(pieces.take(3 + payload));
          if (last) {
            if (state.checksum) state = { at: 'checksum' };
            else {
              state = { at: 'magic' };
              startNewFrame();
            }
          }
          yield* out.splice(0);
          break;
        }
        case 'checksum': {
          if (pieces.length < 4) return;
          // fzstd skips the checksum itself; layer digests are verified separately.
          feed(pieces.take(4));
          state = { at: 'magic' };
          startNewFrame();
          yield* out.splice(0);
          break;
        }
      }
    }
  }

  // One decoder per frame keeps our framing and fzstd's in lockstep.
  // (Output of the final push lands in `out` and is yielded by the caller.)
  function startNewFrame(): void {
    try {
      dec.push(new Uint8Array(0), true);
    } catch (err) {
      throw bad(err instanceof Error ? err.message : String(err));
    }
    dec = new Decompress((data) => {
      if (data.length) out.push(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    });
  }

  for await (const chunk of source) {
    const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (b.length) consumedAny = true;
    pieces.push(b);
    yield* step();
    if (out.length) yield* out.splice(0);
  }
  if (!consumedAny) throw bad('empty stream');
  if (state.at !== 'magic' || pieces.length !== 0) throw bad('stream ends inside a frame', { reason: 'truncated' });
  if (out.length) yield* out.splice(0);
}
