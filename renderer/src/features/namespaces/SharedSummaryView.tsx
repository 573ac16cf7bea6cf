/** "shared: net, user, time; separate: mnt, pid, uts, ipc, cgroup" for one container against the host. */
import type { CSSProperties, ReactNode } from 'react';
import { ErrorView } from '../../app/ErrorView';
import { sharedSentence, type SharedSummary } from './model';
import { TYPE_COLORS, type NamespaceType, type SharedNamespaces } from './types';

export interface SharedSummaryViewProps {
  containerName: string;
  answer: SharedNamespaces | undefined;
  summary: SharedSummary | null;
  error: unknown;
  loading: boolean;
  /** Click on a type: select that namespace (the container's side). */
  onPick?: (nsId: string) => void;
}

function TypeList({
  label,
  types,
  answer,
  onPick,
}: {
  label: 'shared' | 'separate';
  types: readonly NamespaceType[];
  answer: SharedNamespaces;
  onPick?: (nsId: string) => void;
}): ReactNode {
  return (
    <div className={`nss-group nss-${label}`}>
      <span className="nss-label" id={`nss-${label}`}>
        {label === 'shared' ? 'Shared with the host' : 'Separate (its own)'}
      </span>
      <ul aria-labelledby={`nss-${label}`} data-testid={`shared-${label}`}>
        {types.length === 0 && <li className="muted">none</li>}
        {types.map((t) => {
          const e = answer.namespaces.find((x) => x.type === t)!;
          const style = { '--ns-color': TYPE_COLORS[t] } as CSSProperties;
          const title = e.shared ? `both in ${e.a}` : `${e.a} (host: ${e.b})`;
          return (
            <li key={t} data-type={t}>
              {onPick ? (
                <button
                  type="button"
                  className="nsg-chip nss-chip"
                  style={style}
                  title={title}
                  onClick={() => onPick(e.a)}
                >
                  {t}
                </button>
              ) : (
                <span className="nsg-chip nss-chip" style={style} title={title}>
                  {t}
                </span>
              )}
            </li>
          );
        })}
      </ul>
    </div>
  );
}

export function SharedSummaryView({
  containerName,
  answer,
  summary,
  error,
  loading,
  onPick,
}: SharedSummaryViewProps): ReactNode {
  return (
    <section className="nss" aria-labelledby="nss-title" data-testid="shared-summary">
      <h2 id="nss-title">What {containerName} shares with the host</h2>
      {answer && summary ? (
        <>
          <div className="nss-lists">
            <TypeList label="shared" types={summary.shared} answer={answer} onPick={onPick} />
            <TypeList label="separate" types={summary.separate} answer={answer} onPick={onPick} />
          </div>
          <p className="nss-sentence mono" data-testid="shared-sentence">
            {sharedSentence(summary)}
          </p>
        </>
      ) : error ? (
        <ErrorView error={error} title="Could not compare with the host" compact />
      ) : (
        <p className="loading">{loading ? 'Comparing its namespaces with the host’s…' : 'No answer yet.'}</p>
      )}
    </section>
  );
}
