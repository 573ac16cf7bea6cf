/**
 * The helper's disk feature: `system df` and the prunes over the engine's
 * disk sections (engine/system/disk-sections.ts). A prune runs the sections
 * in their own order (containers before the images and volumes they keep),
 * whatever order the request lists them in.
 */
import { BerthError } from '../../../../preload/errors';
import type { DiskKindT, PrunePlanT, PruneResultT } from '../../../../preload/schemas/disk';
import { diskSections, type DiskDeps } from '../../../engine/system/disk-sections';
import type { HandlersFor, HelperServices } from '../handlers';
import { engineFor } from './containers';

type DiskMethod = 'disk.usage' | 'disk.plan' | 'disk.prune';

export function diskHandlers(s: HelperServices): HandlersFor<DiskMethod> {
  const deps = async (): Promise<DiskDeps> => {
    const e = await engineFor(s);
    return { dataRoot: s.facts.dataRoot, manager: e.manager, images: e.images, volumes: e.volumes };
  };
  const known = (kinds: readonly DiskKindT[], have: readonly DiskKindT[]): void => {
    for (const k of kinds)
      if (!have.includes(k)) throw new BerthError('DISK_KIND_UNKNOWN', `this engine keeps no ${k}`, { kind: k });
  };
  return {
    'disk.usage': async () => {
      const out = [];
      for (const sec of diskSections(await deps())) out.push({ kind: sec.kind, ...(await sec.usage()) });
      return out;
    },
    'disk.plan': async (p) => {
      const d = await deps();
      const sections = diskSections(d);
      known(
        p.kinds,
        sections.map((x) => x.kind),
      );
      const out: PrunePlanT[] = [];
      const leaving = new Set<string>();
      for (const sec of diskSections(d, leaving)) {
        if (!p.kinds.includes(sec.kind)) continue;
        const items = await sec.plan({ all: p.all });
        if (sec.kind === 'containers') for (const i of items) leaving.add(i.id);
        out.push({ kind: sec.kind, items });
      }
      return out;
    },
    'disk.prune': async (p) => {
      const sections = diskSections(await deps());
      known(
        p.items.map((i) => i.kind),
        sections.map((x) => x.kind),
      );
      const out: PruneResultT[] = [];
      for (const sec of sections) {
        const ids = p.items.filter((i) => i.kind === sec.kind).flatMap((i) => i.ids);
        if (ids.length === 0) continue;
        out.push({ kind: sec.kind, ...(await sec.prune(ids)) });
      }
      if (out.some((r) => r.kind === 'images' && r.removed.length)) s.emit('images.changed', { reason: 'prune' });
      return out;
    },
  };
}
