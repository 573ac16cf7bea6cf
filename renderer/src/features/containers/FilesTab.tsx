/**
 * Files: a browser of the container's directories (FileBrowser: download,
 * upload) and `containers.diff` — what the container added (A), changed (C) and
 * deleted (D) against its image, read from the overlay upper dir (deletions
 * are overlay whiteouts). A filter narrows the paths; Refresh reads again
 * (a running container changes files without any event).
 */
import { useQuery } from '@tanstack/react-query';
import { useDeferredValue, useMemo, useState, type ReactNode } from 'react';
import { useBerth } from '../../app/client';
import { ErrorView } from '../../app/ErrorView';
import { FileBrowser } from './FileBrowser';
import { containersQueries, type FsChange } from './queries';

const KINDS: Array<[FsChange['kind'], string]> = [
  ['A', 'added'],
  ['C', 'changed'],
  ['D', 'deleted'],
];

export function FilesTab({ id }: { id: string }): ReactNode {
  const client = useBerth();
  const q = useQuery(containersQueries.diff(client, id));
  const [filter, setFilter] = useState('');
  const needle = useDeferredValue(filter.trim().toLowerCase());
  const [kinds, setKinds] = useState<ReadonlySet<FsChange['kind']>>(new Set(['A', 'C', 'D']));
  const all = useMemo(() => q.data ?? [], [q.data]);
  const counts = useMemo(() => {
    const c: Record<FsChange['kind'], number> = { A: 0, C: 0, D: 0 };
    for (const f of all) c[f.kind]++;
    return c;
  }, [all]);
  const shown = useMemo(
    () => all.filter((f) => kinds.has(f.kind) && (!needle || f.path.toLowerCase().includes(needle))),
    [all, kinds, needle],
  );
  const toggle = (k: FsChange['kind']) =>
    setKinds((s) => {
      const n = new Set(s);
      if (n.has(k)) n.delete(k);
      else n.add(k);
      return n;
    });

  return (
    <div className="ctr-files">
      <FileBrowser id={id} />
      <h3>Changes against the image</h3>
      <div className="ctr-toolbar">
        <input
          type="search"
          className="ctr-search"
          placeholder="Filter paths"
          aria-label="Filter paths"
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
        />
        {KINDS.map(([k, label]) => (
          <label key={k} className="ctr-check">
            <input type="checkbox" checked={kinds.has(k)} onChange={() => toggle(k)} />
            <span className={`ctr-kind ctr-kind-${k}`}>{k}</span> {label} ({counts[k]})
          </label>
        ))}
        <button type="button" className="button" onClick={() => void q.refetch()} disabled={q.isFetching}>
          {q.isFetching ? 'Reading…' : 'Refresh'}
        </button>
        <span className="muted ctr-count">
          {q.data ? `${shown.length} of ${all.length} changes` : ''} · from the overlay upper dir
        </span>
      </div>
      {q.isError && <ErrorView error={q.error} title="Could not diff the container's filesystem" />}
      {q.isPending ? (
        <p className="loading">Walking the upper dir…</p>
      ) : all.length === 0 ? (
        <p className="muted">No changes against the image.</p>
      ) : (
        <table className="table ctr-diff" aria-label="filesystem changes">
          <thead>
            <tr>
              <th scope="col" className="narrow">
                Kind
              </th>
              <th scope="col">Path</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((f) => (
              <tr key={f.path} className={`ctr-diff-${f.kind}`}>
                <td className="narrow">
                  <span className={`ctr-kind ctr-kind-${f.kind}`} title={KINDS.find(([k]) => k === f.kind)?.[1]}>
                    {f.kind}
                  </span>
                </td>
                <td className="mono">{f.path}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
