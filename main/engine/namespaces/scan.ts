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
import { type NsInodes, parseKernelRelease, resolveInitial } from './initial';
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

/** Options with their defaults filled in. */
interface Settings {
  proc: string;
  pfs: ProcFs;
  ioctls: NsIoctls | null;
  lookup: ContainerLookup | null;
  wantThreads: boolean;
  wantMounts: boolean;
  wantFds: boolean;
  fdLimit: number;
  processLimit: number | undefined;
  walkKind: WalkKind;
}

function settingsOf(opts: ScanOptions): Settings {
  return {
    proc: opts.proc ?? '/proc',
    pfs: opts.fs ?? nodeProcFs,
    ioctls: opts.ioctls === undefined ? nativeNsIoctls : opts.ioctls,
    lookup: opts.containers ?? null,
    wantThreads: opts.threads ?? true,
    wantMounts: opts.mounts ?? true,
    wantFds: opts.fds ?? false,
    fdLimit: opts.fdLimit ?? DEFAULT_FD_LIMIT,
    processLimit: opts.processLimit,
    walkKind: pickWalk(opts.walk, opts.fs !== undefined),
  };
}

/** The namespaces found so far, by inode (inodes are unique across nsfs). */
class NsTable {
  readonly byIno = new Map<number, NsBuild>();

  /** The namespace's record, made on first sight; path becomes its ioctl path, or its second one. */
  get(type: NamespaceTypeT, ino: number, path: string | null): NsBuild {
    let ns = this.byIno.get(ino);
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
      this.byIno.set(ino, ns);
    } else if (ns.path === null) {
      ns.path = path;
    } else if (ns.alt === null && path !== null && path !== ns.path) {
      ns.alt = path;
    }
    return ns;
  }
}

/** What every phase reads from and adds to. */
interface ScanContext {
  readonly proc: string;
  readonly pfs: ProcFs;
  /** One read buffer for the small files (status, stat, osrelease). */
  readonly buf: Buffer;
  readonly table: NsTable;
  readonly errors: NamespaceScanErrorT[];
}

/** Who the scanner is: its pid, and whether /proc's pid namespace is its own. */
interface ScannerSelf {
  pid: number | null;
  pidNs: number;
  procIsScannerPidNs: boolean;
}

/** The rows of the walk and the ns files they hold, one inode column per file. */
interface WalkView {
  readonly walk: ProcWalk;
  readonly files: readonly NsFile[];
  readonly nFiles: number;
  readonly mntIdx: number;
}

/** What the process rows give the later phases. */
interface ProcessRows {
  leaders: number[];
  processCount: number;
  pid1: NsInodes | null;
  kthreadd: NsInodes | null;
  scannerNs: NsInodes | null;
  /** Entries whose comm the walk did not read: filled in once the lists are cut. */
  pending: Set<NamespaceProcessT>;
}

export function scanNamespaces(opts: ScanOptions = {}): NamespaceGraphT {
  const t0 = performance.now();
  const scannedAt = new Date().toISOString();
  const s = settingsOf(opts);
  const ctx: ScanContext = {
    proc: s.proc,
    pfs: s.pfs,
    buf: Buffer.allocUnsafe(4096),
    table: new NsTable(),
    errors: [],
  };

  const files = nsFilesPresent(ctx);
  const self = scannerSelf(ctx);
  const kernel = kernelRelease(ctx);

  const tWalk = performance.now();
  const walk = walkProc(ctx, s, files, self);
  const facts = new LateFacts(ctx);
  const rows = addProcessRows(ctx, walk, s.lookup, self.pid, facts);

  const tMounts = performance.now();
  if (s.wantMounts) addNsfsMounts(ctx);

  const tFds = performance.now();
  const fds = s.wantFds ? addFdHolders(ctx, rows.leaders, s.fdLimit) : { fdsRead: 0, fdLimitReached: false };

  const tIoctls = performance.now();
  if (s.ioctls !== null) applyIoctls(s.ioctls, ctx.table, ctx.errors);
  const tEnd = performance.now();

  const types = NS_TYPES.filter((t) => files.some((f) => f.type === t));
  const initial = resolveInitial(types, {
    has: (type, ino) => ctx.table.byIno.get(ino)?.type === type,
    scanner: rows.scannerNs,
    procIsScannerPidNs: self.procIsScannerPidNs,
    pid1: rows.pid1,
    kthreadd: rows.kthreadd,
    kernel,
  });
  const namespaces = buildNamespaces(ctx.table, initial, s.processLimit);
  for (const ns of namespaces) {
    for (const p of ns.processes) if (rows.pending.has(p)) p.comm = facts.of(p.pid).comm;
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
    processCount: rows.processCount,
    threadCount: walk.walk.threadCount,
    scannerPid: self.pid,
    initial,
    coverage: { threads: s.wantThreads, mounts: s.wantMounts, fds: s.wantFds, ...fds },
    errors: ctx.errors,
  };
}

