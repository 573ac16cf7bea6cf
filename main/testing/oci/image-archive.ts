/**
 * Builds image archives for tests with our own tar writer: `docker save`
 * (classic and Docker 25+ OCI-style) and OCI archives. Members are returned
 * as a list so hostile cases can tamper with them before writing.
 */
import fs from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import type { Compression } from '../../engine/oci/compression';
import { DigestTap, sha256, type Digest } from '../../engine/oci/digest';
import { MediaTypes } from '../../engine/oci/oci-types';
import { tarChunks, type TarBody, type TarWriteEntry } from '../../engine/oci/tar/writer';
import { zstdRawFrame } from './zstd-raw';

export interface LayerBlob {
  compression: Compression;
  size: number;
  digest: Digest;
  diffId: Digest;
  /** In memory, or streamed from a file for big layers. */
  bytes?: Buffer;
  file?: string;
  createdBy?: string;
}

const MEDIA: Record<Compression, string> = {
  none: MediaTypes.ociLayer,
  gzip: MediaTypes.ociLayerGzip,
  zstd: MediaTypes.ociLayerZstd,
};

async function collect(src: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of src) parts.push(c);
  return Buffer.concat(parts);
}

/** A layer blob in memory. */
export async function makeLayer(
  entries: TarWriteEntry[],
  compression: Compression = 'none',
  createdBy?: string,
): Promise<LayerBlob> {
  const tar = await collect(tarChunks(entries));
  const bytes = compression === 'gzip' ? zlib.gzipSync(tar) : compression === 'zstd' ? zstdRawFrame(tar) : tar;
  const blob: LayerBlob = { compression, size: bytes.length, digest: sha256(bytes), diffId: sha256(tar), bytes };
  if (createdBy !== undefined) blob.createdBy = createdBy;
  return blob;
}

/** A layer blob (gzip unless asked otherwise) streamed to a file: memory stays flat whatever the layer size. */
export async function makeLayerFile(
  entries: Iterable<TarWriteEntry> | AsyncIterable<TarWriteEntry>,
  file: string,
  createdBy?: string,
  compression: 'gzip' | 'none' = 'gzip',
): Promise<LayerBlob> {
  const tarTap = new DigestTap();
  const blobTap = compression === 'none' ? tarTap : new DigestTap();
  const tar = Readable.from(tarTap.tap(tarChunks(entries)));
  if (compression === 'none') await pipeline(tar, fs.createWriteStream(file));
  else {
    await pipeline(
      tar,
      zlib.createGzip({ level: 1 }),
      async function* (src: AsyncIterable<Buffer>) {
        yield* blobTap.tap(src);
      },
      fs.createWriteStream(file),
    );
  }
  const blob: LayerBlob = {
    compression,
    size: blobTap.bytes,
    digest: blobTap.digest(),
    diffId: tarTap.digest(),
    file,
  };
  if (createdBy !== undefined) blob.createdBy = createdBy;
  return blob;
}

export function blobBody(b: LayerBlob): TarBody {
  if (b.bytes) return b.bytes;
  if (b.file) return fs.createReadStream(b.file);
  throw new Error('layer blob without content');
}

export interface ImageParts {
  members: TarWriteEntry[];
  config: Record<string, unknown>;
  configBytes: Buffer;
  configDigest: Digest;
  manifestDigest?: Digest;
}

export function makeConfig(layers: readonly LayerBlob[], extraHistory = true): Record<string, unknown> {
  const history: Array<Record<string, unknown>> = [];
  layers.forEach((l, i) => {
    if (extraHistory && i === 1) history.push({ created_by: '/bin/sh -c #(nop) ENV A=1', empty_layer: true });
    history.push({ created_by: l.createdBy ?? `layer ${i}` });
  });
  return {
    architecture: 'amd64',
    os: 'linux',
    created: '2024-01-01T00:00:00Z',
    config: { Env: ['PATH=/usr/bin:/bin'], Cmd: ['/bin/sh'] },
    rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
    history,
  };
}

const hex = (d: string): string => d.slice('sha256:'.length);
const json = (v: unknown): Buffer => Buffer.from(JSON.stringify(v));

