/**
 * cp transfers: a tar (or one file's bytes) streamed out of a container in
 * pieces the client asks for, or streamed in as the client sends them. Both
 * sides hold one piece at a time: a read pulls the generator only as far as
 * the piece asked for; a write resolves when the extractor has taken its
 * piece, so a fast sender waits for the disk. A transfer belongs to the
 * connection that began it (released when it closes) and is dropped after
 * `idleMs` without a call. A stopped container stays locked (it cannot
 * start) while a transfer holds it: ended, aborted or swept, it is released.
 */
import crypto from 'node:crypto';
import { BerthError } from '../../../../preload/errors';
import type { ContainerFs } from './container-fs';
import { extractIntoRoot, type ExtractOptions, type ExtractResult } from './tar-in';

export const MAX_TRANSFERS = 32;

/** Chunks handed from write() calls to the extractor, one at a time. */
export class ChunkChannel implements AsyncIterable<Buffer> {
  private queue: Array<{ data: Buffer; taken: () => void; failed: (e: unknown) => void }> = [];
  private wake: (() => void) | null = null;
  private closed = false;
  private error: unknown = null;

  push(data: Buffer): Promise<void> {
    if (this.error !== null) return Promise.reject(this.error);
    if (this.closed) return Promise.reject(new Error('channel closed'));
    return new Promise<void>((taken, failed) => {
      this.queue.push({ data, taken, failed });
      this.wake?.();
    });
  }

  close(): void {
    this.closed = true;
    this.wake?.();
  }

  /** The consumer stopped: every pending and later push fails with `err`. */
  fail(err: unknown): void {
    this.error = err;
    this.closed = true;
    for (const q of this.queue.splice(0)) q.failed(err);
    this.wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Buffer> {
    for (;;) {
      const next = this.queue.shift();
      if (next) {
        next.taken();
        yield next.data;
        continue;
      }
      if (this.closed) return;
      await new Promise<void>((res) => (this.wake = res));
      this.wake = null;
    }
  }
}

interface Base {
  id: string;
  owner: unknown;
  fs: ContainerFs;
  lastActivity: number;
  busy: boolean;
}
interface ReadTransfer extends Base {
  kind: 'read';
  gen: AsyncGenerator<Buffer>;
  left: Buffer | null;
  served: number;
  done: boolean;
}
interface WriteTransfer extends Base {
  kind: 'write';
  channel: ChunkChannel;
  received: number;
  result: Promise<ExtractResult>;
}
type Transfer = ReadTransfer | WriteTransfer;

export class CopyTransfers {
  private readonly all = new Map<string, Transfer>();
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly idleMs = 10 * 60 * 1000) {}

  private add(t: Transfer): string {
    if (this.all.size >= MAX_TRANSFERS) {
      t.fs.release();
      throw new BerthError('CP_TRANSFER_LIMIT', `at most ${MAX_TRANSFERS} copies at a time`, { max: MAX_TRANSFERS });
    }
    this.all.set(t.id, t);
    this.timer ??= setInterval(() => this.sweep(), Math.min(this.idleMs, 60_000)).unref();
    return t.id;
  }

  private get(id: string, owner: unknown): Transfer {
    const t = this.all.get(id);
    if (!t || t.owner !== owner) {
      throw new BerthError('CP_TRANSFER_NOT_FOUND', `no copy ${id} on this connection`, { transferId: id });
    }
    t.lastActivity = Date.now();
    return t;
  }

  beginRead(fsys: ContainerFs, gen: AsyncGenerator<Buffer>, owner: unknown): string {
    const id = crypto.randomBytes(16).toString('hex');
    return this.add({
      kind: 'read',
      id,
      owner,
      fs: fsys,
      gen,
      left: null,
      served: 0,
      done: false,
      lastActivity: Date.now(),
      busy: false,
    });
  }

