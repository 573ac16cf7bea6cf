/**
 * The image store: an OCI image layout under `<dataRoot>/images` plus the
 * unpacked layers under `<dataRoot>/layers`.
 *
 *   <dataRoot>/images/            0700
 *     oci-layout                  {"imageLayoutVersion":"1.0.0"}
 *     index.json                  one descriptor per tag (ref.name = full reference), one unnamed per untagged image
 *     index.lock                  flock(2) held while index.json/layers.json change
 *     blobs/sha256/<hex>          manifests, configs, layer blobs as they came (plain, gzip or zstd)
 *     ingest/                     0700: staging dirs of loads/pulls, uploads, partial downloads
 *   <dataRoot>/layers/            0700 (layers hold root-owned setuid files)
 *     <chainid-hex>/              one unpacked layer (overlay lowerdir), never written after the rename
 *     layers.json                 per layer: diffID, parent, size, refs (manifest digests using it)
 *
 * Metadata changes take the in-process mutex and the lock file, re-read
 * both JSON files, and write them atomically (temp + fsync + rename). Adds
 * write layers.json before index.json and removals the reverse, so a crash
 * can leak a ref or a directory but never leave an image without its layers.
 */
import fs from 'node:fs';
import { z } from 'zod';
import path from 'node:path';
import { BerthError } from '../../../../preload/errors';
import { chainIds, digestHex, isDigest, parseDigest, sha256, type Digest } from '../digest';
import { assertFreeSpace } from '../free-space';
import { DEFAULT_ARCHIVE_LIMITS, type ArchiveLimits } from '../limits';
import type { NativeFsOps } from '../native-fs';
import { createNativeFsOps } from '../native-ops';
import {
  ImageConfigSchema,
  ImageManifestSchema,
  MediaTypes,
  isIndexMediaType,
  type Descriptor,
  type ImageConfig,
  type ImageManifest,
} from '../oci-types';
import { looksLikeImageId, normalizeTag, parseReference, withDefaultTag, formatReference } from '../reference';
import { parseJsonWith } from '../../layers/image-source';
import { BlobStore, fsyncDir, writeFileAtomic } from './blob-io';
import {
  emptyIndex,
  ensureImage,
  manifestDigests,
  removeImage,
  removeTag,
  setTag,
  tagsOf,
  digestOfTag,
  type IndexDoc,
} from './index-doc';
import { withStoreLock } from './lock';
import { ownsDataRoot } from '../../storage/engine-lock';
import { faultPoint } from '../../storage/fault-points';
import { readRecordFileAsync } from '../../storage/record-file';
import { Staging, type StagedImage, type StagedLayer } from './staging';
import { ImageIndexSchema } from '../oci-types';

/** Who uses an image; the containers engine provides it. */
export interface ImageUsage {
  /** Names or IDs of the containers created from this image (config digest). */
  containersUsing(imageId: string): string[];
}

export const NO_IMAGE_USAGE: ImageUsage = { containersUsing: () => [] };

export interface ImageStoreOptions {
  dataRoot: string;
  usage?: ImageUsage;
  /** xattr/mknod provider for layer extraction (default: the addon, else python3). */
  nativeOps?: () => NativeFsOps;
  lockTimeoutMs?: number;
  log?: (msg: string) => void;
  /** Archive caps and the free-space margin (limits.ts); missing ones take the defaults. */
  limits?: Partial<ArchiveLimits>;
}

export interface LayerRecord {
  chainId: Digest;
  diffId: Digest;
  parent: Digest | null;
  /** Bytes of the uncompressed layer tar (null when unknown). */
  size: number | null;
  /** Manifest digests of the images using this layer. */
  refs: string[];
}

interface LayersDoc {
  version: 1;
  layers: Record<string, LayerRecord>;
}

const digestString = z.string().regex(/^sha256:[0-9a-f]{64}$/, 'a sha256 digest') as z.ZodType<Digest>;

