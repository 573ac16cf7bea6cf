/**
 * Builds the monitor's spec.json (an OCI runtime spec subset) for one run of
 * a container: Docker's defaults for capabilities, masked and read-only
 * paths and rlimits; the overlay rootfs; volumes as binds. The relaxations
 * are explicit request fields: --cap-add/--cap-drop (capabilities.ts),
 * --privileged (every capability, no masked or read-only paths, a writable
 * /sys), --read-only (a read-only root with tmpfs where programs write).
 */
import {
  DOCKER_DEFAULT_CAPABILITIES,
  OCI_DEFAULT_MASKED_PATHS,
  OCI_DEFAULT_READONLY_PATHS,
  type MonitorDevice,
  type CapabilityName,
  type MonitorMount,
  type MonitorSpec,
  type NamespaceType,
} from '../../../native/monitor';
import type { ContainerCreateT } from '../../../preload/schemas/containers';
import type { IdRange } from '../userns/ranges';
import { resolveCapabilities } from './capabilities';
import type { ResolvedUser } from './user';

export interface RunPaths {
  rootfs: string;
  upperDir: string;
  workDir: string;
  lowerDirs: string[];
  logPath: string;
}

export interface ResolvedProcess {
  args: string[];
  env: string[];
  cwd: string;
  user: ResolvedUser;
}

export interface SpecInput {
  id: string;
  config: ContainerCreateT;
  process: ResolvedProcess;
  hostname: string;
  paths: RunPaths;
  /**
   * The network namespace: join an existing one (bridge: prepared with its
   * veth), a new one (none: the monitor's clone makes it and the container
   * brings lo up), or null for host networking.
   */
  netns: { join: string } | 'new' | null;
  /** A pod member: the holder's namespaces to join (pid only when the pod shares it); the hostname is the pod's. */
  shared?: { ipc: string; uts: string; pid: string | null } | null;
  cgroupProcs: string[];
  /** Where init is born instead of written into: the unified group (CLONE_INTO_CGROUP), a standby's pool. */
  cgroupInto?: string | null;
  cgroupPool?: { name: string; procs: string[] } | null;
  log: { maxBytes: number; maxFiles: number };
  /** RLIMIT_NOFILE for the container (see defaultNofile). */
  nofile: number;
  /** Device nodes to make in the container (--device; privileged: the host's). */
  devices?: MonitorDevice[];
  /** --userns: the container's own host id range (userns/ranges.ts). */
  idRange?: IdRange | null;
  /** What the helper can grant (capabilities.ts hostCapabilities): --privileged and ALL mean all of these. */
  grantable?: readonly CapabilityName[];
  /** Host paths of the named volumes config.mounts uses (mounts.ts prepareVolumes). */
  volumePaths?: Record<string, string>;
}

/**
 * --read-only: where programs expect to write, a tmpfs (podman's
 * --read-only-tmpfs set: /tmp, /var/tmp, /run), nosuid,nodev like podman's.
 * /dev and /dev/shm are tmpfs already. With a user namespace each belongs to
 * the container's root, which cannot write a tmpfs owned by an unmapped id.
 */
export const READ_ONLY_TMPFS: ReadonlyArray<{ destination: string; mode: string }> = [
  { destination: '/tmp', mode: '1777' },
  { destination: '/var/tmp', mode: '1777' },
  { destination: '/run', mode: '755' },
];

/**
 * Docker gives containers 1048576 open files; raising a hard limit needs
 * CAP_SYS_RESOURCE, which a sandboxed root may lack, so cap it at the
 * helper's own hard limit (from /proc/self/limits).
 */
export function defaultNofile(limitsText: string): number {
  const m = /^Max open files\s+(\S+)\s+(\S+)/m.exec(limitsText);
  const hard = m?.[2] === 'unlimited' ? Infinity : Number(m?.[2]);
  return Number.isFinite(hard) && hard > 0 ? Math.min(1048576, hard) : 1024;
}

