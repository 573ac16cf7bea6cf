/**
 * The side panel: everything the scan knows about the clicked namespace
 * (id, type, inode, initial/hidden and why, owner and parent as links, owner
 * uid, holders, processes with the /proc link that shows each one) or
 * container (its namespace of each type).
 */
import { useState, type CSSProperties, type ReactNode } from 'react';
import { useBerth } from '../../app/client';
import { Fact } from '../../ui/Facts';
import type { Selection } from './flow';
import {
  formatMs,
  holderPath,
  holderText,
  initialSource,
  linkText,
  nspidText,
  procPath,
  processesText,
} from './format';
import type { Membership } from './model';
import { containerDetailsHref, containerNamespacesHref } from './route';
import { PROCESS_PAGE } from './queries';
import {
  NS_TYPES,
  shortId,
  TYPE_COLORS,
  type ContainerRef,
  type Namespace,
  type NamespaceGraph,
  type NamespaceProcess,
} from './types';

export interface DetailsPanelProps {
  graph: NamespaceGraph;
  byId: ReadonlyMap<string, Namespace>;
  membership: Membership;
  containers: ReadonlyMap<string, ContainerRef>;
  selection: Selection;
  /** Ids of the namespaces the graph shows now. */
  shown: ReadonlySet<string>;
  onSelect: (sel: Selection) => void;
  onClose: () => void;
  /** Start the "shared with the host" mode for a container; absent in the container tab. */
  onCompare?: (containerId: string) => void;
  /** 'container': the graph is one container's subgraph, whose namespaces list only its processes. */
  scope?: 'host' | 'container';
}

function TypeChip({ type }: { type: Namespace['type'] }): ReactNode {
  return (
    <span className="nsg-chip" style={{ '--ns-color': TYPE_COLORS[type] } as CSSProperties}>
      {type}
    </span>
  );
}

function NsLink({
  id,
  byId,
  shown,
  onSelect,
}: {
  id: string | null;
  byId: ReadonlyMap<string, Namespace>;
  shown: ReadonlySet<string>;
  onSelect: (sel: Selection) => void;
}): ReactNode {
  if (id === null) return <span className="muted">none</span>;
  const ns = byId.get(id);
  if (!ns) return <code className="mono">{id}</code>;
  return (
    <>
      <button type="button" className="nsp-link mono" onClick={() => onSelect({ kind: 'ns', id })}>
        {id}
      </button>
      {ns.initial && <span className="nsg-badge nsg-badge-initial">host</span>}
      {!shown.has(id) && <span className="muted"> (not shown with these filters)</span>}
    </>
  );
}

function containerLabel(containers: ReadonlyMap<string, ContainerRef>, id: string): string {
  return containers.get(id)?.name ?? shortId(id);
}