const LayersDocSchema = z.object({
  version: z.literal(1),
  layers: z.record(
    z.string(),
    z.object({
      chainId: digestString,
      diffId: digestString,
      parent: digestString.nullable(),
      size: z.number().int().min(0).nullable(),
      refs: z.array(z.string()),
    }),
  ),
}) satisfies z.ZodType<LayersDoc>;

export interface StoredImage {
  /** Image ID: the config digest. */
  id: Digest;
  manifestDigest: Digest;
  manifestDescriptor: Descriptor;
  manifest: ImageManifest;
  config: ImageConfig;
  /** Full normalized references, index order. */
  tags: string[];
  diffIds: Digest[];
  chainIds: Digest[];
}

export interface RemoveResult {
  untagged: string[];
  deleted: string[];
}

export interface PulledImage {
  /** Tag to record ("busybox:1", normalized here); omit for a pull by digest. */
  repoTag?: string;
  manifestBytes: Uint8Array;
  manifestDigest: string;
  configBytes: Uint8Array;
  /** The manifest's layer descriptors (checked against the manifest); their blobs must be committed. */
  layers: ReadonlyArray<Pick<Descriptor, 'digest'> & Partial<Descriptor>>;
}

export interface CommittedImage {
  id: Digest;
  manifestDigest: Digest;
  tags: string[];
  layers: number;
}

const STALE_MS = 60 * 60 * 1000;

function notFound(ref: string): BerthError {
  return new BerthError('IMAGE_NOT_FOUND', `No such image: ${ref}`, { ref });
}

export class ImageStore {
  readonly dataRoot: string;
  readonly root: string;
  readonly blobsDir: string;
  readonly ingestDir: string;
  readonly layersRoot: string;
  readonly indexFile: string;
  readonly layersFile: string;
  readonly lockFile: string;
  readonly blobs: BlobStore;
  private usage: ImageUsage;
  private readonly manifestCache = new Map<string, ImageManifest>();
  private readonly configCache = new Map<string, ImageConfig>();
  private layerSizes = new Map<string, number>();
  private readonly stagings = new Set<Staging>();
  private readonly log: (msg: string) => void;

  /** Caps every load and pull of this store obeys. */
  readonly limits: ArchiveLimits;

  private constructor(private readonly opts: ImageStoreOptions) {
    this.limits = { ...DEFAULT_ARCHIVE_LIMITS, ...opts.limits };
    this.dataRoot = path.resolve(opts.dataRoot);
    this.root = path.join(this.dataRoot, 'images');
    this.blobsDir = path.join(this.root, 'blobs', 'sha256');
    this.ingestDir = path.join(this.root, 'ingest');
    this.layersRoot = path.join(this.dataRoot, 'layers');
    this.indexFile = path.join(this.root, 'index.json');
    this.layersFile = path.join(this.layersRoot, 'layers.json');
    this.lockFile = path.join(this.root, 'index.lock');
    this.blobs = new BlobStore(this.blobsDir, this.ingestDir);
    this.blobs.minFreeBytes = this.limits.minFreeBytes;
    this.usage = opts.usage ?? NO_IMAGE_USAGE;
    this.log = opts.log ?? (() => undefined);
  }

  /** Creates the layout when missing and sweeps leftovers of crashed operations. */
  static async open(opts: ImageStoreOptions): Promise<ImageStore> {
    const s = new ImageStore(opts);
    await s.init();
    return s;
  }

  private async init(): Promise<void> {
    await fs.promises.mkdir(this.dataRoot, { recursive: true, mode: 0o711 });
    for (const d of [this.root, this.ingestDir, this.layersRoot]) {
      await fs.promises.mkdir(d, { recursive: true, mode: 0o700 });
      await fs.promises.chmod(d, 0o700);
    }
    await fs.promises.mkdir(this.blobsDir, { recursive: true, mode: 0o700 });
    const layout = path.join(this.root, 'oci-layout');
    if (!fs.existsSync(layout)) await writeFileAtomic(layout, JSON.stringify({ imageLayoutVersion: '1.0.0' }));
    await this.locked(async () => {
      if (!fs.existsSync(this.indexFile)) await this.writeIndex(emptyIndex());
      if (!fs.existsSync(this.layersFile)) await this.writeLayers({ version: 1, layers: {} });
    });
    await this.sweep();
    if (ownsDataRoot(this.dataRoot)) await this.locked(() => this.collectUnreferenced());
  }

