/**
 * Namespaces feature keys and queries (`namespaces.*`, served by the helper).
 *
 * Keys: `namespaces → graph(params) | container(id) | processes(id, offset) |
 * shared(a, b)`. A `containers.changed` event (sync.ts, debounced) touches the
 * whole-host graph and the subgraph and host comparison of the container it
 * names. The container list (filter, names) is the Containers feature's
 * `containersQueries.list(client, { all: true })`, kept current by its sync.
 */
import { queryOptions } from '@tanstack/react-query';
import type { BerthClient } from '../../app/client';
import { featureKeys } from '../../app/query';
import type { GraphParams } from './types';

const base = featureKeys('namespaces');

export type Side = string | number;

export const namespacesKeys = {
  ...base,
  graphs: () => [...base.all, 'graph'] as const,
  graph: (params: GraphParams) => [...base.all, 'graph', params] as const,
  containers: () => [...base.all, 'container'] as const,
  container: (id: string) => [...base.all, 'container', id] as const,
  shareds: () => [...base.all, 'shared'] as const,
  processes: (id: string, offset: number) => [...base.all, 'processes', id, offset] as const,
  shared: (a: Side, b: Side) => [...base.all, 'shared', a, b] as const,
};

/** Processes listed per namespace: the panel's table; counts stay whole (processCount). */
export const PROCESS_LIMIT = 50;
/** Processes per `namespaces.processes` page in the side panel. */
export const PROCESS_PAGE = 200;

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
  /** One page of a namespace's processes (the graph lists only the first PROCESS_LIMIT). */
  processes: (client: BerthClient, id: string, offset: number) =>
    queryOptions({
      queryKey: namespacesKeys.processes(id, offset),
      queryFn: () => client.invoke('namespaces.processes', { id, offset, limit: PROCESS_PAGE }),
    }),
  shared: (client: BerthClient, a: Side, b: Side) =>
    queryOptions({
      queryKey: namespacesKeys.shared(a, b),
      queryFn: () => client.invoke('namespaces.shared', { a, b }),
    }),
};
