/**
 * Reads one layer blob without extracting it: digests of the blob and of
 * the tar stream, and a compact record per entry (with a content hash of
 * regular files, or for a plain layer where its body is, so a later layer
 * rewriting identical bytes reads as unmodified). Whiteouts are
 * interpreted with the same rules as extraction.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import { detectCompression, openDecompressed, type Compression } from '../oci/compression';
import { DigestTap, type Digest } from '../oci/digest';
import { cleanComponents } from '../oci/paths';
import { BLOCK, type TarEntryType, type TarHeader } from '../oci/tar/format';
import { DEFAULT_MAX_ENTRY_SIZE, readTar, readTarHeaders, type TarEntry } from '../oci/tar/reader';
import { WHITEOUT_PREFIX, classifyWhiteout, type WhiteoutKind } from '../oci/whiteout';
import type { RangeDigest, RangeDigester } from './range-digest';
import { RangeByteReader } from '../oci/range-reader';
import { BerthError } from '../../../preload/errors';

/** What a tar entry says of itself besides its path: the attributes every listing of a layer carries. */
export interface EntryAttrs {
  type: TarEntryType;
  size: number;
  mode: number;
  uid: number;
  gid: number;
  linkname: string;
}

export interface ScannedEntry extends EntryAttrs {
  /** Cleaned path without a leading slash. */
  path: string;
  devmajor: number;
  devminor: number;
  /** sha256 hex of a regular file's content (when hashing is on). */
  hash?: string;
  /**
   * Where a regular file's body starts in the archive file, when the scan
   * listed a plain layer without hashing it: the content is hashed from
   * there only if a comparison needs it (MergedTree.hashCollisions).
   */
  bodyOffset?: number;
}

export interface LayerScan {
  compression: Compression;
  digest: Digest;
  diffId: Digest;
  compressedSize: number;
  uncompressedSize: number;
  /** Sum of entry sizes: what dive calls the layer size. */
  contentSize: number;
  /** Entries in archive order (duplicates included; the last one wins). */
  entries: ScannedEntry[];
  /** Paths deleted from lower layers by ".wh.NAME" entries. */
  whiteouts: string[];
  /** Directories made opaque by ".wh..wh..opq" ('' is the root). */
  opaques: string[];
}

export interface ScanOptions {
  /** Hash regular-file contents (default true). */
  hashFiles?: boolean;
  maxEntrySize?: number;
  maxZstdWindow?: number;
  /** Length of the blob when known (lets a plain tar fail early on sizes past its end). */
  sourceSize?: number;
  signal?: AbortSignal;
}

/** Adds the blob's name to an error raised while reading it. */
export function withBlob(err: unknown, blob: string): unknown {
  if (!(err instanceof BerthError) || err.details?.['blob'] !== undefined) return err;
  return new BerthError(err.code, `${blob}: ${err.message}`, { ...err.details, blob }, { cause: err });
}

const NOT_WHITEOUT: WhiteoutKind = { kind: 'none' };

/** The reader's path cleaned to "a/b" ('' for the root); ".." is resolved or refused (TAR_PATH_ESCAPE). */
function cleanPath(p: string): string {
  // The tar reader already dropped "." and empty components; only "/" and ".." are left to handle.
  // includes() first: most paths have no ".." at all, and the regex per entry showed in profiles.
  if (p !== '.' && !p.startsWith('/') && (!p.includes('..') || !/(^|\/)\.\.(\/|$)/.test(p))) return p;
  return cleanComponents(p, p).join('/');
}

/** What collect does with regular files' bodies: hash them, or note where they are (offsetBase + dataOffset). */
interface Bodies {
  hash: boolean;
  offsetBase?: number;
}

type Collected = Pick<LayerScan, 'entries' | 'whiteouts' | 'opaques' | 'contentSize'>;

/** Folds tar entries into a scan (entries, whiteouts, opaques, content size), one entry at a time. */
class Collector {
  readonly out: Collected = { entries: [], whiteouts: [], opaques: [], contentSize: 0 };

  constructor(
    private readonly bodies: Bodies,
    private readonly onEntry?: (e: ScannedEntry) => void,
  ) {}

