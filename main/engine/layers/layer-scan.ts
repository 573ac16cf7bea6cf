/**
 * Reads one layer blob without extracting it: digests of the blob and of
 * the tar stream, and a compact record per entry (with a content hash of
 * regular files, so a later layer rewriting identical bytes reads as
 * unmodified). Whiteouts are interpreted with the same rules as extraction.
 */
import crypto from 'node:crypto';
import { openDecompressed, type Compression } from '../images/compression';
import { DigestTap, type Digest } from '../images/digest';
import { EngineError } from '../images/errors';
import { cleanComponents } from '../images/paths';
import type { TarEntryType } from '../images/tar/format';
import { DEFAULT_MAX_ENTRY_SIZE, readTar } from '../images/tar/reader';
import { classifyWhiteout } from '../images/whiteout';

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

export async function scanLayer(source: AsyncIterable<Uint8Array>, options: ScanOptions = {}): Promise<LayerScan> {
  const hashFiles = options.hashFiles ?? true;
  const blobTap = new DigestTap();
  const { compression, stream } = await openDecompressed(blobTap.tap(source), { maxZstdWindow: options.maxZstdWindow });
  const tarTap = compression === 'none' ? blobTap : new DigestTap();
  const tarStream = compression === 'none' ? stream : tarTap.tap(stream);

  const entries: ScannedEntry[] = [];
  const whiteouts: string[] = [];
  const opaques: string[] = [];
  let contentSize = 0;

  const tarOptions = {
    maxEntrySize: options.maxEntrySize ?? DEFAULT_MAX_ENTRY_SIZE,
    ...(compression === 'none' && options.sourceSize !== undefined ? { totalSize: options.sourceSize } : {}),
  };
  for await (const e of readTar(tarStream, tarOptions)) {
    options.signal?.throwIfAborted();
    const comps = cleanComponents(e.path, e.path);
    const base = comps[comps.length - 1];
    if (base === undefined) continue; // the root entry
    contentSize += e.size;
    const parent = comps.slice(0, -1).join('/');
    const wh = classifyWhiteout(base);
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
      path: comps.join('/'),
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
      const h = crypto.createHash('sha256');
      for await (const chunk of e.body()) h.update(chunk);
      rec.hash = h.digest('hex');
    }
    entries.push(rec);
  }
  return {
    compression,
    digest: blobTap.digest(),
    diffId: tarTap.digest(),
    compressedSize: blobTap.bytes,
    uncompressedSize: tarTap.bytes,
    contentSize,
    entries,
    whiteouts,
    opaques,
  };
}
