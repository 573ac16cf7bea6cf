/**
 * The /proc walk of the scan: every process's ns links, comm, thread count
 * and NSpid, and the threads whose namespaces differ from their leader's, as
 * rows of parallel arrays (the shape of the addon's procNsWalk). Two
 * implementations with one output:
 *
 * - native: one N-API call (native/src/nswalk.cc): readlinkat relative to one
 *   /proc fd, split over a worker per CPU. The default.
 * - js: the same steps through a ProcFs. Kept because it is the only walk the
 *   fault-injection tests can drive (a ProcFs that fails chosen calls), and so
 *   the scan still works where berth.node is not built.
 */
import { nativeAvailable, procNsWalk, type NsFileName, type NsWalk } from '../../../native/index';
import type { NamespaceScanErrorT, NamespaceTypeT } from '../../../preload/schemas/namespaces';
import {
  type ProcFs,
  type TaskFacts,
  errnoCode,
  isPidName,
  isVanished,
  parseNsIno,
  parseStat,
  parseStatus,
} from './procfs';

export interface NsFile {
  name: NsFileName;
  type: NamespaceTypeT;
  /** Index of the active namespace file this *_for_children file shadows. */
  childrenOf: number;
  /** Threads of one process can differ here (not user, pid, time: those are per process). */
  perThread: boolean;
}

/** What a walk returns: NsWalk, with plain arrays allowed (the JS walk). */
export interface ProcWalk {
  pid: ArrayLike<number>;
  tid: ArrayLike<number>;
  lead: ArrayLike<number>;
  threads: ArrayLike<number>;
  kthread: ArrayLike<number>;
  inos: ArrayLike<number>;
  nspidStart: ArrayLike<number>;
  nspid: ArrayLike<number>;
  comm: readonly string[];
  threadCount: number;
  errors: NamespaceScanErrorT[];
}

export interface WalkParams {
  proc: string;
  files: readonly NsFile[];
  threads: boolean;
  /** Inode of the pid namespace whose processes need no NSpid (read stat, not status); -1: none. */
  ownPidNs: number;
  /**
   * false: the native walk reads no stat for those processes (comm '', kthread
   * 2 = unknown; threads from task/'s link count). The JS walk always reads it.
   */
  comm: boolean;
}

export type WalkKind = 'native' | 'js';

/** 'native' unless a ProcFs is given (only the JS walk goes through it) or the addon is missing. */
export function pickWalk(requested: WalkKind | undefined, customFs: boolean): WalkKind {
  if (requested !== undefined) return requested;
  return !customFs && nativeAvailable() ? 'native' : 'js';
}

