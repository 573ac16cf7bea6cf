/**
 * A container's lifecycle controls, shared by the table rows and the details
 * header: start, stop (with the page's timeout), restart, pause/unpause, kill
 * with a signal menu, remove (RemoveDialog.tsx: "force" and "-v", listing the
 * anonymous volumes that would go). Each button calls one
 * `containers.*` method (hooks.ts); the table updates from the
 * `containers.changed` events those calls cause (see sync.ts), not from the
 * replies.
 */
import { useEffect, useId, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import { ErrorView } from '../../app/ErrorView';
import { SIGNALS, useContainerAction, type Action, type Signal } from './hooks';
import { RemoveDialog } from './RemoveDialog';
import type { ContainerSummary } from './queries';

const VERB: Record<Action['kind'], [string, string]> = {
  start: ['start', 'Starting…'],
  stop: ['stop', 'Stopping…'],
  restart: ['restart', 'Restarting…'],
  pause: ['pause', 'Pausing…'],
  unpause: ['unpause', 'Unpausing…'],
  kill: ['kill', 'Killing…'],
};

export interface ActionFailure {
  title: string;
  error: unknown;
}

/** The last failed action, above the table or the details, until dismissed. */
export function ActionFailureBanner({
  failure,
  onDismiss,
}: {
  failure: ActionFailure | null;
  onDismiss: () => void;
}): ReactNode {
  if (!failure) return null;
  return (
    <div className="ctr-failure">
      <ErrorView error={failure.error} title={failure.title} />
      <button type="button" className="ctr-icon-button" aria-label="Dismiss error" onClick={onDismiss}>
        ×
      </button>
    </div>
  );
}

function KillMenu({ name, disabled, onKill }: { name: string; disabled: boolean; onKill: (s: Signal) => void }) {
  const [open, setOpen] = useState(false);
  const wrap = useRef<HTMLDivElement>(null);
  const menuId = useId();
  useEffect(() => {
    if (!open) return;
    const onDown = (e: MouseEvent) => {
      if (!wrap.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('mousedown', onDown);
    wrap.current?.querySelector<HTMLButtonElement>('[role="menuitem"]')?.focus();
    return () => document.removeEventListener('mousedown', onDown);
  }, [open]);
  const onKeyDown = (e: KeyboardEvent) => {
    const items = [...(wrap.current?.querySelectorAll<HTMLButtonElement>('[role="menuitem"]') ?? [])];
    const i = items.indexOf(document.activeElement as HTMLButtonElement);
    if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      setOpen(false);
      wrap.current?.querySelector<HTMLButtonElement>('[aria-haspopup]')?.focus();
    } else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      const next = items[(i + (e.key === 'ArrowDown' ? 1 : items.length - 1)) % items.length];
      next?.focus();
    }
  };
  return (
    <div className="ctr-menu-wrap" ref={wrap} onKeyDown={open ? onKeyDown : undefined}>
      <button
        type="button"
        className="ctr-btn"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? menuId : undefined}
        disabled={disabled}
        onClick={() => setOpen((o) => !o)}
      >
        Kill ▾
      </button>
      {open && (
        <ul className="ctr-menu" role="menu" id={menuId} aria-label={`Signal to send to ${name}`}>
          {SIGNALS.map((s) => (
            <li key={s} role="none">
              <button
                type="button"
                role="menuitem"
                onClick={() => {
                  setOpen(false);
                  onKill(s);
                }}
              >
                {s}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function ContainerActions({
  c,
  timeoutSec,
  onFailure,
  onRemoved,
}: {
  c: ContainerSummary;
  timeoutSec: number;
  onFailure: (f: ActionFailure | null) => void;
  /** After a successful remove (the details view goes back to the table). */
  onRemoved?: () => void;
}): ReactNode {
  const [removing, setRemoving] = useState(false);
  // A signal the process ignores (init without a handler ignores SIGTERM,
  // SIGHUP, …) changes nothing and causes no event: say it was sent.
  const [sent, setSent] = useState<Signal | null>(null);
  useEffect(() => {
    if (!sent) return;
    const t = setTimeout(() => setSent(null), 4000);
    return () => clearTimeout(t);
  }, [sent]);
  const m = useContainerAction(c.id, {
    onMutate: () => {
      onFailure(null);
      setSent(null);
    },
    onSuccess: (_r, a) => {
      if (a.kind === 'kill') setSent(a.signal);
    },
    onError: (error, a) =>
      onFailure({
        title: `Could not ${VERB[a.kind][0]} ${c.name}${a.kind === 'kill' ? ` with ${a.signal}` : ''}`,
        error,
      }),
  });
  const busy = m.isPending;
  const pendingLabel = busy && m.variables ? VERB[m.variables.kind][1] : null;
  const live = c.state === 'running' || c.state === 'paused';
  const usable = c.state !== 'unreadable';
  const btn = (label: string, a: Action, show: boolean, title?: string) =>
    show && (
      <button type="button" className="ctr-btn" disabled={busy} title={title} onClick={() => m.mutate(a)}>
        {label}
      </button>
    );
  return (
    <div className="ctr-actions" role="group" aria-label={`Actions for ${c.name}`}>
      {(pendingLabel || sent) && (
        <span className="ctr-pending" role="status">
          {pendingLabel ?? `sent ${sent}`}
        </span>
      )}
      {/* An unreadable record offers Remove only: the engine refuses the rest (CONTAINER_UNREADABLE). */}
      {btn('Start', { kind: 'start' }, !live && c.state !== 'restarting' && usable)}
      {btn(
        'Stop',
        { kind: 'stop', timeoutSec },
        live || c.state === 'restarting',
        `SIGTERM, then SIGKILL after ${timeoutSec} s`,
      )}
      {btn('Restart', { kind: 'restart', timeoutSec }, usable, `stop (timeout ${timeoutSec} s), then start`)}
      {btn('Pause', { kind: 'pause' }, c.state === 'running', 'freeze every process (freezer cgroup)')}
      {btn('Unpause', { kind: 'unpause' }, c.state === 'paused', 'thaw the freezer cgroup')}
      {usable && (
        <KillMenu name={c.name} disabled={busy || !live} onKill={(signal) => m.mutate({ kind: 'kill', signal })} />
      )}
      <button type="button" className="ctr-btn ctr-danger" disabled={busy} onClick={() => setRemoving(true)}>
        Remove
      </button>
      {removing && <RemoveDialog c={c} onClose={() => setRemoving(false)} onRemoved={onRemoved} />}
    </div>
  );
}
