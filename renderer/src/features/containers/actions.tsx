/**
 * A container's lifecycle controls, shared by the table rows and the details
 * header: start, stop (with the page's timeout), restart, pause/unpause, kill
 * with a signal menu, remove (a dialog with "force" and "-v", listing the
 * anonymous volumes that would go). Each button calls one
 * `containers.*` method (hooks.ts); the table updates from the
 * `containers.changed` events those calls cause (see sync.ts), not from the
 * replies.
 */
import { useEffect, useId, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import { useQuery } from '@tanstack/react-query';
import { useBerth } from '../../app/client';
import { ErrorView } from '../../app/ErrorView';
import { Dialog } from '../../app/Dialog';
import { isLive } from './format';
import { SIGNALS, useContainerAction, useRemoveContainer, type Action, type Signal } from './hooks';
import type { ContainerSummary } from './queries';
import { volumesQueries } from '../volumes/queries';

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

/**
 * The container's anonymous volumes (made by `-v /path` or a sourceless
 * `--mount type=volume`), from `volumes.list`'s users: what `rm -v` would
 * take. One another container also mounts is kept by the engine; it is
 * listed with the users that keep it.
 */
function useAnonymousVolumes(id: string) {
  const client = useBerth();
  const q = useQuery(volumesQueries.users(client));
  const mine = (q.data ?? []).filter((v) => v.anonymous && v.users.some((u) => u.id === id));
  return {
    isPending: q.isPending,
    error: q.error,
    volumes: mine.map((v) => ({ name: v.name, keptBy: v.users.filter((u) => u.id !== id).map((u) => u.name) })),
  };
}

export function RemoveDialog({
  c,
  onClose,
  onRemoved,
}: {
  c: Pick<ContainerSummary, 'id' | 'name' | 'state'>;
  onClose: () => void;
  onRemoved?: () => void;
}) {
  const [force, setForce] = useState(false);
  const [volumes, setVolumes] = useState(false);
  const anon = useAnonymousVolumes(c.id);
  const remove = useRemoveContainer(c.id, {
    onSuccess: () => {
      onClose();
      onRemoved?.();
    },
  });
  const running = isLive(c.state);
  const going = anon.volumes.filter((v) => v.keptBy.length === 0);
  return (
    <Dialog title={`Remove ${c.name}`} onClose={onClose} look="ctr" className="ctr-dialog-narrow">
      <form
        className="ctr-dialog-body"
        onSubmit={(e) => {
          e.preventDefault();
          remove.mutate({ force, volumes });
        }}
      >
        <p>
          Removes the container, its writable layer (overlay upper dir) and its logs.
          {running && ' It is running: the engine refuses unless "force" is ticked, which kills it first.'}
        </p>
        <label className="ctr-check">
          <input type="checkbox" checked={force} onChange={(e) => setForce(e.target.checked)} />
          Force (SIGKILL it first if it is running)
        </label>
        <label className="ctr-check">
          <input type="checkbox" checked={volumes} onChange={(e) => setVolumes(e.target.checked)} />
          Remove its anonymous volumes too (rm -v; named volumes are kept)
        </label>
        <div className="ctr-remove-volumes" data-testid="remove-volumes" aria-live="polite">
          {anon.isPending ? (
            <p>Looking up its volumes…</p>
          ) : anon.error ? (
            <ErrorView error={anon.error} title="Could not list its volumes" />
          ) : anon.volumes.length === 0 ? (
            <p>It has no anonymous volumes.</p>
          ) : (
            <>
              <p>
                {volumes
                  ? `These anonymous volumes go with it (${going.length} of ${anon.volumes.length}):`
                  : 'Its anonymous volumes, kept unless the box above is ticked:'}
              </p>
              <ul aria-label="Anonymous volumes">
                {anon.volumes.map((v) => (
                  <li key={v.name} data-volume={v.name} data-goes={volumes && v.keptBy.length === 0 ? 'yes' : 'no'}>
                    <code title={v.name}>{v.name.slice(0, 12)}</code>
                    {v.keptBy.length > 0 && ` — kept: also mounted by ${v.keptBy.join(', ')}`}
                  </li>
                ))}
              </ul>
            </>
          )}
        </div>
        {remove.isError && <ErrorView error={remove.error} title={`The engine refused to remove ${c.name}`} />}
        <footer className="ctr-dialog-footer">
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="button ctr-danger" disabled={remove.isPending}>
            {remove.isPending ? 'Removing…' : 'Remove'}
          </button>
        </footer>
      </form>
    </Dialog>
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
