/**
 * Container lifecycle inside the helper. Every state change is written to
 * the container's record before it is announced; the monitor (not the
 * helper) is each container's parent, so a helper restart re-adopts running
 * containers and learns the exit codes of those that ended meanwhile.
 */
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { BerthError } from '../../../preload/errors';
import { KeyedMutex } from '../../shared/mutex';
import type {
  ContainerCreateT,
  ContainerDetailT,
  ContainerStateT,
  ContainerSummaryT,
  FsChangeT,
  LogLineT,
} from '../../../preload/schemas/containers';
import type { EffectiveLimits, Limits } from '../../../preload/schemas/resources';
import type { MonitorExit } from '../../../native/monitor';
import { mergeLimits, type CgroupDriver, type CgroupHandle } from '../cgroups/driver';
import {
  ensureBridge,
  publishPorts,
  unpublishAllTo,
  unpublishPorts,
  type BridgeConfig,
  type PortMapping,
} from '../network/bridge';
import { Ipam, netStateDir } from '../network/ipam';
import { createSandbox, destroySandbox, netnsName } from '../network/sandbox';
import { Networks } from '../network/networks';
import type { Durability } from '../storage/atomic-file';
import { faultPoint } from '../storage/fault-points';
import { lockFile } from '../storage/file-lock';
import { overlayDiff, type GetXattr } from '../storage/overlay-diff';
import { readLogs } from './logs';
import { newContainerId, randomName } from './names';
import { RecordStore, type ContainerRecord, type DamagedRecord } from './record';
import { restartDelayMs, shouldRestart, startOnHelperBoot } from './restart-policy';
import {
  readExit,
  readMonitorState,
  sameProcess,
  signalContainer,
  signalNumber,
  processEnded,
  startMonitor,
  watchExit,
} from './runtime';
import { SeccompFilters } from '../seccomp/filters';
import { seccompInForce } from '../seccomp/status';
import { DOCKER_DEFAULT_CAPABILITIES } from '../../../native/monitor';
import type { DevicePolicyT } from '../../../preload/schemas/devices';
import type { MountSpecT } from '../../../preload/schemas/volumes';
import { plainRules } from '../cgroups/device-policy';
import { containerDevices, monitorDevices, type ContainerDevices } from './devices';
import { IdRangeAllocator, type IdRange } from '../userns/ranges';
import { containerCapabilities, hostCapabilities } from './capabilities';
import { buildSpec, defaultNofile, mergeEnv, resolveArgs, type SpecInput } from './spec';
import { resolveUser } from './user';
import { mark, saveTrace, traceOf, tracing } from './start-trace';
import { monitorLauncher, type Standby } from './monitor-launcher';
import type { VolumeStore } from '../volumes/store';
import { checkMounts, ensureVolumes, prepareVolumes, volumeUsersOf } from './mounts';
import { Endpoints, isUserMode, managesHosts } from './endpoints';
import { containerSummary, damagedSummary, listed, nsPidsOf } from './summary';

export interface ImageRuntimeConfig {
  Entrypoint?: string[] | null;
  Cmd?: string[] | null;
  Env?: string[] | null;
  WorkingDir?: string;
  User?: string;
}

/** What the containers need from the image store. */
export interface ImageProvider {
  resolve(ref: string): Promise<{ id: string; name: string; config: ImageRuntimeConfig; lowerDirs: string[] }>;
}

export type ContainerAction =
  'create' | 'start' | 'die' | 'oom' | 'stop' | 'pause' | 'unpause' | 'restart' | 'rename' | 'remove';

export interface ContainerEvent {
  id: string;
  action: ContainerAction;
  state: ContainerStateT | null;
  exitCode: number | null;
  at: string;
}

/** What a pod member joins (engine/pods: the pod's holder, network and cgroup parent). */
export interface PodJoin {
  podId: string;
  /** The member's cgroup parent: the pod's group, which carries the pod's limits. */
  cgroupParent: string;
  /** The pod's network namespace file and address. */
  netns: string;
  ip: string | null;
  /** The holder's namespace files (pid only when the pod shares it). */
  ipc: string;
  uts: string;
  pid: string | null;
}

/** The pods engine as the containers see it (set with setPods before adopt). */
export interface PodLink {
  /** A pod's id and hostname by name or id (POD_NOT_FOUND). */
  resolve(ref: string): { id: string; hostname: string };
  /** The pod's cgroup parent (a pure function of its id). */
  cgroupParent(podId: string): string;
  /** Starts the pod if it is not running; what a member joins. */
  join(podId: string): Promise<PodJoin>;
}

export interface ManagerOptions {
  dataRoot: string;
  images: ImageProvider;
  cgroups: CgroupDriver;
  bridge: BridgeConfig;
  getXattr: GetXattr;
  emit: (e: ContainerEvent) => void;
  log: (msg: string) => void;
  logLimits?: { maxBytes: number; maxFiles: number };
  /** Parent cgroup under which every container's group is created. */
  cgroupParent?: string;
  /** --userns ranges (machine-wide allocation file, Berth's subordinate ids). */
  idRanges?: IdRangeAllocator;
  /** Named volumes (`--mount type=volume`, `-v NAME:/path`); without it such mounts are refused. */
  volumes?: VolumeStore;
}

interface Live {
  handle: CgroupHandle | null;
  stopWatch: (() => void) | null;
  exited: Promise<void>;
  resolveExited: () => void;
  restartTimer: NodeJS.Timeout | null;
  lastDelay: number;
  /** The last run's teardown, once begun: a new run and remove() wait for it, and nothing tears down twice. */
  tornDown: Promise<void> | null;
  /**
   * The last run's monitor, until it has exited: after exit.json it still
   * releases the overlay and writes state.json, holding monitor.lock, which
   * the next run's monitor must take.
   */
  monitorEnded: Promise<void> | null;
  /** The device policy and nodes this run was started with (device policy: sec-devices). */
  devices?: ContainerDevices;
}

const now = (): string => new Date().toISOString();

export class ContainerManager {
  private readonly records = new Map<string, ContainerRecord>();
  /** Container directories whose record cannot be used: listed as `unreadable`, removable, nothing else. */
  private readonly damaged = new Map<string, DamagedRecord>();
  private readonly live = new Map<string, Live>();
  private readonly locks = new KeyedMutex();
  private readonly store: RecordStore;
  private readonly ipam: Ipam;
  private readonly parent: string;
  private readonly seccomp: SeccompFilters;
  private readonly idRanges: IdRangeAllocator;
  /** User-defined networks and this helper's containers' attachments to them. */
  readonly endpoints: Endpoints;
  private pods: PodLink | null = null;

