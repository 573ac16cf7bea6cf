/**
 * A prune that shows its list first: "Review" asks the helper for the plan
 * (disk.plan: nothing is removed), the list shows each item with its size,
 * and "Remove" sends exactly those ids (disk.prune); anything that came into
 * use meanwhile is kept by the helper and reported as kept.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import type { DiskKindT, PruneResultT } from '../../../../preload/schemas/disk';
import { useBerth } from '../../app/client';
import { ErrorView } from '../../app/ErrorView';
import { formatBytes } from '../../ui/units';
import { diskKeys, diskQueries } from './queries';

export const KIND_LABEL: Record<DiskKindT, string> = {
  containers: 'Containers',
  images: 'Images',
  volumes: 'Volumes',
  'build-cache': 'Build cache',
};

const ALL_HINT: Record<DiskKindT, string> = {
  containers: '',
  images: 'images: every unused one, not only untagged',
  volumes: 'volumes: named ones too, not only anonymous',
  'build-cache': 'build cache: all of it',
};

export function PrunePanel({
  kinds: offered,
  title,
  id,
}: {
  kinds: readonly DiskKindT[];
  title: string;
  id: string;
}): ReactNode {
  const client = useBerth();
  const qc = useQueryClient();
  const [chosen, setChosen] = useState<readonly DiskKindT[]>(offered);
  const [all, setAll] = useState(false);
  const [reviewing, setReviewing] = useState(false);
  const [done, setDone] = useState<PruneResultT[] | null>(null);
  const kinds = offered.filter((k) => chosen.includes(k));
  const plan = useQuery({ ...diskQueries.plan(client, kinds, all), enabled: reviewing && kinds.length > 0 });
  const prune = useMutation({
    mutationFn: (items: Array<{ kind: DiskKindT; ids: string[] }>) => client.invoke('disk.prune', { items }),
    onSuccess: (r) => {
      setDone(r);
      setReviewing(false);
    },
    onSettled: () => qc.invalidateQueries({ queryKey: diskKeys.all }),
  });
  const items = plan.data?.flatMap((p) => p.items.map((i) => ({ ...i, kind: p.kind }))) ?? [];
  const total = items.reduce((s, i) => s + i.sizeBytes, 0);
  const change = (f: () => void): void => {
    f();
    setReviewing(false);
    setDone(null);
  };

  return (
    <section className="card card-full prune-panel" aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      <div className="prune-options">
        {offered.length > 1 &&
          offered.map((k) => (
            <label key={k} className="prune-check">
              <input
                type="checkbox"
                checked={chosen.includes(k)}
                onChange={(e) =>
                  change(() => setChosen(e.target.checked ? [...chosen, k] : chosen.filter((c) => c !== k)))
                }
              />
              {KIND_LABEL[k]}
            </label>
          ))}
        {offered.some((k) => ALL_HINT[k]) && (
          <label className="prune-check">
            <input type="checkbox" checked={all} onChange={(e) => change(() => setAll(e.target.checked))} />
            All unused (
            {offered
              .map((k) => ALL_HINT[k])
              .filter(Boolean)
              .join('; ')}
            )
          </label>
        )}
        <button
          type="button"
          className="button"
          disabled={kinds.length === 0}
          onClick={() => {
            setDone(null);
            setReviewing(true);
            void plan.refetch();
          }}
        >
          Review what would be removed
        </button>
      </div>
      {plan.isError && reviewing && <ErrorView error={plan.error} title="Could not plan the prune" />}
      {reviewing && plan.data && (
        <div className="prune-plan">
          {items.length === 0 ? (
            <p role="status">Nothing to remove: everything listed is in use, or there is nothing.</p>
          ) : (
            <>
              <table className="table" aria-label="Would be removed">
                <thead>
                  <tr>
                    <th scope="col">Kind</th>
                    <th scope="col">Name</th>
                    <th scope="col" className="num">
                      Frees
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {items.map((i) => (
                    <tr key={`${i.kind} ${i.id}`}>
                      <td>{KIND_LABEL[i.kind]}</td>
                      <th scope="row" className="mono" title={i.id}>
                        {i.name}
                      </th>
                      <td className="num">{formatBytes(i.sizeBytes)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <div className="prune-actions">
                <span>
                  {items.length} {items.length === 1 ? 'item' : 'items'}, about {formatBytes(total)}
                </span>
                <button
                  type="button"
                  className="button prune-danger"
                  disabled={prune.isPending}
                  onClick={() =>
                    prune.mutate((plan.data ?? []).map((p) => ({ kind: p.kind, ids: p.items.map((i) => i.id) })))
                  }
                >
                  {prune.isPending ? 'Removing…' : `Remove ${items.length} ${items.length === 1 ? 'item' : 'items'}`}
                </button>
                <button type="button" className="button" onClick={() => setReviewing(false)}>
                  Cancel
                </button>
              </div>
            </>
          )}
        </div>
      )}
      {prune.isError && <ErrorView error={prune.error} title="The prune failed" />}
      {done && (
        <p role="status" className="prune-done">
          Removed {done.reduce((s, r) => s + r.removed.length, 0)}, reclaimed{' '}
          {formatBytes(done.reduce((s, r) => s + r.reclaimedBytes, 0))}.
          {(() => {
            const planned = items.length;
            const removed = done.reduce((s, r) => s + r.removed.length, 0);
            return planned > removed ? ` ${planned - removed} kept: in use since the review.` : '';
          })()}
        </p>
      )}
    </section>
  );
}
