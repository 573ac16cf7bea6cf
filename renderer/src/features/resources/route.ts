/**
 * Where the Resources page lives in the hash: `#/resources` (every running
 * container) and `#/resources/<id>` (one container: charts + limits editor).
 *
 * The app's router matches route paths exactly today (app/routes.ts
 * `findRoute`), so "/resources/<id>" would land on Not found. Until it hands
 * sub-paths to their route, the container view lives at `#/resources?id=<id>`
 * (the router ignores the query) and `installPathFormRedirect()` rewrites a
 * `#/resources/<id>` link to that form before the router reads it (the same
 * approach as features/containers/route.ts). Flip `CONTAINER_PATH_FORM` once
 * findRoute matches prefixes.
 */
import { useSyncExternalStore } from 'react';

export const CONTAINER_PATH_FORM = false;

export type ResourcesLocation = { view: 'overview' } | { view: 'container'; id: string };

function safeDecode(s: string): string | null {
  try {
    return decodeURIComponent(s) || null;
  } catch {
    return null;
  }
}

/** What a location hash asks the Resources page for; null when it is not a Resources hash. */
export function parseResourcesHash(hash: string): ResourcesLocation | null {
  const raw = hash.replace(/^#/, '');
  const q = raw.indexOf('?');
  const path = q >= 0 ? raw.slice(0, q) : raw;
  const m = /^\/resources\/([^/]+)\/?$/.exec(path);
  if (m) {
    const id = safeDecode(m[1]!);
    return id ? { view: 'container', id } : { view: 'overview' };
  }
  if (path !== '/resources' && path !== '/resources/') return null;
  const id = new URLSearchParams(q >= 0 ? raw.slice(q + 1) : '').get('id');
  return id ? { view: 'container', id } : { view: 'overview' };
}

export function resourcesHref(): string {
  return '#/resources';
}

export function containerResourcesHref(id: string): string {
  const e = encodeURIComponent(id);
  return CONTAINER_PATH_FORM ? `#/resources/${e}` : `#/resources?id=${e}`;
}

function redirectPathForm(): void {
  if (CONTAINER_PATH_FORM) return;
  const hash = window.location.hash;
  if (!/^#\/resources\/[^/?]+/.test(hash)) return;
  const loc = parseResourcesHash(hash);
  if (loc?.view !== 'container') return;
  const url = new URL(window.location.href);
  url.hash = containerResourcesHref(loc.id);
  window.history.replaceState(window.history.state, '', url);
}

let installed = false;

/**
 * Called when this feature's page module loads (routes.ts imports it), so it
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