/** `docker save` members; `oci: true` gives the Docker 25+ layout (blobs/ + index.json + manifest.json). */
export function dockerSaveParts(
  layers: readonly LayerBlob[],
  opts: { oci?: boolean; tag?: string; config?: Record<string, unknown> } = {},
): ImageParts {
  const config = opts.config ?? makeConfig(layers);
  const configBytes = json(config);
  const configDigest = sha256(configBytes);
  const tag = opts.tag ?? 'berth/test:latest';
  const members: TarWriteEntry[] = [];
  if (opts.oci) {
    const manifest = {
      schemaVersion: 2,
      mediaType: MediaTypes.ociManifest,
      config: { mediaType: MediaTypes.ociConfig, digest: configDigest, size: configBytes.length },
      layers: layers.map((l) => ({ mediaType: MEDIA[l.compression], digest: l.digest, size: l.size })),
    };
    const manifestBytes = json(manifest);
    const manifestDigest = sha256(manifestBytes);
    members.push({ path: 'blobs', type: 'dir' }, { path: 'blobs/sha256', type: 'dir' });
    const seen = new Set<string>();
    for (const l of layers) {
      if (seen.has(l.digest)) continue;
      seen.add(l.digest);
      members.push({ path: `blobs/sha256/${hex(l.digest)}`, body: blobBody(l), size: l.size });
    }
    members.push({ path: `blobs/sha256/${hex(configDigest)}`, body: configBytes });
    members.push({ path: `blobs/sha256/${hex(manifestDigest)}`, body: manifestBytes });
    members.push({
      path: 'index.json',
      body: json({
        schemaVersion: 2,
        mediaType: MediaTypes.ociIndex,
        manifests: [
          {
            mediaType: MediaTypes.ociManifest,
            digest: manifestDigest,
            size: manifestBytes.length,
            annotations: {
              'io.containerd.image.name': `docker.io/${tag}`,
              'org.opencontainers.image.ref.name': 'latest',
            },
          },
        ],
      }),
    });
    members.push({
      path: 'manifest.json',
      body: json([
        {
          Config: `blobs/sha256/${hex(configDigest)}`,
          RepoTags: [tag],
          Layers: layers.map((l) => `blobs/sha256/${hex(l.digest)}`),
        },
      ]),
    });
    members.push({ path: 'oci-layout', body: json({ imageLayoutVersion: '1.0.0' }) });
    return { members, config, configBytes, configDigest, manifestDigest };
  }
  // Classic: one directory per layer named by a v1 id, the config named by its digest.
  const ids = layers.map((l, i) => hex(sha256(`${i}:${l.diffId}`)));
  layers.forEach((l, i) => {
    const id = ids[i] as string;
    members.push({ path: id, type: 'dir' });
    members.push({ path: `${id}/VERSION`, body: '1.0' });
    members.push({ path: `${id}/json`, body: json({ id }) });
    members.push({ path: `${id}/layer.tar`, body: blobBody(l), size: l.size });
  });
  members.push({ path: `${hex(configDigest)}.json`, body: configBytes });
  members.push({
    path: 'manifest.json',
    body: json([{ Config: `${hex(configDigest)}.json`, RepoTags: [tag], Layers: ids.map((id) => `${id}/layer.tar`) }]),
  });
  members.push({ path: 'repositories', body: json({}) });
  return { members, config, configBytes, configDigest };
}

/** An OCI image layout archive (what `skopeo copy … oci-archive:` writes). */
export function ociArchiveParts(
  layers: readonly LayerBlob[],
  opts: {
    config?: Record<string, unknown>;
    manifestOverride?: (m: Record<string, unknown>) => Record<string, unknown>;
  } = {},
): ImageParts {
  const config = opts.config ?? makeConfig(layers);
  const configBytes = json(config);
  const configDigest = sha256(configBytes);
  let manifest: Record<string, unknown> = {
    schemaVersion: 2,
    mediaType: MediaTypes.ociManifest,
    config: { mediaType: MediaTypes.ociConfig, digest: configDigest, size: configBytes.length },
    layers: layers.map((l) => ({ mediaType: MEDIA[l.compression], digest: l.digest, size: l.size })),
  };
  if (opts.manifestOverride) manifest = opts.manifestOverride(manifest);
  const manifestBytes = json(manifest);
  const manifestDigest = sha256(manifestBytes);
  const members: TarWriteEntry[] = [{ path: 'oci-layout', body: json({ imageLayoutVersion: '1.0.0' }) }];
  const seen = new Set<string>();
  for (const l of layers) {
    if (seen.has(l.digest)) continue;
    seen.add(l.digest);
    members.push({ path: `blobs/sha256/${hex(l.digest)}`, body: blobBody(l), size: l.size });
  }
  members.push({ path: `blobs/sha256/${hex(configDigest)}`, body: configBytes });
  members.push({ path: `blobs/sha256/${hex(manifestDigest)}`, body: manifestBytes });
  members.push({
    path: 'index.json',
    body: json({
      schemaVersion: 2,
      manifests: [
        {
          mediaType: MediaTypes.ociManifest,
          digest: manifestDigest,
          size: manifestBytes.length,
          annotations: { 'org.opencontainers.image.ref.name': 'latest' },
        },
      ],
    }),
  });
  return { members, config, configBytes, configDigest, manifestDigest };
}

/** Writes members as a tar file, streaming bodies. */
export async function writeArchive(
  file: string,
  members: Iterable<TarWriteEntry> | AsyncIterable<TarWriteEntry>,
): Promise<void> {
  await pipeline(Readable.from(tarChunks(members)), fs.createWriteStream(file));
}
