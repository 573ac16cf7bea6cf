/** The net_prio field (cgroup v1): a priority per interface, net_prio.ifpriomap read back. */
import type { ReactNode } from 'react';
import type { NetPrioDraft } from './draft';
import { LIMIT_FIELDS } from './fields';
import { TableField } from './TableField';

const FIELD = LIMIT_FIELDS.netPrio;

export function NetPrio({
  rows,
  base,
  truth,
  pending,
  error,
  onChange,
}: {
  rows: readonly NetPrioDraft[];
  base: readonly NetPrioDraft[];
  /** The read-back of net_prio.ifpriomap (FieldTruths). */
  truth: ReactNode;
  pending: boolean;
  error: string | undefined;
  onChange: (r: NetPrioDraft[]) => void;
}): ReactNode {
  return (
    <TableField
      field={FIELD}
      testId="limit-netPrio"
      pending={pending}
      error={error}
      truth={truth}
      tableClass="lim-netprio"
      columns={
        <>
          <th scope="col">Interface</th>
          <th scope="col">Priority</th>
        </>
      }
    >
      {rows.map((r, i) => (
        <tr key={r.iface}>
          <th scope="row" className="mono">
            {r.iface}
            {r.priority.trim() !== (base[i]?.priority ?? '').trim() && <span className="lim-pending">pending</span>}
          </th>
          <td>
            <input
              type="number"
              min={0}
              step={1}
              value={r.priority}
              aria-label={`${r.iface} priority`}
              onChange={(e) => onChange(rows.map((x, j) => (j === i ? { ...x, priority: e.target.value } : x)))}
            />
          </td>
        </tr>
      ))}
    </TableField>
  );
}