function NamespaceDetails(props: DetailsPanelProps & { ns: Namespace }): ReactNode {
  const { ns, graph, byId, membership, containers, shown, onSelect } = props;
  const why = initialSource(graph, ns);
  const client = useBerth();
  // Pages fetched past the graph's cut list (namespaces.processes), for this namespace only.
  const [more, setMore] = useState<{ id: string; rows: NamespaceProcess[]; error: string | null; busy: boolean }>({
    id: ns.id,
    rows: [],
    error: null,
    busy: false,
  });
  const extra = more.id === ns.id ? more : { id: ns.id, rows: [], error: null, busy: false };
  const listed = [...ns.processes, ...extra.rows];
  // The container view lists only the container's processes: paging the whole namespace would mix in others.
  const canPage = props.scope !== 'container' && listed.length < ns.processCount;
  const loadMore = (): void => {
    const id = ns.id;
    setMore({ ...extra, busy: true, error: null });
    client
      .invoke('namespaces.processes', { id, offset: listed.length, limit: PROCESS_PAGE })
      .then((page) => setMore({ id, rows: [...extra.rows, ...page.processes], error: null, busy: false }))
      .catch((e: unknown) =>
        setMore({ ...extra, busy: false, error: e instanceof Error ? e.message : 'could not load more' }),
      );
  };
  const members = [...(membership.byNamespace.get(ns.id) ?? [])];
  const firstProc = ns.processes.find((p) => p.via === 'proc');
  const anyContainer = ns.processes.some((p) => p.container !== null);
  const titleId = 'nsp-title';
  return (
    <>
      <header className="nsp-head">
        <h2 id={titleId}>
          <TypeChip type={ns.type} /> <span className="mono">{ns.inode}</span>
        </h2>
        <div className="nsp-badges">
          {ns.initial && <span className="nsg-badge nsg-badge-initial">host initial</span>}
          {ns.hidden && <span className="nsg-badge nsg-badge-hidden">hidden</span>}
        </div>
      </header>
      <dl className="facts nsp-facts">
        <Fact k="id">
          <code className="mono">{ns.id}</code>
        </Fact>
        <Fact k="type">{ns.type}</Fact>
        <Fact k="inode">
          <code className="mono">{ns.inode}</code>
          {ns.dev > 0 && <span className="muted"> on nsfs dev {ns.dev}</span>}
        </Fact>
        <Fact k="initial">
          {ns.initial ? 'yes' : 'no'}
          {why && <span className="muted"> — by {why}</span>}
        </Fact>
        <Fact k="hidden">
          {ns.hidden ? 'yes — no process, thread, bind mount or fd holds it; another namespace names it' : 'no'}
        </Fact>
        <Fact k="owner (NS_GET_USERNS)">
          <NsLink id={ns.ownerUserNs} byId={byId} shown={shown} onSelect={onSelect} />
        </Fact>
        {(ns.type === 'pid' || ns.type === 'user') && (
          <Fact k="parent (NS_GET_PARENT)">
            <NsLink id={ns.parent} byId={byId} shown={shown} onSelect={onSelect} />
          </Fact>
        )}
        {ns.ownerUid !== undefined && (
          <Fact k="owner uid (NS_GET_OWNER_UID)">
            <code className="mono">{ns.ownerUid}</code>
          </Fact>
        )}
        <Fact k="containers">
          {members.length === 0 ? (
            <span className="muted">none</span>
          ) : (
            members.map((c, i) => (
              <span key={c}>
                {i > 0 && ', '}
                <button type="button" className="nsp-link" onClick={() => onSelect({ kind: 'ctr', id: c })}>
                  {containerLabel(containers, c)}
                </button>
              </span>
            ))
          )}
        </Fact>
      </dl>

      <section className="nsp-section" aria-labelledby="nsp-truth">
        <h3 id="nsp-truth">Kernel truth</h3>
        {firstProc ? (
          <p className="nsp-truth mono">
            $ readlink {procPath(ns, firstProc)}
            <br />
            {linkText(ns)}
          </p>
        ) : ns.holders[0] ? (
          <p className="nsp-truth mono">
            $ stat -L -c %i {holderPath(ns.holders[0])}
            <br />
            {ns.inode}
          </p>
        ) : ns.hidden ? (
          <p className="muted">
            No process or file the scan saw shows it: it is known only as another namespace&rsquo;s owner or parent
            (NS_GET_USERNS / NS_GET_PARENT).
          </p>
        ) : props.scope === 'container' ? (
          <p className="muted">
            None of the container&rsquo;s processes is in it: it is shown as the owner or parent of one of its
            namespaces. This view lists only the container&rsquo;s processes; the Namespaces page lists
            everyone&rsquo;s.
          </p>
        ) : (
          <p className="muted">No process or holder of it is listed.</p>
        )}
      </section>

      <section className="nsp-section" aria-labelledby="nsp-holders">
        <h3 id="nsp-holders">Holders ({ns.holders.length})</h3>
        {ns.holders.length === 0 ? (
          <p className="muted">No nsfs bind mount or open fd{graph.coverage.fds ? '' : ' (fds were not scanned)'}.</p>
        ) : (
          <table className="table nsp-table" aria-label="holders">
            <thead>
              <tr>
                <th scope="col">Holder</th>
                <th scope="col">Open it at</th>
              </tr>
            </thead>
            <tbody>
              {ns.holders.map((h, i) => (
                <tr key={i}>
                  <td>
                    {holderText(h)}
                    {h.kind === 'mount' && <div className="muted mono">in {h.mountNs}</div>}
                  </td>
                  <td className="mono">{holderPath(h)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      <section className="nsp-section" aria-labelledby="nsp-procs">
        <h3 id="nsp-procs">
          Processes ({ns.processCount.toLocaleString('en-US')})
          {listed.length < ns.processCount && (
            <span className="muted nsp-cut"> — the first {listed.length} listed</span>
          )}
        </h3>
        {ns.processes.length === 0 ? (
          <p className="muted">{processesText(ns.processCount)}.</p>
        ) : (
          <table className="table nsp-table" aria-label="processes">
            <thead>
              <tr>
                <th scope="col">PID</th>
                <th scope="col">NSpid</th>
                <th scope="col">comm</th>
                {anyContainer && <th scope="col">Container</th>}
                <th scope="col">/proc link</th>
              </tr>
            </thead>
            <tbody>
              {listed.map((p) => (
                <tr key={`${p.pid}:${p.tid ?? ''}:${p.via}`}>
                  <th scope="row" className="mono">
                    {p.pid}
                    {p.tid !== undefined && <span className="muted"> tid {p.tid}</span>}
                  </th>
                  <td className="mono">{nspidText(p)}</td>
                  <td className="mono">{p.comm}</td>
                  {anyContainer && (
                    <td>
                      {p.container ? (
                        <button
                          type="button"
                          className="nsp-link"
                          onClick={() => onSelect({ kind: 'ctr', id: p.container! })}
                        >
                          {containerLabel(containers, p.container)}
                        </button>
                      ) : (
                        <span className="muted">host</span>
                      )}
                    </td>
                  )}
                  <td className="mono nsp-path">{procPath(ns, p)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {canPage && (
          <p>
            <button type="button" className="btn" onClick={loadMore} disabled={extra.busy} data-testid="nsp-more">
              {extra.busy ? 'Loading…' : `Show ${Math.min(PROCESS_PAGE, ns.processCount - listed.length)} more`}
            </button>
            {extra.error !== null && <span className="error-text"> {extra.error}</span>}
          </p>
        )}
      </section>
      <p className="muted nsp-foot">
        Scanned {new Date(graph.scannedAt).toLocaleTimeString()} in {formatMs(graph.durationMs)}.
      </p>
    </>
  );
}

function ContainerDetails(props: DetailsPanelProps & { id: string }): ReactNode {
  const { id, byId, membership, containers, shown, onSelect, onCompare } = props;
  const c = containers.get(id);
  const mine = [...(membership.byContainer.get(id) ?? [])]
    .map((nsId) => byId.get(nsId))
    .filter((ns): ns is Namespace => ns !== undefined)
    .sort((a, b) => NS_TYPES.indexOf(a.type) - NS_TYPES.indexOf(b.type));
  return (
    <>
      <header className="nsp-head">
        <h2 id="nsp-title">
          <span aria-hidden="true">▣ </span>
          {c?.name ?? shortId(id)}
        </h2>
      </header>
      <dl className="facts nsp-facts">
        <Fact k="id">
          <code className="mono">{id}</code>
        </Fact>
        {c?.state && <Fact k="state">{c.state}</Fact>}
        {c?.pid != null && (
          <Fact k="init pid (host)">
            <code className="mono">{c.pid}</code>
          </Fact>
        )}
        {c?.network && <Fact k="network mode">{c.network}</Fact>}
      </dl>
      <div className="nsp-actions">
        {onCompare && (
          <button type="button" className="button" onClick={() => onCompare(id)}>
            Highlight what it shares with the host
          </button>
        )}
        <a className="button" href={containerNamespacesHref(id)}>
          Its namespaces
        </a>
        <a className="button" href={containerDetailsHref(id)}>
          Container details
        </a>
      </div>
      <section className="nsp-section" aria-labelledby="nsp-ctr-ns">
        <h3 id="nsp-ctr-ns">Namespaces ({mine.length})</h3>
        <table className="table nsp-table" aria-label="container namespaces">
          <thead>
            <tr>
              <th scope="col">Type</th>
              <th scope="col">Namespace</th>
              <th scope="col">/proc link</th>
            </tr>
          </thead>
          <tbody>
            {mine.map((ns) => (
              <tr key={ns.id}>
                <th scope="row">
                  <TypeChip type={ns.type} />
                </th>
                <td>
                  <NsLink id={ns.id} byId={byId} shown={shown} onSelect={onSelect} />
                </td>
                <td className="mono nsp-path">{c?.pid != null ? `/proc/${c.pid}/ns/${ns.type}` : '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </>
  );
}

export function DetailsPanel(props: DetailsPanelProps): ReactNode {
  const { selection, byId, onClose } = props;
  const ns = selection.kind === 'ns' ? byId.get(selection.id) : undefined;
  return (
    <aside
      className="nsp"
      aria-labelledby="nsp-title"
      data-testid="namespace-details"
      onKeyDown={(e) => {
        if (e.key === 'Escape') onClose();
      }}
    >
      <button type="button" className="nsp-close" aria-label="Close details" onClick={onClose}>
        ×
      </button>
      {selection.kind === 'ctr' ? (
        <ContainerDetails {...props} id={selection.id} />
      ) : ns ? (
        <NamespaceDetails {...props} ns={ns} />
      ) : (
        <p className="muted" id="nsp-title">
          {selection.id} is not in the latest scan (it is gone).
        </p>
      )}
    </aside>
  );
}
