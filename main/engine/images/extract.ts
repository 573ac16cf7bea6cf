/**
 * Secure extraction of one layer blob into a new layer directory, as root.
 *
 * The blob is hashed as it arrives (digest), decompressed, hashed again
 * (diffID) and applied entry by entry into a private temp directory next to
 * the target; only a complete, verified layer is renamed into place. On any
 * error the temp directory is removed and nothing else was touched.
 * Entry-level rules (paths, links, whiteouts, devices) live in layer-applier.ts.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { openDecompressed, type Compression } from './compression';
import { DigestTap, assertDigest, parseDigest, type Digest } from './digest';
import { LayerApplier, type ApplyCounts } from './layer-applier';
import { assertFreeSpace } from './free-space';
import { createPythonFsOps, type NativeFsOps } from './native-fs';
import { DEFAULT_MAX_ENTRY_SIZE, readTar } from './tar/reader';
import { BerthError } from '../../../preload/errors';

export interface ExtractOptions {
  /** Directories of the layers below this one, topmost first (for symlink-parent checks and parent attributes). */
  lowerDirs?: readonly string[];
  /** Create char/block devices (default false: TAR_DEVICE_FORBIDDEN). */
  allowDevices?: boolean;
  /** Create fifos (default true: harmless, and some base images ship them). */
  allowFifos?: boolean;
  /** Largest single entry (default 64 GiB). */
  maxEntrySize?: number;
  /** Largest sum of regular-file bytes (default unlimited). */
  maxTotalBytes?: number;
  /** Largest uncompressed tar stream (LAYER_TOO_LARGE; default unlimited). */
  maxLayerBytes?: number;
  /** What the operation's image cap leaves for this layer (IMAGE_TOO_LARGE; default unlimited). */
  imageBytesLeft?: number;
  /** Extension-header bytes in the layer's tar (ARCHIVE_METADATA_TOO_LARGE; default limits.ts's). */
  maxArchiveMetadata?: number;
  /** Keep this many bytes free on the target's filesystem (NO_SPACE; checked every 8 MiB). */
  minFreeBytes?: number;
  /** Largest zstd window (default 2^27). */
  maxZstdWindow?: number;
  /** Verify the compressed blob (DIGEST_MISMATCH, checked before the rename). */
  expectedDigest?: string;
  /** Verify the uncompressed tar (DIGEST_MISMATCH, checked before the rename). */
  expectedDiffId?: string;
  /** Length of the blob when known: for a plain tar, bodies reaching past it fail before any byte is written. */
  sourceSize?: number;
  /** xattr/mknod provider; default: the python3 fallback, closed when done. */
  native?: NativeFsOps;
  signal?: AbortSignal;
}

export interface ExtractSummary extends ApplyCounts {
  compression: Compression;
  /** sha256 of the blob as given (compressed). */
  digest: Digest;
  compressedSize: number;
  /** sha256 of the uncompressed tar stream. */
  diffId: Digest;
  uncompressedSize: number;
  warnings: string[];
}

async function ensureTargetFree(target: string): Promise<void> {
  try {
    const names = await fs.promises.readdir(target);
    if (names.length > 0)
      throw new BerthError('TARGET_EXISTS', `layer directory ${target} already exists and is not empty`, { target });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return;
    if (code === 'ENOTDIR')
      throw new BerthError('TARGET_EXISTS', `${target} exists and is not a directory`, { target });
    throw err;
  }
}

/** Wraps raw filesystem errors so every failure names its entry. */
function withEntry(err: unknown, entry: string): unknown {
  if (err instanceof BerthError) return err;
  const e = err as NodeJS.ErrnoException;
  return new BerthError(
    'EXTRACT_FAILED',
    `${entry}: ${e.message ?? String(err)}`,
    { entry, errno: e.code, syscall: e.syscall },
    { cause: err },
  );
}

const SPACE_CHECK_EVERY = 8 * 1024 * 1024;

/**
 * Counts the uncompressed tar stream as it is read: a gzip or zstd bomb
 * stops at the layer (or the operation's image) cap, and extraction stops
 * before the filesystem's free space drops under the margin.
 */
async function* guarded(
  stream: AsyncIterable<Uint8Array>,
  o: { maxLayerBytes: number; imageBytesLeft: number; minFreeBytes: number; dir: string },
): AsyncGenerator<Uint8Array> {
  let bytes = 0;
  let nextCheck = 0;
  for await (const chunk of stream) {
    bytes += chunk.length;
    if (bytes > o.maxLayerBytes) {
      throw new BerthError(
        'LAYER_TOO_LARGE',
        `the layer's uncompressed tar exceeds ${o.maxLayerBytes} bytes (the layer cap)`,
        { limit: o.maxLayerBytes, read: bytes },
      );
    }
    if (bytes > o.imageBytesLeft) {
      throw new BerthError(
        'IMAGE_TOO_LARGE',
        `the image's uncompressed layers exceed the image cap (${o.imageBytesLeft} bytes were left for this layer)`,
        { left: o.imageBytesLeft, read: bytes },
      );
    }
    if (o.minFreeBytes > 0 && bytes >= nextCheck) {
      // Look again before the headroom could be used up: every 8 MiB while there is plenty, then
      // at half the headroom, so the margin is approached geometrically, never jumped over.
      const headroom = assertFreeSpace(o.dir, o.minFreeBytes, 0, 'extracting a layer');
      nextCheck = bytes + Math.max(64 * 1024, Math.min(SPACE_CHECK_EVERY, Math.floor(headroom / 2)));
    }
    yield chunk;
  }
}

