/**
 * The Images page: the store as `docker images` shows it (one row per tag),
 * with Inspect (the Layer inspector), Tag, Save and Remove per row, and
 * Load: a file picker, or an archive dropped anywhere on the window, which
 * the browser streams to the helper (images.ingest.*) with its progress.
 */
import '../../ui/table.css';
import './images.css';
import { useQuery } from '@tanstack/react-query';
import { useRef, useState, type ReactNode } from 'react';
import { useBerth } from '../../app/client';
import { PullDialog } from './PullDialog';
import { ErrorView } from '../../app/ErrorView';
import { useHashPath } from '../../app/router';
import { LayersPage } from '../layers/LayersPage';
import { inspectorHref, inspectorRefFromHash } from '../layers/route';
import { formatBytes } from '../../ui/units';
import { formatRelative } from './format';
import { RemoveDialog, rowName, SaveDialog, TagDialog, type ImageRow } from './ImageDialogs';
import { imagesQueries, type ImageSummary } from './queries';
import { TransferList } from './TransferList';
import { transfers } from './transfers';
import { useWindowFileDrop } from './useFileDrop';

export function imageRows(images: readonly ImageSummary[]): ImageRow[] {
  const rows: ImageRow[] = [];
  for (const image of images) {
    if (image.repoTags.length === 0) rows.push({ image, tag: null });
    else for (const tag of image.repoTags) rows.push({ image, tag });
  }
  // Newest first, as docker lists them; then by name.
  return rows.sort((a, b) => {
    const ta = a.image.created ? Date.parse(a.image.created) : 0;
    const tb = b.image.created ? Date.parse(b.image.created) : 0;
    return tb - ta || rowName(a).localeCompare(rowName(b));
  });
}

function splitTag(tag: string): { repo: string; tag: string } {
  const colon = tag.lastIndexOf(':');
  return colon > tag.lastIndexOf('/')
    ? { repo: tag.slice(0, colon), tag: tag.slice(colon + 1) }
    : { repo: tag, tag: '' };
}

type DialogState = { kind: 'tag' | 'save' | 'remove'; row: ImageRow } | null;

function UsedBy({ ids }: { ids: readonly string[] }): ReactNode {
  if (ids.length === 0) return <span className="muted">—</span>;
  const shown = ids.slice(0, 2).map((id) => (id.length > 24 ? id.slice(0, 12) : id));
  return (
    <span className="mono" title={ids.join('\n')}>
      {shown.join(', ')}
      {ids.length > 2 && <span className="muted"> +{ids.length - 2}</span>}
    </span>
  );
}

