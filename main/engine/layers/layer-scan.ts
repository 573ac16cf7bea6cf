/**
 * Reads one layer blob without extracting it: digests of the blob and of
 * the tar stream, and a compact record per entry (with a content hash of
 * regular files, so a later layer rewriting identical bytes reads as
 * unmodified). Whiteouts are interpreted with the same rules as extraction.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import { detectCompression, openDecompressed, type Compression } from '../images/compression';
import { DigestTap, type Digest } from '../images/digest';
import { EngineError } from '../images/errors';
import { cleanComponents } from '../images/paths';
import { BLOCK, type TarEntryType } from '../images/tar/format';
import { DEFAULT_MAX_ENTRY_SIZE, readTar, type TarEntry } from '../images/tar/reader';
import { WHITEOUT_PREFIX, classifyWhiteout, type WhiteoutKind } from '../images/whiteout';
import { RangeByteReader } from './range-reader';

export interface ScannedEntry {
  /** Cleaned path without a leading slash. */
  path: string;
  type: TarEntryType;
  size: number;
  mode: number;
  uid: number;
  gid: number;
  linkname: string;
  devmajor: number;
  devminor: number;
  /** sha256 hex of a regular file's content (when hashing is on). */
  hash?: string;
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
  if (!(err instanceof EngineError) || err.details?.['blob'] !== undefined) return err;
  return new EngineError(err.code, `${blob}: ${err.message}`, { ...err.details, blob }, { cause: err });
}

const NOT_WHITEOUT: WhiteoutKind = { kind: 'none' };

/** The reader's path cleaned to "a/b" ('' for the root); ".." is resolved or refused (TAR_PATH_ESCAPE). */
function cleanPath(p: string): string {
  // The tar reader already dropped "." and empty components; only "/" and ".." are left to handle.
  if (p !== '.' && !p.startsWith('/') && !/(^|\/)\.\.(\/|$)/.test(p)) return p;
  return cleanComponents(p, p).join('/');
}

/** Folds tar entries into a scan (entries, whiteouts, opaques, content size). */
async function collect(
  tarEntries: AsyncIterable<TarEntry>,
  hashFiles: boolean,
  signal: AbortSignal | undefined,
): Promise<Pick<LayerScan, 'entries' | 'whiteouts' | 'opaques' | 'contentSize'>> {
  const entries: ScannedEntry[] = [];
  const whiteouts: string[] = [];
  const opaques: string[] = [];
  let contentSize = 0;
  for await (const e of tarEntries) {
    signal?.throwIfAborted();
    const path = cleanPath(e.path);
    if (path === '') continue; // the root entry
    contentSize += e.size;
    const slash = path.lastIndexOf('/');
    const base = path.slice(slash + 1);
    const parent = slash < 0 ? '' : path.slice(0, slash);
    const wh = base.startsWith(WHITEOUT_PREFIX) ? classifyWhiteout(base) : NOT_WHITEOUT;
    if (wh.kind === 'opaque') {
      opaques.push(parent);
      continue;
    }
    if (wh.kind === 'aufs-meta') continue;
    if (wh.kind === 'whiteout') {
      if (wh.name === '' || wh.name === '.' || wh.name === '..') {
        throw new EngineError('TAR_PATH_ESCAPE', `${e.path}: whiteout of ${JSON.stringify(wh.name)}`, {
          entry: e.path,
        });
      }
      whiteouts.push(parent ? `${parent}/${wh.name}` : wh.name);
      continue;
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
    if (e.type === 'file' && hashFiles) {
      // Hashed from the reader's slices of the source chunks: no copy.
      const h = crypto.createHash('sha256');
      for await (const chunk of e.body()) h.update(chunk);
      rec.hash = h.digest('hex');
    }
    entries.push(rec);
  }
  return { entries, whiteouts, opaques, contentSize };
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
  const listed = await collect(readTar(tarStream, tarOptions), hashFiles, options.signal);
  return {
    compression,
    digest: blobTap.digest(),
    diffId: tarTap.digest(),
    compressedSize: blobTap.bytes,
    uncompressedSize: tarTap.bytes,
    ...listed,
  };
}

/**
 * Lists a plain (uncompressed) tar member of an archive file without reading
 * it through: headers are read, bodies skipped, nothing is hashed. The digest
 * and diffID are not computed; the caller reports the ones it was given as
 * unverified. Returns null when the member is compressed (those are streamed:
 * a compressed tar cannot be listed without decompressing it anyway).
 */
export async function listPlainLayer(
  file: string,
  member: { offset: number; size: number },
  options: Omit<ScanOptions, 'hashFiles' | 'sourceSize' | 'maxZstdWindow'> = {},
): Promise<Omit<LayerScan, 'digest' | 'diffId'> | null> {
  const fh = await fs.promises.open(file, 'r');
  try {
    const head = Buffer.alloc(Math.min(BLOCK, member.size));
    if (head.length > 0) await fh.read(head, 0, head.length, member.offset);
    if (detectCompression(head) !== 'none') return null;
    const tarOptions = { maxEntrySize: options.maxEntrySize ?? DEFAULT_MAX_ENTRY_SIZE, totalSize: member.size };
    const listed = await collect(
      readTar(new RangeByteReader(fh, member.offset, member.size), tarOptions),
      false,
      options.signal,
    );
    return { compression: 'none', compressedSize: member.size, uncompressedSize: member.size, ...listed };
  } finally {
    await fh.close();
  }
}
