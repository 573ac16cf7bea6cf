/**
 * Seccomp rows of the Overview tab: the profile in force and, next to it,
 * the kernel's read-back from /proc/PID/status of the running init.
 */
import type { ReactNode } from 'react';
import { KernelFacts, Mono } from '../../ui/Facts';
import type { ContainerDetail } from './queries';
import { seccompKernelText, seccompMismatch, seccompProfileText } from './seccomp-text';

export function SeccompFacts({ c }: { c: ContainerDetail }): ReactNode {
  const s = c.seccomp;
  if (!s) return null; // an unreadable record: nothing known
  const kernel = seccompKernelText(s);
  const pid = c.nsPids[0] ?? c.pid;
  return (
    <KernelFacts
      label="seccomp"
      rows={[
        [
          'seccomp profile',
          s.profile === 'unconfined' ? (
            <span className="pill pill-no">{seccompProfileText(s)}</span>
          ) : (
            <Mono>{seccompProfileText(s)}</Mono>
          ),
          s.filter ? (
            <Mono>
              filter {s.filter.key.slice(0, 12)}
              {s.filter.instructions !== null ? `, ${s.filter.instructions} BPF instructions` : ''}
            </Mono>
          ) : (
            'compiled with libseccomp, installed just before execve'
          ),
        ],
        [
          'kernel read-back',
          <>
            {kernel ? <Mono>{kernel}</Mono> : <span className="muted">not running</span>}
            {seccompMismatch(s) ? <span className="pill pill-no"> differs from the profile</span> : null}
          </>,
          pid && kernel ? <Mono>/proc/{pid}/status</Mono> : '',
        ],
      ]}
    />
  );
}
