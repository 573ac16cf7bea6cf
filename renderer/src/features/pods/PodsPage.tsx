/**
 * The Pods page: every pod with its state, shared namespaces, ports, holder
 * and members, with Start, Stop and Remove per pod (Remove of a running pod
 * asks again and forces).
 */
import './pods.css';
import { useQuery } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { useBerth } from '../../app/client';
import { ErrorView } from '../../app/ErrorView';
import { usePodAction } from './hooks';
import { podsQueries, type PodSummary } from './queries';

function PodRow({ pod }: { pod: PodSummary }): ReactNode {
  const [confirm, setConfirm] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const action = usePodAction(pod.id, {
    onError: (e) => setError(e.message),
    onSuccess: () => {
      setError(null);
      setConfirm(false);
    },
  });
  const up = pod.holderPid !== null;
  return (
    <tr data-pod={pod.name}>
      <th scope="row" className="mono">
        {pod.name}
        <div className="muted pod-id">{pod.id.slice(0, 12)}</div>
      </th>
      <td>
        <span className={`pill pod-state-${pod.state}`}>{pod.state}</span>
      </td>
      <td className="mono" title="namespaces the members share (the holder's)">
        {pod.share.join(', ')}
      </td>
      <td className="mono">
        {pod.network.ports.map((p) => `${p.hostPort}→${p.containerPort}/${p.protocol}`).join(', ') || '—'}
        {pod.network.ip && <div className="muted">{pod.network.ip}</div>}
      </td>
      <td className="mono" title="the pod-hold process that owns the shared namespaces">
        {pod.holderPid ?? '—'}
      </td>
      <td>
        {pod.members.length === 0 ? (
          <span className="muted">no containers</span>
        ) : (
          <ul className="pod-members" aria-label={`Members of ${pod.name}`}>
            {pod.members.map((m) => (
              <li key={m.id}>
                <a href={`#/containers/${m.id}`} className="mono">
                  {m.name}
                </a>{' '}
                <span className="muted">{m.state}</span>
              </li>
            ))}
          </ul>
        )}
      </td>
      <td>
        <div className="pod-actions">
          <button
            type="button"
            className="button"
            disabled={action.isPending}
            aria-label={`Start ${pod.name}`}
            onClick={() => action.mutate({ kind: 'start' })}
          >
            Start
          </button>
          <button
            type="button"
            className="button"
            disabled={action.isPending || !up}
            aria-label={`Stop ${pod.name}`}
            onClick={() => action.mutate({ kind: 'stop' })}
          >
            Stop
          </button>
          {confirm ? (
            <button
              type="button"
              className="button button-danger"
              disabled={action.isPending}
              aria-label={`Confirm remove ${pod.name}`}
              onClick={() => action.mutate({ kind: 'remove', force: true })}
            >
              Remove pod and {pod.members.length} container{pod.members.length === 1 ? '' : 's'}
            </button>
          ) : (
            <button
              type="button"
              className="button"
              disabled={action.isPending}
              aria-label={`Remove ${pod.name}`}
              onClick={() => setConfirm(true)}
            >
              Remove…
            </button>
          )}
        </div>
        {error && (
          <p role="alert" className="pod-error">
            {error}
          </p>
        )}
      </td>
    </tr>
  );
}

export function PodsPage(): ReactNode {
  const client = useBerth();
  const q = useQuery(podsQueries.list(client));
  return (
    <section className="page" aria-labelledby="pods-title" aria-busy={q.isFetching}>
      <header className="page-header">
        <div>
          <h1 id="pods-title">Pods</h1>
          <p className="subtitle">
            Containers that share net, ipc and uts namespaces (and pid when asked), held by one small process of
            Berth’s, under one cgroup parent that carries the pod’s limits. Create with <code>berth pod create</code>,
            join with <code>berth run --pod</code>.
          </p>
        </div>
      </header>
      {q.isError ? (
        <ErrorView error={q.error} />
      ) : (
        <section className="card card-full" aria-label="Pods">
          {q.data && q.data.length === 0 ? (
            <p className="muted">No pods.</p>
          ) : (
            <table className="table pod-table" aria-label="Pods">
              <thead>
                <tr>
                  <th scope="col">Pod</th>
                  <th scope="col">State</th>
                  <th scope="col">Shares</th>
                  <th scope="col">Ports</th>
                  <th scope="col">Holder pid</th>
                  <th scope="col">Members</th>
                  <th scope="col">Actions</th>
                </tr>
              </thead>
              <tbody>
                {(q.data ?? []).map((p) => (
                  <PodRow key={p.id} pod={p} />
                ))}
              </tbody>
            </table>
          )}
        </section>
      )}
    </section>
  );
}
