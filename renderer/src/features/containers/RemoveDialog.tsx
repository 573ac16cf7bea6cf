/**
 * The remove dialog of one container: "force" and "-v", listing the
 * anonymous volumes that would go and naming any other container that keeps
 * a shared one. The actions bar (actions.tsx) and the command palette's
 * Remove (and its Delete shortcut) both open it, so the two paths ask the
 * same and send the same containers.remove request.
 */
import { useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { useBerth } from '../../app/client';
import { ErrorView } from '../../app/ErrorView';
import { Dialog } from '../../app/Dialog';
import { isLive } from './format';
import { useRemoveContainer } from './hooks';
import type { ContainerSummary } from './queries';
import { volumesQueries } from '../volumes/queries';

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
