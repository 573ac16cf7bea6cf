/**
 * Test support: synthetic `NamespaceGraph`s shaped like a real host's scan
 * (the host's initial namespaces, containers with their own mnt/pid/net/uts/
 * ipc/cgroup, some with their own user namespace, sandboxed services, an
 * orphaned netns held by a bind mount). Used by the unit tests only.
 */
import type { Namespace, NamespaceGraph, NamespaceProcess, NamespaceType } from './types';

export const HOST_INODES: Readonly<Record<NamespaceType, number>> = {
  mnt: 0xeffffff8,
  net: 0xeffffff9,
  time: 0xeffffffa,
  cgroup: 0xeffffffb,
  pid: 0xeffffffc,
  user: 0xeffffffd,
  uts: 0xeffffffe,
  ipc: 0xefffffff,
};

export const hostId = (t: NamespaceType) => `${t}:${HOST_INODES[t]}`;

export interface SyntheticOptions {
  hostProcesses: number;
  containers: number;
  processesPerContainer: number;
  /** Of the containers, how many have their own user namespace (and own everything else through it). */
  usernsContainers?: number;
  /** Of the containers, how many use the host's network namespace (network host). */
  hostNetContainers?: number;
  /** Services with a private mnt + net (systemd PrivateNetwork-like). */
  sandboxes?: number;
  /** Cut every process list to this many entries (processCount keeps the total), like the engine's limitProcesses. */
  processLimit?: number;
}

export const ctrId = (i: number) => `${String(i).padStart(4, '0')}`.repeat(16);

export function syntheticGraph(o: SyntheticOptions): NamespaceGraph {
  let nextInode = 4026532000;
  const byId = new Map<string, Namespace>();
  const mk = (type: NamespaceType, inode: number, extra: Partial<Namespace> = {}): Namespace => {
    const ns: Namespace = {
      id: `${type}:${inode}`,
      type,
      inode,
      dev: 4,
      ownerUserNs: type === 'user' ? null : hostId('user'),
      parent: null,
      initial: false,
      hidden: false,
      processes: [],
      processCount: 0,
      holders: [],
      container: null,
      containers: [],
      ...extra,
    };
    byId.set(ns.id, ns);
    return ns;
  };
  const host = {} as Record<NamespaceType, Namespace>;
  for (const t of Object.keys(HOST_INODES) as NamespaceType[]) host[t] = mk(t, HOST_INODES[t], { initial: true });

  let pid = 1;
  const join = (p: NamespaceProcess, nss: Namespace[]) => {
    for (const ns of nss) ns.processes.push(p);
  };
  for (let i = 0; i < o.hostProcesses; i++) {
    const p: NamespaceProcess = { pid: ++pid, nspid: [pid], comm: `proc${pid}`, via: 'proc', container: null };
    join(p, Object.values(host));
  }
  for (let s = 0; s < (o.sandboxes ?? 0); s++) {
    const mnt = mk('mnt', nextInode++);
    const net = mk('net', nextInode++);
    const p: NamespaceProcess = { pid: ++pid, nspid: [pid], comm: `svc${s}`, via: 'proc', container: null };
    join(p, [mnt, net, host.user, host.pid, host.uts, host.ipc, host.cgroup, host.time]);
  }
  const usernsN = o.usernsContainers ?? 0;
  const hostNetN = o.hostNetContainers ?? 0;
  for (let c = 0; c < o.containers; c++) {
    const id = ctrId(c);
    const userns = c < usernsN;
    const user = userns
      ? mk('user', nextInode++, { parent: hostId('user'), ownerUserNs: hostId('user'), ownerUid: 0, container: id })
      : host.user;
    const owner = user.id;
    const own = (t: NamespaceType) =>
      mk(t, nextInode++, { ownerUserNs: owner, container: id, parent: t === 'pid' ? hostId('pid') : null });
    const nss = [user, own('mnt'), own('pid'), own('uts'), own('ipc'), own('cgroup'), host.time];
    const hostNet = c >= usernsN && c < usernsN + hostNetN;
    nss.push(hostNet ? host.net : own('net'));
    const pidNs = nss[2]!;
    for (let k = 0; k < o.processesPerContainer; k++) {
      const p: NamespaceProcess = {
        pid: ++pid,
        nspid: [pid, k + 1],
        comm: k === 0 ? 'init' : 'worker',
        via: 'proc',
        container: id,
      };
      join(p, nss);
    }
    // The monitor's pid_for_children points into the container's pid namespace.
    pidNs.processes.unshift({ pid: ++pid, nspid: [pid], comm: 'berth-mon', via: 'children', container: null });
  }
  // An orphaned netns, held by a bind mount only.
  mk('net', nextInode++, { holders: [{ kind: 'mount', path: '/run/netns/orphan', mountNs: hostId('mnt'), pid: 2 }] });
  // A hidden user namespace (only named as an owner).
  const hidden = mk('user', nextInode++, { hidden: true, ownerUserNs: null });
  mk('net', nextInode++, { ownerUserNs: hidden.id, holders: [{ kind: 'fd', pid: 3, fd: 7 }] });

  const namespaces = [...byId.values()].map((ns) => {
    const processes = [...ns.processes].sort((a, b) => a.pid - b.pid);
    const members = [
      ...new Set(processes.filter((p) => p.via !== 'children' && p.container !== null).map((p) => p.container!)),
    ];
    const whole = { ...ns, processes, processCount: processes.length, containers: members.sort() };
    if (ns.container === null && processes.length > 0 && processes.every((p) => p.container !== null)) {
      const owners = new Set(processes.map((p) => p.container));
      if (owners.size === 1) whole.container = [...owners][0]!;
    }
    if (o.processLimit !== undefined && processes.length > o.processLimit) {
      whole.processes = processes.slice(0, o.processLimit);
    }
    return whole;
  });
  namespaces.sort((a, b) => (a.type < b.type ? -1 : a.type > b.type ? 1 : a.inode - b.inode));
  return {
    namespaces,
    namespaceCount: namespaces.length,
    scannedAt: '2025-01-01T00:00:00.000Z',
    durationMs: 123.4,
    phasesMs: { processes: 100, mounts: 1, fds: 0, ioctls: 2 },
    processCount: pid - 1,
    threadCount: 0,
    scannerPid: 2,
    initial: (Object.keys(HOST_INODES) as NamespaceType[]).map((t) => ({
      type: t,
      id: hostId(t),
      source: 'static-inode' as const,
    })),
    coverage: { threads: true, mounts: true, fds: false, fdsRead: 0, fdLimitReached: false },
    errors: [],
  };
}
