/**
 * Where the Containers page lives in the hash: `#/containers` (the table) and
 * a container's details, `#/containers/<id>[/<tab>]`. The older query form
 * `#/containers?id=<id>&tab=<tab>` is still read, for links made before.
 */
import { decodeSegment, splitHash } from '../../app/hash';

export const TABS = ['overview', 'logs', 'terminal', 'files', 'resources', 'limits', 'namespaces'] as const;
export type DetailsTab = (typeof TABS)[number];

export type ContainersLocation = { view: 'list' } | { view: 'details'; id: string; tab: DetailsTab };

function asTab(s: string | null | undefined): DetailsTab {
  return TABS.find((t) => t === s) ?? 'overview';
}

/** What a location hash asks the Containers page for; null when it is not a Containers hash. */
export function parseContainersHash(hash: string): ContainersLocation | null {
  const { path, query } = splitHash(hash);
  const m = /^\/containers\/([^/]+)(?:\/([a-z]+))?\/?$/.exec(path);
  if (m) {
    const id = decodeSegment(m[1]!);
    return id ? { view: 'details', id, tab: asTab(m[2]) } : { view: 'list' };
  }
  if (path !== '/containers' && path !== '/containers/') return null;
  const id = query.get('id');
  return id ? { view: 'details', id, tab: asTab(query.get('tab')) } : { view: 'list' };
}

export function containersHref(): string {
  return '#/containers';
}

export function detailsHref(id: string, tab: DetailsTab = 'overview'): string {
  const e = encodeURIComponent(id);
  return tab === 'overview' ? `#/containers/${e}` : `#/containers/${e}/${tab}`;
}
