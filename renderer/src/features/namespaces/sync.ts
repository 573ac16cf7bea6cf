/**
 * `containers.changed` → refresh what a container's change can touch, after
 * a quiet period (a `run` is create + start, a `rm -f` is die + remove: one
 * rescan, not four): the whole-host graph and the named containers' own
 * subgraphs and host comparisons (the container list is containers/sync.ts's). A scan reads every
 * process's /proc links, so bursts are coalesced.
 */
import { useQueryClient, type QueryClient } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { useEvent } from '../../app/client';
import { namespacesKeys } from './queries';

export const SYNC_DEBOUNCE_MS = 600;

export function invalidateForContainers(qc: QueryClient, ids: ReadonlySet<string>): void {
  void qc.invalidateQueries({ queryKey: namespacesKeys.graphs() });
  const named = (ref: unknown) => typeof ref === 'string' && [...ids].some((id) => id === ref || id.startsWith(ref));
  void qc.invalidateQueries({
    queryKey: namespacesKeys.containers(),
    predicate: (q) => named(q.queryKey[2]),
  });
  void qc.invalidateQueries({
    queryKey: namespacesKeys.shareds(),
    // the per-container answers, and the batches (which name several)
    predicate: (q) => q.queryKey[2] === 'batch' || named(q.queryKey[2]) || named(q.queryKey[3]),
  });
}

/** Mounted once, app-wide (app/sync.ts): a graph seen later is never stale. */
export function useNamespacesSync(delayMs = SYNC_DEBOUNCE_MS): void {
  const qc = useQueryClient();
  const pending = useRef<{ ids: Set<string>; timer: ReturnType<typeof setTimeout> | null }>({
    ids: new Set(),
    timer: null,
  });
  useEvent('containers.changed', (e) => {
    const p = pending.current;
    p.ids.add(e.id);
    if (p.timer !== null) clearTimeout(p.timer);
    p.timer = setTimeout(() => {
      p.timer = null;
      const ids = p.ids;
      p.ids = new Set();
      invalidateForContainers(qc, ids);
    }, delayMs);
  });
  useEffect(() => {
    const p = pending.current;
    return () => {
      if (p.timer !== null) clearTimeout(p.timer);
    };
  }, []);
}
