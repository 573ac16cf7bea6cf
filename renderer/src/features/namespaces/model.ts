/**
 * From a scan (`NamespaceGraph`) to what the graph view shows: which
 * containers are in which namespaces, and which namespaces survive the
 * filters (type, container, "hide the host's namespaces no container uses").
 * Pure: no React, no DOM; layout.ts places what this keeps.
 */
import {
  NS_TYPES,
  type ContainerRef,
  type Namespace,
  type NamespaceGraph,
  type NamespaceType,
  type SharedNamespaces,
} from './types';

// ── membership ──────────────────────────────────────────────────────────────

export interface Membership {
  /** Container id → the ids of the namespaces its processes are in. */
  byContainer: Map<string, Set<string>>;
  /** Namespace id → the containers with a process (or thread) in it. */
  byNamespace: Map<string, Set<string>>;
}

function add(map: Map<string, Set<string>>, key: string, value: string): void {
  let s = map.get(key);
  if (!s) map.set(key, (s = new Set()));
  s.add(value);
}

/** True when no namespace's process list was cut, so the lists name every member. */
export function listsComplete(graph: NamespaceGraph): boolean {
  return graph.namespaces.every((ns) => ns.processes.length >= ns.processCount);
}

/**
 * Who is in what, from each namespace's `containers` (every container with a
 * process or thread in it, computed by the engine before the process lists
 * were cut, so complete however long the list is) and `container`.
 */
export function computeMembership(graph: NamespaceGraph): Membership {
  const byContainer = new Map<string, Set<string>>();
  const byNamespace = new Map<string, Set<string>>();
  for (const ns of graph.namespaces) {
    for (const c of ns.containers) {
      add(byContainer, c, ns.id);
      add(byNamespace, ns.id, c);
    }
    if (ns.container !== null) {
      add(byContainer, ns.container, ns.id);
      add(byNamespace, ns.id, ns.container);
    }
  }
  return { byContainer, byNamespace };
}

// ── filters ─────────────────────────────────────────────────────────────────

/** 'all', 'host' (the host's own: namespaces no single container has to itself), or a container id. */
export type ContainerFilter = 'all' | 'host' | (string & {});

export interface Filters {
  types: ReadonlySet<NamespaceType>;
  container: ContainerFilter;
  /** Drop the host's namespaces that no container uses (kept when they own or parent a shown one). */
  hideUnused: boolean;
}

export function defaultFilters(): Filters {
  return { types: new Set(NS_TYPES), container: 'all', hideUnused: false };
}

export interface VisibleNamespace {
  ns: Namespace;
  /**
   * Not chosen by the filters, only kept because a shown namespace names it
   * as its owner or parent (so the tree stays whole); drawn muted.
   */
  context: boolean;
}

export interface FilteredGraph {
  namespaces: VisibleNamespace[];
  containers: ContainerRef[];
  /** Ids of the namespaces shown (context ones included). */
  ids: Set<string>;
}

/**
 * What survives the filters, in scan order, plus the owners and parents of
 * what survives (transitively) as context when their type is shown.
 * Containers: every known one for 'all', none for 'host', the one picked.
 */
export function applyFilters(
  graph: NamespaceGraph,
  membership: Membership,
  containers: readonly ContainerRef[],
  f: Filters,
): FilteredGraph {
  const byId = new Map(graph.namespaces.map((ns) => [ns.id, ns]));
  const picked = new Set<string>();
  for (const ns of graph.namespaces) {
    if (!f.types.has(ns.type)) continue;
    const members = membership.byNamespace.get(ns.id);
    if (f.container === 'host') {
      if (ns.container !== null) continue;
    } else if (f.container !== 'all') {
      if (!members?.has(f.container)) continue;
    }
    if (f.hideUnused && !members?.size) continue;
    picked.add(ns.id);
  }

  const context = new Set<string>();
  const queue = [...picked];
  while (queue.length > 0) {
    const ns = byId.get(queue.pop()!);
    if (!ns) continue;
    for (const ref of [ns.ownerUserNs, ns.parent]) {
      if (ref === null || picked.has(ref) || context.has(ref)) continue;
      const up = byId.get(ref);
      if (!up || !f.types.has(up.type)) continue;
      context.add(ref);
      queue.push(ref);
    }
  }

  const namespaces: VisibleNamespace[] = [];
  for (const ns of graph.namespaces) {
    if (picked.has(ns.id)) namespaces.push({ ns, context: false });
    else if (context.has(ns.id)) namespaces.push({ ns, context: true });
  }

  let shown: ContainerRef[];
  if (f.container === 'host') shown = [];
  else {
    const all = knownContainers(containers, membership);
    shown = f.container === 'all' ? all : all.filter((c) => c.id === f.container);
  }
  return { namespaces, containers: shown, ids: new Set([...picked, ...context]) };
}

/**
 * The containers to draw: the listed ones that are in some namespace (a
 * stopped container has none), plus any the scan names that the list does
 * not (a container of another helper cannot appear: the scan only knows
 * ours). Sorted by name.
 */
export function knownContainers(containers: readonly ContainerRef[], membership: Membership): ContainerRef[] {
  const out = new Map<string, ContainerRef>();
  for (const c of containers) if (membership.byContainer.has(c.id)) out.set(c.id, c);
  for (const id of membership.byContainer.keys()) {
    if (!out.has(id)) out.set(id, { id, name: id.slice(0, 12), state: null, pid: null, network: null });
  }
  return [...out.values()].sort((a, b) => a.name.localeCompare(b.name));
}

// ── shared with the host ────────────────────────────────────────────────────

export interface SharedSummary {
  shared: NamespaceType[];
  separate: NamespaceType[];
  /** Namespace ids of the container's side that it shares with the host / keeps to itself. */
  sharedIds: Set<string>;
  separateIds: Set<string>;
  /** The host's namespace of each type the container does not share. */
  hostIds: Set<string>;
}

export function summarizeShared(answer: SharedNamespaces): SharedSummary {
  const s: SharedSummary = {
    shared: [],
    separate: [],
    sharedIds: new Set(),
    separateIds: new Set(),
    hostIds: new Set(),
  };
  const order = (t: NamespaceType) => NS_TYPES.indexOf(t);
  for (const e of [...answer.namespaces].sort((x, y) => order(x.type) - order(y.type))) {
    if (e.shared) {
      s.shared.push(e.type);
      s.sharedIds.add(e.a);
    } else {
      s.separate.push(e.type);
      s.separateIds.add(e.a);
      s.hostIds.add(e.b);
    }
  }
  return s;
}

/** "shared: net, user, time; separate: mnt, pid, uts, ipc, cgroup". */
export function sharedSentence(s: Pick<SharedSummary, 'shared' | 'separate'>): string {
  const list = (ts: readonly string[]) => (ts.length ? ts.join(', ') : 'none');
  return `shared: ${list(s.shared)}; separate: ${list(s.separate)}`;
}
