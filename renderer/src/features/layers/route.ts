/**
 * Where the Layer inspector lives in the hash: `#/layers` (pick an image or
 * drop an archive), `#/layers?image=<ref>`, and `#/images/<ref>/layers` (the
 * Images route renders the inspector for that sub-path).
 */
import { decodeSegment, splitHash } from '../../app/hash';

/** The inspector under the Images page (its rows link here). */
export function inspectorHref(ref: string): string {
  return `#/images/${encodeURIComponent(ref)}/layers`;
}

/** The inspector on the Layers page itself (its image picker stays on that page). */
export function layersPageHref(ref: string): string {
  return `#/layers?image=${encodeURIComponent(ref)}`;
}

/** The image ref a location hash asks the inspector for, or null. */
export function inspectorRefFromHash(hash: string): string | null {
  const { path, query } = splitHash(hash);
  const m = /^\/images\/([^/]+)\/layers\/?$/.exec(path);
  if (m) return decodeSegment(m[1]!);
  if (path === '/layers') return query.get('image') || null;
  return null;
}