export function buildSpec(i: SpecInput): MonitorSpec {
  const sec = i.config.security;
  const caps = resolveCapabilities(sec, i.grantable, DOCKER_DEFAULT_CAPABILITIES);
  const shared = i.shared ?? null;
  const namespaces: Array<{ type: NamespaceType; path?: string }> = [
    shared?.pid ? { type: 'pid', path: shared.pid } : { type: 'pid' },
    { type: 'mount' },
    shared ? { type: 'uts', path: shared.uts } : { type: 'uts' },
    shared ? { type: 'ipc', path: shared.ipc } : { type: 'ipc' },
    { type: 'cgroup' },
  ];
  if (i.netns === 'new') namespaces.push({ type: 'network' });
  else if (i.netns) namespaces.push({ type: 'network', path: i.netns.join });
  if (i.config.timens) namespaces.push({ type: 'time' });
  if (i.config.userns) namespaces.push({ type: 'user' });
  const range = i.config.userns ? i.idRange : null;
  if (i.config.userns && !range) throw new Error("buildSpec: --userns needs the container's id range");
  const mounts: MonitorMount[] = [];
  // --privileged: a writable sysfs in place of the monitor's read-only one (runc's privileged /sys).
  if (sec.privileged)
    mounts.push({ destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'rw'] });
  if (sec.readOnlyRootfs) {
    const owner = range ? [`uid=${range.uid}`, `gid=${range.gid}`] : [];
    for (const t of READ_ONLY_TMPFS)
      mounts.push({
        destination: t.destination,
        type: 'tmpfs',
        source: 'tmpfs',
        options: ['rw', 'nosuid', 'nodev', `mode=${t.mode}`, ...owner],
      });
  }
  // Volumes last: one under /tmp or /run lands on the tmpfs, not under it.
  mounts.push(...userMounts(i.config, i.volumePaths ?? {}, range ?? null));
  const spec: MonitorSpec = {
    ociVersion: '1.0.2',
    process: {
      args: i.process.args,
      env: i.process.env,
      cwd: i.process.cwd,
      user: { uid: i.process.user.uid, gid: i.process.user.gid, additionalGids: i.process.user.additionalGids },
      terminal: i.config.tty,
      openStdin: i.config.openStdin && !i.config.tty,
      rlimits: [{ type: 'RLIMIT_NOFILE', hard: i.nofile, soft: i.nofile }],
      noNewPrivileges: true,
      capabilities: { bounding: caps, effective: caps, permitted: caps, inheritable: [], ambient: [] },
    },
    // A pod's uts namespace is the holder's, which set the pod's hostname.
    ...(shared ? {} : { hostname: i.hostname }),
    root: { path: i.paths.rootfs, ...(sec.readOnlyRootfs ? { readonly: true } : {}) },
    overlay: { lowerdirs: i.paths.lowerDirs, upperdir: i.paths.upperDir, workdir: i.paths.workDir },
    mounts,
    linux: {
      namespaces,
      // --privileged: nothing masked, nothing read-only (docker and runc do the same).
      maskedPaths: sec.privileged ? [] : OCI_DEFAULT_MASKED_PATHS,
      readonlyPaths: sec.privileged ? [] : OCI_DEFAULT_READONLY_PATHS,
    },
    cgroupProcs: i.cgroupProcs,
    ...(i.cgroupInto ? { cgroupInto: i.cgroupInto } : {}),
    ...(i.cgroupPool ? { cgroupPool: i.cgroupPool } : {}),
    log: { path: i.paths.logPath, maxBytes: i.log.maxBytes, maxFiles: i.log.maxFiles },
    annotations: { 'org.berth.container.id': i.id },
  };
  if (i.devices?.length) spec.linux.devices = i.devices;
  if (i.process.user && i.config.tty) spec.process.consoleSize = { height: 24, width: 80 };
  if (range) {
    // The engine chowns upper/work to range.uid:range.gid (manager.ts); the
    // monitor id-maps the layers with these maps (native/monitor/src/userns.h).
    spec.linux.uidMappings = [{ containerID: 0, hostID: range.uid, size: range.size }];
    spec.linux.gidMappings = [{ containerID: 0, hostID: range.gid, size: range.size }];
  }
  return spec;
}

/**
 * -v binds and --mount entries as monitor mounts, parents before children
 * (docker sorts by depth too), so `-v a:/data -v b:/data/sub` lands b on a's
 * tree whatever the order given. A stable sort: equal depths keep their order.
 */
export function userMounts(
  config: Pick<ContainerCreateT, 'volumes' | 'mounts'>,
  volumePaths: Record<string, string>,
  range: IdRange | null,
): MonitorMount[] {
  const out: MonitorMount[] = config.volumes.map((v) => ({
    destination: v.destination,
    type: 'bind',
    source: v.source,
    options: ['rbind', 'rprivate', v.readOnly ? 'ro' : 'rw'],
  }));
  for (const m of config.mounts ?? []) {
    const rw = m.readOnly ? 'ro' : 'rw';
    if (m.type === 'tmpfs') {
      // docker's tmpfs defaults: nosuid,nodev,noexec, mode 1777.
      const owner = range ? [`uid=${range.uid}`, `gid=${range.gid}`] : [];
      out.push({
        destination: m.target,
        type: 'tmpfs',
        source: 'tmpfs',
        options: [
          rw,
          'nosuid',
          'nodev',
          'noexec',
          `mode=${m.mode ?? '1777'}`,
          ...(m.sizeBytes !== undefined ? [`size=${m.sizeBytes}`] : []),
          ...owner,
        ],
      });
      continue;
    }
    const source = m.type === 'bind' ? m.source : volumePaths[m.source];
    if (!source) throw new Error(`buildSpec: no host path for volume ${m.source}`);
    out.push({ destination: m.target, type: 'bind', source, options: ['rbind', 'rprivate', rw] });
  }
  const depth = (p: string): number => p.split('/').filter((x) => x && x !== '.').length;
  return out
    .map((m, n) => ({ m, n }))
    .sort((a, b) => depth(a.m.destination) - depth(b.m.destination) || a.n - b.n)
    .map((x) => x.m);
}

/** Docker's rule: the image's Entrypoint + Cmd, each replaceable by the request. */
export function resolveArgs(
  imageConfig: { Entrypoint?: string[] | null; Cmd?: string[] | null },
  req: Pick<ContainerCreateT, 'command' | 'entrypoint'>,
): string[] {
  const entrypoint = req.entrypoint ?? imageConfig.Entrypoint ?? [];
  // A new entrypoint drops the image's Cmd (docker does the same).
  const cmd = req.command ?? (req.entrypoint ? [] : (imageConfig.Cmd ?? []));
  return [...entrypoint, ...cmd];
}

/** Image env, then the request's (later wins), with PATH and HOSTNAME/HOME defaults. */
export function mergeEnv(
  imageEnv: string[] | null | undefined,
  reqEnv: string[],
  hostname: string,
  home: string,
): string[] {
  const map = new Map<string, string>();
  map.set('PATH', '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin');
  map.set('HOSTNAME', hostname);
  for (const e of [...(imageEnv ?? []), ...reqEnv]) {
    const eq = e.indexOf('=');
    if (eq > 0) map.set(e.slice(0, eq), e.slice(eq + 1));
  }
  if (!map.has('HOME')) map.set('HOME', home);
  return [...map].map(([k, v]) => `${k}=${v}`);
}
