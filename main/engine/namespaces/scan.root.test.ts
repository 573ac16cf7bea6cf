/**
 * The scan on the real /proc, as root, with the native addon: checked
 * against lsns and against namespaces made here with unshare(1). Every child
 * started is killed in afterEach.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { NamespaceGraph, type NamespaceGraphT, type NamespaceT } from '../../../preload/schemas/namespaces';
import { hostNamespaces, namespacesOfPid, shared } from './graph';
import { INIT_NS_INO } from './initial';
import { type ScanOptions, scanNamespaces } from './scan';

const isRoot = process.getuid?.() === 0;

interface Sleeper {
  /** unshare(1) itself. */
  child: ChildProcess;
  /** The sleep inside the new namespaces (unshare's child with --fork, else unshare after exec). */
  pid: number;
}

const children: ChildProcess[] = [];
const extraPids: number[] = [];

function comm(pid: number): string | null {
  try {
    return fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return null;
  }
}

function sleepUnder(root: number): number | null {
  if (comm(root) === 'sleep') return root;
  let kids: string;
  try {
    kids = fs.readFileSync(`/proc/${root}/task/${root}/children`, 'utf8');
  } catch {
    return null;
  }
  for (const k of kids.trim().split(/\s+/).filter(Boolean)) if (comm(Number(k)) === 'sleep') return Number(k);
  return null;
}

