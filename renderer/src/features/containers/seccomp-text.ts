/** Words for the seccomp profile in force (Overview tab), kept apart from JSX so they can be tested. */
import type { ContainerDetail } from './queries';

type Seccomp = NonNullable<ContainerDetail['seccomp']>;

export function seccompProfileText(s: Seccomp): string {
  switch (s.profile) {
    case 'default':
      return "default (Docker's semantics)";
    case 'custom':
      return `custom, sha256 ${s.profileSha256?.slice(0, 12) ?? '?'}`;
    default:
      return s.unconfinedBy === 'privileged' ? 'unconfined (--privileged)' : 'unconfined (seccomp=unconfined)';
  }
}

const MODES: Record<number, string> = { 0: 'disabled', 1: 'strict', 2: 'filter' };

/** "Seccomp: 2 (filter) · Seccomp_filters: 1", or null when not running. */
export function seccompKernelText(s: Seccomp): string | null {
  if (!s.kernel) return null;
  const { mode, filters } = s.kernel;
  const m = mode === null ? '?' : `${mode}${MODES[mode] ? ` (${MODES[mode]})` : ''}`;
  return `Seccomp: ${m} · Seccomp_filters: ${filters ?? '?'}`;
}

/** The read-back disagrees with the profile (a filter asked for, none in force, or the reverse). */
export function seccompMismatch(s: Seccomp): boolean {
  if (!s.kernel || s.kernel.mode === null) return false;
  return (s.profile === 'unconfined') !== (s.kernel.mode === 0);
}
