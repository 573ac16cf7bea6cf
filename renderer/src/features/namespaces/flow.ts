/**
 * Layout + model → React Flow nodes and edges (plain objects, no React), and
 * the highlight pass that marks what a selection or the "shared with the
 * host" mode is about. Pure, so the node-environment tests cover it.
 */
import type { Edge, Node } from '@xyflow/react';
import { routeEdge, type EdgeKind, type Layout, type Point } from './layout';
import { nodeSubtitle } from './format';
import type { FilteredGraph, Membership, SharedSummary } from './model';
import type { ContainerRef, Namespace } from './types';

export interface NsNodeData extends Record<string, unknown> {
  ns: Namespace;
  context: boolean;
  /** Containers with a process in it (names). */
  containers: string[];
  /** Set by the highlight pass. */
  mark?: 'shared' | 'separate' | 'host-side' | null;
}

export interface CtrNodeData extends Record<string, unknown> {
  container: ContainerRef;
  mark?: 'compared' | null;
}

export interface FrameNodeData extends Record<string, unknown> {
  label: string;
  depth: number;
}

export type NsNode = Node<NsNodeData, 'ns'>;
export type CtrNode = Node<CtrNodeData, 'ctr'>;
export type FrameNode = Node<FrameNodeData, 'frame'>;
export type GraphNode = NsNode | CtrNode | FrameNode;

export interface RouteEdgeData extends Record<string, unknown> {
  kind: EdgeKind;
  /** Orthogonal route from layout.ts; absent: a plain curve between the handles. */
  points?: Point[];
}

export type GraphEdge = Edge<RouteEdgeData, 'route'>;

export const ctrNodeId = (id: string) => `ctr:${id}`;
export const frameNodeId = (key: string) => `frame:${key}`;

/** Node id → what the side panel shows: a namespace id or a container id. */
export type Selection = { kind: 'ns'; id: string } | { kind: 'ctr'; id: string };

export function selectionOf(nodeId: string): Selection | null {
  if (nodeId.startsWith('frame:')) return null;
  if (nodeId.startsWith('ctr:')) return { kind: 'ctr', id: nodeId.slice(4) };
  return { kind: 'ns', id: nodeId };
}

export function nodeIdOf(sel: Selection): string {
  return sel.kind === 'ctr' ? ctrNodeId(sel.id) : sel.id;
}

export interface EdgeToggles {
  membership: boolean;
  parent: boolean;
  owner: boolean;
}

export interface FlowElements {
  nodes: GraphNode[];
  edges: GraphEdge[];
}

/**
 * Every node and every edge the filtered graph has (edges of a kind that is
 * toggled off are built anyway, `hidden`, so a selection can still show its
 * own).
 */
export function toFlow(
  filtered: FilteredGraph,
  membership: Membership,
  layout: Layout,
  containerNames: ReadonlyMap<string, string>,
): FlowElements {
  const nodes: GraphNode[] = [];
  for (const f of layout.frames) {
    nodes.push({
      id: frameNodeId(f.key),
      type: 'frame',
      position: { x: f.x, y: f.y },
      width: f.w,
      height: f.h,
      data: { label: f.label, depth: f.depth },
      draggable: false,
      selectable: false,
      focusable: false,
      zIndex: -1000 + f.depth,
    });
  }
  for (const { ns, context } of filtered.namespaces) {
    const p = layout.namespaces.get(ns.id);
    if (!p) continue;
    const members = [...(membership.byNamespace.get(ns.id) ?? [])].map((c) => containerNames.get(c) ?? c.slice(0, 12));
    nodes.push({
      id: ns.id,
      type: 'ns',
      position: { x: p.x, y: p.y },
      width: p.w,
      height: p.h,
      data: { ns, context, containers: members.sort() },
      draggable: false,
      ariaRole: 'button',
      ariaLabel: nsAriaLabel(ns, members),
    });
  }
  for (const c of filtered.containers) {
    const p = layout.containers.get(c.id);
    if (!p) continue;
    nodes.push({
      id: ctrNodeId(c.id),
      type: 'ctr',
      position: { x: p.x, y: p.y },
      width: p.w,
      height: p.h,
      data: { container: c },
      draggable: false,
      ariaRole: 'button',
      ariaLabel: `container ${c.name} (${c.id.slice(0, 12)})`,
    });
  }

  const edges: GraphEdge[] = [];
  const edge = (kind: EdgeKind, source: string, target: string, sourceNode: string, targetNode: string) => {
    const points = routeEdge(layout, kind, source, target) ?? undefined;
    edges.push({
      id: `${kind[0]}:${sourceNode}->${targetNode}`,
      type: 'route',
      source: sourceNode,
      target: targetNode,
      data: points ? { kind, points } : { kind },
      className: `ns-edge ns-edge-${kind}`,
      selectable: false,
      focusable: false,
    });
  };
  const shownIds = filtered.ids;
  for (const c of filtered.containers) {
    if (!layout.containers.has(c.id)) continue;
    for (const nsId of membership.byContainer.get(c.id) ?? []) {
      if (shownIds.has(nsId)) edge('membership', c.id, nsId, ctrNodeId(c.id), nsId);
    }
  }
  for (const { ns } of filtered.namespaces) {
    if (ns.parent !== null && shownIds.has(ns.parent)) edge('parent', ns.id, ns.parent, ns.id, ns.parent);
    const owner = ns.ownerUserNs;
    // For a user namespace the kernel's owner is its parent: one edge says it.
    if (owner !== null && shownIds.has(owner) && !(ns.type === 'user' && owner === ns.parent)) {
      edge('owner', ns.id, owner, ns.id, owner);
    }
  }
  return { nodes, edges };
}

