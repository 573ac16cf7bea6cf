/**
 * The Resources page. `#/resources`: every running container's latest sample
 * in a table and small CPU / memory charts over 1, 5 or 15 minutes.
 * `#/resources/<id>`: one container's charts and its limits editor (the same
 * components the Containers details view mounts as tabs).
 *
 * Rendering budget (50 containers at 1 Hz): one store notification per tick;
 * the table re-renders once per tick; each small chart re-renders only when
 * its own container's version changed and only while it is on screen; slices
 * are bucketed to ≤ 120 points on a fixed time grid; the small charts are SVG
 * paths (see Sparkline), recharts is kept for the one-container charts.
 */
import './resources.css';
import { useQuery } from '@tanstack/react-query';
import { memo, useMemo, useState, type ReactNode } from 'react';
import type { StatsRowT } from '../../../../preload/schemas/resources';
import { useBerth } from '../../app/client';
import { ErrorView } from '../../app/ErrorView';
import { ContainerLimitsTab } from '../limits/ContainerLimitsTab';
import { COLORS, Sparkline, useInView, WindowSwitch, type Row } from './charts';
import { ContainerResourcesTab } from './ContainerResourcesTab';
import { formatBytes, formatRate, MiB } from '../../ui/units';
import { formatPercent, niceBytesCeil, niceCeil } from './format';
import { useLatestRows, useLiveResources, useSeriesVersion, type LiveResources } from './live';
import { containersQueries } from '../containers/queries';
import { findContainer } from './queries';
import { useHash } from '../../app/hash';
import { containerResourcesHref, parseResourcesHash, resourcesHref } from './route';
import { bucketMs, heldWindowEnd, sliceWindow, WINDOWS, windowSpec, type WindowKey } from './series';

const OVERVIEW_MAX_POINTS = 120;

function MemoryCell({ used, limit }: { used: number; limit: number | null }): ReactNode {
  const frac = limit ? Math.min(1, used / limit) : null;
  return (
    <div className="res-memcell">
      <span className="mono">
        {formatBytes(used)} / {limit === null ? <span className="muted">unlimited</span> : formatBytes(limit)}
      </span>
      <span className="res-minibar" aria-hidden="true">
        {frac !== null && (
          <i
            style={{ width: `${(frac * 100).toFixed(1)}%` }}
            className={frac > 0.9 ? 'hot' : frac > 0.7 ? 'warm' : ''}
          />
        )}
      </span>
    </div>
  );
}

const StatsTableRow = memo(function StatsTableRow({ row }: { row: StatsRowT }): ReactNode {
  return (
    <tr data-testid={`res-row-${row.id.slice(0, 12)}`}>
      <th scope="row">
        <a href={containerResourcesHref(row.id)}>{row.name}</a>
        <div className="muted mono res-shortid">{row.id.slice(0, 12)}</div>
      </th>
      <td className="num mono">{formatPercent(row.cpuPercent)}</td>
      <td>
        <MemoryCell used={row.memoryBytes} limit={row.memoryLimit} />
      </td>
      <td className="num mono">{row.pids}</td>
      <td className="num mono">
        {formatRate(row.ioReadBps)}
        <br />
        {formatRate(row.ioWriteBps)}
      </td>
      <td className="num mono">
        {formatRate(row.netRxBps)}
        <br />
        {formatRate(row.netTxBps)}
      </td>
      <td className="num mono">{formatPercent(row.throttledPercent)}</td>
    </tr>
  );
});

function StatsTable({ rows }: { rows: readonly StatsRowT[] }): ReactNode {
  return (
    <table className="table res-table" aria-label="Live resource usage">
      <thead>
        <tr>
          <th scope="col">Container</th>
          <th scope="col" className="num">
            CPU %
          </th>
          <th scope="col">Memory used / limit</th>
          <th scope="col" className="num">
            PIDs
          </th>
          <th scope="col" className="num">
            IO read / write
          </th>
          <th scope="col" className="num">
            Net rx / tx
          </th>
          <th scope="col" className="num">
            Throttled
          </th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <StatsTableRow key={r.id} row={r} />
        ))}
      </tbody>
    </table>
  );
}