  /**
   * What a crash between moving files into place and writing index.json
   * leaves (and what a pull commits before its image is recorded): layer
   * dirs, layers.json entries and blobs no image in index.json uses. Never
   * listed, only disk; removed at open, when this engine owns the data root
   * (nothing can be mid-operation). A damaged table is left alone.
   */
  private async collectUnreferenced(): Promise<void> {
    let index: IndexDoc;
    let layers: LayersDoc;
    try {
      index = await this.readIndex();
      layers = await this.readLayers();
    } catch {
      return; // STORE_CORRUPT: the tables are not trusted to decide what is garbage
    }
    const manifests = new Set<string>(index.manifests.map((d) => d.digest));
    const blobs = new Set<string>();
    for (const d of index.manifests) {
      if (isIndexMediaType(d.mediaType)) return; // an index names more blobs than we read here: keep all
      try {
        const m = await this.manifestOf(d.digest as Digest);
        for (const b of [d.digest, m.config.digest, ...m.layers.map((l) => l.digest)]) blobs.add(b);
      } catch {
        return; // an unreadable manifest: keep everything
      }
    }
    let changed = false;
    for (const [key, rec] of Object.entries(layers.layers)) {
      const refs = rec.refs.filter((r) => manifests.has(r));
      if (refs.length !== rec.refs.length) changed = true;
      if (refs.length === 0) delete layers.layers[key];
      else rec.refs = refs;
    }
    if (changed) await this.writeLayers(layers);
    let dirs = 0;
    for (const name of await fs.promises.readdir(this.layersRoot)) {
      if (!/^[0-9a-f]{64}$/.test(name) || layers.layers[name]) continue;
      const grave = path.join(this.layersRoot, `.gc-${name}-${process.pid}-${Date.now()}`);
      await fs.promises.rename(path.join(this.layersRoot, name), grave);
      await fs.promises.rm(grave, { recursive: true, force: true });
      dirs++;
    }
    let files = 0;
    for (const name of await fs.promises.readdir(this.blobsDir)) {
      if (!/^[0-9a-f]{64}$/.test(name) || blobs.has(`sha256:${name}`)) continue;
      await fs.promises.rm(path.join(this.blobsDir, name), { force: true });
      files++;
    }
    if (dirs + files > 0) this.log(`image store: removed ${dirs} unreferenced layer dirs and ${files} blobs`);
  }

  /**
   * Removes what crashed operations left: temp files, staging dirs, layer
   * extractions. The helper holds <dataRoot>/engine.lock for its life (one
   * engine per data root), so at open nothing else can be using them; a
   * store opened without that lock (tests, tools) still spares anything
   * younger than an hour.
   */
  private async sweep(): Promise<void> {
    const old = async (p: string): Promise<boolean> => {
      try {
        return Date.now() - (await fs.promises.lstat(p)).mtimeMs > STALE_MS;
      } catch {
        return false;
      }
    };
    const owned = ownsDataRoot(this.dataRoot);
    const sweepDir = async (dir: string, match: (name: string) => boolean, always = owned): Promise<void> => {
      let names: string[];
      try {
        names = await fs.promises.readdir(dir);
      } catch {
        return;
      }
      for (const name of names) {
        if (!match(name)) continue;
        const p = path.join(dir, name);
        if (always || (await old(p))) {
          this.log(`image store: removing leftover ${p}`);
          await fs.promises.rm(p, { recursive: true, force: true });
        }
      }
    };
    await sweepDir(this.blobsDir, (n) => n.startsWith('.') && n.endsWith('.tmp'));
    await sweepDir(this.root, (n) => n.startsWith('.') && n.endsWith('.tmp'));
    await sweepDir(this.layersRoot, (n) => n.startsWith('.gc-'), true);
    await sweepDir(this.layersRoot, (n) => n.startsWith('.') && (n.includes('.extract-') || n.endsWith('.tmp')));
    await sweepDir(this.ingestDir, (n) => !n.endsWith('.partial'));
  }

