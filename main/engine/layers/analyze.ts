/**
 * dive-like analysis of an image archive file, without root and without
 * extracting anything: the outer tar is indexed once, each layer is read
 * from its byte range (compressed ones streamed: decompressed, hashed,
 * listed; plain ones listed from their headers while a worker thread
 * hashes their bytes), and every digest the archive states is checked on
 * the way. See README.md.
 */
import { DigestTap, assertDigest, chainIds, type Digest } from '../oci/digest';
import type { Compression } from '../oci/compression';
import type { HistoryEntry, ImageConfig } from '../oci/oci-types';
import { ArchiveIndex } from '../oci/archive-index';
import { deadBytes, type DeadBytesLayer } from './dead-bytes';
import { diveEfficiency, type EfficiencyResult, type Inefficiency } from './efficiency';
import { MergedTree, type FileChange, type LayerChangeStats, type LayerDiff } from './filetree';
import { planImage, type ArchiveFormat, type LayerRef, type SelectOptions } from '../oci/image-source';
import { BodyHasher } from './body-hash';
import {
  digestPlainMember,
  listPlainLayer,
  scanLayer,
  withBlob,
  type LayerScan,
  type PlainListing,
} from './layer-scan';
import { RangeDigester } from './range-digest';
import { BerthError } from '../../../preload/errors';

export interface AnalyzeOptions extends SelectOptions {
  /**
   * Compare file contents to tell rewritten-but-identical files apart
   * (default true). Compressed layers hash every file while streaming;
   * plain layers hash, on demand, only files a lower layer also has.
   */
  hashFiles?: boolean;
  /**
   * Check every layer's digest and diffID (default true). With false, plain
   * (uncompressed) layers are listed from their headers and nothing of
   * them is hashed: their digest and diffID are the ones the archive
   * states, unchecked (`verified: false` on those layers and on the image).
   * Compressed layers are always read through and verified. Implies no
   * content hashes for the unverified layers (an identical rewrite then
   * counts as modified, as in dive).
   */
  verify?: boolean;
  maxEntrySize?: number;
  /**
   * Listings of plain members made while the archive was still arriving
   * (prelist.ts), by member offset and size. Used for layers only when
   * verifying with content hashes and the default entry limit (how they
   * were made); the digest is still computed and checked here. Null or
   * undefined: the member is listed as usual.
   */
  prelisted?: (member: { offset: number; size: number }) => Promise<PlainListing | null> | undefined;
  /**
   * The layers already merged in this order from those same listings
   * (prelist.ts `premerged`), or null: then they are merged here. Same
   * conditions as `prelisted`, which must give the very listings merged.
   */
  premerged?: (members: readonly { offset: number; size: number }[]) => Promise<{
    /** `uniquePaths`: the layer lists no path twice (dead-bytes.ts skips its set of paths). */
    layers: ReadonlyArray<{ listing: PlainListing; diff: LayerDiff; uniquePaths?: boolean }>;
    efficiency: EfficiencyResult;
  } | null>;
  signal?: AbortSignal;
  onProgress?: (p: { layer: number; layers: number }) => void;
}

export interface LayerAnalysis {
  index: number;
  /** Archive member the layer came from. */
  blob: string;
  mediaType?: string;
  compression: Compression;
  /** sha256 of the blob as stored (compressed). */
  digest: Digest;
  diffId: Digest;
  /** False when digest and diffID were taken from the archive without reading the layer (`verify: false`). */
  verified: boolean;
  chainId: Digest;
  compressedSize: number;
  /** Bytes of the uncompressed tar stream. */
  uncompressedSize: number;
  /** Sum of entry sizes (dive's layer size). */
  size: number;
  /** Bytes of this layer's files the final image cannot reach (dead-bytes.ts). */
  deadBytes: number;
  createdBy: string;
  created?: string;
  comment?: string;
  stats: LayerChangeStats;
  /** What this layer adds, modifies and removes, sorted by path. */
  changes: FileChange[];
}

