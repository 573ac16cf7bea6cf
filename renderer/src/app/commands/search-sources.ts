/**
 * What global search looks through: one entry per kind of object. A feature
 * that adds a kind (volumes, networks, pods…) adds one entry here: its list
 * query (the feature's own, so the cache is shared with its page) and how an
 * item reads and where it leads.
 */
import type { QueryClient } from '@tanstack/react-query';
import type { BerthClient } from '../client';
import { containersQueries } from '../../features/containers/queries';
import { detailsHref } from '../../features/containers/route';
import { imagesQueries } from '../../features/images/queries';
import { inspectorHref } from '../../features/layers/route';
import { volumesQueries } from '../../features/volumes/queries';
import { groupByProject } from '../../features/projects/group';
import { projectHref } from '../../features/projects/route';

export interface SearchItem {
  /** Unique within its source. */
  key: string;
  label: string;
  /** A second line: id, state, size… */
  detail: string;
  /** Where choosing it goes (a hash href): containers their details, images their layer inspector. */
  href: string;
}

export interface SearchSource {
  id: string;
  /** The group heading in the palette ("Containers"). */
  label: string;
  /** Fetches (or reads from the cache) and maps to items. */
  load(client: BerthClient, qc: QueryClient): Promise<SearchItem[]>;
}

export const searchSources: readonly SearchSource[] = [
  {
    id: 'containers',
    label: 'Containers',
    load: async (client, qc) =>
      (await qc.ensureQueryData(containersQueries.list(client, { all: true }))).map((c) => ({
        key: c.id,
        label: c.name,
        detail: `${c.id.slice(0, 12)} · ${c.image} · ${c.state}`,
        href: detailsHref(c.id),
      })),
  },
  {
    // Compose projects: read from the containers' labels, so the same cached list.
    id: 'projects',
    label: 'Projects',
    load: async (client, qc) =>
      groupByProject(await qc.ensureQueryData(containersQueries.list(client, { all: true }))).projects.map((p) => ({
        key: p.name,
        label: p.name,
        detail: `compose · ${p.services.join(', ')} · ${p.running}/${p.total} running`,
        href: projectHref(p.name),
      })),
  },
  {
    id: 'images',
    label: 'Images',
    load: async (client, qc) =>
      (await qc.ensureQueryData(imagesQueries.list(client))).flatMap((img) => {
        const short = img.id.replace(/^sha256:/, '').slice(0, 12);
        const tags = img.repoTags.length > 0 ? img.repoTags : [`<none> ${short}`];
        return tags.map((tag) => ({
          key: `${img.id}:${tag}`,
          label: tag,
          detail: short,
          href: inspectorHref(img.id),
        }));
      }),
  },
  {
    id: 'volumes',
    label: 'Volumes',
    load: async (client, qc) =>
      (await qc.ensureQueryData(volumesQueries.list(client))).map((v) => ({
        key: v.name,
        label: v.name,
        detail: `${v.users.length === 0 ? 'unused' : `used by ${v.users.map((u) => u.name).join(', ')}`} · ${v.mountpoint}`,
        href: '#/volumes',
      })),
  },
];
