/**
 * The Containers page (`#/containers`): the table with live state and row
 * actions, the Create dialog, and — for `#/containers/<id>` (see route.ts) —
 * one container's details. `containers.changed` events keep both current.
 */
import '../../ui/facts.css';
import './containers.css';
import { useQuery } from '@tanstack/react-query';
import { useId, useState, type ReactNode } from 'react';
import { useBerth, useEvent } from '../../app/client';
import { ErrorView } from '../../app/ErrorView';
import { usePreferences, useSetPreferences } from '../../app/preferences/preferences';
import { ActionFailureBanner, ContainerActions, type ActionFailure } from './actions';
import { CreateDialog } from './CreateDialog';
import type { Created } from './hooks';
import { DetailsView } from './DetailsView';
import { formatBytes } from '../../ui/units';
import { shortId, uptimeText } from './format';
import { containersQueries, type ContainerSummary } from './queries';
import { useHash } from '../../app/hash';
import { detailsHref, parseContainersHash } from './route';
import { STATS_PENDING_TITLE, useContainerStats, type ContainerStatsCell } from './stats';
import { PrivilegedBadge, StatePill, useNow } from './ui';
import { groupByProject, isOneOff, serviceOf } from '../projects/group';
import { ProjectGroupRow } from '../projects/ProjectGroupRow';

function StatCells({ s }: { s: ContainerStatsCell | null | undefined }): ReactNode {
  if (!s) {
    return (
      <>
        <td className="ctr-num muted" title={STATS_PENDING_TITLE}>
          —
        </td>
        <td className="ctr-num muted" title={STATS_PENDING_TITLE}>
          —
        </td>
      </>
    );
  }
  return (
    <>
      <td className="ctr-num">{s.cpuPercent === null ? '—' : `${s.cpuPercent.toFixed(1)} %`}</td>
      <td className="ctr-num">
        {s.memoryBytes === null ? '—' : formatBytes(s.memoryBytes)}
        {s.memoryLimit !== null && <span className="muted"> / {formatBytes(s.memoryLimit)}</span>}
      </td>
    </>
  );
}

function ContainerRow({
  c,
  now,
  stats,
  timeoutSec,
  onFailure,
  inProject,
}: {
  c: ContainerSummary;
  now: number;
  stats: ContainerStatsCell | null | undefined;
  timeoutSec: number;
  onFailure: (f: ActionFailure | null) => void;
  inProject?: boolean;
}): ReactNode {
  return (
    <tr data-id={c.id} className={inProject ? 'prj-member' : undefined}>
      <th scope="row">
        <a href={detailsHref(c.id)}>{c.name}</a>
        <PrivilegedBadge c={c} />
        <div className="ctr-sub mono" title={c.id}>
          {shortId(c.id)}
          {inProject && (
            <span className="prj-service">
              {' '}
              · {serviceOf(c)}
              {isOneOff(c) && ' (one-off)'}
            </span>
          )}
        </div>
      </th>
      <td className="mono" title={c.imageId}>
        {c.image}
      </td>
      <td>
        <StatePill c={c} />
        {c.state === 'unreadable' && c.reason && <div className="ctr-sub ctr-error-text">{c.reason}</div>}
        {c.restartCount > 0 && <div className="ctr-sub">restarted {c.restartCount}×</div>}
      </td>
      <td
        className="ctr-nowrap"
        title={c.finishedAt && c.state === 'exited' ? `finished ${c.finishedAt}` : (c.startedAt ?? undefined)}
      >
        {uptimeText(c, now)}
      </td>
      <StatCells s={stats} />
      <td className="ctr-actions-col">
        <ContainerActions c={c} timeoutSec={timeoutSec} onFailure={onFailure} />
      </td>
    </tr>
  );
}

function ContainersTable({
  rows,
  everything,
  timeoutSec,
  onFailure,
}: {
  rows: ContainerSummary[];
  /** Every container (`all: true`), for the project rows; undefined until it is read. */
  everything: ContainerSummary[] | undefined;
  timeoutSec: number;
  onFailure: (f: ActionFailure | null) => void;
}): ReactNode {
  const now = useNow();
  const stats = useContainerStats();
  const { projects, ungrouped } = groupByProject(rows);
  const whole = new Map(groupByProject(everything ?? []).projects.map((p) => [p.name, p]));
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(new Set());
  const toggle = (name: string) =>
    setCollapsed((prev) => {
      const next = new Set(prev);
      if (!next.delete(name)) next.add(name);
      return next;
    });
  const row = (c: ContainerSummary, inProject = false) => (
    <ContainerRow
      key={c.id}
      c={c}
      now={now}
      stats={stats?.get(c.id)}
      timeoutSec={timeoutSec}
      onFailure={onFailure}
      inProject={inProject}
    />
  );
  return (
    <table className="table ctr-table" aria-label="containers">
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">Image</th>
          <th scope="col">State</th>
          <th scope="col">Uptime</th>
          <th scope="col" className="ctr-num">
            CPU %
          </th>
          <th scope="col" className="ctr-num">
            Memory
          </th>
          <th scope="col" className="ctr-actions-col">
            Actions
          </th>
        </tr>
      </thead>
      {ungrouped.length > 0 && <tbody>{ungrouped.map((c) => row(c))}</tbody>}
      {projects.map((p) => {
        const open = !collapsed.has(p.name);
        return (
          <tbody key={`project:${p.name}`} className="prj-group" data-project={p.name}>
            <ProjectGroupRow
              project={whole.get(p.name) ?? p}
              actionable={whole.has(p.name)}
              open={open}
              onToggle={() => toggle(p.name)}
              timeoutSec={timeoutSec}
              onFailure={onFailure}
            />
            {open && p.containers.map((c) => row(c, true))}
          </tbody>
        );
      })}
    </table>
  );
}

