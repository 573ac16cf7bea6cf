/**
 * One container's live charts: CPU % (with the CFS quota as a line), memory
 * (with the hard and soft limits the kernel holds), pids (with pids.max), IO,
 * network, throttling and PSI, over 1, 5 or 15 minutes. Series come from the
 * shared SeriesStore (history once, then events); limit lines come from
 * `resources.limits`' read-back (the value in force, not the request); PSI
 * avg10 comes with the samples; the PSI table (avg60/300, totals) and the
 * OOM counters come from `resources.stats {id}`, polled every 2 s.
 */
import './resources.css';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useMemo, useState, type ReactNode } from 'react';
import type { HistoryPointT, ResourceStats } from '../../../../preload/schemas/resources';
import { limitLines } from './chart-math';
import { useBerth } from '../../app/client';
import { ErrorView } from '../../app/ErrorView';
import { COLORS, TimeChart, WindowSwitch, type MarkerDef, type RefLineDef, type Row } from './charts';
import { formatBytes, formatRate, KiB } from '../../ui/units';
import { formatClock, formatPercent, niceBytesCeil, niceCeil } from './format';
import { useLiveResources, useSeriesVersion } from './live';
import { resourcesQueries } from './queries';
import { bucketMs, heldWindowEnd, sliceWindow, WINDOWS, windowSpec, type Field, type WindowKey } from './series';

const ALL_FIELDS: readonly Field[] = [
  'cpu',
  'throttled',
  'mem',
  'pids',
  'ioR',
  'ioW',
  'netRx',
  'netTx',
  'psiCpu',
  'psiMem',
  'psiIo',
];

/**
 * Points per line: every sample for 1 min; 2 s and 5 s buckets for 5 and 15 min
 * (a recharts line costs per point on every tick, and a chart is ~450 px wide).
 */
const DETAIL_MAX_POINTS: Record<WindowKey, number> = { '1m': 0, '5m': 150, '15m': 180 };

const fmtPct = (v: number) => `${Number(v.toFixed(1))} %`;
const fmtBytesAxis = (v: number) => formatBytes(v, 0);
const fmtRateAxis = (v: number) => `${formatBytes(v, 0)}/s`;
const fmtCount = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(1));

function OomBadge({ events, stats }: { events: readonly number[]; stats: ResourceStats | null }): ReactNode {
  const kills = stats?.memory.oomKillEvents;
  const title = [
    events.length > 0
      ? `OOM events seen here: ${events.map(formatClock).join(', ')}`
      : 'No OOM event seen since this view opened',
    stats ? `kernel counters: oom ${stats.memory.oomEvents}, oom_kill ${stats.memory.oomKillEvents}` : null,
  ]
    .filter(Boolean)
    .join(' · ');
  return (
    <span
      className={`res-oom-badge${events.length > 0 ? ' hot' : ''}`}
      role="status"
      aria-label={`OOM events: ${events.length}`}
      data-testid="oom-badge"
      title={title}
    >
      OOM <b>{events.length}</b>
      {kills !== undefined && <span className="muted"> · oom_kill {kills}</span>}
    </span>
  );
}

/**
 * PSI: the avg10 lines come with every sample (HistoryPoint), so the chart has
 * the same 15 min history as the others; the table's avg60/avg300/totals come
 * from the `resources.stats {id}` poll.
 */
