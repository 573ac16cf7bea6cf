/** The net_prio field (cgroup v1): a priority per interface, net_prio.ifpriomap read back. */
import type { ReactNode } from 'react';
import type { NetPrioDraft } from './draft';
import { LIMIT_FIELDS } from './fields';
import { FieldError, Pending } from './KernelTruth';

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
    <div className={`lim-row lim-row-block${pending ? ' is-pending' : ''}`} data-testid="limit-netPrio">
      <div className="lim-row-label">
        <span>{FIELD.label}</span>
        <code className="lim-name">{FIELD.name}</code>
        <Pending on={pending} />
      </div>
      <table className="table lim-table lim-netprio" aria-label={FIELD.ariaLabel}>
        <thead>
          <tr>
            <th scope="col">Interface</th>
            <th scope="col">Priority</th>
          </tr>
        </thead>
        <tbody>
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
        </tbody>
      </table>
      <FieldError msg={error} id="lim-netPrio-err" />
      <div className="lim-row-truth">{truth}</div>
    </div>
  );
}
