// The contract between the helper and berth-monitor (native/monitor/README.md):
// the spec files the helper writes, the files the monitor writes back, the
// attach / control framing, and where the binary lives. Pure TypeScript: it
// loads nothing native, so any process may import it.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { INSTALL_PREFIX, missingPartHint, partCandidates } from './parts';

// ---------------------------------------------------------------------------
// spec.json (berth-monitor run): a subset of the OCI runtime spec's
// config.json, same keys in the same places, plus Berth's own top-level keys
// overlay, cgroupProcs, monitorCgroupProcs and log. Unknown keys are errors.

/** Capability names as in the OCI spec and capabilities(7), e.g. 'CAP_CHOWN'. */
export type CapabilityName = `CAP_${string}`;

/** OCI namespace type names. */
export type NamespaceType = 'pid' | 'network' | 'mount' | 'ipc' | 'uts' | 'user' | 'cgroup' | 'time';

export interface MonitorProcess {
  /** argv; args[0] without a '/' is looked up in the PATH of env, inside the container. */
  args: string[];
  /** "KEY=VALUE" entries. */
  env?: string[];
  /** Absolute path inside the container; must exist (no implicit mkdir). */
  cwd: string;
  user: {
    uid: number;
    gid: number;
    additionalGids?: number[];
    /** Default 0o022. */
    umask?: number;
  };
  /** A pty on the container's own devpts; default false. */
  terminal?: boolean;
  /** Initial pty size. */
  consoleSize?: { height: number; width: number };
  /**
   * run only, not with terminal: stdin is a pipe fed from attach clients
   * (Docker's OpenStdin). Default false: stdin is /dev/null.
   */
  openStdin?: boolean;
  /** type: 'RLIMIT_NOFILE' etc.; a value of 2**63 or more (e.g. 2**64) means unlimited (RLIM_INFINITY). */
  rlimits?: { type: string; hard: number; soft: number }[];
  noNewPrivileges?: boolean;
  /** Required (an absent set would be ambiguous). Each set defaults to []. */
  capabilities: {
    bounding?: CapabilityName[];
    effective?: CapabilityName[];
    permitted?: CapabilityName[];
    inheritable?: CapabilityName[];
    ambient?: CapabilityName[];
  };
}

export interface MonitorMount {
  /** Absolute path inside the container, created if missing (resolved inside the rootfs). */
  destination: string;
  /** 'bind' or a filesystem type ('tmpfs', ...). Required unless options hold bind/rbind. */
  type?: string;
  /** Absolute host path for binds. */
  source?: string;
  /** OCI/runc options: ro, rw, nosuid, nodev, noexec, bind, rbind, rprivate, size=64m, mode=1777, ... */
  options?: string[];
}

export interface IdMapping {
  containerID: number;
  hostID: number;
  size: number;
}

/** OCI linux.devices[]: mknod at `path` (absolute, in the container) with the host node's numbers, mode and owner. */
export interface MonitorDevice {
  path: string;
  type: 'c' | 'b';
  major: number;
  minor: number;
  /** Permission bits (default 0666). */
  fileMode?: number;
  uid?: number;
  gid?: number;
}

