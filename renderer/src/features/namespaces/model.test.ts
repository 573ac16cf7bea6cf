import { describe, expect, it } from 'vitest';
import {
  applyFilters,
  computeMembership,
  defaultFilters,
  knownContainers,
  listsComplete,
  sharedSentence,
  summarizeShared,
  type Filters,
} from './model';
import { ctrId, hostId, syntheticGraph } from './synthetic';
import type { ContainerRef, NamespaceType, SharedNamespaces } from './types';

const ref = (i: number, extra: Partial<ContainerRef> = {}): ContainerRef => ({
  id: ctrId(i),
  name: `c${i}`,
  state: 'running',
  pid: null,
  network: 'bridge',
  ...extra,
});

const small = () =>
  syntheticGraph({ hostProcesses: 5, containers: 3, processesPerContainer: 2, hostNetContainers: 1, sandboxes: 1 });

describe('computeMembership', () => {
  it('links a container to every namespace its processes are in, not to *_for_children ones', () => {
    const g = small();
    const m = computeMembership(g);
    const c0 = m.byContainer.get(ctrId(0))!;
    expect(c0.size).toBe(8);
    expect(c0.has(hostId('net'))).toBe(true); // container 0 runs with network host
    expect(c0.has(hostId('user'))).toBe(true);
    expect(c0.has(hostId('pid'))).toBe(false);
    expect(m.byContainer.get(ctrId(1))!.has(hostId('net'))).toBe(false);
    expect([...m.byNamespace.get(hostId('time'))!].sort()).toEqual([ctrId(0), ctrId(1), ctrId(2)]);
    // the monitor (via 'children') is not a member
    const pidNs = g.namespaces.find((ns) => ns.type === 'pid' && ns.container === ctrId(1))!;
    expect(pidNs.processes.some((p) => p.via === 'children')).toBe(true);
    expect(m.byNamespace.get(pidNs.id)).toEqual(new Set([ctrId(1)]));
    expect(listsComplete(g)).toBe(true);
  });

  it('knows every member from Namespace.containers even when the process lists are cut', () => {
    const g = syntheticGraph({
      hostProcesses: 60,
      containers: 2,
      processesPerContainer: 2,
      hostNetContainers: 1,
      processLimit: 50,
    });
    expect(listsComplete(g)).toBe(false);
    // Their processes come after 60 host ones: cut from the lists of user, time and (host-net) net…
    const user = g.namespaces.find((ns) => ns.id === hostId('user'))!;
    expect(user.processes.some((p) => p.container !== null)).toBe(false);
    // …but not from the membership.
    const m = computeMembership(g);
    expect(m.byContainer.get(ctrId(0))!.has(hostId('user'))).toBe(true);
    expect(m.byContainer.get(ctrId(0))!.has(hostId('net'))).toBe(true);
    expect(m.byContainer.get(ctrId(1))!.has(hostId('net'))).toBe(false);
    expect([...m.byNamespace.get(hostId('time'))!].sort()).toEqual([ctrId(0), ctrId(1)]);
  });
});

