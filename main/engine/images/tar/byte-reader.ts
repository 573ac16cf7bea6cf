import { BerthError } from '../../../../preload/errors';
/**
 * Exact-length reads over an async iterable of chunks, without ever holding
 * more than one source chunk (plus one header block) in memory.
 */

const EMPTY = Buffer.alloc(0);

function asBuffer(chunk: Uint8Array | string): Buffer {
  if (typeof chunk === 'string') return Buffer.from(chunk);
  return Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

/** What the tar reader needs from its input; ByteReader for streams, layers/range-reader.ts for seekable files. */
export interface ByteSource {
  readonly position: number;
  /** May return a view that the next call overwrites (RangeByteReader): copy what must outlive it. */
  readExact(n: number, what: string): Promise<Buffer | null>;
  /** Optional fast path: readExact's bytes when already at hand, else undefined (then call readExact). */
  readExactSync?(n: number): Buffer | undefined;
  /** Optional fast path: skips n bytes and returns true when that needs no I/O; false leaves it to skip(). */
  skipSync?(n: number): boolean;
  readSome(max: number, what: () => string): Promise<Buffer>;
  skip(n: number, what: () => string): Promise<void>;
  drain(): Promise<void>;
  close(): Promise<void>;
}

export class ByteReader implements ByteSource {
  private readonly it: AsyncIterator<Uint8Array | string>;
  private buf: Buffer = EMPTY;
  private off = 0;
  private eof = false;
  /** Bytes consumed so far. */
  position = 0;

  constructor(source: AsyncIterable<Uint8Array | string>) {
    this.it = source[Symbol.asyncIterator]();
  }

  /** Makes at least one unread byte available; false at end of input. */
  private async fill(): Promise<boolean> {
    while (this.off >= this.buf.length) {
      if (this.eof) return false;
      const r = await this.it.next();
      if (r.done) {
        this.eof = true;
        this.buf = EMPTY;
        this.off = 0;
        return false;
      }
      this.buf = asBuffer(r.value);
      this.off = 0;
    }
    return true;
  }

  /**
   * Reads exactly n bytes. Returns null when the input ends before the first
   * byte; throws TAR_TRUNCATED when it ends in the middle.
   */
  async readExact(n: number, what: string): Promise<Buffer | null> {
    if (!(await this.fill())) return null;
    const avail = this.buf.length - this.off;
    if (avail >= n) {
      const out = this.buf.subarray(this.off, this.off + n);
      this.off += n;
      this.position += n;
      return out;
    }
    const out = Buffer.allocUnsafe(n);
    let got = 0;
    while (got < n) {
      if (!(await this.fill())) {
        throw new BerthError('TAR_TRUNCATED', `archive ends inside ${what}`, {
          offset: this.position,
          missing: n - got,
        });
      }
      const take = Math.min(n - got, this.buf.length - this.off);
      this.buf.copy(out, got, this.off, this.off + take);
      this.off += take;
      got += take;
      this.position += take;
    }
    return out;
  }

  /** Returns between 1 and max bytes (a slice of the current chunk); TAR_TRUNCATED at end of input. */
  async readSome(max: number, what: () => string): Promise<Buffer> {
    if (!(await this.fill())) {
      throw new BerthError('TAR_TRUNCATED', `archive ends inside ${what()}`, { offset: this.position, missing: max });
    }
    const take = Math.min(max, this.buf.length - this.off);
    const out = this.buf.subarray(this.off, this.off + take);
    this.off += take;
    this.position += take;
    return out;
  }

  /** Yields the next n bytes as slices of the source chunks. */
  async *stream(n: number, what: () => string): AsyncGenerator<Buffer> {
    let left = n;
    while (left > 0) {
      const out = await this.readSome(left, what);
      left -= out.length;
      yield out;
    }
  }

  async skip(n: number, what: () => string): Promise<void> {
    let left = n;
    while (left > 0) left -= (await this.readSome(left, what)).length;
  }

  /** Consumes the rest of the input (so upstream hashes see every byte). */
  async drain(): Promise<void> {
    while (await this.fill()) {
      this.position += this.buf.length - this.off;
      this.off = this.buf.length;
    }
  }

  /** Stops the source early (errors, abandoned iteration). */
  async close(): Promise<void> {
    if (this.eof) return;
    this.eof = true;
    await this.it.return?.();
  }
}