/** One container's small charts; subscribes to its own series only while on screen. */
const SmallMultiple = memo(function SmallMultiple({
  live,
  id,
  name,
  win,
}: {
  live: LiveResources;
  id: string;
  name: string;
  win: WindowKey;
}): ReactNode {
  const [ref, visible] = useInView<HTMLDivElement>();
  const version = useSeriesVersion(live, id, visible);
  const ms = windowSpec(win).ms;
  const ring = live.store.ring(id);
  const to = heldWindowEnd(live.store.now(), bucketMs(ms, OVERVIEW_MAX_POINTS));
  const fills = live.store.fillsOf(id);
  const data = useMemo(
    () => (visible ? sliceWindow(ring, ['cpu', 'mem'], { to, ms, maxPoints: OVERVIEW_MAX_POINTS }) : null),
    // `fills`: a history answer merged older points without moving `to`.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [ring, to, ms, visible, fills],
  );
  void version;
  const latest = live.store.latest(id);
  const limit = latest?.memoryLimit ?? null;
  const memMax = data?.max.mem ?? 0;
  const memYMax = niceBytesCeil(Math.max(memMax * 1.2, MiB));
  return (
    <div className="res-multiple" ref={ref} role="group" aria-label={`${name} charts`}>
      <div className="res-multiple-head">
        <a href={containerResourcesHref(id)} className="res-multiple-name">
          {name}
        </a>
      </div>
      {data ? (
        <>
          <div className="res-spark-label">
            <span>CPU</span>
            <span className="mono">{formatPercent(latest?.cpuPercent)}</span>
          </div>
          <Sparkline
            rows={data.rows as readonly Row[]}
            dataKey="cpu"
            domain={data.domain}
            yMax={niceCeil(Math.max(100, data.max.cpu ?? 0))}
            color={COLORS.cpu}
            label={`CPU of ${name}, last ${windowSpec(win).label}`}
            format={(v) => formatPercent(v)}
          />
          <div className="res-spark-label">
            <span>Memory</span>
            <span className="mono">{formatBytes(latest?.memoryBytes)}</span>
          </div>
          <Sparkline
            rows={data.rows as readonly Row[]}
            dataKey="mem"
            domain={data.domain}
            yMax={limit !== null && limit <= memYMax * 2 ? niceBytesCeil(Math.max(limit * 1.05, memYMax)) : memYMax}
            color={COLORS.mem}
            limit={limit !== null && limit <= memYMax * 2 ? limit : null}
            label={`Memory of ${name}, last ${windowSpec(win).label}`}
            format={formatBytes}
          />
        </>
      ) : (
        <div className="res-multiple-placeholder" />
      )}
    </div>
  );
});

function Overview(): ReactNode {
  const live = useLiveResources();
  const rows = useLatestRows(live);
  const [win, setWin] = useState<WindowKey>('5m');
  const sorted = useMemo(() => [...rows].sort((a, b) => a.name.localeCompare(b.name)), [rows]);
  const client = useBerth();
  const containers = useQuery(containersQueries.list(client, { all: true }));
  const stopped = (containers.data ?? []).filter((c) => c.state !== 'running' && c.state !== 'paused').length;
  const waiting = live.store.globalVersion() === 0;

  return (
    <section className="page res-page" aria-labelledby="resources-title">
      <header className="page-header">
        <div>
          <h1 id="resources-title">Resources</h1>
          <p className="subtitle">Live cgroup usage of every running container, sampled by the helper every second</p>
        </div>
        <div className="page-actions">
          <span className="muted">
            {rows.length} running{stopped > 0 ? ` · ${stopped} stopped` : ''}
          </span>
          <WindowSwitch value={win} options={WINDOWS} onChange={setWin} />
        </div>
      </header>
      <section className="card card-full res-card" aria-labelledby="res-table-title">
        <h2 id="res-table-title">Now</h2>
        {sorted.length > 0 ? (
          <StatsTable rows={sorted} />
        ) : waiting ? (
          <p className="loading">Waiting for the first sample…</p>
        ) : (
          <p className="muted">No running containers. Start one and it shows up here within a second.</p>
        )}
      </section>
      {sorted.length > 0 && (
        <section className="card card-full res-card" aria-labelledby="res-charts-title">
          <h2 id="res-charts-title">CPU and memory, last {windowSpec(win).label}</h2>
          <div className="res-multiples">
            {sorted.map((r) => (
              <SmallMultiple key={r.id} live={live} id={r.id} name={r.name} win={win} />
            ))}
          </div>
        </section>
      )}
    </section>
  );
}

function ContainerPage({ id }: { id: string }): ReactNode {
  const client = useBerth();
  const containers = useQuery(containersQueries.list(client, { all: true }));
  const c = findContainer(containers.data, id);
  const title = c?.name ?? id;
  return (
    <section className="page res-page" aria-labelledby="resources-title">
      <header className="page-header">
        <div>
          <p className="res-crumb">
            <a href={resourcesHref()}>Resources</a> /
          </p>
          <h1 id="resources-title">{title}</h1>
          <p className="subtitle">
            {c ? (
              <>
                <span className={`pill ${c.state === 'running' ? 'pill-ok' : 'pill-no'}`}>{c.state}</span>{' '}
                <code className="mono">{c.id.slice(0, 12)}</code> · {c.image}
              </>
            ) : containers.isError ? (
              <ErrorView error={containers.error} compact />
            ) : (
              'Live charts and cgroup limits'
            )}
          </p>
        </div>
      </header>
      {containers.data && !c ? (
        <ErrorView
          error={{ code: 'CONTAINER_NOT_FOUND', message: `no container named or with id "${id}"` }}
          title="Nothing to show"
        />
      ) : (
        <>
          <section className="card card-full res-card" aria-labelledby="res-usage-title">
            <h2 id="res-usage-title">Usage</h2>
            <ContainerResourcesTab id={c?.id ?? id} />
          </section>
          <section className="card card-full res-card" aria-labelledby="res-limits-title">
            <h2 id="res-limits-title">Limits</h2>
            <ContainerLimitsTab id={c?.id ?? id} />
          </section>
        </>
      )}
    </section>
  );
}

export function ResourcesPage(): ReactNode {
  const hash = useHash();
  const loc = parseResourcesHash(hash) ?? { view: 'overview' };
  return loc.view === 'container' ? <ContainerPage key={loc.id} id={loc.id} /> : <Overview />;
}
