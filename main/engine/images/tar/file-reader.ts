/**
 * A ByteSource over a file: reads header blocks at their offsets and skips
 * bodies by moving the position, so indexing a multi-GiB archive reads only
 * its headers.
 */
import type fs from 'node:fs';
import { EngineError } from '../errors';
import type { ByteSource } from './byte-reader';

const CHUNK = 256 * 1024;

export class FileByteReader implements ByteSource {
  position = 0;

  constructor(
    private readonly fh: fs.promises.FileHandle,
    private readonly size: number,
  ) {}

  private truncated(what: string, missing: number): EngineError {
    return new EngineError('TAR_TRUNCATED', `archive ends inside ${what}`, { offset: this.position, missing });
  }

  async readExact(n: number, what: string): Promise<Buffer | null> {
    if (this.position >= this.size) return null;
    if (this.position + n > this.size) throw this.truncated(what, this.position + n - this.size);
    const buf = Buffer.alloc(n);
    let got = 0;
    while (got < n) {
      const { bytesRead } = await this.fh.read(buf, got, n - got, this.position + got);
      if (bytesRead === 0) throw this.truncated(what, n - got);
      got += bytesRead;
    }
    this.position += n;
    return buf;
  }

  async readSome(max: number, what: () => string): Promise<Buffer> {
    const n = Math.min(max, CHUNK, this.size - this.position);
    if (n <= 0) throw this.truncated(what(), max);
    const buf = (await this.readExact(n, what())) ?? Buffer.alloc(0);
    return buf;
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
