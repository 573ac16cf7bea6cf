/**
 * The io.devices field: per block device (major:minor) read/write bytes and
 * IO operations per second, each cell with the throttle file read back. A
 * changed row is sent whole; a removed row lifts its throttles.
 */
import { useState, type ReactNode } from 'react';
import type { Effective, EffectiveLimits } from '../../../../preload/schemas/resources';
import { formatRate } from '../../ui/units';
import type { IoRowDraft } from './draft';
import { LIMIT_FIELDS } from './fields';
import { ActionsHeader, EmptyRow, RemoveCell, TableField } from './TableField';

const FIELD = LIMIT_FIELDS.ioDevices;

function rateText(eff: Effective<number | null> | undefined): string {
  if (!eff) return 'no rule';
  return eff.value === null ? 'max' : String(eff.value);
}

export function IoDevices({
  rows,
  base,
  eff,
  pending,
  error,
  seen,
  onChange,
}: {
  rows: readonly IoRowDraft[];
  base: readonly IoRowDraft[];
  eff: NonNullable<EffectiveLimits['io']>['devices'];
  pending: boolean;
  error: string | undefined;
  seen: string[];
  onChange: (rows: IoRowDraft[]) => void;
}): ReactNode {
  const update = (i: number, patch: Partial<IoRowDraft>) =>
    onChange(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  const isNew = (r: IoRowDraft) => !base.some((b) => b.major === r.major && b.minor === r.minor);
  const rateCols = [
    ['readBps', 'read B/s'],
    ['writeBps', 'write B/s'],
    ['readIops', 'read IO/s'],
    ['writeIops', 'write IO/s'],
  ] as const;
  return (
    <TableField
      field={FIELD}
      testId="limit-io.devices"
      pending={pending}
      error={error}
      columns={
        <>
          <th scope="col">Device</th>
          {rateCols.map(([, l]) => (
            <th scope="col" key={l}>
              {l}
            </th>
          ))}
          <ActionsHeader />
        </>
      }
      after={<AddDevice rows={rows} seen={seen} onChange={onChange} />}
    >
      {rows.length === 0 && <EmptyRow columns={6}>No throttles. Add a block device by major:minor.</EmptyRow>}
      {rows.map((r, i) => {
        const e = eff.find((d) => String(d.major) === r.major && String(d.minor) === r.minor);
        return (
          <tr key={`${r.major}:${r.minor}:${i}`}>
            <th scope="row" className="mono">
              {r.major}:{r.minor}
              {isNew(r) && <span className="lim-pending">new</span>}
            </th>
            {rateCols.map(([k, l]) => (
              <td key={k}>
                <input
                  type="number"
                  min={0}
                  step={1}
                  value={r[k]}
                  placeholder="max"
                  aria-label={`${r.major}:${r.minor} ${l}`}
                  onChange={(ev) => update(i, { [k]: ev.target.value })}
                />
                <div className="lim-cell-truth" title={e?.[k]?.file}>
                  {e?.[k] ? (
                    <>
                      <code>{e[k]!.file.split('/').pop()}</code> = <code>{rateText(e[k])}</code>
                      {e[k]!.value !== null && <span className="muted"> ({formatRate(e[k]!.value)})</span>}
                    </>
                  ) : (
                    <span className="muted">no rule</span>
                  )}
                </div>
              </td>
            ))}
            <RemoveCell
              onRemove={() => onChange(rows.filter((_, j) => j !== i))}
              label={`Remove throttles of ${r.major}:${r.minor}`}
            />
          </tr>
        );
      })}
    </TableField>
  );
}

/** The add line: a major:minor, offered from the devices this container did IO on. */
function AddDevice({
  rows,
  seen,
  onChange,
}: {
  rows: readonly IoRowDraft[];
  seen: string[];
  onChange: (rows: IoRowDraft[]) => void;
}): ReactNode {
  const [newDev, setNewDev] = useState(seen[0] ?? '');
  return (
    <div className="lim-add">
      <input
        type="text"
        value={newDev}
        placeholder="8:0"
        aria-label="new device major:minor"
        list="lim-io-seen"
        onChange={(e) => setNewDev(e.target.value)}
      />
      <datalist id="lim-io-seen">
        {seen.map((s) => (
          <option key={s} value={s} />
        ))}
      </datalist>
      <button
        type="button"
        className="button button-small"
        onClick={() => {
          const [major = '', minor = ''] = newDev.split(':');
          if (rows.some((r) => r.major === major.trim() && r.minor === minor.trim())) return;
          onChange([
            ...rows,
            { major: major.trim(), minor: minor.trim(), readBps: '', writeBps: '', readIops: '', writeIops: '' },
          ]);
        }}
      >
        Add device
      </button>
      <span className="lim-hint">
        major:minor from <code>/proc/partitions</code>
        {seen.length > 0 ? `; this container did IO on ${seen.join(', ')}` : ''}
      </span>
    </div>
  );
}