export interface MonitorSpec {
  ociVersion?: string;
  process: MonitorProcess;
  /** Needs a new uts namespace. */
  hostname?: string;
  root: {
    /** Absolute host path: an empty directory, the overlay's mount point. */
    path: string;
    readonly?: boolean;
  };
  /** Mounted by the container onto root.path inside its own mount namespace. */
  overlay?: {
    /** Topmost layer first (overlayfs' lowerdir order). At most 500. */
    lowerdirs: string[];
    upperdir: string;
    workdir: string;
    /** 'auto' (default): fsopen + "lowerdir+" per layer; 'legacy': mount(2) with relative paths. */
    method?: 'auto' | 'legacy';
  };
  /** Volumes etc., applied in order after /proc, /sys and /dev. */
  mounts?: MonitorMount[];
  linux: {
    /**
     * One entry per namespace the container does not share with the host:
     * { type } creates a new one, { type, path } joins an existing one
     * (network, ipc, uts, cgroup only). A type left out is shared with the
     * host ("host" networking = no network entry). 'mount' is required.
     */
    namespaces: { type: NamespaceType; path?: string }[];
    /** Required with a new user namespace, forbidden otherwise. */
    uidMappings?: IdMapping[];
    gidMappings?: IdMapping[];
    maskedPaths?: string[];
    readonlyPaths?: string[];
    /** Device nodes made in the container (OCI linux.devices): --device, privileged host devices. */
    devices?: MonitorDevice[];
  };
  /** cgroup.procs (or v1 tasks) files the container's pid is written to before it runs. */
  cgroupProcs?: string[];
  /** A cgroup2 directory the container is cloned into (CLONE_INTO_CGROUP; its cgroup.procs is written where the kernel lacks it). */
  cgroupInto?: string;
  /**
   * v1 groups that were standby pool `name` (renamed to the container's): init is born in
   * them when the monitor's spawner joined that pool, else `procs` are written like cgroupProcs.
   */
  cgroupPool?: { name: string; procs: string[] };
  /** cgroup.procs files the monitor daemon moves itself into (keep it out of the helper's cgroup). */
  monitorCgroupProcs?: string[];
  log: {
    /** JSON-lines log file (appended to). */
    path: string;
    /** Rotate before exceeding this size; 0 (default) never rotates. */
    maxBytes?: number;
    /** Files kept, the live one included (Docker's max-file); default 1. */
    maxFiles?: number;
  };
  /** Free-form, not interpreted. */
  annotations?: Record<string, string>;
  /** Berth: the container's seccomp filter; absent: none. */
  seccomp?: MonitorSeccomp;
  /** Berth, bench only: write run/trace.txt ("<CLOCK_MONOTONIC ns> <mark>" lines) once state.json says exited. */
  trace?: boolean;
}

/** exec-spec.json (berth-monitor exec). */
export interface MonitorExecSpec {
  /** As in spec.json, without openStdin (exec's stdin is the monitor's own). */
  process: Omit<MonitorProcess, 'openStdin'>;
  /** The container's cgroup.procs files: the exec'd process joins them before it runs. */
  cgroupProcs?: string[];
  /** As in spec.json: the exec'd process gets the container's filter. */
  seccomp?: MonitorSeccomp;
}

/**
 * Berth: a compiled seccomp filter (`berth-monitor seccomp-compile` output:
 * struct sock_filter[]), installed with seccomp(2) as the process's last step
 * before execve, after no_new_privs.
 */
export interface MonitorSeccomp {
  filter: string;
}

// ---------------------------------------------------------------------------
// Files the monitor writes into <stateDir> (each replaced atomically).

/** {step, errno, errnoName, message}, e.g. step 'chdir', message 'chdir /x: ENOENT (No such file or directory)'. */
export interface MonitorError {
  step: string;
  errno: number;
  errnoName: string;
  message: string;
}

export interface MonitorRunning {
  status: 'running';
  pid: number;
  /** Field 22 of /proc/PID/stat: compare before trusting pid (pid reuse). */
  pidStartTime: number;
  monitorPid: number;
  /** RFC 3339 with nanoseconds, UTC. */
  startedAt: string;
}

/** exit.json */
export interface MonitorExit {
  /** The exit code, or 128 + signal number. */
  exitCode: number;
  /** 'SIGKILL' etc., null for a normal exit. */
  signal: string | null;
  coreDumped?: true;
  finishedAt: string;
}

export interface MonitorExited extends Omit<MonitorRunning, 'status'>, MonitorExit {
  status: 'exited';
}

export interface MonitorFailed {
  status: 'failed';
  monitorPid: number;
  error: MonitorError;
  failedAt: string;
}

/** state.json */
export type MonitorState = MonitorRunning | MonitorExited | MonitorFailed;

/** One line of the log file. Partial entries continue in the next entry of the same stream. */
export interface MonitorLogEntry {
  /** RFC 3339 with nanoseconds, UTC. */
  t: string;
  s: 'stdout' | 'stderr';
  /** The line without its '\n'; invalid UTF-8 replaced by U+FFFD. */
  log: string;
  partial?: true;
}