export function walkNative(p: WalkParams): NsWalk {
  return procNsWalk(
    p.proc,
    p.files.map((f) => f.name),
    p.threads,
    p.ownPidNs,
    0,
    p.comm,
  );
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The JS walk (see the header). Throws like readdir when `proc` cannot be listed. */
export function walkJs(pfs: ProcFs, p: WalkParams): ProcWalk {
  const { proc, files } = p;
  const nFiles = files.length;
  const pidIdx = files.findIndex((f) => f.name === 'pid');
  const out = {
    pid: [] as number[],
    tid: [] as number[],
    lead: [] as number[],
    threads: [] as number[],
    kthread: [] as number[],
    inos: [] as number[],
    nspidStart: [] as number[],
    nspid: [] as number[],
    comm: [] as string[],
    threadCount: 0,
    errors: [] as NamespaceScanErrorT[],
  };
  const buf = Buffer.allocUnsafe(4096);

  /** stat (NSpid known) or status; null if it exited meanwhile. */
  const readFacts = (dir: string, useStat: boolean): TaskFacts | null => {
    const file = useStat ? `${dir}/stat` : `${dir}/status`;
    const parse = useStat ? parseStat : parseStatus;
    let facts: TaskFacts | null;
    try {
      const n = pfs.readInto(file, buf);
      facts = parse(buf, n);
      if (facts === null && n === buf.length) {
        const whole = pfs.readFile(file);
        facts = parse(whole, whole.length);
      }
    } catch (err) {
      if (isVanished(errnoCode(err))) return null;
      facts = null;
    }
    return facts ?? { comm: '', threads: 1, nspid: null, kthread: false };
  };

  const push = (pid: number, tid: number, lead: number, f: TaskFacts, useStat: boolean, inos: ArrayLike<number>) => {
    out.pid.push(pid);
    out.tid.push(tid);
    out.lead.push(lead);
    out.threads.push(f.threads);
    out.kthread.push(f.kthread ? 1 : 0);
    out.nspidStart.push(out.nspid.length);
    if (!useStat && f.nspid !== null) out.nspid.push(...f.nspid);
    out.comm.push(f.comm);
    for (let i = 0; i < nFiles; i++) out.inos.push(inos[i]!);
  };

  const inos = new Float64Array(nFiles);
  /** readlink every ns file of one task into `inos`: 'ok', 'gone' (exited) or 'error' (recorded). */
  const readLinks = (nsDir: string, pid: number): 'ok' | 'gone' | 'error' => {
    for (let i = 0; i < nFiles; i++) {
      try {
        inos[i] = parseNsIno(pfs.readlink(nsDir + files[i]!.name));
      } catch (err) {
        inos[i] = -1;
        const code = errnoCode(err);
        if (isVanished(code)) {
          // First link missing: the task exited (or is a zombie). Later ones:
          // it exited meanwhile, or pid_for_children before any fork.
          if (i === 0) return 'gone';
          continue;
        }
        out.errors.push({ pid, code: code || 'EIO', message: message(err) });
        return 'error';
      }
    }
    return 'ok';
  };

  // /proc lists pids in ascending order; other trees (tests) may not.
  const pids: number[] = [];
  for (const name of pfs.readdir(proc)) if (isPidName(name)) pids.push(Number(name));
  pids.sort((a, b) => a - b);

  const mine = new Float64Array(nFiles);
  for (const pid of pids) {
    const base = `${proc}/${pid}`;
    let lead = pid;
    let got = readLinks(`${base}/ns/`, pid);
    if (got === 'gone') {
      // Exited, a zombie, or a leader that called pthread_exit while its
      // other threads live on: they still hold the namespaces.
      let tids: string[];
      try {
        tids = pfs.readdir(`${base}/task`);
      } catch {
        tids = [];
      }
      const alive = tids.map(Number).find((t) => t !== pid);
      if (alive === undefined) continue;
      lead = alive;
      got = readLinks(`${base}/task/${alive}/ns/`, pid);
    }
    if (got !== 'ok') continue;

    const useStat = p.ownPidNs >= 0 && pidIdx >= 0 && inos[pidIdx] === p.ownPidNs;
    const facts = readFacts(base, useStat);
    if (facts === null) continue;
    push(pid, 0, lead, facts, useStat, inos);
    const ownLevel = useStat || facts.nspid === null || facts.nspid.length === 1;

    if (!p.threads || (facts.threads <= 1 && lead === pid)) continue;
    let tids: string[];
    try {
      tids = pfs.readdir(`${base}/task`);
    } catch {
      continue;
    }
    for (const tid of tids.map(Number).sort((a, b) => a - b)) {
      if (tid === pid || tid === lead) continue;
      out.threadCount++;
      const tBase = `${base}/task/${tid}`;
      let differs = false;
      let gone = false;
      for (let i = 0; i < nFiles; i++) {
        mine[i] = -1;
        const f = files[i]!;
        if (!f.perThread || inos[i]! < 0) continue;
        let ino: number;
        try {
          ino = parseNsIno(pfs.readlink(`${tBase}/ns/${f.name}`));
        } catch (err) {
          if (isVanished(errnoCode(err))) {
            gone = true; // the thread exited
            break;
          }
          continue;
        }
        if (ino < 0 || ino === inos[i]) continue;
        if (f.childrenOf >= 0 && ino === inos[f.childrenOf]) continue; // its children stay in the process's own
        mine[i] = ino;
        differs = true;
      }
      if (gone || !differs) continue;
      const t = readFacts(tBase, ownLevel);
      if (t === null) continue;
      push(pid, tid, tid, t, ownLevel, mine);
    }
  }
  out.nspidStart.push(out.nspid.length);
  return out;
}
