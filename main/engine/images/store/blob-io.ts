/**
 * Content-addressed blobs under `<store>/blobs/sha256/<hex>`.
 *
 * Every write streams into a temp file in the same directory, hashing as it
 * goes; only a blob whose digest (and size, when known) matches is fsynced
 * and renamed into place, then the directory is fsynced. A mismatch removes
 * the temp file: a wrong blob is never visible under a digest name.
 *
 * `BlobSink` / `BlobSource` are what the registry client uses: it downloads
 * into `partialPath(digest)` (a stable file under ingest/, so an interrupted
 * download resumes by appending) and `commit`s it; the store re-hashes the
 * whole file before the rename.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { DigestTap, assertDigest, digestHex, parseDigest, type Digest } from '../../oci/digest';
import { faultPoint } from '../../storage/fault-points';
import { assertFreeSpace } from '../free-space';
import { BerthError } from '../../../../preload/errors';
import { pipeToFile } from '../../../shared/pipe-to-file';

export interface BlobSink {
  has(digest: string): Promise<boolean>;
  partialPath(digest: string): string;
  commit(digest: string, partialPath: string, expectedSize?: number): Promise<void>;
}

export interface BlobSource {
  size(digest: string): Promise<number>;
  open(digest: string): NodeJS.ReadableStream;
}

export interface WrittenBlob {
  digest: Digest;
  size: number;
}

const HIGH_WATER = 256 * 1024;

/** fsync a directory so a rename in it survives a crash. */
export async function fsyncDir(dir: string): Promise<void> {
  const fh = await fs.promises.open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/**
 * Writes `data` to `file` atomically: temp in the same dir, fsync, rename,
 * fsync dir. FileHandle.writeFile loops over short writes and rejects on
 * ENOSPC; any failure removes the temp file and leaves `file` as it was.
 */
export async function writeFileAtomic(file: string, data: string | Uint8Array, mode = 0o644): Promise<void> {
  const dir = path.dirname(file);
  const tmp = path.join(dir, `.${path.basename(file)}.${crypto.randomBytes(6).toString('hex')}.tmp`);
  const fh = await fs.promises.open(tmp, 'wx', mode);
  try {
    try {
      await fh.writeFile(data);
      faultPoint('atomic.written', path.basename(file));
      await fh.sync();
    } finally {
      await fh.close();
    }
    faultPoint('atomic.before-rename', path.basename(file));
    await fs.promises.rename(tmp, file);
  } catch (err) {
    await fs.promises.rm(tmp, { force: true });
    throw err;
  }
  faultPoint('atomic.renamed', path.basename(file));
  await fsyncDir(dir);
}

/** Refuses a blob of another byte count than the one announced, when one was (DIGEST_MISMATCH, reason size). */
export function assertSize(what: string, expectedSize: number | undefined, actualSize: number): void {
  if (expectedSize !== undefined && actualSize !== expectedSize) {
    throw new BerthError('DIGEST_MISMATCH', `${what}: ${actualSize} bytes, expected ${expectedSize}`, {
      entry: what,
      blob: what,
      expectedSize,
      actualSize,
      reason: 'size',
    });
  }
}

/**
 * Streams `source` into `dir/<hex>` through a temp file in `dir`, verifying
 * the digest and size given. Returns the digest written. When the target
 * already exists (same content, by definition) the temp file is dropped.
 */
export async function writeBlobInto(
  dir: string,
  source: AsyncIterable<Uint8Array>,
  expected: { digest?: string; size?: number; what?: string } = {},
): Promise<WrittenBlob> {
  const want = expected.digest === undefined ? undefined : parseDigest(expected.digest);
  const what = expected.what ?? want ?? 'blob';
  const tmp = path.join(dir, `.blob-${crypto.randomBytes(8).toString('hex')}.tmp`);
  const tap = new DigestTap();
  try {
    let written = 0;
    async function* checked(): AsyncGenerator<Buffer> {
      for await (const chunk of tap.tap(source)) {
        written += chunk.length;
        if (expected.size !== undefined && written > expected.size) {
          throw new BerthError('DIGEST_MISMATCH', `${what}: more than the ${expected.size} bytes announced`, {
            entry: what,
            blob: what,
            expectedSize: expected.size,
            reason: 'size',
          });
        }
        yield chunk;
        faultPoint('blob.partial'); // @n: after the n-th chunk went to the temp file
      }
    }
    // fsync before verifying: a mismatch removes the file anyway, and one handle does both.
    await pipeToFile(tmp, checked(), { flags: 'wx', mode: 0o644, sync: true });
    const digest = tap.digest();
    assertSize(what, expected.size, tap.bytes);
    if (want) assertDigest(want, digest, what);
    const target = path.join(dir, digestHex(digest));
    if (fs.existsSync(target)) {
      await fs.promises.rm(tmp, { force: true });
    } else {
      faultPoint('blob.before-rename');
      await fs.promises.rename(tmp, target);
      await fsyncDir(dir);
    }
    return { digest, size: tap.bytes };
  } catch (err) {
    await fs.promises.rm(tmp, { force: true });
    throw err;
  }
}

/** sha256 and length of a file. */
export async function hashFile(file: string): Promise<WrittenBlob> {
  const tap = new DigestTap();
  for await (const _ of tap.tap(fs.createReadStream(file, { highWaterMark: HIGH_WATER }))) void _;
  return { digest: tap.digest(), size: tap.bytes };
}

/**
 * The blob directory of one store. `pin()` marks digests as in use by an
 * operation that has not recorded them yet (a pull between `has`/`commit`
 * and `addPulled`); garbage collection leaves pinned blobs alone.
 */
export class BlobStore implements BlobSink, BlobSource {
  private readonly pins = new Map<string, number>();
  /** Free bytes `reserve` keeps (the store's limits.minFreeBytes). */
  minFreeBytes = 0;

  constructor(
    /** `<store>/blobs/sha256` */
    readonly dir: string,
    /** `<store>/ingest` */
    readonly ingestDir: string,
    private readonly pinTtlMs = 30 * 60 * 1000,
  ) {}

  path(digest: string): string {
    return path.join(this.dir, digestHex(digest));
  }

  /**
   * Whether the blob is stored. As BlobSink.has it also pins the blob: a
   * pull that skips a download because of this answer must still find the
   * blob at addPulled, even if an image using it is removed meanwhile.
   */
  async has(digest: string): Promise<boolean> {
    if (!(await this.exists(digest))) return false;
    this.pin(digest);
    return true;
  }

  /** Whether the blob is stored (no pin). */
  async exists(digest: string): Promise<boolean> {
    try {
      return (await fs.promises.stat(this.path(digest))).isFile();
    } catch {
      return false;
    }
  }

  async size(digest: string): Promise<number> {
    try {
      return (await fs.promises.stat(this.path(digest))).size;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw missing(digest);
      throw err;
    }
  }

  open(digest: string): NodeJS.ReadableStream {
    return fs.createReadStream(this.path(digest), { highWaterMark: HIGH_WATER });
  }

  /** Reads a small blob whole (manifests, configs). */
  async read(digest: string, max = 16 * 1024 * 1024): Promise<Buffer> {
    const p = this.path(digest);
    let st: fs.Stats;
    try {
      st = await fs.promises.stat(p);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw missing(digest);
      throw err;
    }
    if (st.size > max)
      throw new BerthError('MANIFEST_INVALID', `blob ${digest} is ${st.size} bytes, more than ${max}`, {
        blob: digest,
      });
    return fs.promises.readFile(p);
  }

  /** A stable file under ingest/ for downloading `digest`; resuming appends to it. */
  partialPath(digest: string): string {
    return path.join(this.ingestDir, `blob-${digestHex(digest)}.partial`);
  }

  /**
   * Re-hashes the whole partial file, checks digest and size, and renames it
   * into blobs/. A mismatch removes the partial (resuming it would only
   * append to wrong bytes) and throws DIGEST_MISMATCH.
   */
  async commit(digest: string, partialPath: string, expectedSize?: number): Promise<void> {
    const want = parseDigest(digest);
    faultPoint('pull.blob-downloaded'); // the partial file is whole, not yet verified or moved
    const resolved = path.resolve(partialPath);
    if (resolved !== this.partialPath(want)) {
      throw new BerthError('BLOB_MISSING', `commit of ${want}: ${partialPath} is not this blob's partial file`, {
        blob: want,
        path: partialPath,
      });
    }
    let actual: WrittenBlob;
    try {
      actual = await hashFile(resolved);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw missing(want);
      throw err;
    }
    try {
      assertSize(want, expectedSize, actual.size);
      assertDigest(want, actual.digest, want);
    } catch (err) {
      await fs.promises.rm(resolved, { force: true });
      throw err;
    }
    const fh = await fs.promises.open(resolved, 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
    faultPoint('blob.before-rename');
    await fs.promises.rename(resolved, this.path(want));
    await fsyncDir(this.dir);
    this.pin(want);
  }

  /** Streams a blob in with verification (see writeBlobInto). */
  async write(
    source: AsyncIterable<Uint8Array>,
    expected: { digest?: string; size?: number } = {},
  ): Promise<WrittenBlob> {
    const r = await writeBlobInto(this.dir, source, expected);
    this.pin(r.digest);
    return r;
  }

  reserve(bytes: number, what: string): void {
    assertFreeSpace(this.dir, this.minFreeBytes, bytes, what);
  }

  pin(digest: string): void {
    this.pins.set(digest, Date.now() + this.pinTtlMs);
  }

  unpin(digest: string): void {
    this.pins.delete(digest);
  }

  isPinned(digest: string): boolean {
    const until = this.pins.get(digest);
    if (until === undefined) return false;
    if (until < Date.now()) {
      this.pins.delete(digest);
      return false;
    }
    return true;
  }

  /** Removes a blob (GC); a missing one is fine. */
  async remove(digest: string): Promise<void> {
    await fs.promises.rm(this.path(digest), { force: true });
  }
}

function missing(digest: string): BerthError {
  return new BerthError('BLOB_MISSING', `blob ${digest} is not in the store`, { blob: digest, entry: digest });
}
