/**
 * The Disk page: `system df` (count, in use, measured size and what is
 * reclaimable per kind of stored data) and `system prune`, which lists what
 * it would remove before removing it.
 */
import './disk.css';
import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import type { DiskKindT } from '../../../../preload/schemas/disk';
import { useBerth } from '../../app/client';
import { ErrorView } from '../../app/ErrorView';
import { formatBytes } from '../../ui/units';
import { KIND_LABEL, PrunePanel } from './PrunePanel';
import { diskQueries } from './queries';

export function DiskPage(): ReactNode {
  const client = useBerth();
  const q = useQuery({ ...diskQueries.usage(client), refetchOnMount: 'always' });
  const kinds: DiskKindT[] = q.data?.map((u) => u.kind) ?? [];
  return (
    <section className="page" aria-labelledby="disk-title" aria-busy={q.isFetching}>
      <header className="page-header">
        <div>
          <h1 id="disk-title">Disk</h1>
          <p className="subtitle">
            What the helper keeps under its data root, measured on disk (allocated blocks; hard links and layers shared
            between images count once). Reclaimable is what nothing uses.
          </p>
        </div>
        <div className="page-actions">
          <button type="button" className="button" onClick={() => void q.refetch()} disabled={q.isFetching}>
            {q.isFetching ? 'Measuring…' : 'Refresh'}
          </button>
        </div>
      </header>
      {q.isError && <ErrorView error={q.error} title="Could not measure disk usage" onRetry={() => void q.refetch()} />}
      {q.data ? (
        <section className="card card-full" aria-labelledby="disk-usage-title">
          <h2 id="disk-usage-title">Usage</h2>
          <table className="table" aria-label="Disk usage">
            <thead>
              <tr>
                <th scope="col">Type</th>
                <th scope="col" className="num">
                  Total
                </th>
                <th scope="col" className="num">
                  Active
                </th>
                <th scope="col" className="num">
                  Size
                </th>
                <th scope="col" className="num">
                  Reclaimable
                </th>
              </tr>
            </thead>
            <tbody>
              {q.data.map((u) => (
                <tr key={u.kind} data-kind={u.kind}>
                  <th scope="row">{KIND_LABEL[u.kind]}</th>
                  <td className="num">{u.count}</td>
                  <td className="num">{u.active}</td>
                  <td className="num" title={`${u.sizeBytes} bytes`}>
                    {formatBytes(u.sizeBytes)}
                  </td>
                  <td className="num" title={`${u.reclaimableBytes} bytes`}>
                    {formatBytes(u.reclaimableBytes)}
                    {u.sizeBytes > 0 && (
                      <span className="muted"> ({Math.round((u.reclaimableBytes / u.sizeBytes) * 100)}%)</span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ) : (
        !q.isError && <p className="loading">Measuring…</p>
      )}
      {q.data && <PrunePanel id="disk-prune-title" title="Prune" kinds={kinds} />}
    </section>
  );
}
