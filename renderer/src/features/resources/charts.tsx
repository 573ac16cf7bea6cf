/**
 * Chart building blocks (recharts). Every chart here is live at 1 Hz, so:
 * animations off, no dots, a fixed x domain [now − window, now] and a y
 * domain computed by the caller (recharts never scans the data for one), and
 * memo() so a chart re-renders only when its own rows changed.
 */
import { memo, useEffect, useMemo, useRef, useState, type ReactElement, type ReactNode, type RefObject } from 'react';
import { CartesianGrid, Line, LineChart, ReferenceLine, Tooltip, XAxis, YAxis } from 'recharts';
import { clockTick, SPARK_H, SPARK_W, sparkPath, timeTicks, valueTicks, type Row } from './chart-math';
import { chartText, seriesText, summarize } from './chart-text';
import { formatClock } from './format';

export interface SeriesDef {
  key: string;
  label: string;
  color: string;
}

export interface RefLineDef {
  /** Stable key and the `data-testid` of its label: `limit-line-<key>`. */
  key: string;
  y: number;
  label: string;
  color: string;
  dashed?: boolean;
}

export interface MarkerDef {
  key: string;
  x: number;
  label: string;
}

export type { Row } from './chart-math';

export const COLORS = {
  cpu: '#2f6fde',
  mem: '#7b3fc4',
  pids: '#0f8a83',
  read: '#2f6fde',
  write: '#e07b1f',
  rx: '#1d7a46',
  tx: '#b03a8c',
  throttled: '#c2410c',
  limit: '#d9442c',
  soft: '#c98a00',
  psiCpu: '#2f6fde',
  psiMem: '#7b3fc4',
  psiIo: '#e07b1f',
  oom: '#a8321f',
} as const;

/** Label renderers are cached by content so a chart's props keep their identity between ticks. */
const labelCache = new Map<string, (props: { viewBox?: { x?: number; y?: number; width?: number } }) => ReactElement>();

/** A reference line's label: SVG text with a test id, placed at the line's right end. */
function refLabel(def: RefLineDef) {
  const cacheKey = `ref|${def.key}|${def.label}|${def.color}`;
  let fn = labelCache.get(cacheKey);
  if (!fn) {
    fn = function RefLabel(props) {
      const vb = props.viewBox ?? {};
      const x = (vb.x ?? 0) + (vb.width ?? 0) - 4;
      const y = (vb.y ?? 0) - 4;
      return (
        <text
          x={x}
          y={y}
          textAnchor="end"
          fontSize={11}
          fill={def.color}
          className="limit-line-label"
          data-testid={`limit-line-${def.key}`}
        >
          {def.label}
        </text>
      );
    };
    if (labelCache.size > 500) labelCache.clear();
    labelCache.set(cacheKey, fn);
  }
  return fn;
}

function markerLabel(def: MarkerDef) {
  const cacheKey = `marker|${def.label}`;
  let fn = labelCache.get(cacheKey);
  if (!fn) {
    fn = function MarkerLabel(props) {
      const vb = props.viewBox ?? {};
      return (
        <text
          x={(vb.x ?? 0) - 3}
          y={(vb.y ?? 0) + 11}
          textAnchor="end"
          fontSize={10}
          fill={COLORS.oom}
          data-testid="oom-marker"
        >
          {def.label}
        </text>
      );
    };
    labelCache.set(cacheKey, fn);
  }
  return fn;
}

export interface TimeChartProps {
  title: string;
  /** Id prefix for aria-labelledby. */
  id: string;
  rows: readonly Row[];
  domain: readonly [number, number];
  yMax: number;
  series: readonly SeriesDef[];
  formatY: (v: number) => string;
  refLines?: readonly RefLineDef[];
  markers?: readonly MarkerDef[];
  /** Short live value(s) next to the title. */
  current?: ReactNode;
  height?: number;
  empty?: ReactNode;
}

/** The value while `visible`; the last visible one while hidden (so a hidden subtree is not re-rendered). */
function useHeldWhileHidden<T>(value: T, visible: boolean): T {
  const held = useRef(value);
  if (visible) held.current = value;
  return held.current;
}

type PlotProps = Pick<
  TimeChartProps,
  'rows' | 'domain' | 'yMax' | 'series' | 'formatY' | 'refLines' | 'markers' | 'height'
>;

const PLOT_MARGIN = { top: 14, right: 8, bottom: 0, left: 0 };
const AXIS_TICK = { fontSize: 10, fill: '#69717c' }; // resources.css recolours it per theme
const TIP_STYLE = { background: 'var(--panel)', borderColor: 'var(--border-strong)', color: 'var(--text)' };
const labelClock = (t: unknown) => formatClock(Number(t));