/** Extracts one layer blob (plain, gzip or zstd tar) into `target`, which must not exist or be empty. */
export async function extractLayer(
  source: AsyncIterable<Uint8Array>,
  target: string,
  options: ExtractOptions = {},
): Promise<ExtractSummary> {
  const expectedDigest = options.expectedDigest === undefined ? undefined : parseDigest(options.expectedDigest);
  const expectedDiffId =
    options.expectedDiffId === undefined ? undefined : parseDigest(options.expectedDiffId, 'diffID');
  const absTarget = path.resolve(target);
  await ensureTargetFree(absTarget);

  const tmp = path.join(
    path.dirname(absTarget),
    `.${path.basename(absTarget)}.extract-${crypto.randomBytes(6).toString('hex')}`,
  );
  await fs.promises.mkdir(tmp, { mode: 0o700 });
  const native = options.native ?? createPythonFsOps();
  const ownsNative = options.native === undefined;
  try {
    const applier = new LayerApplier(
      tmp,
      (options.lowerDirs ?? []).map((d) => path.resolve(d)),
      native,
      {
        allowDevices: options.allowDevices ?? false,
        allowFifos: options.allowFifos ?? true,
        maxTotalBytes: options.maxTotalBytes ?? Number.POSITIVE_INFINITY,
      },
    );
    const blobTap = new DigestTap();
    const { compression, stream: raw } = await openDecompressed(blobTap.tap(source), {
      maxZstdWindow: options.maxZstdWindow,
    });
    const stream = guarded(raw, {
      maxLayerBytes: options.maxLayerBytes ?? Number.POSITIVE_INFINITY,
      imageBytesLeft: options.imageBytesLeft ?? Number.POSITIVE_INFINITY,
      minFreeBytes: options.minFreeBytes ?? 0,
      dir: tmp,
    });
    // A plain blob is its own tar stream: one hash serves as digest and diffID.
    const tarTap = compression === 'none' ? blobTap : new DigestTap();
    const tarStream = compression === 'none' ? stream : tarTap.tap(stream);

    const tarOptions = {
      maxEntrySize: options.maxEntrySize ?? DEFAULT_MAX_ENTRY_SIZE,
      ...(options.maxArchiveMetadata !== undefined ? { maxArchiveMetadata: options.maxArchiveMetadata } : {}),
      ...(compression === 'none' && options.sourceSize !== undefined ? { totalSize: options.sourceSize } : {}),
    };
    for await (const entry of readTar(tarStream, tarOptions)) {
      options.signal?.throwIfAborted();
      try {
        await applier.apply(entry);
      } catch (err) {
        throw withEntry(err, entry.path);
      }
    }
    // readTar drained its input, so both taps have seen every byte.
    const digest = blobTap.digest();
    const diffId = tarTap.digest();
    if (expectedDigest) assertDigest(expectedDigest, digest, `layer blob ${expectedDigest}`);
    if (expectedDiffId)
      assertDigest(expectedDiffId, diffId, `layer ${expectedDigest ?? expectedDiffId} (uncompressed)`, {
        kind: 'diffID',
      });

    await applier.finish();
    await fs.promises.chmod(tmp, 0o755);
    try {
      await fs.promises.rename(tmp, absTarget);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOTEMPTY' || code === 'EEXIST' || code === 'ENOTDIR') {
        throw new BerthError('TARGET_EXISTS', `layer directory ${absTarget} appeared during extraction`, {
          target: absTarget,
        });
      }
      throw err;
    }
    return {
      ...applier.counts,
      compression,
      digest,
      compressedSize: blobTap.bytes,
      diffId,
      uncompressedSize: tarTap.bytes,
      warnings: applier.warnings,
    };
  } catch (err) {
    await fs.promises.rm(tmp, { recursive: true, force: true });
    throw err;
  } finally {
    if (ownsNative) await native.close();
  }
}

/** Convenience: extracts a blob file. */
export async function extractLayerFile(
  blobPath: string,
  target: string,
  options: ExtractOptions = {},
): Promise<ExtractSummary> {
  const { size } = await fs.promises.stat(blobPath);
  return extractLayer(fs.createReadStream(blobPath, { highWaterMark: 256 * 1024 }), target, {
    sourceSize: size,
    ...options,
  });
}
