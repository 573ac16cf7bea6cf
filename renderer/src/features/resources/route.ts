/**
 * Where the Resources page lives in the hash: `#/resources` (every running
 * container) and `#/resources/<id>` (one container: charts + limits editor).
 * The older query form `#/resources?id=<id>` is still read.
 */
import { decodeSegment, splitHash } from '../../app/hash';

export type ResourcesLocation = { view: 'overview' } | { view: 'container'; id: string };

/** What a location hash asks the Resources page for; null when it is not a Resources hash. */
export function parseResourcesHash(hash: string): ResourcesLocation | null {
  const { path, query } = splitHash(hash);
  const m = /^\/resources\/([^/]+)\/?$/.exec(path);
  if (m) {
    const id = decodeSegment(m[1]!);
    return id ? { view: 'container', id } : { view: 'overview' };
  }
  if (path !== '/resources' && path !== '/resources/') return null;
  const id = query.get('id');
  return id ? { view: 'container', id } : { view: 'overview' };
}

export function resourcesHref(): string {
  return '#/resources';
}

export function containerResourcesHref(id: string): string {
  return `#/resources/${encodeURIComponent(id)}`;
}
