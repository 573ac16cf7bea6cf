/**
 * pullImage: reference → (index → platform manifest) → manifest → config
 * and layers into a BlobSink.
 *
 * The tag (or digest) is resolved to a manifest; an index is narrowed to the
 * wanted platform (the host's by default) and that manifest fetched by
 * digest (bytes and size verified). The config is fetched into memory,
 * verified and parsed; layers are fetched into the sink, up to 3 at a time,
 * each resuming what an earlier pull left behind. The config and the
 * manifest are committed to the sink too, so the store holds every blob the
 * image names. OCI and Docker schema2 only: schema1 → REGISTRY_UNSUPPORTED.
 */
import fsp from 'node:fs/promises';
import path from 'node:path';
import { parseDigest, type Digest } from '../digest';
import { ImageConfigSchema, type Descriptor, type ImageConfig } from '../oci-types';
import { RegistryClient, type FetchedManifest, type RegistryClientOptions } from './client';
import { parseEndpoint, repoName } from './endpoint';
import {
  formatPlatform,
  hostPlatform,
  parsePlatform,
  platformMatches,
  resolvePlatform,
  type PlatformSpec,
} from './platform';
import type { BlobSink } from './types';
import { BerthError } from '../../../../preload/errors';

export type LayerPhase = 'waiting' | 'downloading' | 'verifying' | 'done' | 'exists';

export interface PullProgress {
  /** The layer's digest. */
  layer: string;
  phase: LayerPhase;
  current: number;
  total: number;
}

export interface PullOptions extends Omit<RegistryClientOptions, 'actions'> {
  /** Default: the host (linux/amd64 on x64). "os/arch[/variant]" or a spec. */
  platform?: PlatformSpec | string;
  /** Hosts spoken to over plain http (loopback always is). */
  insecureRegistries?: readonly string[];
  onProgress?: (e: PullProgress) => void;
  signal?: AbortSignal;
  /** Layers downloaded at once. Default 3. */
  concurrency?: number;
  /** Minimum time between two 'downloading' events of one layer. Default 100 ms. */
  progressIntervalMs?: number;
}

export interface PullResult {
  registry: string;
  repository: string;
  /** `registry/repository:tag` when pulled by tag. */
  repoTag?: string;
  /** `registry/repository@digest` of what the reference named (the index, for a multi-arch tag). */
  repoDigest: string;
  manifestDigest: Digest;
  manifestBytes: Buffer;
  manifestMediaType: string;
  /** Present when the reference named an index. */
  index?: { digest: Digest; bytes: Buffer; mediaType: string };
  configDigest: Digest;
  configBytes: Buffer;
  config: ImageConfig;
  layers: Descriptor[];
  /** The platform of the pulled config. */
  platform: PlatformSpec;
  /** Credential-file and platform warnings worth showing. */
  warnings: string[];
}

/** Writes bytes we already verified into the sink (unless it has them). */
export async function commitBytes(sink: BlobSink, digest: Digest, bytes: Uint8Array): Promise<void> {
  if (await sink.has(digest)) return;
  const partial = sink.partialPath(digest);
  await fsp.mkdir(path.dirname(partial), { recursive: true, mode: 0o700 });
  await fsp.writeFile(partial, bytes, { mode: 0o600 });
  await sink.commit(digest, partial, bytes.length);
}

/** Runs `tasks` with at most `n` at once; the first failure aborts the rest and is thrown. */
export async function runPool<T>(
  items: readonly T[],
  n: number,
  signal: AbortSignal | undefined,
  task: (item: T, signal: AbortSignal) => Promise<void>,
): Promise<void> {
  const ctrl = new AbortController();
  const combined = signal ? AbortSignal.any([signal, ctrl.signal]) : ctrl.signal;
  let next = 0;
  let failure: { err: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (next < items.length && !failure) {
      const item = items[next++] as T;
      try {
        await task(item, combined);
      } catch (err) {
        if (!failure) {
          failure = { err: signal?.aborted ? signal.reason : err };
          ctrl.abort(failure.err);
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(n, items.length)) }, worker));
  if (failure) throw failure.err;
}

function toSpec(p: PlatformSpec | string | undefined): PlatformSpec {
  if (p === undefined) return hostPlatform();
  return typeof p === 'string' ? parsePlatform(p) : p;
}

