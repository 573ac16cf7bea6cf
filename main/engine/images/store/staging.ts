/**
 * A staging area for one store operation (load, pull): `<store>/ingest/<op>/`
 * holds the blobs and unpacked layer directories the operation produces
 * until `ImageStore.commitStaged` moves them into place under the store
 * lock. On any failure `cleanup()` removes the whole directory, so the store
 * is exactly as it was before.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { DigestTap, assertDigest, chainIds, digestHex, parseDigest, type Digest } from '../../oci/digest';
import { extractLayerFile, type ExtractSummary } from '../extract';
import { assertFreeSpace } from '../free-space';
import type { NativeFsOps } from '../native-fs';
import type { ImageConfig, ImageManifest } from '../../oci/oci-types';
import { faultPoint } from '../../storage/fault-points';
import { assertSize, writeBlobInto, type WrittenBlob } from './blob-io';
import type { ImageStore } from './store';
import { BerthError } from '../../../../preload/errors';

export interface StagedImage {
  manifestBytes: Buffer;
  manifestDigest: Digest;
  manifest: ImageManifest;
  configDigest: Digest;
  config: ImageConfig;
  /** Full normalized references ("docker.io/library/busybox:latest"). */
  tags: string[];
}

export interface StagedLayer {
  chainId: Digest;
  diffId: Digest;
  parent: Digest | null;
  dir: string;
  /** Bytes of the uncompressed layer tar. */
  size: number;
}

export interface UnpackProgress {
  layer: number;
  layers: number;
  chainId: Digest;
  /** 'unpacked' when extracted now; 'present' when the store (or this op) has it already. */
  state: 'unpacked' | 'present';
}

export interface UnpackOptions {
  /** Archive member names of the layers, to name them in errors. */
  names?: readonly string[];
  onLayer?: (p: UnpackProgress) => void;
  signal?: AbortSignal;
}

/** Names the blob an extraction error came from (digest errors name the blob as their entry). */
function nameLayerError(err: unknown, name: string | undefined): unknown {
  if (!(err instanceof BerthError) || name === undefined) return err;
  if (err.code === 'DIGEST_MISMATCH') {
    return new BerthError(
      err.code,
      `${name}: ${err.message}`,
      { ...err.details, entry: name, blob: name },
      { cause: err },
    );
  }
  if (err.details?.['blob'] !== undefined) return err;
  return new BerthError(err.code, `${name}: ${err.message}`, { ...err.details, blob: name }, { cause: err });
}

export class Staging {
  readonly blobsDir: string;
  readonly layersDir: string;
  /** Blobs written here, by digest. */
  readonly blobs = new Map<Digest, string>();
  /** Layers unpacked here, by chain ID. */
  readonly layers = new Map<Digest, StagedLayer>();
  /** Store layer dirs this operation builds on (GC leaves them alone until cleanup). */
  readonly pinnedChains = new Set<Digest>();
  private native: NativeFsOps | undefined;
  private closed = false;
  /** Uncompressed layer bytes unpacked by this operation (the image cap counts them). */
  private unpackedBytes = 0;

  private constructor(
    readonly store: ImageStore,
    readonly dir: string,
  ) {
    this.blobsDir = path.join(dir, 'blobs');
    this.layersDir = path.join(dir, 'layers');
  }

  static async create(store: ImageStore, kind: string): Promise<Staging> {
    const dir = path.join(store.ingestDir, `${kind}-${crypto.randomBytes(8).toString('hex')}`);
    await fs.promises.mkdir(dir, { mode: 0o700 });
    const s = new Staging(store, dir);
    await fs.promises.mkdir(s.blobsDir, { mode: 0o700 });
    await fs.promises.mkdir(s.layersDir, { mode: 0o700 });
    store.registerStaging(s);
    return s;
  }

  /**
   * Streams a blob in, verifying digest and size when given. When the store
   * already has a blob with the expected digest the bytes are still hashed
   * (the archive must be what it claims) but not written again.
   */
  async addBlob(
    source: AsyncIterable<Uint8Array>,
    expected: { digest?: string; size?: number; what?: string } = {},
  ): Promise<WrittenBlob> {
    const want = expected.digest === undefined ? undefined : parseDigest(expected.digest);
    if (want && (this.blobs.has(want) || (await this.store.blobs.exists(want)))) {
      const tap = new DigestTap();
      for await (const _ of tap.tap(source)) void _;
      const what = expected.what ?? want;
      assertSize(what, expected.size, tap.bytes);
      assertDigest(want, tap.digest(), what);
      return { digest: want, size: tap.bytes };
    }
    assertFreeSpace(
      this.dir,
      this.store.limits.minFreeBytes,
      expected.size ?? 0,
      `storing ${expected.what ?? 'a blob'}`,
    );
    const r = await writeBlobInto(this.blobsDir, source, expected);
    if (await this.store.blobs.exists(r.digest)) {
      await fs.promises.rm(path.join(this.blobsDir, digestHex(r.digest)), { force: true });
    } else {
      this.blobs.set(r.digest, path.join(this.blobsDir, digestHex(r.digest)));
    }
    return r;
  }

