/**
 * Test support: a fake /proc tree on disk (real symlinks for ns and fd links,
 * real stat/status/mountinfo files), a ProcFs wrapper that injects the errors
 * a live /proc gives, and a table-driven NsIoctls. Used by the unit tests;
 * nothing here runs in the helper.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { NamespaceTypeT } from '../../preload/schemas/namespaces';
import type { NsInfo, NsInfoManyEntry, NsIoctls } from '../engine/namespaces/ioctls';
import { type ProcFs, nodeProcFs, parseNsIno } from '../engine/namespaces/procfs';

export type NsFileName =
  'cgroup' | 'ipc' | 'mnt' | 'net' | 'pid' | 'pid_for_children' | 'time' | 'time_for_children' | 'user' | 'uts';

export const NS_FILE_NAMES: readonly NsFileName[] = [
  'cgroup',
  'ipc',
  'mnt',
  'net',
  'pid',
  'pid_for_children',
  'time',
  'time_for_children',
  'user',
  'uts',
];

export function fileType(f: NsFileName): NamespaceTypeT {
  return f === 'pid_for_children' ? 'pid' : f === 'time_for_children' ? 'time' : f;
}

export type NsSet = Partial<Record<NsFileName, number>>;

export interface FakeThread {
  tid: number;
  /** Overrides of the leader's namespaces. */
  ns?: NsSet;
  comm?: string;
  nspid?: number[];
}

export interface FakeProcess {
  pid: number;
  ns: NsSet;
  comm: string;
  /** Default [pid]. */
  nspid?: number[];
  threads?: FakeThread[];
  mountinfo?: string;
  /** fd number → link target. */
  fds?: Record<number, string>;
  /** A kernel thread (PF_KTHREAD in stat, Kthread: 1 in status). */
  kthread?: boolean;
  /** The leader called pthread_exit: its ns links are gone, its threads' are not. */
  leaderGone?: boolean;
}

function writeTask(
  dir: string,
  id: number,
  comm: string,
  ns: NsSet,
  nspid: number[],
  threads: number,
  kthread = false,
): void {
  fs.mkdirSync(path.join(dir, 'ns'), { recursive: true });
  for (const f of NS_FILE_NAMES) {
    const ino = ns[f];
    if (ino !== undefined) fs.symlinkSync(`${fileType(f)}:[${ino}]`, path.join(dir, 'ns', f));
  }
  fs.writeFileSync(
    path.join(dir, 'stat'),
    `${id} (${comm}) S 1 ${id} ${id} 0 -1 ${kthread ? 2129984 : 4194560} 0 0 0 0 0 0 0 0 20 0 ${threads} 0 100 0 0 18446744073709551615\n`,
  );
  const name = comm.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
  fs.writeFileSync(
    path.join(dir, 'status'),
    `Name:\t${name}\nUmask:\t0022\nState:\tS (sleeping)\nTgid:\t${id}\nPid:\t${id}\nNSpid:\t${nspid.join('\t')}\n` +
      `Kthread:\t${kthread ? 1 : 0}\nThreads:\t${threads}\n`,
  );
  fs.writeFileSync(path.join(dir, 'comm'), `${comm}\n`);
}

/** Writes the fake tree under `root` ('self' → selfPid when given). */
export function buildFakeProc(
  root: string,
  procs: readonly FakeProcess[],
  opts: { self?: number; osrelease?: string } = {},
): void {
  fs.mkdirSync(root, { recursive: true });
  for (const p of procs) {
    const dir = path.join(root, String(p.pid));
    const nspid = p.nspid ?? [p.pid];
    const threads = 1 + (p.threads?.length ?? 0);
    const leaderNs = p.leaderGone ? {} : p.ns;
    writeTask(dir, p.pid, p.comm, leaderNs, nspid, threads, p.kthread);
    writeTask(path.join(dir, 'task', String(p.pid)), p.pid, p.comm, leaderNs, nspid, threads, p.kthread);
    for (const t of p.threads ?? []) {
      const tNspid = t.nspid ?? (nspid.length === 1 ? [t.tid] : [t.tid, nspid[nspid.length - 1]! + 1]);
      writeTask(path.join(dir, 'task', String(t.tid)), t.tid, t.comm ?? p.comm, { ...p.ns, ...t.ns }, tNspid, threads);
    }
    fs.writeFileSync(path.join(dir, 'mountinfo'), p.mountinfo ?? '1 0 8:1 / / rw - ext4 /dev/sda1 rw\n');
    fs.mkdirSync(path.join(dir, 'fd'));
    for (const [fd, target] of Object.entries(p.fds ?? {})) fs.symlinkSync(target, path.join(dir, 'fd', fd));
  }
  if (opts.self !== undefined) fs.symlinkSync(String(opts.self), path.join(root, 'self'));
  if (opts.osrelease !== undefined) {
    fs.mkdirSync(path.join(root, 'sys', 'kernel'), { recursive: true });
    fs.writeFileSync(path.join(root, 'sys', 'kernel', 'osrelease'), `${opts.osrelease}\n`);
  }
}

