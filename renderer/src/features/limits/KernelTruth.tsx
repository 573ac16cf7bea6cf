/**
 * The kernel-file facts around every limit control: the file it writes and
 * what reading it back gave ("kernel truth"), the pending mark, the field's
 * validation message, the row that holds them, and what shows instead when
 * the group cannot hold the limit.
 */
import type { ReactNode } from 'react';
import type { Effective, UnsupportedLimit } from '../../../../preload/schemas/resources';
import type { WhenMissing } from './fields';

function fmtValue(v: unknown): string {
  if (v === null) return 'max';
  if (typeof v === 'number') return String(v);
  if (typeof v === 'string') return v;
  return JSON.stringify(v);
}

/** The kernel truth next to a control: the file it writes and what reading it back gave. */
export function KernelTruth<T>({
  eff,
  testKey,
  format = fmtValue,
  files,
}: {
  eff: Effective<T> | undefined;
  testKey: string;
  format?: (v: T) => string;
  /** The files LIMIT_FIELDS says the control writes on this driver. */
  files?: readonly string[];
}): ReactNode {
  if (!eff) return <div className="lim-truth muted">no read-back for this limit</div>;
  const shown = format(eff.value);
  const title = files?.length
    ? `the file this control writes (${files.join(', ')} on this cgroup version)`
    : 'the file this control writes';
  return (
    <div className="lim-truth" data-testid={`truth-${testKey}`}>
      <div className="lim-truth-line">
        <span className="lim-truth-tag">kernel</span>
        <code className="lim-file" data-testid={`kernel-file-${testKey}`} title={title}>
          {eff.file}
        </code>
      </div>
      <div className="lim-truth-line">
        <span className="lim-truth-tag">read back</span>
        <code className="lim-raw" data-testid={`readback-${testKey}`}>
          {eff.raw}
        </code>
        {shown !== eff.raw && <span className="muted">= {shown}</span>}
        {eff.requested !== undefined && (
          <span className="muted" data-testid={`requested-${testKey}`}>
            · Berth asked for {format(eff.requested)}
          </span>
        )}
      </div>
      {eff.note && <div className="lim-truth-note">{eff.note}</div>}
    </div>
  );
}

export function Pending({ on }: { on: boolean }): ReactNode {
  return on ? (
    <span className="lim-pending" title="edited, not applied yet">
      pending
    </span>
  ) : null;
}

export function FieldError({ msg, id }: { msg: string | undefined; id: string }): ReactNode {
  return msg ? (
    <p className="lim-error" id={id} role="alert">
      {msg}
    </p>
  ) : null;
}

export function Unsupported({ reason, what }: { reason: string; what: string }): ReactNode {
  return (
    <p className="lim-unsupported" data-testid={`unsupported-${what}`}>
      <b>Not supported here:</b> {reason}
    </p>
  );
}

interface RowProps {
  k: string;
  label: ReactNode;
  /** The contract name, e.g. memory.max. */
  name: string;
  pending: boolean;
  error?: string | undefined;
  children: ReactNode;
  truth: ReactNode;
}

export function LimitRow({ k, label, name, pending, error, children, truth }: RowProps): ReactNode {
  return (
    <div
      className={`lim-row${pending ? ' is-pending' : ''}${error ? ' is-invalid' : ''}`}
      data-testid={`limit-${name}`}
    >
      <div className="lim-row-label">
        <label htmlFor={`lim-${k}`}>{label}</label>
        <code className="lim-name">{name}</code>
        <Pending on={pending} />
      </div>
      <div className="lim-row-control">
        {children}
        <FieldError msg={error} id={`lim-${k}-err`} />
      </div>
      <div className="lim-row-truth">{truth}</div>
    </div>
  );
}

/**
 * What stands in for a field the group cannot hold (WhenMissing in
 * LIMIT_FIELDS): a note with the driver's reason, a row with the field's
 * label and that reason, or nothing when the driver gave no reason.
 */
export function Missing({
  missing,
  name,
  label,
  reasonFor,
}: {
  missing: WhenMissing;
  name: string;
  label: string;
  reasonFor: (limit: string) => UnsupportedLimit | undefined;
}): ReactNode {
  const reason = reasonFor(missing.limit)?.reason ?? missing.fallback;
  if (!reason || missing.as === 'none') return null;
  if (missing.as === 'note') return <Unsupported what={missing.limit} reason={reason} />;
  return (
    <div className="lim-row lim-row-unsupported" data-testid={`limit-${name}`}>
      <div className="lim-row-label">
        <span>{label}</span>
        <code className="lim-name">{name}</code>
      </div>
      <div className="lim-row-wide">
        <Unsupported what={missing.limit} reason={reason} />
      </div>
    </div>
  );
}