export function nsAriaLabel(ns: Namespace, containers: readonly string[] = []): string {
  const parts = [`${ns.type} namespace ${ns.inode}`];
  if (ns.initial) parts.push('host initial');
  if (ns.hidden) parts.push('hidden');
  parts.push(`${ns.processCount} ${ns.processCount === 1 ? 'process' : 'processes'}`);
  if (containers.length) parts.push(`containers ${containers.join(', ')}`);
  if (ns.pod) parts.push(`shared by pod ${ns.pod}`);
  return parts.join(', ');
}

function samePoints(a: readonly Point[] | undefined, b: readonly Point[] | undefined): boolean {
  if (a === b) return true;
  if (!a || !b || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i]!.x !== b[i]!.x || a[i]!.y !== b[i]!.y) return false;
  return true;
}

/** What a namespace node shows: a rescan that changes none of it need not re-render it. */
function nodeLooks(ns: Namespace): string {
  return `${ns.id}|${ns.initial}|${ns.hidden}|${nodeSubtitle(ns)}`;
}

function sameNode(a: GraphNode, b: GraphNode): boolean {
  if (a.type !== b.type || a.position.x !== b.position.x || a.position.y !== b.position.y) return false;
  if (a.width !== b.width || a.height !== b.height || a.ariaLabel !== b.ariaLabel) return false;
  if (a.className !== b.className || (a.selected ?? false) !== (b.selected ?? false)) return false;
  if (a.type === 'ns' && b.type === 'ns') {
    return (
      (a.data.ns === b.data.ns || nodeLooks(a.data.ns) === nodeLooks(b.data.ns)) &&
      a.data.context === b.data.context &&
      (a.data.mark ?? null) === (b.data.mark ?? null) &&
      a.data.containers.join('\n') === b.data.containers.join('\n')
    );
  }
  if (a.type === 'ctr' && b.type === 'ctr') {
    const x = a.data.container;
    const y = b.data.container;
    return (
      (a.data.mark ?? null) === (b.data.mark ?? null) &&
      x.id === y.id &&
      x.name === y.name &&
      x.state === y.state &&
      x.network === y.network &&
      x.pid === y.pid
    );
  }
  if (a.type === 'frame' && b.type === 'frame') return a.data.label === b.data.label && a.data.depth === b.data.depth;
  return false;
}

/**
 * `next` with every node and edge that did not change taken from `prev`, so
 * React Flow (which compares node objects by identity) skips them when a
 * refresh or a late answer (the container list, a host comparison) rebuilds
 * the elements, or a new selection re-marks a few of them.
 */