export interface ImageAnalysis {
  format: ArchiveFormat;
  repoTags: string[];
  manifestDigest?: Digest;
  configDigest: Digest;
  /** Every layer's digest and diffID checked against its bytes (see AnalyzeOptions.verify). */
  verified: boolean;
  architecture: string;
  os: string;
  created?: string;
  /** The full history, empty layers included. */
  history: HistoryEntry[];
  layers: LayerAnalysis[];
  /** Sum of layer sizes (dive's SizeBytes). */
  sizeBytes: number;
  /** The same without the first layer (dive's UserSizeBytes). */
  userSizeBytes: number;
  compressedBytes: number;
  efficiency: number;
  wastedBytes: number;
  /** wastedBytes / userSizeBytes (0 when there is no user layer). */
  wastedUserPercent: number;
  /** Paths present in more than one layer, largest total first. */
  inefficiencies: Inefficiency[];
  /** Bytes stored in layers that the final image cannot reach (dead-bytes.ts); the layers' sum. */
  deadBytes: number;
}

/**
 * A blob that fails to parse may simply not be the blob the manifest
 * names; when a digest is stated, say so (the root cause) instead.
 */
async function preferDigestError(err: unknown, index: ArchiveIndex, ref: LayerRef): Promise<unknown> {
  const named = withBlob(err, ref.name);
  if (!(err instanceof BerthError) || !ref.expectedDigest) return named;
  if (!err.code.startsWith('TAR_') && err.code !== 'COMPRESSION_BAD') return named;
  const tap = new DigestTap();
  for await (const _ of tap.tap(index.open(ref.member))) void _;
  const actual = tap.digest();
  if (actual === ref.expectedDigest) return named;
  return new BerthError(
    'DIGEST_MISMATCH',
    `digest mismatch for ${ref.name}: expected ${ref.expectedDigest}, got ${actual}`,
    {
      entry: ref.name,
      blob: ref.name,
      expected: ref.expectedDigest,
      actual,
      parseError: err.code,
    },
  );
}

/**
 * dive's pairing of layers with history: each layer takes the next non-empty
 * history entry. Shared with the store's analyzer (images/store/analyze).
 */
export function historyForLayers(config: ImageConfig, count: number): Array<HistoryEntry | undefined> {
  const history = config.history ?? [];
  const out: Array<HistoryEntry | undefined> = [];
  let h = 0;
  for (let i = 0; i < count; i++) {
    while (h < history.length && history[h]?.empty_layer) h++;
    out.push(history[h]);
    if (h < history.length) h++;
  }
  return out;
}

type ImageTotals = Pick<
  ImageAnalysis,
  | 'sizeBytes'
  | 'userSizeBytes'
  | 'compressedBytes'
  | 'efficiency'
  | 'wastedBytes'
  | 'wastedUserPercent'
  | 'inefficiencies'
  | 'deadBytes'
>;

/**
 * The image's sizes and efficiency from its layers, as dive reports them,
 * and its dead bytes (each layer's `deadBytes` is set from `scans`, the
 * layers' listings in the same order). Shared with the store's analyzer.
 */
export function imageTotals(
  layers: readonly LayerAnalysis[],
  eff: EfficiencyResult,
  scans: readonly DeadBytesLayer[],
): ImageTotals {
  const dead = deadBytes(scans);
  layers.forEach((l, i) => (l.deadBytes = dead.perLayer[i] ?? 0));
  const sizeBytes = layers.reduce((s, l) => s + l.size, 0);
  const userSizeBytes = sizeBytes - (layers[0]?.size ?? 0);
  return {
    sizeBytes,
    userSizeBytes,
    compressedBytes: layers.reduce((s, l) => s + l.compressedSize, 0),
    efficiency: eff.score,
    wastedBytes: eff.wastedBytes,
    wastedUserPercent: userSizeBytes > 0 ? eff.wastedBytes / userSizeBytes : 0,
    inefficiencies: eff.inefficiencies,
    deadBytes: dead.total,
  };
}

interface Scanned {
  scan: Omit<LayerScan, 'digest' | 'diffId'>;
  verified: boolean;
  /**
   * The blob's digest and diffID: known with the scan, except for a plain
   * layer whose bytes the worker is still hashing (a promise, checked
   * against the stated digest when they are). The listing is merged meanwhile.
   */
  digests: Digests | Promise<Digests>;
}

interface Digests {
  digest: Digest;
  diffId: Digest;
}

/** Awaits the checks in layer order: the first bad layer is the one reported. */
async function inOrder(checks: readonly Promise<void>[]): Promise<void> {
  for (const c of checks) await c;
}

/** Layers read at once: blob reading, gunzip (libuv's pool) and hashing overlap across cores. */
const SCAN_AHEAD = 2;

