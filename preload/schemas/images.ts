/**
 * Images and layers: the store (list, inspect, tag, remove, history, the
 * overlay lowerdirs), load/save of docker save / OCI archives, and the
 * dive-like layer analysis. Kept free of Node imports: the renderer imports
 * these schemas and the types inferred from them.
 *
 * Archives cross the privilege line as bytes: `images.load` / `images.save`
 * run in main (as the user, who must be able to read/write the file) and
 * move the bytes through the helper's `images.ingest.*` / `images.export.*`.
 */
import { z } from 'zod';
import { lazy } from './lazy';
import { isBase64 } from './base64';
import { PackedChanges } from './changes-wire';
import { method } from './define';
import { Empty } from './system';

export const Sha256Digest = lazy(() => z.string().regex(/^sha256:[0-9a-f]{64}$/, 'expected sha256:<64 lowercase hex>'));

/** An image reference as the user types it: name[:tag][@digest], an ID, or an ID prefix. */
export const ImageRef = lazy(() => z.string().min(1).max(512));

// ── layer analysis (mirrors main/engine/layers/analyze.ts) ───────────────────

export const TarEntryKind = lazy(() => z.enum(['file', 'dir', 'symlink', 'hardlink', 'char', 'block', 'fifo']));

export const FileChange = lazy(() =>
  z.object({
    /** Absolute path in the container ("/etc/passwd"). */
    path: z.string(),
    type: TarEntryKind,
    /** For removals, the size of everything removed under the path. */
    size: z.number(),
    mode: z.number().int(),
    uid: z.number().int(),
    gid: z.number().int(),
    linkname: z.string(),
    change: z.enum(['added', 'modified', 'removed']),
  }),
);

export const LayerChangeStats = lazy(() =>
  z.object({
    added: z.number().int(),
    modified: z.number().int(),
    removed: z.number().int(),
    /** Entries of the layer tar that change nothing (typically parent directories). */
    unmodified: z.number().int(),
    addedBytes: z.number(),
    modifiedBytes: z.number(),
    removedBytes: z.number(),
  }),
);

export const HistoryEntry = lazy(() =>
  z.looseObject({
    created: z.string().optional(),
    created_by: z.string().optional(),
    author: z.string().optional(),
    comment: z.string().optional(),
    empty_layer: z.boolean().optional(),
  }),
);

export const LayerAnalysis = lazy(() =>
  z.object({
    index: z.number().int(),
    /** Archive member (or store blob path) the layer came from. */
    blob: z.string(),
    mediaType: z.string().optional(),
    compression: z.enum(['gzip', 'zstd', 'none']),
    /** sha256 of the blob as stored (compressed). */
    digest: Sha256Digest,
    diffId: Sha256Digest,
    chainId: Sha256Digest,
    compressedSize: z.number(),
    /** Bytes of the uncompressed tar stream. */
    uncompressedSize: z.number(),
    /** Sum of entry sizes (dive's layer size). */
    size: z.number(),
    /** Bytes of this layer's files the final image cannot reach (replaced, whited out, under an opaque dir). */
    deadBytes: z.number(),
    createdBy: z.string(),
    created: z.string().optional(),
    comment: z.string().optional(),
    stats: LayerChangeStats,
    /**
     * What this layer adds, modifies and removes, sorted by path: FileChange
     * objects as columns (changes-wire.ts; `unpackAnalysis` / `decodeChanges`
     * give the objects back). 100,000 changes: 11.2 MB of JSON as objects.
     */
    changes: PackedChanges,
  }),
);

export const Inefficiency = lazy(() =>
  z.object({
    /** Absolute path ("/var/cache/apt/pkgcache.bin"). */
    path: z.string(),
    /** Layers in which the path appears. */
    count: z.number().int(),
    /** Cumulative size over those layers (dive's CumulativeSize). */
    totalSize: z.number(),
  }),
);