function ContainersList(): ReactNode {
  const client = useBerth();
  const [all, setAll] = useState(true);
  // The stop timeout is the user's preference (Settings); editing it here saves it too.
  const prefs = usePreferences();
  const setPrefs = useSetPreferences();
  const [typed, setTyped] = useState<string | null>(null);
  const timeoutText = typed ?? String(prefs.stopTimeoutSeconds);
  const timeoutValid = /^\d{1,4}$/.test(timeoutText.trim()) && Number(timeoutText) <= 3600;
  const timeoutSec = timeoutValid ? Number(timeoutText) : prefs.stopTimeoutSeconds;
  const [creating, setCreating] = useState(false);
  const [failure, setFailure] = useState<ActionFailure | null>(null);
  const [notice, setNotice] = useState<Created | null>(null);
  const q = useQuery(containersQueries.list(client, { all }));
  // A project's row counts and acts on all its containers, also under "Running" (the same query as "All").
  const everything = useQuery(containersQueries.list(client, { all: true }));
  const filterName = useId();
  const timeoutId = useId();
  // The cache is app/sync.ts's; this only drops the "created" notice of a container that is gone.
  useEvent('containers.changed', (e) => {
    if (e.action === 'remove' && notice?.id === e.id) setNotice(null);
  });
  const rows = q.data ?? [];
  return (
    <section className="page ctr-page" aria-labelledby="containers-title" aria-busy={q.isFetching}>
      <header className="page-header">
        <div>
          <h1 id="containers-title">Containers</h1>
          <p className="subtitle">Processes in their own namespaces, cgroups and overlay root, watched by a monitor</p>
        </div>
        <div className="page-actions">
          <button type="button" className="button ctr-primary" onClick={() => setCreating(true)}>
            Create container
          </button>
        </div>
      </header>

      <div className="ctr-toolbar">
        <div className="ctr-segmented" role="radiogroup" aria-label="Show">
          {(
            [
              [true, 'All'],
              [false, 'Running'],
            ] as const
          ).map(([value, label]) => (
            <label key={label} className={all === value ? 'ctr-seg-on' : undefined}>
              <input type="radio" name={filterName} checked={all === value} onChange={() => setAll(value)} />
              {label}
            </label>
          ))}
        </div>
        <label className="ctr-inline-field" htmlFor={timeoutId}>
          Stop timeout
          <input
            id={timeoutId}
            type="number"
            min={0}
            max={3600}
            value={timeoutText}
            aria-invalid={!timeoutValid}
            title={
              timeoutValid
                ? 'Stop and Restart: SIGTERM, then SIGKILL after this many seconds'
                : `whole seconds, 0..3600 (${prefs.stopTimeoutSeconds} is used)`
            }
            onChange={(e) => {
              const t = e.target.value;
              setTyped(t);
              if (/^\d{1,4}$/.test(t.trim()) && Number(t) <= 3600) setPrefs.mutate({ stopTimeoutSeconds: Number(t) });
            }}
          />
          s
        </label>
        <span className="muted ctr-count">
          {q.data ? `${rows.length} container${rows.length === 1 ? '' : 's'}${all ? '' : ' running'}` : ''}
        </span>
      </div>

      {notice && (
        <div className="ctr-notice" role="status">
          Created <a href={detailsHref(notice.id)}>{notice.name}</a>
          {notice.started ? ' and started it' : ''}.
          {notice.warnings.map((w) => (
            <div key={w} className="ctr-warning">
              warning: {w}
            </div>
          ))}
          <button type="button" className="ctr-icon-button" aria-label="Dismiss" onClick={() => setNotice(null)}>
            ×
          </button>
        </div>
      )}
      <ActionFailureBanner failure={failure} onDismiss={() => setFailure(null)} />

      {q.isError && !q.data ? (
        <ErrorView error={q.error} title="Could not list containers" onRetry={() => void q.refetch()} />
      ) : q.isPending ? (
        <p className="loading">Asking the helper for its containers…</p>
      ) : (
        <>
          {q.isError && <ErrorView error={q.error} title="Refresh failed; showing the last answer" />}
          {rows.length === 0 ? (
            <div className="ctr-empty">
              <p>{all ? 'No containers yet.' : 'No running containers.'}</p>
              <button type="button" className="button" onClick={() => setCreating(true)}>
                Create container
              </button>
            </div>
          ) : (
            <ContainersTable
              rows={rows}
              everything={all ? rows : everything.data}
              timeoutSec={timeoutSec}
              onFailure={setFailure}
            />
          )}
        </>
      )}

      {creating && <CreateDialog onClose={() => setCreating(false)} onCreated={setNotice} />}
    </section>
  );
}

export function ContainersPage(): ReactNode {
  const hash = useHash();
  const loc = parseContainersHash(hash) ?? { view: 'list' };
  return loc.view === 'details' ? <DetailsView key={loc.id} id={loc.id} tab={loc.tab} /> : <ContainersList />;
}