// ---------------------------------------------------------------------------
// attach.sock and the exec control fd: 1 byte type, 4 bytes length (BE), payload.

export const FrameType = {
  Stdin: 0,
  Stdout: 1,
  Stderr: 2,
  Exit: 3,
  Resize: 4,
  CloseStdin: 5,
  Started: 6,
  Error: 7,
} as const;
export type FrameTypeValue = (typeof FrameType)[keyof typeof FrameType];

export interface Frame {
  type: number;
  payload: Buffer;
}

export function encodeFrame(type: FrameTypeValue, payload: Buffer | string = Buffer.alloc(0)): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload) : payload;
  const header = Buffer.alloc(5);
  header.writeUInt8(type, 0);
  header.writeUInt32BE(body.length, 1);
  return Buffer.concat([header, body]);
}

export function encodeResize(rows: number, cols: number): Buffer {
  const payload = Buffer.alloc(4);
  payload.writeUInt16BE(rows, 0);
  payload.writeUInt16BE(cols, 2);
  return encodeFrame(FrameType.Resize, payload);
}

/** Incremental decoder for a byte stream of frames. */
export class FrameDecoder {
  private buf: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Frame[] {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    const frames: Frame[] = [];
    while (this.buf.length >= 5) {
      const size = this.buf.readUInt32BE(1);
      if (this.buf.length < 5 + size) break;
      frames.push({ type: this.buf.readUInt8(0), payload: this.buf.subarray(5, 5 + size) });
      this.buf = this.buf.subarray(5 + size);
    }
    return frames;
  }
}

// ---------------------------------------------------------------------------
// Defaults the helper is expected to pass (Docker's / the OCI spec's).

/** Docker's default capability set (CapEff 0x00000000a80425fb). */
export const DOCKER_DEFAULT_CAPABILITIES: CapabilityName[] = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_FSETID',
  'CAP_FOWNER',
  'CAP_MKNOD',
  'CAP_NET_RAW',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETFCAP',
  'CAP_SETPCAP',
  'CAP_NET_BIND_SERVICE',
  'CAP_SYS_CHROOT',
  'CAP_KILL',
  'CAP_AUDIT_WRITE',
];

export const OCI_DEFAULT_MASKED_PATHS = [
  '/proc/acpi',
  '/proc/asound',
  '/proc/kcore',
  '/proc/keys',
  '/proc/latency_stats',
  '/proc/timer_list',
  '/proc/timer_stats',
  '/proc/sched_debug',
  '/proc/scsi',
  '/sys/firmware',
  '/sys/devices/virtual/powercap',
];

export const OCI_DEFAULT_READONLY_PATHS = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];

// ---------------------------------------------------------------------------
// Where the binary is.

/**
 * Candidate paths for berth-monitor (parts.ts): from the install prefix only
 * the prefix's copy; from a checkout $BERTH_MONITOR_PATH if set (only that),
 * else <root>/native/build/Release/berth-monitor (its app.asar.unpacked twin
 * first: an executable cannot run from inside the archive).
 */
export function monitorCandidates(
  startDir: string = path.dirname(fileURLToPath(import.meta.url)),
  env: NodeJS.ProcessEnv = process.env,
  installPrefix: string = INSTALL_PREFIX,
): string[] {
  return partCandidates('monitor', startDir, env, 'BERTH_MONITOR_PATH', installPrefix);
}

/** The first existing candidate; throws code MONITOR_NOT_BUILT listing every path tried. */
export function monitorPath(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const tried = monitorCandidates(here);
  const file = tried.find((p) => existsSync(p));
  if (file) return file;
  const err = new Error(
    `berth-monitor is not built: ${missingPartHint(here)}. Tried:\n  ${tried.join('\n  ') || `(no known layout around ${here})`}`,
  ) as Error & { code: string };
  err.code = 'MONITOR_NOT_BUILT';
  throw err;
}