export const ImageAnalysis = lazy(() =>
  z.object({
    /** Where the image was read from: an archive format, or 'store' for an image in the store. */
    format: z.enum(['docker-save', 'docker-save-oci', 'oci-archive', 'store']),
    repoTags: z.array(z.string()),
    manifestDigest: Sha256Digest.optional(),
    configDigest: Sha256Digest,
    architecture: z.string(),
    os: z.string(),
    created: z.string().optional(),
    /** The full history, empty layers included. */
    history: z.array(HistoryEntry),
    layers: z.array(LayerAnalysis),
    /** Sum of layer sizes (dive's SizeBytes). */
    sizeBytes: z.number(),
    /** The same without the first layer (dive's UserSizeBytes). */
    userSizeBytes: z.number(),
    compressedBytes: z.number(),
    /** dive's efficiency score, 0..1. */
    efficiency: z.number(),
    wastedBytes: z.number(),
    /** wastedBytes / userSizeBytes (0 when there is no user layer). */
    wastedUserPercent: z.number(),
    /** Paths present in more than one layer, largest total first. */
    inefficiencies: z.array(Inefficiency),
    /** Bytes stored in layers that the final image cannot reach (the layers' deadBytes summed). */
    deadBytes: z.number(),
  }),
);

/**
 * Summary first: what `layers.summarizeFile` / `layers.summarizeUpload` /
 * `layers.summarizeImage` return as soon as the analysis is done: everything but the change lists,
 * which main keeps under `analysisId` (≤ 4 analyses, 60 s, released when
 * fetched) for `layers.changes`. The page paints the summary and layer
 * table while the (larger) change lists are packed, carried and decoded.
 */
export const AnalysisId = lazy(() => z.string().regex(/^[0-9a-f]{32}$/, 'expected 32 lowercase hex digits'));
export const AnalysisSummary = lazy(() =>
  ImageAnalysis.extend({
    layers: z.array(LayerAnalysis.omit({ changes: true })),
    analysisId: AnalysisId,
    /**
     * Names what was analysed (the archive file, the kept upload, the store
     * image) for `layers.readFile` while the inspector shows it: main keeps
     * ≤ 4 sources, each until 10 idle minutes pass (LAYER_SOURCE_GONE after).
     */
    sourceId: AnalysisId,
  }),
);

// ── file contents (layers.readFile) ─────────────────────────────────────────

/** The most bytes of one file a read returns (a text preview; a hex dump shows fewer). */
export const MAX_FILE_READ_BYTES = 64 * 1024;

/** A path in the image ("/etc/passwd"); cleaned and checked by the reader (LAYER_PATH_ESCAPE). */
export const LayerFilePath = lazy(() => z.string().max(4096));

const FileReadParams = {
  /** Layer index, 0 = bottom: the file as of that layer (the topmost entry at or below it). */
  layer: lazy(() => z.number().int().nonnegative().max(65535)),
  path: LayerFilePath,
  /** At most MAX_FILE_READ_BYTES (the default). */
  maxBytes: lazy(() => z.number().int().nonnegative().max(MAX_FILE_READ_BYTES).optional()),
};

const EntryFacts = {
  /** Cleaned absolute path. */
  path: lazy(() => z.string()),
  /** The layer whose entry this is (at or below the one asked for). */
  layer: lazy(() => z.number().int()),
  mode: lazy(() => z.number().int()),
  uid: lazy(() => z.number().int()),
  gid: lazy(() => z.number().int()),
  mtime: lazy(() => z.number()),
};

