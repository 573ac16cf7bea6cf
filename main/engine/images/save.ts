/**
 * `docker save` from the store: one tar that is at the same time
 *  - a classic docker-archive: manifest.json (Config, RepoTags, Layers),
 *    the config as a file named by its digest, every layer as an
 *    uncompressed tar, and
 *  - an OCI image layout like Docker 25+ writes: oci-layout, index.json
 *    (io.containerd.image.name + org.opencontainers.image.ref.name) and
 *    blobs/sha256/, where manifest.json's paths point as well.
 * Layers are stored under their diffID (the uncompressed tar's digest);
 * compressed blobs are decompressed while they stream out and re-hashed, so
 * a layer that does not match its diffID aborts the export. The config is
 * written byte for byte, so the image ID survives load → save → load.
 * Entries carry mtime 0: the same images give the same tar.
 */
import fs from 'node:fs';
import { openDecompressed } from '../oci/compression';
import { DigestTap, assertDigest, digestHex, sha256, type Digest } from '../oci/digest';
import { MediaTypes, type ImageManifest } from '../oci/oci-types';
import { familiarize, normalizeReference, parseReference } from './reference';
import { BLOCK, padding } from '../oci/tar/format';
import { encodeEntryHeader, tarChunks, type TarWriteEntry } from '../oci/tar/writer';
import type { ImageStore, StoredImage } from './store/store';
import { pipeToFile } from '../../shared/pipe-to-file';

export interface SavePlan {
  entries: TarWriteEntry[];
  /** Exact length of the tar the entries make. */
  size: number;
  images: Array<{ id: Digest; repoTags: string[] }>;
}

const blobName = (d: string): string => `blobs/sha256/${digestHex(d)}`;

/** The uncompressed layer as it streams out of its blob, checked against the diffID at the end. */
async function* layerTar(store: ImageStore, blob: string, diffId: string): AsyncGenerator<Buffer> {
  const { stream } = await openDecompressed(store.blobs.open(blob) as AsyncIterable<Uint8Array>);
  const tap = new DigestTap();
  yield* tap.tap(stream);
  assertDigest(diffId, tap.digest(), `layer ${blob} (uncompressed)`, { kind: 'diffID' });
}

/** Bytes of a layer's uncompressed tar: recorded at unpack time, or counted now. */
async function uncompressedSize(store: ImageStore, chainId: string, blob: string, blobSize: number): Promise<number> {
  const known = store.knownLayerSize(chainId);
  if (known !== null) return known;
  const { compression, stream } = await openDecompressed(store.blobs.open(blob) as AsyncIterable<Uint8Array>);
  if (compression === 'none') {
    for await (const _ of stream) void _;
    return blobSize;
  }
  let n = 0;
  for await (const c of stream) n += c.length;
  return n;
}

/** A manifest whose layers are already the uncompressed diffs is exported as is (its digest survives). */
function reusable(img: StoredImage): boolean {
  return img.manifest.layers.every(
    (l, i) =>
      l.digest === img.diffIds[i] &&
      (l.mediaType === MediaTypes.ociLayer || l.mediaType === 'application/vnd.docker.image.rootfs.diff.tar'),
  );
}

function entrySize(e: TarWriteEntry): number {
  const body = e.body;
  const given =
    e.size ?? (typeof body === 'string' ? Buffer.byteLength(body) : body instanceof Uint8Array ? body.length : 0);
  const size = e.type === undefined || e.type === 'file' ? given : 0;
  return encodeEntryHeader(e).length + size + padding(size);
}

function tagsFor(ref: string, img: StoredImage): string[] {
  // A tag asked for by name exports that tag; an ID or a digest exports all of the image's tags.
  try {
    const full = normalizeReference(ref);
    if (img.tags.includes(full)) return [full];
  } catch {
    /* an ID */
  }
  return img.tags;
}

