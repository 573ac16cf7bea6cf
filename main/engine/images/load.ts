/**
 * `docker load` for the store: docker save tars (classic, and Docker 25+
 * with an OCI layout inside) and OCI archives, layers plain, gzip or zstd.
 *
 * The archive is indexed once (engine/layers/archive-index.ts) and planned
 * with the analyzer's planImage, so both read archives the same way and
 * check the same digests. Every blob is copied into a staging area under
 * `<store>/ingest/load-…/` while it is hashed and checked against the
 * manifest (digest, size) and the config (diffIDs); layers are unpacked
 * there too. Only when every image of the archive verified does one locked
 * commit move things into place; any error removes the staging area and
 * leaves the store exactly as it was.
 *
 * A classic docker save has no manifest: we build an OCI manifest listing
 * the layers as they are in the tar (an uncompressed layer.tar keeps media
 * type application/vnd.oci.image.layer.v1.tar) and keep the config bytes
 * untouched, so the image ID (sha256 of the config) stays Docker's.
 */
import fs from 'node:fs';
import { detectCompression, type Compression } from './compression';
import { sha256, type Digest } from './digest';
import {
  DockerSaveManifestSchema,
  ImageIndexSchema,
  ImageManifestSchema,
  MediaTypes,
  isManifestMediaType,
  type Descriptor,
  type ImageManifest,
} from './oci-types';
import { normalizeTag } from './reference';
import { ArchiveIndex } from '../layers/archive-index';
import { parseJsonWith, planImage, type ArchiveFormat, type ImagePlan } from '../layers/image-source';
import type { ImageStore } from './store/store';
import type { StagedImage, Staging } from './store/staging';
import { BerthError } from '../../../preload/errors';

const MAX_JSON = 16 * 1024 * 1024;

export interface LoadProgress {
  phase: 'verify' | 'unpack';
  current: number;
  total: number;
  message?: string;
}

export interface LoadOptions {
  onProgress?: (p: LoadProgress) => void;
  signal?: AbortSignal;
}

export interface LoadedImage {
  /** Image ID (config digest). */
  id: Digest;
  manifestDigest: Digest;
  /** Full normalized references. */
  repoTags: string[];
  layers: number;
  format: ArchiveFormat;
}

const LAYER_MEDIA: Record<Compression, string> = {
  none: MediaTypes.ociLayer,
  gzip: MediaTypes.ociLayerGzip,
  zstd: MediaTypes.ociLayerZstd,
};

function isAttestation(d: Descriptor): boolean {
  return d.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest' || d.platform?.os === 'unknown';
}

/** Plans every image of the archive (planImage selects one at a time). */
async function planAll(index: ArchiveIndex): Promise<ImagePlan[]> {
  let count: number;
  if (index.has('manifest.json')) {
    const member = index.resolve('manifest.json', 'docker manifest');
    count = parseJsonWith(
      DockerSaveManifestSchema,
      await index.read(member, MAX_JSON, 'manifest.json'),
      'manifest.json',
    ).length;
  } else if (index.has('index.json')) {
    const member = index.resolve('index.json', 'image index');
    const idx = parseJsonWith(ImageIndexSchema, await index.read(member, MAX_JSON, 'index.json'), 'index.json');
    count = idx.manifests.filter((d) => !isAttestation(d)).length;
  } else {
    return [await planImage(index)]; // throws the analyzer's "not an image archive"
  }
  if (count === 0) throw new BerthError('MANIFEST_INVALID', 'the archive holds no image', { entry: index.file });
  const plans: ImagePlan[] = [];
  for (let i = 0; i < count; i++) plans.push(await planImage(index, { image: i }));
  return plans;
}

/** Tags as recorded: normalized; an OCI ref.name that is only a tag ("latest") names no repository and is dropped. */
function tagsOf(plan: ImagePlan): string[] {
  const out: string[] = [];
  for (const t of plan.repoTags) {
    if (plan.format === 'oci-archive' && !t.includes('/') && !t.includes(':')) continue;
    const n = normalizeTag(t);
    if (!out.includes(n)) out.push(n);
  }
  return out;
}

