/**
 * "Commit…": `containers.commit` from the container's page. The upper dir
 * becomes a new layer on its image; the config keeps the container's run
 * options plus the changes typed here (one Dockerfile instruction a line).
 * A running container is frozen while its layer is read unless unticked.
 */
import { useMutation } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import type { Result } from '../../../../preload/contract';
import { useBerth } from '../../app/client';
import { Dialog } from '../../app/Dialog';
import { ErrorView } from '../../app/ErrorView';
import type { ContainerSummary } from './queries';

export function CommitDialog({
  c,
  onClose,
}: {
  c: Pick<ContainerSummary, 'id' | 'name' | 'state'>;
  onClose: () => void;
}): ReactNode {
  const client = useBerth();
  const [repo, setRepo] = useState('');
  const [message, setMessage] = useState('');
  const [changes, setChanges] = useState('');
  const [pause, setPause] = useState(true);
  const commit = useMutation<Result<'containers.commit'>>({
    mutationFn: () =>
      client.invoke('containers.commit', {
        id: c.id,
        ...(repo.trim() ? { repo: repo.trim() } : {}),
        ...(message.trim() ? { message: message.trim() } : {}),
        changes: changes
          .split('\n')
          .map((l) => l.trim())
          .filter(Boolean),
        pause,
      }),
  });
  return (
    <Dialog title={`Commit ${c.name}`} onClose={onClose} look="ctr" className="ctr-dialog-narrow">
      <form
        className="ctr-dialog-body"
        onSubmit={(e) => {
          e.preventDefault();
          commit.mutate();
        }}
      >
        <p>Makes an image of the container: its writable layer (overlay upper dir) on top of its image.</p>
        <label className="ctr-field">
          Repository[:tag]
          <input value={repo} onChange={(e) => setRepo(e.target.value)} placeholder="myimage:v1 (empty: untagged)" />
        </label>
        <label className="ctr-field">
          Message
          <input value={message} onChange={(e) => setMessage(e.target.value)} />
        </label>
        <label className="ctr-field">
          Changes (one instruction a line: CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, USER, WORKDIR, VOLUME, STOPSIGNAL)
          <textarea rows={3} className="mono" value={changes} onChange={(e) => setChanges(e.target.value)} />
        </label>
        <label className="ctr-check">
          <input type="checkbox" checked={pause} onChange={(e) => setPause(e.target.checked)} />
          Pause it while its layer is read
        </label>
        {commit.isError && <ErrorView error={commit.error} title={`Could not commit ${c.name}`} />}
        {commit.data && (
          <p role="status">
            Committed as <span className="mono">{commit.data.id.slice(7, 19)}</span>
            {commit.data.tags.length > 0 && ` (${commit.data.tags.join(', ')})`}.
          </p>
        )}
        <footer className="ctr-dialog-footer">
          <button type="button" className="button" onClick={onClose}>
            {commit.data ? 'Close' : 'Cancel'}
          </button>
          <button type="submit" className="button" disabled={commit.isPending}>
            {commit.isPending ? 'Committing…' : 'Commit'}
          </button>
        </footer>
      </form>
    </Dialog>
  );
}
