/**
 * A ByteSource over a byte range of a file (one member of an archive, or the
 * whole archive when archive-index.ts indexes it), for listing a tar
 * without reading it through: header blocks come from
 * a read-ahead window, bodies are skipped by moving the position.
 *
 * The window is one buffer reused for every read (a fresh buffer per read
 * made the listing mostly garbage collection), so what readExact returns
 * is a view valid until the next call: the tar reader parses header blocks
 * and extension data before it reads again, and copies what it keeps.
 */
import type fs from 'node:fs';
import type { ByteSource } from '../images/tar/byte-reader';
import { BerthError } from '../../../preload/errors';

/**
 * Read-ahead, adaptive: it doubles while the next header lies within reach
 * of the last window (small members: one read serves many headers; a read
 * costs ~40 µs however small) and halves when a body is skipped past it
 * (large members: their bodies are not read at all).
 */
const MIN_AHEAD = 64 * 1024;
const MAX_AHEAD = 512 * 1024;

export class RangeByteReader implements ByteSource {
  /** Position within the range. */
  position = 0;
  private readonly buf = Buffer.allocUnsafe(MAX_AHEAD);
  private ahead = MIN_AHEAD;
  /** Valid bytes of the window (a view of buf, or of a larger one-off buffer). */
  private win: Buffer = this.buf.subarray(0, 0);
  /** Range position of win[0]. */
  private winStart = 0;

  constructor(
    private readonly fh: fs.promises.FileHandle,
    private readonly base: number,
    private readonly size: number,
  ) {}

  private truncated(what: string, missing: number): BerthError {
    return new BerthError('TAR_TRUNCATED', `archive ends inside ${what}`, { offset: this.position, missing });
  }

  /** Makes [position, position + n) available in the window (n ≤ what remains). */
  private async load(n: number, what: string): Promise<void> {
    const gap = this.position - (this.winStart + this.win.length);
    this.ahead = gap < this.ahead ? Math.min(this.ahead * 2, MAX_AHEAD) : Math.max(this.ahead / 2, MIN_AHEAD);
    const len = Math.min(Math.max(n, this.ahead), this.size - this.position);
    // Only an extension header larger than the window gets its own buffer.
    const buf = len <= MAX_AHEAD ? this.buf : Buffer.allocUnsafe(len);
    this.win = buf.subarray(0, 0); // invalid while the read is in flight
    let got = 0;
    while (got < len) {
      const { bytesRead } = await this.fh.read(buf, got, len - got, this.base + this.position + got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    if (got < n) throw this.truncated(what, n - got);
    this.win = buf.subarray(0, got);
    this.winStart = this.position;
  }

  /** n bytes at the position, as a view valid until the next call (see the module comment). */
  async readExact(n: number, what: string): Promise<Buffer | null> {
    if (this.position >= this.size) return null;
    if (this.position + n > this.size) throw this.truncated(what, this.position + n - this.size);
    let at = this.position - this.winStart;
    if (at < 0 || at + n > this.win.length) {
      await this.load(n, what);
      at = 0;
    }
    this.position += n;
    return this.win.subarray(at, at + n);
  }

  readExactSync(n: number): Buffer | undefined {
    const at = this.position - this.winStart;
    if (at < 0 || at + n > this.win.length || this.position + n > this.size) return undefined;
    this.position += n;
    return this.win.subarray(at, at + n);
  }

  skipSync(n: number): boolean {
    if (this.position + n > this.size) return false; // skip() reports it
    this.position += n;
    return true;
  }

  /** Body bytes: a copy, since a body consumer may keep its chunks. */
  async readSome(max: number, what: () => string): Promise<Buffer> {
    const n = Math.min(max, MIN_AHEAD, this.size - this.position);
    if (n <= 0) throw this.truncated(what(), max);
    const view = await this.readExact(n, what());
    return view ? Buffer.from(view) : Buffer.alloc(0);
  }

  async skip(n: number, what: () => string): Promise<void> {
    if (this.position + n > this.size) throw this.truncated(what(), this.position + n - this.size);
    this.position += n;
  }

  async drain(): Promise<void> {
    this.position = this.size;
  }

  async close(): Promise<void> {
    /* the caller owns the file handle */
  }
}