export const LayerFileContent = lazy(() =>
  z.union([
    z.object({
      kind: z.literal('file'),
      ...EntryFacts,
      /** The size the member declares. */
      size: z.number(),
      /** The first min(size, maxBytes) bytes, base64. */
      data: z
        .string()
        .max(Math.ceil(MAX_FILE_READ_BYTES / 3) * 4)
        .refine(isBase64, 'expected base64'),
      /** Fewer bytes than `size` were returned. */
      truncated: z.boolean(),
    }),
    z.object({ kind: z.enum(['symlink', 'hardlink']), ...EntryFacts, linkname: z.string() }),
    z.object({
      kind: z.enum(['char', 'block', 'fifo']),
      ...EntryFacts,
      devmajor: z.number().int(),
      devminor: z.number().int(),
    }),
    z.object({ kind: z.literal('dir'), ...EntryFacts }),
    z.object({
      kind: z.literal('removed'),
      path: z.string(),
      /** The layer that removed it. */
      layer: z.number().int(),
      /** A whiteout of the path or a parent, an opaque parent, or a parent replaced by a non-directory. */
      by: z.enum(['whiteout', 'opaque', 'replaced']),
      /** The member that did it. */
      entry: z.string(),
    }),
  ]),
);
export const AnalysisChanges = lazy(() =>
  z.object({
    /** Layer i's changes, packed, in layer order. */
    layers: z.array(PackedChanges),
  }),
);

// ── the store ────────────────────────────────────────────────────────────────

export const ImageSummary = lazy(() =>
  z.object({
    /** Image ID: the config digest (what `docker images --no-trunc` shows). */
    id: Sha256Digest,
    /** First 12 hex digits of the ID. */
    shortId: z.string(),
    /** Tags as docker prints them ("busybox:latest"). */
    repoTags: z.array(z.string()),
    /** The same tags fully normalized ("docker.io/library/busybox:latest"), as index.json records them. */
    names: z.array(z.string()),
    /** Manifest digest. */
    digest: Sha256Digest,
    /**
     * Sum of the layers' UNCOMPRESSED tar sizes (what the unpacked layers
     * hold, as `docker images` shows); `compressedSize` is the blobs' sum.
     */
    size: z.number(),
    compressedSize: z.number(),
    /** The config's `created`, or null. */
    created: z.string().nullable(),
    architecture: z.string(),
    os: z.string(),
    /** Number of layers. */
    layers: z.number().int(),
    /** Containers created from this image (they keep it from being removed). */
    usedBy: z.array(z.string()),
  }),
);

export const ImageLayerInfo = lazy(() =>
  z.object({
    index: z.number().int(),
    /** Blob digest and media type as the manifest lists them. */
    digest: Sha256Digest,
    mediaType: z.string(),
    compressedSize: z.number(),
    diffId: Sha256Digest,
    chainId: Sha256Digest,
    /** Uncompressed tar bytes (null when not recorded). */
    size: z.number().nullable(),
    /** The unpacked layer on disk (an overlay lowerdir), and whether it is there. */
    dir: z.string(),
    present: z.boolean(),
    /** How many images of the store use this layer. */
    refs: z.number().int(),
  }),
);

export const ImageDetail = lazy(() =>
  ImageSummary.extend({
    manifestMediaType: z.string(),
    /** The OCI/Docker image config JSON as stored. */
    config: z.record(z.string(), z.unknown()),
    /** The image manifest JSON as stored. */
    manifest: z.record(z.string(), z.unknown()),
    history: z.array(HistoryEntry),
    diffIds: z.array(Sha256Digest),
    chainIds: z.array(Sha256Digest),
    layerDetails: z.array(ImageLayerInfo),
    /** Overlay lowerdir order: topmost layer first (empty when a layer is missing). */
    lowerDirs: z.array(z.string()),
    /** Where the store keeps things on disk. */
    paths: z.object({ store: z.string(), layers: z.string(), manifestBlob: z.string(), configBlob: z.string() }),
  }),
);

export const HistoryRow = lazy(() =>
  z.object({
    /** The layer's diffID for an entry that made a layer; "<missing>" otherwise (docker prints that too). */
    id: z.string(),
    created: z.string().nullable(),
    createdBy: z.string(),
    /** Uncompressed bytes of the layer this step made (0 for empty layers). */
    size: z.number(),
    comment: z.string(),
    emptyLayer: z.boolean(),
  }),
);

export const LoadedImage = lazy(() =>
  z.object({
    id: Sha256Digest,
    /** Manifest digest. */
    digest: Sha256Digest,
    repoTags: z.array(z.string()),
    names: z.array(z.string()),
    layers: z.number().int(),
    format: z.enum(['docker-save', 'docker-save-oci', 'oci-archive']),
  }),
);