export function stabilize(prev: FlowElements | null, next: FlowElements): FlowElements {
  if (!prev) return next;
  const nodes = new Map(prev.nodes.map((n) => [n.id, n]));
  const edges = new Map(prev.edges.map((e) => [e.id, e]));
  let same = prev.nodes.length === next.nodes.length && prev.edges.length === next.edges.length;
  const outNodes = next.nodes.map((n, i) => {
    const old = nodes.get(n.id);
    const keep = old && sameNode(old, n) ? old : n;
    if (keep !== prev.nodes[i]) same = false;
    return keep;
  });
  const outEdges = next.edges.map((e, i) => {
    const old = edges.get(e.id);
    const keep =
      old &&
      old.source === e.source &&
      old.target === e.target &&
      old.className === e.className &&
      (old.hidden ?? false) === (e.hidden ?? false) &&
      old.zIndex === e.zIndex &&
      samePoints(old.data?.points, e.data?.points)
        ? old
        : e;
    if (keep !== prev.edges[i]) same = false;
    return keep;
  });
  return same ? prev : { nodes: outNodes, edges: outEdges };
}

const MARK_WORDS = {
  shared: 'shared with the host',
  separate: "the container's own",
  'host-side': "the host's (not shared)",
} as const;

export interface Highlight {
  selected: string | null;
  /** The container compared with the host, and the answer's summary. */
  compare: { container: string; summary: SharedSummary } | null;
  toggles: EdgeToggles;
}

/**
 * Marks for the current selection and comparison: new objects only for
 * what changes, so React Flow re-renders little.
 */
export function highlight(base: FlowElements, h: Highlight): FlowElements {
  const cmp = h.compare;
  const related = new Set<string>();
  if (h.selected) {
    related.add(h.selected);
    for (const e of base.edges) {
      if (e.source === h.selected) related.add(e.target);
      if (e.target === h.selected) related.add(e.source);
    }
  }
  const compareIds = new Set<string>();
  if (cmp) {
    compareIds.add(ctrNodeId(cmp.container));
    for (const s of [cmp.summary.sharedIds, cmp.summary.separateIds, cmp.summary.hostIds]) {
      for (const id of s) compareIds.add(id);
    }
  }
  const nodes = base.nodes.map((n): GraphNode => {
    if (n.type === 'frame') return n;
    const cls: string[] = [];
    if (h.selected) {
      if (n.id === h.selected) cls.push('is-selected');
      else if (related.has(n.id)) cls.push('is-related');
    }
    if (cmp && !compareIds.has(n.id)) cls.push('is-dimmed');
    if (n.type === 'ns') {
      const mark = !cmp
        ? null
        : cmp.summary.sharedIds.has(n.id)
          ? 'shared'
          : cmp.summary.separateIds.has(n.id)
            ? 'separate'
            : cmp.summary.hostIds.has(n.id)
              ? 'host-side'
              : null;
      const className = cls.join(' ') || undefined;
      if (
        mark === (n.data.mark ?? null) &&
        className === n.className &&
        (n.selected ?? false) === (n.id === h.selected)
      )
        return n;
      const ariaLabel = mark ? `${nsAriaLabel(n.data.ns, n.data.containers)}, ${MARK_WORDS[mark]}` : n.ariaLabel;
      return { ...n, className, ariaLabel, selected: n.id === h.selected, data: { ...n.data, mark } };
    }
    const mark = cmp && n.id === ctrNodeId(cmp.container) ? 'compared' : null;
    const className = cls.join(' ') || undefined;
    if (mark === (n.data.mark ?? null) && className === n.className && (n.selected ?? false) === (n.id === h.selected))
      return n;
    return { ...n, className, selected: n.id === h.selected, data: { ...n.data, mark } };
  });
  const cmpNode = cmp ? ctrNodeId(cmp.container) : null;
  const edges = base.edges.map((e): GraphEdge => {
    const kind = e.data!.kind;
    const touches = h.selected !== null && (e.source === h.selected || e.target === h.selected);
    const compared = cmpNode !== null && e.source === cmpNode;
    const hidden = !h.toggles[kind] && !touches && !compared;
    const cls = ['ns-edge', `ns-edge-${kind}`];
    if (touches || compared) cls.push('is-active');
    else if ((h.selected || cmp) && !hidden) cls.push('is-faded');
    const className = cls.join(' ');
    if (hidden === !!e.hidden && className === e.className) return e;
    return { ...e, hidden, className, zIndex: touches || compared ? 10 : 0 };
  });
  return { nodes, edges };
}