  /** The record of an entry that is listed (not the root, not a whiteout), else undefined. */
  add(e: TarHeader): ScannedEntry | undefined {
    const out = this.out;
    const path = cleanPath(e.path);
    if (path === '') return undefined; // the root entry
    out.contentSize += e.size;
    const slash = path.lastIndexOf('/');
    // Base and parent are cut only for a whiteout: most entries are not one (no strings made per entry).
    const wh = path.startsWith(WHITEOUT_PREFIX, slash + 1) ? classifyWhiteout(path.slice(slash + 1)) : NOT_WHITEOUT;
    const parent = wh.kind === 'none' || slash < 0 ? '' : path.slice(0, slash);
    if (wh.kind === 'opaque') {
      out.opaques.push(parent);
      return undefined;
    }
    if (wh.kind === 'aufs-meta') return undefined;
    if (wh.kind === 'whiteout') {
      if (wh.name === '' || wh.name === '.' || wh.name === '..') {
        throw new BerthError('TAR_PATH_ESCAPE', `${e.path}: whiteout of ${JSON.stringify(wh.name)}`, {
          entry: e.path,
        });
      }
      out.whiteouts.push(parent ? `${parent}/${wh.name}` : wh.name);
      return undefined;
    }
    const rec: ScannedEntry = {
      path,
      type: e.type,
      size: e.size,
      mode: e.mode,
      uid: e.uid,
      gid: e.gid,
      linkname: e.linkname,
      devmajor: e.devmajor,
      devminor: e.devminor,
    };
    if (e.type === 'file' && !this.bodies.hash && this.bodies.offsetBase !== undefined) {
      rec.bodyOffset = this.bodies.offsetBase + e.dataOffset;
    }
    return rec;
  }

  push(rec: ScannedEntry): void {
    this.out.entries.push(rec);
    this.onEntry?.(rec);
  }
}

/** Folds tar entries into a scan, hashing regular files' bodies when asked. */
async function collect(
  tarEntries: AsyncIterable<TarEntry>,
  bodies: Bodies,
  signal: AbortSignal | undefined,
  onEntry?: (e: ScannedEntry) => void,
): Promise<Collected> {
  const c = new Collector(bodies, onEntry);
  for await (const e of tarEntries) {
    signal?.throwIfAborted();
    const rec = c.add(e);
    if (!rec) continue;
    if (e.type === 'file' && bodies.hash) {
      // Hashed from the reader's slices of the source chunks: no copy.
      const h = crypto.createHash('sha256');
      for await (const chunk of e.body()) h.update(chunk);
      rec.hash = h.digest('hex');
    }
    c.push(rec);
  }
  return c.out;
}

/**
 * collect without bodies, over readTarHeaders' batches: the entries of a
 * batch are folded in one synchronous loop (no await per entry).
 */
async function collectHeaders(
  batches: AsyncIterable<TarHeader[]>,
  bodies: Omit<Bodies, 'hash'>,
  signal: AbortSignal | undefined,
  onEntry?: (e: ScannedEntry) => void,
): Promise<Collected> {
  const c = new Collector({ ...bodies, hash: false }, onEntry);
  for await (const batch of batches) {
    signal?.throwIfAborted();
    for (const e of batch) {
      const rec = c.add(e);
      if (rec) c.push(rec);
    }
  }
  return c.out;
}

export async function scanLayer(source: AsyncIterable<Uint8Array>, options: ScanOptions = {}): Promise<LayerScan> {
  const hashFiles = options.hashFiles ?? true;
  const blobTap = new DigestTap();
  const { compression, stream } = await openDecompressed(blobTap.tap(source), { maxZstdWindow: options.maxZstdWindow });
  const tarTap = compression === 'none' ? blobTap : new DigestTap();
  const tarStream = compression === 'none' ? stream : tarTap.tap(stream);
  const tarOptions = {
    maxEntrySize: options.maxEntrySize ?? DEFAULT_MAX_ENTRY_SIZE,
    ...(compression === 'none' && options.sourceSize !== undefined ? { totalSize: options.sourceSize } : {}),
  };
  const listed = await collect(readTar(tarStream, tarOptions), { hash: hashFiles }, options.signal);
  return {
    compression,
    digest: blobTap.digest(),
    diffId: tarTap.digest(),
    compressedSize: blobTap.bytes,
    uncompressedSize: tarTap.bytes,
    ...listed,
  };
}

export interface PlainListOptions extends Omit<ScanOptions, 'hashFiles' | 'sourceSize' | 'maxZstdWindow'> {
  /**
   * Hashes the member in this worker while its headers are listed; the
   * listing then carries the digest (which is also the diffID: the blob is
   * the tar stream).
   */
  digester?: RangeDigester;
  /** Record regular files' body offsets (ScannedEntry.bodyOffset) for hashing on demand. */
  contentRefs?: boolean;
  /**
   * For a file still being written (an upload listed as it arrives):
   * resolves once the file holds every byte before `end`, rejects to stop.
   */
  until?: (end: number) => Promise<void>;
  /**
   * With `until` and no digester: hash the member on this thread as its
   * bytes arrive (one read per arrived window), so the digest is ready at
   * the last byte instead of read through after it. Only for a plain tar
   * (a compressed member is not hashed: its listing is null).
   */
  hashAsArrives?: boolean;
  /** Each entry as it is listed (before the listing completes), for work that can follow the listing. */
  onEntry?: (e: ScannedEntry) => void;
}

