/**
 * Where the Containers page lives in the hash: `#/containers` (the table) and
 * a container's details, `#/containers/<id>[/<tab>]`.
 *
 * The app's router matches route paths exactly today (app/routes.ts
 * `findRoute`), so "/containers/<id>" would land on Not found. Until it hands
 * sub-paths to their route, details live at `#/containers?id=<id>&tab=<tab>`
 * (the router ignores the query), and `installPathFormRedirect()` rewrites a
 * `#/containers/<id>[/<tab>]` link to that form before the router reads it.
 * Flip `DETAILS_PATH_FORM` once findRoute matches prefixes.
 */
import { useSyncExternalStore } from 'react';

export const DETAILS_PATH_FORM = false;

export const TABS = ['overview', 'logs', 'terminal', 'files', 'resources', 'limits', 'namespaces'] as const;
export type DetailsTab = (typeof TABS)[number];

export type ContainersLocation = { view: 'list' } | { view: 'details'; id: string; tab: DetailsTab };

function asTab(s: string | null | undefined): DetailsTab {
  return TABS.find((t) => t === s) ?? 'overview';
}

function safeDecode(s: string): string | null {
  try {
    return decodeURIComponent(s) || null;
  } catch {
    return null;
  }
}

/** What a location hash asks the Containers page for; null when it is not a Containers hash. */
export function parseContainersHash(hash: string): ContainersLocation | null {
  const raw = hash.replace(/^#/, '');
  const q = raw.indexOf('?');
  const path = q >= 0 ? raw.slice(0, q) : raw;
  const query = new URLSearchParams(q >= 0 ? raw.slice(q + 1) : '');
  const m = /^\/containers\/([^/]+)(?:\/([a-z]+))?\/?$/.exec(path);
  if (m) {
    const id = safeDecode(m[1]!);
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
  if (DETAILS_PATH_FORM) return tab === 'overview' ? `#/containers/${e}` : `#/containers/${e}/${tab}`;
  return tab === 'overview' ? `#/containers?id=${e}` : `#/containers?id=${e}&tab=${tab}`;
}

/** Rewrites the path form to the query form (without a new history entry) while the router needs it. */
function redirectPathForm(): void {
  if (DETAILS_PATH_FORM) return;
  const hash = window.location.hash;
  if (!/^#\/containers\/[^/?]+/.test(hash)) return;
  const loc = parseContainersHash(hash);
  if (loc?.view !== 'details') return;
  const url = new URL(window.location.href);
  url.hash = detailsHref(loc.id, loc.tab);
  window.history.replaceState(window.history.state, '', url);
}

let installed = false;

/**
 * Called once when this feature's module loads (routes.ts imports it), so it
 * runs before the router's own hashchange listener and before the first render.
 */
export function installPathFormRedirect(): void {
  if (installed || typeof window === 'undefined') return;
  installed = true;
  redirectPathForm();
  window.addEventListener('hashchange', redirectPathForm);
}

/** Replace the hash (tab switches should not pile up Back steps). */
export function replaceHash(href: string): void {
  const url = new URL(window.location.href);
  url.hash = href;
  window.history.replaceState(window.history.state, '', url);
  window.dispatchEvent(new HashChangeEvent('hashchange'));
}

function subscribe(onChange: () => void): () => void {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
}

/** The whole hash (path and query), kept current. */
export function useHash(): string {
  return useSyncExternalStore(subscribe, () => window.location.hash);
}
