/**
 * The Namespaces page (`#/namespaces`): every namespace on the host as a
 * graph — nested frames for user-namespace ownership, one column per type,
 * containers linked to their namespaces — with filters, a side panel with
 * the kernel's own view of the clicked node, and a mode that highlights
 * what one container shares with the host. `#/namespaces/container/<id>`
 * shows one container's part (ContainerNamespacesTab).
 */
import '../../ui/facts.css';
import './namespaces.css';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useMemo, useState, type ReactNode } from 'react';
import { useBerth } from '../../app/client';
import { ErrorView } from '../../app/ErrorView';
import { ContainerNamespacesTab } from './ContainerNamespacesTab';
import { ContainerSelect, FilterBar, GraphLegend } from './Controls';
import { DetailsPanel } from './DetailsPanel';
import { ctrNodeId, type EdgeToggles } from './flow';
import { formatMs } from './format';
import { GraphView } from './GraphView';
import { computeMembership, defaultFilters, knownContainers, type Filters } from './model';
import { containersQueries } from '../containers/queries';
import { namespacesQueries } from './queries';
import { useHash } from '../../app/hash';
import { namespacesHref, parseNamespacesHash } from './route';
import { SharedSummaryView } from './SharedSummaryView';
import { containerRef, shortId, type ContainerSummary, type NamespaceGraph } from './types';
import { useGraphModel } from './useGraphModel';
import { useGraphSelection } from './useGraphSelection';

export function NamespacesPage(): ReactNode {
  const loc = parseNamespacesHash(useHash());
  if (loc?.view === 'container') return <ContainerNamespacesPage id={loc.id} />;
  return <HostNamespacesPage />;
}

function ContainerNamespacesPage({ id }: { id: string }): ReactNode {
  return (
    <section className="page nsx-page nsx-page-container" aria-labelledby="ns-title">
      <header className="page-header">
        <div>
          <h1 id="ns-title">Namespaces of a container</h1>
          <p className="subtitle">
            <a href={namespacesHref()}>All namespaces</a> · <code className="mono">{id}</code>
          </p>
        </div>
      </header>
      <ContainerNamespacesTab id={id} />
    </section>
  );
}

function HostNamespacesPage(): ReactNode {
  const client = useBerth();
  const graphQ = useQuery({ ...namespacesQueries.graph(client), placeholderData: keepPreviousData });
  const listQ = useQuery(containersQueries.list(client, { all: true }));
  const updated = graphQ.dataUpdatedAt ? new Date(graphQ.dataUpdatedAt).toLocaleTimeString() : null;
  const refresh = () => {
    void graphQ.refetch();
    void listQ.refetch();
  };

  return (
    <section className="page nsx-page" aria-labelledby="ns-title" aria-busy={graphQ.isFetching}>
      <header className="page-header">
        <div>
          <h1 id="ns-title">Namespaces</h1>
          <p className="subtitle">
            Every namespace a process, thread, bind mount or fd keeps alive, with the kernel&rsquo;s owner and parent
            links
          </p>
        </div>
        <div className="page-actions">
          {graphQ.data && <ScanStats graph={graphQ.data} />}
          {updated && <span className="muted">updated {updated}</span>}
          <button type="button" className="button" onClick={refresh} disabled={graphQ.isFetching}>
            {graphQ.isFetching ? 'Scanning…' : 'Refresh'}
          </button>
        </div>
      </header>
      {graphQ.data && (listQ.data || listQ.isError) ? (
        <>
          {graphQ.isError && <ErrorView error={graphQ.error} title="Rescan failed; showing the last answer" />}
          <HostGraph graph={graphQ.data} containerList={listQ.data} listError={listQ.isError ? listQ.error : null} />
        </>
      ) : graphQ.isError && !graphQ.data ? (
        <ErrorView error={graphQ.error} title="Could not scan the namespaces" onRetry={refresh} />
      ) : (
        <p className="loading">Reading every process&rsquo;s /proc/PID/ns links…</p>
      )}
    </section>
  );
}

function ScanStats({ graph }: { graph: NamespaceGraph }): ReactNode {
  return (
    <span className="muted nsx-stats" data-testid="scan-stats">
      {graph.namespaces.length} namespaces · {graph.processCount.toLocaleString('en-US')} processes · scanned in{' '}
      {formatMs(graph.durationMs)}
    </span>
  );
}