export const LoadResult = lazy(() => z.object({ opId: z.string(), images: z.array(LoadedImage) }));

export const TransferId = lazy(() => z.string().regex(/^[0-9a-f]{32}$/, 'expected a transfer id'));
export const OpId = lazy(() => z.string().min(1).max(128));

/** Largest decoded chunk: 4 MiB. Base64 of that is 5,592,408 characters. */
export const MAX_CHUNK_BYTES = 4 * 1024 * 1024;
const MAX_CHUNK_BASE64 = 4 * Math.ceil(MAX_CHUNK_BYTES / 3);
export const Base64Chunk = lazy(() =>
  z.string().max(MAX_CHUNK_BASE64, 'a chunk carries at most 4 MiB').refine(isBase64, 'expected base64'),
);

const Path = lazy(() => z.string().min(1).max(4096));

export const ImagesProgress = lazy(() =>
  z.object({
    /** The operation: the opId given to images.load/images.save (or the ingest id). */
    opId: z.string(),
    /** upload (main → helper), verify (digests), unpack (layers), export (helper → main), then done or error. */
    phase: z.enum(['upload', 'verify', 'unpack', 'export', 'done', 'error']),
    current: z.number(),
    total: z.number(),
    message: z.string().optional(),
  }),
);

export const ImagesChanged = lazy(() =>
  z.object({
    reason: z.enum(['load', 'remove', 'tag', 'pull', 'prune']),
    /** Image IDs concerned, when known. */
    ids: z.array(z.string()).optional(),
  }),
);

// ── compare (layers.compare) ────────────────────────────────────────────────

/** An image to compare: one of the store, or an open analysis (its sourceId). */
export const CompareSide = lazy(() =>
  z.union([z.object({ ref: ImageRef }).strict(), z.object({ sourceId: AnalysisId }).strict()]),
);

/** Rows of each kind a comparison sends (sorted by path; `counts` has the totals). */
export const MAX_COMPARE_ROWS = 5000;

export const ComparedFile = lazy(() =>
  z.object({
    path: z.string(),
    type: TarEntryKind,
    /** Size in the second image (the first for a removal). */
    size: z.number(),
    /** Size in the first image, for a change. */
    before: z.number().optional(),
  }),
);

const FromTo = lazy(() => z.object({ from: z.number(), to: z.number(), delta: z.number() }));

export const ImageComparison = lazy(() =>
  z.object({
    from: z.object({ name: z.string(), configDigest: Sha256Digest }),
    to: z.object({ name: z.string(), configDigest: Sha256Digest }),
    added: z.array(ComparedFile).max(MAX_COMPARE_ROWS),
    changed: z.array(ComparedFile).max(MAX_COMPARE_ROWS),
    removed: z.array(ComparedFile).max(MAX_COMPARE_ROWS),
    counts: z.object({ added: z.number().int(), changed: z.number().int(), removed: z.number().int() }),
    /** Bytes of regular files in each final tree. */
    filesBytes: FromTo,
    /** dive's image sizes (sum of layer sizes). */
    sizeBytes: FromTo,
  }),
);
export type ImageComparisonT = z.output<typeof ImageComparison>;

