/**
 * The memory bar: live usage with two draggable handles, the hard limit
 * (memory.max → memory.limit_in_bytes on v1) and the soft limit (memory.high
 * → memory.soft_limit_in_bytes). Pointer drags snap to MiB; each handle is a
 * focusable ARIA slider (arrows ±1 MiB, Shift+arrows ±16 MiB, Page Up/Down
 * ±10 % of the bar, Home = 1 MiB, End = unlimited). The far right of the bar
 * is the "max" zone: drop a handle there for no limit.
 *
 * Only this component re-renders on every sample (it reads the latest usage
 * from the store); the rest of the editor does not.
 */
import { useRef, useState, type KeyboardEvent, type PointerEvent, type ReactNode } from 'react';
import { formatBytes, MiB } from '../../ui/units';
import { niceBytesCeil } from '../resources/format';
import { useSeriesVersion, type LiveResources } from '../resources/live';

/** Share of the track for 0..scale bytes; the rest is the "max" zone. */
const VALUE_ZONE = 0.88;
/** Beyond this fraction a drag means "unlimited". */
const MAX_THRESHOLD = 0.93;
const MAX_POS = 0.96;

export type Handle = 'hard' | 'soft';

export interface MemoryBarProps {
  live: LiveResources;
  id: string;
  hard: number | null;
  soft: number | null;
  appliedHard: number | null;
  appliedSoft: number | null;
  softSupported: boolean;
  hardPending: boolean;
  softPending: boolean;
  onChange: (handle: Handle, bytes: number | null) => void;
}

const snap = (v: number) => Math.max(MiB, Math.round(v / MiB) * MiB);
const finite = (v: number | null | undefined): number => (v !== null && v !== undefined && Number.isFinite(v) ? v : 0);

export function barScale(values: readonly (number | null | undefined)[], usage: number): number {
  const base = Math.max(...values.map(finite), usage * 2, 64 * MiB);
  return niceBytesCeil(base * 1.25);
}

function position(bytes: number | null, scale: number): number {
  if (bytes === null) return MAX_POS;
  return Math.min(1, Math.max(0, bytes / scale)) * VALUE_ZONE;
}

export function MemoryBar(props: MemoryBarProps): ReactNode {
  const { live, id, hard, soft, appliedHard, appliedSoft, softSupported, onChange } = props;
  useSeriesVersion(live, id);
  const usage = live.store.latest(id)?.memoryBytes ?? null;
  const trackRef = useRef<HTMLDivElement | null>(null);
  const [dragging, setDragging] = useState<{ handle: Handle; scale: number } | null>(null);
  const liveScale = barScale([hard, soft, appliedHard, appliedSoft], finite(usage));
  // The scale holds still during a drag, or the handle would run away from the pointer.
  const scale = dragging?.scale ?? liveScale;

  const fromPointer = (clientX: number): number | null => {
    const el = trackRef.current;
    if (!el) return null;
    const r = el.getBoundingClientRect();
    const f = (clientX - r.left) / Math.max(1, r.width);
    if (f >= MAX_THRESHOLD) return null;
    return snap((Math.max(0, f) / VALUE_ZONE) * scale);
  };

  const down = (handle: Handle) => (e: PointerEvent<HTMLDivElement>) => {
    e.preventDefault();
    e.currentTarget.setPointerCapture(e.pointerId);
    e.currentTarget.focus();
    setDragging({ handle, scale });
  };
  const move = (handle: Handle) => (e: PointerEvent<HTMLDivElement>) => {
    if (dragging?.handle !== handle) return;
    onChange(handle, fromPointer(e.clientX));
  };
  const up = (e: PointerEvent<HTMLDivElement>) => {
    if (e.currentTarget.hasPointerCapture(e.pointerId)) e.currentTarget.releasePointerCapture(e.pointerId);
    setDragging(null);
  };

  const key = (handle: Handle, value: number | null) => (e: KeyboardEvent<HTMLDivElement>) => {
    const step = e.shiftKey ? 16 * MiB : MiB;
    const page = snap(scale / 10);
    let next: number | null | undefined;
    switch (e.key) {
      case 'ArrowRight':
      case 'ArrowUp':
        next = value === null ? null : snap(value + step);
        break;
      case 'ArrowLeft':
      case 'ArrowDown':
        next = value === null ? snap(scale) : snap(value - step);
        break;
      case 'PageUp':
        next = value === null ? null : snap(value + page);
        break;
      case 'PageDown':
        next = value === null ? snap(scale) : snap(value - page);
        break;
      case 'Home':
        next = MiB;
        break;
      case 'End':
        next = null;
        break;
      default:
        return;
    }
    e.preventDefault();
    onChange(handle, next);
  };

  const handle = (which: Handle, value: number | null, pending: boolean, label: string): ReactNode => {
    const v = value !== null && Number.isFinite(value) ? value : null;
    const pos = position(v, scale);
    const text = v === null ? 'unlimited (max)' : formatBytes(v);
    return (
      <div
        className={`lim-handle lim-handle-${which}${pending ? ' is-pending' : ''}${dragging?.handle === which ? ' is-dragging' : ''}`}
        style={{ left: `${(pos * 100).toFixed(2)}%` }}
        role="slider"
        tabIndex={0}
        aria-label={label}
        aria-orientation="horizontal"
        aria-valuemin={1}
        aria-valuemax={Math.round(scale / MiB)}
        aria-valuenow={v === null ? Math.round(scale / MiB) : Math.round(v / MiB)}
        aria-valuetext={text}
        data-testid={`handle-${which}`}
        onPointerDown={down(which)}
        onPointerMove={move(which)}
        onPointerUp={up}
        onPointerCancel={up}
        onKeyDown={key(which, v)}
      >
        <span className={`lim-handle-label${pos > 0.8 ? ' at-end' : pos < 0.1 ? ' at-start' : ''}`}>
          {which === 'hard' ? 'hard' : 'soft'} {text}
        </span>
      </div>
    );
  };

  const usagePos = usage === null ? 0 : position(usage, scale);
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => ({ f, label: formatBytes(f * scale, 0) }));
  return (
    <div className="lim-membar">
      <div className="lim-membar-track" ref={trackRef}>
        <div
          className="lim-membar-usage"
          style={{ width: `${(usagePos * 100).toFixed(2)}%` }}
          role="meter"
          aria-label="memory usage"
          aria-valuemin={0}
          aria-valuemax={scale}
          aria-valuenow={usage ?? 0}
          aria-valuetext={usage === null ? 'no sample' : formatBytes(usage)}
        />
        <div className="lim-membar-maxzone" style={{ left: `${VALUE_ZONE * 100}%` }} aria-hidden="true">
          max
        </div>
        {softSupported && handle('soft', soft, props.softPending, 'memory.high soft limit')}
        {handle('hard', hard, props.hardPending, 'memory.max hard limit')}
      </div>
      <div className="lim-membar-scale" aria-hidden="true">
        {ticks.map((t) => (
          <span key={t.f} style={{ left: `${t.f * VALUE_ZONE * 100}%` }}>
            {t.label}
          </span>
        ))}
      </div>
      <p className="lim-membar-legend muted">
        usage <b className="mono">{usage === null ? '—' : formatBytes(usage)}</b> · drag a handle (snaps to MiB) or
        focus it and use the arrow keys; the right end means no limit
      </p>
    </div>
  );
}
