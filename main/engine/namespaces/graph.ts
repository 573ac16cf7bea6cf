/**
 * Views derived from one scan (scan.ts): pure functions over a NamespaceGraph,
 * no /proc access, so they run anywhere the graph is (helper, main, tests).
 */
import { BerthError } from '../../../preload/errors';
import {
  NamespaceType,
  type NamespaceGraphT,
  type NamespaceProcessPageT,
  type NamespaceSideT,
  type NamespaceT,
  type NamespaceTypeT,
  type SharedNamespaceEntryT,
  type SharedNamespacesT,
} from '../../../preload/schemas/namespaces';

const NS_TYPES = NamespaceType.options;

export function namespacesById(graph: NamespaceGraphT): Map<string, NamespaceT> {
  return new Map(graph.namespaces.map((ns) => [ns.id, ns]));
}

/**
 * The namespaces a process is in, by type: its own (via 'proc'), not the
 * *_for_children ones nor those of threads that differ. Empty if the scan did
 * not see the process.
 */
export function namespacesOfPid(graph: NamespaceGraphT, pid: number): Map<NamespaceTypeT, NamespaceT> {
  const out = new Map<NamespaceTypeT, NamespaceT>();
  for (const ns of graph.namespaces) {
    if (out.has(ns.type)) continue;
    for (const p of ns.processes) {
      if (p.pid === pid && p.via === 'proc') {
        out.set(ns.type, ns);
        break;
      }
    }
  }
  return out;
}

/** The host's initial namespaces, one per type where the scan knows it (graph.initial says how). */
export function hostNamespaces(graph: NamespaceGraphT): NamespaceT[] {
  const byId = namespacesById(graph);
  const out: NamespaceT[] = [];
  for (const t of NS_TYPES) {
    const id = graph.initial.find((i) => i.type === t)?.id;
    const ns = id == null ? undefined : byId.get(id);
    if (ns) out.push(ns);
  }
  return out;
}

function sideNamespaces(graph: NamespaceGraphT, side: NamespaceSideT): Map<NamespaceTypeT, NamespaceT> {
  if (side === 'host') return new Map(hostNamespaces(graph).map((ns) => [ns.type, ns]));
  const found = namespacesOfPid(graph, side);
  if (found.size === 0) {
    throw new BerthError('NS_PROCESS_NOT_FOUND', `process ${side} is not in the namespace scan`, { pid: side });
  }
  return found;
}

/**
 * What two processes share, per type: e.g. two containers' init pids, or a
 * container and the host ('host' = the initial namespaces). Types only one
 * side has (a kernel without time namespaces, an initial namespace the scan
 * could not see) are left out. Throws NS_PROCESS_NOT_FOUND for a pid the scan
 * did not see.
 */
export function shared(graph: NamespaceGraphT, a: NamespaceSideT, b: NamespaceSideT): SharedNamespacesT {
  const nsA = sideNamespaces(graph, a);
  const nsB = sideNamespaces(graph, b);
  const namespaces: SharedNamespaceEntryT[] = [];
  for (const type of NS_TYPES) {
    const x = nsA.get(type);
    const y = nsB.get(type);
    if (!x || !y) continue;
    namespaces.push({ type, shared: x.id === y.id, a: x.id, b: y.id });
  }
  return { a, b, namespaces };
}

/**
 * One container's part of the graph: every namespace one of its processes or
 * threads is in (with only the container's processes listed; `initial` and
 * `container` still tell whether it is the host's or shared), plus the
 * parents and owning user namespaces those lead to, so every id the subgraph
 * names is in it (those ancestors list no processes or holders).
 */
export function containerSubgraph(graph: NamespaceGraphT, containerId: string): NamespaceGraphT {
  const byId = namespacesById(graph);
  const picked = new Map<string, NamespaceT>();
  const pids = new Set<number>();
  const tids = new Set<number>();

  for (const ns of graph.namespaces) {
    const mine = ns.processes.filter((p) => p.container === containerId);
    if (mine.length === 0) continue;
    for (const p of mine) {
      pids.add(p.pid);
      if (p.tid !== undefined) tids.add(p.tid);
    }
    picked.set(ns.id, { ...ns, processes: mine, processCount: mine.length });
  }

  const queue = [...picked.values()];
  while (queue.length > 0) {
    const ns = queue.pop()!;
    for (const ref of [ns.parent, ns.ownerUserNs]) {
      if (ref === null || picked.has(ref)) continue;
      const up = byId.get(ref);
      if (!up) continue;
      const copy: NamespaceT = { ...up, processes: [], processCount: 0, holders: [] };
      picked.set(ref, copy);
      queue.push(copy);
    }
  }

  const namespaces = graph.namespaces.filter((ns) => picked.has(ns.id)).map((ns) => picked.get(ns.id)!);
  return {
    ...graph,
    namespaces,
    namespaceCount: namespaces.length,
    processCount: pids.size,
    threadCount: tids.size,
    errors: graph.errors.filter((e) => e.pid !== null && pids.has(e.pid)),
  };
}

/**
 * At most `max` namespaces, for transport (namespaceCount keeps the total).
 * Which survive, most useful first: user namespaces (the frames everything
 * else hangs in), the host's initial ones, those a container is in, then the
 * rest by how many processes they hold. The survivors keep scan order; a
 * parent or owner id may then name a namespace that was cut.
 */
export function limitNamespaces(graph: NamespaceGraphT, max: number): NamespaceGraphT {
  if (graph.namespaces.length <= max) return graph;
  const rank = (ns: NamespaceT): number =>
    ns.type === 'user' ? 0 : ns.initial ? 1 : ns.containers.length > 0 || ns.container !== null ? 2 : 3;
  const keep = new Set(
    [...graph.namespaces]
      .sort((a, b) => rank(a) - rank(b) || b.processCount - a.processCount || a.inode - b.inode)
      .slice(0, max)
      .map((ns) => ns.id),
  );
  return { ...graph, namespaces: graph.namespaces.filter((ns) => keep.has(ns.id)) };
}

/**
 * Entries [offset, offset + limit) of one namespace's process list. Throws
 * NS_NOT_FOUND for an id the scan did not see (it is gone, or never was).
 */
export function processPage(graph: NamespaceGraphT, id: string, offset: number, limit: number): NamespaceProcessPageT {
  const ns = graph.namespaces.find((n) => n.id === id);
  if (!ns) throw new BerthError('NS_NOT_FOUND', `namespace ${id} is not in the scan (gone?)`, { id });
  return { id, processCount: ns.processes.length, offset, processes: ns.processes.slice(offset, offset + limit) };
}

/**
 * The graph with each namespace's process list cut to its first `max`
 * entries, for transport: a 2,000-process host lists every process in each of
 * its 8 host namespaces (~16,000 entries, ~1.2 MB of JSON). processCount keeps
 * the full count. Apply after shared()/containerSubgraph(), which need the
 * whole lists.
 */
export function limitProcesses(graph: NamespaceGraphT, max: number): NamespaceGraphT {
  if (graph.namespaces.every((ns) => ns.processes.length <= max)) return graph;
  return {
    ...graph,
    namespaces: graph.namespaces.map((ns) =>
      ns.processes.length <= max ? ns : { ...ns, processes: ns.processes.slice(0, max) },
    ),
  };
}
