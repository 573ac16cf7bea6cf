// Typed loader for the Berth native addon (native/build/Release/berth.node).
//
// The binary is found lazily, on first use, at a fixed place of the layout
// this module is in (parts.ts): installed (/usr/lib/berth/out/main/*.js) only
// /usr/lib/berth/native/build/Release/berth.node; from a checkout
// $BERTH_NATIVE_PATH if set, else <root>/native/build/Release/berth.node
// (native/index.ts from source, <root>/out/main/*.js bundled; inside an
// Electron asar archive its app.asar.unpacked twin first).
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { INSTALL_PREFIX, missingPartHint, partCandidates } from './parts';

/** Credentials of the peer of a connected Unix socket (SO_PEERCRED). */
export interface PeerCred {
  /** Peer pid as seen from this process's pid namespace (0 if not visible there). */
  pid: number;
  uid: number;
  gid: number;
}

/** Namespace kinds, named like the files in /proc/PID/ns. */
export type NsTypeName = 'cgroup' | 'ipc' | 'mnt' | 'net' | 'pid' | 'time' | 'user' | 'uts';

/** Identity of a namespace: the nsfs inode (device + inode number). */
export interface NsRef {
  dev: number;
  ino: number;
}

/** What the kernel says about one namespace file. */
export interface NsInfo extends NsRef {
  /** CLONE_NEW* value from NS_GET_NSTYPE. */
  type: number;
  typeName: NsTypeName;
  /**
   * Owning user namespace (NS_GET_USERNS); for a user namespace this is its
   * parent. null when the kernel refuses (EPERM: outside the caller's scope,
   * e.g. the initial user namespace), with usernsError set.
   */
  userns: NsRef | null;
  usernsError?: 'EPERM';
  /**
   * Parent namespace (NS_GET_PARENT), only for 'pid' and 'user' (undefined for
   * the other types). null with parentError 'EPERM' when the parent is outside
   * the caller's scope (the initial namespace, or our own root).
   */
  parent?: NsRef | null;
  parentError?: 'EPERM';
  /** Creator's uid (NS_GET_OWNER_UID), only for 'user'; in this process's user ns. */
  ownerUid?: number;
}

/** A failed entry of nsInfoMany: the same fields a thrown error carries. */
export interface NsInfoError {
  error: {
    /** errno name, e.g. 'ENOENT', 'EACCES', 'ENOTTY'. */
    code: string;
    message: string;
    errno: number;
    syscall: string;
    path: string;
  };
}

export type NsInfoManyEntry = NsInfo | NsInfoError;

/** The /proc/PID/ns files procNsWalk reads, in the order its rows hold them. */
export type NsFileName =
  'cgroup' | 'ipc' | 'mnt' | 'net' | 'pid' | 'pid_for_children' | 'time' | 'time_for_children' | 'user' | 'uts';

/**
 * The /proc walk of the namespace scan (src/nswalk.cc), as parallel arrays of
 * rows: a process (tid 0), followed by those of its threads whose namespaces
 * differ from its own.
 */
export interface NsWalk {
  pid: Int32Array;
  /** 0 for a process row; the thread for a thread row. */
  tid: Int32Array;
  /** Process rows: the task whose ns/ was read (the pid, or a live thread after the leader's pthread_exit). */
  lead: Int32Array;
  /** Thread count from stat/status. */
  threads: Int32Array;
  /** 1: a kernel thread; 2: not known (comm was not read: the `comm` argument). */
  kthread: Uint8Array;
  /**
   * rows × files inodes, -1 where a link is missing. Thread rows hold only the
   * links that differ from the process's (the rest -1).
   */
  inos: Float64Array;
  /** Row i's NSpid is nspid[nspidStart[i] … nspidStart[i+1]); empty: not read (the scanner's pid namespace). */
  nspidStart: Int32Array;
  nspid: Int32Array;
  comm: string[];
  /** Threads other than leaders looked at. */
  threadCount: number;
  /** Failures other than "exited meanwhile": the process is skipped (ns links) or listed without comm (stat/status). */
  errors: { pid: number; code: string; message: string }[];
}

/** Shape of errors thrown by the addon for a failed syscall. */
export interface NativeSystemError extends Error {
  code: string;
  errno: number;
  syscall: string;
  path?: string;
}

/** How a stat file's text becomes numbers (src/statparse.h). */
export type StatKind = 'single' | 'keyed' | 'rwstat' | 'nested' | 'psi' | 'netdev';

/** Values each kind yields, in order (keyed/nested: one per key). */
export const STAT_KIND_VALUES: Readonly<Record<Exclude<StatKind, 'keyed' | 'nested'>, readonly string[]>> = {
  single: ['value'],
  rwstat: ['read', 'write'],
  psi: ['someAvg10', 'someAvg60', 'someAvg300', 'someTotal', 'fullAvg10', 'fullAvg60', 'fullAvg300', 'fullTotal'],
  netdev: ['rxBytes', 'rxPackets', 'txBytes', 'txPackets'],
};