/**
 * The recharts plot. recharts 3 keeps each chart's settings in its own store
 * and re-runs its selectors whenever a child's props change identity, so
 * every prop here is a constant or memoised on primitives: per tick only the
 * data and the x domain/ticks change.
 */
function Plot({
  rows,
  domain,
  yMax,
  series,
  formatY,
  refLines = [],
  markers = [],
  height = 150,
}: PlotProps): ReactNode {
  const [d0, d1] = domain;
  const style = useMemo(() => ({ width: '100%', height }), [height]);
  const xDomain = useMemo(() => [d0, d1], [d0, d1]);
  const xTicks = useMemo(() => timeTicks([d0, d1]), [d0, d1]);
  const xFormat = useMemo(() => clockTick(d1 - d0), [d0, d1]);
  const yDomain = useMemo(() => [0, yMax], [yMax]);
  const yTicks = useMemo(() => valueTicks(yMax), [yMax]);
  const tipFormat = useMemo(() => (v: unknown) => (typeof v === 'number' ? formatY(v) : String(v)), [formatY]);
  return (
    <LineChart responsive style={style} data={rows as Row[]} margin={PLOT_MARGIN}>
      <CartesianGrid stroke="#eef0f2" vertical={false} />
      <XAxis
        dataKey="t"
        type="number"
        domain={xDomain}
        allowDataOverflow
        ticks={xTicks}
        tickFormatter={xFormat}
        tick={AXIS_TICK}
        minTickGap={16}
      />
      <YAxis
        type="number"
        domain={yDomain}
        allowDataOverflow
        ticks={yTicks}
        tickFormatter={formatY}
        tick={AXIS_TICK}
        width={64}
        interval={0}
      />
      <Tooltip isAnimationActive={false} labelFormatter={labelClock} formatter={tipFormat} contentStyle={TIP_STYLE} />
      {series.map((s) => (
        <Line
          key={s.key}
          dataKey={s.key}
          name={s.label}
          stroke={s.color}
          strokeWidth={1.5}
          dot={false}
          activeDot={false}
          isAnimationActive={false}
          connectNulls={false}
          type="linear"
        />
      ))}
      {refLines.map((r) => (
        <ReferenceLine
          key={r.key}
          y={r.y}
          stroke={r.color}
          strokeDasharray={r.dashed ? '5 4' : undefined}
          strokeWidth={1.5}
          ifOverflow="extendDomain"
          label={refLabel(r)}
        />
      ))}
      {markers.map((m) => (
        <ReferenceLine
          key={m.key}
          x={m.x}
          stroke={COLORS.oom}
          strokeDasharray="2 3"
          ifOverflow="hidden"
          label={markerLabel(m)}
        />
      ))}
    </LineChart>
  );
}

/**
 * One live chart: a header with the current value (cheap, always live) and
 * the recharts plot, which re-renders only while on screen: off screen its
 * props are held, so React skips the whole subtree at each tick.
 */
function TimeChartImpl(props: TimeChartProps): ReactNode {
  const { title, id, rows, series, refLines = [], current, height = 150, empty } = props;
  const titleId = `${id}-title`;
  const [ref, visible] = useInView<HTMLDivElement>();
  const held = useHeldWhileHidden(props, visible);
  // Callers rebuild series/limit arrays on every render: compare them by content.
  const seriesKey = held.series.map((x) => `${x.key}|${x.label}|${x.color}`).join(',');
  const refKey = (held.refLines ?? []).map((r) => `${r.key}|${r.y}|${r.label}|${r.color}|${r.dashed}`).join(',');
  const markerKey = (held.markers ?? []).map((m) => `${m.key}|${m.x}`).join(',');
  const plot = useMemo(
    () => (
      <Plot
        rows={held.rows}
        domain={held.domain}
        yMax={held.yMax}
        series={held.series}
        formatY={held.formatY}
        refLines={held.refLines}
        markers={held.markers}
        height={held.height}
      />
    ),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [held.rows, held.domain[0], held.domain[1], held.yMax, held.formatY, held.height, seriesKey, refKey, markerKey],
  );
  const descId = `${id}-desc`;
  const text = rows.length === 0 ? 'no samples yet' : chartText(rows, series, props.domain, props.formatY);
  return (
    <figure className="res-chart" aria-labelledby={titleId} aria-describedby={descId} data-testid={`chart-${id}`}>
      <p id={descId} className="sr-only" data-testid={`chart-text-${id}`}>
        {text}
      </p>
      <figcaption className="res-chart-head">
        <span id={titleId} className="res-chart-title">
          {title}
        </span>
        {current !== undefined && <span className="res-chart-current">{current}</span>}
      </figcaption>
      <div className="res-chart-legend" aria-hidden="true">
        {series.map((s) => (
          <span key={s.key}>
            <i style={{ background: s.color }} />
            {s.label}
          </span>
        ))}
        {refLines.map((r) => (
          <span key={r.key}>
            <i className="dash" style={{ borderColor: r.color }} />
            {r.label}
          </span>
        ))}
      </div>
      {refLines.length > 0 && (
        <ul className="sr-only" aria-label={`${title} limits`}>
          {refLines.map((r) => (
            <li key={r.key}>{r.label}</li>
          ))}
        </ul>
      )}
      {/* The plot is the picture of the text above: screen readers read the text. */}
      <div className="res-chart-body" ref={ref} style={{ minHeight: height }} aria-hidden="true">
        {rows.length === 0 && empty && <div className="res-chart-empty">{empty}</div>}
        {plot}
      </div>
    </figure>
  );
}