  setUsage(usage: ImageUsage): void {
    this.usage = usage;
  }

  createNativeOps(): NativeFsOps {
    return (this.opts.nativeOps ?? createNativeFsOps)();
  }

  layerDir(chainId: string): string {
    return path.join(this.layersRoot, digestHex(chainId));
  }

  /** The uncompressed size recorded for a layer (null when unknown). */
  knownLayerSize(chainId: string): number | null {
    return this.layerSizes.get(chainId) ?? null;
  }

  registerStaging(s: Staging): void {
    this.stagings.add(s);
  }

  unregisterStaging(s: Staging): void {
    this.stagings.delete(s);
  }

  async beginStaging(kind: string): Promise<Staging> {
    await this.readLayers(); // fills the size cache used while staging
    return Staging.create(this, kind);
  }

  // ── metadata files ─────────────────────────────────────────────────────────

  private locked<T>(fn: () => Promise<T>): Promise<T> {
    return withStoreLock(this.lockFile, fn, this.opts.lockTimeoutMs);
  }

  /** A damaged table is STORE_CORRUPT (with the reason), never an INTERNAL from a parser. */
  private corrupt(file: string, reason: string): BerthError {
    return new BerthError('STORE_CORRUPT', `${file}: ${reason}`, { file, reason });
  }

  async readIndex(): Promise<IndexDoc> {
    const r = await readRecordFileAsync(this.indexFile, ImageIndexSchema);
    if (r.kind === 'missing') return emptyIndex();
    if (r.kind === 'damaged') throw this.corrupt(this.indexFile, r.reason);
    return r.value as IndexDoc;
  }

  private async writeIndex(doc: IndexDoc): Promise<void> {
    await writeFileAtomic(this.indexFile, JSON.stringify(doc, null, 2) + '\n');
  }

  async readLayers(): Promise<LayersDoc> {
    const r = await readRecordFileAsync(this.layersFile, LayersDocSchema);
    if (r.kind === 'damaged') throw this.corrupt(this.layersFile, r.reason);
    const doc: LayersDoc = r.kind === 'ok' ? r.value : { version: 1, layers: {} };
    const sizes = new Map<string, number>();
    for (const rec of Object.values(doc.layers)) if (rec.size !== null) sizes.set(rec.chainId, rec.size);
    this.layerSizes = sizes;
    return doc;
  }

  private async writeLayers(doc: LayersDoc): Promise<void> {
    await writeFileAtomic(this.layersFile, JSON.stringify(doc, null, 2) + '\n', 0o600);
    const sizes = new Map<string, number>();
    for (const rec of Object.values(doc.layers)) if (rec.size !== null) sizes.set(rec.chainId, rec.size);
    this.layerSizes = sizes;
  }

  // ── reading images ─────────────────────────────────────────────────────────

  async manifestOf(digest: string): Promise<ImageManifest> {
    const hit = this.manifestCache.get(digest);
    if (hit) return hit;
    const bytes = await this.blobs.read(digest);
    if (sha256(bytes) !== digest) {
      throw new BerthError('DIGEST_MISMATCH', `stored manifest ${digest} does not match its digest`, { blob: digest });
    }
    const m = parseJsonWith(ImageManifestSchema, bytes, digest);
    this.manifestCache.set(digest, m);
    return m;
  }

  async configOf(digest: string): Promise<ImageConfig> {
    const hit = this.configCache.get(digest);
    if (hit) return hit;
    const bytes = await this.blobs.read(digest);
    if (sha256(bytes) !== digest) {
      throw new BerthError('DIGEST_MISMATCH', `stored config ${digest} does not match its digest`, { blob: digest });
    }
    const c = parseJsonWith(ImageConfigSchema, bytes, digest);
    this.configCache.set(digest, c);
    return c;
  }