  constructor(private readonly o: ManagerOptions) {
    this.seccomp = new SeccompFilters(`${o.dataRoot}/seccomp`);
    this.store = new RecordStore(o.dataRoot);
    this.idRanges = o.idRanges ?? new IdRangeAllocator({ log: o.log });
    this.ipam = new Ipam(o.bridge.stateDir ?? netStateDir(o.bridge.name), o.bridge.subnet, `${o.dataRoot}/network`);
    this.parent = o.cgroupParent ?? 'berth';
    const networks = new Networks({
      dataRoot: o.dataRoot,
      defaultBridge: o.bridge,
      ensureDefault: () => this.ensureBridgeShared(),
      log: o.log,
    });
    this.endpoints = new Endpoints(
      networks,
      () => this.records.values(),
      (id) => this.store.paths(id).dir,
      o.log,
    );
  }

  /** Pods (engine/pods) give members their namespaces and cgroup parent. */
  setPods(link: PodLink): void {
    this.pods = link;
  }

  /** Where a container's cgroup lives: under its pod's group, else under Berth's parent. */
  private cgroupParentOf(r: ContainerRecord): string {
    return r.config.pod && this.pods ? this.pods.cgroupParent(r.config.pod) : this.parent;
  }

  /** The containers of a pod (by the pod's id). */
  membersOf(podId: string): ContainerRecord[] {
    return [...this.records.values()].filter((r) => r.config.pod === podId);
  }

  // ── lookup ────────────────────────────────────────────────────────────────

  /** By full id, unique id prefix, or name (docker's rules); damaged records answer to their id. */
  private lookup(ref: string): { record: ContainerRecord } | { damaged: DamagedRecord } {
    const byId = this.records.get(ref);
    if (byId) return { record: byId };
    const damagedById = this.damaged.get(ref);
    if (damagedById) return { damaged: damagedById };
    const byName = [...this.records.values()].find((r) => r.name === ref);
    if (byName) return { record: byName };
    const prefixed = [...this.records.values()].filter((r) => r.id.startsWith(ref));
    const damagedPrefixed = [...this.damaged.values()].filter((d) => d.id.startsWith(ref));
    const n = prefixed.length + damagedPrefixed.length;
    if (n > 1) throw new BerthError('CONTAINER_AMBIGUOUS', `${ref} matches ${n} containers`);
    if (prefixed.length === 1) return { record: prefixed[0]! };
    if (damagedPrefixed.length === 1) return { damaged: damagedPrefixed[0]! };
    throw new BerthError('CONTAINER_NOT_FOUND', `no such container: ${ref}`);
  }

  /** A usable record; a damaged one answers CONTAINER_UNREADABLE (only inspect, list and remove take it). */
  find(ref: string): ContainerRecord {
    const hit = this.lookup(ref);
    if ('record' in hit) return hit.record;
    throw new BerthError(
      'CONTAINER_UNREADABLE',
      `container ${hit.damaged.id} is unreadable (${hit.damaged.reason}); it can only be inspected or removed`,
      { id: hit.damaged.id, reason: hit.damaged.reason },
    );
  }

  /** The containers (any state) whose config mounts the volume: VolumeStore's usage. */
  volumeUsers(volume: string): Array<{ id: string; name: string }> {
    return volumeUsersOf(this.records.values(), volume);
  }

  /** Ids of the containers created from an image (disk usage: what keeps it). */
  containerIdsUsing(imageId: string): string[] {
    return [...this.records.values()].filter((r) => r.imageId === imageId).map((r) => r.id);
  }

  containersUsing(imageId: string): string[] {
    return [...this.records.values()].filter((r) => r.imageId === imageId).map((r) => r.name);
  }

  /** Host pid → container id, for the namespace graph. */
  containerOfPid(pid: number): string | null {
    for (const r of this.records.values()) if (r.pid === pid) return r.id;
    return null;
  }

  runningHandles(): Array<{ id: string; handle: CgroupHandle; pid: number }> {
    const out: Array<{ id: string; handle: CgroupHandle; pid: number }> = [];
    for (const [id, l] of this.live) {
      const r = this.records.get(id);
      if (l.handle && r?.pid && (r.state === 'running' || r.state === 'paused'))
        out.push({ id, handle: l.handle, pid: r.pid });
    }
    return out;
  }

  /** Every pid in a running container's cgroup. */
  pidsOf(id: string): number[] {
    const h = this.live.get(id)?.handle;
    return h ? this.o.cgroups.pids(h) : [];
  }

  handleOf(ref: string): CgroupHandle {
    const r = this.find(ref);
    const h = this.live.get(r.id)?.handle;
    if (!h || (r.state !== 'running' && r.state !== 'paused')) {
      throw new BerthError('CONTAINER_NOT_RUNNING', `container ${r.name} is not running`);
    }
    return h;
  }

  // ── the serialisation of operations on one container ──────────────────────

  private withLock<T>(id: string, fn: () => Promise<T>): Promise<T> {
    return this.locks.run(id, fn);
  }

  /**
   * Config changes are saved durably. Run-state transitions (running, exited)
   * only atomically: after a power cut an older state may come back, which
   * adopt() repairs (a "running" record whose process is gone ends as dead).
   * A restart policy reads startedAt at boot, so with one the start is durable.
   */
  private save(r: ContainerRecord, durability: Durability = 'durable'): void {
    try {
      this.store.save(r, durability);
    } catch (err) {
      // A config change that did not reach the disk (ENOSPC, EIO) did not
      // happen: put the caller's edits back to the stored record, so what we
      // answer is what a restarted helper would read. Run-state transitions
      // keep memory: it tracks the kernel, which changed whatever the disk says.
      const stored = durability === 'durable' ? this.store.load(r.id) : null;
      if (stored) Object.assign(r, stored);
      throw err;
    }
    this.records.set(r.id, r);
  }

  private announce(r: ContainerRecord, action: ContainerAction): void {
    this.o.emit({ id: r.id, action, state: this.records.has(r.id) ? r.state : null, exitCode: r.exitCode, at: now() });
  }

  // ── create ────────────────────────────────────────────────────────────────

