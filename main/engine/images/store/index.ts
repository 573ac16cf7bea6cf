/**
 * The image store's public face, and one shared store per data root inside
 * the helper (the images feature and the registry client use the same one,
 * so their in-process locks and blob pins are shared).
 */
import path from 'node:path';
import { ImageStore, type ImageStoreOptions } from './store';

export type { BlobSink, BlobSource } from './blob-io';
export { Staging, type StagedImage, type StagedLayer } from './staging';
export {
  ImageStore,
  NO_IMAGE_USAGE,
  type CommittedImage,
  type ImageStoreOptions,
  type ImageUsage,
  type LayerRecord,
  type PulledImage,
  type RemoveResult,
  type StoredImage,
} from './store';

const shared = new Map<string, Promise<ImageStore>>();

/** The store of `dataRoot`, opened once per process. */
export function sharedImageStore(opts: ImageStoreOptions): Promise<ImageStore> {
  const key = path.resolve(opts.dataRoot);
  let p = shared.get(key);
  if (!p) {
    p = ImageStore.open(opts);
    shared.set(key, p);
    p.catch(() => shared.delete(key));
  }
  return p;
}