  private async imageFor(doc: IndexDoc, digest: string): Promise<StoredImage> {
    const desc = doc.manifests.find((d) => d.digest === digest);
    if (!desc) throw notFound(digest);
    const manifest = await this.manifestOf(digest);
    const config = await this.configOf(manifest.config.digest);
    const diffIds = config.rootfs.diff_ids.map((d) => parseDigest(d, 'diffID'));
    const { annotations: _a, ...base } = desc;
    return {
      id: parseDigest(manifest.config.digest),
      manifestDigest: parseDigest(digest),
      manifestDescriptor: base,
      manifest,
      config,
      tags: tagsOf(doc, digest),
      diffIds,
      chainIds: chainIds(diffIds),
    };
  }

  private async imagesOf(doc: IndexDoc): Promise<StoredImage[]> {
    const out: StoredImage[] = [];
    for (const d of manifestDigests(doc)) {
      try {
        out.push(await this.imageFor(doc, d));
      } catch (err) {
        this.log(`image store: skipping ${d}: ${(err as Error).message}`);
      }
    }
    return out;
  }

  async list(): Promise<StoredImage[]> {
    await this.readLayers();
    return this.imagesOf(await this.readIndex());
  }

  /**
   * Finds an image the way docker does: a tag ("busybox" means
   * docker.io/library/busybox:latest), name@digest or a bare manifest
   * digest, an image ID ("sha256:…"), or an unambiguous ID prefix.
   */
  async resolve(ref: string): Promise<StoredImage> {
    const doc = await this.readIndex();
    return this.resolveIn(doc, await this.imagesOf(doc), ref);
  }

  private resolveIn(doc: IndexDoc, images: StoredImage[], ref: string): StoredImage {
    const matches = this.match(doc, images, ref);
    if (matches.kind === 'tag') return matches.images[0] as StoredImage;
    const first = matches.images[0];
    if (!first) throw notFound(ref);
    if (new Set(matches.images.map((i) => i.id)).size > 1) {
      throw new BerthError('IMAGE_AMBIGUOUS', `${ref} matches more than one image`, {
        ref,
        ids: matches.images.map((i) => i.id),
      });
    }
    // Several manifests of one config: prefer one with tags.
    return matches.images.find((i) => i.tags.length > 0) ?? first;
  }

  private match(doc: IndexDoc, images: StoredImage[], ref: string): { kind: 'tag' | 'id'; images: StoredImage[] } {
    const s = ref.trim();
    if (isDigest(s)) {
      return { kind: 'id', images: images.filter((i) => i.id === s || i.manifestDigest === s) };
    }
    let parsed: ReturnType<typeof parseReference> | undefined;
    try {
      parsed = parseReference(s);
    } catch (err) {
      if (!looksLikeImageId(s)) throw err;
    }
    if (parsed) {
      if (parsed.digest !== undefined) {
        return { kind: 'id', images: images.filter((i) => i.manifestDigest === parsed.digest) };
      }
      const full = formatReference(withDefaultTag(parsed));
      const digest = digestOfTag(doc, full);
      const img = digest === undefined ? undefined : images.find((i) => i.manifestDigest === digest);
      if (img) return { kind: 'tag', images: [img] };
    }
    if (looksLikeImageId(s)) {
      const hex = s.startsWith('sha256:') ? s.slice(7) : s;
      return { kind: 'id', images: images.filter((i) => digestHex(i.id).startsWith(hex)) };
    }
    return { kind: 'id', images: [] };
  }

  /** The overlay lowerdir list for an image: topmost layer first. */
  async lowerDirs(ref: string): Promise<string[]> {
    const img = await this.resolve(ref);
    return this.lowerDirsOf(img);
  }

  lowerDirsOf(img: StoredImage): string[] {
    const dirs = img.chainIds.map((c) => this.layerDir(c));
    for (const [i, d] of dirs.entries()) {
      if (!fs.existsSync(d)) {
        throw new BerthError('LAYER_MISSING', `layer ${img.chainIds[i]} of ${img.id} is not unpacked at ${d}`, {
          chainId: img.chainIds[i],
          dir: d,
        });
      }
    }
    return dirs.reverse();
  }

  /** Sum of the uncompressed layer sizes, falling back to the blob sizes for layers with none recorded. */
  imageSize(img: StoredImage): number {
    return img.chainIds.reduce((sum, c, i) => sum + (this.layerSizes.get(c) ?? img.manifest.layers[i]?.size ?? 0), 0);
  }

