/**
 * A minimal zstd *encoder* for tests: one frame of raw (stored) and RLE
 * blocks, per RFC 8878. No compression, but a valid stream any decoder
 * reads, built without a native zstd; and a way to craft broken ones.
 */

export interface RawFrameOptions {
  /** log2 of the window declared in the frame header (10..41). Default 17 (128 KiB). */
  windowLog?: number;
  /** Encode runs of one byte ≥ 64 long as RLE blocks (exercises the RLE path). */
  rle?: boolean;
}

const MAX_BLOCK = 128 * 1024;

function blockHeader(last: boolean, type: 0 | 1 | 2, size: number): Buffer {
  const v = (last ? 1 : 0) | (type << 1) | (size << 3);
  return Buffer.from([v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff]);
}

export function zstdRawFrame(data: Buffer, opts: RawFrameOptions = {}): Buffer {
  const windowLog = opts.windowLog ?? 17;
  const parts: Buffer[] = [Buffer.from([0x28, 0xb5, 0x2f, 0xfd]), Buffer.from([0x00, (windowLog - 10) << 3])];
  const blockMax = Math.min(MAX_BLOCK, 2 ** windowLog);
  if (data.length === 0) parts.push(blockHeader(true, 0, 0));
  for (let off = 0; off < data.length;) {
    const end = Math.min(off + blockMax, data.length);
    const slice = data.subarray(off, end);
    const last = end === data.length;
    const first = slice[0] ?? 0;
    if (opts.rle && slice.length >= 64 && slice.every((b) => b === first)) {
      parts.push(blockHeader(last, 1, slice.length), Buffer.from([first]));
    } else {
      parts.push(blockHeader(last, 0, slice.length), slice);
    }
    off = end;
  }
  return Buffer.concat(parts);
}

/** A frame header that declares a window of 2^windowLog bytes, followed by one empty last block. */
export function zstdHugeWindowFrame(windowLog = 31): Buffer {
  return Buffer.concat([Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, (windowLog - 10) << 3]), blockHeader(true, 0, 0)]);
}