  async create(req: ContainerCreateT): Promise<{ id: string; name: string; warnings: string[] }> {
    const warnings: string[] = [];
    if (req.name && [...this.records.values()].some((r) => r.name === req.name)) {
      throw new BerthError('NAME_IN_USE', `the container name "${req.name}" is already in use`);
    }
    for (const v of req.volumes) {
      if (!fs.existsSync(v.source))
        throw new BerthError('VOLUME_SOURCE_MISSING', `volume source ${v.source} does not exist`);
    }
    checkMounts(req);
    if (!this.o.volumes && (req.mounts ?? []).some((m) => m.type === 'volume'))
      throw new BerthError('MOUNT_INVALID', 'this engine has no volume store');
    let podHostname: string | null = null;
    if (req.pod !== undefined) {
      if (!this.pods) throw new BerthError('POD_NOT_FOUND', `no pods engine: cannot join pod ${req.pod}`);
      // The pod's network, ports and hostname are shared: a member brings none of its own.
      if (req.ports.length > 0 || req.network !== 'bridge' || req.hostname !== undefined) {
        throw new BerthError(
          'POD_MEMBER_CONFLICT',
          "a pod member shares the pod's network, ports and hostname: publish ports and set them on the pod",
        );
      }
      const pod = this.pods.resolve(req.pod);
      req = { ...req, pod: pod.id };
      podHostname = pod.hostname;
    }
    if (req.network !== 'bridge' && !isUserMode(req.network) && req.ports.length > 0) {
      throw new BerthError('BAD_PARAMS', `publishing ports needs the bridge network (got ${req.network})`);
    }
    // A given seccomp profile is checked (and compiled) now: a bad one
    // creates nothing. Checked for the default capability set; a start
    // compiles for the container's own bounding set (cached).
    if (typeof req.security.seccomp === 'object' && !req.security.privileged) {
      const f = await this.seccomp.forContainer(req.security, DOCKER_DEFAULT_CAPABILITIES);
      if (f?.skipped.length) warnings.push(`seccomp: syscalls unknown to libseccomp skipped: ${f.skipped.join(', ')}`);
    }
    // --device / --device-cgroup-rule: DEVICE_INVALID / DEVICE_RULE_INVALID now, not at start.
    containerDevices(req, req.resources as Limits);
    // An unknown capability name is refused before anything is stored.
    containerCapabilities(req.security);
    // --network NAME must exist; --ip and aliases need one.
    const endpoints = this.endpoints.endpointsForCreate(req);
    const img = await this.o.images.resolve(req.image);
    const args = resolveArgs(img.config, req);
    if (args.length === 0)
      throw new BerthError('NO_COMMAND', 'no command specified (the image has neither Entrypoint nor Cmd)');
    const user = resolveUser(req.user ?? (img.config.User || undefined), img.lowerDirs);
    const id = newContainerId();
    const hostname = podHostname ?? req.hostname ?? id.slice(0, 12);
    // Volumes are made now, with no await before the record is saved: a
    // volume rm cannot come between them (the record is what keeps it).
    if (this.o.volumes) req = ensureVolumes(req, this.o.volumes);
    const record: ContainerRecord = {
      id,
      name: req.name ?? randomName((n) => [...this.records.values()].some((r) => r.name === n)),
      created: now(),
      image: req.image,
      imageId: img.id,
      config: req,
      process: {
        args,
        env: mergeEnv(img.config.Env, req.env, hostname, user.home),
        cwd: req.workdir ?? (img.config.WorkingDir || '/'),
        user,
      },
      hostname,
      lowerDirs: img.lowerDirs,
      state: 'created',
      pid: null,
      pidStartTime: null,
      monitorPid: null,
      startedAt: null,
      finishedAt: null,
      exitCode: null,
      oomKilled: false,
      restartCount: 0,
      stoppedByUser: false,
      error: null,
      network: { ip: null, netns: null },
      ...(endpoints.length ? { endpoints } : {}),
    };
    faultPoint('create.before-record');
    this.save(record);
    mark(id, 'helper: create: record saved');
    if (req.userns) {
      try {
        await this.ensureIdRange(record);
      } catch (err) {
        this.records.delete(id);
        this.store.remove(id);
        throw err;
      }
    }
    this.announce(record, 'create');
    return { id, name: record.name, warnings };
  }

  /**
   * The container's own host id range (allocated at create; a record from
   * before per-container ranges gets one at its next start). Saved with the
   * record before anything is chowned to it.
   */
  private async ensureIdRange(r: ContainerRecord): Promise<IdRange> {
    if (r.idRange) return r.idRange;
    r.idRange = await this.idRanges.allocate({ dataRoot: this.o.dataRoot, id: r.id });
    this.save(r);
    return r.idRange;
  }

  // ── start ─────────────────────────────────────────────────────────────────

  start(ref: string): Promise<ContainerSummaryT> {
    const r = this.find(ref);
    mark(r.id, 'helper: start handler');
    return this.withLock(r.id, async () => {
      const cur = this.records.get(r.id)!;
      if (cur.state === 'running' || cur.state === 'paused') return this.summary(cur);
      const l = this.live.get(r.id);
      if (l?.restartTimer) clearTimeout(l.restartTimer);
      cur.stoppedByUser = false;
      await this.run(cur);
      return this.summary(cur);
    });
  }

  private liveFor(id: string): Live {
    let l = this.live.get(id);
    if (!l) {
      let resolveExited!: () => void;
      const exited = new Promise<void>((res) => (resolveExited = res));
      l = {
        handle: null,
        stopWatch: null,
        exited,
        resolveExited,
        restartTimer: null,
        lastDelay: 0,
        tornDown: null,
        monitorEnded: null,
      };
      this.live.set(id, l);
    }
    return l;
  }

  private freshExitPromise(l: Live): void {
    l.exited = new Promise<void>((res) => (l.resolveExited = res));
  }

