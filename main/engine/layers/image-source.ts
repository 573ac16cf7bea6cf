/**
 * Works out which image an archive holds and where its blobs are:
 *  - `docker save`, classic (manifest.json → "<id>.json", "<id>/layer.tar"),
 *  - `docker save` from Docker 25+ (manifest.json pointing into blobs/sha256/,
 *    next to index.json + oci-layout),
 *  - OCI image layout archives (oci-layout + index.json + blobs/sha256/).
 * Small blobs (manifests, config) are read and verified here; layer blobs
 * are verified by the caller while it streams them.
 */
import type { z } from 'zod';
import { sha256, type Digest } from '../images/digest';
import {
  DockerSaveManifestSchema,
  ImageConfigSchema,
  ImageIndexSchema,
  ImageManifestSchema,
  OciLayoutSchema,
  isIndexMediaType,
  type Descriptor,
  type ImageConfig,
  type Platform,
} from '../images/oci-types';
import type { ArchiveIndex, ArchiveMember } from './archive-index';
import { BerthError } from '../../../preload/errors';

const MAX_JSON = 16 * 1024 * 1024;
const MAX_INDEX_DEPTH = 4;

export type ArchiveFormat = 'docker-save' | 'docker-save-oci' | 'oci-archive';

export interface LayerRef {
  /** Archive member name as the manifest gives it. */
  name: string;
  member: ArchiveMember;
  /** Digest the compressed blob must have, where the archive states one. */
  expectedDigest?: Digest;
  expectedSize?: number;
  mediaType?: string;
}

export interface ImagePlan {
  format: ArchiveFormat;
  repoTags: string[];
  manifestDigest?: Digest;
  configName: string;
  configDigest: Digest;
  config: ImageConfig;
  layers: LayerRef[];
}

export interface SelectOptions {
  /** Which image of a multi-image archive: position, or a tag / ref name. Default: the first. */
  image?: number | string;
  /** Platform to pick from an index (default: linux and this machine's architecture). */
  platform?: Pick<Platform, 'os' | 'architecture' | 'variant'>;
}

/** Parses JSON against a schema; MANIFEST_INVALID names the blob and the first problem. */
export function parseJsonWith<S extends z.ZodType>(schema: S, bytes: Buffer, blob: string): z.infer<S> {
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw new BerthError('MANIFEST_INVALID', `${blob} is not valid JSON: ${(err as Error).message}`, {
      entry: blob,
      blob,
    });
  }
  const r = schema.safeParse(value);
  if (!r.success) {
    const issue = r.error.issues[0];
    const where = issue ? issue.path.map(String).join('.') : '';
    throw new BerthError('MANIFEST_INVALID', `${blob}: ${where ? `${where}: ` : ''}${issue?.message ?? 'invalid'}`, {
      entry: blob,
      blob,
      path: where,
    });
  }
  return r.data;
}

/** The digest a blob's name states: blobs/sha256/<hex>, or docker save's "<hex>.json". */
function digestFromName(name: string): Digest | undefined {
  const m = /^(?:\.\/)?blobs\/sha256\/([0-9a-f]{64})$/.exec(name) ?? /^([0-9a-f]{64})\.json$/.exec(name);
  return m ? `sha256:${m[1]}` : undefined;
}

function blobName(digest: string): string {
  return `blobs/sha256/${digest.slice('sha256:'.length)}`;
}

async function readVerified(
  index: ArchiveIndex,
  name: string,
  what: string,
  expected?: { digest: string; size?: number },
): Promise<{ bytes: Buffer; digest: Digest }> {
  const member = index.resolve(name, what);
  if (expected?.size !== undefined && member.size !== expected.size) {
    throw new BerthError('DIGEST_MISMATCH', `${what} ${name}: size ${member.size}, descriptor says ${expected.size}`, {
      entry: name,
      blob: name,
      expectedSize: expected.size,
      actualSize: member.size,
    });
  }
  const bytes = await index.read(member, MAX_JSON, what);
  const digest = sha256(bytes);
  if (expected && digest !== expected.digest) {
    throw new BerthError('DIGEST_MISMATCH', `${what} ${name}: digest ${digest}, expected ${expected.digest}`, {
      entry: name,
      blob: name,
      expected: expected.digest,
      actual: digest,
    });
  }
  return { bytes, digest };
}

const ARCH: Record<string, string> = {
  x64: 'amd64',
  arm64: 'arm64',
  arm: 'arm',
  ia32: '386',
  ppc64: 'ppc64le',
  s390x: 's390x',
  riscv64: 'riscv64',
};

function hostPlatform(): Pick<Platform, 'os' | 'architecture'> {
  return { os: 'linux', architecture: ARCH[process.arch] ?? process.arch };
}

function isAttestation(d: Descriptor): boolean {
  return d.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest' || d.platform?.os === 'unknown';
}

