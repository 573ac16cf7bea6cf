/** Loads and saves in progress or just finished, each with its phases and a progress bar. */
import '../../ui/dialog.css';
import type { ReactNode } from 'react';
import { ErrorView } from '../../app/ErrorView';
import { formatBytes } from '../../ui/units';
import { transfers as defaultStore, useTransfers, type Transfer, type TransferStore } from './transfers';

const LOAD_STEPS = ['upload', 'verify', 'unpack', 'done'] as const;

function phaseText(t: Transfer): string {
  const bytes = `${formatBytes(t.current)} of ${formatBytes(t.total)}`;
  switch (t.phase) {
    case 'queued':
      return 'Waiting for the previous load…';
    case 'upload':
      return `Uploading ${bytes}`;
    case 'verify':
      return t.current > 0 ? `Verifying digests: ${bytes}` : 'Verifying digests…';
    case 'unpack':
      return `Unpacking layer ${t.current} of ${t.total}`;
    case 'export':
      return t.total > 0 ? `Writing ${bytes}` : 'Exporting…';
    case 'done':
      return t.kind === 'load'
        ? `Loaded ${t.images?.length ? t.images.join(', ') : 'no image'}`
        : `Saved ${formatBytes(t.total)} to ${t.name}`;
    case 'error':
      return t.kind === 'load' ? 'Load failed' : 'Save failed';
  }
}

function fraction(t: Transfer): number | undefined {
  if (t.phase === 'done') return 1;
  if (t.phase === 'queued' || t.phase === 'error' || t.total <= 0) return undefined;
  return Math.min(1, t.current / t.total);
}

export function TransferItem({ t, store = defaultStore }: { t: Transfer; store?: TransferStore }): ReactNode {
  const f = fraction(t);
  const verb = t.kind === 'load' ? 'Loading' : 'Saving';
  const stepIndex = LOAD_STEPS.indexOf(t.phase as (typeof LOAD_STEPS)[number]);
  return (
    <li
      className={`img-transfer img-transfer-${t.phase}`}
      data-testid="transfer"
      data-phase={t.phase}
      data-kind={t.kind}
    >
      <div className="img-transfer-head">
        <span className="img-transfer-name mono" title={t.name}>
          {t.kind === 'load' ? '⇪' : '⇩'} {t.name}
        </span>
        {t.kind === 'load' && (
          <ol className="img-steps" aria-label="Load phases">
            {LOAD_STEPS.map((s, i) => (
              <li
                key={s}
                className={
                  t.phase === 'error'
                    ? 'img-step'
                    : i < stepIndex
                      ? 'img-step img-step-past'
                      : i === stepIndex
                        ? 'img-step img-step-now'
                        : 'img-step'
                }
                aria-current={i === stepIndex ? 'step' : undefined}
              >
                {s}
              </li>
            ))}
          </ol>
        )}
        <span className="img-transfer-actions">
          {store.cancellable(t) && (
            <button type="button" className="button button-small" onClick={() => store.cancel(t.id)}>
              Cancel
            </button>
          )}
          {(t.phase === 'done' || t.phase === 'error') && (
            <button
              type="button"
              className="icon-button"
              aria-label={`Dismiss ${t.name}`}
              onClick={() => store.dismiss(t.id)}
            >
              ×
            </button>
          )}
        </span>
      </div>
      <progress
        className="img-progress"
        aria-label={`${verb} ${t.name}`}
        max={1}
        {...(f === undefined ? {} : { value: f })}
      />
      <p className="img-transfer-text" role="status">
        {phaseText(t)}
        {t.message && t.phase !== 'done' && t.phase !== 'error' && <span className="muted"> · {t.message}</span>}
      </p>
      {t.error && <ErrorView error={t.error} />}
    </li>
  );
}

export function TransferList({
  kind,
  store = defaultStore,
}: {
  kind?: Transfer['kind'];
  store?: TransferStore;
}): ReactNode {
  const all = useTransfers(store);
  const shown = kind ? all.filter((t) => t.kind === kind) : all;
  if (shown.length === 0) return null;
  return (
    <section className="card card-full img-transfers" aria-labelledby="transfers-title">
      <div className="img-card-title-row">
        <h2 id="transfers-title">Transfers</h2>
        {shown.some((t) => t.phase === 'done' || t.phase === 'error') && (
          <button type="button" className="button button-small" onClick={() => store.dismissFinished()}>
            Clear finished
          </button>
        )}
      </div>
      <ul className="img-transfer-list">
        {shown.map((t) => (
          <TransferItem key={t.id} t={t} store={store} />
        ))}
      </ul>
    </section>
  );
}