  /** One run: cgroup, network, monitor. Everything made is unmade on failure. */
  private async run(r: ContainerRecord): Promise<void> {
    // The previous run's cgroup has the same path: let its removal finish first;
    // and its monitor still holds monitor.lock until it has exited.
    await this.live.get(r.id)?.tornDown;
    await this.live.get(r.id)?.monitorEnded;
    const p = this.store.paths(r.id);
    for (const d of [p.rootfs, p.upperDir, p.workDir]) fs.mkdirSync(d, { recursive: true, mode: 0o700 });
    // The merged root takes the upper dir's owner and mode: 0755 as in any
    // image, or a container user other than root cannot read "/". (The
    // container's own dir above stays 0700.)
    fs.chmodSync(p.upperDir, 0o755);
    fs.rmSync(p.workDir, { recursive: true, force: true }); // overlay wants an empty workdir
    fs.mkdirSync(p.workDir, { mode: 0o700 });
    mark(r.id, 'helper: upper, work and rootfs dirs ready');
    const idRange = r.config.userns ? await this.ensureIdRange(r) : null;
    if (idRange) {
      // The container's root (a mapped host id) owns its writable layer: the
      // overlay root and copy-ups belong to it, never to the host's root.
      for (const d of [p.upperDir, p.workDir]) fs.chownSync(d, idRange.uid, idRange.gid);
    }
    const l = this.liveFor(r.id);
    this.freshExitPromise(l);
    let handle: CgroupHandle | null = null;
    let netns: string | null = null;
    let netnsSpec: SpecInput['netns'] = null;
    let ip: string | null = null;
    let pod: PodJoin | null = null;
    let standby: Standby | null = null;
    let adopted: { handle: CgroupHandle; pooled: string[] } | null = null;
    let launched = false;
    try {
      // A member: the pod runs first (its holder owns the namespaces joined below).
      if (r.config.pod) {
        if (!this.pods) throw new BerthError('POD_NOT_FOUND', `no pods engine: cannot join pod ${r.config.pod}`);
        pod = await this.pods.join(r.config.pod);
      }
      const parent = pod?.cgroupParent ?? this.parent;
      const { devices: _deviceLimits, ...limits } = r.config.resources as Limits;
      // A standby's cgroup pool becomes the container's group when it can
      // (cgroup-pool.ts): init is then born there, with no cgroup.procs write.
      standby = monitorLauncher().take();
      const pools = monitorLauncher().cgroupPools();
      adopted =
        standby?.pool && pools?.parent === parent && poolable(limits)
          ? this.o.cgroups.adoptPool(standby.pool.name, r.id, parent)
          : null;
      if (standby?.pool && !adopted) monitorLauncher().dropPool(standby.pool);
      handle = adopted?.handle ?? this.o.cgroups.create(r.id, parent);
      mark(r.id, adopted ? 'helper: cgroups created (pool renamed)' : 'helper: cgroups created');
      this.o.cgroups.apply(handle, limits);
      mark(r.id, 'helper: limits applied');
      // The device policy is in force before the monitor starts the container:
      // its pid joins these groups before it runs anything (monitor cgroupProcs).
      const dev = containerDevices(r.config, r.config.resources as Limits);
      this.o.cgroups.setDevicePolicy(handle, plainRules(dev.rules));
      mark(r.id, 'helper: device policy set');
      l.devices = dev;
      const mode = r.config.network;
      if (pod) {
        // The pod's namespace, address and ports: nothing of the member's own to make or undo.
        netnsSpec = { join: pod.netns };
      } else if (mode === 'bridge') {
        await this.ensureBridgeShared();
        ip = this.ipam.allocate(r.id);
        netns = (await createSandbox(r.id, 'bridge', { config: this.o.bridge, ip })).nsPath;
        netnsSpec = netns ? { join: netns } : null;
        await publishPorts(this.o.bridge.table, r.config.ports, ip);
        await this.endpoints.attachAll(r, netnsName(r.id), true);
      } else if (isUserMode(mode)) {
        // A user network: a named netns with lo only, then one veth per network (endpoints.ts).
        netns = (await createSandbox(r.id, 'none')).nsPath;
        netnsSpec = netns ? { join: netns } : null;
        await this.endpoints.attachAll(r, netnsName(r.id), false);
        ip = this.endpoints.primaryIp(r);
        if (ip) await publishPorts(this.o.bridge.table, r.config.ports, ip);
      } else if (mode === 'none') {
        // No ip(8) and no /run/netns name: the monitor's clone creates the
        // namespace, the container brings lo up, and it ends with the
        // container. Exec and stats reach it through /proc/PID/ns/net.
        netnsSpec = 'new';
      }
      const volumePaths = prepareVolumes({
        config: r.config,
        store: this.o.volumes,
        layers: [p.upperDir, ...r.lowerDirs],
        getXattr: this.o.getXattr,
        shift: idRange ? { uid: idRange.uid, gid: idRange.gid } : null,
        log: this.o.log,
      });
      mark(r.id, 'helper: volumes ready');
      const spec = buildSpec({
        id: r.id,
        volumePaths,
        config: r.config,
        process: r.process,
        hostname: r.hostname,
        paths: {
          rootfs: p.rootfs,
          upperDir: p.upperDir,
          workDir: p.workDir,
          lowerDirs: r.lowerDirs,
          logPath: p.logPath,
        },
        netns: netnsSpec,
        shared: pod ? { ipc: pod.ipc, uts: pod.uts, pid: pod.pid } : null,
        ...cgroupPlacement(this.o.cgroups.procsFiles(handle), handle, adopted, standby),
        log: this.o.logLimits ?? { maxBytes: 10 * 1024 * 1024, maxFiles: 3 },
        nofile: defaultNofile(fs.readFileSync('/proc/self/limits', 'utf8')),
        devices: monitorDevices(dev.devices),
        idRange,
        grantable: hostCapabilities(),
      });
      // Records from before security options existed run with the defaults.
      const security = r.config.security ?? { privileged: false, seccomp: 'default' };
      const filter = await this.seccomp.forContainer(security, spec.process.capabilities.bounding ?? []);
      if (filter) spec.seccomp = { filter: filter.path };
      if (tracing()) spec.trace = true;
      if (managesHosts(r)) {
        // Names on its networks (network/hosts.ts); rewritten in place as peers come and go.
        const hosts = this.endpoints.writeHosts(r, mode === 'bridge' ? ip : null);
        spec.mounts = [
          { destination: '/etc/hosts', type: 'bind', source: hosts, options: ['rbind', 'rprivate', 'rw'] },
          ...(spec.mounts ?? []),
        ];
      }
      mark(r.id, 'helper: spec built, seccomp filter found');
      launched = true;
      const st = await startMonitor(p.runDir, spec, traceOf(r.id), standby);
      Object.assign(r, {
        state: 'running',
        pid: st.pid,
        pidStartTime: st.pidStartTime,
        monitorPid: st.monitorPid,
        startedAt: st.startedAt,
        finishedAt: null,
        exitCode: null,
        oomKilled: false,
        error: null,
        network: pod
          ? { ip: null, netns: pod.netns }
          : { ip, netns: netnsSpec === 'new' ? `/proc/${st.pid}/ns/net` : netns },
      } satisfies Partial<ContainerRecord>);
      l.handle = handle;
      l.tornDown = null;
      this.save(r, r.config.restart.name === 'no' ? 'atomic' : 'durable');
      mark(r.id, 'helper: record saved (running)');
      // The watch first: its callback runs on a later turn, after this
      // function's synchronous rest, so the exit never overtakes the start.
      this.watch(r, st.monitorPid);
      this.announce(r, 'start');
      // Its own file too: a peer that became running since it was written is in it now.
      this.endpoints.refreshPeers((r.endpoints ?? []).map((e) => e.networkId));
      mark(r.id, 'helper: start answered');
    } catch (err) {
      if (standby && !launched) monitorLauncher().abandon(standby, adopted !== null);
      l.tornDown = this.teardown(r.id, handle, ip).catch((e: unknown) =>
        this.o.log(`cleanup after failed start of ${r.id}: ${String(e)}`),
      );
      await l.tornDown;
      const message = err instanceof Error ? err.message : String(err);
      Object.assign(r, {
        state: 'exited',
        pid: null,
        exitCode: /ENOENT/.test(message) ? 127 : /EACCES|EPERM/.test(message) ? 126 : 125,
        finishedAt: now(),
        error: message,
        network: { ip: null, netns: null },
      } satisfies Partial<ContainerRecord>);
      Endpoints.clearRuntime(r);
      this.save(r, 'atomic');
      l.resolveExited();
      this.announce(r, 'die');
      if (tracing()) setImmediate(() => saveTrace(r.id));
      throw err;
    }
  }

  private watch(r: ContainerRecord, monitorPid: number): void {
    const l = this.liveFor(r.id);
    l.stopWatch?.();
    l.stopWatch = watchExit(
      this.store.paths(r.id).runDir,
      monitorPid,
      (e) => {
        mark(r.id, 'helper: exit.json seen');
        void this.onExit(r.id, e).catch((err: unknown) => this.o.log(`exit handling of ${r.id}: ${String(err)}`));
      },
      undefined,
      traceOf(r.id),
    );
  }

