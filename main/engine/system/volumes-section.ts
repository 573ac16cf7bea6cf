/**
 * Volumes as `system df` / `volume prune` see them: a volume's bytes are
 * its directory. Active: some container (any state) mounts it. Prune takes
 * unused anonymous volumes, or with `all` every unused one (docker 23+).
 */
import { DiskMeter } from '../storage/du';
import type { VolumeStore } from '../volumes/store';
import type { DiskSection } from './disk-section';

export interface VolumesSectionDeps {
  store: VolumeStore;
  /** Containers a prune in the same plan removes first: they do not keep a volume. */
  leaving?: ReadonlySet<string>;
}

export function volumesSection(d: VolumesSectionDeps): DiskSection {
  const inUse = (name: string): boolean => d.store.users(name).some((u) => !d.leaving?.has(u.id));
  const bytes = (name: string): Promise<number> => new DiskMeter().measure(d.store.dir(name));
  const records = () => d.store.list().flatMap((e) => (e.kind === 'ok' ? [e.record] : []));
  return {
    kind: 'volumes',
    async usage() {
      const vols = records();
      let sizeBytes = 0;
      let reclaimableBytes = 0;
      for (const v of vols) {
        const b = await bytes(v.name);
        sizeBytes += b;
        if (!inUse(v.name)) reclaimableBytes += b;
      }
      return { count: vols.length, active: vols.filter((v) => inUse(v.name)).length, sizeBytes, reclaimableBytes };
    },
    async plan({ all }) {
      const out: Array<{ id: string; name: string; sizeBytes: number }> = [];
      for (const v of records()) {
        if (inUse(v.name) || (!all && !v.anonymous)) continue;
        out.push({ id: v.name, name: v.name, sizeBytes: await bytes(v.name) });
      }
      return out;
    },
    async prune(ids) {
      const removed: string[] = [];
      let reclaimedBytes = 0;
      for (const name of ids) {
        if (!d.store.has(name) || d.store.users(name).length > 0) continue;
        const b = await bytes(name);
        try {
          await d.store.remove(name);
        } catch (err) {
          const code = (err as { code?: string }).code;
          if (code === 'VOLUME_IN_USE' || code === 'VOLUME_NOT_FOUND') continue;
          throw err;
        }
        removed.push(name);
        reclaimedBytes += b;
      }
      return { removed, reclaimedBytes };
    },
  };
}