export async function analyzeImageArchive(file: string, options: AnalyzeOptions = {}): Promise<ImageAnalysis> {
  const verify = options.verify ?? true;
  const hashFiles = options.hashFiles ?? true;
  const stop = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal;
  // Plain layers: the digest on a worker thread (started with the first plain
  // layer) while the headers are listed here.
  const digester = verify ? new RangeDigester(signal) : undefined;
  const bodies = new BodyHasher(file, signal);
  try {
    return await analyze(file, options, { verify, hashFiles, signal, digester, bodies });
  } finally {
    stop.abort(); // scans still running after an error stop reading
    await Promise.all([digester?.close(), bodies.close()]);
  }
}

interface Run {
  verify: boolean;
  hashFiles: boolean;
  signal: AbortSignal;
  digester: RangeDigester | undefined;
  bodies: BodyHasher;
}

async function analyze(
  file: string,
  options: AnalyzeOptions,
  { verify, hashFiles, signal, digester, bodies }: Run,
): Promise<ImageAnalysis> {
  const index = await ArchiveIndex.open(file);
  const plan = await planImage(index, options);
  const diffIds = plan.config.rootfs.diff_ids as Digest[];
  const chains = chainIds(diffIds);
  const history = historyForLayers(plan.config, plan.layers.length);
  const tree = new MergedTree();
  const layers: LayerAnalysis[] = [];
  const scanned: DeadBytesLayer[] = [];
  const checks: Promise<void>[] = [];

  // Scans start up to SCAN_AHEAD layers ahead of the one being merged and are
  // awaited in layer order, so the first bad layer is still the one reported.
  // The same blob listed twice (identical layers) is read once.
  const scans = new Map<string, Promise<Scanned>>();
  // A listing made while the archive arrived, with its digest now taken on the worker.
  const prelistedWithDigest = async (ref: LayerRef): Promise<PlainListing | null> => {
    if (!digester || !hashFiles || options.maxEntrySize !== undefined) return null;
    const listed = await options.prelisted?.(ref.member);
    if (!listed) return null;
    // Hashed as the bytes arrived when the prelister could; else read through now, on the worker.
    const digest = listed.digest ?? digestPlainMember(index.file, ref.member, digester);
    digest.catch(() => undefined); // handed on below; awaited in layer order
    return { ...listed, digest };
  };
  const scanOne = async (ref: LayerRef, i: number): Promise<Scanned> => {
    try {
      const listed =
        (await prelistedWithDigest(ref)) ??
        (await listPlainLayer(index.file, ref.member, {
          maxEntrySize: options.maxEntrySize,
          signal,
          digester,
          contentRefs: verify && hashFiles,
        }));
      if (listed) {
        if (ref.expectedSize !== undefined && listed.compressedSize !== ref.expectedSize) {
          throw new BerthError(
            'DIGEST_MISMATCH',
            `${ref.name}: ${listed.compressedSize} bytes, descriptor says ${ref.expectedSize}`,
            { entry: ref.name, blob: ref.name, reason: 'size' },
          );
        }
        const { digest: hashing, ...scan } = listed;
        if (hashing) {
          // A plain layer's blob is its tar stream: the digest is also the diffID.
          const digests = hashing.then(
            (digest) => {
              if (ref.expectedDigest) assertDigest(ref.expectedDigest, digest, ref.name);
              return { digest, diffId: digest };
            },
            async (err: unknown) => {
              throw await preferDigestError(err, index, ref);
            },
          );
          digests.catch(() => undefined); // awaited in layer order, unless the analysis stopped first
          return { scan, verified: true, digests };
        }
        // Unverified: both digests are the stated diffID.
        const diffId = diffIds[i] as Digest;
        return { scan, verified: false, digests: { digest: ref.expectedDigest ?? diffId, diffId } };
      }
      const scan = await scanLayer(index.open(ref.member), {
        hashFiles: options.hashFiles,
        maxEntrySize: options.maxEntrySize,
        sourceSize: ref.member.size,
        signal,
      });
      if (ref.expectedSize !== undefined && scan.compressedSize !== ref.expectedSize) {
        throw new BerthError(
          'DIGEST_MISMATCH',
          `${ref.name}: ${scan.compressedSize} bytes, descriptor says ${ref.expectedSize}`,
          {
            entry: ref.name,
            blob: ref.name,
            reason: 'size',
          },
        );
      }
      if (ref.expectedDigest) assertDigest(ref.expectedDigest, scan.digest, ref.name);
      return { scan, verified: true, digests: { digest: scan.digest, diffId: scan.diffId } };
    } catch (err) {
      throw await preferDigestError(err, index, ref);
    }
  };
  // Merged while the archive arrived, in this very order: only the digests are left to take and check.
  const premerged =
    digester && hashFiles && options.maxEntrySize === undefined
      ? await options.premerged?.(plan.layers.map((r) => r.member))
      : null;
  let started = 0;
  const startUpTo = (last: number): void => {
    for (; started <= Math.min(last, plan.layers.length - 1); started++) {
      const ref = plan.layers[started] as LayerRef;
      if (scans.has(ref.member.name)) continue;
      const p = scanOne(ref, started);
      p.catch(() => undefined); // awaited (and reported) in layer order below
      scans.set(ref.member.name, p);
    }
  };

  for (const [i, ref] of plan.layers.entries()) {
    options.signal?.throwIfAborted();
    options.onProgress?.({ layer: i, layers: plan.layers.length });
    startUpTo(i + SCAN_AHEAD - 1);
    let layerScan: Scanned;
    try {
      layerScan = await (scans.get(ref.member.name) as Promise<Scanned>);
    } catch (err) {
      await inOrder(checks); // a lower layer's bad digest comes first
      throw err;
    }
    const { scan, verified, digests } = layerScan;
    const pre = premerged?.layers[i];
    let diff: LayerDiff;
    if (pre && scan.entries === pre.listing.entries) {
      diff = pre.diff;
      scanned.push(pre.uniquePaths ? { ...scan, uniquePaths: true } : scan);
    } else {
      scanned.push(scan);
      if (pre) throw new Error(`layer ${i}: the premerged listing is not the one prelisted`);
      if (hashFiles) await tree.hashCollisions(scan.entries, (offset, size) => bodies.hash(offset, size));
      diff = tree.applyLayer(scan);
    }
    const h = history[i];
    const layer: LayerAnalysis = {
      index: i,
      blob: ref.name,
      compression: scan.compression,
      // Provisional: set from `digests` below, before the result is returned.
      digest: diffIds[i] as Digest,
      diffId: diffIds[i] as Digest,
      verified,
      chainId: chains[i] as Digest,
      compressedSize: scan.compressedSize,
      uncompressedSize: scan.uncompressedSize,
      size: scan.contentSize,
      deadBytes: 0, // set with the totals
      createdBy: h?.created_by ?? '(missing)',
      stats: diff.stats,
    } as LayerAnalysis;
    // The diff's list as the diff holds it: a bottom layer merged while it
    // arrived builds its list when first read (MergedTree.baseMerge), which
    // an upload's summary does not do.
    Object.defineProperty(layer, 'changes', {
      enumerable: true,
      configurable: true,
      ...Object.getOwnPropertyDescriptor(diff, 'changes'),
    });
    if (ref.mediaType !== undefined) layer.mediaType = ref.mediaType;
    if (h?.created !== undefined) layer.created = h.created;
    if (h?.comment !== undefined) layer.comment = h.comment;
    layers.push(layer);
    const settle = ({ digest, diffId }: Digests): void => {
      try {
        if (verified) assertDigest(diffIds[i] as string, diffId, ref.name, { kind: 'diffID', layer: i });
        // Unverified: the same blob listed twice must at least be stated twice with one diffID.
        else if (diffId !== diffIds[i])
          assertDigest(diffIds[i] as string, diffId, ref.name, { kind: 'diffID', layer: i });
      } catch (err) {
        throw withBlob(err, ref.name);
      }
      layer.digest = digest;
      layer.diffId = diffId;
    };
    if (digests instanceof Promise) {
      const check = digests.then(settle);
      check.catch(() => undefined); // awaited in layer order
      checks.push(check);
    } else {
      try {
        settle(digests);
      } catch (err) {
        await inOrder(checks); // a lower layer's bad digest comes first
        throw err;
      }
    }
  }

  // Efficiency is worked out while the worker may still be hashing the last plain layers.
  const eff = premerged?.efficiency ?? diveEfficiency(scanned);
  await inOrder(checks);
  const result: ImageAnalysis = {
    format: plan.format,
    repoTags: plan.repoTags,
    configDigest: plan.configDigest,
    verified: layers.every((l) => l.verified),
    architecture: plan.config.architecture,
    os: plan.config.os,
    history: plan.config.history ?? [],
    layers,
    ...imageTotals(layers, eff, scanned),
  };
  if (plan.manifestDigest) result.manifestDigest = plan.manifestDigest;
  if (plan.config.created !== undefined) result.created = plan.config.created;
  return result;
}
