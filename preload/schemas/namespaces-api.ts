/** The namespaces contract: the whole graph, one container's part, one namespace's processes page by page, what two share. */
import { z } from 'zod';
import { lazy } from './lazy';
import { method } from './define';
import {
  NamespaceGraph,
  NamespaceProcessLimit,
  NamespaceProcessPage,
  NamespaceProcessesParams,
  NamespaceScanParams,
  SharedNamespaces,
} from './namespaces';

/** A container (id, prefix or name), a host pid, or the host itself. */
const Side = lazy(() => z.union([z.number().int().min(1), z.string().min(1).max(256)]));

export const namespaceMethods = {
  'namespaces.graph': method({
    where: 'helper',
    params: NamespaceScanParams,
    result: NamespaceGraph,
    summary:
      'Every namespace on the host (capped by namespaceLimit): processes, bind mounts, owners, parents, containers',
  }),
  'namespaces.processes': method({
    where: 'helper',
    params: NamespaceProcessesParams,
    result: NamespaceProcessPage,
    summary: "One page of a namespace's process list (the graph sends only the first processLimit)",
  }),
  'namespaces.container': method({
    where: 'helper',
    params: lazy(() =>
      z.object({ id: z.string().min(1).max(256), processLimit: NamespaceProcessLimit.optional() }).strict(),
    ),
    result: NamespaceGraph,
    summary: "One container's namespaces and their owners and parents",
  }),
  'namespaces.shared': method({
    where: 'helper',
    params: lazy(() => z.object({ a: Side, b: Side }).strict()),
    result: SharedNamespaces,
    summary: 'Which namespaces two containers (or a container and "host") share',
  }),
} as const;
