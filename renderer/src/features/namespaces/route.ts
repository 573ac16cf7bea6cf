/**
 * Where the Namespaces views live in the hash: `#/namespaces` (the host's
 * graph) and one container's, `#/namespaces/container/<id>`. The older
 * query form `#/namespaces?container=<id>` is still read.
 */
import { decodeSegment, splitHash } from '../../app/hash';

export type NamespacesLocation = { view: 'host' } | { view: 'container'; id: string };

/** What a hash asks the Namespaces page for; null when it is not a Namespaces hash. */
export function parseNamespacesHash(hash: string): NamespacesLocation | null {
  const { path, query } = splitHash(hash);
  const m = /^\/namespaces\/container\/([^/]+)\/?$/.exec(path);
  if (m) {
    const id = decodeSegment(m[1]!);
    return id ? { view: 'container', id } : { view: 'host' };
  }
  if (path !== '/namespaces' && path !== '/namespaces/') return null;
  const id = query.get('container');
  return id ? { view: 'container', id } : { view: 'host' };
}

export function namespacesHref(): string {
  return '#/namespaces';
}

export function containerNamespacesHref(id: string): string {
  return `#/namespaces/container/${encodeURIComponent(id)}`;
}

/** The Containers page's details of a container. */
export function containerDetailsHref(id: string): string {
  return `#/containers/${encodeURIComponent(id)}`;
}
