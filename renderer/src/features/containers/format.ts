/** How a container's state, times and sizes read in the UI (docker's words where it has them). */
import type { ContainerSummaryT } from '../../../../preload/schemas/containers';

type StateFields = Pick<ContainerSummaryT, 'state' | 'exitCode' | 'oomKilled'>;

/** "Running", "Paused", "Exited (137)", "OOM killed", "Created", … */
export function stateLabel(c: StateFields): string {
  switch (c.state) {
    case 'running':
      return 'Running';
    case 'paused':
      return 'Paused';
    case 'restarting':
      return 'Restarting';
    case 'created':
      return 'Created';
    case 'dead':
      return 'Dead';
    case 'unreadable':
      return 'Unreadable';
    case 'exited':
      if (c.oomKilled) return 'OOM killed';
      return c.exitCode === null ? 'Exited' : `Exited (${c.exitCode})`;
  }
}

/** A CSS modifier for the state pill. */
export function stateTone(c: StateFields): 'ok' | 'warn' | 'no' | 'idle' {
  if (c.state === 'running') return 'ok';
  if (c.state === 'paused' || c.state === 'restarting') return 'warn';
  if (
    c.oomKilled ||
    c.state === 'dead' ||
    c.state === 'unreadable' ||
    (c.state === 'exited' && c.exitCode !== 0 && c.exitCode !== null)
  )
    return 'no';
  return 'idle';
}

export function isLive(state: ContainerSummaryT['state']): boolean {
  return state === 'running' || state === 'paused' || state === 'restarting';
}

/** A compact span: "42 s", "3 m 05 s", "2 h 07 m", "4 d 03 h". */
export function shortDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const pad = (n: number) => String(n).padStart(2, '0');
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} m ${pad(s % 60)} s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h} h ${pad(m % 60)} m`;
  const d = Math.floor(h / 24);
  return `${d} d ${pad(h % 24)} h`;
}

/** "Up 3 m 05 s" for a running container, "4 m ago" since it finished, "—" otherwise. */
export function uptimeText(c: Pick<ContainerSummaryT, 'state' | 'startedAt' | 'finishedAt'>, now: number): string {
  if (isLive(c.state) && c.startedAt) return `Up ${shortDuration(now - Date.parse(c.startedAt))}`;
  if (c.finishedAt) return `${shortDuration(now - Date.parse(c.finishedAt))} ago`;
  return '—';
}

export function shortId(id: string): string {
  return id.slice(0, 12);
}