function ImagesTable({
  rows,
  onAction,
}: {
  rows: ImageRow[];
  onAction: (d: NonNullable<DialogState>) => void;
}): ReactNode {
  const now = Date.now();
  return (
    <table className="table row-table" aria-label="Images">
      <thead>
        <tr>
          <th scope="col">Repository:tag</th>
          <th scope="col">Image ID</th>
          <th scope="col" className="img-num">
            Size
          </th>
          <th scope="col">Created</th>
          <th scope="col">Used by</th>
          <th scope="col" className="actions-col">
            <span className="sr-only">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => {
          const name = rowName(row);
          const parts = row.tag ? splitTag(row.tag) : { repo: '<none>', tag: '<none>' };
          const untagged = row.tag === null;
          return (
            <tr key={`${row.image.id} ${row.tag ?? ''}`} data-image={name}>
              <th scope="row" className={`mono img-name${untagged ? ' muted' : ''}`}>
                {parts.repo}
                {parts.tag && <span className="img-tag">:{parts.tag}</span>}
              </th>
              <td className="mono" title={row.image.id}>
                {row.image.shortId}
              </td>
              <td
                className="img-num"
                title={`${row.image.size} bytes uncompressed; ${row.image.compressedSize} compressed`}
              >
                {formatBytes(row.image.size)}
              </td>
              <td title={row.image.created ?? 'no creation time in the config'}>
                {formatRelative(row.image.created, now)}
              </td>
              <td>
                <UsedBy ids={row.image.usedBy} />
              </td>
              <td className="actions-col">
                <div className="row-actions">
                  <a className="button button-small" href={inspectorHref(row.image.id)} aria-label={`Inspect ${name}`}>
                    Inspect
                  </a>
                  <button
                    type="button"
                    className="button button-small"
                    aria-label={`Tag ${name}`}
                    onClick={() => onAction({ kind: 'tag', row })}
                  >
                    Tag
                  </button>
                  <button
                    type="button"
                    className="button button-small"
                    aria-label={`Save ${name}`}
                    onClick={() => onAction({ kind: 'save', row })}
                  >
                    Save
                  </button>
                  <button
                    type="button"
                    className="button button-small button-danger-quiet"
                    aria-label={`Remove ${name}`}
                    onClick={() => onAction({ kind: 'remove', row })}
                  >
                    Remove
                  </button>
                </div>
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function ImagesList(): ReactNode {
  const client = useBerth();
  // Events keep the list current (app/sync.ts); a visit refetches too, for what happened while the helper was away.
  const q = useQuery({ ...imagesQueries.list(client), refetchOnMount: 'always' });
  const [dialog, setDialog] = useState<DialogState>(null);
  const [pulling, setPulling] = useState(false);
  const fileInput = useRef<HTMLInputElement>(null);
  const loadFiles = (files: File[]): void => {
    for (const f of files) transfers.load(client, f);
  };
  const { dragging } = useWindowFileDrop(loadFiles);
  const rows = q.data ? imageRows(q.data) : [];
  const totalSize = q.data?.reduce((s, i) => s + i.size, 0) ?? 0;

  return (
    <section className="page" aria-labelledby="images-title" aria-busy={q.isFetching}>
      <header className="page-header">
        <div>
          <h1 id="images-title">Images</h1>
          <p className="subtitle">
            The image store (an OCI layout the helper keeps). Load a <code>docker save</code> or OCI archive with the
            button, or drop it anywhere on this window.
          </p>
        </div>
        <div className="page-actions">
          <button type="button" className="button" onClick={() => setPulling(true)}>
            Pull…
          </button>
          <input
            ref={fileInput}
            type="file"
            accept=".tar,.tar.gz,.tgz,.oci,application/x-tar"
            multiple
            hidden
            data-testid="load-input"
            onChange={(e) => {
              loadFiles(Array.from(e.currentTarget.files ?? []));
              e.currentTarget.value = '';
            }}
          />
          <button type="button" className="button button-primary" onClick={() => fileInput.current?.click()}>
            Load archive…
          </button>
          <button type="button" className="button" onClick={() => void q.refetch()} disabled={q.isFetching}>
            {q.isFetching ? 'Refreshing…' : 'Refresh'}
          </button>
        </div>
      </header>

      <TransferList />
      {pulling && <PullDialog onClose={() => setPulling(false)} />}

      {q.isError && (
        <ErrorView
          error={q.error}
          title={q.data ? 'Refresh failed; showing the last answer' : 'Could not list images'}
          onRetry={() => void q.refetch()}
        />
      )}
      {q.data ? (
        <section className="card card-full" aria-labelledby="images-store-title">
          <div className="img-card-title-row">
            <h2 id="images-store-title">In the store</h2>
            <span className="muted">
              {q.data.length} {q.data.length === 1 ? 'image' : 'images'} · {formatBytes(totalSize)} uncompressed
            </span>
          </div>
          {rows.length > 0 ? (
            <ImagesTable rows={rows} onAction={setDialog} />
          ) : (
            <p className="img-empty-note">No images yet. Load an archive, or drop one on this window.</p>
          )}
        </section>
      ) : (
        !q.isError && <p className="loading">Asking the helper for its images…</p>
      )}

      {dialog?.kind === 'tag' && <TagDialog row={dialog.row} onClose={() => setDialog(null)} />}
      {dialog?.kind === 'save' && <SaveDialog row={dialog.row} onClose={() => setDialog(null)} />}
      {dialog?.kind === 'remove' && <RemoveDialog row={dialog.row} onClose={() => setDialog(null)} />}

      {dragging && (
        <div className="img-drop-overlay" aria-hidden="true">
          <div className="img-drop-overlay-box">
            <strong>Drop to load into the store</strong>
            <span>docker save or OCI archive (.tar)</span>
          </div>
        </div>
      )}
    </section>
  );
}

/**
 * "/images" is the list. "/images/<ref>/layers" is the Layer inspector for
 * that image (the router hands sub-paths to this route; see layers/route.ts).
 */
export function ImagesPage(): ReactNode {
  const path = useHashPath();
  const inspectRef = path === '/images' ? null : inspectorRefFromHash(`#${path}`);
  return inspectRef ? <LayersPage /> : <ImagesList />;
}