/**
 * One file a StatBatch row reads each tick:
 *   single  one number; "max" reads as Infinity        (memory.current, pids.current)
 *   keyed   "key value" lines → the values of `keys`    (cpu.stat, memory.events)
 *   rwstat  v1 blkio "MAJ:MIN Read|Write N" → [Σ Read, Σ Write]
 *   nested  "MAJ:MIN k=v …" → Σ over lines per key      (io.stat)
 *   psi     "some|full avg10= avg60= avg300= total=" → 8 values
 *   netdev  /proc/PID/net/dev without lo → [Σ rx bytes, rx packets, tx bytes, tx packets]
 * A key or line the file lacks reads NaN (keyed, psi) or 0 (sums); a file that
 * does not exist reads NaN in every slot.
 */
export interface StatFileSpec {
  path: string;
  kind: StatKind;
  keys?: readonly string[];
  /** The row slot of each value the kind yields (-1: not wanted). */
  slots: readonly number[];
  /** Each value is multiplied by this (e.g. 0.001 for ns → µs). */
  scale?: number;
  /** Read on every N-th tick only; the slots keep the last value in between. */
  every?: number;
  /** A failed read gives NaN slots instead of failing the row (a file outside the group). */
  optional?: boolean;
}

/** A row whose file could not be read this tick (ENODEV: its group was removed). */
export interface StatReadFailure {
  row: number;
  error: NativeSystemError;
}

/**
 * Kept-open stat files read in one native call per tick (src/statbatch.h):
 * `read(out)` preads every file of every row at offset 0, parses it in C++
 * and writes the numbers to out[row × stride + slot]. Failures are returned,
 * not thrown, so one vanished group does not fail the others.
 */
export interface StatBatch {
  /** Opens the row's files (closing what it had). Returns the open failures other than "absent". */
  setRow(row: number, files: readonly StatFileSpec[]): NativeSystemError[];
  /** Closes the row's files. */
  clearRow(row: number): void;
  /** The row's `every`-N files are read again on the next tick. */
  invalidate(row: number): void;
  /** `out` must hold (highest row + 1) × stride numbers. null when every row was read. */
  read(out: Float64Array): StatReadFailure[] | null;
  counters(): { opens: number; preads: number; openFiles: number; rows: number };
  /** Closes every file. */
  close(): void;
}

/** A pidfd watch (src/pidwatch_binding.cc); close() stops it. */
export interface PidWatch {
  close(): void;
}

/** The raw module as exported by berth.node (src/addon.cc). */
/** cgroupDeviceAttach's answer: the new program's id and the ids of Berth programs it replaced. */
export interface DeviceProgramAttach {
  id: number;
  replaced: number[];
}

/** A BPF_CGROUP_DEVICE program attached directly to a cgroup2 group (BPF_PROG_QUERY). */
export interface AttachedDeviceProgram {
  id: number;
  /** The kernel's copy of the program's name ('berth_devices' for ours). */
  name: string;
  /** The kernel's hash of the instructions, 16 hex digits (as bpftool shows). */
  tag: string;
  /** Instructions after the verifier's rewrite (xlated). */
  insnCount: number;
  /** Loaded by Berth (named berth_devices). */
  berth: boolean;
}

interface RawBinding {
  StatBatch: new (stride: number) => StatBatch;
  PidWatch: new (pid: number, onExit: () => void) => PidWatch;
  peerCred(fd: number): PeerCred;
  nsInfo(path: string): NsInfo;
  nsInfoMany(paths: readonly string[]): NsInfoManyEntry[];
  procNsWalk(
    proc: string,
    files: readonly NsFileName[],
    threads: boolean,
    ownPidNs: number,
    workers?: number,
    comm?: boolean,
  ): NsWalk;
  lsetxattr(path: string, name: string, value: Uint8Array): void;
  lgetxattr(path: string, name: string): Buffer | null;
  llistxattr(path: string): string[];
  mknod(path: string, mode: number, major: number, minor: number): void;
  flock(fd: number, op: FlockOp, wait: boolean): boolean;
  sealedExecutable(path: string): number;
  cgroupDeviceAttach(groupDir: string, insns: Uint8Array): DeviceProgramAttach;
  cgroupDevicePrograms(groupDir: string): AttachedDeviceProgram[];
  cgroupDeviceDetach(groupDir: string): number[];
  openInRoot(rootFd: number, path: string, flags: number, mode: number, walk: boolean): number;
  overlayMountFd(lowers: readonly string[], upper: string, work: string): number;
}

