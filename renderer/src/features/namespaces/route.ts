/**
 * Where the Namespaces views live in the hash: `#/namespaces` (the host's
 * graph) and one container's, `#/namespaces/container/<id>`.
 *
 * The app's router matches route paths exactly (app/routes.ts `findRoute`),
 * so, as the Containers page does, the path form is rewritten (without a
 * history entry) to `#/namespaces?container=<id>` before the router reads
 * it. Flip `CONTAINER_PATH_FORM` once findRoute hands sub-paths to their route.
 */
import { useSyncExternalStore } from 'react';

export const CONTAINER_PATH_FORM = false;

export type NamespacesLocation = { view: 'host' } | { view: 'container'; id: string };

function safeDecode(s: string): string | null {
  try {
    return decodeURIComponent(s) || null;
  } catch {
    return null;
  }
}

/** What a hash asks the Namespaces page for; null when it is not a Namespaces hash. */
export function parseNamespacesHash(hash: string): NamespacesLocation | null {
  const raw = hash.replace(/^#/, '');
  const q = raw.indexOf('?');
  const path = q >= 0 ? raw.slice(0, q) : raw;
  const m = /^\/namespaces\/container\/([^/]+)\/?$/.exec(path);
  if (m) {
    const id = safeDecode(m[1]!);
    return id ? { view: 'container', id } : { view: 'host' };
  }
  if (path !== '/namespaces' && path !== '/namespaces/') return null;
  const id = new URLSearchParams(q >= 0 ? raw.slice(q + 1) : '').get('container');
  return id ? { view: 'container', id } : { view: 'host' };
}

export function namespacesHref(): string {
  return '#/namespaces';
}

export function containerNamespacesHref(id: string): string {
  const e = encodeURIComponent(id);
  return CONTAINER_PATH_FORM ? `#/namespaces/container/${e}` : `#/namespaces?container=${e}`;
}

/** The Containers page's details of a container (its own redirect turns the path form into its query form). */
export function containerDetailsHref(id: string): string {
  return `#/containers/${encodeURIComponent(id)}`;
}

function redirectPathForm(): void {
  if (CONTAINER_PATH_FORM) return;
  const hash = window.location.hash;
  if (!/^#\/namespaces\/container\/[^/?]+/.test(hash)) return;
  const loc = parseNamespacesHash(hash);
  if (loc?.view !== 'container') return;
  const url = new URL(window.location.href);
  url.hash = containerNamespacesHref(loc.id);
  window.history.replaceState(window.history.state, '', url);
}

let installed = false;

/**
 * Called when this feature's module loads (routes.ts imports the page), so it
 * runs before the router's own hashchange listener and before the first render.
 */
export function installPathFormRedirect(): void {
  if (installed || typeof window === 'undefined') return;
  installed = true;
  redirectPathForm();
  window.addEventListener('hashchange', redirectPathForm);
}

function subscribe(onChange: () => void): () => void {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
}

/** The whole hash (path and query), kept current. */
export function useHash(): string {
  return useSyncExternalStore(subscribe, () => window.location.hash);
}
