/** Small pieces shared by the table and the details view. */
import { useEffect, useState, type ReactNode } from 'react';
import { stateLabel, stateTone } from './format';
import type { ContainerSummary } from './queries';

/** A clock for "Up 3 m 05 s" cells. */
export function useNow(intervalMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(t);
  }, [intervalMs]);
  return now;
}

export function StatePill({ c }: { c: Pick<ContainerSummary, 'state' | 'exitCode' | 'oomKilled'> }): ReactNode {
  return (
    <span className={`ctr-state ctr-state-${stateTone(c)}`} data-state={c.state}>
      {stateLabel(c)}
    </span>
  );
}

/** --privileged: a danger badge wherever the container is named. */
export function PrivilegedBadge({ c }: { c: Pick<ContainerSummary, 'privileged'> }): ReactNode {
  return c.privileged ? (
    <span
      className="pill pill-no ctr-privileged-badge"
      title="--privileged: every capability, no seccomp, every device, no masked paths, a writable /sys"
    >
      privileged
    </span>
  ) : null;
}