describe('applyFilters', () => {
  const g = small();
  const containers = [ref(0), ref(1), ref(2)];
  const m = computeMembership(g);
  const run = (f: Partial<Filters>) => applyFilters(g, m, containers, { ...defaultFilters(), ...f });

  it('shows everything by default, every known container', () => {
    const r = run({});
    expect(r.namespaces.length).toBe(g.namespaces.length);
    expect(r.namespaces.every((v) => !v.context)).toBe(true);
    expect(r.containers.map((c) => c.name)).toEqual(['c0', 'c1', 'c2']);
  });

  it('filters by type, keeping owners as context only when user namespaces are shown', () => {
    const r = run({ types: new Set<NamespaceType>(['net']) });
    expect(r.namespaces.every((v) => v.ns.type === 'net')).toBe(true);
    const withUser = run({ types: new Set<NamespaceType>(['net', 'user']) });
    const user = withUser.namespaces.find((v) => v.ns.id === hostId('user'))!;
    expect(user.context).toBe(false); // it is picked by the type filter itself
  });

  it('one container: its namespaces, plus the owners and parents they lead to as context', () => {
    const r = run({ container: ctrId(1) });
    const picked = r.namespaces.filter((v) => !v.context).map((v) => v.ns.type);
    expect(picked.sort()).toEqual(['cgroup', 'ipc', 'mnt', 'net', 'pid', 'time', 'user', 'uts']);
    const ctx = r.namespaces.filter((v) => v.context).map((v) => v.ns.id);
    expect(ctx).toEqual([hostId('pid')]); // the parent of its pid namespace
    expect(r.containers.map((c) => c.id)).toEqual([ctrId(1)]);
  });

  it('host only: no container nodes, no namespace a single container has to itself', () => {
    const r = run({ container: 'host' });
    expect(r.containers).toEqual([]);
    expect(r.namespaces.some((v) => v.ns.container !== null)).toBe(false);
    expect(r.ids.has(hostId('net'))).toBe(true);
  });

  it("hides the host's namespaces no container uses (the sandbox's, the orphan netns), keeping used ones", () => {
    const r = run({ hideUnused: true });
    expect(r.ids.has(hostId('net'))).toBe(true); // used by the network-host container
    expect(r.ids.has(hostId('time'))).toBe(true);
    expect(r.namespaces.some((v) => v.ns.holders.length > 0)).toBe(false);
    const sandboxOnly = (v: (typeof r.namespaces)[number]) =>
      v.ns.processes.length > 0 && v.ns.processes.every((p) => p.comm.startsWith('svc'));
    expect(r.namespaces.some(sandboxOnly)).toBe(false);
    // the host pid namespace is no container's, but it is the parent of theirs
    expect(r.namespaces.find((v) => v.ns.id === hostId('pid'))?.context).toBe(true);
  });
});

describe('knownContainers', () => {
  it('drops listed containers without namespaces and names unlisted ones by short id', () => {
    const g = small();
    const m = computeMembership(g);
    const list = [ref(1), ref(7, { state: 'exited' })];
    const k = knownContainers(list, m);
    expect(k.map((c) => c.name)).toEqual([ctrId(0).slice(0, 12), 'c1', ctrId(2).slice(0, 12)].sort());
  });
});

describe('shared with the host', () => {
  it('splits types into shared and separate, in display order', () => {
    const answer: SharedNamespaces = {
      a: 42,
      b: 'host',
      namespaces: [
        { type: 'cgroup', shared: false, a: 'cgroup:1', b: hostId('cgroup') },
        { type: 'ipc', shared: false, a: 'ipc:2', b: hostId('ipc') },
        { type: 'mnt', shared: false, a: 'mnt:3', b: hostId('mnt') },
        { type: 'net', shared: true, a: hostId('net'), b: hostId('net') },
        { type: 'pid', shared: false, a: 'pid:4', b: hostId('pid') },
        { type: 'time', shared: true, a: hostId('time'), b: hostId('time') },
        { type: 'user', shared: true, a: hostId('user'), b: hostId('user') },
        { type: 'uts', shared: false, a: 'uts:5', b: hostId('uts') },
      ],
    };
    const s = summarizeShared(answer);
    expect(s.shared).toEqual(['user', 'net', 'time']);
    expect(s.separate).toEqual(['mnt', 'pid', 'uts', 'ipc', 'cgroup']);
    expect(s.sharedIds.has(hostId('net'))).toBe(true);
    expect(s.separateIds.has('pid:4')).toBe(true);
    expect(s.hostIds.has(hostId('pid'))).toBe(true);
    expect(sharedSentence(s)).toBe('shared: user, net, time; separate: mnt, pid, uts, ipc, cgroup');
    expect(sharedSentence({ shared: [], separate: [] })).toBe('shared: none; separate: none');
  });
});
