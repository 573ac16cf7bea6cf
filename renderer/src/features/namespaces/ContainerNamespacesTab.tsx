/**
 * One container's namespaces (`namespaces.container`): its subgraph with
 * the owners and parents it leads to, drawn like the host graph, and what
 * it shares with the host (`namespaces.shared {a: id, b: 'host'}`).
 *
 * For the Containers details view to mount as a tab (`<ContainerNamespacesTab
 * id=… />`); standalone at `#/namespaces/container/<id>`. The app-wide sync
 * keeps it current on `containers.changed` (debounced).
 */
import '../../ui/facts.css';
import './namespaces.css';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useMemo, useState, type ReactNode } from 'react';
import { BerthError, ErrorCodes } from '../../../../preload/errors';
import { useBerth } from '../../app/client';
import { ErrorView } from '../../app/ErrorView';
import { GraphLegend } from './Controls';
import { DetailsPanel } from './DetailsPanel';
import type { EdgeToggles } from './flow';
import { formatMs, processesText } from './format';
import { GraphView } from './GraphView';
import { computeMembership, defaultFilters, summarizeShared } from './model';
import { containersQueries } from '../containers/queries';
import { namespacesQueries } from './queries';
import { SharedSummaryView } from './SharedSummaryView';
import { containerRef, shortId, type ContainerRef, type NamespaceGraph, type SharedNamespaces } from './types';
import { useGraphModel } from './useGraphModel';
import { useGraphSelection } from './useGraphSelection';

/** The container's full id: from the scan (its processes say), else the list (by id, prefix or name). */
function resolveId(ref: string, graph: NamespaceGraph | undefined, list: readonly ContainerRef[]): string {
  for (const ns of graph?.namespaces ?? []) {
    if (ns.container) return ns.container;
    const p = ns.processes.find((x) => x.container);
    if (p?.container) return p.container;
  }
  return list.find((c) => c.id === ref || c.name === ref || c.id.startsWith(ref))?.id ?? ref;
}

export function ContainerNamespacesTab({ id }: { id: string }): ReactNode {
  const client = useBerth();
  const subQ = useQuery({ ...namespacesQueries.container(client, id), placeholderData: keepPreviousData });
  const sharedQ = useQuery(namespacesQueries.shared(client, id, 'host'));
  const listQ = useQuery(containersQueries.list(client, { all: true }));
  const list = useMemo(() => (listQ.data ?? []).map(containerRef), [listQ.data]);
  const fullId = resolveId(id, subQ.data, list);
  const name = list.find((c) => c.id === fullId)?.name ?? shortId(fullId);
  const summary = useMemo(() => (sharedQ.data ? summarizeShared(sharedQ.data) : null), [sharedQ.data]);
  const notRunning = sharedQ.error instanceof BerthError && sharedQ.error.code === ErrorCodes.CONTAINER_NOT_RUNNING;

  return (
    <div className="nsx-tab" aria-busy={subQ.isFetching}>
      {notRunning ? (
        <p className="nsx-note">
          <strong>{name}</strong> is not running: a container has namespaces only while its processes live.
        </p>
      ) : (
        <SharedSummaryView
          containerName={name}
          answer={sharedQ.data}
          summary={summary}
          error={sharedQ.isError ? sharedQ.error : null}
          loading={sharedQ.isFetching}
        />
      )}
      {subQ.data ? (
        subQ.data.namespaces.length > 0 ? (
          <ContainerGraph graph={subQ.data} fullId={fullId} list={list} answer={sharedQ.data} />
        ) : notRunning ? null : (
          <p className="muted">The scan found no process of this container.</p>
        )
      ) : subQ.isError ? (
        <ErrorView
          error={subQ.error}
          title="Could not read the container's namespaces"
          onRetry={() => void subQ.refetch()}
        />
      ) : (
        <p className="loading">Reading the container&rsquo;s namespaces…</p>
      )}
    </div>
  );
}

function ContainerGraph({
  graph,
  fullId,
  list,
  answer,
}: {
  graph: NamespaceGraph;
  fullId: string;
  list: readonly ContainerRef[];
  answer: SharedNamespaces | undefined;
}): ReactNode {
  const containers = useMemo(() => {
    const c = list.find((x) => x.id === fullId);
    return [c ?? { id: fullId, name: shortId(fullId), state: null, pid: null, network: null }];
  }, [list, fullId]);
  const membership = useMemo(() => computeMembership(graph), [graph]);
  // Its own namespaces; their owners and parents as context (drawn muted).
  const filters = useMemo(() => ({ ...defaultFilters(), container: fullId }), [fullId]);
  const [toggles, setToggles] = useState<EdgeToggles>({ membership: true, parent: true, owner: true });
  const { selection, setSelection, centerOn, select, jump } = useGraphSelection();
  const model = useGraphModel({
    graph,
    membership,
    containers,
    filters,
    toggles,
    selection,
    compare: answer ? { container: fullId, answer } : null,
  });

  return (
    <>
      <div className="nsx-body nsx-body-tab">
        <div className="nsx-graph">
          <GraphView
            elements={model.elements}
            focus={[]}
            fitKey={fullId}
            onSelect={select}
            centerOn={centerOn}
            label={`Namespaces of ${containers[0]!.name}`}
            legend={<GraphLegend toggles={toggles} onChange={setToggles} />}
          />
        </div>
        {selection && (
          <DetailsPanel
            graph={graph}
            byId={model.byId}
            membership={membership}
            containers={model.containersById}
            selection={selection}
            shown={model.filtered.ids}
            onSelect={jump}
            onClose={() => setSelection(null)}
            scope="container"
          />
        )}
      </div>
      <p className="muted nsx-note">
        {graph.namespaces.length} namespaces (with the owners and parents they lead to) ·{' '}
        {processesText(graph.processCount)} · scanned in {formatMs(graph.durationMs)}
      </p>
    </>
  );
}
