/**
 * The memoised pipeline both views share: scan → membership → filters →
 * layout → React Flow elements → highlight. Each step reruns only when its
 * own inputs change (a selection re-runs the highlight pass alone).
 */
import { useEffect, useMemo, useRef } from 'react';
import { highlight, nodeIdOf, stabilize, toFlow, type EdgeToggles, type FlowElements, type Selection } from './flow';
import { layoutGraph, type Layout } from './layout';
import {
  applyFilters,
  summarizeShared,
  type FilteredGraph,
  type Filters,
  type Membership,
  type SharedSummary,
} from './model';
import type { ContainerRef, Namespace, NamespaceGraph, NamespaceType, SharedNamespaces } from './types';

export interface GraphModel {
  byId: Map<string, Namespace>;
  filtered: FilteredGraph;
  layout: Layout;
  elements: FlowElements;
  summary: SharedSummary | null;
  typeCounts: Map<NamespaceType, number>;
  containersById: Map<string, ContainerRef>;
}

export function useGraphModel(args: {
  graph: NamespaceGraph;
  membership: Membership;
  containers: readonly ContainerRef[];
  filters: Filters;
  toggles: EdgeToggles;
  selection: Selection | null;
  compare: { container: string; answer: SharedNamespaces | undefined } | null;
}): GraphModel {
  const { graph, membership, containers, filters, toggles, selection, compare } = args;
  const byId = useMemo(() => new Map(graph.namespaces.map((ns) => [ns.id, ns])), [graph]);
  const typeCounts = useMemo(() => {
    const m = new Map<NamespaceType, number>();
    for (const ns of graph.namespaces) m.set(ns.type, (m.get(ns.type) ?? 0) + 1);
    return m;
  }, [graph]);
  const containersById = useMemo(() => {
    const m = new Map(containers.map((c) => [c.id, c]));
    for (const id of membership.byContainer.keys()) {
      if (!m.has(id)) m.set(id, { id, name: id.slice(0, 12), state: null, pid: null, network: null });
    }
    return m;
  }, [containers, membership]);
  const filtered = useMemo(
    () => applyFilters(graph, membership, containers, filters),
    [graph, membership, containers, filters],
  );
  const layout = useMemo(
    () => layoutGraph({ namespaces: filtered.namespaces, containers: filtered.containers, membership }),
    [filtered, membership],
  );
  const prevBase = useRef<FlowElements | null>(null);
  const base = useMemo(() => {
    const names = new Map([...containersById].map(([id, c]) => [id, c.name]));
    return stabilize(prevBase.current, toFlow(filtered, membership, layout, names));
  }, [filtered, membership, layout, containersById]);
  useEffect(() => {
    prevBase.current = base;
  }, [base]);
  const summary = useMemo(() => (compare?.answer ? summarizeShared(compare.answer) : null), [compare?.answer]);
  const compareId = compare?.container ?? null;
  const prevLit = useRef<FlowElements | null>(null);
  const elements = useMemo(
    () =>
      stabilize(
        prevLit.current,
        highlight(base, {
          selected: selection ? nodeIdOf(selection) : null,
          compare: compareId && summary ? { container: compareId, summary } : null,
          toggles,
        }),
      ),
    [base, selection, compareId, summary, toggles],
  );
  useEffect(() => {
    prevLit.current = elements;
  }, [elements]);
  return { byId, filtered, layout, elements, summary, typeCounts, containersById };
}