export const imagesMethods = {
  'images.list': method({
    where: 'helper',
    params: lazy(() =>
      z
        .object({
          filter: z
            .object({
              /** docker's reference filter: a name or glob ("busy*", "docker.io/library/*:latest"). */
              reference: z.string().max(512).optional(),
              /** true: only untagged images; false: only tagged ones. */
              dangling: z.boolean().optional(),
            })
            .strict()
            .optional(),
        })
        .strict(),
    ),
    result: lazy(() => z.array(ImageSummary)),
    summary: 'Images in the store (docker images)',
  }),
  'images.inspect': method({
    where: 'helper',
    params: lazy(() => z.object({ ref: ImageRef }).strict()),
    result: ImageDetail,
    summary: 'Config, manifest, history, diffIDs, chain IDs and the layer dirs on disk of one image',
  }),
  'images.remove': method({
    where: 'helper',
    params: lazy(() => z.object({ ref: ImageRef, force: z.boolean().optional() }).strict()),
    result: lazy(() => z.object({ untagged: z.array(z.string()), deleted: z.array(z.string()) })),
    summary: 'Untag or delete an image (docker rmi); refused with IMAGE_IN_USE while containers use it',
  }),
  'images.tag': method({
    where: 'helper',
    params: lazy(() => z.object({ source: ImageRef, target: ImageRef }).strict()),
    result: lazy(() => z.object({ id: Sha256Digest, tag: z.string() })),
    summary: 'Add a tag to an image (docker tag)',
  }),
  'images.history': method({
    where: 'helper',
    params: lazy(() => z.object({ ref: ImageRef }).strict()),
    result: lazy(() => z.array(HistoryRow)),
    summary: "An image's build steps, newest first (docker history)",
  }),
  'images.lowerDirs': method({
    where: 'helper',
    params: lazy(() => z.object({ ref: ImageRef }).strict()),
    result: lazy(() => z.object({ id: Sha256Digest, lowerDirs: z.array(z.string()) })),
    summary: "An image's unpacked layer dirs in overlay lowerdir order (topmost first)",
  }),
  'layers.analyzeImage': method({
    where: 'helper',
    params: lazy(() => z.object({ ref: ImageRef }).strict()),
    result: ImageAnalysis,
    summary: 'dive-like analysis of an image in the store (from its blobs)',
  }),
  'layers.readImageFile': method({
    where: 'helper',
    params: lazy(() => z.object({ ref: ImageRef, ...FileReadParams }).strict()),
    result: LayerFileContent,
    summary: 'layers.readFile for an image in the store, read from its blobs in the helper',
  }),
  'images.ingest.begin': method({
    where: 'helper',
    params: lazy(() => z.object({ size: z.number().int().nonnegative().optional(), opId: OpId.optional() }).strict()),
    result: lazy(() => z.object({ ingestId: TransferId })),
    summary: 'Start uploading an image archive to the helper',
  }),
  'images.ingest.chunk': method({
    where: 'helper',
    params: lazy(() =>
      z.object({ ingestId: TransferId, offset: z.number().int().nonnegative(), data: Base64Chunk }).strict(),
    ),
    result: lazy(() => z.object({ received: z.number().int() })),
    summary: 'Append ≤ 4 MiB (base64) at the current end of an upload (INGEST_OFFSET otherwise)',
  }),
  'images.ingest.commit': method({
    where: 'helper',
    params: lazy(() => z.object({ ingestId: TransferId }).strict()),
    result: LoadResult,
    summary: 'Verify and load the uploaded archive, all images or none',
  }),
  'images.ingest.abort': method({
    where: 'helper',
    params: lazy(() => z.object({ ingestId: TransferId }).strict()),
    result: Empty,
    summary: 'Drop an upload',
  }),
  'images.export.begin': method({
    where: 'helper',
    params: lazy(() => z.object({ refs: z.array(ImageRef).min(1).max(256) }).strict()),
    result: lazy(() =>
      z.object({
        exportId: TransferId,
        /** Exact length of the archive. */
        size: z.number().int(),
        images: z.array(z.object({ id: Sha256Digest, repoTags: z.array(z.string()) })),
      }),
    ),
    summary: 'Start streaming a docker save archive of the images out of the helper (exact size announced)',
  }),
  'images.export.read': method({
    where: 'helper',
    params: lazy(() =>
      z
        .object({
          exportId: TransferId,
          offset: z.number().int().nonnegative(),
          length: z.number().int().min(1).max(MAX_CHUNK_BYTES),
        })
        .strict(),
    ),
    result: lazy(() => z.object({ data: z.string(), eof: z.boolean() })),
    summary: 'Read the next ≤ 4 MiB of an export (base64; offsets sequential)',
  }),
  'images.export.abort': method({
    where: 'helper',
    params: lazy(() => z.object({ exportId: TransferId }).strict()),
    result: Empty,
    summary: 'Stop an export early',
  }),
  'images.load': method({
    where: 'main',
    params: lazy(() => z.object({ path: Path, opId: OpId.optional() }).strict()),
    result: LoadResult,
    summary: 'Load a docker save / OCI archive file (read as the user, uploaded to the helper)',
  }),
  'images.save': method({
    where: 'main',
    params: lazy(() =>
      z.object({ refs: z.array(ImageRef).min(1).max(256), path: Path, opId: OpId.optional() }).strict(),
    ),
    result: lazy(() =>
      z.object({
        path: z.string(),
        size: z.number().int(),
        images: z.array(z.object({ id: Sha256Digest, repoTags: z.array(z.string()) })),
      }),
    ),
    summary: 'Save images to a docker save tar (also an OCI layout) written as the user',
  }),
  'layers.analyzeFile': method({
    where: 'main',
    params: lazy(() =>
      z
        .object({ path: Path, image: z.union([z.string().max(512), z.number().int().nonnegative()]).optional() })
        .strict(),
    ),
    result: ImageAnalysis,
    summary: 'dive-like analysis of an image archive file, in main as the user (no helper, no root)',
  }),
  'layers.summarizeFile': method({
    where: 'main',
    params: lazy(() =>
      z
        .object({ path: Path, image: z.union([z.string().max(512), z.number().int().nonnegative()]).optional() })
        .strict(),
    ),
    result: AnalysisSummary,
    summary: 'layers.analyzeFile without the change lists, kept in main for layers.changes (summary first)',
  }),
  'layers.summarizeImage': method({
    where: 'main',
    params: lazy(() => z.object({ ref: ImageRef }).strict()),
    result: AnalysisSummary,
    summary: 'layers.analyzeImage (in the helper) without the change lists, kept in main for layers.changes',
  }),
  'layers.readFile': method({
    where: 'main',
    params: lazy(() => z.object({ sourceId: AnalysisId, ...FileReadParams }).strict()),
    result: LayerFileContent,
    summary:
      'One file of an analysed image as of a layer: its first bytes (≤ 64 KiB), or what a link, device or directory is, or which layer removed it',
  }),
  'layers.compare': method({
    where: 'main',
    params: lazy(() => z.object({ from: CompareSide, to: CompareSide }).strict()),
    result: ImageComparison,
    summary:
      "Two images' final trees compared (berth layers --compare): added, changed, removed files and the size differences",
  }),
  'layers.changes': method({
    where: 'main',
    params: lazy(() => z.object({ analysisId: AnalysisId }).strict()),
    result: AnalysisChanges,
    summary: "A summarized analysis' change lists, packed; releases them (ANALYSIS_GONE once released or expired)",
  }),
} as const;

