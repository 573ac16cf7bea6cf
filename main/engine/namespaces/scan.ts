/**
 * The host's namespace inventory from /proc and the nsfs ioctls.
 *
 * The /proc walk (walk.ts: the addon's procNsWalk by default, a JS walk as
 * fallback) gives each process's ns link inodes, comm, thread count and
 * NSpid, and the threads that differ from their leader; this module builds
 * the graph from those rows, reads one mountinfo per distinct mount
 * namespace for nsfs bind mounts, optionally the fd links, then makes one
 * nsInfoMany call with one representative path per distinct namespace for
 * parents, owners and the owner uid. README.md has the sources and costs.
 */
import { performance } from 'node:perf_hooks';
import type {
  NamespaceGraphT,
  NamespaceHolderT,
  NamespaceInitialT,
  NamespaceProcessT,
  NamespaceScanErrorT,
  NamespaceT,
  NamespaceTypeT,
} from '../../../preload/schemas/namespaces';
import { type InitialEvidence, type NsInodes, parseKernelRelease, resolveInitial } from './initial';
import { type NsIoctls, type NsInfo, type NsInfoManyEntry, nativeNsIoctls } from './ioctls';
import {
  NS_TYPES,
  type ProcFs,
  errnoCode,
  isVanished,
  lineOf,
  nodeProcFs,
  nsLinkType,
  parseNSpid,
  parseNsIno,
  parseNsfsMounts,
  parseStat,
  type TaskFacts,
} from './procfs';
import { type NsFile, type ProcWalk, type WalkKind, pickWalk, walkJs, walkNative } from './walk';

/** Maps a process to the container it belongs to (the containers engine provides one). */
export interface ContainerLookup {
  containerOfPid(pid: number): string | null;
}

export const noContainers: ContainerLookup = { containerOfPid: () => null };

export interface ScanOptions {
  /** procfs root (default '/proc'); tests point it at a fake tree. */
  proc?: string;
  /** The nsfs ioctls (default: the native addon). null: skip them (dev 0, no parents or owners). */
  ioctls?: NsIoctls | null;
  /** File operations (default: node:fs); tests wrap it to inject errors. */
  fs?: ProcFs;
  containers?: ContainerLookup;
  /** Compare every thread's namespaces with its leader's (default true). */
  threads?: boolean;
  /** Read nsfs bind mounts from one mountinfo per mount namespace (default true). */
  mounts?: boolean;
  /**
   * Read /proc/PID/fd links for namespaces held only by open fds (default
   * false: it costs more than the rest of the scan; README.md has figures).
   */
  fds?: boolean;
  /** At most this many fd links read per scan (default 200,000). */
  fdLimit?: number;
  /** Which /proc walk (walk.ts; default: native unless `fs` is given or the addon is missing). */
  walk?: WalkKind;
  /**
   * Cut each namespace's process list to its first N entries (processCount
   * and containers stay whole) and read comm only for those: the native walk
   * then skips the stat read of the scanner's pid namespace's processes
   * (~20 µs each; the thread count comes from task/'s link count). Default:
   * whole lists, every comm read (shared/containerSubgraph/processPage need them).
   */
  processLimit?: number;
}

export const DEFAULT_FD_LIMIT = 200_000;

const ALL_FILES: readonly Omit<NsFile, 'childrenOf'>[] = [
  { name: 'cgroup', type: 'cgroup', perThread: true },
  { name: 'ipc', type: 'ipc', perThread: true },
  { name: 'mnt', type: 'mnt', perThread: true },
  { name: 'net', type: 'net', perThread: true },
  { name: 'pid', type: 'pid', perThread: false },
  { name: 'pid_for_children', type: 'pid', perThread: true },
  { name: 'time', type: 'time', perThread: false },
  { name: 'time_for_children', type: 'time', perThread: true },
  { name: 'user', type: 'user', perThread: false },
  { name: 'uts', type: 'uts', perThread: true },
];

/** Mutable namespace record while scanning. */
interface NsBuild {
  type: NamespaceTypeT;
  ino: number;
  /** Path the ioctls open, and a second one in case its process exits first. */
  path: string | null;
  alt: string | null;
  processes: NamespaceProcessT[];
  holders: NamespaceHolderT[];
  dev: number;
  ownerUserNs: string | null;
  parent: string | null;
  ownerUid: number | undefined;
  hidden: boolean;
  /** mnt only: where to read this mount namespace's mount table, its root, and whose it is. */
  mountinfo: string | null;
  mountRoot: string;
  mountPid: number;
  mountKthread: boolean;
}

