/**
 * Image archives cross the privilege line as bytes, never as paths: the
 * root helper must not open a file because a client named it (that client
 * may not be allowed to read it, or may swap it for a symlink). Main runs
 * as the user, reads the file with the user's permissions and uploads it
 * in chunks; the helper writes them to a file of its own under
 * `<store>/ingest/`, then loads that. Saving is the mirror image: the helper
 * streams the archive out in chunks and main writes the user's file.
 *
 * Ingest: begin → chunk (offsets contiguous, else INGEST_OFFSET) → commit |
 * abort. Export: begin (exact size announced) → read (sequential offsets)
 * until eof | abort. A session belongs to the connection that began it and
 * dies with it; sessions idle for 10 minutes are removed.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { BerthError } from '../../../preload/errors';
import { loadArchive, type LoadedImage, type LoadOptions } from './load';
import { planSave, saveStream } from './save';
import { MAX_CHUNK_BYTES } from '../../../preload/schemas/images';
import { appendChunk, checkChunkLength, newChunkSession, type ChunkSession } from '../../shared/chunked-file';
import { assertFreeSpace } from './free-space';
import { Mutex } from '../../shared/mutex';
import type { ImageStore } from './store/store';

/** The contract's chunk limit (both directions). */
export const MAX_CHUNK = MAX_CHUNK_BYTES;
export const STALE_AFTER_MS = 10 * 60 * 1000;
const MAX_SESSIONS = 32;

interface Ingest extends ChunkSession {
  opId: string;
  owner: unknown;
}

interface Export {
  id: string;
  owner: unknown;
  size: number;
  position: number;
  it: AsyncIterator<Buffer>;
  pending: Buffer | null;
  lastActivity: number;
  lock: Mutex;
}

export interface TransferOptions {
  staleAfterMs?: number;
  log?: (msg: string) => void;
}

function notFound(kind: 'ingest' | 'export', id: string): BerthError {
  return new BerthError(
    kind === 'ingest' ? 'INGEST_NOT_FOUND' : 'EXPORT_NOT_FOUND',
    `no ${kind} ${id.slice(0, 64)} (finished, aborted, expired, or begun by another connection)`,
    { [`${kind}Id`]: id.slice(0, 64) },
  );
}

