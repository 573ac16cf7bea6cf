/** Tag, Save and Remove dialogs of the Images page. */
import { useId, useState, type FormEvent, type ReactNode } from 'react';
import { useBerth } from '../../app/client';
import { ErrorView } from '../../app/ErrorView';
import { Dialog } from '../../app/Dialog';
import { useRemoveImage, useTagImage } from './hooks';
import type { ImageSummary } from './queries';
import { tagTargetError } from './reference';
import { TransferItem } from './TransferList';
import { transfers, useTransfers } from './transfers';

/** One row of the Images table: an image under one of its tags (or untagged). */
export interface ImageRow {
  image: ImageSummary;
  /** "busybox:latest", or null for an untagged image. */
  tag: string | null;
}

export const rowName = (r: ImageRow): string => r.tag ?? `<none> ${r.image.shortId}`;
/** What to hand the engine: the tag (rmi untags it) or, untagged, the ID. */
export const rowRef = (r: ImageRow): string => r.tag ?? r.image.id;

export function TagDialog({ row, onClose }: { row: ImageRow; onClose: () => void }): ReactNode {
  const [target, setTarget] = useState('');
  const [touched, setTouched] = useState(false);
  const inputId = useId();
  const hintId = useId();
  const problem = tagTargetError(target);
  const m = useTagImage({ onSuccess: () => onClose() });
  const submit = (e: FormEvent): void => {
    e.preventDefault();
    setTouched(true);
    if (!problem) m.mutate({ source: row.image.id, target: target.trim() });
  };
  const showProblem = problem !== null && (touched || target !== '');
  return (
    <Dialog title={`Tag ${rowName(row)}`} onClose={onClose}>
      <form onSubmit={submit} noValidate>
        <p className="muted">
          Adds a name to image <code>{row.image.shortId}</code>. A name that already points at another image moves here
          (that image keeps its other tags, or becomes untagged).
        </p>
        <label htmlFor={inputId} className="img-field-label">
          New tag
        </label>
        <input
          id={inputId}
          className={`img-input mono${showProblem ? ' img-input-invalid' : ''}`}
          value={target}
          placeholder="repository[:tag], e.g. myapp:1.0"
          autoFocus
          spellCheck={false}
          autoComplete="off"
          aria-invalid={showProblem}
          aria-describedby={hintId}
          onChange={(e) => setTarget(e.target.value)}
          onBlur={() => setTouched(true)}
        />
        <p
          id={hintId}
          className={showProblem ? 'img-field-error' : 'img-field-hint'}
          role={showProblem ? 'alert' : undefined}
        >
          {showProblem ? problem : 'Without ":tag" the tag is "latest". Registry hosts go first: host:5000/team/app:1'}
        </p>
        {m.isError && <ErrorView error={m.error} title="The engine refused the tag" />}
        <div className="dialog-actions">
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="button button-primary" disabled={problem !== null || m.isPending}>
            {m.isPending ? 'Tagging…' : 'Tag'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

function defaultSavePath(row: ImageRow): string {
  const base = (row.tag ?? row.image.shortId).replace(/[^A-Za-z0-9._-]+/g, '_');
  return `/tmp/${base}.tar`;
}

export function SaveDialog({ row, onClose }: { row: ImageRow; onClose: () => void }): ReactNode {
  const client = useBerth();
  const [path, setPath] = useState(() => defaultSavePath(row));
  const [opId, setOpId] = useState<string | null>(null);
  const inputId = useId();
  const hintId = useId();
  const list = useTransfers();
  const t = opId ? list.find((x) => x.id === opId) : undefined;
  const running = t !== undefined && t.phase !== 'done' && t.phase !== 'error';
  const pathProblem = !path.trim()
    ? 'Enter a path'
    : !path.trim().startsWith('/')
      ? 'Use an absolute path on the host (it starts with "/")'
      : path.trim().endsWith('/')
        ? 'Name the file, not a directory'
        : null;
  const web = client.transport !== 'electron';
  const submit = (e: FormEvent): void => {
    e.preventDefault();
    if (pathProblem || running) return;
    setOpId(transfers.save(client, [rowRef(row)], path.trim()).id);
  };
  return (
    <Dialog title={`Save ${rowName(row)}`} onClose={onClose} className="img-dialog-wide">
      <form onSubmit={submit} noValidate>
        <p className="muted">
          Writes a <code>docker save</code> archive (also an OCI image layout) that <code>docker load</code>,{' '}
          <code>podman load</code> and Berth can read.
        </p>
        <label htmlFor={inputId} className="img-field-label">
          Path on the host
        </label>
        <input
          id={inputId}
          className={`img-input mono${pathProblem ? ' img-input-invalid' : ''}`}
          value={path}
          spellCheck={false}
          autoComplete="off"
          aria-invalid={pathProblem !== null}
          aria-describedby={hintId}
          onChange={(e) => setPath(e.target.value)}
        />
        <p id={hintId} className={pathProblem ? 'img-field-error' : 'img-field-hint'}>
          {pathProblem ??
            (web
              ? 'The file is written on the machine running Berth — not downloaded to this browser, which cannot pick a folder there. Berth’s main process writes it as the user it runs as (not the root helper), so that user must be able to write the directory. An existing file is replaced.'
              : 'The file is written by Berth’s main process as your user (not the root helper), so you must be able to write the directory. An existing file is replaced.')}
        </p>
        {t && (
          <ul className="img-transfer-list">
            <TransferItem t={t} />
          </ul>
        )}
        <div className="dialog-actions">
          <button type="button" className="button" onClick={onClose}>
            {t?.phase === 'done' ? 'Close' : running ? 'Hide' : 'Cancel'}
          </button>
          <button type="submit" className="button button-primary" disabled={pathProblem !== null || running}>
            {running ? 'Saving…' : 'Save'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

export function RemoveDialog({ row, onClose }: { row: ImageRow; onClose: () => void }): ReactNode {
  const m = useRemoveImage({ onSuccess: () => onClose() });
  const others = row.image.repoTags.filter((t) => t !== row.tag);
  return (
    <Dialog title={`Remove ${rowName(row)}?`} onClose={onClose}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          m.mutate({ ref: rowRef(row) });
        }}
      >
        <p>
          {row.tag && others.length > 0 ? (
            <>
              Removes the tag <code>{row.tag}</code>. The image stays: it is also tagged{' '}
              {others.map((o, i) => (
                <span key={o}>
                  {i > 0 && ', '}
                  <code>{o}</code>
                </span>
              ))}
              .
            </>
          ) : (
            <>
              Deletes image <code>{row.image.shortId}</code> and the layers no other image uses. Refused while a
              container uses it.
            </>
          )}
        </p>
        {row.image.usedBy.length > 0 && (
          <p className="img-warn-note">
            Used by {row.image.usedBy.length === 1 ? 'container' : 'containers'}{' '}
            <code>{row.image.usedBy.join(', ')}</code>.
          </p>
        )}
        {m.isError && <ErrorView error={m.error} title="The engine refused to remove it" />}
        <div className="dialog-actions">
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="button button-danger" disabled={m.isPending}>
            {m.isPending ? 'Removing…' : 'Remove'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
