/**
 * Content hashes of single files of plain layers, read on demand from the
 * archive file: only files whose verdict (identical rewrite or change)
 * depends on their bytes are hashed, not every file of every layer.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import { BerthError } from '../../../preload/errors';

const CHUNK = 1024 * 1024;

export class BodyHasher {
  private fh: Promise<fs.promises.FileHandle> | undefined;
  private buf: Buffer | undefined;

  constructor(
    private readonly file: string,
    private readonly signal?: AbortSignal,
  ) {}

  /** sha256 hex of [offset, offset + size) of the archive file. Calls must not overlap (one buffer). */
  async hash(offset: number, size: number): Promise<string> {
    this.fh ??= fs.promises.open(this.file, 'r');
    const fh = await this.fh;
    this.buf ??= Buffer.allocUnsafe(CHUNK);
    const h = crypto.createHash('sha256');
    for (let done = 0; done < size;) {
      this.signal?.throwIfAborted();
      const { bytesRead } = await fh.read(this.buf, 0, Math.min(CHUNK, size - done), offset + done);
      if (bytesRead === 0) {
        throw new BerthError('TAR_TRUNCATED', 'archive ends inside a file body', { offset, missing: size - done });
      }
      h.update(this.buf.subarray(0, bytesRead));
      done += bytesRead;
    }
    return h.digest('hex');
  }

  async close(): Promise<void> {
    const fh = this.fh;
    this.fh = undefined;
    if (fh) await (await fh).close();
  }
}
