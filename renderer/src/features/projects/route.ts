/** `#/projects` (every project), `#/projects/<name>` (one project) and `#/projects/<name>/logs` (its merged logs). */
import { decodeSegment, splitHash } from '../../app/hash';

export type ProjectsLocation = { view: 'list' } | { view: 'project'; name: string; tab: 'overview' | 'logs' };

export function parseProjectsHash(hash: string): ProjectsLocation | null {
  const { path } = splitHash(hash);
  const m = /^\/projects\/([^/]+)(?:\/(logs))?\/?$/.exec(path);
  if (m) {
    const name = decodeSegment(m[1]!);
    return name ? { view: 'project', name, tab: m[2] === 'logs' ? 'logs' : 'overview' } : { view: 'list' };
  }
  return path === '/projects' || path === '/projects/' ? { view: 'list' } : null;
}

export function projectHref(name: string, tab: 'overview' | 'logs' = 'overview'): string {
  const e = encodeURIComponent(name);
  return tab === 'logs' ? `#/projects/${e}/logs` : `#/projects/${e}`;
}