  async addBytes(bytes: Uint8Array, expected: { digest?: string; what?: string } = {}): Promise<WrittenBlob> {
    return this.addBlob(
      (async function* () {
        yield bytes;
      })(),
      { ...expected, size: bytes.length },
    );
  }

  /** Where a blob this operation needs is: staged here, or already in the store. */
  blobPath(digest: string): string {
    return this.blobs.get(digest as Digest) ?? this.store.blobs.path(digest);
  }

  private nativeOps(): NativeFsOps {
    this.native ??= this.store.createNativeOps();
    return this.native;
  }

  /**
   * Unpacks the image's layers that neither the store nor this operation
   * has yet, each on top of the ones below it (lowerDirs, topmost first,
   * for the extractor's symlink checks), verifying digest and diffID.
   */
  async unpack(image: StagedImage, opts: UnpackOptions = {}): Promise<StagedLayer[]> {
    const diffIds = image.config.rootfs.diff_ids.map((d) => parseDigest(d, 'diffID'));
    if (diffIds.length !== image.manifest.layers.length) {
      throw new BerthError(
        'MANIFEST_INVALID',
        `manifest lists ${image.manifest.layers.length} layers, config has ${diffIds.length} diff_ids`,
        { entry: image.configDigest },
      );
    }
    const chains = chainIds(diffIds);
    const dirs: string[] = [];
    const out: StagedLayer[] = [];
    for (const [i, chainId] of chains.entries()) {
      opts.signal?.throwIfAborted();
      const diffId = diffIds[i] as Digest;
      const parent = i === 0 ? null : (chains[i - 1] as Digest);
      const storeDir = this.store.layerDir(chainId);
      const staged = this.layers.get(chainId);
      if (staged) {
        dirs.push(staged.dir);
        out.push(staged);
        opts.onLayer?.({ layer: i, layers: chains.length, chainId, state: 'present' });
        continue;
      }
      if (fs.existsSync(storeDir)) {
        this.pinnedChains.add(chainId);
        dirs.push(storeDir);
        const size = this.store.knownLayerSize(chainId);
        out.push({ chainId, diffId, parent, dir: storeDir, size: size ?? -1 });
        opts.onLayer?.({ layer: i, layers: chains.length, chainId, state: 'present' });
        continue;
      }
      const desc = image.manifest.layers[i];
      if (!desc)
        throw new BerthError('MANIFEST_INVALID', `manifest has no layer ${i}`, { entry: image.manifestDigest });
      const target = path.join(this.layersDir, digestHex(chainId));
      let summary: ExtractSummary;
      try {
        summary = await extractLayerFile(this.blobPath(desc.digest), target, {
          lowerDirs: [...dirs].reverse(),
          expectedDigest: desc.digest,
          expectedDiffId: diffId,
          native: this.nativeOps(),
          maxArchiveMetadata: this.store.limits.metadataBytes,
          maxLayerBytes: this.store.limits.layerBytes,
          imageBytesLeft: this.store.limits.imageBytes - this.unpackedBytes,
          minFreeBytes: this.store.limits.minFreeBytes,
          ...(opts.signal ? { signal: opts.signal } : {}),
        });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT' && !fs.existsSync(this.blobPath(desc.digest))) {
          throw new BerthError('BLOB_MISSING', `layer blob ${desc.digest} is not in the store`, {
            blob: desc.digest,
            entry: opts.names?.[i] ?? desc.digest,
          });
        }
        throw nameLayerError(err, opts.names?.[i]);
      }
      this.unpackedBytes += summary.uncompressedSize;
      const layer: StagedLayer = { chainId, diffId, parent, dir: target, size: summary.uncompressedSize };
      this.layers.set(chainId, layer);
      dirs.push(target);
      out.push(layer);
      opts.onLayer?.({ layer: i, layers: chains.length, chainId, state: 'unpacked' });
      faultPoint('stage.layer'); // @n: after the n-th layer is unpacked into staging
    }
    return out;
  }

  /** Removes the staging directory and releases pins. Safe to call twice. */
  async cleanup(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.store.unregisterStaging(this);
    try {
      await this.native?.close();
    } finally {
      await fs.promises.rm(this.dir, { recursive: true, force: true });
    }
  }
}
