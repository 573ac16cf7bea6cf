/**
 * What `ps` and `inspect` say of a container: a record (or a damaged one) as
 * a ContainerSummary, the `ps` filters, and the container's pids as its own
 * pid namespaces see them. Pure reads; the manager supplies the records.
 */
import fs from 'node:fs';
import type { ContainerStateT, ContainerSummaryT } from '../../../preload/schemas/containers';
import type { ContainerRecord, DamagedRecord } from './record';

export interface ListFilter {
  state?: ContainerStateT[];
  name?: string;
  label?: string[];
  image?: string;
}

/** A usable record; `networks` is its user-defined networks' view (endpoints.ts). */
export function containerSummary(
  r: ContainerRecord,
  networks: ContainerSummaryT['network']['networks'],
): ContainerSummaryT {
  return {
    id: r.id,
    name: r.name,
    image: r.image,
    imageId: r.imageId,
    command: r.process.args,
    created: r.created,
    state: r.state,
    reason: null,
    pid: r.pid,
    exitCode: r.exitCode,
    oomKilled: r.oomKilled,
    startedAt: r.startedAt,
    finishedAt: r.finishedAt,
    restartCount: r.restartCount,
    network: {
      mode: r.config.network,
      ip: r.network.ip,
      ports: r.config.ports,
      networks,
    },
    labels: r.config.labels,
    mounts: r.config.volumes.map((v) => v.source),
    privileged: r.config.security?.privileged ?? false,
    pod: r.config.pod ?? null,
  };
}

/** What an answer says of a damaged record: its id, the state `unreadable` and why; nothing invented. */
export function damagedSummary(d: DamagedRecord): ContainerSummaryT {
  return {
    id: d.id,
    name: d.id,
    image: '',
    imageId: '',
    command: [],
    created: d.seen,
    state: 'unreadable',
    reason: d.reason,
    pid: null,
    exitCode: null,
    oomKilled: false,
    startedAt: null,
    finishedAt: null,
    restartCount: 0,
    network: { mode: null, ip: null, ports: [], networks: [] },
    labels: {},
    mounts: [],
    privileged: false,
    pod: null,
  };
}

/** `ps` (`-a` is `all`), newest first; damaged records show with -a, as docker's dead ones do. */
export function listed(
  records: ContainerRecord[],
  damaged: DamagedRecord[],
  all: boolean,
  f: ListFilter,
  summary: (r: ContainerRecord) => ContainerSummaryT,
): ContainerSummaryT[] {
  // Damaged ones are never running, so they show with -a (docker ps -a shows dead ones too).
  const broken = damaged
    .filter(() => all || (f.state ?? []).includes('unreadable'))
    .filter(() => !f.state || f.state.includes('unreadable'))
    .filter((d) => !f.name || d.id.includes(f.name))
    .filter(() => !f.image && (f.label ?? []).length === 0)
    .map(damagedSummary);
  const usable = records
    .filter((r) => all || r.state === 'running' || r.state === 'paused' || r.state === 'restarting')
    .filter((r) => !f.state || f.state.includes(r.state))
    .filter((r) => !f.name || r.name.includes(f.name))
    .filter((r) => !f.image || r.image === f.image || r.imageId === f.image)
    .filter((r) =>
      (f.label ?? []).every((l) => {
        const [k, v] = l.split('=');
        return k !== undefined && k in r.config.labels && (v === undefined || r.config.labels[k] === v);
      }),
    )
    .map(summary);
  return [...usable, ...broken].sort((a, b) => b.created.localeCompare(a.created));
}

/** The NSpid line of /proc/PID/status: the pid in each pid namespace, outermost first; [] when gone. */
export function nsPidsOf(pid: number): number[] {
  try {
    const line = /^NSpid:\s*(.*)$/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return line?.[1]?.trim().split(/\s+/).map(Number) ?? [];
  } catch {
    return [];
  }
}