  async read(id: string, offset: number, length: number, owner: unknown): Promise<{ data: Buffer; eof: boolean }> {
    const t = this.get(id, owner);
    if (t.kind !== 'read')
      throw new BerthError('CP_TRANSFER_NOT_FOUND', `copy ${id} is not a read`, { transferId: id });
    if (t.busy) throw new BerthError('CP_TRANSFER_OFFSET', `copy ${id} is already being read`, { transferId: id });
    if (offset !== t.served) {
      throw new BerthError('CP_TRANSFER_OFFSET', `read at ${offset}, the copy is at ${t.served}`, {
        expected: t.served,
        offset,
      });
    }
    t.busy = true;
    try {
      const parts: Buffer[] = [];
      let have = 0;
      while (have < length) {
        let chunk = t.left;
        t.left = null;
        if (!chunk) {
          if (t.done) break;
          const r = await t.gen.next();
          if (r.done) {
            t.done = true;
            break;
          }
          chunk = r.value;
        }
        const take = Math.min(chunk.length, length - have);
        parts.push(chunk.subarray(0, take));
        if (take < chunk.length) t.left = chunk.subarray(take);
        have += take;
      }
      t.served += have;
      const eof = t.done && t.left === null;
      if (eof) this.end(t);
      return { data: Buffer.concat(parts, have), eof };
    } catch (err) {
      this.end(t);
      throw err;
    } finally {
      t.busy = false;
    }
  }

  beginWrite(fsys: ContainerFs, dest: string, o: ExtractOptions, owner: unknown): string {
    const id = crypto.randomBytes(16).toString('hex');
    const channel = new ChunkChannel();
    const result = extractIntoRoot(fsys.rootFd, dest, channel, o);
    // An extractor that stops early fails the pushes waiting on it.
    result.catch((err: unknown) => channel.fail(err));
    this.add({
      kind: 'write',
      id,
      owner,
      fs: fsys,
      channel,
      received: 0,
      result,
      lastActivity: Date.now(),
      busy: false,
    });
    return id;
  }

  async write(id: string, offset: number, data: Buffer, owner: unknown): Promise<number> {
    const t = this.get(id, owner);
    if (t.kind !== 'write')
      throw new BerthError('CP_TRANSFER_NOT_FOUND', `copy ${id} is not a write`, { transferId: id });
    if (offset !== t.received) {
      throw new BerthError('CP_TRANSFER_OFFSET', `chunk at ${offset}, the copy is at ${t.received}`, {
        expected: t.received,
        offset,
      });
    }
    t.received += data.length;
    try {
      await t.channel.push(data);
    } catch (err) {
      this.end(t);
      throw err;
    }
    return t.received;
  }

  async finish(id: string, owner: unknown): Promise<ExtractResult> {
    const t = this.get(id, owner);
    if (t.kind !== 'write')
      throw new BerthError('CP_TRANSFER_NOT_FOUND', `copy ${id} is not a write`, { transferId: id });
    t.channel.close();
    try {
      return await t.result;
    } finally {
      this.end(t);
    }
  }

  abort(id: string, owner: unknown): void {
    const t = this.all.get(id);
    if (t && t.owner === owner) this.end(t);
  }

  /** Everything a closed connection began. */
  releaseOwner(owner: unknown): void {
    for (const t of [...this.all.values()]) if (t.owner === owner) this.end(t);
  }

  private end(t: Transfer): void {
    if (!this.all.delete(t.id)) return;
    if (t.kind === 'read') {
      void t.gen.return(undefined).catch(() => undefined);
      t.fs.release();
    } else {
      t.channel.fail(new BerthError('CP_TRANSFER_NOT_FOUND', `copy ${t.id} was aborted`, { transferId: t.id }));
      // The extractor closes its fds as it unwinds; the root goes after it.
      void t.result.catch(() => undefined).finally(() => t.fs.release());
    }
    if (this.all.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }

  private sweep(): void {
    const now = Date.now();
    for (const t of [...this.all.values()]) if (!t.busy && now - t.lastActivity > this.idleMs) this.end(t);
  }
}
