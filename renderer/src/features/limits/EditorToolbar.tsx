/**
 * The editor's head: Apply / Undo / Discard with the status line, then what
 * stopped the last Apply (local validation or the engine's refusal) and the
 * limits this host cannot express.
 */
import type { ReactNode } from 'react';
import { ErrorCodes, toErrorShape } from '../../../../preload/errors';
import type { EffectiveLimits, Limits } from '../../../../preload/schemas/resources';
import { ErrorView } from '../../app/ErrorView';
import { formatBytes } from '../../ui/units';
import { formatClock } from '../resources/format';
import { describeLimits } from './model';
import type { Applied, LimitsDraft } from './useLimitsEditor';

export function EditorToolbar({
  ed,
  stack,
  busy,
  applied,
  driver,
  onApply,
  onUndo,
  onDiscard,
}: {
  ed: LimitsDraft;
  stack: readonly Limits[];
  busy: boolean;
  applied: Applied | null;
  driver: EffectiveLimits['driver'];
  onApply: () => void;
  onUndo: () => void;
  onDiscard: () => void;
}): ReactNode {
  const n = ed.pending.size;
  const top = stack[stack.length - 1];
  return (
    <div className="lim-actions" role="toolbar" aria-label="Limits actions">
      <button type="button" className="button button-primary" onClick={onApply} disabled={busy || n === 0}>
        {busy ? 'Applying…' : n > 0 ? `Apply (${n})` : 'Apply'}
      </button>
      <button
        type="button"
        className="button"
        onClick={onUndo}
        disabled={busy || stack.length === 0}
        title={top ? `re-apply: ${describeLimits(top, formatBytes)}` : 'nothing applied yet'}
      >
        Undo{stack.length > 0 ? ` (${stack.length})` : ''}
      </button>
      <button type="button" className="button" onClick={onDiscard} disabled={n === 0}>
        Discard edits
      </button>
      <span className="lim-actions-status" role="status" aria-live="polite">
        {n > 0
          ? `${n} pending change${n === 1 ? '' : 's'} (${ed.built.sections.join(', ')}): not applied yet`
          : applied
            ? `${applied.undo ? 'Undone' : 'Applied'} at ${formatClock(applied.at)}: ${applied.text} — read back below`
            : `driver ${driver}: nothing pending`}
      </span>
    </div>
  );
}

/** Why nothing was sent, or what the engine answered, and what this host cannot express. */
export function EditorNotices({
  ed,
  showErrors,
  error,
  eff,
}: {
  ed: LimitsDraft;
  showErrors: boolean;
  /** The last Apply's or Undo's failure. */
  error: Error | null;
  eff: EffectiveLimits;
}): ReactNode {
  const err = error ? toErrorShape(error) : null;
  const { unsupported } = eff;
  return (
    <>
      {showErrors && (
        <p className="lim-error" role="alert">
          Not sent: {Object.keys(ed.built.errors).length} field(s) fail validation (the contract&apos;s Limits schema).
        </p>
      )}
      {err && (
        <div className="lim-refusal" data-testid="apply-error">
          <ErrorView
            error={error}
            title={
              err.code === ErrorCodes.CGROUP_LIMIT_REFUSED
                ? 'The kernel refused the change; nothing was changed (all-or-nothing), the read-back shows the values in force'
                : 'Could not apply the change'
            }
          />
        </div>
      )}
      {unsupported.length > 0 && (
        <div className="lim-unsupported-box" aria-label="Unsupported limits">
          <b>Not expressible on this host ({eff.driver}):</b>
          <ul>
            {unsupported.map((u) => (
              <li key={u.limit}>
                <code>{u.limit}</code> — {u.reason}
              </li>
            ))}
          </ul>
        </div>
      )}
    </>
  );
}