function pickDescriptor(list: readonly Descriptor[], opts: SelectOptions, top: boolean, what: string): Descriptor {
  const usable = list.filter((d) => !isAttestation(d));
  if (top && opts.image !== undefined) {
    const sel = opts.image;
    const found =
      typeof sel === 'number'
        ? usable[sel]
        : usable.find(
            (d) =>
              d.annotations?.['org.opencontainers.image.ref.name'] === sel ||
              d.annotations?.['io.containerd.image.name'] === sel,
          );
    if (!found)
      throw new BerthError('BLOB_MISSING', `${what}: no image ${JSON.stringify(sel)}`, { entry: what, image: sel });
    return found;
  }
  const want = opts.platform ?? hostPlatform();
  const match = usable.find(
    (d) =>
      d.platform?.os === want.os &&
      d.platform.architecture === want.architecture &&
      (!('variant' in want) || want.variant === undefined || d.platform.variant === want.variant),
  );
  const chosen = match ?? usable[0];
  if (!chosen) throw new BerthError('MANIFEST_INVALID', `${what} lists no image manifest`, { entry: what });
  return chosen;
}

async function planOci(index: ArchiveIndex, opts: SelectOptions): Promise<ImagePlan> {
  parseJsonWith(OciLayoutSchema, (await readVerified(index, 'oci-layout', 'OCI layout file')).bytes, 'oci-layout');
  let idx = parseJsonWith(
    ImageIndexSchema,
    (await readVerified(index, 'index.json', 'image index')).bytes,
    'index.json',
  );
  let desc = pickDescriptor(idx.manifests, opts, true, 'index.json');
  for (let depth = 0; isIndexMediaType(desc.mediaType); depth++) {
    if (depth >= MAX_INDEX_DEPTH)
      throw new BerthError('MANIFEST_INVALID', 'image indexes nested too deeply', { entry: desc.digest });
    const name = blobName(desc.digest);
    idx = parseJsonWith(ImageIndexSchema, (await readVerified(index, name, 'image index', desc)).bytes, name);
    desc = pickDescriptor(idx.manifests, opts, false, name);
  }
  const manifestName = blobName(desc.digest);
  const manifest = parseJsonWith(
    ImageManifestSchema,
    (await readVerified(index, manifestName, 'image manifest', desc)).bytes,
    manifestName,
  );
  const configName = blobName(manifest.config.digest);
  const cfg = await readVerified(index, configName, 'image config', manifest.config);
  const config = parseJsonWith(ImageConfigSchema, cfg.bytes, configName);
  const tag = desc.annotations?.['io.containerd.image.name'] ?? desc.annotations?.['org.opencontainers.image.ref.name'];
  return {
    format: 'oci-archive',
    repoTags: tag ? [tag] : [],
    manifestDigest: desc.digest as Digest,
    configName,
    configDigest: cfg.digest,
    config,
    layers: manifest.layers.map((l) => {
      const name = blobName(l.digest);
      return {
        name,
        member: index.resolve(name, 'layer'),
        expectedDigest: l.digest as Digest,
        expectedSize: l.size,
        mediaType: l.mediaType,
      };
    }),
  };
}

async function planDockerSave(index: ArchiveIndex, opts: SelectOptions): Promise<ImagePlan> {
  const manifest = parseJsonWith(
    DockerSaveManifestSchema,
    (await readVerified(index, 'manifest.json', 'docker manifest')).bytes,
    'manifest.json',
  );
  const sel = opts.image;
  const entry = typeof sel === 'string' ? manifest.find((m) => m.RepoTags?.includes(sel)) : manifest[sel ?? 0];
  if (!entry)
    throw new BerthError('BLOB_MISSING', `manifest.json: no image ${JSON.stringify(sel)}`, {
      entry: 'manifest.json',
      image: sel,
    });
  const configExpected = digestFromName(entry.Config);
  const cfg = await readVerified(
    index,
    entry.Config,
    'image config',
    configExpected ? { digest: configExpected } : undefined,
  );
  const config = parseJsonWith(ImageConfigSchema, cfg.bytes, entry.Config);
  const layers: LayerRef[] = entry.Layers.map((name) => {
    const member = index.resolve(name, 'layer');
    const expectedDigest = name.endsWith('.json') ? undefined : digestFromName(name);
    return expectedDigest ? { name, member, expectedDigest } : { name, member };
  });
  return {
    format: index.has('oci-layout') && index.has('index.json') ? 'docker-save-oci' : 'docker-save',
    repoTags: entry.RepoTags ?? [],
    configName: entry.Config,
    configDigest: cfg.digest,
    config,
    layers,
  };
}

/** Reads and verifies the archive's manifest(s) and config. */
export async function planImage(index: ArchiveIndex, opts: SelectOptions = {}): Promise<ImagePlan> {
  if (!index.has('manifest.json') && !index.has('index.json')) {
    throw new BerthError('MANIFEST_INVALID', 'not an image archive: no manifest.json or index.json', {
      entry: index.file,
    });
  }
  const plan = index.has('manifest.json') ? await planDockerSave(index, opts) : await planOci(index, opts);
  if (plan.layers.length !== plan.config.rootfs.diff_ids.length) {
    throw new BerthError(
      'MANIFEST_INVALID',
      `manifest lists ${plan.layers.length} layers, config has ${plan.config.rootfs.diff_ids.length} diff_ids`,
      {
        entry: plan.configName,
      },
    );
  }
  return plan;
}
