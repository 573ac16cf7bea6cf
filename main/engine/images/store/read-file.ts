/**
 * One file of an image in the store as of a layer (`layers.readImageFile`):
 * engine/layers/file-read.ts over the image's layer blobs, where the
 * analysis of a stored image reads them (analyze.ts): blobs only, never the
 * unpacked layer dirs, so nothing on the host outside the store is reachable
 * whatever path is asked for. Plain blobs are listed by range; compressed
 * ones are streamed up to the member.
 */
import { readLayerFile, type LayerBlobSource, type LayerFile } from '../../layers/file-read';
import type { ImageStore } from './store';

export async function readStoredImageFile(
  store: ImageStore,
  ref: string,
  layer: number,
  path: string,
  opts: { maxBytes?: number } = {},
): Promise<LayerFile> {
  const img = await store.resolve(ref);
  const layers: LayerBlobSource[] = img.manifest.layers.map((d) => ({
    open: () => store.blobs.open(d.digest) as AsyncIterable<Uint8Array>,
    range: { file: store.blobs.path(d.digest), offset: 0, size: d.size },
  }));
  return readLayerFile(layers, layer, path, opts);
}
