/**
 * Containers as `system df` / `container prune` see them: a container's
 * bytes are its directory (`<dataRoot>/c/<id>`: the overlay's upper dir,
 * logs, run files). Active: running, paused or restarting. Prune takes
 * stopped ones (created, exited, dead), as docker's does; unreadable records
 * are left for an explicit `rm`.
 */
import path from 'node:path';
import type { ContainerSummaryT } from '../../../preload/schemas/containers';
import { DiskMeter } from '../storage/du';
import type { DiskSection } from './disk-section';

export interface ContainersSectionDeps {
  dataRoot: string;
  list(): ContainerSummaryT[];
  remove(id: string): Promise<unknown>;
}

const ACTIVE = new Set(['running', 'paused', 'restarting']);
const PRUNABLE = new Set(['created', 'exited', 'dead']);

export function containersSection(d: ContainersSectionDeps): DiskSection {
  const bytes = (id: string): Promise<number> => new DiskMeter().measure(path.join(d.dataRoot, 'c', id));
  return {
    kind: 'containers',
    async usage() {
      const all = d.list();
      let sizeBytes = 0;
      let reclaimableBytes = 0;
      for (const c of all) {
        const b = await bytes(c.id);
        sizeBytes += b;
        if (!ACTIVE.has(c.state)) reclaimableBytes += b;
      }
      return { count: all.length, active: all.filter((c) => ACTIVE.has(c.state)).length, sizeBytes, reclaimableBytes };
    },
    async plan() {
      const out: Array<{ id: string; name: string; sizeBytes: number }> = [];
      for (const c of d.list())
        if (PRUNABLE.has(c.state)) out.push({ id: c.id, name: c.name, sizeBytes: await bytes(c.id) });
      return out;
    },
    async prune(ids) {
      const removed: string[] = [];
      let reclaimedBytes = 0;
      for (const id of ids) {
        const c = d.list().find((x) => x.id === id);
        if (!c || !PRUNABLE.has(c.state)) continue; // started since the plan, or gone
        const b = await bytes(id);
        try {
          await d.remove(id);
        } catch (err) {
          const code = (err as { code?: string }).code;
          if (code === 'CONTAINER_RUNNING' || code === 'CONTAINER_NOT_FOUND') continue;
          throw err;
        }
        removed.push(id);
        reclaimedBytes += b;
      }
      return { removed, reclaimedBytes };
    },
  };
}
