/**
 * Images as `system df` / `image prune` see them. An image's bytes are its
 * manifest, config and layer blobs plus its unpacked layer directories;
 * layers two images share count once in a total, and an image's own size in
 * a plan is what removing it alone frees (what no other image references).
 * In use: a container (any state) was created from it. `image prune` takes
 * dangling images (no tag) unless `all`, then every unused one (docker).
 */
import type { ImageStore, StoredImage } from '../images/store/index';
import { digestHex } from '../oci/digest';
import type { DiskSection } from './disk-section';
import { PathSizes } from './path-sizes';

export interface ImagesSectionDeps {
  store: ImageStore;
  /** Ids of the containers created from the image. */
  containersOf(imageId: string): string[];
  /** Containers a prune in the same plan removes first: they do not keep an image. */
  leaving?: ReadonlySet<string>;
}

function pathsOf(store: ImageStore, img: StoredImage): string[] {
  return [
    store.blobs.path(img.manifestDigest),
    store.blobs.path(img.id),
    ...img.manifest.layers.map((l) => store.blobs.path(l.digest)),
    ...img.chainIds.map((c) => store.layerDir(c)),
  ];
}

export function imagesSection(d: ImagesSectionDeps): DiskSection {
  const inUse = (id: string): boolean => d.containersOf(id).some((c) => !d.leaving?.has(c));
  const byId = (images: StoredImage[]): Map<string, StoredImage[]> => {
    const m = new Map<string, StoredImage[]>();
    for (const i of images) m.set(i.id, [...(m.get(i.id) ?? []), i]);
    return m;
  };
  /** Bytes only the images of `id` hold (freed by removing them). */
  const ownBytes = (sizes: PathSizes, images: StoredImage[], id: string): Promise<number> => {
    const others = new Set(images.filter((i) => i.id !== id).flatMap((i) => pathsOf(d.store, i)));
    const own = images.filter((i) => i.id === id).flatMap((i) => pathsOf(d.store, i));
    return sizes.sum(own.filter((p) => !others.has(p)));
  };
  return {
    kind: 'images',
    async usage() {
      const images = await d.store.list();
      const sizes = new PathSizes();
      const ids = byId(images);
      const active = [...ids.keys()].filter(inUse);
      const all = await sizes.sum(images.flatMap((i) => pathsOf(d.store, i)));
      const kept = await sizes.sum(images.filter((i) => inUse(i.id)).flatMap((i) => pathsOf(d.store, i)));
      return { count: ids.size, active: active.length, sizeBytes: all, reclaimableBytes: all - kept };
    },
    async plan({ all }) {
      const images = await d.store.list();
      const sizes = new PathSizes();
      const out: Array<{ id: string; name: string; sizeBytes: number }> = [];
      for (const [id, group] of byId(images)) {
        const tags = group.flatMap((i) => i.tags);
        if (inUse(id) || (!all && tags.length > 0)) continue;
        out.push({
          id,
          name: tags[0] ?? `<none>@${digestHex(id).slice(0, 12)}`,
          sizeBytes: await ownBytes(sizes, images, id),
        });
      }
      return out;
    },
    async prune(ids) {
      const removed: string[] = [];
      let reclaimedBytes = 0;
      for (const id of ids) {
        const images = await d.store.list();
        if (!images.some((i) => i.id === id) || d.containersOf(id).length > 0) continue;
        const bytes = await ownBytes(new PathSizes(), images, id);
        try {
          await d.store.remove(id, { force: true });
        } catch (err) {
          // Taken into use (or removed) since the plan: kept, not an error of the prune.
          if (
            (err as { code?: string }).code === 'IMAGE_IN_USE' ||
            (err as { code?: string }).code === 'IMAGE_NOT_FOUND'
          )
            continue;
          throw err;
        }
        removed.push(id);
        reclaimedBytes += bytes;
      }
      return { removed, reclaimedBytes };
    },
  };
}