const BINDING_FUNCTIONS = [
  'peerCred',
  'nsInfo',
  'nsInfoMany',
  'procNsWalk',
  'lsetxattr',
  'lgetxattr',
  'llistxattr',
  'mknod',
  'flock',
  'sealedExecutable',
  'cgroupDeviceAttach',
  'cgroupDevicePrograms',
  'cgroupDeviceDetach',
  'openInRoot',
  'overlayMountFd',
  'StatBatch',
  'PidWatch',
] as const satisfies readonly (keyof RawBinding)[];

let binding: RawBinding | undefined;

function moduleDir(): string {
  return path.dirname(fileURLToPath(import.meta.url));
}

/**
 * Candidate paths for berth.node, in the order they are tried, for a module
 * living in `startDir` (defaults to this module's directory): see parts.ts.
 * From the install prefix only the prefix's copy; from a checkout
 * $BERTH_NATIVE_PATH if set, else <root>/native/build/Release/berth.node.
 */
export function nativeCandidates(
  startDir: string = moduleDir(),
  env: NodeJS.ProcessEnv = process.env,
  installPrefix: string = INSTALL_PREFIX,
): string[] {
  return partCandidates('addon', startDir, env, 'BERTH_NATIVE_PATH', installPrefix);
}

function codedError(code: string, message: string, cause?: unknown): Error & { code: string } {
  const err = new Error(message, cause === undefined ? undefined : { cause }) as Error & { code: string };
  err.code = code;
  return err;
}

function isRawBinding(mod: unknown): mod is RawBinding {
  if (typeof mod !== 'object' || mod === null) return false;
  const m = mod as Record<string, unknown>;
  return BINDING_FUNCTIONS.every((name) => typeof m[name] === 'function');
}

function load(): RawBinding {
  if (binding) return binding;
  const tried = nativeCandidates();
  const file = tried.find((p) => existsSync(p));
  if (!file) {
    throw codedError(
      'NATIVE_NOT_BUILT',
      `Berth native addon is not built: ${missingPartHint(moduleDir())}. Tried:\n  ${tried.join('\n  ') || `(no known layout around ${moduleDir()})`}`,
    );
  }
  const require = createRequire(import.meta.url);
  let mod: unknown;
  try {
    mod = require(file);
  } catch (cause) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    throw codedError('NATIVE_LOAD_FAILED', `Berth native addon at ${file} failed to load: ${detail}`, cause);
  }
  if (!isRawBinding(mod)) {
    throw codedError(
      'NATIVE_LOAD_FAILED',
      `Berth native addon at ${file} lacks one of ${BINDING_FUNCTIONS.join('/')} (stale build? run \`npm install\`)`,
    );
  }
  binding = mod;
  return binding;
}

/** True when berth.node is found and loads. Never throws. */
export function nativeAvailable(): boolean {
  try {
    load();
    return true;
  } catch {
    return false;
  }
}

/** getsockopt(fd, SOL_SOCKET, SO_PEERCRED) on a connected Unix socket. */
export function peerCred(fd: number): PeerCred {
  return load().peerCred(fd);
}

/** Inspect one namespace file (/proc/PID/ns/* or a bind-mounted nsfs file). Throws on failure. */
export function nsInfo(nsPath: string): NsInfo {
  return load().nsInfo(nsPath);
}

/** nsInfo for many paths in one call; failures become { error } entries in place. */
export function nsInfoMany(paths: readonly string[]): NsInfoManyEntry[] {
  return load().nsInfoMany(paths);
}

/**
 * Every process under `proc` (and, with `threads`, every thread of a
 * multi-threaded one): its ns links (`files`, in that order), comm, thread
 * count and NSpid, in one call. Stat is read instead of status (no NSpid) for
 * processes whose pid namespace inode is `ownPidNs` (-1: always status).
 * `workers`: threads to spread the pids over (default 0: one per CPU, at
 * most 4, one per 256 pids). `comm` false: for those stat-read processes,
 * no read at all — the thread count comes from /proc/PID/task's link count,
 * comm is '' and kthread 2 (unknown). Throws only when `proc` cannot be listed.
 */
export function procNsWalk(
  proc: string,
  files: readonly NsFileName[],
  threads: boolean,
  ownPidNs: number,
  workers = 0,
  comm = true,
): NsWalk {
  return load().procNsWalk(proc, files, threads, ownPidNs, workers, comm);
}

/**
 * lsetxattr(2): sets an extended attribute on `path` itself (a final symlink
 * is not followed). E.g. `trusted.overlay.opaque` = "y" on an unpacked layer's
 * directory (root only; the kernel refuses user.* on symlinks with EPERM).
 */
export function lsetxattr(filePath: string, name: string, value: Uint8Array): void {
  load().lsetxattr(filePath, name, value);
}

/** lgetxattr(2): the value, or null when the attribute is not set (ENODATA). */
export function lgetxattr(filePath: string, name: string): Buffer | null {
  return load().lgetxattr(filePath, name);
}

