/**
 * The device policy in force for one container (`containers.devices`): the
 * rules in the order they apply, where each came from, and the kernel's side:
 * v1 — the devices.list read-back next to the lines it should hold; v2 — the
 * BPF program's rule table (the order it checks, first match wins) and the
 * program ids BPF_PROG_QUERY finds attached to the unified group, with their
 * tags against the tag of the program Berth compiled. On a hybrid host both.
 */
import { queryOptions, useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import type { DevicePolicyT } from '../../../../preload/schemas/devices';
import type { BerthClient } from '../../app/client';
import { useBerth } from '../../app/client';
import { ErrorView } from '../../app/ErrorView';
import { resourcesKeys } from '../resources/queries';

/** Under the limits key: an invalidation of the limits (after Apply) refetches it too. */
export const devicePolicyKey = (id: string) => [...resourcesKeys.limits(id), 'device-policy'] as const;

export const devicePolicyQuery = (client: BerthClient, id: string) =>
  queryOptions({
    queryKey: devicePolicyKey(id),
    queryFn: () => client.invoke('containers.devices', { id }),
    staleTime: 5_000,
  });

function ruleText(r: { type: string; major: number | '*'; minor: number | '*'; access: string }): string {
  return r.type === 'a' ? `a *:* ${r.access}` : `${r.type} ${r.major}:${r.minor} ${r.access}`;
}

function InForce({ ok, what }: { ok: boolean; what: string }): ReactNode {
  return (
    <span className={ok ? 'dev-ok' : 'dev-bad'} data-testid={`device-inforce-${what}`}>
      {ok ? '✓ in force' : '✗ differs from what Berth installed'}
    </span>
  );
}

/** A box's first line: the cgroup version, what was read (file or group), and whether it holds what Berth installed. */
function PolicyHead({
  version,
  target,
  title,
  ok,
}: {
  version: 'v1' | 'v2';
  target: string;
  title: string;
  ok: boolean;
}): ReactNode {
  return (
    <div className="lim-truth-line">
      <span className="lim-truth-tag">cgroup {version}</span>
      <code className="lim-file" title={title}>
        {target}
      </code>
      <InForce ok={ok} what={version} />
    </div>
  );
}

function V1Box({ v1 }: { v1: NonNullable<DevicePolicyT['v1']> }): ReactNode {
  return (
    <div className="lim-truth" data-testid="device-v1">
      <PolicyHead version="v1" target={v1.file} title="the devices controller's read-back file" ok={v1.inForce} />
      <div className="lim-truth-line">
        <span className="lim-truth-tag">read back</span>
        <pre className="lim-raw mono" data-testid="device-v1-raw">
          {v1.raw ?? '(unreadable)'}
        </pre>
      </div>
      <details>
        <summary>
          {v1.writes.length} write(s): <code>devices.deny a</code>, then the rules
        </summary>
        <pre className="mono">{v1.writes.map((w) => `${w.file.split('/').pop()} ← ${w.value}`).join('\n')}</pre>
        <p className="muted">devices.list should hold: {v1.expected.join(', ')}</p>
      </details>
    </div>
  );
}

function V2Box({ v2 }: { v2: NonNullable<DevicePolicyT['v2']> }): ReactNode {
  return (
    <div className="lim-truth" data-testid="device-v2">
      <PolicyHead
        version="v2"
        target={v2.group}
        title="the unified group the BPF_PROG_TYPE_CGROUP_DEVICE program is attached to"
        ok={v2.inForce}
      />
      <table className="table lim-table" aria-label="Attached device programs (BPF_PROG_QUERY)">
        <thead>
          <tr>
            <th scope="col">Program id</th>
            <th scope="col">Name</th>
            <th scope="col">Tag</th>
            <th scope="col">Instructions</th>
          </tr>
        </thead>
        <tbody>
          {v2.programs.length === 0 && (
            <tr>
              <td colSpan={4} className="dev-bad">
                No program attached
              </td>
            </tr>
          )}
          {v2.programs.map((p) => (
            <tr key={p.id} data-testid="device-v2-program">
              <td className="mono">{p.id}</td>
              <td className="mono">{p.name || '(unnamed)'}</td>
              <td className="mono">
                {p.tag}
                {p.berth && (v2.expectedTags.includes(p.tag) ? ' = compiled' : ' ≠ compiled')}
              </td>
              <td className="mono">{p.insnCount}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted">
        Compiled: {v2.insnCount} instructions, tag {v2.expectedTags[0]}. The program checks, first match wins:
      </p>
      <ol className="mono dev-table" data-testid="device-v2-table">
        {v2.table.map((row, i) => (
          <li key={i}>
            {row.action} {row.rule ?? '(anything else)'}
          </li>
        ))}
      </ol>
    </div>
  );
}

export function DevicePolicyPanel({ id }: { id: string }): ReactNode {
  const client = useBerth();
  const q = useQuery(devicePolicyQuery(client, id));
  if (q.isPending) return <p className="loading">Reading the device policy…</p>;
  if (q.isError && !q.data) {
    return <ErrorView error={q.error} title="Could not read the device policy" onRetry={() => void q.refetch()} />;
  }
  const p = q.data!;
  return (
    <div className="lim-row lim-row-block" data-testid="device-policy">
      <div className="lim-row-label">
        <span>Device policy in force</span>
        <code className="lim-name">containers.devices</code>
        {p.privileged ? (
          <span className="dev-bad" title="--privileged">
            privileged: every device
          </span>
        ) : (
          <span className="muted">deny every device, then allow the rules below</span>
        )}
        <button type="button" className="btn" onClick={() => void q.refetch()}>
          Read again
        </button>
      </div>
      <table className="table lim-table" aria-label="Device rules in force, in order">
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">Action</th>
            <th scope="col">Rule</th>
            <th scope="col">From</th>
            <th scope="col">For</th>
          </tr>
        </thead>
        <tbody>
          {p.rules.map((r, i) => (
            <tr key={i} data-testid="device-rule">
              <td>{i + 1}</td>
              <td>{r.allow ? 'allow' : 'deny'}</td>
              <td className="mono">{ruleText(r)}</td>
              <td>{r.source}</td>
              <td className="muted">{r.note}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {p.devices.length > 0 && (
        <details>
          <summary>{p.devices.length} device node(s) made in the container</summary>
          <ul className="mono">
            {p.devices.map((d) => (
              <li key={d.containerPath}>
                {d.containerPath} ← {d.hostPath} ({d.type} {d.major}:{d.minor}, mode {d.fileMode.toString(8)})
              </li>
            ))}
          </ul>
        </details>
      )}
      {!p.running && <p className="muted">Not running: these are the rules its next start installs.</p>}
      {p.v1 && <V1Box v1={p.v1} />}
      {p.v2 && <V2Box v2={p.v2} />}
      {p.errors.map((e) => (
        <p key={e.where} className="lim-error" role="alert">
          {e.where}: {e.message}
        </p>
      ))}
    </div>
  );
}