async function readHead(file: string): Promise<Buffer> {
  const fh = await fs.promises.open(file, 'r');
  try {
    const buf = Buffer.alloc(512);
    const { bytesRead } = await fh.read(buf, 0, 512, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/** Docker 25+ writes the OCI manifest too: keep it (and its digest) when it describes exactly these blobs. */
async function dockerOciManifest(
  index: ArchiveIndex,
  plan: ImagePlan,
  layerDigests: readonly string[],
): Promise<{ bytes: Buffer; digest: Digest; manifest: ImageManifest } | undefined> {
  if (plan.format !== 'docker-save-oci' || !index.has('index.json')) return undefined;
  const idx = parseJsonWith(
    ImageIndexSchema,
    await index.read(index.resolve('index.json', 'image index'), MAX_JSON, 'index.json'),
    'index.json',
  );
  for (const d of idx.manifests) {
    if (!isManifestMediaType(d.mediaType)) continue;
    const name = `blobs/sha256/${d.digest.slice(7)}`;
    if (!index.has(name)) continue;
    const bytes = await index.read(index.resolve(name, 'image manifest'), MAX_JSON, name);
    if (sha256(bytes) !== d.digest) {
      throw new BerthError('DIGEST_MISMATCH', `image manifest ${name} does not match its digest`, {
        entry: name,
        blob: name,
        expected: d.digest,
        actual: sha256(bytes),
      });
    }
    let manifest: ImageManifest;
    try {
      manifest = parseJsonWith(ImageManifestSchema, bytes, name);
    } catch {
      continue;
    }
    if (
      manifest.config.digest === plan.configDigest &&
      manifest.layers.length === layerDigests.length &&
      manifest.layers.every((l, i) => l.digest === layerDigests[i])
    ) {
      return { bytes, digest: d.digest as Digest, manifest };
    }
  }
  return undefined;
}

async function stagePlan(
  index: ArchiveIndex,
  plan: ImagePlan,
  staging: Staging,
  verified: { bytes: number; total: number },
  opts: LoadOptions,
): Promise<StagedImage> {
  const configMember = index.resolve(plan.configName, 'image config');
  const configBytes = await index.read(configMember, MAX_JSON, plan.configName);
  await staging.addBytes(configBytes, { digest: plan.configDigest, what: plan.configName });

  const byMember = new Map<string, Descriptor>();
  const layers: Descriptor[] = [];
  const diffIds = plan.config.rootfs.diff_ids;
  for (const [i, ref] of plan.layers.entries()) {
    opts.signal?.throwIfAborted();
    let desc = byMember.get(ref.member.name);
    if (!desc) {
      if (ref.expectedSize !== undefined && ref.member.size !== ref.expectedSize) {
        throw new BerthError(
          'DIGEST_MISMATCH',
          `${ref.name}: ${ref.member.size} bytes, descriptor says ${ref.expectedSize}`,
          {
            entry: ref.name,
            blob: ref.name,
            expectedSize: ref.expectedSize,
            actualSize: ref.member.size,
            reason: 'size',
          },
        );
      }
      const written = await staging.addBlob(index.open(ref.member), {
        ...(ref.expectedDigest ? { digest: ref.expectedDigest } : {}),
        size: ref.member.size,
        what: ref.name,
      });
      verified.bytes += ref.member.size;
      opts.onProgress?.({ phase: 'verify', current: verified.bytes, total: verified.total, message: ref.name });
      const compression = detectCompression(await readHead(staging.blobPath(written.digest)));
      if (compression === null) {
        throw new BerthError('COMPRESSION_BAD', `${ref.name}: neither a tar archive nor gzip or zstd data`, {
          entry: ref.name,
          blob: ref.name,
        });
      }
      desc = { mediaType: ref.mediaType ?? LAYER_MEDIA[compression], digest: written.digest, size: written.size };
      // A plain layer is its own uncompressed stream: its digest must be the diffID.
      if (compression === 'none' && written.digest !== diffIds[i]) {
        throw new BerthError(
          'DIGEST_MISMATCH',
          `digest mismatch for ${ref.name}: the config's diff_ids[${i}] is ${diffIds[i]}, the layer is ${written.digest}`,
          { entry: ref.name, blob: ref.name, expected: diffIds[i], actual: written.digest, kind: 'diffID', layer: i },
        );
      }
      byMember.set(ref.member.name, desc);
    }
    layers.push(desc);
  }

  let manifestBytes: Buffer;
  let manifestDigest: Digest;
  let manifest: ImageManifest;
  const kept =
    plan.format === 'oci-archive' && plan.manifestDigest
      ? await (async () => {
          const name = `blobs/sha256/${plan.manifestDigest?.slice(7) ?? ''}`;
          const bytes = await index.read(index.resolve(name, 'image manifest'), MAX_JSON, name);
          return {
            bytes,
            digest: plan.manifestDigest as Digest,
            manifest: parseJsonWith(ImageManifestSchema, bytes, name),
          };
        })()
      : await dockerOciManifest(
          index,
          plan,
          layers.map((l) => l.digest),
        );
  if (kept) {
    ({ bytes: manifestBytes, digest: manifestDigest, manifest } = kept);
  } else {
    manifest = {
      schemaVersion: 2,
      mediaType: MediaTypes.ociManifest,
      config: { mediaType: MediaTypes.ociConfig, digest: plan.configDigest, size: configBytes.length },
      layers,
    };
    manifestBytes = Buffer.from(JSON.stringify(manifest));
    manifestDigest = sha256(manifestBytes);
  }
  await staging.addBytes(manifestBytes, { digest: manifestDigest, what: 'image manifest' });
  return {
    manifestBytes,
    manifestDigest,
    manifest,
    configDigest: plan.configDigest,
    config: plan.config,
    tags: tagsOf(plan),
  };
}

/** Loads every image of an archive file into the store, all or nothing. */
export async function loadArchive(store: ImageStore, file: string, opts: LoadOptions = {}): Promise<LoadedImage[]> {
  const index = await ArchiveIndex.open(file);
  const plans = await planAll(index);
  const seenMembers = new Set<string>();
  let total = 0;
  for (const p of plans) {
    for (const l of p.layers) {
      if (seenMembers.has(l.member.name)) continue;
      seenMembers.add(l.member.name);
      total += l.member.size;
    }
  }
  const staging = await store.beginStaging('load');
  try {
    const verified = { bytes: 0, total };
    const staged: StagedImage[] = [];
    const formats = new Map<string, ArchiveFormat>();
    for (const plan of plans) {
      const img = await stagePlan(index, plan, staging, verified, opts);
      const same = staged.find((s) => s.manifestDigest === img.manifestDigest);
      if (same) {
        for (const t of img.tags) if (!same.tags.includes(t)) same.tags.push(t);
      } else {
        staged.push(img);
        formats.set(img.manifestDigest, plan.format);
      }
    }
    const layerTotal = staged.reduce((n, s) => n + s.manifest.layers.length, 0);
    let layerDone = 0;
    for (const [k, img] of staged.entries()) {
      const plan = plans.find((p) => p.configDigest === img.configDigest) ?? plans[k];
      await staging.unpack(img, {
        names: plan?.layers.map((l) => l.name) ?? [],
        ...(opts.signal ? { signal: opts.signal } : {}),
        onLayer: (p) => {
          layerDone++;
          opts.onProgress?.({
            phase: 'unpack',
            current: layerDone,
            total: layerTotal,
            message: `${p.state === 'present' ? 'already present' : 'unpacked'} ${p.chainId.slice(0, 19)}`,
          });
        },
      });
    }
    const committed = await store.commitStaged(staging, staged);
    return committed.map((c) => ({
      id: c.id,
      manifestDigest: c.manifestDigest,
      repoTags: c.tags,
      layers: c.layers,
      format: formats.get(c.manifestDigest) ?? 'docker-save',
    }));
  } finally {
    await staging.cleanup();
  }
}
