/**
 * The frame every table-shaped limit (IO throttles, device rules, net_prio)
 * shares: the label line, the table with its header row, what follows the
 * table (an add line), the field's error and its read-back. The fields differ
 * only in their columns and rows.
 */
import type { ReactNode } from 'react';
import type { FieldKey } from './draft';
import { FieldError, Pending } from './KernelTruth';

export function TableField({
  field,
  testId,
  pending,
  error,
  tableClass,
  columns,
  children,
  after,
  truth,
}: {
  field: { key: FieldKey; label: string; name: string; ariaLabel: string };
  testId: string;
  pending: boolean;
  error: string | undefined;
  /** Extra class on the table, beside `table lim-table`. */
  tableClass?: string;
  /** The header cells. */
  columns: ReactNode;
  /** The body rows. */
  children: ReactNode;
  /** What stands between the table and the error: the add line. */
  after?: ReactNode;
  /** The read-back, where the field has one apart from its cells. */
  truth?: ReactNode;
}): ReactNode {
  return (
    <div className={`lim-row lim-row-block${pending ? ' is-pending' : ''}`} data-testid={testId}>
      <div className="lim-row-label">
        <span>{field.label}</span>
        <code className="lim-name">{field.name}</code>
        <Pending on={pending} />
      </div>
      <table className={`table lim-table${tableClass ? ` ${tableClass}` : ''}`} aria-label={field.ariaLabel}>
        <thead>
          <tr>{columns}</tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
      {after}
      <FieldError msg={error} id={`lim-${field.key}-err`} />
      {truth !== undefined && <div className="lim-row-truth">{truth}</div>}
    </div>
  );
}

/** The header cell over the remove buttons: named for screen readers only. */
export function ActionsHeader(): ReactNode {
  return (
    <th scope="col">
      <span className="sr-only">Actions</span>
    </th>
  );
}

/** The cell with a row's remove button. */
export function RemoveCell({ onRemove, label }: { onRemove: () => void; label?: string }): ReactNode {
  return (
    <td>
      <button type="button" className="button button-small" onClick={onRemove} aria-label={label}>
        Remove
      </button>
    </td>
  );
}

/** The one row of an empty table, across all its columns. */
export function EmptyRow({ columns, children }: { columns: number; children: ReactNode }): ReactNode {
  return (
    <tr>
      <td colSpan={columns} className="muted">
        {children}
      </td>
    </tr>
  );
}
