/**
 * Files the renderer streams to main (uploads.* in the contract), kept only
 * until one operation consumes them. Same chunk rules as the helper's ingest
 * (engine/images/transfer.ts): each chunk lands at exactly the bytes received
 * so far, never past the announced size.
 *
 * Files live in one private dir (0700, created on first use under the temp
 * dir, removed when the process exits), each 0600 and created O_EXCL. Limits:
 * at most MAX_UPLOADS at once and their announced sizes together at most
 * maxTotalBytes, checked at begin so a client cannot fill the disk by
 * announcing little and sending much. An upload idle for staleAfterMs is
 * removed by the sweeper.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BerthError } from '../../../preload/errors';
import { MAX_CHUNK_BYTES } from '../../../preload/schemas/images';
import { MAX_UPLOAD_BYTES } from '../../../preload/schemas/uploads';
import { appendChunk, checkChunkLength, newChunkSession, type ChunkSession } from '../../shared/chunked-file';

export const UPLOAD_STALE_AFTER_MS = 10 * 60 * 1000;
const MAX_UPLOADS = 8;

interface Upload extends ChunkSession {
  name: string;
  /** Always announced. */
  size: number;
  watcher?: UploadWatcher;
}

/** Follows one upload's file as it grows (see UploadStore.watch). */
export interface UploadWatcher {
  /** The file now holds `received` bytes (called after each chunk is written). */
  onData(received: number): void;
  /** The upload is gone (consumed, aborted or swept); the file is being removed. */
  onEnd(): void;
}

export interface UploadStoreOptions {
  /** Parent of the private dir (default: the OS temp dir). */
  parentDir?: string;
  staleAfterMs?: number;
  maxTotalBytes?: number;
  maxUploads?: number;
  /** Sweep interval (default: a minute). */
  sweepEveryMs?: number;
}

function notFound(id: string): BerthError {
  return new BerthError('UPLOAD_NOT_FOUND', `no upload ${id.slice(0, 64)} (consumed, aborted or expired)`, {
    uploadId: id.slice(0, 64),
  });
}

export class UploadStore {
  private readonly uploads = new Map<string, Upload>();
  private dirPromise: Promise<string> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly staleAfterMs: number;
  private readonly maxTotalBytes: number;
  private readonly maxUploads: number;

  constructor(private readonly opts: UploadStoreOptions = {}) {
    this.staleAfterMs = opts.staleAfterMs ?? UPLOAD_STALE_AFTER_MS;
    this.maxTotalBytes = opts.maxTotalBytes ?? MAX_UPLOAD_BYTES;
    this.maxUploads = opts.maxUploads ?? MAX_UPLOADS;
  }

  /** The private dir, created on first use and removed at process exit. */
  dir(): Promise<string> {
    this.dirPromise ??= (async () => {
      const d = await fs.promises.mkdtemp(path.join(this.opts.parentDir ?? os.tmpdir(), 'berth-uploads-'));
      await fs.promises.chmod(d, 0o700);
      process.once('exit', () => fs.rmSync(d, { recursive: true, force: true }));
      return d;
    })();
    return this.dirPromise;
  }

  get count(): number {
    return this.uploads.size;
  }

  async begin(p: { size: number; name?: string }): Promise<{ uploadId: string }> {
    if (p.size > this.maxTotalBytes) {
      throw new BerthError('UPLOAD_TOO_LARGE', `an upload is at most ${this.maxTotalBytes} bytes`, {
        size: p.size,
        max: this.maxTotalBytes,
      });
    }
    if (this.uploads.size >= this.maxUploads) {
      throw new BerthError('TOO_MANY_UPLOADS', `more than ${this.maxUploads} uploads in progress`, {
        max: this.maxUploads,
      });
    }
    const pending = [...this.uploads.values()].reduce((n, u) => n + u.size, 0);
    if (pending + p.size > this.maxTotalBytes) {
      throw new BerthError('UPLOAD_TOO_LARGE', `uploads in progress would hold more than ${this.maxTotalBytes} bytes`, {
        size: p.size,
        pending,
        max: this.maxTotalBytes,
      });
    }
    const id = crypto.randomBytes(16).toString('hex');
    const file = path.join(await this.dir(), `upload-${id}`);
    const fh = await fs.promises.open(file, 'wx', 0o600);
    this.uploads.set(id, { ...newChunkSession(id, file, fh, p.size), name: p.name ?? 'upload' });
    this.startSweeper();
    return { uploadId: id };
  }

