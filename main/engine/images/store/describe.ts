/**
 * What the images API shows about stored images: list rows, inspect,
 * history. The shapes are the contract's (preload/schemas/images.ts).
 */
import fs from 'node:fs';
import type { HistoryRowT, ImageDetailT, ImageSummaryT } from '../../../../preload/schemas/images';
import { digestHex } from '../../oci/digest';
import { familiarize, parseReference } from '../reference';
import { compileGlob } from './glob';
import type { ImageStore, StoredImage } from './store';

/** docker's `reference` filter: matches the familiar or full name, with or without the tag. */
export function matchesReference(pattern: string, tags: readonly string[]): boolean {
  const glob = compileGlob(pattern);
  for (const t of tags) {
    const fam = familiarize(t);
    const candidates = [t, fam];
    try {
      const r = parseReference(t);
      candidates.push(`${r.domain}/${r.path}`, fam.replace(/:[^:/@]+$/, ''));
    } catch {
      /* keep the strings we have */
    }
    if (candidates.some((c) => glob.test(c))) return true;
  }
  return false;
}

export function summarize(store: ImageStore, img: StoredImage): ImageSummaryT {
  return {
    id: img.id,
    shortId: digestHex(img.id).slice(0, 12),
    repoTags: img.tags.map(familiarize),
    names: img.tags,
    digest: img.manifestDigest,
    size: store.imageSize(img),
    compressedSize: img.manifest.layers.reduce((s, l) => s + l.size, 0),
    created: img.config.created ?? null,
    architecture: img.config.architecture,
    os: img.config.os,
    layers: img.diffIds.length,
    usedBy: store.containersUsing(img.id),
  };
}

export async function listImages(
  store: ImageStore,
  filter: { reference?: string | undefined; dangling?: boolean | undefined } = {},
): Promise<ImageSummaryT[]> {
  const images = await store.list();
  return images
    .filter((i) => filter.dangling === undefined || filter.dangling === (i.tags.length === 0))
    .filter((i) => filter.reference === undefined || matchesReference(filter.reference, i.tags))
    .map((i) => summarize(store, i))
    .sort((a, b) => (b.created ?? '').localeCompare(a.created ?? ''));
}

export async function inspectImage(store: ImageStore, ref: string): Promise<ImageDetailT> {
  const img = await store.resolve(ref);
  const records = await store.layerRecords();
  const [manifestBytes, configBytes] = await Promise.all([
    store.blobs.read(img.manifestDigest),
    store.blobs.read(img.id),
  ]);
  const layerDetails = img.manifest.layers.map((l, i) => {
    const chainId = img.chainIds[i] as string;
    const dir = store.layerDir(chainId);
    const rec = records[digestHex(chainId)];
    return {
      index: i,
      digest: l.digest,
      mediaType: l.mediaType,
      compressedSize: l.size,
      diffId: img.diffIds[i] as string,
      chainId,
      size: rec?.size ?? null,
      dir,
      present: fs.existsSync(dir),
      refs: rec?.refs.length ?? 0,
    };
  });
  let lowerDirs: string[];
  try {
    lowerDirs = store.lowerDirsOf(img);
  } catch {
    lowerDirs = [];
  }
  return {
    ...summarize(store, img),
    manifestMediaType: img.manifestDescriptor.mediaType,
    config: JSON.parse(configBytes.toString('utf8')) as Record<string, unknown>,
    manifest: JSON.parse(manifestBytes.toString('utf8')) as Record<string, unknown>,
    history: img.config.history ?? [],
    diffIds: img.diffIds,
    chainIds: img.chainIds,
    layerDetails,
    lowerDirs,
    paths: {
      store: store.root,
      layers: store.layersRoot,
      manifestBlob: store.blobs.path(img.manifestDigest),
      configBlob: store.blobs.path(img.id),
    },
  };
}

/** docker history: newest first; steps that made a layer carry its diffID and size. */
export async function imageHistory(store: ImageStore, ref: string): Promise<HistoryRowT[]> {
  const img = await store.resolve(ref);
  await store.readLayers();
  const history = img.config.history ?? [];
  const rows: HistoryRowT[] = [];
  let layer = 0;
  const sizeOf = (i: number): number =>
    store.knownLayerSize(img.chainIds[i] as string) ?? img.manifest.layers[i]?.size ?? 0;
  for (const h of history) {
    const empty = h.empty_layer === true;
    const i = layer;
    if (!empty) layer++;
    rows.push({
      id: empty || i >= img.diffIds.length ? '<missing>' : (img.diffIds[i] as string),
      created: h.created ?? null,
      createdBy: h.created_by ?? '',
      size: empty || i >= img.diffIds.length ? 0 : sizeOf(i),
      comment: h.comment ?? '',
      emptyLayer: empty,
    });
  }
  // Layers the history does not describe (images built without history).
  for (; layer < img.diffIds.length; layer++) {
    rows.push({
      id: img.diffIds[layer] as string,
      created: null,
      createdBy: '',
      size: sizeOf(layer),
      comment: '',
      emptyLayer: false,
    });
  }
  return rows.reverse();
}