export async function pullImage(refString: string, sink: BlobSink, opts: PullOptions = {}): Promise<PullResult> {
  const { signal, onProgress } = opts;
  const endpoint = parseEndpoint(refString, { insecure: opts.insecureRegistries ?? [] });
  const client = new RegistryClient(endpoint, { ...opts, actions: 'pull' });
  const repo = endpoint.repository;
  const details = { registry: endpoint.registry, repository: repo };
  const want = toSpec(opts.platform);
  const warnings: string[] = [];

  const top = await client.getManifest(repo, endpoint.digest ?? (endpoint.tag as string), { signal });
  let image: FetchedManifest = top;
  if (top.kind === 'index') {
    const chosen = resolvePlatform(top.index, want, details);
    image = await client.getManifest(repo, chosen.digest, { signal });
    if (image.bytes.length !== chosen.size) {
      throw new BerthError(
        'DIGEST_MISMATCH',
        `manifest ${chosen.digest} is ${image.bytes.length} bytes, the index says ${chosen.size}`,
        { ...details, blob: chosen.digest, expectedSize: chosen.size, size: image.bytes.length },
      );
    }
  }
  if (image.kind !== 'manifest') {
    throw new BerthError('REGISTRY_UNSUPPORTED', `the index for ${formatPlatform(want)} points at another index`, {
      ...details,
      digest: image.digest,
    });
  }
  const manifest = image.manifest;

  const configDigest = parseDigest(manifest.config.digest, 'config digest');
  const configBytes = await client.fetchBlobBytes(repo, manifest.config, { signal });
  let config: ImageConfig;
  try {
    config = ImageConfigSchema.parse(JSON.parse(configBytes.toString('utf8')));
  } catch (err) {
    throw new BerthError(
      'MANIFEST_INVALID',
      `the config ${configDigest} of ${refString} is not an image config`,
      {
        ...details,
        digest: configDigest,
      },
      { cause: err },
    );
  }
  if (config.rootfs.diff_ids.length !== manifest.layers.length) {
    throw new BerthError(
      'MANIFEST_INVALID',
      `${refString}: the manifest lists ${manifest.layers.length} layers, the config ${config.rootfs.diff_ids.length} diff_ids`,
      { ...details, digest: image.digest },
    );
  }
  const platform: PlatformSpec = { os: config.os, architecture: config.architecture };
  if (config.variant) platform.variant = config.variant;
  if (top.kind === 'manifest' && !platformMatches(platform, want)) {
    const msg = `${refString} is an image for ${formatPlatform(platform)}, not ${formatPlatform(want)}`;
    if (opts.platform !== undefined)
      throw new BerthError('PLATFORM_NOT_FOUND', msg, { ...details, wanted: formatPlatform(want) });
    warnings.push(msg);
  }

  // Layers: each digest once, up to `concurrency` at a time.
  const unique = [...new Map(manifest.layers.map((l) => [l.digest, l])).values()];
  for (const l of unique) onProgress?.({ layer: l.digest, phase: 'waiting', current: 0, total: l.size });
  // Room for what is to be downloaded (declared sizes, checked again as they arrive), before any byte is.
  let toFetch = 0;
  for (const l of unique) if (!(await sink.has(l.digest))) toFetch += l.size;
  sink.reserve?.(toFetch, `pulling ${refString}`);
  const interval = opts.progressIntervalMs ?? 100;
  await runPool(unique, opts.concurrency ?? 3, signal, async (layer, s) => {
    let last = 0;
    await client.fetchBlob(
      repo,
      layer,
      sink,
      (p) => {
        if (!onProgress) return;
        if (p.phase === 'downloading') {
          const now = Date.now();
          if (p.current !== 0 && p.current !== p.total && now - last < interval) return;
          last = now;
        }
        const phase: LayerPhase =
          p.phase === 'downloading' || p.phase === 'verifying' || p.phase === 'exists' ? p.phase : 'done';
        onProgress({ layer: layer.digest, phase, current: p.current, total: p.total });
      },
      { signal: s },
    );
  });

  await commitBytes(sink, configDigest, configBytes);
  await commitBytes(sink, image.digest, image.bytes);

  warnings.push(...client.transport.auth.warnings);
  const name = repoName(endpoint);
  const result: PullResult = {
    registry: endpoint.registry,
    repository: repo,
    repoDigest: `${name}@${top.digest}`,
    manifestDigest: image.digest,
    manifestBytes: image.bytes,
    manifestMediaType: image.mediaType,
    configDigest,
    configBytes,
    config,
    layers: manifest.layers,
    platform,
    warnings,
  };
  if (endpoint.tag !== undefined) result.repoTag = `${name}:${endpoint.tag}`;
  if (top.kind === 'index') result.index = { digest: top.digest, bytes: top.bytes, mediaType: top.mediaType };
  return result;
}
