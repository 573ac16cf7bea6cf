/**
 * The scan on a fake /proc tree: parsing, threads, *_for_children, holders,
 * hidden namespaces, the "initial" rule's fallbacks, and the failures a live
 * /proc gives (vanished processes, EACCES) — all without root or the addon.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NamespaceGraph, type NamespaceGraphT, type NamespaceT } from '../../../preload/schemas/namespaces';
import {
  type FakeNsFacts,
  type FakeProcess,
  type Fault,
  type NsSet,
  NS_FILE_NAMES,
  buildFakeProc,
  fakeIoctls,
  faultyProcFs,
} from '../../testing/fake-proc';
import { nativeAvailable, procNsWalk } from '../../../native/index';
import {
  containerSubgraph,
  hostNamespaces,
  limitNamespaces,
  limitProcesses,
  namespacesOfPid,
  processPage,
  shared,
} from './graph';
import { INIT_NS_INO as I } from './initial';
import { type ScanOptions, scanNamespaces } from './scan';

// An older kernel (6.1): net and mnt have no static inode, the others do.
const HOST_NET = 4026531992;
const HOST_MNT = 4026531840;
const HOST: NsSet = {
  cgroup: I.cgroup,
  ipc: I.ipc,
  mnt: HOST_MNT,
  net: HOST_NET,
  pid: I.pid,
  pid_for_children: I.pid,
  time: I.time,
  time_for_children: I.time,
  user: I.user,
  uts: I.uts,
};
const C = {
  pid: 4026532200,
  net: 4026532201,
  uts: 4026532202,
  ipc: 4026532203,
  mnt: 4026532204,
  user: 4026532205,
};
const CONTAINER: NsSet = {
  ...HOST,
  pid: C.pid,
  pid_for_children: C.pid,
  net: C.net,
  uts: C.uts,
  ipc: C.ipc,
  mnt: C.mnt,
  user: C.user,
};
const THREAD_NET = 4026532100;
const UNSHARED_PID = 4026532300; // pid_for_children of `unshare --pid` before it forks
const MOUNTED_NET = 4026532900; // held only by a bind mount
const FD_NET = 4026532901; // held only by an open fd
const HIDDEN_USER = 4026532999; // owner of MOUNTED_NET, held by nothing we see

// Every process of the host mount namespace reads the same mount table.
const HOST_MOUNTINFO = [
  '21 1 0:20 / /proc rw - proc proc rw',
  `111 1 0:4 net:[${MOUNTED_NET}] /run/netns/blue rw - nsfs nsfs rw`,
  '',
].join('\n');

const PROCS: FakeProcess[] = [
  { pid: 1, ns: HOST, comm: 'systemd', mountinfo: HOST_MOUNTINFO },
  { pid: 2, ns: HOST, comm: 'kthreadd', mountinfo: HOST_MOUNTINFO, kthread: true },
  {
    pid: 100,
    ns: HOST,
    comm: 'berth-helper',
    threads: [
      { tid: 101, ns: { net: THREAD_NET }, comm: 'worker' },
      { tid: 102, comm: 'same' },
    ],
    mountinfo: HOST_MOUNTINFO,
    fds: { 0: '/dev/null', 1: 'socket:[99]', 2: 'pipe:[98]', 7: `net:[${FD_NET}]` },
  },
  { pid: 200, ns: CONTAINER, comm: 'sh', nspid: [200, 1] },
  { pid: 201, ns: CONTAINER, comm: 'odd) name', nspid: [201, 2] },
  { pid: 300, ns: { ...HOST, pid_for_children: UNSHARED_PID }, comm: 'unshare', mountinfo: HOST_MOUNTINFO },
  { pid: 500, ns: HOST, comm: 'secret', mountinfo: HOST_MOUNTINFO },
  { pid: 600, ns: HOST, comm: 'exiting', mountinfo: HOST_MOUNTINFO },
];

const FACTS: Record<number, FakeNsFacts> = {
  [I.cgroup]: { type: 'cgroup', userns: I.user },
  [I.ipc]: { type: 'ipc', userns: I.user },
  [HOST_MNT]: { type: 'mnt', userns: I.user },
  [HOST_NET]: { type: 'net', userns: I.user },
  [I.pid]: { type: 'pid', userns: I.user, parent: null },
  [I.time]: { type: 'time', userns: I.user },
  [I.user]: { type: 'user', userns: null, parent: null, ownerUid: 0 },
  [I.uts]: { type: 'uts', userns: I.user },
  [THREAD_NET]: { type: 'net', userns: I.user },
  [C.pid]: { type: 'pid', userns: C.user, parent: I.pid },
  [C.net]: { type: 'net', userns: C.user },
  [C.uts]: { type: 'uts', userns: C.user },
  [C.ipc]: { type: 'ipc', userns: C.user },
  [C.mnt]: { type: 'mnt', userns: C.user },
  [C.user]: { type: 'user', userns: I.user, parent: I.user, ownerUid: 1000 },
  [UNSHARED_PID]: { type: 'pid', userns: I.user, parent: I.pid },
  [MOUNTED_NET]: { type: 'net', userns: HIDDEN_USER },
  [FD_NET]: { type: 'net', userns: I.user },
};

const FAULTS: Fault[] = [
  { op: 'readlink', path: '/500/ns/', code: 'EACCES' },
  { op: 'readInto', path: '/600/stat', code: 'ESRCH' },
];

let tmp: string;
let proc: string;

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-fakeproc-'));
  proc = path.join(tmp, 'proc');
  buildFakeProc(proc, PROCS, { self: 100, osrelease: '6.1.0-18-amd64' });
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function scan(extra: Partial<ScanOptions> = {}, faults: Fault[] = FAULTS): NamespaceGraphT {
  return scanNamespaces({
    proc,
    fs: faultyProcFs(proc, faults, ['400']), // 400: listed by readdir, gone by the time we look
    ioctls: fakeIoctls(FACTS, { [`${proc}/1/root/run/netns/blue`]: MOUNTED_NET }),
    containers: { containerOfPid: (pid) => (pid === 200 || pid === 201 ? 'c1' : null) },
    fds: true,
    ...extra,
  });
}

function byId(g: NamespaceGraphT, id: string): NamespaceT {
  const ns = g.namespaces.find((n) => n.id === id);
  if (!ns) throw new Error(`${id} not in the scan: ${g.namespaces.map((n) => n.id).join(' ')}`);
  return ns;
}

describe('scan of a fake /proc', () => {
  it('produces a graph the contract schema accepts', () => {
    const g = scan();
    expect(() => NamespaceGraph.parse(g)).not.toThrow();
    expect(g.scannerPid).toBe(100);
    expect(g.processCount).toBe(6); // 1 2 100 200 201 300; not 400 (gone), 500 (EACCES), 600 (exited)
    expect(g.threadCount).toBe(2);
  });

  it('lists processes by leader with comm and NSpid', () => {
    const g = scan();
    const cnet = byId(g, `net:${C.net}`);
    expect(cnet.processes).toEqual([
      { pid: 200, nspid: [200, 1], comm: 'sh', via: 'proc', container: 'c1' },
      { pid: 201, nspid: [201, 2], comm: 'odd) name', via: 'proc', container: 'c1' },
    ]);
    const hostNet = byId(g, `net:${HOST_NET}`);
    expect(hostNet.processes.map((p) => p.pid)).toEqual([1, 2, 100, 300]);
    expect(hostNet.processes.find((p) => p.pid === 100)).toMatchObject({ nspid: [100], comm: 'berth-helper' });
  });

  it('lists a thread whose namespace differs from its leader, and only that one', () => {
    const g = scan();
    expect(byId(g, `net:${THREAD_NET}`).processes).toEqual([
      { pid: 100, tid: 101, nspid: [101], comm: 'worker', via: 'task', container: null },
    ]);
    expect(g.namespaces.flatMap((n) => n.processes).filter((p) => p.tid === 102)).toEqual([]);
  });

  it('skips threads when asked', () => {
    const g = scan({ threads: false });
    expect(g.namespaces.find((n) => n.inode === THREAD_NET)).toBeUndefined();
    expect(g.threadCount).toBe(0);
  });

  it('pid_for_children that differs from the process’s own pid namespace is listed via children', () => {
    const g = scan();
    expect(byId(g, `pid:${UNSHARED_PID}`).processes).toEqual([
      { pid: 300, nspid: [300], comm: 'unshare', via: 'children', container: null },
    ]);
    expect(byId(g, `pid:${UNSHARED_PID}`).parent).toBe(`pid:${I.pid}`);
  });

  it('finds a namespace held only by a bind mount, with its path and mount namespace', () => {
    const ns = byId(scan(), `net:${MOUNTED_NET}`);
    expect(ns.processes).toEqual([]);
    expect(ns.holders).toEqual([{ kind: 'mount', path: '/run/netns/blue', mountNs: `mnt:${HOST_MNT}`, pid: 1 }]);
    expect(ns.ownerUserNs).toBe(`user:${HIDDEN_USER}`);
  });

  it('finds a namespace held only by an open fd, and ignores sockets and pipes', () => {
    const g = scan();
    expect(byId(g, `net:${FD_NET}`).holders).toEqual([{ kind: 'fd', pid: 100, fd: 7 }]);
    expect(g.coverage).toMatchObject({ fds: true, fdsRead: expect.any(Number), fdLimitReached: false });
  });

  it('fds are off unless asked for', () => {
    const g = scan({ fds: undefined });
    expect(g.namespaces.find((n) => n.inode === FD_NET)).toBeUndefined();
    expect(g.coverage).toMatchObject({ fds: false, fdsRead: 0 });
  });

  it('stops reading fds at the limit and says so', () => {
    const g = scan({ fdLimit: 2 });
    expect(g.coverage).toMatchObject({ fdsRead: 2, fdLimitReached: true });
  });

  it('mounts and fds can be left out', () => {
    const g = scan({ mounts: false, fds: false });
    expect(g.namespaces.find((n) => n.inode === MOUNTED_NET || n.inode === FD_NET)).toBeUndefined();
    expect(g.coverage).toMatchObject({ mounts: false, fds: false, fdsRead: 0 });
  });

  it('a namespace only named as an owner is listed as hidden', () => {
    const ns = byId(scan(), `user:${HIDDEN_USER}`);
    expect(ns).toMatchObject({ hidden: true, processes: [], holders: [], parent: null, ownerUserNs: null });
  });

  it('parents, owners and owner uid come from the ioctls', () => {
    const g = scan();
    expect(byId(g, `pid:${C.pid}`)).toMatchObject({ parent: `pid:${I.pid}`, ownerUserNs: `user:${C.user}` });
    expect(byId(g, `user:${C.user}`)).toMatchObject({
      parent: `user:${I.user}`,
      ownerUserNs: `user:${I.user}`,
      ownerUid: 1000,
    });
    expect(byId(g, `user:${I.user}`)).toMatchObject({ parent: null, ownerUserNs: null, ownerUid: 0, dev: 4 });
    expect(byId(g, `net:${C.net}`).parent).toBeNull();
  });

  it('one ioctl batch, one path per namespace', () => {
    const ioctls = fakeIoctls(FACTS, { [`${proc}/1/root/run/netns/blue`]: MOUNTED_NET });
    const g = scan({ ioctls });
    expect(ioctls.calls).toHaveLength(1);
    const paths = ioctls.calls[0]!;
    expect(paths).toHaveLength(g.namespaces.filter((n) => !n.hidden).length);
  });

  it('without ioctls: no dev, parents or owners, but the same namespaces', () => {
    const g = scan({ ioctls: null });
    expect(g.namespaces.every((n) => n.dev === 0 && n.parent === null && n.ownerUserNs === null)).toBe(true);
    expect(g.namespaces.some((n) => n.hidden)).toBe(false);
    expect(g.namespaces.length).toBe(scan().namespaces.length - 1); // minus the hidden user ns
  });

  it('retries a namespace through its second path when the first process exited', () => {
    // 200's files vanish between the walk and the ioctls: 201 answers for them.
    const base = fakeIoctls(FACTS);
    const ioctls = {
      nsInfoMany: (paths: readonly string[]) =>
        base
          .nsInfoMany(paths)
          .map((r, i) =>
            paths[i]!.includes('/200/')
              ? { error: { code: 'ENOENT', errno: 2, syscall: 'open', path: paths[i]!, message: 'gone' } }
              : r,
          ),
    };
    const g = scan({ ioctls });
    expect(byId(g, `pid:${C.pid}`).parent).toBe(`pid:${I.pid}`);
    expect(g.errors.filter((e) => e.code === 'ENOENT')).toEqual([]);
  });

  it('tolerates vanished processes (ENOENT, ESRCH) and counts EACCES once per process', () => {
    const g = scan();
    expect(g.errors).toEqual([{ pid: 500, code: 'EACCES', message: expect.stringContaining('/500/ns/') }]);
    const pids = new Set(g.namespaces.flatMap((n) => n.processes.map((p) => p.pid)));
    for (const gone of [400, 500, 600]) expect(pids.has(gone)).toBe(false);
  });

  it('a process that exits between its links and its stat is dropped, not half-listed', () => {
    const g = scan({}, [{ op: 'readInto', path: /\/201\/stat$/, code: 'ENOENT' }]);
    // 201 is in a child pid namespace: its facts come from status, which is still there.
    expect(byId(g, `net:${C.net}`).processes.map((p) => p.pid)).toEqual([200, 201]);
    const g2 = scan({}, [{ op: 'readInto', path: '/201/status', code: 'ENOENT' }]);
    expect(byId(g2, `net:${C.net}`).processes.map((p) => p.pid)).toEqual([200]);
  });

  it('a thread that exits mid-scan is skipped', () => {
    const g = scan({}, [{ op: 'readlink', path: '/task/101/ns/', code: 'ENOENT' }]);
    expect(g.namespaces.find((n) => n.inode === THREAD_NET)).toBeUndefined();
  });

  it('fails as a whole only when /proc itself cannot be listed', () => {
    expect(() => scanNamespaces({ proc: path.join(tmp, 'nope'), ioctls: null })).toThrow(/cannot list/);
  });

  it('a container namespace belongs to the container; shared ones to nobody', () => {
    const g = scan();
    expect(byId(g, `net:${C.net}`).container).toBe('c1');
    expect(byId(g, `cgroup:${I.cgroup}`).container).toBeNull();
    expect(scan({ containers: undefined }).namespaces.every((n) => n.container === null)).toBe(true);
  });

  it('containers: every container with a process in it, shared ones too, not via children', () => {
    const g = scan({
      containers: { containerOfPid: (pid) => (pid === 200 || pid === 201 ? 'c1' : pid === 300 ? 'c2' : null) },
    });
    expect(byId(g, `net:${C.net}`).containers).toEqual(['c1']);
    expect(byId(g, `cgroup:${I.cgroup}`).containers).toEqual(['c1', 'c2']); // c1's cgroup ns is the host's
    expect(byId(g, `pid:${UNSHARED_PID}`).containers).toEqual([]); // 300 is only there via pid_for_children
    expect(byId(g, `net:${HOST_NET}`).containers).toEqual(['c2']);
  });
});

// The fake tree is real files and symlinks: the addon's walk reads it too.
describe.runIf(nativeAvailable())('the native walk (procNsWalk) and the JS walk agree', () => {
  const comparable = (g: NamespaceGraphT) => ({ ...g, scannedAt: '', durationMs: 0, phasesMs: null });

  it('on the fake host: processes, threads, children, comm with ")", NSpid, holders, errors', () => {
    const opts: ScanOptions = {
      proc,
      ioctls: fakeIoctls(FACTS, { [`${proc}/1/root/run/netns/blue`]: MOUNTED_NET }),
      containers: { containerOfPid: (pid) => (pid === 200 || pid === 201 ? 'c1' : null) },
      fds: true,
    };
    const native = scanNamespaces({ ...opts, walk: 'native' });
    const js = scanNamespaces({ ...opts, walk: 'js' });
    expect(native.processCount).toBe(8); // no faults injected here: 500 and 600 are readable
    expect(native.threadCount).toBe(2);
    expect(comparable(native)).toEqual(comparable(js));
    expect(byId(native, `net:${THREAD_NET}`).processes).toEqual([
      { pid: 100, tid: 101, nspid: [101], comm: 'worker', via: 'task', container: null },
    ]);
  });

  it('without threads', () => {
    const native = scanNamespaces({ proc, ioctls: null, threads: false, walk: 'native' });
    const js = scanNamespaces({ proc, ioctls: null, threads: false, walk: 'js' });
    expect(native.threadCount).toBe(0);
    expect(comparable(native)).toEqual(comparable(js));
  });

  it('the default is the native walk unless a ProcFs is given', () => {
    // A faulty ProcFs only the JS walk goes through: its EACCES shows, so it was used.
    expect(scan().errors.map((e) => e.code)).toEqual(['EACCES']);
    expect(scanNamespaces({ proc, ioctls: null }).errors).toEqual([]);
  });

  it('processLimit cuts like limitProcesses, reading comm only for what it keeps', () => {
    const opts: ScanOptions = {
      proc,
      ioctls: null,
      containers: { containerOfPid: (pid) => (pid === 200 || pid === 201 ? 'c1' : null) },
    };
    for (const walk of ['native', 'js'] as const) {
      const full = scanNamespaces({ ...opts, walk });
      for (const n of [0, 1, 2, 50]) {
        const cut = scanNamespaces({ ...opts, walk, processLimit: n });
        expect(comparable(cut), `${walk} ${n}`).toEqual(comparable(limitProcesses(full, n)));
      }
    }
    // The walk without stat reads: thread counts from task/'s link count, comm and kthread unknown.
    const lazy = procNsWalk(proc, NS_FILE_NAMES, true, I.pid, 1, false);
    const eager = procNsWalk(proc, NS_FILE_NAMES, true, I.pid, 1, true);
    expect(Array.from(lazy.threads)).toEqual(Array.from(eager.threads));
    expect(Array.from(lazy.pid)).toEqual(Array.from(eager.pid));
    const host = Array.from(lazy.pid).flatMap((pid, i) => (lazy.tid[i] === 0 && pid !== 200 && pid !== 201 ? [i] : []));
    expect(host.map((i) => [lazy.comm[i], lazy.kthread[i]])).toEqual(host.map(() => ['', 2]));
  });

  it('split over workers, the rows come back in pid order, the same as one worker’s', () => {
    const files = NS_FILE_NAMES;
    const one = procNsWalk(proc, files, true, -1, 1);
    expect(Array.from(one.pid)).toEqual([1, 2, 100, 100, 200, 201, 300, 500, 600]); // 100's second row: thread 101
    expect(Array.from(one.tid)).toEqual([0, 0, 0, 101, 0, 0, 0, 0, 0]);
    for (const workers of [2, 3, 9]) expect(procNsWalk(proc, files, true, -1, workers)).toEqual(one);
  });

  it('refuses bad arguments with EINVAL_ARG', () => {
    expect(() => procNsWalk(proc, ['net', 'bogus' as 'net'], true, -1)).toThrow(
      expect.objectContaining({ code: 'EINVAL_ARG' }),
    );
    expect(() => procNsWalk('', ['net'], true, -1)).toThrow(expect.objectContaining({ code: 'EINVAL_ARG' }));
    expect(() => procNsWalk(proc, ['net'], true, -1, 65)).toThrow(expect.objectContaining({ code: 'EINVAL_ARG' }));
  });

  it('an unlistable /proc fails the native walk as a whole, with its errno', () => {
    expect(() => scanNamespaces({ proc: path.join(tmp, 'nope'), ioctls: null, walk: 'native' })).toThrow(
      expect.objectContaining({ code: 'ENOENT', message: expect.stringMatching(/cannot list/) }),
    );
  });
});

describe('initial namespaces on a fake /proc (kernel 6.1: net and mnt have no static inode)', () => {
  it('static inodes for the six types that have them; PID 1 for net and mnt', () => {
    const g = scan();
    expect(Object.fromEntries(g.initial.map((i) => [i.type, [i.id, i.source]]))).toEqual({
      cgroup: [`cgroup:${I.cgroup}`, 'static-inode'],
      ipc: [`ipc:${I.ipc}`, 'static-inode'],
      mnt: [`mnt:${HOST_MNT}`, 'init'],
      net: [`net:${HOST_NET}`, 'init'],
      pid: [`pid:${I.pid}`, 'static-inode'],
      time: [`time:${I.time}`, 'static-inode'],
      user: [`user:${I.user}`, 'static-inode'],
      uts: [`uts:${I.uts}`, 'static-inode'],
    });
    const initial = g.namespaces.filter((n) => n.initial).map((n) => n.id);
    expect(initial).toHaveLength(8);
    expect(byId(g, `net:${C.net}`).initial).toBe(false);
    expect(byId(g, `net:${THREAD_NET}`).initial).toBe(false);
  });

  it('PID 1 unreadable (EACCES): kthreadd (PID 2) answers', () => {
    const g = scan({}, [...FAULTS, { op: 'readlink', path: `${proc}/1/ns/`, code: 'EACCES' }]);
    expect(g.initial.find((i) => i.type === 'net')).toEqual({ type: 'net', id: `net:${HOST_NET}`, source: 'kthreadd' });
    expect(g.errors.map((e) => e.pid).sort()).toEqual([1, 500]);
  });

  it('PID 1 and 2 unreadable: the scanner’s own, as a guess, since it is in the initial user and pid ns', () => {
    const g = scan({}, [
      ...FAULTS,
      { op: 'readlink', path: `${proc}/1/ns/`, code: 'EACCES' },
      { op: 'readlink', path: `${proc}/2/ns/`, code: 'EACCES' },
    ]);
    expect(g.initial.find((i) => i.type === 'mnt')).toEqual({ type: 'mnt', id: `mnt:${HOST_MNT}`, source: 'scanner' });
    expect(byId(g, `mnt:${HOST_MNT}`).initial).toBe(true);
  });

  it('hostNamespaces and shared() use the initial ones', () => {
    const g = scan();
    expect(hostNamespaces(g).map((n) => n.id)).toEqual(g.initial.map((i) => i.id));
    const s = shared(g, 200, 'host');
    expect(Object.fromEntries(s.namespaces.map((e) => [e.type, e.shared]))).toEqual({
      cgroup: true,
      ipc: false,
      mnt: false,
      net: false,
      pid: false,
      time: true,
      user: false,
      uts: false,
    });
    expect(s.namespaces.find((e) => e.type === 'net')).toEqual({
      type: 'net',
      shared: false,
      a: `net:${C.net}`,
      b: `net:${HOST_NET}`,
    });
  });
});

describe('graph views', () => {
  it('shared() between two processes of one container: everything', () => {
    const s = shared(scan(), 200, 201);
    expect(s.namespaces).toHaveLength(8);
    expect(s.namespaces.every((e) => e.shared)).toBe(true);
  });

  it('shared() refuses a pid the scan did not see', () => {
    expect(() => shared(scan(), 200, 99999)).toThrow(expect.objectContaining({ code: 'NS_PROCESS_NOT_FOUND' }));
  });

  it('namespacesOfPid gives the process’s own, not its children’s', () => {
    const mine = namespacesOfPid(scan(), 300);
    expect(mine.get('pid')?.inode).toBe(I.pid);
    expect(mine.size).toBe(8);
  });

  it('containerSubgraph: the container’s namespaces with its processes, plus their ancestors', () => {
    const g = scan();
    const sub = containerSubgraph(g, 'c1');
    const ids = sub.namespaces.map((n) => n.id);
    for (const id of [`pid:${C.pid}`, `net:${C.net}`, `user:${C.user}`, `cgroup:${I.cgroup}`, `pid:${I.pid}`]) {
      expect(ids).toContain(id);
    }
    // The host's user namespace is there as the owner/parent of the container's.
    expect(ids).toContain(`user:${I.user}`);
    expect(sub.namespaces.find((n) => n.id === `cgroup:${I.cgroup}`)!.processes.map((p) => p.pid)).toEqual([200, 201]);
    expect(sub.processCount).toBe(2);
    for (const n of sub.namespaces) {
      for (const ref of [n.parent, n.ownerUserNs]) if (ref !== null) expect(ids).toContain(ref);
    }
    expect(ids).not.toContain(`net:${HOST_NET}`);
    expect(() => NamespaceGraph.parse(sub)).not.toThrow();
    expect(containerSubgraph(g, 'nope').namespaces).toEqual([]);
  });

  it('limitProcesses cuts lists for transport and keeps the counts', () => {
    const g = scan();
    const cut = limitProcesses(g, 2);
    const net = cut.namespaces.find((n) => n.id === `net:${HOST_NET}`)!;
    expect(net.processes.map((p) => p.pid)).toEqual([1, 2]);
    expect(net.processCount).toBe(4);
    expect(byId(g, `net:${HOST_NET}`).processes).toHaveLength(4); // the input is left alone
    expect(limitProcesses(g, 1000)).toBe(g);
    expect(() => NamespaceGraph.parse(cut)).not.toThrow();
    // Membership was computed before the cut: c1 is still named where its processes fell off.
    const cnet = limitProcesses(g, 0).namespaces.find((n) => n.id === `net:${C.net}`)!;
    expect(cnet.processes).toEqual([]);
    expect(cnet.containers).toEqual(['c1']);
  });

  it('limitNamespaces keeps user, initial and container namespaces first, in scan order, with the total', () => {
    const g = scan();
    expect(limitNamespaces(g, 1000)).toBe(g);
    const users = g.namespaces.filter((n) => n.type === 'user').length;
    const initial = g.namespaces.filter((n) => n.initial && n.type !== 'user').length;
    const cut = limitNamespaces(g, users + initial + 1);
    expect(cut.namespaces).toHaveLength(users + initial + 1);
    expect(cut.namespaceCount).toBe(g.namespaces.length);
    expect(cut.namespaces.filter((n) => n.type === 'user')).toHaveLength(users);
    expect(cut.namespaces.filter((n) => !n.initial && n.type !== 'user').map((n) => n.containers.length > 0)).toEqual([
      true,
    ]);
    const order = g.namespaces.map((n) => n.id);
    const ids = cut.namespaces.map((n) => n.id);
    expect([...ids].sort((a, b) => order.indexOf(a) - order.indexOf(b))).toEqual(ids);
    expect(() => NamespaceGraph.parse(cut)).not.toThrow();
  });

  it('processPage pages through one namespace’s whole list; an unknown id is NS_NOT_FOUND', () => {
    const g = scan();
    const id = `net:${HOST_NET}`;
    expect(processPage(g, id, 0, 3)).toMatchObject({ id, processCount: 4, offset: 0 });
    expect(processPage(g, id, 0, 3).processes.map((p) => p.pid)).toEqual([1, 2, 100]);
    expect(processPage(g, id, 3, 3).processes.map((p) => p.pid)).toEqual([300]);
    expect(processPage(g, id, 9, 3).processes).toEqual([]);
    expect(() => processPage(g, 'net:1', 0, 3)).toThrow(expect.objectContaining({ code: 'NS_NOT_FOUND' }));
  });
});

describe('whose mount table is read', () => {
  it('a user process’s rather than a kernel thread’s, when the mount namespace has both', () => {
    const root = path.join(tmp, 'proc-kthread-first');
    const ns: NsSet = { ...HOST };
    buildFakeProc(
      root,
      [
        // A kernel thread's root can be the rootfs under the real root: its table is not the one to read.
        { pid: 2, ns, comm: 'kthreadd', kthread: true, mountinfo: '1 0 0:1 / / rw - rootfs rootfs rw\n' },
        { pid: 3, ns, comm: 'kworker/0:0', kthread: true, mountinfo: '1 0 0:1 / / rw - rootfs rootfs rw\n' },
        { pid: 40, ns, comm: 'init', mountinfo: HOST_MOUNTINFO },
      ],
      { self: 40, osrelease: '6.1.0' },
    );
    // processLimit: the native walk does not know who is a kernel thread; it reads stat for the candidates.
    for (const extra of [{}, { processLimit: 1 }]) {
      const g = scanNamespaces({ proc: root, ioctls: null, ...extra });
      const ns2 = g.namespaces.find((n) => n.inode === MOUNTED_NET);
      expect(ns2?.holders).toEqual([{ kind: 'mount', path: '/run/netns/blue', mountNs: `mnt:${HOST_MNT}`, pid: 40 }]);
      expect(g.namespaces.find((n) => n.type === 'mnt')?.processes[0]?.comm).toBe('kthreadd');
    }
  });
});

describe('a process whose leader exited (pthread_exit) while threads live on', () => {
  it('is listed through its first live thread', () => {
    const root = path.join(tmp, 'proc-zombie-leader');
    const OWN_NET = 4026532700;
    buildFakeProc(
      root,
      [
        { pid: 40, ns: HOST, comm: 'init', mountinfo: HOST_MOUNTINFO },
        {
          pid: 700,
          ns: { ...HOST, net: OWN_NET },
          comm: 'daemon',
          leaderGone: true,
          threads: [{ tid: 701 }, { tid: 702 }, { tid: 703, ns: { uts: 4026532701 } }],
        },
      ],
      { self: 40, osrelease: '6.1.0' },
    );
    const g = scanNamespaces({ proc: root, ioctls: null });
    const net = g.namespaces.find((n) => n.inode === OWN_NET);
    expect(net?.processes).toEqual([{ pid: 700, nspid: [700], comm: 'daemon', via: 'proc', container: null }]);
    // 702 is like 701 (the stand-in): not listed; 703 differs in uts.
    expect(g.namespaces.find((n) => n.inode === 4026532701)?.processes).toEqual([
      { pid: 700, tid: 703, nspid: [703], comm: 'daemon', via: 'task', container: null },
    ]);
    expect(g.processCount).toBe(2);
    expect(g.threadCount).toBe(2);
  });
});