export type PlainListing = Omit<LayerScan, 'digest' | 'diffId'> & {
  /** With a digester: the member's sha256, once the worker has read it all (the listing is ready before). */
  digest?: Promise<Digest>;
};

/** Hashing windows of a member read as it arrives: the upload's own piece size. */
const ARRIVING_WINDOW = 4 * 1024 * 1024;

/**
 * sha256 of [offset, offset + size) of `fh`, read window by window as
 * `until` says the bytes are there. Fewer bytes than asked when the file
 * ends first (the caller checks, as for the digester's).
 */
async function hashArriving(
  fh: fs.promises.FileHandle,
  member: { offset: number; size: number },
  until: (end: number) => Promise<void>,
  signal: AbortSignal | undefined,
): Promise<RangeDigest> {
  const h = crypto.createHash('sha256');
  const buf = Buffer.allocUnsafe(Math.min(ARRIVING_WINDOW, Math.max(1, member.size)));
  let done = 0;
  while (done < member.size) {
    signal?.throwIfAborted();
    const want = Math.min(buf.length, member.size - done);
    await until(member.offset + done + want);
    const { bytesRead } = await fh.read(buf, 0, want, member.offset + done);
    if (bytesRead === 0) break;
    h.update(bytesRead === buf.length ? buf : buf.subarray(0, bytesRead));
    done += bytesRead;
  }
  return { digest: `sha256:${h.digest('hex')}`, bytes: done };
}

/**
 * The sha256 of a plain member on the digester's worker (a listing made
 * without one, e.g. while the archive was still arriving: prelist.ts).
 * TAR_TRUNCATED when the file ends inside the member.
 */
export async function digestPlainMember(
  file: string,
  member: { offset: number; size: number },
  digester: RangeDigester,
): Promise<Digest> {
  const fh = await fs.promises.open(file, 'r');
  try {
    const { digest, bytes } = await digester.digest(fh.fd, member.offset, member.size);
    if (bytes !== member.size) {
      throw new BerthError('TAR_TRUNCATED', `archive ends inside the layer (${bytes} of ${member.size} bytes)`, {
        missing: member.size - bytes,
      });
    }
    return digest;
  } finally {
    await fh.close();
  }
}

/**
 * Lists a plain (uncompressed) tar member of an archive file without reading
 * it through: headers are read, bodies skipped. With a digester, the bytes
 * are hashed on another thread meanwhile (a digest needs every byte, a
 * listing does not, and is usually done first); without one the digest is
 * not computed and the caller reports the stated one as unverified.
 * Returns null when the member is compressed (those are streamed: a
 * compressed tar cannot be listed without decompressing it anyway).
 */
export async function listPlainLayer(
  file: string,
  member: { offset: number; size: number },
  options: PlainListOptions = {},
): Promise<PlainListing | null> {
  const fh = await fs.promises.open(file, 'r');
  let hashing: Promise<RangeDigest> | undefined;
  let handedOff = false;
  try {
    const head = Buffer.alloc(Math.min(BLOCK, member.size));
    if (head.length > 0) {
      await options.until?.(member.offset + head.length);
      await fh.read(head, 0, head.length, member.offset);
    }
    if (detectCompression(head) !== 'none') return null;
    hashing =
      options.digester?.digest(fh.fd, member.offset, member.size) ??
      (options.hashAsArrives && options.until ? hashArriving(fh, member, options.until, options.signal) : undefined);
    hashing?.catch(() => undefined); // settled below: handed to the caller, or awaited before fh closes
    const tarOptions = { maxEntrySize: options.maxEntrySize ?? DEFAULT_MAX_ENTRY_SIZE, totalSize: member.size };
    const listed = await collectHeaders(
      readTarHeaders(new RangeByteReader(fh, member.offset, member.size, options.until), tarOptions),
      options.contentRefs ? { offsetBase: member.offset } : {},
      options.signal,
      options.onEntry,
    );
    const result: PlainListing = {
      compression: 'none',
      compressedSize: member.size,
      uncompressedSize: member.size,
      ...listed,
    };
    if (hashing) {
      // The worker reads through fh: fh closes once it is done (or stopped).
      result.digest = hashing
        .finally(() => fh.close())
        .then(({ digest, bytes }) => {
          if (bytes !== member.size) {
            throw new BerthError('TAR_TRUNCATED', `archive ends inside the layer (${bytes} of ${member.size} bytes)`, {
              missing: member.size - bytes,
            });
          }
          return digest;
        });
      result.digest.catch(() => undefined); // the caller's to await; a stopped analysis may not
      handedOff = true;
    }
    return result;
  } finally {
    if (!handedOff) {
      await hashing?.catch(() => undefined);
      await fh.close();
    }
  }
}