function HostGraph({
  graph,
  containerList,
  listError,
}: {
  graph: NamespaceGraph;
  containerList: readonly ContainerSummary[] | undefined;
  listError: unknown;
}): ReactNode {
  const client = useBerth();
  const containers = useMemo(() => (containerList ?? []).map(containerRef), [containerList]);

  const [filters, setFilters] = useState<Filters>(defaultFilters);
  const [toggles, setToggles] = useState<EdgeToggles>({ membership: true, parent: true, owner: false });
  const { selection, setSelection, centerOn, select, jump } = useGraphSelection();
  const [compareId, setCompareId] = useState<string>('');

  // Complete however the process lists were cut: Namespace.containers is computed before the cut.
  const membership = useMemo(() => computeMembership(graph), [graph]);

  const sharedQ = useQuery({ ...namespacesQueries.shared(client, compareId, 'host'), enabled: compareId !== '' });
  const model = useGraphModel({
    graph,
    membership,
    containers,
    filters,
    toggles,
    selection,
    compare: compareId ? { container: compareId, answer: sharedQ.data } : null,
  });
  const known = useMemo(() => knownContainers(containers, membership), [containers, membership]);

  const summary = model.summary;
  const focus = useMemo(() => {
    if (!compareId || !summary) return model.layout.focus;
    const ids = [ctrNodeId(compareId), ...summary.sharedIds, ...summary.separateIds];
    return ids.filter((id) => model.filtered.ids.has(id) || id === ctrNodeId(compareId));
  }, [compareId, summary, model.layout.focus, model.filtered.ids]);
  const fitKey = JSON.stringify([[...filters.types], filters.container, filters.hideUnused, compareId, !!summary]);
  const compareName = compareId ? (model.containersById.get(compareId)?.name ?? shortId(compareId)) : '';
  const cut = graph.namespaceCount - graph.namespaces.length;

  return (
    <>
      <div className="nsx-controls" role="group" aria-label="Filters">
        <FilterBar filters={filters} counts={model.typeCounts} containers={known} onChange={setFilters}>
          <ContainerSelect
            id="nsx-compare"
            label="Highlight what it shares with the host"
            value={compareId}
            containers={known}
            extra={[['', 'none']]}
            onChange={setCompareId}
          />
        </FilterBar>
      </div>
      {listError != null && <ErrorView error={listError} title="Could not list containers (names are ids)" compact />}
      {(cut > 0 || graph.errors.length > 0) && (
        <div className="nsx-note muted" role="status">
          {cut > 0 && (
            <span data-testid="ns-cut">
              Showing {graph.namespaces.length.toLocaleString('en-US')} of{' '}
              {graph.namespaceCount.toLocaleString('en-US')} namespaces (user, host, container ones first; the rest by
              process count).{' '}
            </span>
          )}
          {graph.errors.length > 0 && (
            <details className="nsx-errors-box">
              <summary>
                {graph.errors.length} {graph.errors.length === 1 ? 'process' : 'processes'} could not be read (
                {[...new Set(graph.errors.map((e) => e.code))].join(', ')})
              </summary>
              <ul className="mono nsx-errors">
                {graph.errors.slice(0, 50).map((e, i) => (
                  <li key={i}>
                    {e.pid ?? '—'}: {e.code} {e.message}
                  </li>
                ))}
              </ul>
            </details>
          )}
        </div>
      )}
      {compareId && (
        <SharedSummaryView
          containerName={compareName}
          answer={sharedQ.data}
          summary={summary}
          error={sharedQ.isError ? sharedQ.error : null}
          loading={sharedQ.isFetching}
          onPick={(id) => jump({ kind: 'ns', id })}
        />
      )}
      <div className="nsx-body">
        <div className="nsx-graph">
          {model.elements.nodes.length === 0 ? (
            <p className="muted nsx-empty">No namespace matches these filters.</p>
          ) : (
            <GraphView
              elements={model.elements}
              focus={focus}
              fitKey={fitKey}
              onSelect={select}
              centerOn={centerOn}
              label="Namespace graph"
              legend={<GraphLegend toggles={toggles} onChange={setToggles} />}
            />
          )}
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
            onCompare={(id) => setCompareId(id)}
          />
        )}
      </div>
    </>
  );
}