  /** ensureBridge, serialised with every other helper on the machine (the bridge is shared). */
  private async ensureBridgeShared(): Promise<void> {
    const file = path.join(this.o.bridge.stateDir ?? netStateDir(this.o.bridge.name), 'bridge.lock');
    const lock = await lockFile(file, 60_000, () => {
      throw new BerthError(
        'NET_LOCKED',
        `the bridge ${this.o.bridge.name} is being set up by another process (${file})`,
      );
    });
    try {
      await ensureBridge(this.o.bridge);
    } finally {
      lock.close();
    }
  }

  /**
   * A pod's network (engine/pods), made as a bridge container's is: a named
   * netns with a veth on the bridge and an address owned by ownerId, and the
   * pod's published ports pointing at it; or a netns with only loopback.
   */
  async openPodNetwork(
    ownerId: string,
    mode: 'bridge' | 'none',
    ports: PortMapping[],
  ): Promise<{ netns: string; ip: string | null }> {
    if (mode === 'none') return { netns: (await createSandbox(ownerId, 'none')).nsPath!, ip: null };
    await this.ensureBridgeShared();
    const ip = this.ipam.allocate(ownerId);
    try {
      const sb = await createSandbox(ownerId, 'bridge', { config: this.o.bridge, ip });
      await publishPorts(this.o.bridge.table, ports, ip);
      return { netns: sb.nsPath!, ip };
    } catch (err) {
      await this.closePodNetwork(ownerId, ports, ip).catch(() => undefined);
      throw err;
    }
  }

  /** Undoes openPodNetwork; tolerant of what is already gone. */
  async closePodNetwork(ownerId: string, ports: PortMapping[], ip: string | null): Promise<void> {
    if (ip) await unpublishPorts(this.o.bridge.table, ports, ip);
    await destroySandbox(ownerId);
    this.ipam.release(ownerId);
  }

  /** Undo what a run made: cgroup, published ports, network namespace, address. */
  private async teardown(id: string, handle: CgroupHandle | null, ip: string | null): Promise<void> {
    const r = this.records.get(id);
    if (handle) await this.o.cgroups.destroy(handle);
    if (ip && r) await unpublishPorts(this.o.bridge.table, r.config.ports, ip);
    // User-network veths go before the netns: a netns' deletion frees its veths only later, in the background.
    if (r?.endpoints?.length) await this.endpoints.detachAll(id, r.endpoints);
    await destroySandbox(id);
    // Only a bridge container is ever given an address: the others skip the
    // shared table's lock and read (a start's teardown, on the remove path).
    if (!r || r.config.network === 'bridge') this.ipam.release(id);
  }

  private async onExit(id: string, e: MonitorExit | null): Promise<void> {
    const r = this.records.get(id);
    const l = this.live.get(id);
    if (!r || !l) return;
    l.stopWatch = null;
    let oom = false;
    if (l.handle) {
      try {
        oom = (this.o.cgroups.events(l.handle)?.oomKill ?? 0) > 0;
      } catch {
        oom = false;
      }
    }
    const runMs = r.startedAt ? Date.now() - Date.parse(r.startedAt) : 0;
    const { handle } = l;
    const { ip } = r.network;
    l.handle = null;
    l.monitorEnded = processEnded(r.monitorPid);
    Object.assign(r, {
      state: e ? 'exited' : 'dead',
      pid: null,
      pidStartTime: null,
      monitorPid: null,
      exitCode: e ? e.exitCode : 255,
      finishedAt: e?.finishedAt ?? now(),
      oomKilled: oom,
      error: e ? null : 'the monitor ended without recording an exit status',
      network: { ip: null, netns: null },
    } satisfies Partial<ContainerRecord>);
    const left = (r.endpoints ?? []).filter((e) => e.ip).map((e) => e.networkId);
    Endpoints.clearRuntime(r);
    // The exit is known: announce it, then save it, in one synchronous step
    // (nothing else on this container runs between the two). The record's
    // fsync is off the die event's path without weakening what the disk
    // holds: until the rename, the stored record says running and the
    // monitor's exit.json (kept until the next start) holds the exit, which a
    // restarted helper's adopt() records (fault test: exit.after-die); a
    // power cut may undo an 'atomic' save after the event either way.
    if (oom) this.announce(r, 'oom');
    this.announce(r, 'die');
    faultPoint('exit.after-die');
    try {
      this.save(r, 'atomic');
      mark(id, 'helper: record saved (exited)');
    } catch (err) {
      // Memory tracks the kernel; the exit stays in exit.json for the next adopt().
      this.o.log(`saving the exit of ${id}: ${String(err)}`);
    }
    this.endpoints.refreshPeers(left, id);
    // Removing the cgroup, ports and veth is the engine's cleanup, which a
    // restart, remove() or the next start waits for (l.tornDown) rather than the client.
    l.tornDown = this.teardown(id, handle, ip).catch((err: unknown) => this.o.log(`teardown of ${id}: ${String(err)}`));
    l.resolveExited();
    if (tracing()) setImmediate(() => saveTrace(id));
    // run() and remove() wait for l.tornDown themselves.
    if (
      shouldRestart(r.config.restart, {
        exitCode: r.exitCode ?? 255,
        stoppedByUser: r.stoppedByUser,
        restartCount: r.restartCount,
      })
    ) {
      const delay = restartDelayMs(l.lastDelay, runMs);
      l.lastDelay = delay;
      r.state = 'restarting';
      this.save(r);
      l.restartTimer = setTimeout(() => {
        l.restartTimer = null;
        void this.withLock(id, async () => {
          const cur = this.records.get(id);
          if (!cur || cur.state !== 'restarting') return;
          cur.restartCount++;
          await this.run(cur);
          this.announce(cur, 'restart');
        }).catch((err: unknown) => this.o.log(`restart of ${id}: ${String(err)}`));
      }, delay);
      return;
    }
    if (r.config.autoRemove) await this.remove(id, true, { volumes: true }).catch(() => undefined);
  }

  // ── stop, kill, pause ─────────────────────────────────────────────────────

  private async waitExited(id: string, ms: number): Promise<boolean> {
    const l = this.live.get(id);
    if (!l) return true;
    let timer: NodeJS.Timeout | undefined;
    const t = new Promise<false>((res) => (timer = setTimeout(() => res(false), ms)));
    const done = await Promise.race([l.exited.then(() => true as const), t]);
    clearTimeout(timer);
    return done;
  }

  /** Resolves with the exit code once the container's current run has ended (at once when none runs). */
  async waitExit(ref: string): Promise<number | null> {
    const r = this.find(ref);
    await this.live.get(r.id)?.exited;
    return this.find(r.id).exitCode;
  }