function nsId(type: NamespaceTypeT, ino: number): string {
  return `${type}:${ino}`;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export function scanNamespaces(opts: ScanOptions = {}): NamespaceGraphT {
  const t0 = performance.now();
  const scannedAt = new Date().toISOString();
  const proc = opts.proc ?? '/proc';
  const pfs = opts.fs ?? nodeProcFs;
  const ioctls = opts.ioctls === undefined ? nativeNsIoctls : opts.ioctls;
  const lookup = opts.containers ?? null;
  const wantThreads = opts.threads ?? true;
  const wantMounts = opts.mounts ?? true;
  const wantFds = opts.fds ?? false;
  const fdLimit = opts.fdLimit ?? DEFAULT_FD_LIMIT;

  const errors: NamespaceScanErrorT[] = [];
  const byIno = new Map<number, NsBuild>();

  const getNs = (type: NamespaceTypeT, ino: number, path: string | null): NsBuild => {
    let ns = byIno.get(ino);
    if (ns === undefined) {
      ns = {
        type,
        ino,
        path,
        alt: null,
        processes: [],
        holders: [],
        dev: 0,
        ownerUserNs: null,
        parent: null,
        ownerUid: undefined,
        hidden: false,
        mountinfo: null,
        mountRoot: '',
        mountPid: 0,
        mountKthread: false,
      };
      byIno.set(ino, ns);
    } else if (ns.path === null) {
      ns.path = path;
    } else if (ns.alt === null && path !== null && path !== ns.path) {
      ns.alt = path;
    }
    return ns;
  };

  // ── what this kernel has, and who we are ──────────────────────────────────
  let present: Set<string> | null;
  try {
    present = new Set(pfs.readdir(`${proc}/self/ns`));
  } catch {
    present = null; // no /proc/self (a fake tree without it): assume every type
  }
  const files: NsFile[] = [];
  for (const f of ALL_FILES) {
    if (present !== null && !present.has(f.name)) continue;
    files.push({ ...f, childrenOf: -1 });
  }
  for (const f of files) {
    if (f.name.endsWith('_for_children')) f.childrenOf = files.findIndex((g) => g.name === f.type);
  }
  const nFiles = files.length;
  const mntIdx = files.findIndex((f) => f.name === 'mnt');
  const types = NS_TYPES.filter((t) => files.some((f) => f.type === t));

  let scannerPid: number | null = null;
  try {
    const n = Number(pfs.readlink(`${proc}/self`));
    if (Number.isInteger(n) && n > 0) scannerPid = n;
  } catch {
    scannerPid = null;
  }

  const buf = Buffer.allocUnsafe(4096);
  // NSpid of a process in the pid namespace of the /proc mount is just [pid]:
  // skip its status file when the scanner is in that namespace too and the
  // process shares the scanner's pid namespace (the common case on a host).
  let scannerPidNs = -1;
  let procIsScannerPidNs = false;
  if (scannerPid !== null) {
    try {
      scannerPidNs = parseNsIno(pfs.readlink(`${proc}/self/ns/pid`));
      const own = parseNSpid(buf, pfs.readInto(`${proc}/self/status`, buf));
      procIsScannerPidNs = own !== null && own.length === 1;
    } catch {
      procIsScannerPidNs = false;
    }
  }

  let kernel: readonly [number, number] | null;
  try {
    kernel = parseKernelRelease(lineOf(buf, pfs.readInto(`${proc}/sys/kernel/osrelease`, buf)));
  } catch {
    kernel = null;
  }

  // ── processes and threads ─────────────────────────────────────────────────
  const tWalk = performance.now();
  const walkKind = pickWalk(opts.walk, opts.fs !== undefined);
  const processLimit = opts.processLimit;
  const params = {
    proc,
    files,
    threads: wantThreads,
    ownPidNs: procIsScannerPidNs ? scannerPidNs : -1,
    comm: processLimit === undefined,
  };
  let walk: ProcWalk;
  try {
    walk = walkKind === 'native' ? walkNative(params) : walkJs(pfs, params);
  } catch (err) {
    const code = errnoCode(err) || 'ENOENT';
    throw Object.assign(new Error(`cannot list ${proc}: ${message(err)}`), { code });
  }
  errors.push(...walk.errors);

  const leaders: number[] = [];
  let processCount = 0;
  let pid1: NsInodes | null = null;
  let kthreadd: NsInodes | null = null;
  let scannerNs: NsInodes | null = null;

  const inodesOf = (off: number): NsInodes => {
    const out: NsInodes = {};
    for (let i = 0; i < nFiles; i++) {
      const f = files[i]!;
      if (f.childrenOf < 0 && walk.inos[off + i]! >= 0) out[f.type] = walk.inos[off + i]!;
    }
    return out;
  };
  const nspidOf = (row: number, id: number): number[] => {
    const from = walk.nspidStart[row]!;
    const to = walk.nspidStart[row + 1]!;
    if (from === to) return [id]; // the scanner's pid namespace (or no NSpid line)
    const out: number[] = [];
    for (let k = from; k < to; k++) out.push(walk.nspid[k]!);
    return out;
  };

  // comm and kthread of processes the walk did not read them for (kthread 2):
  // read here only where they matter (a mount namespace's reader, PID 2, the
  // entries a processLimit cut keeps), once per pid.
  const lateFacts = new Map<number, { comm: string; kthread: boolean }>();
  const factsOf = (pid: number): { comm: string; kthread: boolean } => {
    let f = lateFacts.get(pid);
    if (f === undefined) {
      let t: TaskFacts | null;
      try {
        t = parseStat(buf, pfs.readInto(`${proc}/${pid}/stat`, buf));
      } catch {
        t = null; // exited since the walk: listed without comm
      }
      f = { comm: t?.comm ?? '', kthread: t?.kthread ?? false };
      lateFacts.set(pid, f);
    }
    return f;
  };
  const pending = new Set<NamespaceProcessT>();
  const kthreadOf = (row: number, pid: number): boolean =>
    walk.kthread[row] === 2 ? factsOf(pid).kthread : walk.kthread[row] === 1;

  const rows = walk.pid.length;
  let container: string | null = null;
  for (let row = 0; row < rows; row++) {
    const pid = walk.pid[row]!;
    const tid = walk.tid[row]!;
    const off = row * nFiles;
    let comm = walk.comm[row]!;
    const unknown = walk.kthread[row] === 2;

    if (tid !== 0) {
      // A thread whose namespaces differ from its process's (only those links are set).
      const tBase = `${proc}/${pid}/task/${tid}`;
      const tEntry: NamespaceProcessT = { pid, tid, nspid: nspidOf(row, tid), comm, via: 'task', container };
      for (let i = 0; i < nFiles; i++) {
        const ino = walk.inos[off + i]!;
        if (ino < 0) continue;
        const f = files[i]!;
        const ns = getNs(f.type, ino, `${tBase}/ns/${f.name}`);
        ns.processes.push(tEntry);
        if (f.type === 'mnt' && ns.mountinfo === null) {
          ns.mountinfo = `${tBase}/mountinfo`;
          ns.mountRoot = `${tBase}/root`;
          ns.mountPid = pid;
        }
      }
      continue;
    }

    const lead = walk.lead[row]!;
    const base = `${proc}/${pid}`;
    const taskBase = lead === pid ? base : `${base}/task/${lead}`;
    const nsDir = `${taskBase}/ns/`;
    container = lookup === null ? null : lookup.containerOfPid(pid);
    const entry: NamespaceProcessT = { pid, nspid: nspidOf(row, pid), comm, via: 'proc', container };
    if (unknown) pending.add(entry);
    for (let i = 0; i < nFiles; i++) {
      const ino = walk.inos[off + i]!;
      if (ino < 0) continue;
      const f = files[i]!;
      if (f.childrenOf >= 0) {
        if (ino === walk.inos[off + f.childrenOf]) continue; // same as its own: nothing new
        const child: NamespaceProcessT = { ...entry, via: 'children' };
        if (unknown) pending.add(child);
        getNs(f.type, ino, nsDir + f.name).processes.push(child);
        continue;
      }
      const ns = byIno.get(ino) ?? getNs(f.type, ino, nsDir + f.name);
      if (ns.alt === null && ns.processes.length > 0) ns.alt = nsDir + f.name;
      ns.processes.push(entry);
      // Whose mount table to read: a user process if there is one (a kernel
      // thread's root may be the rootfs under the real root).
      if (i === mntIdx && (ns.mountinfo === null || (ns.mountKthread && !kthreadOf(row, pid)))) {
        ns.mountinfo = `${taskBase}/mountinfo`;
        ns.mountRoot = `${taskBase}/root`;
        ns.mountPid = pid;
        ns.mountKthread = kthreadOf(row, pid);
      }
    }
    processCount++;
    leaders.push(pid);
    if (pid === 1) pid1 = inodesOf(off);
    else if (pid === 2) {
      if (unknown) comm = entry.comm = factsOf(pid).comm;
      if (comm === 'kthreadd') kthreadd = inodesOf(off);
    }
    if (pid === scannerPid) scannerNs = inodesOf(off);
  }
  const threadCount = walk.threadCount;

  // ── nsfs bind mounts: one mountinfo per mount namespace ───────────────────
  const tMounts = performance.now();
  if (wantMounts) {
    const seen = new Set<string>();
    for (const mntNs of [...byIno.values()]) {
      if (mntNs.mountinfo === null) continue;
      let text: string;
      try {
        text = pfs.readFile(mntNs.mountinfo).toString('utf8');
      } catch (err) {
        const code = errnoCode(err);
        if (!isVanished(code)) errors.push({ pid: mntNs.mountPid, code: code || 'EIO', message: message(err) });
        continue;
      }
      for (const m of parseNsfsMounts(text)) {
        const key = `${m.ino} ${mntNs.ino} ${m.path}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const ns = getNs(m.type, m.ino, mntNs.mountRoot + m.path);
        ns.holders.push({ kind: 'mount', path: m.path, mountNs: nsId('mnt', mntNs.ino), pid: mntNs.mountPid });
      }
    }
  }

  // ── open fds on namespace files ───────────────────────────────────────────
  const tFds = performance.now();
  let fdsRead = 0;
  let fdLimitReached = false;
  if (wantFds) {
    outer: for (const pid of leaders) {
      const fdDir = `${proc}/${pid}/fd/`;
      let fdNames: string[];
      try {
        fdNames = pfs.readdir(fdDir);
      } catch {
        continue; // exited, or a kernel thread's empty table
      }
      for (const fdName of fdNames) {
        if (fdsRead >= fdLimit) {
          fdLimitReached = true;
          break outer;
        }
        fdsRead++;
        let link: string;
        try {
          link = pfs.readlink(fdDir + fdName);
        } catch {
          continue;
        }
        if (link.charCodeAt(0) === 47 /* '/' */) continue; // a path, the common case
        const type = nsLinkType(link);
        if (type === null) continue;
        const ino = parseNsIno(link);
        if (ino < 0) continue;
        getNs(type, ino, fdDir + fdName).holders.push({ kind: 'fd', pid, fd: Number(fdName) });
      }
    }
  }

  // ── parents and owners: one ioctl batch for every distinct namespace ──────
  const tIoctls = performance.now();
  if (ioctls !== null) applyIoctls(ioctls, byIno, getNs, errors);

  const tEnd = performance.now();

  // ── initial namespaces ────────────────────────────────────────────────────
  const evidence: InitialEvidence = {
    has: (type, ino) => byIno.get(ino)?.type === type,
    scanner: scannerNs,
    procIsScannerPidNs,
    pid1,
    kthreadd,
    kernel,
  };
  const initial: NamespaceInitialT[] = resolveInitial(types, evidence);
  const initialIds = new Set(initial.map((i) => i.id).filter((id): id is string => id !== null));

  // ── output ────────────────────────────────────────────────────────────────
  const list = [...byIno.values()].sort((a, b) => NS_TYPES.indexOf(a.type) - NS_TYPES.indexOf(b.type) || a.ino - b.ino);
  const namespaces: NamespaceT[] = list.map((ns) => {
    const id = nsId(ns.type, ns.ino);
    const out: NamespaceT = {
      id,
      type: ns.type,
      inode: ns.ino,
      dev: ns.dev,
      ownerUserNs: ns.ownerUserNs,
      parent: ns.parent,
      initial: initialIds.has(id),
      hidden: ns.hidden,
      processes: processLimit === undefined ? ns.processes : ns.processes.slice(0, processLimit),
      processCount: ns.processes.length,
      holders: ns.holders,
      container: containerOf(ns.processes),
      containers: containersIn(ns.processes),
    };
    if (ns.ownerUid !== undefined) out.ownerUid = ns.ownerUid;
    return out;
  });

  for (const ns of namespaces) {
    for (const p of ns.processes) if (pending.has(p)) p.comm = factsOf(p.pid).comm;
  }

  return {
    namespaces,
    namespaceCount: namespaces.length,
    scannedAt,
    durationMs: performance.now() - t0,
    phasesMs: {
      processes: tMounts - tWalk,
      mounts: tFds - tMounts,
      fds: tIoctls - tFds,
      ioctls: tEnd - tIoctls,
    },
    processCount,
    threadCount,
    scannerPid,
    initial,
    coverage: { threads: wantThreads, mounts: wantMounts, fds: wantFds, fdsRead, fdLimitReached },
    errors,
  };
}

/** The one container every process of a namespace belongs to, else null. */
function containerOf(processes: readonly NamespaceProcessT[]): string | null {
  let found: string | null = null;
  for (const p of processes) {
    if (p.container === null) return null;
    if (found === null) found = p.container;
    else if (found !== p.container) return null;
  }
  return found;
}

/** Every container with a process or thread in the namespace itself (not via 'children'), sorted. */
function containersIn(processes: readonly NamespaceProcessT[]): string[] {
  let found: Set<string> | null = null;
  let last: string | null = null;
  for (const p of processes) {
    if (p.container === null || p.via === 'children' || p.container === last) continue;
    last = p.container;
    (found ??= new Set()).add(p.container);
  }
  return found === null ? [] : [...found].sort();
}

function pidOfPath(path: string): number | null {
  const m = /\/(\d+)\/(?:task\/\d+\/)?(?:ns|fd|root)\//.exec(path);
  return m ? Number(m[1]) : null;
}

function isInfo(e: NsInfoManyEntry | undefined): e is NsInfo {
  return e !== undefined && !('error' in e);
}

function applyIoctls(
  ioctls: NsIoctls,
  byIno: Map<number, NsBuild>,
  getNs: (type: NamespaceTypeT, ino: number, path: string | null) => NsBuild,
  errors: NamespaceScanErrorT[],
): void {
  const targets = [...byIno.values()].filter((ns) => ns.path !== null);
  const results = ioctls.nsInfoMany(targets.map((ns) => ns.path!));
  const good = (ns: NsBuild, e: NsInfoManyEntry | undefined): e is NsInfo => isInfo(e) && e.ino === ns.ino;

  // A representative that exited (or whose pid was reused) between the walk
  // and the ioctls: try the namespace's second path once.
  const retry = targets.filter((ns, i) => !good(ns, results[i]) && ns.alt !== null);
  const retried = retry.length > 0 ? ioctls.nsInfoMany(retry.map((ns) => ns.alt!)) : [];
  const retryIndex = new Map(retry.map((ns, i) => [ns, i]));

  const related = (type: NamespaceTypeT, ref: { dev: number; ino: number }): string => {
    const ns = byIno.get(ref.ino) ?? getNs(type, ref.ino, null);
    if (ns.path === null && ns.processes.length === 0 && ns.holders.length === 0) {
      ns.hidden = true;
      ns.dev = ref.dev;
    }
    return nsId(ns.type, ns.ino);
  };

  targets.forEach((ns, i) => {
    let r = results[i];
    if (!good(ns, r)) {
      const j = retryIndex.get(ns);
      if (j !== undefined) r = retried[j];
    }
    if (!good(ns, r)) {
      if (r !== undefined && 'error' in r && !isVanished(r.error.code)) {
        errors.push({ pid: pidOfPath(r.error.path), code: r.error.code, message: r.error.message });
      }
      return;
    }
    ns.dev = r.dev;
    if (r.userns) ns.ownerUserNs = related('user', r.userns);
    if (r.parent) ns.parent = related(ns.type, r.parent);
    if (r.ownerUid !== undefined) ns.ownerUid = r.ownerUid;
  });
}