/** Resolves the refs and lays out the archive (no layer byte is read yet). */
export async function planSave(store: ImageStore, refs: readonly string[]): Promise<SavePlan> {
  await store.readLayers();
  const chosen: Array<{ img: StoredImage; tags: string[] }> = [];
  for (const ref of refs) {
    const img = await store.resolve(ref);
    const tags = tagsFor(ref, img);
    const prev = chosen.find((c) => c.img.manifestDigest === img.manifestDigest);
    if (prev) prev.tags.push(...tags.filter((t) => !prev.tags.includes(t)));
    else chosen.push({ img, tags: [...tags] });
  }

  const entries: TarWriteEntry[] = [
    { path: 'blobs', type: 'dir', mode: 0o755 },
    { path: 'blobs/sha256', type: 'dir', mode: 0o755 },
  ];
  const written = new Set<string>();
  const dockerManifest: Array<{ Config: string; RepoTags: string[] | null; Layers: string[] }> = [];
  const indexEntries: Array<Record<string, unknown>> = [];

  for (const { img, tags } of chosen) {
    const layerSizes: number[] = [];
    for (const [i, diffId] of img.diffIds.entries()) {
      const desc = img.manifest.layers[i];
      if (!desc) throw new Error(`manifest ${img.manifestDigest} has no layer ${i}`);
      const chainId = img.chainIds[i] as Digest;
      const size = await uncompressedSize(store, chainId, desc.digest, desc.size);
      layerSizes.push(size);
      if (written.has(diffId)) continue;
      written.add(diffId);
      entries.push({ path: blobName(diffId), size, body: layerTar(store, desc.digest, diffId) });
    }
    const configBytes = await store.blobs.read(img.id);
    if (!written.has(img.id)) {
      written.add(img.id);
      entries.push({ path: blobName(img.id), body: configBytes });
    }
    let manifestBytes: Buffer;
    let manifestDigest: string;
    if (reusable(img)) {
      manifestBytes = await store.blobs.read(img.manifestDigest);
      manifestDigest = img.manifestDigest;
    } else {
      const manifest: ImageManifest = {
        schemaVersion: 2,
        mediaType: MediaTypes.ociManifest,
        config: { mediaType: MediaTypes.ociConfig, digest: img.id, size: configBytes.length },
        layers: img.diffIds.map((d, i) => ({ mediaType: MediaTypes.ociLayer, digest: d, size: layerSizes[i] ?? 0 })),
      };
      manifestBytes = Buffer.from(JSON.stringify(manifest));
      manifestDigest = sha256(manifestBytes);
    }
    if (!written.has(manifestDigest)) {
      written.add(manifestDigest);
      entries.push({ path: blobName(manifestDigest), body: manifestBytes });
    }
    const desc = {
      mediaType: img.manifest.mediaType ?? MediaTypes.ociManifest,
      digest: manifestDigest,
      size: manifestBytes.length,
    };
    if (tags.length === 0) indexEntries.push(desc);
    for (const t of tags) {
      const r = parseReference(t);
      indexEntries.push({
        ...desc,
        annotations: {
          'io.containerd.image.name': t,
          'org.opencontainers.image.ref.name': r.tag ?? 'latest',
        },
      });
    }
    dockerManifest.push({
      Config: blobName(img.id),
      RepoTags: tags.length > 0 ? tags.map(familiarize) : null,
      Layers: img.diffIds.map(blobName),
    });
  }
  entries.push({
    path: 'index.json',
    body: JSON.stringify({ schemaVersion: 2, mediaType: MediaTypes.ociIndex, manifests: indexEntries }) + '\n',
  });
  entries.push({ path: 'manifest.json', body: JSON.stringify(dockerManifest) + '\n' });
  entries.push({ path: 'oci-layout', body: JSON.stringify({ imageLayoutVersion: '1.0.0' }) });
  const size = entries.reduce((s, e) => s + entrySize(e), 0) + 2 * BLOCK;
  return { entries, size, images: chosen.map((c) => ({ id: c.img.id, repoTags: c.tags })) };
}

/** The archive's bytes, streamed. */
export function saveStream(plan: SavePlan): AsyncGenerator<Buffer> {
  return tarChunks(plan.entries);
}

/** Writes the archive to a file (atomically: temp + fsync + rename). */
export async function saveToFile(store: ImageStore, refs: readonly string[], file: string): Promise<SavePlan> {
  const plan = await planSave(store, refs);
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  try {
    await pipeToFile(tmp, saveStream(plan), { flags: 'wx', mode: 0o644, sync: true });
    await fs.promises.rename(tmp, file);
  } catch (err) {
    await fs.promises.rm(tmp, { force: true });
    throw err;
  }
  return plan;
}
