/**
 * A tiny hash router: `#/system` → "/system". Hash routing works the same
 * from file:// (Electron) and http:// (web mode) and never asks the server
 * for another path.
 */
import { useSyncExternalStore } from 'react';
import { splitHash, subscribeHash } from './hash';

export function pathFromHash(hash: string): string {
  const { path } = splitHash(hash);
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
  return useSyncExternalStore(subscribeHash, () => pathFromHash(window.location.hash));
}
