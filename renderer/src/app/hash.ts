/**
 * The location hash as the feature pages read it: the whole hash kept
 * current, split into path and query, and replaced without a Back step.
 * (app/router.ts reads only the path, to pick the page.)
 */
import { useSyncExternalStore } from 'react';

/** Calls `onChange` on every hash change; returns the unsubscribe (useSyncExternalStore's shape). */
export function subscribeHash(onChange: () => void): () => void {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
}

/** The whole hash (path and query), kept current. */
export function useHash(): string {
  return useSyncExternalStore(subscribeHash, () => window.location.hash);
}

/** "#/a/b?x=1" → { path: "/a/b", query: x=1 }. */
export function splitHash(hash: string): { path: string; query: URLSearchParams } {
  const raw = hash.replace(/^#/, '');
  const q = raw.indexOf('?');
  return { path: q >= 0 ? raw.slice(0, q) : raw, query: new URLSearchParams(q >= 0 ? raw.slice(q + 1) : '') };
}

/** A path segment decoded, or null when it is empty or malformed (%E0%A4%A). */
export function decodeSegment(s: string): string | null {
  try {
    return decodeURIComponent(s) || null;
  } catch {
    return null;
  }
}

/** Replace the hash (tab switches should not pile up Back steps). */
export function replaceHash(href: string): void {
  const url = new URL(window.location.href);
  url.hash = href;
  window.history.replaceState(window.history.state, '', url);
  window.dispatchEvent(new HashChangeEvent('hashchange'));
}