export const imagesEvents = {
  /** Progress of a load or save (opId), from main (upload/export) and the helper (verify/unpack). */
  'images.progress': ImagesProgress,
  /** The store changed (load, rmi, tag, pull): refetch image lists. */
  'images.changed': ImagesChanged,
} as const;

export type ImageSummaryT = z.output<typeof ImageSummary>;
export type ImageDetailT = z.output<typeof ImageDetail>;
/** An analysis as the analyze methods return it: every layer's changes packed. */
export type ImageAnalysisT = z.output<typeof ImageAnalysis>;
export type AnalysisSummaryT = z.output<typeof AnalysisSummary>;
export type LayerFileContentT = z.output<typeof LayerFileContent>;
export type FileChangeT = z.output<typeof FileChange>;
/** The same with every layer's changes as FileChange objects (after `unpackAnalysis`). */
export type UnpackedImageAnalysisT = Omit<ImageAnalysisT, 'layers'> & {
  layers: Array<Omit<ImageAnalysisT['layers'][number], 'changes'> & { changes: FileChangeT[] }>;
};
export type LayerAnalysisT = z.output<typeof LayerAnalysis>;
export type HistoryRowT = z.output<typeof HistoryRow>;
export type LoadedImageT = z.output<typeof LoadedImage>;
export type ImagesProgressT = z.output<typeof ImagesProgress>;
export type ImagesChangedT = z.output<typeof ImagesChanged>;

