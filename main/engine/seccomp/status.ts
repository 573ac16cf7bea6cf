/**
 * What `inspect` shows about seccomp: the profile asked for, the filter the
 * running init was given (from its run's spec.json) and the kernel's own
 * read-back (`Seccomp`, `Seccomp_filters` in /proc/PID/status).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { ContainerSeccompT } from '../../../preload/schemas/containers';
import type { SeccompSecurity } from './filters';

/** The filter named in a run's spec.json (also given to exec sessions), or null. */
export function runSeccompFilter(runDir: string): string | null {
  try {
    const spec = JSON.parse(fs.readFileSync(path.join(runDir, 'spec.json'), 'utf8')) as {
      seccomp?: { filter?: unknown };
    };
    return typeof spec.seccomp?.filter === 'string' ? spec.seccomp.filter : null;
  } catch {
    return null;
  }
}

/** `Seccomp:` (0 off, 1 strict, 2 filter) and `Seccomp_filters:` of a process, null when unreadable. */
export function kernelSeccomp(statusText: string): { mode: number | null; filters: number | null } {
  const num = (key: string): number | null => {
    const m = new RegExp(`^${key}:\\s*(\\d+)`, 'm').exec(statusText);
    return m ? Number(m[1]) : null;
  };
  return { mode: num('Seccomp'), filters: num('Seccomp_filters') };
}

export function seccompInForce(
  security: SeccompSecurity | undefined,
  running: { pid: number; runDir: string } | null,
): ContainerSeccompT {
  const s = security ?? { privileged: false, seccomp: 'default' as const };
  const profile =
    s.privileged || s.seccomp === 'unconfined' ? 'unconfined' : s.seccomp === 'default' ? 'default' : 'custom';
  const out: ContainerSeccompT = {
    profile,
    unconfinedBy: profile !== 'unconfined' ? null : s.privileged ? 'privileged' : 'option',
    profileSha256: typeof s.seccomp === 'object' ? createHash('sha256').update(s.seccomp.profile).digest('hex') : null,
    filter: null,
    kernel: null,
  };
  if (running) {
    const file = runSeccompFilter(running.runDir);
    if (file) {
      const size = fs.statSync(file, { throwIfNoEntry: false })?.size;
      out.filter = { key: path.basename(file, '.bpf'), instructions: size === undefined ? null : size / 8 };
    }
    try {
      out.kernel = kernelSeccomp(fs.readFileSync(`/proc/${running.pid}/status`, 'utf8'));
    } catch {
      out.kernel = null;
    }
  }
  return out;
}