/** llistxattr(2): the attribute names (only those the caller may see: trusted.* needs root). */
export function llistxattr(filePath: string): string[] {
  return load().llistxattr(filePath);
}

/**
 * mknod(2). `mode` holds the file type and permissions, e.g.
 * `fs.constants.S_IFCHR | 0o000` with major 0, minor 0 for an overlay
 * whiteout; the process umask applies. Throws EEXIST if the path exists.
 */
export function mknod(filePath: string, mode: number, major: number, minor: number): void {
  load().mknod(filePath, mode, major, minor);
}

/** A flock(2) operation: exclusive, shared, or release. */
export type FlockOp = 'ex' | 'sh' | 'un';

/**
 * flock(2) on an open fd. With wait=false returns false when another open
 * file description holds a conflicting lock (LOCK_NB); with wait=true blocks
 * this thread until it is free (only for locks held a few syscalls long).
 * The kernel releases the lock when the fd's description is closed, so a
 * holder killed with SIGKILL never leaves a stale lock behind.
 */
export function flock(fd: number, op: FlockOp, wait: boolean): boolean {
  return load().flock(fd, op, wait);
}

/**
 * A sealed (F_SEAL_SEAL|SHRINK|GROW|WRITE), close-on-exec memfd copy of an
 * executable; exec it as `/proc/<this pid>/fd/<fd>`. Nothing, host root
 * included, can change what it runs. The fd stays open for the process's life.
 */
export function sealedExecutable(filePath: string): number {
  return load().sealedExecutable(filePath);
}

/**
 * Loads `insns` (BPF instructions, 8 bytes each) as a BPF_PROG_TYPE_CGROUP_DEVICE
 * program named berth_devices, attaches it to the cgroup2 directory `groupDir`
 * with BPF_F_ALLOW_MULTI, then detaches the group's previous berth_devices
 * programs (the new one is in force first). Root only. Errors: `bpf
 * BPF_PROG_LOAD (verifier: …) <dir>: EACCES`, `open <dir>: ENOENT`, …
 */
export function cgroupDeviceAttach(groupDir: string, insns: Uint8Array): DeviceProgramAttach {
  return load().cgroupDeviceAttach(groupDir, insns);
}

/** BPF_PROG_QUERY (BPF_CGROUP_DEVICE) on a cgroup2 directory: the programs attached there. */
export function cgroupDevicePrograms(groupDir: string): AttachedDeviceProgram[] {
  return load().cgroupDevicePrograms(groupDir);
}

/** Detaches every berth_devices program from a cgroup2 directory; returns their ids. */
export function cgroupDeviceDetach(groupDir: string): number[] {
  return load().cgroupDeviceDetach(groupDir);
}

/** A StatBatch whose rows are `stride` numbers wide. */
export function createStatBatch(stride: number): StatBatch {
  const Ctor = load().StatBatch;
  return new Ctor(stride);
}

/**
 * Calls onExit once, when process `pid` exits (it may still be an unreaped
 * zombie then), from a pidfd polled by Node's loop: no timer, no /proc read.
 * Throws ESRCH when there is no such process now, ENOSYS before Linux 5.3.
 * The watch does not keep the process alive; close() stops it.
 */
export function watchPidExit(pid: number, onExit: () => void): PidWatch {
  const Ctor = load().PidWatch;
  return new Ctor(pid, onExit);
}

/**
 * Opens `filePath` inside the tree whose root is `rootFd`, as if that were
 * "/": absolute symlinks restart at it, ".." stops at it, magic links are
 * refused (openat2 RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS; before Linux 5.6,
 * or with `walk`, a component-by-component O_NOFOLLOW walk with the same
 * rules). Returns an O_CLOEXEC fd; errors carry the errno name (ELOOP, ENOENT…).
 */
export function openInRoot(rootFd: number, filePath: string, flags: number, mode = 0, walk = false): number {
  return load().openInRoot(rootFd, filePath, flags, mode, walk);
}

/**
 * An overlay (lowers topmost first) mounted with fsopen/fsmount and attached
 * nowhere: the fd is its root, usable as openInRoot's rootFd; the mount goes
 * away when the fd is closed. nosuid, nodev, noexec. Root only.
 */
export function overlayMountFd(lowers: readonly string[], upper: string, work: string): number {
  return load().overlayMountFd(lowers, upper, work);
}

export function isNsInfoError(entry: NsInfoManyEntry): entry is NsInfoError {
  return 'error' in entry;
}

export function isNativeSystemError(err: unknown): err is NativeSystemError {
  return (
    err instanceof Error &&
    typeof (err as Partial<NativeSystemError>).code === 'string' &&
    typeof (err as Partial<NativeSystemError>).errno === 'number' &&
    typeof (err as Partial<NativeSystemError>).syscall === 'string'
  );
}
