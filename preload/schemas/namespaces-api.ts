/** The namespaces contract: the whole graph, one container's part, what two share. */
import { z } from 'zod';
import { method } from './define';
import { NamespaceGraph, NamespaceProcessLimit, NamespaceScanParams, SharedNamespaces } from './namespaces';

/** A container (id, prefix or name), a host pid, or the host itself. */
const Side = z.union([z.number().int().min(1), z.string().min(1).max(256)]);

export const namespaceMethods = {
  'namespaces.graph': method({
    where: 'helper',
    params: NamespaceScanParams,
    result: NamespaceGraph,
    summary: 'Every namespace on the host: processes, bind mounts, owners, parents, containers',
  }),
  'namespaces.container': method({
    where: 'helper',
    params: z.object({ id: z.string().min(1).max(256), processLimit: NamespaceProcessLimit.optional() }).strict(),
    result: NamespaceGraph,
    summary: "One container's namespaces and their owners and parents",
  }),
  'namespaces.shared': method({
    where: 'helper',
    params: z.object({ a: Side, b: Side }).strict(),
    result: SharedNamespaces,
    summary: 'Which namespaces two containers (or a container and "host") share',
  }),
} as const;