function errnoError(code: string, op: string, p: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: injected, ${op} '${p}'`), { code, syscall: op, path: p });
}

export interface Fault {
  op: keyof ProcFs;
  /** Matches when the path contains this text, or matches this pattern. */
  path: string | RegExp;
  code: string;
}

/** node:fs over the fake tree, with injected errors and extra (vanished) /proc entries. */
export function faultyProcFs(root: string, faults: readonly Fault[], extraEntries: readonly string[] = []): ProcFs {
  const check = (op: keyof ProcFs, p: string): void => {
    const f = faults.find((x) => x.op === op && (typeof x.path === 'string' ? p.includes(x.path) : x.path.test(p)));
    if (f) throw errnoError(f.code, op, p);
  };
  return {
    readdir(p) {
      check('readdir', p);
      const names = nodeProcFs.readdir(p);
      return p === root ? [...names, ...extraEntries] : names;
    },
    readlink(p) {
      check('readlink', p);
      return nodeProcFs.readlink(p);
    },
    readInto(p, buf) {
      check('readInto', p);
      return nodeProcFs.readInto(p, buf);
    },
    readFile(p) {
      check('readFile', p);
      return nodeProcFs.readFile(p);
    },
  };
}

export interface FakeNsFacts {
  type: NamespaceTypeT;
  /** NS_GET_USERNS; null = EPERM (initial user ns). */
  userns?: number | null;
  /** NS_GET_PARENT (pid, user); null = EPERM. */
  parent?: number | null;
  ownerUid?: number;
}

const CLONE: Record<NamespaceTypeT, number> = {
  cgroup: 0x02000000,
  ipc: 0x08000000,
  mnt: 0x00020000,
  net: 0x40000000,
  pid: 0x20000000,
  time: 0x00000080,
  user: 0x10000000,
  uts: 0x04000000,
};

export const FAKE_NSFS_DEV = 4;

/**
 * NsIoctls answering from a table by inode. Paths are resolved like the
 * kernel would: ns and fd links by reading the link, bind mounts through
 * `mounts` (path → inode).
 */
export function fakeIoctls(
  table: Record<number, FakeNsFacts>,
  mounts: Record<string, number> = {},
): NsIoctls & { calls: string[][] } {
  const calls: string[][] = [];
  return {
    calls,
    nsInfoMany(paths) {
      calls.push([...paths]);
      return paths.map((p): NsInfoManyEntry => {
        let ino = mounts[p];
        if (ino === undefined) {
          try {
            ino = parseNsIno(fs.readlinkSync(p));
          } catch {
            ino = -1;
          }
        }
        const facts = ino >= 0 ? table[ino] : undefined;
        if (ino < 0 || facts === undefined) {
          return {
            error: { code: 'ENOENT', errno: 2, syscall: 'open', path: p, message: `open ${p}: ENOENT (No such file)` },
          };
        }
        const info: NsInfo = {
          dev: FAKE_NSFS_DEV,
          ino,
          type: CLONE[facts.type],
          typeName: facts.type,
          userns: facts.userns == null ? null : { dev: FAKE_NSFS_DEV, ino: facts.userns },
        };
        if (facts.userns == null) info.usernsError = 'EPERM';
        if (facts.type === 'pid' || facts.type === 'user') {
          info.parent = facts.parent == null ? null : { dev: FAKE_NSFS_DEV, ino: facts.parent };
          if (facts.parent == null) info.parentError = 'EPERM';
        }
        if (facts.type === 'user') info.ownerUid = facts.ownerUid ?? 0;
        return info;
      });
    },
  };
}