/** Error codes of images: the store, transfers, archives, secure extraction and layer analysis. */
export const imageErrorCodes = [
  // store
  'IMAGE_NOT_FOUND',
  'IMAGE_AMBIGUOUS', // an id prefix that matches more than one image
  'IMAGE_CONFLICT', // removing by id an image with several tags, without force
  'IMAGE_IN_USE', // a container uses it
  'LAYER_MISSING',
  'STORE_CORRUPT',
  'STORE_LOCKED',
  // transfers (images.ingest.* / images.export.*) and files main reads for them
  'INGEST_NOT_FOUND',
  'INGEST_BUSY',
  'INGEST_OFFSET', // a chunk not at the offset received so far
  'INGEST_TOO_LARGE', // past the announced size
  'INGEST_INCOMPLETE',
  'EXPORT_NOT_FOUND',
  'EXPORT_OFFSET',
  'EXPORT_SIZE',
  'TOO_MANY_TRANSFERS',
  'CHUNK_TOO_LARGE',
  'FILE_CHANGED', // the file changed while it was read
  'NOT_A_FILE',
  'ANALYSIS_GONE', // a cached analysis was dropped; analyze again
  'CHANGES_MALFORMED', // packed change lists that do not decode (changes-wire.ts)
  // file contents of an analysed image (layers.readFile)
  'LAYER_SOURCE_GONE', // the analysis' source was released or expired, the archive changed, or the image was removed
  'LAYER_PATH_NOT_FOUND', // the path is in neither the layer nor any layer below it
  'LAYER_PATH_ESCAPE', // the path is not absolute or climbs above the root
  'LAYER_INDEX_INVALID', // no such layer in the analysed image
  // tar stream
  'TAR_TRUNCATED', // the stream ended inside a header, a body or before the end marker
  'TAR_BAD_HEADER', // checksum, octal/base-256 field, PAX record or name is malformed
  'TAR_UNSUPPORTED', // GNU sparse, multi-volume and other entry types we do not apply
  'TAR_SIZE_LIMIT', // a declared size exceeds a configured limit
  // archive caps: the operation stores nothing
  'ARCHIVE_METADATA_TOO_LARGE', // PAX / GNU long-name headers past their total, chain or global cap
  'LAYER_TOO_LARGE', // one layer's uncompressed tar past its cap
  'IMAGE_TOO_LARGE', // the uncompressed layers of one load or pull past their cap
  'NO_SPACE', // the data root's free space would drop under its margin
  // extraction policy
  'TAR_PATH_ESCAPE', // an entry path still climbs above the root after cleaning
  'TAR_LINK_ESCAPE', // a hardlink target escapes the root or goes through a symlink
  'TAR_LINK_MISSING', // a hardlink target is not an existing non-directory of this layer
  'TAR_SYMLINK_PARENT', // a parent of the entry is a symlink (this layer or a lower one)
  'TAR_PARENT_NOT_DIR', // a parent of the entry exists in this layer as a non-directory
  'TAR_DEVICE_FORBIDDEN', // char/block device (or fifo when disallowed)
  'TAR_XATTR_FORBIDDEN', // an xattr we must never take from input (trusted.overlay.*)
  'TAR_DUPLICATE', // an ambiguous duplicate (e.g. two blobs with one name in an image archive)
  // streams and blobs
  'COMPRESSION_BAD',
  'DIGEST_INVALID',
  'DIGEST_MISMATCH', // bytes differ from the digest that named them (registry pulls too)
  'MANIFEST_INVALID',
  'MANIFEST_PATH_ESCAPE',
  'BLOB_MISSING',
  'TARGET_EXISTS',
  'NATIVE_OP_FAILED', // an xattr/mknod call failed
  'EXTRACT_FAILED', // a filesystem call failed while applying an entry (details.errno)
] as const;
