/**
 * Which namespace of each type is the host's initial one (the one the kernel
 * booted with, which init and every kernel thread use).
 *
 * The rule, strongest evidence first (README.md says why):
 *  1. static inode: the kernel gives each initial namespace a fixed inode
 *     (uapi linux/nsfs.h `enum init_ns_ino`): ipc, uts, user and pid since
 *     nsfs inodes exist (3.8), cgroup and time since they exist (4.6, 5.6),
 *     net and mnt since 6.18. Dynamic inodes start at 0xF0000000, so no other
 *     namespace can carry one of these numbers.
 *  2. init: /proc/1/ns/<type>, when the scanner's /proc is the initial pid
 *     namespace's (then PID 1 is the host's init) and the link was readable.
 *  3. kthreadd: /proc/2/ns/<type> under the same condition, if PID 2 is
 *     kthreadd: kernel threads run with init_nsproxy, the boot namespaces.
 *  4. scanner: the scanner's own namespace, only when it runs in the initial
 *     user and pid namespaces (by their static inodes) and only on kernels
 *     where the type has no static inode (before 6.18 for net and mnt); on a
 *     newer kernel the initial one would have matched rule 1, so a scanner
 *     namespace that did not is certainly not initial. This one is a guess
 *     and says so in `source`.
 *
 * NS_GET_PARENT answering EPERM is no test for "initial": the kernel answers
 * EPERM both for the initial user namespace and for the root of the caller's
 * own scope (a scanner inside a child user namespace gets EPERM for its own
 * user namespace, and for the initial pid namespace's children it cannot see).
 */
import type { NamespaceInitialT, NamespaceTypeT } from '../../../preload/schemas/namespaces';

/** uapi linux/nsfs.h enum init_ns_ino (include/linux/proc_ns.h PROC_*_INIT_INO before 6.18). */
export const INIT_NS_INO: Readonly<Record<NamespaceTypeT, number>> = {
  ipc: 0xefffffff,
  uts: 0xeffffffe,
  user: 0xeffffffd,
  pid: 0xeffffffc,
  cgroup: 0xeffffffb,
  time: 0xeffffffa,
  net: 0xeffffff9,
  mnt: 0xeffffff8,
};

/** First kernel release where each type's initial namespace has its static inode. */
export const STATIC_INIT_SINCE: Readonly<Record<NamespaceTypeT, readonly [number, number]>> = {
  ipc: [3, 8],
  uts: [3, 8],
  user: [3, 8],
  pid: [3, 8],
  cgroup: [4, 6],
  time: [5, 6],
  net: [6, 18],
  mnt: [6, 18],
};

/** Namespace inodes by type, as read from one process's /proc/PID/ns (absent: not readable). */
export type NsInodes = Partial<Record<NamespaceTypeT, number>>;

export interface InitialEvidence {
  /** Is a namespace of this type with this inode in the inventory? */
  has(type: NamespaceTypeT, ino: number): boolean;
  /** The scanner's own namespaces (/proc/self/ns), null if not visible. */
  scanner: NsInodes | null;
  /** The scanned /proc shows pids of the scanner's own pid namespace (its NSpid has one entry). */
  procIsScannerPidNs: boolean;
  /** /proc/1/ns as read; null if PID 1 was not readable. */
  pid1: NsInodes | null;
  /** /proc/2/ns as read, only if PID 2 is kthreadd; null otherwise. */
  kthreadd: NsInodes | null;
  /** Kernel release [major, minor] (/proc/sys/kernel/osrelease); null if unknown. */
  kernel: readonly [number, number] | null;
}

/** '6.18.44-fc' → [6, 18]; null if it does not start with major.minor. */
export function parseKernelRelease(release: string): [number, number] | null {
  const m = /^(\d+)\.(\d+)/.exec(release);
  return m ? [Number(m[1]), Number(m[2])] : null;
}

function atLeast(kernel: readonly [number, number], since: readonly [number, number]): boolean {
  return kernel[0] > since[0] || (kernel[0] === since[0] && kernel[1] >= since[1]);
}

export function resolveInitial(types: readonly NamespaceTypeT[], ev: InitialEvidence): NamespaceInitialT[] {
  const inInitialPidNs = ev.procIsScannerPidNs && ev.scanner?.pid === INIT_NS_INO.pid;
  const scannerInInitialUserNs = ev.scanner?.user === INIT_NS_INO.user;

  return types.map((type): NamespaceInitialT => {
    const found = (ino: number | undefined, source: NamespaceInitialT['source']): NamespaceInitialT | null =>
      ino !== undefined && ev.has(type, ino) ? { type, id: `${type}:${ino}`, source } : null;

    const staticIno = INIT_NS_INO[type];
    const byStatic = found(staticIno, 'static-inode');
    if (byStatic) return byStatic;

    // Rule 1 did not match. For a type with a static inode on this kernel that
    // means the initial namespace is not visible to the scan; the witnesses
    // below would have carried the static inode had they been readable.
    if (inInitialPidNs) {
      const byInit = found(ev.pid1?.[type], 'init');
      if (byInit) return byInit;
      const byKthread = found(ev.kthreadd?.[type], 'kthreadd');
      if (byKthread) return byKthread;
    }
    // ipc, uts, user, pid, cgroup and time had their static inode from the
    // start (a kernel that shows their ns link has it); net and mnt since 6.18.
    const staticHere =
      (type !== 'net' && type !== 'mnt') || (ev.kernel !== null && atLeast(ev.kernel, STATIC_INIT_SINCE[type]));
    if (!staticHere && inInitialPidNs && scannerInInitialUserNs) {
      const bySelf = found(ev.scanner?.[type], 'scanner');
      if (bySelf) return bySelf;
    }
    return { type, id: null, source: 'unknown' };
  });
}
