/**
 * Compare view of the Layer inspector: this analysis (by its sourceId)
 * against an image of the store, with `berth layers --compare`'s engine code
 * in main (`layers.compare`): the files added, changed and removed, with
 * size deltas, and the differences in image size and in file bytes.
 */
import { useQuery } from '@tanstack/react-query';
import { useId, useState, type ReactNode } from 'react';
import type { ImageComparisonT } from '../../../../preload/schemas/images';
import { useBerth } from '../../app/client';
import { ErrorView } from '../../app/ErrorView';
import { formatBytes } from '../../ui/units';
import { imagesQueries } from '../images/queries';
import { layersQueries } from './queries';

const LIMIT = 200;
const signed = (n: number): string => (n < 0 ? `−${formatBytes(-n)}` : `+${formatBytes(n)}`);
const LETTER = { added: 'A', changed: 'C', removed: 'D' } as const;

type Row = { kind: keyof typeof LETTER; path: string; type: string; size: number; before?: number };

function rowsOf(c: ImageComparisonT): Row[] {
  const rows: Row[] = [
    ...c.added.map((f) => ({ ...f, kind: 'added' as const })),
    ...c.changed.map((f) => ({ ...f, kind: 'changed' as const })),
    ...c.removed.map((f) => ({ ...f, kind: 'removed' as const })),
  ];
  return rows.sort((x, y) => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0));
}

function delta(r: Row): number {
  if (r.type !== 'file') return 0;
  return r.kind === 'added' ? r.size : r.kind === 'removed' ? -r.size : r.size - (r.before ?? r.size);
}

function Result({ c }: { c: ImageComparisonT }): ReactNode {
  const [all, setAll] = useState(false);
  const rows = rowsOf(c);
  const shown = all ? rows : rows.slice(0, LIMIT);
  const capped = c.counts.added + c.counts.changed + c.counts.removed > rows.length;
  return (
    <>
      <p data-testid="compare-summary">
        <span className="mono">{c.from.name}</span> → <span className="mono">{c.to.name}</span>: image size{' '}
        {formatBytes(c.sizeBytes.from)} → {formatBytes(c.sizeBytes.to)} ({signed(c.sizeBytes.delta)}), files in the
        final tree {formatBytes(c.filesBytes.from)} → {formatBytes(c.filesBytes.to)} ({signed(c.filesBytes.delta)});{' '}
        {c.counts.added} added, {c.counts.changed} changed, {c.counts.removed} removed.
      </p>
      {rows.length === 0 ? (
        <p className="img-empty-note">Both final trees hold the same paths with the same type, size, mode and owner.</p>
      ) : (
        <div className="lyr-compare-scroll" tabIndex={0} role="group" aria-label="Differences, scrollable">
          <table className="table" aria-label="Differences">
            <thead>
              <tr>
                <th scope="col" className="narrow">
                  Change
                </th>
                <th scope="col">Path</th>
                <th scope="col" className="img-num">
                  Size
                </th>
                <th scope="col" className="img-num">
                  Δ
                </th>
              </tr>
            </thead>
            <tbody>
              {shown.map((r) => (
                <tr key={`${r.kind}${r.path}`} data-change={r.kind}>
                  <td className="narrow">
                    <span
                      className={`lyr-chg lyr-chg-${r.kind === 'changed' ? 'modified' : r.kind}`}
                      aria-hidden="true"
                    >
                      {LETTER[r.kind]}
                    </span>
                    <span className="img-sr-only">{r.kind}</span>
                  </td>
                  <td className="mono lyr-break">{r.path}</td>
                  <td className="img-num mono">
                    {r.kind === 'changed' && r.before !== undefined && r.before !== r.size
                      ? `${formatBytes(r.before)} → ${formatBytes(r.size)}`
                      : formatBytes(r.size)}
                  </td>
                  <td className="img-num mono">{delta(r) === 0 ? '' : signed(delta(r))}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {rows.length > LIMIT && (
        <button type="button" className="button img-button-small" onClick={() => setAll(!all)}>
          {all ? `Show the first ${LIMIT}` : `Show all ${rows.length}`}
        </button>
      )}
      {capped && <p className="muted">Only the first 5,000 paths of each kind are listed; the counts are complete.</p>}
    </>
  );
}

export function CompareCard({ sourceId }: { sourceId: string }): ReactNode {
  const client = useBerth();
  const list = useQuery(imagesQueries.list(client));
  const [choice, setChoice] = useState('');
  const [asked, setAsked] = useState<string | null>(null);
  const q = useQuery({ ...layersQueries.compare(client, sourceId, asked ?? ''), enabled: asked !== null });
  const selectId = useId();
  return (
    <section className="card lyr-card" aria-labelledby="compare-title" data-testid="compare">
      <div className="img-card-title-row">
        <h2 id="compare-title">Compare</h2>
        <span className="muted">this image → another image of the store (berth layers --compare)</span>
      </div>
      <form
        className="lyr-compare-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (choice) setAsked(choice);
        }}
      >
        <label htmlFor={selectId}>Compare with</label>
        <select
          id={selectId}
          className="img-input"
          value={choice}
          onChange={(e) => setChoice(e.target.value)}
          disabled={!list.data}
        >
          <option value="">{list.isError ? 'could not list images' : 'choose an image…'}</option>
          {(list.data ?? []).map((i) => (
            <option key={i.id} value={i.id}>
              {(i.repoTags[0] ?? `<none> ${i.shortId}`) + ` (${i.id.slice(7, 19)})`}
            </option>
          ))}
        </select>
        <button type="submit" className="button" disabled={!choice}>
          Compare
        </button>
      </form>
      {asked === null ? null : q.isPending ? (
        <p className="muted" role="status">
          Comparing: both images are analysed again…
        </p>
      ) : q.isError ? (
        <ErrorView error={q.error} title="Could not compare" />
      ) : (
        <Result c={q.data} />
      )}
    </section>
  );
}
