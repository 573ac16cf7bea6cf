/**
 * Where the Layer inspector lives in the hash: `#/layers` (pick an image or
 * drop an archive), `#/layers?image=<ref>`, and `#/images/<ref>/layers`.
 *
 * The last form is what links use: the router hands sub-paths of "/images"
 * to the Images route (app/routes.ts `findRoute`), which renders the
 * inspector for it. `INSPECTOR_PATH_FORM` = false goes back to the query form.
 */
import { useSyncExternalStore } from 'react';

/** Links use "#/images/<ref>/layers" (the router matches sub-paths). */
export const INSPECTOR_PATH_FORM = true;

export function inspectorHref(ref: string): string {
  const r = encodeURIComponent(ref);
  return INSPECTOR_PATH_FORM ? `#/images/${r}/layers` : `#/layers?image=${r}`;
}

/** The image ref a location hash asks the inspector for, or null. */
export function inspectorRefFromHash(hash: string): string | null {
  const raw = hash.replace(/^#/, '');
  const q = raw.indexOf('?');
  const path = q >= 0 ? raw.slice(0, q) : raw;
  const m = /^\/images\/([^/]+)\/layers\/?$/.exec(path);
  if (m) return safeDecode(m[1] as string);
  if (path === '/layers' && q >= 0) {
    const image = new URLSearchParams(raw.slice(q + 1)).get('image');
    return image ? image : null;
  }
  return null;
}

function safeDecode(s: string): string | null {
  try {
    return decodeURIComponent(s) || null;
  } catch {
    return null;
  }
}

function subscribe(onChange: () => void): () => void {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
}

/** The whole hash (path and query), kept current. */
export function useHash(): string {
  return useSyncExternalStore(subscribe, () => window.location.hash);
}