  stop(ref: string, timeoutSec: number): Promise<ContainerSummaryT> {
    const r = this.find(ref);
    return this.withLock(r.id, async () => {
      const l = this.live.get(r.id);
      if (r.state === 'restarting' && l?.restartTimer) {
        clearTimeout(l.restartTimer);
        l.restartTimer = null;
        r.state = 'exited';
      }
      r.stoppedByUser = true;
      this.save(r);
      if (r.state !== 'running' && r.state !== 'paused') return this.summary(r);
      if (r.state === 'paused' && l?.handle) await this.o.cgroups.thaw(l.handle);
      signalContainer(r.pid!, r.pidStartTime!, 15);
      if (!(await this.waitExited(r.id, timeoutSec * 1000))) {
        if (l?.handle) await this.o.cgroups.killAll(l.handle).catch(() => undefined);
        if (r.pid && r.pidStartTime) signalContainer(r.pid, r.pidStartTime, 9);
        await this.waitExited(r.id, 10_000);
      }
      this.announce(r, 'stop');
      return this.summary(r);
    });
  }

  kill(ref: string, signal: string | number): Promise<ContainerSummaryT> {
    const r = this.find(ref);
    const sig = signalNumber(signal);
    return this.withLock(r.id, async () => {
      if (r.state !== 'running' && r.state !== 'paused') {
        throw new BerthError('CONTAINER_NOT_RUNNING', `container ${r.name} is not running`);
      }
      if (sig === 9 || sig === 15 || sig === 2) {
        r.stoppedByUser = true;
        this.save(r);
      }
      if (!signalContainer(r.pid!, r.pidStartTime!, sig)) {
        throw new BerthError('CONTAINER_NOT_RUNNING', `container ${r.name}'s process is gone`);
      }
      if (sig === 9) await this.waitExited(r.id, 10_000);
      return this.summary(r);
    });
  }

  restart(ref: string, timeoutSec: number): Promise<ContainerSummaryT> {
    const r = this.find(ref);
    return this.stop(r.id, timeoutSec).then(() =>
      this.withLock(r.id, async () => {
        r.stoppedByUser = false;
        await this.run(r);
        this.announce(r, 'restart');
        return this.summary(r);
      }),
    );
  }

  pause(ref: string): Promise<ContainerSummaryT> {
    const r = this.find(ref);
    return this.withLock(r.id, async () => {
      if (r.state === 'paused') return this.summary(r);
      await this.o.cgroups.freeze(this.handleOf(r.id));
      r.state = 'paused';
      this.save(r);
      this.announce(r, 'pause');
      return this.summary(r);
    });
  }

  unpause(ref: string): Promise<ContainerSummaryT> {
    const r = this.find(ref);
    return this.withLock(r.id, async () => {
      if (r.state !== 'paused') throw new BerthError('CONTAINER_NOT_PAUSED', `container ${r.name} is not paused`);
      await this.o.cgroups.thaw(this.handleOf(r.id));
      r.state = 'running';
      this.save(r);
      this.announce(r, 'unpause');
      return this.summary(r);
    });
  }

  /**
   * Removes a container. `volumes` (`rm -v`, and `--rm`'s removal): its
   * anonymous volumes go with it, as docker's; named volumes are kept, and
   * an anonymous one another container also mounts stays (its users named in the log).
   */
  remove(ref: string, force: boolean, opts: { volumes?: boolean } = {}): Promise<{ id: string }> {
    const hit = this.lookup(ref);
    if ('damaged' in hit) return this.withLock(hit.damaged.id, () => this.removeDamaged(hit.damaged, force));
    const r = hit.record;
    return this.withLock(r.id, async () => {
      const l = this.live.get(r.id);
      if (r.state === 'running' || r.state === 'paused') {
        if (!force) {
          throw new BerthError(
            'CONTAINER_RUNNING',
            `container ${r.name} is ${r.state}: stop it first or remove with force`,
          );
        }
        r.stoppedByUser = true;
        this.save(r);
        if (l?.handle) await this.o.cgroups.killAll(l.handle).catch(() => undefined);
        if (r.pid && r.pidStartTime) signalContainer(r.pid, r.pidStartTime, 9);
        await this.waitExited(r.id, 10_000);
      }
      if (l?.restartTimer) clearTimeout(l.restartTimer);
      l?.stopWatch?.();
      // Torn down once: by the exit handler (wait for it), or here when no
      // run of this helper's life did (never started, or ended before a
      // helper restart: this sweeps what a crash may have left).
      if (l?.tornDown) await l.tornDown;
      else await this.teardown(r.id, l?.handle ?? this.leftoverCgroup(r), r.network.ip).catch(() => undefined);
      this.live.delete(r.id);
      this.records.delete(r.id);
      this.store.remove(r.id);
      // After the directory is gone: the range is free only once nothing of the container is left.
      if (r.idRange || r.config.userns) {
        await this.idRanges
          .release({ dataRoot: this.o.dataRoot, id: r.id })
          .catch((err: unknown) => this.o.log(`release of ${r.id}'s id range: ${String(err)}`));
      }
      this.o.emit({ id: r.id, action: 'remove', state: null, exitCode: r.exitCode, at: now() });
      if (opts.volumes) await this.removeAnonymousVolumes(r.config.mounts ?? []);
      return { id: r.id };
    });
  }

  /**
   * The group a start made before a crash cut it short (the record never said
   * running, so no run of this helper holds a handle): found from the kernel,
   * by the name every start gives it, so a remove leaves no empty group behind.
   */
  private leftoverCgroup(r: ContainerRecord): CgroupHandle | null {
    try {
      return this.o.cgroups.open(r.id, this.cgroupParentOf(r));
    } catch {
      return null;
    }
  }

  private async removeAnonymousVolumes(mounts: readonly MountSpecT[]): Promise<void> {
    const store = this.o.volumes;
    if (!store) return;
    for (const m of mounts) {
      if (m.type !== 'volume' || !m.source) continue;
      let anonymous: boolean;
      try {
        anonymous = store.get(m.source).anonymous;
      } catch {
        continue; // removed meanwhile
      }
      if (!anonymous) continue;
      await store.remove(m.source).catch((err: unknown) => this.o.log(`anonymous volume ${m.source}: ${String(err)}`));
    }
  }

  /**
   * Removes a container whose record is unreadable. What it may still hold
   * is found from the kernel side, not the record: the monitor's state.json
   * (a live init is refused without force, killed with it), its cgroup, its
   * netns, and its address and published ports from the shared IPAM table.
   */
  private async removeDamaged(d: DamagedRecord, force: boolean): Promise<{ id: string }> {
    const runDir = this.store.paths(d.id).runDir;
    const st = readMonitorState(runDir);
    const live = st?.status === 'running' && sameProcess(st.pid, st.pidStartTime) ? st : null;
    let handle: CgroupHandle | null;
    try {
      handle = this.o.cgroups.open(d.id, this.parent);
    } catch {
      handle = null;
    }
    if (live) {
      if (!force) {
        throw new BerthError('CONTAINER_RUNNING', `container ${d.id} still runs (pid ${live.pid}): remove with force`, {
          id: d.id,
        });
      }
      if (handle) await this.o.cgroups.killAll(handle).catch(() => undefined);
      signalContainer(live.pid, live.pidStartTime, 9);
      for (let i = 0; i < 200 && sameProcess(live.pid, live.pidStartTime); i++) await sleep(50);
    }
    const ip = this.ipam.owners().get(d.id) ?? null;
    if (ip) await unpublishAllTo(this.o.bridge.table, ip).catch(() => undefined);
    if (handle) await this.o.cgroups.destroy(handle).catch(() => undefined);
    await this.endpoints.sweep(d.id).catch(() => undefined);
    await destroySandbox(d.id).catch(() => undefined);
    this.ipam.release(d.id);
    this.damaged.delete(d.id);
    this.store.remove(d.id);
    this.o.emit({ id: d.id, action: 'remove', state: null, exitCode: null, at: now() });
    return { id: d.id };
  }