async function startSleeper(unshareArgs: string[]): Promise<Sleeper> {
  const child = spawn('unshare', [...unshareArgs, 'sleep', '30'], { stdio: ['ignore', 'ignore', 'pipe'] });
  children.push(child);
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`unshare ${unshareArgs.join(' ')} exited: ${stderr}`);
    const pid = child.pid === undefined ? null : sleepUnder(child.pid);
    if (pid !== null) {
      if (pid !== child.pid) extraPids.push(pid);
      return { child, pid };
    }
    if (Date.now() > deadline) throw new Error(`unshare ${unshareArgs.join(' ')}: no sleep after 10 s; ${stderr}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function stop(s: Sleeper): Promise<void> {
  try {
    process.kill(s.pid, 'SIGKILL');
  } catch {
    /* already gone */
  }
  if (s.child.exitCode === null && s.child.signalCode === null) {
    s.child.kill('SIGKILL');
    await once(s.child, 'exit');
  }
}

afterEach(async () => {
  for (const pid of extraPids.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  for (const c of children.splice(0)) {
    if (c.exitCode === null && c.signalCode === null) {
      c.kill('SIGKILL');
      await once(c, 'exit');
    }
  }
});

function scan(opts: ScanOptions = {}): NamespaceGraphT {
  return scanNamespaces(opts);
}

function own(g: NamespaceGraphT, pid: number): Map<string, NamespaceT> {
  const m = namespacesOfPid(g, pid);
  expect(m.size, `process ${pid} in the scan`).toBeGreaterThanOrEqual(7);
  return m;
}

function readIno(link: string): number | null {
  try {
    const s = fs.readlinkSync(link);
    return Number(/\[(\d+)\]$/.exec(s)?.[1] ?? NaN);
  } catch {
    return null;
  }
}

describe.runIf(isRoot)('namespace scan of this host (root)', () => {
  it.each([
    ['native walk', { walk: 'native' }],
    ['js walk', { walk: 'js' }],
    ['native walk, processLimit 50 (the UI call)', { walk: 'native', processLimit: 50 }],
  ] as const)('lists every namespace lsns lists, with the same type (%s)', (_, opts) => {
    const scan = (): NamespaceGraphT => scanNamespaces(opts);
    const out = execFileSync('lsns', ['--json', '--output', 'NS,TYPE,PID,NPROCS'], { encoding: 'utf8' });
    const listed = (JSON.parse(out) as { namespaces: { ns: number; type: string; pid: number }[] }).namespaces;
    expect(listed.length).toBeGreaterThan(0);
    const g1 = scan();
    expect(() => NamespaceGraph.parse(g1)).not.toThrow();
    let g2: NamespaceGraphT | null = null;
    const missing: string[] = [];
    for (const l of listed) {
      const mine = g1.namespaces.find((n) => n.inode === l.ns);
      if (mine) {
        expect(mine.type, `ns ${l.ns}`).toBe(l.type);
        continue;
      }
      // Gone since lsns looked (other work on this host starts and ends processes)?
      if (readIno(`/proc/${l.pid}/ns/${l.type}`) !== l.ns) continue;
      g2 ??= scan();
      const again = g2.namespaces.find((n) => n.inode === l.ns);
      if (again) expect(again.type).toBe(l.type);
      else missing.push(`${l.type}:${l.ns} (pid ${l.pid})`);
    }
    expect(missing).toEqual([]);
    expect(g1.processCount).toBeGreaterThan(0);
  });

  it('marks the namespaces with the kernel’s static initial inodes as initial', () => {
    const g = scan();
    const ids = new Set(hostNamespaces(g).map((n) => n.id));
    for (const type of ['user', 'pid', 'ipc', 'uts', 'cgroup'] as const) {
      const ino = readIno(`/proc/self/ns/${type}`);
      if (ino === INIT_NS_INO[type]) expect(ids.has(`${type}:${ino}`), type).toBe(true);
    }
    const self = own(g, process.pid);
    expect(g.scannerPid).toBe(process.pid);
    if (readIno('/proc/self/ns/pid') === INIT_NS_INO.pid) expect(self.get('pid')!.initial).toBe(true);
  });

  it('unshare --fork --pid --mount-proc --net --uts --ipc: new namespaces, NSpid [hostpid, 1]', async () => {
    const s = await startSleeper(['--fork', '--kill-child', '--pid', '--mount-proc', '--net', '--uts', '--ipc']);
    const g = scan();
    const mine = own(g, s.pid);
    const me = own(g, process.pid);
    for (const type of ['pid', 'net', 'uts', 'ipc', 'mnt']) {
      const ns = mine.get(type as NamespaceT['type'])!;
      expect(ns.initial, type).toBe(false);
      expect(ns.id, type).not.toBe(me.get(type as NamespaceT['type'])!.id);
    }
    for (const type of ['user', 'cgroup'] as const) expect(mine.get(type)!.id).toBe(me.get(type)!.id);

    const pidNs = mine.get('pid')!;
    expect(pidNs.parent).toBe(me.get('pid')!.id);
    if (me.get('pid')!.initial) expect(pidNs.parent).toBe(g.initial.find((i) => i.type === 'pid')!.id);
    expect(pidNs.ownerUserNs).toBe(me.get('user')!.id);
    const entry = pidNs.processes.find((p) => p.pid === s.pid && p.via === 'proc')!;
    expect(entry.nspid).toEqual([s.pid, 1]);
    expect(entry.comm).toBe('sleep');
    // unshare itself stays in our pid namespace; its children go to the new one.
    expect(pidNs.processes).toContainEqual(
      expect.objectContaining({ pid: s.child.pid, via: 'children', nspid: [s.child.pid] }),
    );
    await stop(s);
  });

  it('unshare --uts: shares net with us and the host, not uts', async () => {
    const s = await startSleeper(['--uts']);
    const g = scan();
    const withMe = shared(g, s.pid, process.pid);
    const by = Object.fromEntries(withMe.namespaces.map((e) => [e.type, e.shared]));
    expect(by).toMatchObject({ net: true, uts: false, pid: true, mnt: true, user: true, ipc: true });
    const withHost = shared(g, s.pid, 'host');
    const hostUts = withHost.namespaces.find((e) => e.type === 'uts');
    if (hostUts) expect(hostUts.shared).toBe(false);
    const myNet = own(g, process.pid).get('net')!;
    if (myNet.initial) expect(withHost.namespaces.find((e) => e.type === 'net')!.shared).toBe(true);
    await stop(s);
  });

  it('a namespace held only by a bind mount is found through mountinfo, with its path', () => {
    const file = `/tmp/berth-nsfile-${process.pid}-${Date.now()}`;
    fs.writeFileSync(file, '');
    try {
      execFileSync('unshare', [`--net=${file}`, 'true']);
      const ino = fs.statSync(file).ino;
      const g = scan({ fds: false });
      const ns = g.namespaces.find((n) => n.inode === ino);
      expect(ns, `net:${ino} in the scan`).toBeDefined();
      expect(ns!.type).toBe('net');
      expect(ns!.processes).toEqual([]);
      expect(ns!.hidden).toBe(false);
      expect(ns!.initial).toBe(false);
      expect(ns!.holders).toContainEqual({
        kind: 'mount',
        path: file,
        mountNs: own(g, process.pid).get('mnt')!.id,
        pid: expect.any(Number),
      });
      // The ioctls reached it through /proc/PID/root + the mount point.
      expect(ns!.ownerUserNs).toBe(own(g, process.pid).get('user')!.id);
    } finally {
      try {
        execFileSync('umount', [file]);
      } finally {
        fs.rmSync(file, { force: true });
      }
    }
  });

  it('a namespace held only by an open fd is found through /proc/PID/fd', async () => {
    const s = await startSleeper(['--net']);
    const fd = fs.openSync(`/proc/${s.pid}/ns/net`, 'r');
    try {
      const ino = fs.fstatSync(fd).ino;
      await stop(s);
      expect(comm(s.pid)).toBeNull();
      const g = scan({ fds: true });
      const ns = g.namespaces.find((n) => n.inode === ino);
      expect(ns, `net:${ino} in the scan`).toBeDefined();
      expect(ns!.processes).toEqual([]);
      expect(ns!.holders).toContainEqual({ kind: 'fd', pid: process.pid, fd });
      expect(ns!.ownerUserNs).not.toBeNull(); // ioctls through /proc/PID/fd/N
      // Without the fd pass it is invisible: nothing else holds it.
      expect(scan({ fds: false }).namespaces.find((n) => n.inode === ino)).toBeUndefined();
    } finally {
      fs.closeSync(fd);
    }
  });

  it('unshare --user --map-root-user: owner uid 0, parent ours, and it owns what was made inside', async () => {
    const s = await startSleeper(['--user', '--map-root-user', '--net', '--uts']);
    const g = scan();
    const mine = own(g, s.pid);
    const me = own(g, process.pid);
    const user = mine.get('user')!;
    expect(user.id).not.toBe(me.get('user')!.id);
    expect(user.initial).toBe(false);
    expect(user.ownerUid).toBe(0);
    expect(user.parent).toBe(me.get('user')!.id);
    expect(mine.get('net')!.ownerUserNs).toBe(user.id);
    expect(mine.get('uts')!.ownerUserNs).toBe(user.id);
    // What it did not unshare stays ours, owned by our user namespace.
    expect(mine.get('ipc')!.id).toBe(me.get('ipc')!.id);
    expect(mine.get('ipc')!.ownerUserNs).toBe(me.get('ipc')!.ownerUserNs);
    await stop(s);
  });

  it.runIf(fs.existsSync('/usr/bin/python3'))(
    'a process whose leader called pthread_exit is still listed, through its live thread',
    async () => {
      // The main thread exits holding the GIL; the other thread stays (blocked) alive.
      const script = [
        'import threading, time, ctypes',
        't = threading.Thread(target=lambda: time.sleep(30)); t.start()',
        'time.sleep(0.1)',
        'ctypes.CDLL(None).pthread_exit(None)',
      ].join('\n');
      const child = spawn('unshare', ['--net', '/usr/bin/python3', '-c', script], { stdio: 'ignore' });
      children.push(child);
      const pid = child.pid!;
      const deadline = Date.now() + 10_000;
      while (!/^\d+ \(python3\) Z /.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'))) {
        if (Date.now() > deadline) throw new Error('the leader did not exit');
        await new Promise((r) => setTimeout(r, 10));
      }
      expect(readIno(`/proc/${pid}/ns/net`)).toBeNull(); // gone with the leader
      const g = scan();
      const net = namespacesOfPid(g, pid).get('net');
      expect(net?.id).not.toBe(own(g, process.pid).get('net')!.id);
      expect(net?.processes).toContainEqual(expect.objectContaining({ pid, via: 'proc', comm: 'python3' }));
    },
  );
});