  containersUsing(imageId: string): string[] {
    return this.usage.containersUsing(imageId);
  }

  async layerRecords(): Promise<Record<string, LayerRecord>> {
    return (await this.readLayers()).layers;
  }

  // ── changing images ────────────────────────────────────────────────────────

  /**
   * Moves a staging area's blobs and layer dirs into place and records the
   * images, all under the lock. Either every image is recorded or the store
   * is left as it was (moved files are taken back, metadata restored).
   */
  async commitStaged(staging: Staging, images: readonly StagedImage[]): Promise<CommittedImage[]> {
    return this.locked(async () => {
      // The renames need no space; index.json and layers.json do, and so does whatever comes next.
      assertFreeSpace(this.root, this.limits.minFreeBytes, 0, 'committing to the image store');
      const prevIndex = await this.readIndex();
      const prevLayers = await this.readLayers();
      const created: string[] = [];
      let wroteLayers = false;
      let wroteIndex = false;
      faultPoint('commit.begin');
      try {
        for (const [digest, file] of staging.blobs) {
          const target = this.blobs.path(digest);
          if (fs.existsSync(target)) continue;
          await fs.promises.rename(file, target);
          created.push(target);
          faultPoint('commit.blob-moved'); // @n: after the n-th blob
        }
        await fsyncDir(this.blobsDir);
        for (const layer of staging.layers.values()) {
          const target = this.layerDir(layer.chainId);
          if (fs.existsSync(target)) continue;
          await fs.promises.rename(layer.dir, target);
          created.push(target);
        }
        await fsyncDir(this.layersRoot);
        faultPoint('commit.moved');

        const layers: LayersDoc = structuredClone(prevLayers);
        let index = prevIndex;
        const out: CommittedImage[] = [];
        for (const img of images) {
          for (const d of [img.manifestDigest, img.configDigest, ...img.manifest.layers.map((l) => l.digest)]) {
            if (!fs.existsSync(this.blobs.path(d))) {
              throw new BerthError('BLOB_MISSING', `blob ${d} of ${img.manifestDigest} is not in the store`, {
                blob: d,
              });
            }
          }
          const diffIds = img.config.rootfs.diff_ids.map((d) => parseDigest(d, 'diffID'));
          const chains = chainIds(diffIds);
          for (const [i, chainId] of chains.entries()) {
            if (!fs.existsSync(this.layerDir(chainId))) {
              throw new BerthError('LAYER_MISSING', `layer ${chainId} vanished while ${img.manifestDigest} was added`, {
                chainId,
              });
            }
            const key = digestHex(chainId);
            const staged: StagedLayer | undefined = staging.layers.get(chainId);
            const rec = (layers.layers[key] ??= {
              chainId,
              diffId: diffIds[i] as Digest,
              parent: i === 0 ? null : (chains[i - 1] as Digest),
              size: null,
              refs: [],
            });
            if (rec.size === null && staged && staged.size >= 0) rec.size = staged.size;
            if (!rec.refs.includes(img.manifestDigest)) rec.refs.push(img.manifestDigest);
          }
          const desc = this.descriptorFor(img);
          index = ensureImage(index, desc);
          for (const tag of img.tags) index = setTag(index, tag, desc).doc;
          out.push({ id: img.configDigest, manifestDigest: img.manifestDigest, tags: img.tags, layers: chains.length });
        }
        await this.writeLayers(layers);
        wroteLayers = true;
        faultPoint('commit.layers-written');
        await this.writeIndex(index);
        wroteIndex = true;
        faultPoint('commit.done');
        // Recorded now: the index keeps these blobs, pins are no longer needed.
        for (const img of images) {
          for (const d of [img.manifestDigest, img.configDigest, ...img.manifest.layers.map((l) => l.digest)]) {
            this.blobs.unpin(d);
          }
        }
        return out;
      } catch (err) {
        if (wroteIndex) await this.writeIndex(prevIndex).catch(() => undefined);
        if (wroteLayers) await this.writeLayers(prevLayers).catch(() => undefined);
        for (const p of created.reverse()) await fs.promises.rm(p, { recursive: true, force: true });
        throw err;
      }
    });
  }