  private get(id: string): Upload {
    const u = this.uploads.get(id);
    if (!u) throw notFound(id);
    return u;
  }

  /**
   * Follows an upload as its chunks arrive (one watcher per upload): its
   * file and announced size, then `onData` after every chunk written and
   * `onEnd` when the upload goes. For reading the file while it arrives.
   */
  watch(id: string, watcher: UploadWatcher): { file: string; size: number } {
    const u = this.get(id);
    u.watcher = watcher;
    return { file: u.file, size: u.size };
  }

  async chunk(id: string, offset: number, data: Buffer): Promise<{ received: number }> {
    checkChunkLength(data, MAX_CHUNK_BYTES);
    const u = this.get(id);
    return u.lock.run(async () => {
      if (!this.uploads.has(id) || u.busy) throw notFound(id);
      await appendChunk(u, offset, data, 'UPLOAD');
      u.lastActivity = Date.now();
      u.watcher?.onData(u.received);
      return { received: u.received };
    });
  }

  async abort(id: string): Promise<void> {
    const u = this.get(id);
    await u.lock.run(async () => {
      if (u.busy) throw new BerthError('UPLOAD_BUSY', `upload ${id} is in use and cannot be aborted`, { uploadId: id });
      await this.drop(u);
    });
  }

  /**
   * Hands the complete file to `fn`, then removes it whatever `fn` did:
   * an upload is consumed once (UPLOAD_INCOMPLETE also drops it). `fn` may
   * call `keep()` to take the file over instead (the upload still ends; the
   * file stays in the private dir, and removing it is the caller's job;
   * `close` and process exit remove the dir with it).
   */
  async consume<T>(id: string, fn: (file: string, name: string, keep: () => string) => Promise<T>): Promise<T> {
    const u = this.get(id);
    await u.lock.run(async () => {
      if (u.busy || !this.uploads.has(id)) throw notFound(id);
      u.busy = true;
    });
    let kept = false;
    try {
      if (u.received !== u.size) {
        throw new BerthError('UPLOAD_INCOMPLETE', `received ${u.received} of the announced ${u.size} bytes`, {
          size: u.size,
          received: u.received,
        });
      }
      await u.fh.close();
      return await fn(u.file, u.name, () => {
        kept = true;
        return u.file;
      });
    } finally {
      await this.drop(u, kept);
    }
  }

  /** Removes uploads idle for longer than staleAfterMs (not those being consumed). */
  async sweep(now = Date.now()): Promise<number> {
    let n = 0;
    for (const u of [...this.uploads.values()]) {
      if (u.busy || now - u.lastActivity <= this.staleAfterMs) continue;
      await this.drop(u);
      n++;
    }
    if (this.uploads.size === 0) this.stopSweeper();
    return n;
  }

  /** Drops every upload and the private dir. */
  async close(): Promise<void> {
    this.stopSweeper();
    for (const u of [...this.uploads.values()]) await this.drop(u);
    if (this.dirPromise) await fs.promises.rm(await this.dirPromise, { recursive: true, force: true });
    this.dirPromise = undefined;
  }

  private async drop(u: Upload, keepFile = false): Promise<void> {
    this.uploads.delete(u.id);
    u.watcher?.onEnd();
    u.watcher = undefined;
    await u.fh.close().catch(() => undefined);
    if (!keepFile) await fs.promises.rm(u.file, { force: true });
  }

  private startSweeper(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.sweep(), this.opts.sweepEveryMs ?? 60_000);
    this.timer.unref(); // never keeps the process alive
  }

  private stopSweeper(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
