/**
 * Every kind of stored data `system df` and `system prune` know, in the
 * order a prune removes them: containers first (they keep images and
 * volumes), then what they kept. A new kind is one line in this array.
 */
import type { ContainerManager } from '../containers/manager';
import type { ImageStore } from '../images/store/index';
import type { VolumeStore } from '../volumes/store';
import type { DiskSection } from './disk-section';
import { containersSection } from './containers-section';
import { imagesSection } from './images-section';
import { volumesSection } from './volumes-section';
import { buildCacheSection } from '../build/cache';

export interface DiskDeps {
  dataRoot: string;
  manager: ContainerManager;
  images: ImageStore;
  volumes: VolumeStore;
}

/**
 * `leaving`: containers the same prune removes first, so a plan lists the
 * images and volumes only they keep (the prune itself checks again).
 */
export function diskSections(d: DiskDeps, leaving: ReadonlySet<string> = new Set()): DiskSection[] {
  return [
    containersSection({
      dataRoot: d.dataRoot,
      list: () => d.manager.list(true, {}),
      remove: (id) => d.manager.remove(id, false),
    }),
    imagesSection({ store: d.images, containersOf: (id) => d.manager.containerIdsUsing(id), leaving }),
    volumesSection({ store: d.volumes, leaving }),
    buildCacheSection(d.dataRoot),
  ];
}
