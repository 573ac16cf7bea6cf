/**
 * zod schemas for the image formats we read: OCI image-spec (descriptor,
 * manifest, index, config, oci-layout) and Docker's equivalents (schema2
 * manifest and manifest list share the OCI shapes; `docker save`'s
 * manifest.json is its own). Unknown fields pass through: images carry
 * vendor fields and the next spec version will add more.
 */
import { z } from 'zod';
import { lazy } from '../../../preload/schemas/lazy';

export const MediaTypes = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar',
  ociLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  ociLayerZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  ociLayerNondistributableGzip: 'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  dockerForeignLayerGzip: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
} as const;

export const DigestSchema = lazy(() => z.string().regex(/^sha256:[0-9a-f]{64}$/, 'expected sha256:<64 lowercase hex>'));

export const PlatformSchema = lazy(() =>
  z.looseObject({
    architecture: z.string(),
    os: z.string(),
    'os.version': z.string().optional(),
    'os.features': z.array(z.string()).optional(),
    variant: z.string().optional(),
    features: z.array(z.string()).optional(),
  }),
);

export const DescriptorSchema = lazy(() =>
  z.looseObject({
    mediaType: z.string(),
    digest: DigestSchema,
    size: z.number().int().nonnegative(),
    urls: z.array(z.string()).optional(),
    annotations: z.record(z.string(), z.string()).optional(),
    platform: PlatformSchema.optional(),
    artifactType: z.string().optional(),
  }),
);

export const ImageManifestSchema = lazy(() =>
  z.looseObject({
    schemaVersion: z.literal(2),
    mediaType: z.string().optional(),
    artifactType: z.string().optional(),
    config: DescriptorSchema,
    layers: z.array(DescriptorSchema),
    subject: DescriptorSchema.optional(),
    annotations: z.record(z.string(), z.string()).optional(),
  }),
);

export const ImageIndexSchema = lazy(() =>
  z.looseObject({
    schemaVersion: z.literal(2),
    mediaType: z.string().optional(),
    artifactType: z.string().optional(),
    manifests: z.array(DescriptorSchema),
    subject: DescriptorSchema.optional(),
    annotations: z.record(z.string(), z.string()).optional(),
  }),
);

export const OciLayoutSchema = lazy(() =>
  z.looseObject({
    imageLayoutVersion: z.string(),
  }),
);

export const HistoryEntrySchema = lazy(() =>
  z.looseObject({
    created: z.string().optional(),
    created_by: z.string().optional(),
    author: z.string().optional(),
    comment: z.string().optional(),
    empty_layer: z.boolean().optional(),
  }),
);

/** The runtime defaults inside a config ("config" key); every field optional. */
export const ContainerConfigSchema = lazy(() =>
  z.looseObject({
    User: z.string().optional(),
    ExposedPorts: z.record(z.string(), z.unknown()).nullish(),
    Env: z.array(z.string()).nullish(),
    Entrypoint: z.array(z.string()).nullish(),
    Cmd: z.array(z.string()).nullish(),
    Volumes: z.record(z.string(), z.unknown()).nullish(),
    WorkingDir: z.string().optional(),
    Labels: z.record(z.string(), z.string()).nullish(),
    StopSignal: z.string().optional(),
  }),
);

export const ImageConfigSchema = lazy(() =>
  z.looseObject({
    created: z.string().optional(),
    author: z.string().optional(),
    architecture: z.string(),
    os: z.string(),
    variant: z.string().optional(),
    'os.version': z.string().optional(),
    config: ContainerConfigSchema.nullish(),
    rootfs: z.looseObject({
      type: z.literal('layers'),
      diff_ids: z.array(DigestSchema),
    }),
    history: z.array(HistoryEntrySchema).optional(),
  }),
);

/** One image of `docker save`'s manifest.json (the file is an array of these). */
export const DockerSaveEntrySchema = lazy(() =>
  z.looseObject({
    Config: z.string().min(1),
    RepoTags: z.array(z.string()).nullish(),
    Layers: z.array(z.string().min(1)),
    Parent: z.string().optional(),
    LayerSources: z.record(DigestSchema, DescriptorSchema).optional(),
  }),
);

export const DockerSaveManifestSchema = lazy(() => z.array(DockerSaveEntrySchema).min(1));

export type Platform = z.infer<typeof PlatformSchema>;
export type Descriptor = z.infer<typeof DescriptorSchema>;
export type ImageManifest = z.infer<typeof ImageManifestSchema>;
export type ImageIndex = z.infer<typeof ImageIndexSchema>;
export type OciLayout = z.infer<typeof OciLayoutSchema>;
export type HistoryEntry = z.infer<typeof HistoryEntrySchema>;
export type ContainerConfig = z.infer<typeof ContainerConfigSchema>;
export type ImageConfig = z.infer<typeof ImageConfigSchema>;
export type DockerSaveEntry = z.infer<typeof DockerSaveEntrySchema>;
export type DockerSaveManifest = z.infer<typeof DockerSaveManifestSchema>;

export function isIndexMediaType(mediaType: string | undefined): boolean {
  return mediaType === MediaTypes.ociIndex || mediaType === MediaTypes.dockerManifestList;
}

export function isManifestMediaType(mediaType: string | undefined): boolean {
  return mediaType === MediaTypes.ociManifest || mediaType === MediaTypes.dockerManifest;
}
