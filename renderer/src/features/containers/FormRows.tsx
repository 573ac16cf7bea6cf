/** Pieces of the Create dialog's form: a field's message, and editable rows (env, volumes, ports, devices…). */
import type { ReactNode } from 'react';

export function FieldError({ id, message }: { id: string; message: string | undefined }): ReactNode {
  return message ? (
    <span className="ctr-field-error" id={id} role="alert">
      {message}
    </span>
  ) : null;
}

export interface RowsProps<T> {
  legend: string;
  rows: T[];
  onChange: (rows: T[]) => void;
  blank: T;
  disabled?: boolean;
  disabledNote?: string;
  render: (row: T, i: number, set: (patch: Partial<T>) => void) => ReactNode;
  addLabel: string;
}

export function Rows<T>({
  legend,
  rows,
  onChange,
  blank,
  disabled,
  disabledNote,
  render,
  addLabel,
}: RowsProps<T>): ReactNode {
  return (
    <fieldset className="ctr-fieldset" disabled={disabled}>
      <legend>{legend}</legend>
      {disabled && disabledNote && <p className="muted ctr-note">{disabledNote}</p>}
      {rows.map((row, i) => (
        <div className="ctr-row" key={i}>
          {render(row, i, (patch) => onChange(rows.map((r, j) => (j === i ? { ...r, ...patch } : r))))}
          <button
            type="button"
            className="ctr-icon-button"
            aria-label={`Remove ${legend.toLowerCase()} row ${i + 1}`}
            onClick={() => onChange(rows.filter((_, j) => j !== i))}
          >
            ×
          </button>
        </div>
      ))}
      <button type="button" className="ctr-btn" onClick={() => onChange([...rows, blank])}>
        + {addLabel}
      </button>
    </fieldset>
  );
}