  private descriptorFor(img: StagedImage): Descriptor {
    const desc: Descriptor = {
      mediaType: img.manifest.mediaType ?? MediaTypes.ociManifest,
      digest: img.manifestDigest,
      size: img.manifestBytes.length,
    };
    desc.platform = {
      architecture: img.config.architecture,
      os: img.config.os,
      ...(img.config.variant !== undefined ? { variant: img.config.variant } : {}),
    };
    return desc;
  }

  /**
   * Records an image whose blobs the registry client already committed
   * (BlobSink): verifies manifest and config, unpacks the layers (staged,
   * then moved into place) and tags it.
   */
  async addPulled(p: PulledImage, opts: { signal?: AbortSignal } = {}): Promise<CommittedImage> {
    const manifestBytes = Buffer.from(p.manifestBytes);
    const manifestDigest = parseDigest(p.manifestDigest, 'manifest digest');
    if (sha256(manifestBytes) !== manifestDigest) {
      throw new BerthError('DIGEST_MISMATCH', `manifest bytes do not match ${manifestDigest}`, {
        blob: manifestDigest,
        expected: manifestDigest,
        actual: sha256(manifestBytes),
      });
    }
    const manifest = parseJsonWith(ImageManifestSchema, manifestBytes, manifestDigest);
    if (isIndexMediaType(manifest.mediaType)) {
      throw new BerthError('MANIFEST_INVALID', `${manifestDigest} is an index; resolve a platform manifest first`, {
        blob: manifestDigest,
      });
    }
    const configBytes = Buffer.from(p.configBytes);
    const configDigest = sha256(configBytes);
    if (configDigest !== manifest.config.digest) {
      throw new BerthError('DIGEST_MISMATCH', `config bytes do not match ${manifest.config.digest}`, {
        blob: manifest.config.digest,
        expected: manifest.config.digest,
        actual: configDigest,
      });
    }
    const config = parseJsonWith(ImageConfigSchema, configBytes, configDigest);
    if (
      p.layers.length !== manifest.layers.length ||
      p.layers.some((l, i) => l.digest !== manifest.layers[i]?.digest)
    ) {
      throw new BerthError('MANIFEST_INVALID', 'the layers given are not the manifest layers', {
        blob: manifestDigest,
      });
    }
    for (const l of manifest.layers) {
      if (!(await this.blobs.exists(l.digest))) {
        throw new BerthError('BLOB_MISSING', `layer blob ${l.digest} is not committed`, { blob: l.digest });
      }
    }
    const tags = p.repoTag === undefined ? [] : [normalizeTag(p.repoTag)];
    const staging = await this.beginStaging('pull');
    try {
      await staging.addBytes(manifestBytes, { digest: manifestDigest });
      await staging.addBytes(configBytes, { digest: configDigest });
      const img: StagedImage = { manifestBytes, manifestDigest, manifest, configDigest, config, tags };
      await staging.unpack(img, opts);
      const [done] = await this.commitStaged(staging, [img]);
      return done as CommittedImage;
    } finally {
      await staging.cleanup();
    }
  }

  /** `docker tag`: points TARGET at SOURCE's image. */
  async tag(source: string, target: string): Promise<{ id: Digest; tag: string }> {
    const tag = normalizeTag(target);
    return this.locked(async () => {
      const doc = await this.readIndex();
      const img = this.resolveIn(doc, await this.imagesOf(doc), source);
      const { doc: next } = setTag(doc, tag, img.manifestDescriptor);
      await this.writeIndex(next);
      return { id: img.id, tag };
    });
  }