  rename(ref: string, name: string): Promise<ContainerSummaryT> {
    const r = this.find(ref);
    return this.withLock(r.id, async () => {
      if ([...this.records.values()].some((x) => x.name === name && x.id !== r.id)) {
        throw new BerthError('NAME_IN_USE', `the container name "${name}" is already in use`);
      }
      r.name = name;
      this.save(r);
      if ((r.state === 'running' || r.state === 'paused') && managesHosts(r)) {
        this.endpoints.writeHosts(r, r.config.network === 'bridge' ? r.network.ip : null);
        this.endpoints.refreshPeers(
          (r.endpoints ?? []).map((e) => e.networkId),
          r.id,
        );
      }
      this.announce(r, 'rename');
      return this.summary(r);
    });
  }

  // ── user-defined networks (endpoints.ts) ──────────────────────────────────

  /** The default bridge network's configuration (network ls shows it as `bridge`). */
  get bridgeConfig(): BridgeConfig {
    return this.o.bridge;
  }

  /** network connect: recorded, and attached now when it runs (a new veth in its netns); peers' hosts follow. */
  connectNetwork(
    ref: string,
    networkRef: string,
    o: { aliases: string[]; ip?: string },
  ): Promise<{ id: string; name: string; network: string; ip: string | null }> {
    const r = this.find(ref);
    const n = this.endpoints.networks.find(networkRef);
    return this.withLock(r.id, async () => {
      const e = await this.endpoints.connect(r, n, o.aliases, o.ip);
      try {
        this.save(r);
      } catch (err) {
        if (e.ip) await this.endpoints.detachAll(r.id, [e]);
        throw err;
      }
      if (e.ip) {
        this.endpoints.writeHosts(r, r.config.network === 'bridge' ? r.network.ip : null);
        this.endpoints.refreshPeers([n.id], r.id);
      }
      return { id: r.id, name: r.name, network: n.name, ip: e.ip };
    });
  }

  /** network disconnect: the veth goes now when it runs; peers' hosts follow. */
  disconnectNetwork(ref: string, networkRef: string): Promise<{ id: string; name: string; network: string }> {
    const r = this.find(ref);
    const n = this.endpoints.networks.find(networkRef);
    return this.withLock(r.id, async () => {
      const wasLive = (r.endpoints ?? []).some((e) => e.networkId === n.id && e.ip);
      await this.endpoints.disconnect(r, n);
      this.save(r);
      if (wasLive) {
        if (managesHosts(r)) this.endpoints.writeHosts(r, r.config.network === 'bridge' ? r.network.ip : null);
        this.endpoints.refreshPeers([n.id], r.id);
      }
      return { id: r.id, name: r.name, network: n.name };
    });
  }

  // ── live limits ───────────────────────────────────────────────────────────

  /** The limits asked for (persisted) and, while it runs, what the kernel holds. */
  limits(ref: string): { id: string; requested: Limits; effective: EffectiveLimits | null } {
    const r = this.find(ref);
    const h = this.live.get(r.id)?.handle;
    const running = h && (r.state === 'running' || r.state === 'paused');
    return { id: r.id, requested: r.config.resources as Limits, effective: running ? this.o.cgroups.read(h) : null };
  }

  /**
   * docker update: applied live (all-or-nothing: a value the kernel refuses
   * leaves every previous value in force) and persisted with the container.
   */
  updateResources(
    ref: string,
    limits: Limits,
  ): Promise<{ id: string; requested: Limits; effective: EffectiveLimits | null }> {
    const r = this.find(ref);
    return this.withLock(r.id, async () => {
      const l = this.live.get(r.id);
      const h = l?.handle;
      const live = h && (r.state === 'running' || r.state === 'paused');
      const merged = mergeLimits(r.config.resources as Limits, limits);
      // Device rules go through the device policy (v1 and the v2 program alike).
      const { devices: deviceLimits, ...rest } = limits;
      const dev = deviceLimits ? containerDevices(r.config, merged) : null;
      if (live) {
        this.o.cgroups.apply(h, rest);
        if (dev && l) {
          this.o.cgroups.setDevicePolicy(h, plainRules(dev.rules));
          l.devices = { rules: dev.rules, devices: l.devices?.devices ?? dev.devices };
        }
      }
      r.config.resources = merged;
      this.save(r);
      return this.limits(r.id);
    });
  }

  // ── reading ───────────────────────────────────────────────────────────────

  summary(r: ContainerRecord): ContainerSummaryT {
    return containerSummary(r, this.endpoints.containerView(r));
  }

  list(
    all: boolean,
    f: { state?: ContainerStateT[]; name?: string; label?: string[]; image?: string },
  ): ContainerSummaryT[] {
    return listed([...this.records.values()], [...this.damaged.values()], all, f, (r) => this.summary(r));
  }

  inspect(ref: string): ContainerDetailT {
    const hit = this.lookup(ref);
    if ('damaged' in hit) {
      const p = this.store.paths(hit.damaged.id);
      return {
        ...damagedSummary(hit.damaged),
        config: null,
        paths: {
          stateDir: p.runDir,
          rootfs: p.rootfs,
          upperDir: p.upperDir,
          workDir: p.workDir,
          lowerDirs: [],
          logPath: p.logPath,
          netns: null,
          cgroups: [],
        },
        monitorPid: null,
        nsPids: [],
        error: hit.damaged.reason,
        seccomp: null,
        capabilities: [],
        idRange: null,
      };
    }
    const r = hit.record;
    const p = this.store.paths(r.id);
    const handle = this.live.get(r.id)?.handle;
    return {
      ...this.summary(r),
      config: r.config,
      paths: {
        stateDir: p.runDir,
        rootfs: p.rootfs,
        upperDir: p.upperDir,
        workDir: p.workDir,
        lowerDirs: r.lowerDirs,
        logPath: p.logPath,
        netns: r.network.netns,
        cgroups: handle ? this.o.cgroups.procsFiles(handle).map((f) => f.replace(/\/(cgroup\.procs|tasks)$/, '')) : [],
      },
      monitorPid: r.monitorPid,
      nsPids: r.pid ? nsPidsOf(r.pid) : [],
      error: r.error,
      seccomp: seccompInForce(
        r.config.security,
        r.pid && (r.state === 'running' || r.state === 'paused') ? { pid: r.pid, runDir: p.runDir } : null,
      ),
      devicePolicy: this.devicePolicy(r.id),
      capabilities: containerCapabilities(r.config.security),
      idRange: r.idRange ?? null,
    };
  }