export const TimeChart = memo(TimeChartImpl);

export interface SparklineProps {
  rows: readonly Row[];
  dataKey: string;
  domain: readonly [number, number];
  yMax: number;
  color: string;
  limit?: number | null;
  height?: number;
  /** Accessible name, e.g. "CPU of web, last 5 min"; the current value and range are added to it. */
  label: string;
  /** How a value reads in that name (default: rounded). */
  format?: (v: number) => string;
}

/**
 * The overview's small charts: a plain SVG path, not a recharts chart. A
 * recharts chart costs milliseconds per render (its own store, axes, layout);
 * 100 of them at 1 Hz saturate the main thread (measured: 5–18 s per tick on
 * the reference host with 50 containers), while a path string of ≤ 120 points
 * costs microseconds. The viewBox scales to the card; strokes keep their width.
 */
function SparklineImpl({
  rows,
  dataKey,
  domain,
  yMax,
  color,
  limit,
  height = 44,
  label,
  format = (v) => String(Math.round(v)),
}: SparklineProps): ReactNode {
  const d = sparkPath(rows, dataKey, domain, yMax);
  const ly =
    limit !== undefined && limit !== null && yMax > 0 ? SPARK_H - Math.min(limit, yMax) * (SPARK_H / yMax) : null;
  return (
    <svg
      className="res-spark"
      viewBox={`0 0 ${SPARK_W} ${SPARK_H}`}
      preserveAspectRatio="none"
      style={{ height }}
      role="img"
      aria-label={`${label}: ${seriesText('', summarize(rows, dataKey, domain), format).replace(/^: /, '')}`}
    >
      <line x1={0} x2={SPARK_W} y1={SPARK_H - 0.5} y2={SPARK_H - 0.5} className="res-spark-base" />
      {ly !== null && <line x1={0} x2={SPARK_W} y1={ly} y2={ly} className="res-spark-limit" />}
      <path d={d} fill="none" stroke={color} strokeWidth={1.5} vectorEffect="non-scaling-stroke" />
    </svg>
  );
}

export const Sparkline = memo(SparklineImpl);

/** True once the element has been near the viewport (and while it stays there). */
export function useInView<T extends Element>(): [RefObject<T | null>, boolean] {
  const ref = useRef<T | null>(null);
  const [visible, setVisible] = useState(false);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    if (typeof IntersectionObserver === 'undefined') {
      setVisible(true);
      return;
    }
    const io = new IntersectionObserver((entries) => setVisible(entries.some((e) => e.isIntersecting)), {
      rootMargin: '200px 0px',
    });
    io.observe(el);
    return () => io.disconnect();
  }, []);
  return [ref, visible];
}

/** A segmented 1 / 5 / 15 min switch (radio semantics). */
export function WindowSwitch<K extends string>({
  value,
  options,
  onChange,
  label = 'Time window',
}: {
  value: K;
  options: readonly { key: K; label: string }[];
  onChange: (k: K) => void;
  label?: string;
}): ReactNode {
  return (
    <div className="res-segmented" role="radiogroup" aria-label={label}>
      {options.map((o) => (
        <button
          key={o.key}
          type="button"
          role="radio"
          aria-checked={o.key === value}
          className={o.key === value ? 'on' : undefined}
          onClick={() => onChange(o.key)}
        >
          {o.label}
        </button>
      ))}
    </div>
  );
}