  /**
   * `docker rmi`: a tag of an image with other tags is only untagged; the
   * last tag, an ID or a digest deletes the image (an ID with several tags
   * needs `force`). Deleting is refused with IMAGE_IN_USE while containers
   * use the image. Blobs and layer dirs nothing else references go too.
   */
  async remove(ref: string, opts: { force?: boolean } = {}): Promise<RemoveResult> {
    return this.locked(async () => {
      const doc = await this.readIndex();
      const images = await this.imagesOf(doc);
      const m = this.match(doc, images, ref);
      if (m.images.length === 0) throw notFound(ref);
      if (m.kind === 'id' && new Set(m.images.map((i) => i.id)).size > 1) {
        throw new BerthError('IMAGE_AMBIGUOUS', `${ref} matches more than one image`, {
          ref,
          ids: m.images.map((i) => i.id),
        });
      }
      let next = doc;
      const untagged: string[] = [];
      if (m.kind === 'tag') {
        const img = m.images[0] as StoredImage;
        const tag = formatReference(withDefaultTag(parseReference(ref)));
        if (img.tags.length > 1) {
          next = removeTag(doc, tag, true);
          await this.writeIndex(next);
          return { untagged: [tag], deleted: [] };
        }
      }
      const victims = m.images;
      const id = (victims[0] as StoredImage).id;
      const tags = victims.flatMap((v) => v.tags);
      if (m.kind === 'id' && tags.length > 1 && !opts.force) {
        throw new BerthError(
          'IMAGE_CONFLICT',
          `unable to delete ${digestHex(id).slice(0, 12)} (must be forced): image is referenced in ${tags.length} tags`,
          { id, tags },
        );
      }
      const users = this.usage.containersUsing(id);
      if (users.length > 0) {
        throw new BerthError(
          'IMAGE_IN_USE',
          `image ${digestHex(id).slice(0, 12)} is in use by container${users.length > 1 ? 's' : ''} ${users.join(', ')}`,
          { id, containers: users },
        );
      }
      for (const v of victims) {
        untagged.push(...v.tags);
        next = removeImage(next, v.manifestDigest);
      }
      await this.writeIndex(next);
      const remaining = images.filter((i) => !victims.some((v) => v.manifestDigest === i.manifestDigest));
      const deleted = await this.collect(victims, remaining);
      return { untagged, deleted };
    });
  }

  /**
   * Deletes what only the removed images referenced: their manifests,
   * configs and layer blobs, and layer dirs no remaining image needs.
   * Pinned blobs (a pull in progress) and layers a staging builds on stay.
   * Caller holds the lock and has written index.json already.
   */
  private async collect(removed: readonly StoredImage[], remaining: readonly StoredImage[]): Promise<string[]> {
    const liveBlobs = new Set<string>();
    const liveChains = new Set<string>();
    for (const i of remaining) {
      liveBlobs.add(i.manifestDigest);
      liveBlobs.add(i.id);
      for (const l of i.manifest.layers) liveBlobs.add(l.digest);
      for (const c of i.chainIds) liveChains.add(c);
    }
    for (const s of this.stagings) {
      for (const c of s.pinnedChains) liveChains.add(c);
    }
    const deleted: string[] = [];
    const seen = new Set<string>();
    for (const img of removed) {
      for (const d of [img.manifestDigest, img.id, ...img.manifest.layers.map((l) => l.digest)]) {
        if (seen.has(d) || liveBlobs.has(d) || this.blobs.isPinned(d)) continue;
        seen.add(d);
        await this.blobs.remove(d);
        this.manifestCache.delete(d);
        this.configCache.delete(d);
      }
      if (!remaining.some((r) => r.id === img.id)) deleted.push(img.id);
    }
    const layers = await this.readLayers();
    for (const img of removed) {
      for (const c of img.chainIds) {
        const key = digestHex(c);
        const rec = layers.layers[key];
        if (rec) rec.refs = rec.refs.filter((r) => r !== img.manifestDigest);
        if (liveChains.has(c)) continue;
        const dir = this.layerDir(c);
        if (fs.existsSync(dir)) {
          const grave = path.join(this.layersRoot, `.gc-${key}-${process.pid}-${Date.now()}`);
          await fs.promises.rename(dir, grave);
          await fs.promises.rm(grave, { recursive: true, force: true });
        }
        delete layers.layers[key];
      }
    }
    await this.writeLayers(layers);
    return deleted;
  }
}