function PressureSection({
  rows,
  max,
  latest,
  stats,
  statsError,
  domain,
  id,
}: {
  rows: readonly Row[];
  max: number;
  latest: HistoryPointT | null;
  stats: ResourceStats | null | undefined;
  statsError: unknown;
  domain: readonly [number, number];
  id: string;
}): ReactNode {
  if (!latest && stats === undefined && !statsError) return <p className="loading">Reading pressure…</p>;
  if (!latest && statsError)
    return <ErrorView error={statsError} title="Could not read the container's stats" compact />;
  if (!latest) return <p className="muted">No sample: the container is not running.</p>;
  const hasPsi =
    latest.psiCpuSomeAvg10 !== null || latest.psiMemorySomeAvg10 !== null || latest.psiIoSomeAvg10 !== null;
  if (!hasPsi) {
    return (
      <p className="res-note" data-testid="psi-unavailable">
        PSI not available on this host&apos;s cgroup hierarchy
      </p>
    );
  }
  const pct = (v: number | null) => (v === null ? '—' : String(v));
  const p = stats?.pressure;
  return (
    <>
      <TimeChart
        id={`psi-${id.slice(0, 12)}`}
        title="Pressure (PSI some avg10)"
        rows={rows}
        domain={domain}
        yMax={Math.max(10, niceCeil(max))}
        formatY={fmtPct}
        series={[
          { key: 'psiCpu', label: 'cpu', color: COLORS.psiCpu },
          { key: 'psiMem', label: 'memory', color: COLORS.psiMem },
          { key: 'psiIo', label: 'io', color: COLORS.psiIo },
        ]}
        current={`cpu ${pct(latest.psiCpuSomeAvg10)} % · mem ${pct(latest.psiMemorySomeAvg10)} % · io ${pct(latest.psiIoSomeAvg10)} %`}
        empty="Waiting for samples…"
      />
      {p && (
        <table className="table res-psi-table" aria-label="Pressure stall information">
          <thead>
            <tr>
              <th scope="col">Resource</th>
              <th scope="col">some avg10 / 60 / 300</th>
              <th scope="col">full avg10 / 60 / 300</th>
              <th scope="col">stalled total</th>
            </tr>
          </thead>
          <tbody>
            {(['cpu', 'memory', 'io'] as const).map((k) => {
              const s = p[k];
              if (!s) return null;
              return (
                <tr key={k}>
                  <th scope="row">{k}.pressure</th>
                  <td className="mono">
                    {s.someAvg10} / {s.someAvg60} / {s.someAvg300} %
                  </td>
                  <td className="mono">
                    {s.fullAvg10 === undefined ? '—' : `${s.fullAvg10} / ${s.fullAvg60} / ${s.fullAvg300} %`}
                  </td>
                  <td className="mono">{(s.someTotal / 1e6).toFixed(2)} s</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </>
  );
}

export function ContainerResourcesTab({ id }: { id: string }): ReactNode {
  const client = useBerth();
  const live = useLiveResources();
  const [win, setWin] = useState<WindowKey>('5m');
  const limitsQ = useQuery(resourcesQueries.limits(client, id));
  // The samples carry full ids; `id` may be a name or a short id.
  const fullId = limitsQ.data?.id ?? id;
  const statsQ = useQuery(resourcesQueries.stats(client, fullId));
  const version = useSeriesVersion(live, fullId);

  useEffect(() => live.ensureHistory(fullId), [live, fullId]);

  const spec = windowSpec(win);
  const ring = live.store.ring(fullId);
  const fills = live.store.fillsOf(fullId);
  // Charts redraw when their last bucket closes (every 1 s, 2 s or 5 s), not on every event.
  const to = heldWindowEnd(Math.max(live.store.now(), ring?.lastT() ?? 0), bucketMs(spec.ms, DETAIL_MAX_POINTS[win]));
  const slice = useMemo(
    () => sliceWindow(ring, ALL_FIELDS, { to, ms: spec.ms, maxPoints: DETAIL_MAX_POINTS[win] }),
    // `fills`: a history answer merged older points without moving `to`.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [ring, to, spec.ms, win, fills],
  );
  void version;

  const lines = limitLines(limitsQ.data?.effective, limitsQ.data?.requested);
  const asked = lines.source === 'requested' ? ' (asked for)' : '';
  const eff = limitsQ.data?.effective;
  const oom = live.oomEvents(fullId);
  const latest = live.store.latest(fullId);
  const rows = slice.rows as readonly Row[];
  const m = slice.max;
  const shortId = fullId.slice(0, 12);
  const historyError = live.historyErrors.get(fullId);

  const cpuRef: RefLineDef[] = [];
  if (lines.cpuQuotaPercent !== null) {
    cpuRef.push({
      key: 'cpu-quota',
      y: lines.cpuQuotaPercent,
      label: `quota ${Number((lines.cpuQuotaPercent / 100).toFixed(2))} CPUs${asked}`,
      color: COLORS.limit,
    });
  }
  const memRef: RefLineDef[] = [];
  if (lines.memoryMax !== null) {
    memRef.push({
      key: 'memory-max',
      y: lines.memoryMax,
      label: `hard limit ${formatBytes(lines.memoryMax)}${asked}`,
      color: COLORS.limit,
    });
  }
  if (lines.memoryHigh !== null) {
    memRef.push({
      key: 'memory-high',
      y: lines.memoryHigh,
      label: `soft limit ${formatBytes(lines.memoryHigh)}${asked}`,
      color: COLORS.soft,
      dashed: true,
    });
  }
  const pidsRef: RefLineDef[] =
    lines.pidsMax !== null
      ? [{ key: 'pids-max', y: lines.pidsMax, label: `pids.max ${lines.pidsMax}${asked}`, color: COLORS.limit }]
      : [];
  const markers: MarkerDef[] = oom
    .filter((t) => t >= slice.domain[0])
    .map((t, i) => ({ key: `oom-${i}-${t}`, x: t, label: 'OOM' }));

  const memFile = eff?.memory?.max?.file;
  const noData = historyError ? (
    <span className="error-inline">{historyError}</span>
  ) : latest ? (
    'Waiting for samples…'
  ) : (
    'No samples in this window (is the container running?)'
  );

  return (
    <div className="res-tab" data-testid="container-resources">
      <div className="res-toolbar">
        <WindowSwitch value={win} options={WINDOWS} onChange={setWin} />
        <OomBadge events={oom} stats={statsQ.data?.stats ?? null} />
        <span className="muted res-toolbar-note">
          {latest ? `sampled ${formatClock(latest.t)} · every 1 s` : 'not running: showing what the helper kept'}
        </span>
      </div>
      {limitsQ.isError && <ErrorView error={limitsQ.error} title="Could not read the limits (no limit lines)" />}
      <div className="res-charts">
        <TimeChart
          id={`cpu-${shortId}`}
          title="CPU % (100 = one CPU)"
          rows={rows}
          domain={slice.domain}
          yMax={niceCeil(Math.max(100, m.cpu ?? 0, (lines.cpuQuotaPercent ?? 0) * 1.1))}
          formatY={fmtPct}
          series={[{ key: 'cpu', label: 'cpu', color: COLORS.cpu }]}
          refLines={cpuRef}
          current={formatPercent(latest?.cpuPercent)}
          empty={noData}
        />
        <TimeChart
          id={`mem-${shortId}`}
          title="Memory"
          rows={rows}
          domain={slice.domain}
          yMax={niceBytesCeil(Math.max(m.mem ?? 0, lines.memoryMax ?? 0, lines.memoryHigh ?? 0) * 1.1)}
          formatY={fmtBytesAxis}
          series={[{ key: 'mem', label: 'usage', color: COLORS.mem }]}
          refLines={memRef}
          markers={markers}
          current={
            <>
              {formatBytes(latest?.memoryBytes)}
              {lines.memoryMax !== null && <> / {formatBytes(lines.memoryMax)}</>}
              {memFile && (
                <span className="muted" title={memFile}>
                  {' '}
                  ({memFile.split('/').pop()})
                </span>
              )}
            </>
          }
          empty={noData}
        />
        <TimeChart
          id={`pids-${shortId}`}
          title="PIDs"
          rows={rows}
          domain={slice.domain}
          yMax={niceCeil(Math.max(m.pids ?? 0, 4, (lines.pidsMax ?? 0) * 1.1))}
          formatY={fmtCount}
          series={[{ key: 'pids', label: 'pids.current', color: COLORS.pids }]}
          refLines={pidsRef}
          current={latest ? String(latest.pids) : undefined}
          empty={noData}
        />
        <TimeChart
          id={`io-${shortId}`}
          title="Block IO"
          rows={rows}
          domain={slice.domain}
          yMax={niceBytesCeil(Math.max(m.ioR ?? 0, m.ioW ?? 0, KiB))}
          formatY={fmtRateAxis}
          series={[
            { key: 'ioR', label: 'read', color: COLORS.read },
            { key: 'ioW', label: 'write', color: COLORS.write },
          ]}
          current={`r ${formatRate(latest?.ioReadBps)} · w ${formatRate(latest?.ioWriteBps)}`}
          empty={noData}
        />
        <TimeChart
          id={`net-${shortId}`}
          title="Network"
          rows={rows}
          domain={slice.domain}
          yMax={niceBytesCeil(Math.max(m.netRx ?? 0, m.netTx ?? 0, KiB))}
          formatY={fmtRateAxis}
          series={[
            { key: 'netRx', label: 'rx', color: COLORS.rx },
            { key: 'netTx', label: 'tx', color: COLORS.tx },
          ]}
          current={`rx ${formatRate(latest?.netRxBps)} · tx ${formatRate(latest?.netTxBps)}`}
          empty={noData}
        />
        <TimeChart
          id={`thr-${shortId}`}
          title="CPU throttling (% of CFS periods)"
          rows={rows}
          domain={slice.domain}
          yMax={100}
          formatY={fmtPct}
          series={[{ key: 'throttled', label: 'throttled', color: COLORS.throttled }]}
          current={formatPercent(latest?.throttledPercent)}
          empty={noData}
        />
      </div>
      <section className="res-psi" aria-labelledby={`psi-h-${shortId}`}>
        <h3 id={`psi-h-${shortId}`}>Pressure (PSI)</h3>
        <PressureSection
          id={fullId}
          rows={rows}
          max={Math.max(m.psiCpu ?? 0, m.psiMem ?? 0, m.psiIo ?? 0)}
          latest={latest ?? null}
          stats={statsQ.data === undefined ? undefined : (statsQ.data?.stats ?? null)}
          statsError={statsQ.isError && !statsQ.data ? statsQ.error : null}
          domain={slice.domain}
        />
      </section>
    </div>
  );
}
