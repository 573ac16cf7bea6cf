/**
 * pushImage: blobs the registry lacks (HEAD first; a cross-repository mount
 * when `mountFrom` is given), up to 3 at a time, then the manifest under the
 * reference's tag (or its digest). The registry's Docker-Content-Digest must
 * equal the sha256 of our manifest bytes.
 */
import { sha256, type Digest } from '../digest';
import { ImageManifestSchema, isManifestMediaType, type Descriptor } from '../oci-types';
import { RegistryClient, type RegistryClientOptions } from './client';
import { parseEndpoint, repoName } from './endpoint';
import { runPool } from './pull';
import type { BlobSource } from './types';
import { BerthError } from '../../../../preload/errors';

export type PushPhase = 'waiting' | 'uploading' | 'exists' | 'mounted' | 'done';

export interface PushProgress {
  /** The blob's digest (config or layer). */
  blob: string;
  kind: 'config' | 'layer';
  phase: PushPhase;
  current: number;
  total: number;
}

export interface PushImageInput {
  manifestBytes: Uint8Array;
  manifestMediaType: string;
  configDescriptor: Descriptor;
  layers: Descriptor[];
}

export interface PushOptions extends Omit<RegistryClientOptions, 'actions'> {
  insecureRegistries?: readonly string[];
  onProgress?: (e: PushProgress) => void;
  signal?: AbortSignal;
  /** Blobs uploaded at once. Default 3. */
  concurrency?: number;
  /** Another repository of the same registry to mount missing blobs from. */
  mountFrom?: string;
  /** Minimum time between two 'uploading' events of one blob. Default 100 ms. */
  progressIntervalMs?: number;
}

export interface PushResult {
  registry: string;
  repository: string;
  tag?: string;
  manifestDigest: Digest;
  /** `registry/repository@digest` */
  repoDigest: string;
  uploaded: string[];
  existing: string[];
  mounted: string[];
}

export async function pushImage(
  refString: string,
  source: BlobSource,
  image: PushImageInput,
  opts: PushOptions = {},
): Promise<PushResult> {
  const { signal, onProgress } = opts;
  const endpoint = parseEndpoint(refString, { insecure: opts.insecureRegistries ?? [] });
  const repo = endpoint.repository;
  const details = { registry: endpoint.registry, repository: repo };
  if (!isManifestMediaType(image.manifestMediaType)) {
    throw new BerthError('REGISTRY_UNSUPPORTED', `cannot push a manifest of type ${image.manifestMediaType}`, details);
  }
  // The blobs we are told about must be exactly the ones the manifest names.
  let manifest;
  try {
    manifest = ImageManifestSchema.parse(JSON.parse(Buffer.from(image.manifestBytes).toString('utf8')));
  } catch (err) {
    throw new BerthError('MANIFEST_INVALID', 'the manifest to push is not an image manifest', details, { cause: err });
  }
  const same = (a: Descriptor, b: Descriptor): boolean => a.digest === b.digest && a.size === b.size;
  if (
    !same(manifest.config, image.configDescriptor) ||
    manifest.layers.length !== image.layers.length ||
    manifest.layers.some((l, i) => !same(l, image.layers[i] as Descriptor))
  ) {
    throw new BerthError('MANIFEST_INVALID', 'the config and layers given do not match the manifest to push', details);
  }
  const manifestDigest = sha256(image.manifestBytes);
  if (endpoint.digest !== undefined && endpoint.digest !== manifestDigest) {
    throw new BerthError(
      'DIGEST_MISMATCH',
      `the reference names ${endpoint.digest}, the manifest is ${manifestDigest}`,
      {
        ...details,
        expected: endpoint.digest,
        actual: manifestDigest,
      },
    );
  }

  const client = new RegistryClient(endpoint, { ...opts, actions: 'pull,push' });
  const blobs = new Map<string, { d: Descriptor; kind: 'config' | 'layer' }>();
  for (const l of image.layers) blobs.set(l.digest, { d: l, kind: 'layer' });
  blobs.set(image.configDescriptor.digest, { d: image.configDescriptor, kind: 'config' });
  const result: PushResult = {
    registry: endpoint.registry,
    repository: repo,
    manifestDigest,
    repoDigest: `${repoName(endpoint)}@${manifestDigest}`,
    uploaded: [],
    existing: [],
    mounted: [],
  };
  for (const { d, kind } of blobs.values()) {
    onProgress?.({ blob: d.digest, kind, phase: 'waiting', current: 0, total: d.size });
  }
  const interval = opts.progressIntervalMs ?? 100;
  await runPool([...blobs.values()], opts.concurrency ?? 3, signal, async ({ d, kind }, s) => {
    let last = 0;
    const outcome = await client.pushBlob(repo, d, source, {
      signal: s,
      ...(opts.mountFrom ? { mountFrom: opts.mountFrom } : {}),
      onProgress: (p) => {
        if (!onProgress) return;
        if (p.phase === 'uploading') {
          const now = Date.now();
          if (p.current !== 0 && p.current !== p.total && now - last < interval) return;
          last = now;
        }
        const phase: PushPhase =
          p.phase === 'uploading' || p.phase === 'exists' || p.phase === 'mounted' ? p.phase : 'done';
        onProgress({ blob: d.digest, kind, phase, current: p.current, total: p.total });
      },
    });
    (outcome === 'exists' ? result.existing : outcome === 'mounted' ? result.mounted : result.uploaded).push(d.digest);
  });

  const reference = endpoint.tag ?? manifestDigest;
  const put = await client.putManifest(repo, reference, image.manifestMediaType, image.manifestBytes, { signal });
  // putManifest already refuses a Docker-Content-Digest other than ours; a registry that sends none is trusted.
  if (put.registryDigest !== undefined && put.registryDigest !== manifestDigest) {
    throw new BerthError('DIGEST_MISMATCH', `the registry stored ${put.registryDigest}, we pushed ${manifestDigest}`, {
      ...details,
      expected: manifestDigest,
      actual: put.registryDigest,
    });
  }
  if (endpoint.tag !== undefined) result.tag = endpoint.tag;
  return result;
}
