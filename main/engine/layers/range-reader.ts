/**
 * A ByteSource over one member of an archive file (a byte range), for
 * listing a plain tar without reading it through: header blocks come from
 * a read-ahead window, bodies are skipped by moving the position. Only the
 * analysis's unverified mode uses it (a digest needs every byte).
 */
import type fs from 'node:fs';
import { EngineError } from '../images/errors';
import type { ByteSource } from '../images/tar/byte-reader';

/** Read-ahead: small members and their headers share one read. */
const WINDOW = 256 * 1024;

export class RangeByteReader implements ByteSource {
  /** Position within the range. */
  position = 0;
  private win: Buffer = Buffer.alloc(0);
  /** Range position of win[0]. */
  private winStart = 0;

  constructor(
    private readonly fh: fs.promises.FileHandle,
    private readonly base: number,
    private readonly size: number,
  ) {}

  private truncated(what: string, missing: number): EngineError {
    return new EngineError('TAR_TRUNCATED', `archive ends inside ${what}`, { offset: this.position, missing });
  }

  /** Makes [position, position + n) available in the window (n ≤ what remains). */
  private async load(n: number, what: string): Promise<void> {
    const end = this.winStart + this.win.length;
    if (this.position >= this.winStart && this.position + n <= end) return;
    const len = Math.min(Math.max(n, WINDOW), this.size - this.position);
    const buf = Buffer.allocUnsafe(len);
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

  async readExact(n: number, what: string): Promise<Buffer | null> {
    if (this.position >= this.size) return null;
    if (this.position + n > this.size) throw this.truncated(what, this.position + n - this.size);
    await this.load(n, what);
    const at = this.position - this.winStart;
    // A copy: callers may keep it (PAX data) after the window moves on.
    const out = Buffer.from(this.win.subarray(at, at + n));
    this.position += n;
    return out;
  }

  async readSome(max: number, what: () => string): Promise<Buffer> {
    const n = Math.min(max, WINDOW, this.size - this.position);
    if (n <= 0) throw this.truncated(what(), max);
    return (await this.readExact(n, what())) ?? Buffer.alloc(0);
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
