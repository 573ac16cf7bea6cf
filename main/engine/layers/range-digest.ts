/**
 * sha256 of byte ranges of an open file, computed in a worker thread so a
 * plain layer's digest (which needs every byte) runs on another core while
 * the main thread lists the layer's headers (which skips the bodies).
 *
 * The worker is inline JavaScript (it needs only node:fs and node:crypto),
 * so it runs the same from the TypeScript sources under vitest and from the
 * bundled main process, with no separate entry to build. It reads through
 * the caller's file descriptor and never opens one: a terminated worker
 * leaks nothing, and the bytes hashed are those of the file being listed.
 * Jobs run one at a time in the order asked.
 */
import { Worker } from 'node:worker_threads';
import type { Digest } from '../oci/digest';

/** Large preads into one buffer: sha256 with SHA-NI runs at GB/s on big blocks. */
const CHUNK = 4 * 1024 * 1024;

const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const fs = require('node:fs');
const crypto = require('node:crypto');
const buf = Buffer.allocUnsafe(${CHUNK});
parentPort.on('message', ({ id, fd, offset, size }) => {
  try {
    const h = crypto.createHash('sha256');
    let done = 0;
    while (done < size) {
      const n = fs.readSync(fd, buf, 0, Math.min(buf.length, size - done), offset + done);
      if (n === 0) break;
      h.update(n === buf.length ? buf : buf.subarray(0, n));
      done += n;
    }
    parentPort.postMessage({ id, digest: 'sha256:' + h.digest('hex'), bytes: done });
  } catch (err) {
    parentPort.postMessage({ id, error: String((err && err.message) || err) });
  }
});
`;

interface Reply {
  id: number;
  digest?: Digest;
  bytes?: number;
  error?: string;
}

export interface RangeDigest {
  digest: Digest;
  /** Bytes hashed: less than asked when the file ends first. */
  bytes: number;
}

interface Job {
  resolve: (d: RangeDigest) => void;
  reject: (err: Error) => void;
}

export class RangeDigester {
  private worker: Worker | undefined;
  private readonly jobs = new Map<number, Job>();
  private nextId = 0;
  private closed: Promise<void> | undefined;

  /** Aborting the signal stops the worker and rejects what is pending. */
  constructor(private readonly signal?: AbortSignal) {
    signal?.addEventListener('abort', () => void this.close(), { once: true });
  }

  /**
   * sha256 of [offset, offset + size) of `fd`. The caller keeps `fd` open
   * until the promise settles (close() settles every pending one).
   */
  digest(fd: number, offset: number, size: number): Promise<RangeDigest> {
    if (this.closed || this.signal?.aborted) return Promise.reject(this.stopped());
    const id = this.nextId++;
    const p = new Promise<RangeDigest>((resolve, reject) => this.jobs.set(id, { resolve, reject }));
    this.start().postMessage({ id, fd, offset, size });
    return p;
  }

  /** Stops the worker; pending digests reject once it no longer runs (their fds may then close). */
  close(): Promise<void> {
    this.closed ??= (async () => {
      const w = this.worker;
      this.worker = undefined;
      if (w) await w.terminate();
      this.failAll(this.stopped());
    })();
    return this.closed;
  }

  private stopped(): Error {
    const reason: unknown = this.signal?.reason;
    return reason instanceof Error ? reason : new Error('layer digest stopped');
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const w = new Worker(WORKER_SOURCE, { eval: true });
    w.on('message', (m: Reply) => {
      const job = this.jobs.get(m.id);
      if (!job) return;
      this.jobs.delete(m.id);
      if (m.digest !== undefined && m.bytes !== undefined) job.resolve({ digest: m.digest, bytes: m.bytes });
      else job.reject(new Error(`layer digest: ${m.error ?? 'no result'}`));
    });
    w.on('error', (err) => this.failAll(err));
    w.on('exit', () => {
      if (this.closed) return; // close() settles the jobs
      if (this.worker === w) this.worker = undefined;
      this.failAll(new Error('layer digest worker exited'));
    });
    this.worker = w;
    return w;
  }

  private failAll(err: Error): void {
    for (const job of this.jobs.values()) job.reject(err);
    this.jobs.clear();
  }
}