export class TransferManager {
  private readonly ingests = new Map<string, Ingest>();
  private readonly exports = new Map<string, Export>();
  private readonly staleAfterMs: number;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: ImageStore,
    private readonly opts: TransferOptions = {},
  ) {
    this.staleAfterMs = opts.staleAfterMs ?? STALE_AFTER_MS;
  }

  /** Starts the sweeper of stale sessions (unref'd: it never keeps the process alive). */
  startSweeper(intervalMs = 60_000): void {
    this.timer ??= setInterval(() => void this.sweep(), intervalMs);
    this.timer.unref();
  }

  private checkCapacity(): void {
    if (this.ingests.size + this.exports.size >= MAX_SESSIONS) {
      throw new BerthError('TOO_MANY_TRANSFERS', `more than ${MAX_SESSIONS} image transfers in progress`);
    }
  }

  // ── ingest ────────────────────────────────────────────────────────────────

  async beginIngest(p: { size?: number; opId?: string }, owner?: unknown): Promise<{ ingestId: string }> {
    this.checkCapacity();
    // Room for the announced archive, and the margin after it (free-space.ts).
    assertFreeSpace(this.store.ingestDir, this.store.limits.minFreeBytes, p.size ?? 0, 'receiving an image archive');
    const id = crypto.randomBytes(16).toString('hex');
    const file = path.join(this.store.ingestDir, `upload-${id}.tar`);
    const fh = await fs.promises.open(file, 'wx', 0o600);
    this.ingests.set(id, { ...newChunkSession(id, file, fh, p.size), opId: p.opId ?? id, owner });
    return { ingestId: id };
  }

  private ingest(id: string, owner: unknown): Ingest {
    const s = this.ingests.get(id);
    if (!s || (owner !== undefined && s.owner !== owner)) throw notFound('ingest', id);
    return s;
  }

  async chunk(id: string, offset: number, data: Buffer, owner?: unknown): Promise<{ received: number }> {
    checkChunkLength(data, MAX_CHUNK);
    const s = this.ingest(id, owner);
    return s.lock.run(async () => {
      if (!this.ingests.has(id) || s.busy) throw notFound('ingest', id);
      assertFreeSpace(this.store.ingestDir, this.store.limits.minFreeBytes, data.length, 'receiving an image archive');
      await appendChunk(s, offset, data, 'INGEST');
      s.lastActivity = Date.now();
      return { received: s.received };
    });
  }

  /** Loads the uploaded archive; the upload file is removed whatever happens. */
  async commitIngest(
    id: string,
    owner: unknown,
    opts: LoadOptions & { onStart?: (opId: string) => void } = {},
  ): Promise<{ opId: string; images: LoadedImage[] }> {
    const s = this.ingest(id, owner);
    await s.lock.run(async () => {
      if (s.busy) throw notFound('ingest', id);
      s.busy = true;
    });
    try {
      if (s.size !== undefined && s.received !== s.size) {
        throw new BerthError('INGEST_INCOMPLETE', `received ${s.received} of the announced ${s.size} bytes`, {
          size: s.size,
          received: s.received,
        });
      }
      await s.fh.sync();
      await s.fh.close();
      opts.onStart?.(s.opId);
      const images = await loadArchive(this.store, s.file, opts);
      return { opId: s.opId, images };
    } finally {
      this.ingests.delete(id);
      await s.fh.close().catch(() => undefined);
      await fs.promises.rm(s.file, { force: true });
    }
  }

  opIdOf(id: string): string | undefined {
    return this.ingests.get(id)?.opId;
  }

  async abortIngest(id: string, owner?: unknown): Promise<void> {
    const s = this.ingest(id, owner);
    if (s.busy) throw new BerthError('INGEST_BUSY', `ingest ${id} is being loaded and cannot be aborted`);
    await this.dropIngest(s);
  }

  private async dropIngest(s: Ingest): Promise<void> {
    this.ingests.delete(s.id);
    await s.fh.close().catch(() => undefined);
    await fs.promises.rm(s.file, { force: true });
  }

  // ── export ────────────────────────────────────────────────────────────────

  async beginExport(
    refs: readonly string[],
    owner?: unknown,
  ): Promise<{ exportId: string; size: number; images: Array<{ id: string; repoTags: string[] }> }> {
    this.checkCapacity();
    const plan = await planSave(this.store, refs);
    const id = crypto.randomBytes(16).toString('hex');
    this.exports.set(id, {
      id,
      owner,
      size: plan.size,
      position: 0,
      it: saveStream(plan),
      pending: null,
      lastActivity: Date.now(),
      lock: new Mutex(),
    });
    return { exportId: id, size: plan.size, images: plan.images.map((i) => ({ id: i.id, repoTags: i.repoTags })) };
  }

  async readExport(
    id: string,
    offset: number,
    length: number,
    owner?: unknown,
  ): Promise<{ data: Buffer; eof: boolean }> {
    const s = this.exports.get(id);
    if (!s || (owner !== undefined && s.owner !== owner)) throw notFound('export', id);
    if (length > MAX_CHUNK || length < 1) {
      throw new BerthError('CHUNK_TOO_LARGE', `read length must be 1..${MAX_CHUNK}`, { max: MAX_CHUNK, length });
    }
    return s.lock.run(async () => {
      if (!this.exports.has(id)) throw notFound('export', id);
      if (offset !== s.position) {
        throw new BerthError('EXPORT_OFFSET', `read at offset ${offset}, the export is at ${s.position}`, {
          expected: s.position,
          offset,
        });
      }
      const parts: Buffer[] = [];
      let have = 0;
      let eof = false;
      try {
        while (have < length) {
          let chunk = s.pending;
          s.pending = null;
          if (!chunk) {
            const r = await s.it.next();
            if (r.done) {
              eof = true;
              break;
            }
            chunk = r.value;
          }
          const take = Math.min(chunk.length, length - have);
          parts.push(chunk.subarray(0, take));
          if (take < chunk.length) s.pending = chunk.subarray(take);
          have += take;
        }
      } catch (err) {
        this.exports.delete(id);
        throw err;
      }
      s.position += have;
      s.lastActivity = Date.now();
      if (!eof && s.position >= s.size && s.pending === null) {
        // The announced size is reached: make sure the stream really ends.
        const r = await s.it.next();
        if (r.done) eof = true;
        else s.pending = r.value;
      }
      if (eof) this.exports.delete(id);
      return { data: Buffer.concat(parts), eof };
    });
  }

  async abortExport(id: string, owner?: unknown): Promise<void> {
    const s = this.exports.get(id);
    if (!s || (owner !== undefined && s.owner !== owner)) throw notFound('export', id);
    this.exports.delete(id);
    await s.it.return?.(undefined).catch(() => undefined);
  }

  // ── housekeeping ──────────────────────────────────────────────────────────

  /** Removes sessions idle longer than the stale limit. */
  async sweep(now = Date.now()): Promise<number> {
    let n = 0;
    for (const s of [...this.ingests.values()]) {
      if (!s.busy && now - s.lastActivity > this.staleAfterMs) {
        this.opts.log?.(`images: removing stale ingest ${s.id} (${s.received} bytes)`);
        await this.dropIngest(s);
        n++;
      }
    }
    for (const s of [...this.exports.values()]) {
      if (now - s.lastActivity > this.staleAfterMs) {
        this.exports.delete(s.id);
        await s.it.return?.(undefined).catch(() => undefined);
        n++;
      }
    }
    return n;
  }

  /** Drops every session of a connection that went away. */
  async releaseOwner(owner: unknown): Promise<void> {
    for (const s of [...this.ingests.values()]) if (s.owner === owner && !s.busy) await this.dropIngest(s);
    for (const s of [...this.exports.values()]) {
      if (s.owner !== owner) continue;
      this.exports.delete(s.id);
      await s.it.return?.(undefined).catch(() => undefined);
    }
  }

  get sessions(): { ingests: number; exports: number } {
    return { ingests: this.ingests.size, exports: this.exports.size };
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    for (const s of [...this.ingests.values()]) if (!s.busy) await this.dropIngest(s);
    for (const s of [...this.exports.values()]) await this.abortExport(s.id);
  }
}
