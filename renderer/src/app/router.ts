/**
 * A tiny hash router: `#/system` → "/system". Hash routing works the same
 * from file:// (Electron) and http:// (web mode) and never asks the server
 * for another path.
 */
import { useSyncExternalStore } from 'react';

function subscribe(onChange: () => void): () => void {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
}

export function pathFromHash(hash: string): string {
  const raw = hash.replace(/^#/, '');
  const path = raw.split('?')[0] ?? '';
  return path.startsWith('/') ? path : `/${path}`;
}

/** A route owns its path and every sub-path ("/containers" owns "/containers/<id>/logs"). */
export function routeMatches(routePath: string, path: string): boolean {
  return path === routePath || path.startsWith(`${routePath}/`);
}

export function hrefFor(path: string): string {
  return `#${path}`;
}

export function useHashPath(): string {
  return useSyncExternalStore(subscribe, () => pathFromHash(window.location.hash));
}

/** Replace the current entry (no extra Back step), e.g. when redirecting "/" to the first page. */
export function replacePath(path: string): void {
  const url = new URL(window.location.href);
  url.hash = path;
  window.history.replaceState(window.history.state, '', url);
  window.dispatchEvent(new HashChangeEvent('hashchange'));
}