// ── what this kernel has, and who we are ────────────────────────────────────

/** The ns files this kernel has (all of them when /proc/self is missing, as in a fake tree). */
function nsFilesPresent(ctx: ScanContext): NsFile[] {
  let present: Set<string> | null;
  try {
    present = new Set(ctx.pfs.readdir(`${ctx.proc}/self/ns`));
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
  return files;
}

function scannerSelf(ctx: ScanContext): ScannerSelf {
  const { pfs, proc, buf } = ctx;
  let pid: number | null = null;
  try {
    const n = Number(pfs.readlink(`${proc}/self`));
    if (Number.isInteger(n) && n > 0) pid = n;
  } catch {
    pid = null;
  }
  // NSpid of a process in the pid namespace of the /proc mount is just [pid]:
  // skip its status file when the scanner is in that namespace too and the
  // process shares the scanner's pid namespace (the common case on a host).
  let pidNs = -1;
  let procIsScannerPidNs = false;
  if (pid !== null) {
    try {
      pidNs = parseNsIno(pfs.readlink(`${proc}/self/ns/pid`));
      const own = parseNSpid(buf, pfs.readInto(`${proc}/self/status`, buf));
      procIsScannerPidNs = own !== null && own.length === 1;
    } catch {
      procIsScannerPidNs = false;
    }
  }
  return { pid, pidNs, procIsScannerPidNs };
}

function kernelRelease(ctx: ScanContext): readonly [number, number] | null {
  try {
    return parseKernelRelease(lineOf(ctx.buf, ctx.pfs.readInto(`${ctx.proc}/sys/kernel/osrelease`, ctx.buf)));
  } catch {
    return null;
  }
}

// ── processes and threads ───────────────────────────────────────────────────

/** One walk of /proc (walk.ts); a /proc that cannot be listed fails the scan with its errno. */
function walkProc(ctx: ScanContext, s: Settings, files: NsFile[], self: ScannerSelf): WalkView {
  const params = {
    proc: ctx.proc,
    files,
    threads: s.wantThreads,
    ownPidNs: self.procIsScannerPidNs ? self.pidNs : -1,
    comm: s.processLimit === undefined,
  };
  let walk: ProcWalk;
  try {
    walk = s.walkKind === 'native' ? walkNative(params) : walkJs(ctx.pfs, params);
  } catch (err) {
    const code = errnoCode(err) || 'ENOENT';
    throw Object.assign(new Error(`cannot list ${ctx.proc}: ${message(err)}`), { code });
  }
  ctx.errors.push(...walk.errors);
  return { walk, files, nFiles: files.length, mntIdx: files.findIndex((f) => f.name === 'mnt') };
}

/**
 * comm and kthread of processes the walk did not read them for (kthread 2):
 * read only where they matter (a mount namespace's reader, PID 2, the
 * entries a processLimit cut keeps), once per pid.
 */
class LateFacts {
  private readonly known = new Map<number, { comm: string; kthread: boolean }>();

  constructor(private readonly ctx: ScanContext) {}

  of(pid: number): { comm: string; kthread: boolean } {
    let f = this.known.get(pid);
    if (f === undefined) {
      let t: TaskFacts | null;
      try {
        t = parseStat(this.ctx.buf, this.ctx.pfs.readInto(`${this.ctx.proc}/${pid}/stat`, this.ctx.buf));
      } catch {
        t = null; // exited since the walk: listed without comm
      }
      f = { comm: t?.comm ?? '', kthread: t?.kthread ?? false };
      this.known.set(pid, f);
    }
    return f;
  }
}

function inodesOf(v: WalkView, off: number): NsInodes {
  const out: NsInodes = {};
  for (let i = 0; i < v.nFiles; i++) {
    const f = v.files[i]!;
    if (f.childrenOf < 0 && v.walk.inos[off + i]! >= 0) out[f.type] = v.walk.inos[off + i]!;
  }
  return out;
}

function nspidOf(walk: ProcWalk, row: number, id: number): number[] {
  const from = walk.nspidStart[row]!;
  const to = walk.nspidStart[row + 1]!;
  if (from === to) return [id]; // the scanner's pid namespace (or no NSpid line)
  const out: number[] = [];
  for (let k = from; k < to; k++) out.push(walk.nspid[k]!);
  return out;
}

/** Every walk row into the table: processes (leaders) and the threads that differ from them. */
function addProcessRows(
  ctx: ScanContext,
  v: WalkView,
  lookup: ContainerLookup | null,
  scannerPid: number | null,
  facts: LateFacts,
): ProcessRows {
  const { walk } = v;
  const out: ProcessRows = {
    leaders: [],
    processCount: 0,
    pid1: null,
    kthreadd: null,
    scannerNs: null,
    pending: new Set(),
  };
  // A thread row follows its process's row and shares its container.
  let container: string | null = null;
  for (let row = 0; row < walk.pid.length; row++) {
    const pid = walk.pid[row]!;
    if (walk.tid[row]! !== 0) {
      addThreadRow(ctx, v, row, container);
      continue;
    }
    container = lookup === null ? null : lookup.containerOfPid(pid);
    const entry: NamespaceProcessT = {
      pid,
      nspid: nspidOf(walk, row, pid),
      comm: walk.comm[row]!,
      via: 'proc',
      container,
    };
    const unknown = walk.kthread[row] === 2;
    if (unknown) out.pending.add(entry);
    const kthread = (): boolean => (unknown ? facts.of(pid).kthread : walk.kthread[row] === 1);
    addProcessLinks(ctx, v, row, entry, unknown ? out.pending : null, kthread);
    out.processCount++;
    out.leaders.push(pid);
    const off = row * v.nFiles;
    if (pid === 1) out.pid1 = inodesOf(v, off);
    else if (pid === 2) {
      if (unknown) entry.comm = facts.of(pid).comm;
      if (entry.comm === 'kthreadd') out.kthreadd = inodesOf(v, off);
    }
    if (pid === scannerPid) out.scannerNs = inodesOf(v, off);
  }
  return out;
}

/** A thread whose namespaces differ from its process's (only those links are set). */
function addThreadRow(ctx: ScanContext, v: WalkView, row: number, container: string | null): void {
  const pid = v.walk.pid[row]!;
  const tid = v.walk.tid[row]!;
  const off = row * v.nFiles;
  const tBase = `${ctx.proc}/${pid}/task/${tid}`;
  const tEntry: NamespaceProcessT = {
    pid,
    tid,
    nspid: nspidOf(v.walk, row, tid),
    comm: v.walk.comm[row]!,
    via: 'task',
    container,
  };
  for (let i = 0; i < v.nFiles; i++) {
    const ino = v.walk.inos[off + i]!;
    if (ino < 0) continue;
    const f = v.files[i]!;
    const ns = ctx.table.get(f.type, ino, `${tBase}/ns/${f.name}`);
    ns.processes.push(tEntry);
    if (f.type === 'mnt' && ns.mountinfo === null) {
      ns.mountinfo = `${tBase}/mountinfo`;
      ns.mountRoot = `${tBase}/root`;
      ns.mountPid = pid;
    }
  }
}

/** A process's ns links: its own namespaces, and the *_for_children ones where they differ. */
function addProcessLinks(
  ctx: ScanContext,
  v: WalkView,
  row: number,
  entry: NamespaceProcessT,
  pending: Set<NamespaceProcessT> | null,
  kthread: () => boolean,
): void {
  const { walk, files } = v;
  const pid = entry.pid;
  const off = row * v.nFiles;
  const lead = walk.lead[row]!;
  const base = `${ctx.proc}/${pid}`;
  const taskBase = lead === pid ? base : `${base}/task/${lead}`;
  const nsDir = `${taskBase}/ns/`;
  for (let i = 0; i < v.nFiles; i++) {
    const ino = walk.inos[off + i]!;
    if (ino < 0) continue;
    const f = files[i]!;
    if (f.childrenOf >= 0) {
      if (ino === walk.inos[off + f.childrenOf]) continue; // same as its own: nothing new
      const child: NamespaceProcessT = { ...entry, via: 'children' };
      if (pending !== null) pending.add(child);
      ctx.table.get(f.type, ino, nsDir + f.name).processes.push(child);
      continue;
    }
    const ns = ctx.table.byIno.get(ino) ?? ctx.table.get(f.type, ino, nsDir + f.name);
    if (ns.alt === null && ns.processes.length > 0) ns.alt = nsDir + f.name;
    ns.processes.push(entry);
    // Whose mount table to read: a user process if there is one (a kernel
    // thread's root may be the rootfs under the real root).
    if (i === v.mntIdx && (ns.mountinfo === null || (ns.mountKthread && !kthread()))) {
      ns.mountinfo = `${taskBase}/mountinfo`;
      ns.mountRoot = `${taskBase}/root`;
      ns.mountPid = pid;
      ns.mountKthread = kthread();
    }
  }
}

// ── holders: nsfs bind mounts and open fds ──────────────────────────────────

/** nsfs bind mounts: one mountinfo per mount namespace. */
function addNsfsMounts(ctx: ScanContext): void {
  const seen = new Set<string>();
  for (const mntNs of [...ctx.table.byIno.values()]) {
    if (mntNs.mountinfo === null) continue;
    let text: string;
    try {
      text = ctx.pfs.readFile(mntNs.mountinfo).toString('utf8');
    } catch (err) {
      const code = errnoCode(err);
      if (!isVanished(code)) ctx.errors.push({ pid: mntNs.mountPid, code: code || 'EIO', message: message(err) });
      continue;
    }
    for (const m of parseNsfsMounts(text)) {
      const key = `${m.ino} ${mntNs.ino} ${m.path}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const ns = ctx.table.get(m.type, m.ino, mntNs.mountRoot + m.path);
      ns.holders.push({ kind: 'mount', path: m.path, mountNs: nsId('mnt', mntNs.ino), pid: mntNs.mountPid });
    }
  }
}

/** Open fds on namespace files, at most fdLimit links read. */
function addFdHolders(
  ctx: ScanContext,
  leaders: readonly number[],
  fdLimit: number,
): { fdsRead: number; fdLimitReached: boolean } {
  let fdsRead = 0;
  for (const pid of leaders) {
    const fdDir = `${ctx.proc}/${pid}/fd/`;
    let fdNames: string[];
    try {
      fdNames = ctx.pfs.readdir(fdDir);
    } catch {
      continue; // exited, or a kernel thread's empty table
    }
    for (const fdName of fdNames) {
      if (fdsRead >= fdLimit) return { fdsRead, fdLimitReached: true };
      fdsRead++;
      let link: string;
      try {
        link = ctx.pfs.readlink(fdDir + fdName);
      } catch {
        continue;
      }
      if (link.charCodeAt(0) === 47 /* '/' */) continue; // a path, the common case
      const type = nsLinkType(link);
      if (type === null) continue;
      const ino = parseNsIno(link);
      if (ino < 0) continue;
      ctx.table.get(type, ino, fdDir + fdName).holders.push({ kind: 'fd', pid, fd: Number(fdName) });
    }
  }
  return { fdsRead, fdLimitReached: false };
}

// ── the graph ───────────────────────────────────────────────────────────────

/** The output list: by type, then inode; process lists cut to processLimit. */
function buildNamespaces(
  table: NsTable,
  initial: readonly NamespaceInitialT[],
  processLimit: number | undefined,
): NamespaceT[] {
  const initialIds = new Set(initial.map((i) => i.id).filter((id): id is string => id !== null));
  const list = [...table.byIno.values()].sort(
    (a, b) => NS_TYPES.indexOf(a.type) - NS_TYPES.indexOf(b.type) || a.ino - b.ino,
  );
  return list.map((ns) => {
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

/** Parents, owners and owner uids: one ioctl batch for every distinct namespace. */
function applyIoctls(ioctls: NsIoctls, table: NsTable, errors: NamespaceScanErrorT[]): void {
  const targets = [...table.byIno.values()].filter((ns) => ns.path !== null);
  const results = ioctls.nsInfoMany(targets.map((ns) => ns.path!));
  const good = (ns: NsBuild, e: NsInfoManyEntry | undefined): e is NsInfo => isInfo(e) && e.ino === ns.ino;

  // A representative that exited (or whose pid was reused) between the walk
  // and the ioctls: try the namespace's second path once.
  const retry = targets.filter((ns, i) => !good(ns, results[i]) && ns.alt !== null);
  const retried = retry.length > 0 ? ioctls.nsInfoMany(retry.map((ns) => ns.alt!)) : [];
  const retryIndex = new Map(retry.map((ns, i) => [ns, i]));

  const related = (type: NamespaceTypeT, ref: { dev: number; ino: number }): string => {
    const ns = table.byIno.get(ref.ino) ?? table.get(type, ref.ino, null);
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
