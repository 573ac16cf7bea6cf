/**
 * The dive-like analysis (engine/layers) of an image already in the store,
 * read from its blobs: the same scan, merged tree and efficiency code the
 * archive analyzer uses, with the store's digests checked on the way. It
 * reads blobs only (never the unpacked dirs), so nothing root-specific
 * reaches the result beyond the blob names.
 */
import { assertDigest, type Digest } from '../../oci/digest';
import { familiarize } from '../reference';
import { diveEfficiency } from '../../layers/efficiency';
import { MergedTree } from '../../layers/filetree';
import { scanLayer, withBlob, type LayerScan } from '../../layers/layer-scan';
import { historyForLayers, imageTotals, type ImageAnalysis, type LayerAnalysis } from '../../layers/analyze';
import type { ImageStore } from './store';

export type StoredImageAnalysis = Omit<ImageAnalysis, 'format'> & { format: ImageAnalysis['format'] | 'store' };

export interface StoreAnalyzeOptions {
  hashFiles?: boolean;
  signal?: AbortSignal;
  onProgress?: (p: { layer: number; layers: number }) => void;
}

export async function analyzeStoredImage(
  store: ImageStore,
  ref: string,
  options: StoreAnalyzeOptions = {},
): Promise<StoredImageAnalysis> {
  const img = await store.resolve(ref);
  const history = historyForLayers(img.config, img.diffIds.length);
  const tree = new MergedTree();
  const scans = new Map<string, LayerScan>();
  const scanned: LayerScan[] = [];
  const layers: LayerAnalysis[] = [];
  for (const [i, desc] of img.manifest.layers.entries()) {
    options.signal?.throwIfAborted();
    options.onProgress?.({ layer: i, layers: img.manifest.layers.length });
    const blob = `blobs/sha256/${desc.digest.slice(7)}`;
    let scan = scans.get(desc.digest);
    if (!scan) {
      try {
        scan = await scanLayer(store.blobs.open(desc.digest) as AsyncIterable<Uint8Array>, {
          hashFiles: options.hashFiles,
          sourceSize: desc.size,
          signal: options.signal,
        });
        assertDigest(desc.digest, scan.digest, blob);
      } catch (err) {
        throw withBlob(err, blob);
      }
      scans.set(desc.digest, scan);
    }
    assertDigest(img.diffIds[i] as string, scan.diffId, blob, { kind: 'diffID', layer: i });
    scanned.push(scan);
    const diff = tree.applyLayer(scan);
    const h = history[i];
    const layer: LayerAnalysis = {
      index: i,
      blob,
      mediaType: desc.mediaType,
      compression: scan.compression,
      digest: scan.digest,
      diffId: scan.diffId,
      verified: true,
      chainId: img.chainIds[i] as Digest,
      compressedSize: scan.compressedSize,
      uncompressedSize: scan.uncompressedSize,
      size: scan.contentSize,
      deadBytes: 0, // set with the totals
      createdBy: h?.created_by ?? '(missing)',
      stats: diff.stats,
      changes: diff.changes,
    };
    if (h?.created !== undefined) layer.created = h.created;
    if (h?.comment !== undefined) layer.comment = h.comment;
    layers.push(layer);
  }
  const eff = diveEfficiency(scanned);
  const result: StoredImageAnalysis = {
    format: 'store',
    repoTags: img.tags.map(familiarize),
    manifestDigest: img.manifestDigest,
    configDigest: img.id,
    verified: true,
    architecture: img.config.architecture,
    os: img.config.os,
    history: img.config.history ?? [],
    layers,
    ...imageTotals(layers, eff, scanned),
  };
  if (img.config.created !== undefined) result.created = img.config.created;
  return result;
}