  // ── device policy (sec-devices) ───────────────────────────────────────────

  /**
   * The rules in force and the kernel's read-back: v1 devices.list, v2 the
   * program(s) BPF_PROG_QUERY finds on the unified group. A stopped container
   * shows the rules its next start installs (host devices resolved now).
   */
  devicePolicy(ref: string): DevicePolicyT {
    const r = this.find(ref);
    const l = this.live.get(r.id);
    const h = l?.handle;
    const running = !!h && (r.state === 'running' || r.state === 'paused');
    const errors: DevicePolicyT['errors'] = [];
    let dev = running ? l?.devices : undefined;
    if (!dev) {
      try {
        dev = containerDevices(r.config, r.config.resources as Limits);
      } catch (err) {
        errors.push({ where: 'config', message: err instanceof Error ? err.message : String(err) });
        dev = { rules: [], devices: [] };
      }
    }
    const kernel = running && h ? this.o.cgroups.readDevicePolicy(h, plainRules(dev.rules)) : null;
    return {
      id: r.id,
      running,
      privileged: r.config.security?.privileged ?? false,
      rules: dev.rules,
      devices: dev.devices,
      v1: kernel?.v1 ?? null,
      v2: kernel?.v2 ?? null,
      errors: [...errors, ...(kernel?.errors ?? [])],
    };
  }

  logs(
    ref: string,
    o: { cursor?: string; tail?: number; limit: number },
  ): { lines: LogLineT[]; cursor: string; running: boolean } {
    const r = this.find(ref);
    const res = readLogs(this.store.paths(r.id).logPath, { ...o, maxFiles: this.o.logLimits?.maxFiles ?? 3 });
    return { ...res, running: r.state === 'running' || r.state === 'paused' || r.state === 'restarting' };
  }

  diff(ref: string): FsChangeT[] {
    const r = this.find(ref);
    const p = this.store.paths(r.id);
    if (!fs.existsSync(p.upperDir)) return [];
    return overlayDiff(p.upperDir, r.lowerDirs, this.o.getXattr);
  }

  /** The record and its overlay dirs, for cp and commit (copy/container-fs.ts). */
  fsTarget(ref: string): { record: ContainerRecord; upperDir: string; workDir: string } {
    const r = this.find(ref);
    const p = this.store.paths(r.id);
    return { record: r, upperDir: p.upperDir, workDir: p.workDir };
  }

  /** Runs `fn` under the container's lock: no start, stop or remove meanwhile. */
  exclusive<T>(ref: string, fn: (r: ContainerRecord) => Promise<T>): Promise<T> {
    const r = this.find(ref);
    return this.withLock(r.id, () => fn(r));
  }

  /** The monitor's state dir and the exec rules, for exec sessions. */
  execTarget(ref: string): { record: ContainerRecord; runDir: string; procsFiles: string[] } {
    const r = this.find(ref);
    if (r.state !== 'running') throw new BerthError('CONTAINER_NOT_RUNNING', `container ${r.name} is ${r.state}`);
    return {
      record: r,
      runDir: this.store.paths(r.id).runDir,
      procsFiles: this.o.cgroups.procsFiles(this.handleOf(r.id)),
    };
  }

  // ── boot: re-adopt what outlived the previous helper ──────────────────────

  async adopt(): Promise<{ adopted: number; exited: number; restarted: number }> {
    let adopted = 0;
    let exited = 0;
    let restarted = 0;
    const { records, damaged } = this.store.loadAll();
    for (const r of records) this.records.set(r.id, r);
    for (const d of damaged) {
      this.damaged.set(d.id, d);
      this.o.log(`container ${d.id} is unreadable: ${d.reason}`);
    }
    for (const r of this.records.values()) {
      const l = this.liveFor(r.id);
      if (r.state === 'restarting') {
        // The previous helper died during the restart delay: do the restart now.
        await this.withLock(r.id, async () => {
          r.restartCount++;
          await this.run(r);
        }).catch((err: unknown) => this.o.log(`boot restart of ${r.id}: ${String(err)}`));
        restarted++;
        continue;
      }
      if (r.state === 'running' || r.state === 'paused') {
        const runDir = this.store.paths(r.id).runDir;
        try {
          l.handle = this.o.cgroups.open(r.id, this.cgroupParentOf(r));
        } catch {
          l.handle = null;
        }
        const exit = readExit(runDir);
        const st = readMonitorState(runDir);
        if (!exit && st?.status === 'running' && sameProcess(st.pid, st.pidStartTime)) {
          this.watch(r, st.monitorPid);
          adopted++;
          continue;
        }
        // It ended while no helper was watching: at boot, clean up before answering.
        await this.onExit(r.id, exit);
        await l.tornDown;
        exited++;
        continue;
      }
      if (
        (r.state === 'exited' || r.state === 'created') &&
        r.startedAt &&
        startOnHelperBoot(r.config.restart, r.stoppedByUser)
      ) {
        await this.withLock(r.id, () => this.run(r)).catch((err: unknown) =>
          this.o.log(`boot start of ${r.id}: ${String(err)}`),
        );
        restarted++;
      }
    }
    return { adopted, exited, restarted };
  }

  /** Stops watching without touching containers (helper shutdown). */
  detach(): void {
    for (const l of this.live.values()) {
      l.stopWatch?.();
      if (l.restartTimer) clearTimeout(l.restartTimer);
      if (l.handle) this.o.cgroups.release(l.handle);
    }
  }
}

/**
 * The spec's cgroup fields: init is born in the unified group (cgroupInto)
 * and, when the standby's pool was adopted, in its v1 groups (cgroupPool);
 * every other group's cgroup.procs is written after the clone.
 */
function cgroupPlacement(
  procs: string[],
  handle: CgroupHandle,
  adopted: { pooled: string[] } | null,
  standby: Standby | null,
): Pick<SpecInput, 'cgroupProcs' | 'cgroupInto' | 'cgroupPool'> {
  const into = handle.unified;
  const intoProcs = into ? path.join(into, 'cgroup.procs') : null;
  const pooled = new Set(adopted?.pooled ?? []);
  return {
    cgroupProcs: procs.filter((f) => f !== intoProcs && !pooled.has(f)),
    cgroupInto: into,
    cgroupPool: adopted && standby?.pool ? { name: standby.pool.name, procs: adopted.pooled } : null,
  };
}

/**
 * A pool's spawner is in the container's groups while it clones init: one
 * process more for a moment, so a pids.max below 2 would refuse the clone.
 */
function poolable(limits: Limits): boolean {
  const max = limits.pids?.max;
  return max === undefined || max === null || max >= 2;
}
