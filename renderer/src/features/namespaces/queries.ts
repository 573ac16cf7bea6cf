/**
 * Namespaces feature keys and queries (`namespaces.*`, served by the helper).
 *
 * Keys: `namespaces → graph(params) | container(id) | shared(a, b) |
 * containers`. A `containers.changed` event (sync.ts, debounced) touches the
 * whole-host graph, the container list used by the filter, and the subgraph
 * and host comparison of the container it names.
 */
import { queryOptions, type QueryClient } from '@tanstack/react-query';
import type { BerthClient } from '../../app/client';
import { featureKeys } from '../../app/query';
import type { GraphParams, SharedNamespaces } from './types';

const base = featureKeys('namespaces');

export type Side = string | number;

export const namespacesKeys = {
  ...base,
  graphs: () => [...base.all, 'graph'] as const,
  graph: (params: GraphParams) => [...base.all, 'graph', params] as const,
  containers: () => [...base.all, 'container'] as const,
  container: (id: string) => [...base.all, 'container', id] as const,
  shareds: () => [...base.all, 'shared'] as const,
  shared: (a: Side, b: Side) => [...base.all, 'shared', a, b] as const,
  /** containers.list, for the container filter and names (kept here so this page owns its sync). */
  containerList: () => [...base.all, 'containerList'] as const,
};

/** Processes listed per namespace: the panel's table; counts stay whole (processCount). */
export const PROCESS_LIMIT = 50;

/** The graph the page asks for: threads and bind mounts on, fds off (the costly part). */
export const GRAPH_PARAMS: GraphParams = { threads: true, mounts: true, fds: false, processLimit: PROCESS_LIMIT };

export const namespacesQueries = {
  graph: (client: BerthClient, params: GraphParams = GRAPH_PARAMS) =>
    queryOptions({
      queryKey: namespacesKeys.graph(params),
      queryFn: () => client.invoke('namespaces.graph', params),
      // Events keep a mounted page current; one seen again may have missed some.
      refetchOnMount: 'always',
    }),
  container: (client: BerthClient, id: string) =>
    queryOptions({
      queryKey: namespacesKeys.container(id),
      queryFn: () => client.invoke('namespaces.container', { id, processLimit: PROCESS_LIMIT }),
      refetchOnMount: 'always',
    }),
  shared: (client: BerthClient, a: Side, b: Side) =>
    queryOptions({
      queryKey: namespacesKeys.shared(a, b),
      queryFn: () => client.invoke('namespaces.shared', { a, b }),
    }),
  containerList: (client: BerthClient) =>
    queryOptions({
      queryKey: namespacesKeys.containerList(),
      queryFn: () => client.invoke('containers.list', { all: true }),
      refetchOnMount: 'always',
    }),
  /**
   * What each of these containers shares with the host, fetched two at a
   * time through the per-container `shared` queries (so the comparison mode
   * reuses them). The graph's process lists are cut to PROCESS_LIMIT, so a
   * container's membership in the host's big namespaces (user, time, net
   * with network host) is only known from these answers. A container that
   * stopped meanwhile is left out.
   */
  hostComparisons: (client: BerthClient, qc: QueryClient, ids: readonly string[]) =>
    queryOptions({
      queryKey: [...namespacesKeys.shareds(), 'batch', [...ids].sort()] as const,
      queryFn: async () => {
        const out: Record<string, SharedNamespaces> = {};
        await eachLimited(ids, 2, async (id) => {
          try {
            out[id] = await qc.fetchQuery(namespacesQueries.shared(client, id, 'host'));
          } catch {
            // not running any more, or gone: the next graph will not list it either
          }
        });
        return out;
      },
      enabled: ids.length > 0,
    }),
};

export async function eachLimited<T>(items: readonly T[], limit: number, fn: (t: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
