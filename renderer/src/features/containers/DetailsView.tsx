/**
 * One container (`#/containers/<id>`): a header with its state and the same
 * lifecycle controls as the table, and four tabs — Overview (config, state
 * and the kernel objects behind it), Logs, Terminal, Files. A tab's content
 * is mounted only while it is selected: the Logs poll and the Terminal's
 * exec session live exactly as long as their tab is open.
 */
import { useQuery } from '@tanstack/react-query';
import { Suspense, useState, type KeyboardEvent, type ReactNode } from 'react';
import { useBerth } from '../../app/client';
import { ErrorView } from '../../app/ErrorView';
import { ErrorCodes, toErrorShape } from '../../../../preload/errors';
import { usePreferences } from '../../app/preferences/preferences';
import { ActionFailureBanner, ContainerActions, type ActionFailure } from './actions';
import { CommitDialog } from './CommitDialog';
import { FilesTab } from './FilesTab';
import { shortId } from './format';
import { LogsTab } from './LogsTab';
import { OverviewTab } from './OverviewTab';
import { containersQueries } from './queries';
import { replaceHash } from '../../app/hash';
import { containersHref, detailsHref, TABS, type DetailsTab } from './route';
import { lazyNamed } from '../../app/lazy';
import { PrivilegedBadge, StatePill } from './ui';

// The heavy tabs (recharts, xyflow, xterm) load from their own chunks.
const TerminalTab = lazyNamed(() => import('./TerminalTab'), 'TerminalTab');
const ContainerResourcesTab = lazyNamed(() => import('../resources/ContainerResourcesTab'), 'ContainerResourcesTab');
const ContainerLimitsTab = lazyNamed(() => import('../limits/ContainerLimitsTab'), 'ContainerLimitsTab');
const ContainerNamespacesTab = lazyNamed(
  () => import('../namespaces/ContainerNamespacesTab'),
  'ContainerNamespacesTab',
);

const TAB_LABEL: Record<DetailsTab, string> = {
  overview: 'Overview',
  logs: 'Logs',
  terminal: 'Terminal',
  files: 'Files',
  resources: 'Resources',
  limits: 'Limits',
  namespaces: 'Namespaces',
};

export function DetailsView({ id, tab }: { id: string; tab: DetailsTab }): ReactNode {
  const client = useBerth();
  const q = useQuery(containersQueries.detail(client, id));
  const [failure, setFailure] = useState<ActionFailure | null>(null);
  const timeoutSec = usePreferences().stopTimeoutSeconds;
  const [committing, setCommitting] = useState(false);
  const c = q.data;
  const gone = q.isError && toErrorShape(q.error).code === ErrorCodes.CONTAINER_NOT_FOUND;

  const select = (t: DetailsTab) => replaceHash(detailsHref(id, t));
  const onTabKey = (e: KeyboardEvent) => {
    const i = TABS.indexOf(tab);
    const next =
      e.key === 'ArrowRight'
        ? TABS[(i + 1) % TABS.length]
        : e.key === 'ArrowLeft'
          ? TABS[(i + TABS.length - 1) % TABS.length]
          : undefined;
    if (next) {
      e.preventDefault();
      select(next);
      document.getElementById(`ctr-tab-${next}`)?.focus();
    }
  };

  return (
    <section className="page ctr-page ctr-details" aria-labelledby="ctr-details-title" aria-busy={q.isFetching}>
      <nav className="ctr-crumbs" aria-label="Breadcrumb">
        <a href={containersHref()}>Containers</a> <span aria-hidden="true">›</span>
      </nav>
      <header className="page-header">
        <div>
          <h1 id="ctr-details-title">
            {c?.name ?? id}
            {c && <StatePill c={c} />}
            {c && <PrivilegedBadge c={c} />}
          </h1>
          <p className="subtitle mono">
            {c ? (
              <>
                <span title={c.id}>{shortId(c.id)}</span> · {c.image} ·{' '}
                <span title={c.imageId}>{c.imageId.replace(/^sha256:/, '').slice(0, 12)}</span>
              </>
            ) : (
              '…'
            )}
          </p>
        </div>
        {c && (
          <div className="page-actions">
            <ContainerActions
              c={c}
              timeoutSec={timeoutSec}
              onFailure={setFailure}
              onRemoved={() => {
                window.location.hash = containersHref();
              }}
            />
            <button type="button" className="button" onClick={() => setCommitting(true)}>
              Commit…
            </button>
            {committing && <CommitDialog c={c} onClose={() => setCommitting(false)} />}
          </div>
        )}
      </header>

      <ActionFailureBanner failure={failure} onDismiss={() => setFailure(null)} />

      {gone ? (
        <div className="ctr-gone">
          <ErrorView error={q.error} title="This container does not exist (any more)" />
          <a href={containersHref()}>Back to the containers</a>
        </div>
      ) : q.isError && !c ? (
        <ErrorView error={q.error} title={`Could not inspect ${id}`} onRetry={() => void q.refetch()} />
      ) : !c ? (
        <p className="loading">Inspecting…</p>
      ) : (
        <>
          {q.isError && <ErrorView error={q.error} title="Refresh failed; showing the last answer" />}
          <div className="ctr-tabs" role="tablist" aria-label="Container views" onKeyDown={onTabKey}>
            {TABS.map((t) => (
              <button
                key={t}
                type="button"
                role="tab"
                id={`ctr-tab-${t}`}
                aria-selected={t === tab}
                aria-controls={`ctr-panel-${t}`}
                tabIndex={t === tab ? 0 : -1}
                onClick={() => select(t)}
              >
                {TAB_LABEL[t]}
              </button>
            ))}
          </div>
          <div
            className={`ctr-panel ctr-panel-${tab}`}
            role="tabpanel"
            id={`ctr-panel-${tab}`}
            aria-labelledby={`ctr-tab-${tab}`}
          >
            <Suspense fallback={<p className="loading">Loading…</p>}>
              {tab === 'overview' && <OverviewTab c={c} />}
              {tab === 'logs' && <LogsTab id={c.id} state={c.state} />}
              {tab === 'terminal' && <TerminalTab id={c.id} state={c.state} />}
              {tab === 'files' && <FilesTab id={c.id} />}
              {tab === 'resources' && <ContainerResourcesTab id={c.id} />}
              {tab === 'limits' && <ContainerLimitsTab id={c.id} />}
              {tab === 'namespaces' && <ContainerNamespacesTab id={c.id} />}
            </Suspense>
          </div>
        </>
      )}
    </section>
  );
}
