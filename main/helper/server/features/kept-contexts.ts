/**
 * Unpacked build contexts kept between builds, named by the sha256 of the
 * tar they were unpacked from. A rebuild of an unchanged folder sends the
 * same tar bytes, so it gets the directory the last build unpacked instead
 * of unpacking it again (for the bench's 52-file context that unpacking, a
 * create, chown, chmod and utimes per file and the removal after, was most
 * of the helper's share of a warm build). The digest is of the bytes the
 * helper received, never one a client names, so a kept directory is only
 * ever what those bytes unpack to. Builds only read a context (a context
 * bind mount is read-only, a `rw` one an overlay over it), so one directory
 * serves every build of the same bytes, concurrent ones too, and the content
 * digests its COPY steps key on are remembered with it (Builder's
 * `contextDigests`): an unchanged context's files are not even read again.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export interface ContextLease {
  dir: string;
  /** The builder's memo of content digests for a directory that never changes (kept ones only). */
  digests?: Map<string, string>;
  /** The build is done with the directory; it may be evicted from now on. */
  release(): void;
}

interface Kept {
  dir: string;
  digests: Map<string, string>;
  users: number;
  ready: Promise<void>;
}

export class KeptContexts {
  /** Insertion order is use order: the first entry is the least recently used. */
  private readonly kept = new Map<string, Kept>();

  constructor(
    private readonly root: string,
    private readonly max: number,
    private readonly log: (msg: string) => void,
  ) {}

  /**
   * The directory for the tar with this sha256, unpacked by `unpack` (into a
   * new directory it creates) unless a kept one exists. A failed unpack is
   * removed and rethrown; the next build with those bytes unpacks again.
   */
  async acquire(digest: string, unpack: (dir: string) => Promise<void>): Promise<ContextLease> {
    let k = this.kept.get(digest);
    if (k) this.kept.delete(digest);
    else {
      // A fresh name each time: an evicted directory of the same digest may still be being removed.
      const dir = path.join(this.root, `kept-${crypto.randomBytes(8).toString('hex')}.d`);
      k = { dir, digests: new Map(), users: 0, ready: unpack(dir) };
      k.ready.catch(() => {
        if (this.kept.get(digest) === k) this.kept.delete(digest);
        this.remove(dir);
      });
    }
    this.kept.set(digest, k);
    k.users++;
    const entry = k;
    try {
      await entry.ready;
    } catch (err) {
      entry.users--;
      throw err;
    }
    let released = false;
    return {
      dir: entry.dir,
      digests: entry.digests,
      release: () => {
        if (released) return;
        released = true;
        entry.users--;
        this.evict();
      },
    };
  }

  /** How many directories are kept (in use or not). */
  get size(): number {
    return this.kept.size;
  }

  /** Drops the least recently used directories no build is using, down to `max`. */
  private evict(): void {
    for (const [digest, k] of this.kept) {
      if (this.kept.size <= this.max) return;
      if (k.users > 0) continue;
      this.kept.delete(digest);
      this.remove(k.dir);
    }
  }

  private remove(dir: string): void {
    void fs.promises
      .rm(dir, { recursive: true, force: true })
      .catch((err: unknown) => this.log(`build: could not remove ${dir}: ${(err as Error).message}`));
  }
}

/** sha256 of a file, hex. */
export async function fileSha256(file: string): Promise<string> {
  return crypto
    .createHash('sha256')
    .update(await fs.promises.readFile(file))
    .digest('hex');
}
