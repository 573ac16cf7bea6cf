/**
 * The Volumes page: each named volume with its measured size and the
 * containers that mount it (a volume in use cannot be removed: the helper
 * refuses with VOLUME_IN_USE and names them), create, remove, and a prune
 * that lists what it would remove first.
 */
import '../disk/disk.css';
import './volumes.css';
import { useQuery } from '@tanstack/react-query';
import { useState, type FormEvent, type ReactNode } from 'react';
import { VOLUME_NAME_PATTERN, type VolumeT } from '../../../../preload/schemas/volumes';
import { useBerth } from '../../app/client';
import { ErrorView } from '../../app/ErrorView';
import { formatBytes } from '../../ui/units';
import { PrunePanel } from '../disk/PrunePanel';
import { useCreateVolume, useRemoveVolume } from './hooks';
import { volumesQueries } from './queries';

function shortName(v: VolumeT): string {
  return v.anonymous ? `${v.name.slice(0, 12)}…` : v.name;
}

function CreateVolume(): ReactNode {
  const [name, setName] = useState('');
  const create = useCreateVolume({ onSuccess: () => setName('') });
  const bad = name !== '' && !VOLUME_NAME_PATTERN.test(name);
  const submit = (e: FormEvent): void => {
    e.preventDefault();
    if (!bad) create.mutate({ ...(name ? { name } : {}), labels: {} });
  };
  return (
    <form className="vol-create" onSubmit={submit} aria-label="Create a volume">
      <label>
        Name{' '}
        <input
          className="mono"
          value={name}
          placeholder="random if empty"
          aria-invalid={bad}
          aria-describedby={bad ? 'vol-name-err' : undefined}
          onChange={(e) => setName(e.target.value)}
        />
      </label>
      <button type="submit" className="button" disabled={bad || create.isPending}>
        Create volume
      </button>
      {bad && (
        <span id="vol-name-err" role="alert" className="vol-error">
          two or more of letters, digits, _ . -, starting with a letter or digit
        </span>
      )}
      {create.isError && <ErrorView error={create.error} title="Could not create the volume" />}
    </form>
  );
}

function VolumesTable({ volumes }: { volumes: VolumeT[] }): ReactNode {
  const remove = useRemoveVolume();
  return (
    <>
      {remove.isError && <ErrorView error={remove.error} title="Could not remove the volume" />}
      <table className="table" aria-label="Volumes">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col" className="num">
              Size
            </th>
            <th scope="col">Used by</th>
            <th scope="col">Mountpoint</th>
            <th scope="col">
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {volumes.map((v) => (
            <tr key={v.name} data-volume={v.name}>
              <th scope="row" className="mono" title={v.name}>
                {shortName(v)}
                {v.anonymous && <span className="muted"> (anonymous)</span>}
              </th>
              <td className="num" title={v.sizeBytes === null ? undefined : `${v.sizeBytes} bytes on disk`}>
                {formatBytes(v.sizeBytes ?? undefined)}
              </td>
              <td>
                {v.users.length === 0 ? (
                  <span className="muted">—</span>
                ) : (
                  <span className="mono">{v.users.map((u) => u.name).join(', ')}</span>
                )}
              </td>
              <td className="mono vol-path" title={v.mountpoint}>
                {v.mountpoint}
              </td>
              <td>
                <button
                  type="button"
                  className="button"
                  aria-label={`Remove ${v.name}`}
                  title={v.users.length ? `in use by ${v.users.map((u) => u.name).join(', ')}` : undefined}
                  disabled={remove.isPending}
                  onClick={() => remove.mutate({ name: v.name })}
                >
                  Remove
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

export function VolumesPage(): ReactNode {
  const client = useBerth();
  const q = useQuery({ ...volumesQueries.list(client), refetchOnMount: 'always' });
  const total = q.data?.reduce((s, v) => s + (v.sizeBytes ?? 0), 0) ?? 0;
  return (
    <section className="page" aria-labelledby="volumes-title" aria-busy={q.isFetching}>
      <header className="page-header">
        <div>
          <h1 id="volumes-title">Volumes</h1>
          <p className="subtitle">
            Named volumes: data that outlives its containers. Mount one with <code>-v NAME:/path</code> or{' '}
            <code>--mount type=volume,source=NAME,target=/path</code>; an empty one is filled from the image on first
            use.
          </p>
        </div>
        <div className="page-actions">
          <button type="button" className="button" onClick={() => void q.refetch()} disabled={q.isFetching}>
            {q.isFetching ? 'Refreshing…' : 'Refresh'}
          </button>
        </div>
      </header>
      <CreateVolume />
      {q.isError && <ErrorView error={q.error} title="Could not list volumes" onRetry={() => void q.refetch()} />}
      {q.data ? (
        <section className="card card-full" aria-labelledby="volumes-list-title">
          <h2 id="volumes-list-title">
            {q.data.length} {q.data.length === 1 ? 'volume' : 'volumes'} · {formatBytes(total)}
          </h2>
          {q.data.length > 0 ? <VolumesTable volumes={q.data} /> : <p>No volumes yet.</p>}
        </section>
      ) : (
        !q.isError && <p className="loading">Asking the helper for its volumes…</p>
      )}
      <PrunePanel id="volumes-prune-title" title="Prune unused volumes" kinds={['volumes']} />
    </section>
  );
}
