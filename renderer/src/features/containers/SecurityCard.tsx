/**
 * Overview's Security card: what the container may do, as the engine
 * resolved it: privileged (marked dangerous), the capability set its
 * processes hold (as /proc/PID/status CapEff shows it), read-only root,
 * and its user namespace's own id range (uid_map / gid_map).
 */
import type { ReactNode } from 'react';
import { DEFAULT_CAPABILITY_NAMES } from '../../../../preload/schemas/capabilities';
import type { ContainerDetail } from './queries';
import { Mono } from '../../ui/Facts';

type Row = readonly [label: string, value: ReactNode, source?: ReactNode];

/** "host 2147483648–2147549183 ↔ container 0–65535". */
export function idRangeText(hostFirst: number, size: number): string {
  return `container 0–${size - 1} ↔ host ${hostFirst}–${hostFirst + size - 1}`;
}

/** How a set differs from docker's default: "+CAP_NET_ADMIN −CAP_MKNOD", or "default". */
export function capabilityDelta(caps: readonly string[]): string {
  const added = caps.filter((c) => !(DEFAULT_CAPABILITY_NAMES as readonly string[]).includes(c));
  const dropped = DEFAULT_CAPABILITY_NAMES.filter((c) => !caps.includes(c));
  if (added.length === 0 && dropped.length === 0) return 'the default set';
  return [...added.map((c) => `+${c}`), ...dropped.map((c) => `−${c}`)].join(' ');
}

export function securityRows(c: ContainerDetail): Row[] {
  if (!c.config) return []; // an unreadable record: nothing known
  const sec = c.config.security;
  const pid = c.nsPids[0] ?? c.pid;
  const rows: Row[] = [
    [
      'privileged',
      sec.privileged ? <span className="pill pill-no">yes — dangerous</span> : 'no',
      sec.privileged
        ? 'every capability, no seccomp, every device, no masked or read-only /proc paths, writable /sys'
        : 'masked and read-only /proc paths, read-only /sys',
    ],
    [
      `capabilities (${c.capabilities.length})`,
      c.capabilities.length === 0 ? (
        <span className="muted">none</span>
      ) : (
        <ul className="ctr-caps-list" aria-label="capabilities">
          {c.capabilities.map((cap) => (
            <li key={cap}>
              <Mono>{cap}</Mono>
            </li>
          ))}
        </ul>
      ),
      <>
        {capabilityDelta(c.capabilities)} · bounding = permitted = effective
        {pid ? (
          <>
            {' '}
            (<Mono>/proc/{pid}/status CapEff</Mono>)
          </>
        ) : null}
      </>,
    ],
    ['no_new_privs', 'on', <Mono>prctl(PR_SET_NO_NEW_PRIVS) — always</Mono>],
    [
      'root filesystem',
      sec.readOnlyRootfs ? 'read-only (tmpfs on /tmp, /var/tmp, /run)' : 'writable (overlay upper dir)',
      sec.readOnlyRootfs ? <Mono>--read-only</Mono> : undefined,
    ],
    [
      'user namespace',
      c.idRange ? (
        <Mono>
          uid {idRangeText(c.idRange.uid, c.idRange.size)}; gid {idRangeText(c.idRange.gid, c.idRange.size)}
        </Mono>
      ) : (
        <span className="muted">none: root inside is the host&apos;s root (limited by the above)</span>
      ),
      c.idRange ? <Mono>/proc/{pid ?? 'PID'}/uid_map · its own range of Berth&apos;s subordinate ids</Mono> : undefined,
    ],
  ];
  return rows;
}
