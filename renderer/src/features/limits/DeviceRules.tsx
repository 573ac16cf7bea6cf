/**
 * The devices.rules field (cgroup v1): rules written in order to
 * devices.allow / devices.deny, with devices.list read back. Rules are
 * commands, not a state, so the draft starts empty.
 */
import type { ReactNode } from 'react';
import type { RuleDraft } from './draft';
import { LIMIT_FIELDS } from './fields';
import { ActionsHeader, EmptyRow, RemoveCell, TableField } from './TableField';

const FIELD = LIMIT_FIELDS.deviceRules;

export function DeviceRules({
  truth,
  rules,
  pending,
  error,
  onChange,
}: {
  /** The read-back of devices.list (FieldTruths). */
  truth: ReactNode;
  rules: readonly RuleDraft[];
  pending: boolean;
  error: string | undefined;
  onChange: (r: RuleDraft[]) => void;
}): ReactNode {
  const update = (i: number, patch: Partial<RuleDraft>) =>
    onChange(rules.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  return (
    <TableField
      field={FIELD}
      testId="limit-devices"
      pending={pending}
      error={error}
      truth={truth}
      columns={
        <>
          <th scope="col">Allow / deny</th>
          <th scope="col">Type</th>
          <th scope="col">Major</th>
          <th scope="col">Minor</th>
          <th scope="col">Access</th>
          <ActionsHeader />
        </>
      }
      after={
        <div className="lim-add">
          <button
            type="button"
            className="button button-small"
            onClick={() => onChange([...rules, { allow: false, type: 'c', major: '', minor: '', access: 'rwm' }])}
          >
            Add rule
          </button>
          <span className="lim-hint">e.g. deny c 1:3 rwm (/dev/null); a = every device</span>
        </div>
      }
    >
      {rules.length === 0 && (
        <EmptyRow columns={6}>No rule pending. Each rule is one write to devices.allow or devices.deny.</EmptyRow>
      )}
      {rules.map((r, i) => (
        <tr key={i}>
          <td>
            <select
              value={r.allow ? 'allow' : 'deny'}
              aria-label={`rule ${i + 1} allow or deny`}
              onChange={(e) => update(i, { allow: e.target.value === 'allow' })}
            >
              <option value="allow">allow</option>
              <option value="deny">deny</option>
            </select>
          </td>
          <td>
            <select
              value={r.type}
              aria-label={`rule ${i + 1} type`}
              onChange={(e) => update(i, { type: e.target.value as RuleDraft['type'] })}
            >
              <option value="a">a (all)</option>
              <option value="c">c (char)</option>
              <option value="b">b (block)</option>
            </select>
          </td>
          <td>
            <input
              type="text"
              value={r.type === 'a' ? '*' : r.major}
              disabled={r.type === 'a'}
              aria-label={`rule ${i + 1} major`}
              onChange={(e) => update(i, { major: e.target.value })}
            />
          </td>
          <td>
            <input
              type="text"
              value={r.type === 'a' ? '*' : r.minor}
              disabled={r.type === 'a'}
              aria-label={`rule ${i + 1} minor`}
              onChange={(e) => update(i, { minor: e.target.value })}
            />
          </td>
          <td className="lim-access">
            {(['r', 'w', 'm'] as const).map((c) => (
              <label key={c}>
                <input
                  type="checkbox"
                  checked={r.access.includes(c)}
                  onChange={(e) =>
                    update(i, {
                      access: ['r', 'w', 'm']
                        .filter((x) => (x === c ? e.target.checked : r.access.includes(x)))
                        .join(''),
                    })
                  }
                />
                {c}
              </label>
            ))}
          </td>
          <RemoveCell onRemove={() => onChange(rules.filter((_, j) => j !== i))} />
        </tr>
      ))}
    </TableField>
  );
}
