/**
 * The CgroupDriver interface (after youki's libcgroups CgroupManager) and its
 * three drivers, all one composition: each controller lives either in a v1
 * hierarchy (its own mount, or co-mounted like "cpu,cpuacct") or in the unified
 * v2 hierarchy. Each version lists its controllers in one table (v1/table.ts,
 * v2/table.ts, typed by controller.ts); the driver places each role of a group
 * in one of them and loops over the roles for every limit, read and sample.
 *
 *   V1Driver      v1 hierarchies only
 *   V2Driver      the unified hierarchy only
 *   HybridDriver  v1 controllers + the unified group for v2 core features
 *                 (cgroup.kill, cgroup.events, PSI, cgroup.freeze when no v1
 *                 freezer is mounted, and any controller bound to v2 there)
 *
 * createDriver(layout) picks one from detect.ts's statfs-based layout. Every
 * path comes from the layout, so tests point drivers at fixture trees.
 */
import fs from 'node:fs';
import path from 'node:path';
import { BerthError } from '../../../preload/errors';
import { Limits as LimitsSchema, type DeviceRule, type OomEvent } from '../../../preload/schemas/resources';
import type { DevicePolicyV1T, DevicePolicyV2T } from '../../../preload/schemas/devices';
import { userHz } from './convert';
import { type CgroupLayout, type CgroupMode, detectLayout } from './detect';
import { cgroupError, errMessage, sysCode } from './errors';
import {
  type FileSource,
  WriteTxn,
  type WriteRecord,
  checkGroupPath,
  directSource,
  exists,
  readOptional,
  sleep,
  writeRaw,
} from './fsutil';
import type { SampleFile } from './sample-layout';
import { StatsReader } from './stats-reader';
import { type EffPart, type EffectiveLimits, type Limits, type ResourceStats, mergeParts, unsupported } from './types';
import {
  type Controller,
  type ControllerKey,
  type ControllerTable,
  type OomCounters,
  type StatsContext,
  LIMIT_ROLES,
  STATS_ROLES,
} from './controller';
import * as v1devices from './v1/devices';
import * as v1freezer from './v1/freezer';
import { type EnsureNetOptions, ensureNetClsPrio } from './v1/net-cls';
import { V1_KEYS, V1_TABLE, type V1Key } from './v1/table';
import * as v2core from './v2/core';
import * as v2devices from './v2/devices';
import { ruleTable } from './v2/device-filter';
import { V2_ABSENT, V2_TABLE } from './v2/table';
import { ruleText } from './device-policy';

export type { ControllerKey, OomCounters };

/** The v1 controllers Berth mounts groups in (v1/table.ts). */
export const V1_CONTROLLERS: readonly V1Key[] = V1_KEYS;

/** A role's controller in v1, if v1 has one. */
function v1Controller(key: ControllerKey): Controller | undefined {
  return (V1_TABLE as ControllerTable)[key];
}

/** A group, as plain data: safe to log, store and hand back to open(). */
export interface CgroupHandle {
  readonly id: string;
  readonly parent: string;
  /** parent/id, the same relative path in every hierarchy. */
  readonly path: string;
  /** v1 controller → the group's directory in that controller's hierarchy. */
  readonly v1: Readonly<Partial<Record<ControllerKey, string>>>;
  /** The group's directory in the unified hierarchy (v2, hybrid), else null. */
  readonly unified: string | null;
}

export interface ApplyResult {
  /** Every file written, in order, with the exact string. */
  writes: WriteRecord[];
}

export interface OomWatcher {
  /** inotify: fs.watch on v2 memory.events; poll: re-read every intervalMs (v1). */
  readonly mode: 'inotify' | 'poll';
  close(): void;
}

export interface CgroupDriver {
  readonly kind: CgroupMode;
  /** Create (or reuse) <parent>/<id> in every hierarchy the driver uses. */
  create(id: string, parent?: string): CgroupHandle;
  /** A handle for an existing group (helper restart, fixtures); CGROUP_NOT_FOUND if absent. */
  open(id: string, parent?: string): CgroupHandle;
  /** Move a process (all its threads) into the group in every hierarchy. */
  attach(handle: CgroupHandle, pid: number): void;
  /** The cgroup.procs files a monitor writes a new pid into. */
  procsFiles(handle: CgroupHandle): string[];
  /**
   * A pool group set for a standby monitor's spawner (containers/cgroup-pool.ts):
   * <parent>/<name> in every v1 hierarchy, prepared as create() prepares a
   * group. Returns their cgroup.procs files; null when there is no v1
   * hierarchy (v2 places init with CLONE_INTO_CGROUP, no pool needed).
   */
  createPool(name: string, parent?: string): string[] | null;
  /**
   * Makes pool `name` the group `id` (rename(2) in each v1 hierarchy; the
   * unified group is made as create() makes it). `pooled`: the renamed
   * groups' cgroup.procs files. Null, with nothing changed, when a pool
   * directory is missing or a target exists.
   */
  adoptPool(name: string, id: string, parent?: string): { handle: CgroupHandle; pooled: string[] } | null;
  /** Removes pool `name` (killAll, then rmdir; nothing there is fine). */
  removePool(name: string, parent?: string): Promise<void>;
  /** Names of the groups directly under parent in any v1 hierarchy that start with prefix. */
  childNames(prefix: string, parent?: string): string[];
  pids(handle: CgroupHandle): number[];
  /** All-or-nothing: on a refusal every write is undone and CGROUP_LIMIT_REFUSED thrown. */
  apply(handle: CgroupHandle, limits: Limits): ApplyResult;
  read(handle: CgroupHandle): EffectiveLimits;
  /** Every counter, read now (on demand: the per-second tick reads sampleFiles through a StatBatch). */
  stats(handle: CgroupHandle): ResourceStats;
  /** The files one sampling tick reads for this group and the SLOT each value goes to (sample-layout.ts). */
  sampleFiles(handle: CgroupHandle): SampleFile[];
  /** Called after every apply() that wrote (samplers re-read the limits they read only now and then). */
  onApply(listener: (handle: CgroupHandle) => void): () => void;
  events(handle: CgroupHandle): OomCounters | null;
  watchOom(handle: CgroupHandle, cb: (e: OomEvent) => void, opts?: { intervalMs?: number }): OomWatcher;
  freeze(handle: CgroupHandle): Promise<void>;
  thaw(handle: CgroupHandle): Promise<void>;
  killAll(handle: CgroupHandle): Promise<void>;
  /** killAll, then rmdir leaf-first in every hierarchy (ENOENT tolerated, EBUSY retried). */
  destroy(handle: CgroupHandle): Promise<void>;
  /** Close the handle's open files and watchers without touching the group. */
  release(handle: CgroupHandle): void;
  /**
   * The container's device policy (device-policy.ts), installed from scratch:
   * v1 devices group (`devices.deny a`, then each rule) and, where a unified
   * group exists (v2, hybrid), a BPF_PROG_TYPE_CGROUP_DEVICE program attached
   * to it, replacing Berth's previous one. CGROUP_DEVICE_POLICY_FAILED on a
   * refusal, CGROUP_UNSUPPORTED when the host has neither.
   */
  setDevicePolicy(handle: CgroupHandle, rules: readonly DeviceRule[]): DevicePolicyApplied;
  /** The kernel's side of it: devices.list (v1), BPF_PROG_QUERY (v2). */
  readDevicePolicy(
    handle: CgroupHandle,
    rules: readonly DeviceRule[],
  ): { v1: DevicePolicyV1T | null; v2: DevicePolicyV2T | null; errors: Array<{ where: string; message: string }> };
}

export interface DevicePolicyApplied {
  v1: Array<{ file: string; value: string }> | null;
  v2: v2devices.V2DeviceApplied | null;
}

export interface DriverOptions {
  /**
   * v2 controllers to enable in cgroup.subtree_control from the mount down to
   * the parent. Default: cpu cpuset memory io pids hugetlb for V2Driver, none
   * for HybridDriver (it uses only core files of the unified group).
   */
  enableControllers?: readonly string[];
  /** Mount net_cls,net_prio on demand when a container asks for them (default true on v1/hybrid). */
  mountNetClsPrio?: boolean;
  netMountOptions?: EnsureNetOptions;
  /** Hybrid: freeze through the unified group's cgroup.freeze even if a v1 freezer is mounted. */
  preferV2Freezer?: boolean;
  freezeTimeoutMs?: number;
  killTimeoutMs?: number;
  /** USER_HZ for cpuacct.stat; default from `getconf CLK_TCK`, read once. */
  userHz?: number;
  /**
   * stats(): keep each control file open and pread it per sample (default true).
   * false opens, reads and closes every file each time (the bench's baseline).
   */
  keepFilesOpen?: boolean;
}

export const DEFAULT_PARENT = 'berth';
/** Standby pool groups (containers/cgroup-pool.ts): a dot-name, never a container id's. */
const POOL_NAME = /^\.[A-Za-z0-9][A-Za-z0-9_.-]{0,126}$/;
const DEFAULT_V2_CONTROLLERS = ['cpu', 'cpuset', 'memory', 'io', 'pids', 'hugetlb'];

/** A role placed for one group: the controller that fills it and the group's directory there. */
type Placed = { c: Controller; dir: string } | null;

const ZERO_CPU: ResourceStats['cpu'] = {
  usageUsec: 0,
  userUsec: 0,
  systemUsec: 0,
  nrPeriods: 0,
  nrThrottled: 0,
  throttledUsec: 0,
};
const ZERO_MEMORY: ResourceStats['memory'] = {
  current: 0,
  peak: null,
  limit: null,
  anon: 0,
  file: 0,
  oomEvents: 0,
  oomKillEvents: 0,
};

function syncSleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function mkdirOk(dir: string): boolean {
  try {
    fs.mkdirSync(dir);
    return true;
  } catch (err) {
    if (sysCode(err) === 'EEXIST') return false;
    throw cgroupError('CGROUP_CREATE_FAILED', `mkdir ${dir}: ${errMessage(err)}`, { dir, errno: sysCode(err) });
  }
}

function isDir(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function parseProcs(text: string | null): number[] {
  const out: number[] = [];
  for (const l of (text ?? '').split('\n')) {
    const n = Number(l.trim());
    if (l.trim() && Number.isInteger(n) && n > 0) out.push(n);
  }
  return out;
}

/** Deep-merge a new request into the last one, per section (device lists keyed by major:minor / iface). */
export function mergeLimits(prev: Limits | undefined, next: Limits): Limits {
  if (!prev) return next;
  const out: Limits = { ...prev };
  if (next.memory) out.memory = { ...prev.memory, ...next.memory };
  if (next.cpu) {
    const cpu: NonNullable<Limits['cpu']> = { ...prev.cpu, ...next.cpu };
    // cpus and quota describe the same files: the newer one wins.
    if (next.cpu.cpus !== undefined) delete cpu.quota;
    else if (next.cpu.quota !== undefined) delete cpu.cpus;
    out.cpu = cpu;
  }
  if (next.pids) out.pids = { ...prev.pids, ...next.pids };
  if (next.io) {
    const devices = [...(prev.io?.devices ?? [])];
    for (const d of next.io.devices ?? []) {
      const i = devices.findIndex((x) => x.major === d.major && x.minor === d.minor);
      if (i >= 0) devices[i] = { ...devices[i], ...d };
      else devices.push(d);
    }
    out.io = { ...prev.io, ...next.io, devices };
  }
  if (next.devices) out.devices = next.devices;
  if (next.netCls) out.netCls = next.netCls;
  if (next.netPrio) {
    const list = [...(prev.netPrio?.ifPriorities ?? [])];
    for (const e of next.netPrio.ifPriorities) {
      const i = list.findIndex((x) => x.iface === e.iface);
      if (i >= 0) list[i] = e;
      else list.push(e);
    }
    out.netPrio = { ifPriorities: list };
  }
  return out;
}

export class ComposedDriver implements CgroupDriver {
  readonly kind: CgroupMode;
  /** v1 controller → mount point. */
  protected readonly v1Mounts = new Map<ControllerKey, string>();
  /** v1 mount point → its controllers (to find a pid's previous group in /proc/PID/cgroup). */
  protected readonly v1MountControllers = new Map<string, string[]>();
  protected readonly unifiedMount: string | null;
  protected readonly v2Controllers: Set<string>;
  protected readonly opts: DriverOptions;
  /** The cgroup root (/sys/fs/cgroup), where ensureNetClsPrio mounts. */
  readonly root: string;
  private readonly hz: number;
  private readonly requested = new Map<string, Limits>();
  private readonly readers = new Map<string, StatsReader>();
  /** StatsContext.once values per group (hugetlb page sizes), dropped on release(). */
  private readonly memo = new Map<string, Map<string, unknown>>();
  private readonly watchers = new Map<string, Set<OomWatcher>>();
  private readonly applyListeners = new Set<(h: CgroupHandle) => void>();
  /** The v1 device policy writes of each group, for the read-back. */
  private readonly policyWrites = new Map<string, Array<{ file: string; value: string }>>();

  constructor(kind: CgroupMode, layout: CgroupLayout, opts: DriverOptions = {}) {
    this.kind = kind;
    this.opts = opts;
    this.root = layout.root;
    if (kind !== 'v2') {
      for (const h of layout.hierarchies) {
        if (h.version !== 1 || h.name) continue;
        this.v1MountControllers.set(h.mountPoint, h.controllers);
        for (const c of h.controllers)
          if ((V1_CONTROLLERS as readonly string[]).includes(c) && !this.v1Mounts.has(c as V1Key))
            this.v1Mounts.set(c as V1Key, h.mountPoint);
      }
    }
    const unified =
      kind === 'v1'
        ? null
        : (layout.unifiedMountPoint ??
          layout.hierarchies.find((h) => h.version === 2)?.mountPoint ??
          (layout.mode === 'v2' ? layout.root : null));
    if (kind !== 'v1' && !unified)
      throw cgroupError('CGROUP_UNSUPPORTED', `a ${kind} driver needs a unified (cgroup2) mount; the layout has none`);
    this.unifiedMount = unified;
    this.v2Controllers = new Set(
      kind === 'v1' ? [] : (layout.hierarchies.find((h) => h.version === 2)?.controllers ?? []),
    );
    if (kind === 'v2' && this.v2Controllers.size === 0 && unified) {
      const raw = readOptional(path.join(unified, 'cgroup.controllers'));
      for (const c of v2core.words(raw)) this.v2Controllers.add(c);
    }
    this.hz = opts.userHz ?? (this.v1Mounts.has('cpuacct') ? userHz() : 100);
  }

  // ---------------------------------------------------------------- placement

  /**
   * Where a role lives for this handle: v1 when its controller is mounted
   * (unless skipV1), else the unified group when v2's controller is enabled
   * there or is core, else nowhere.
   */
  protected place(h: CgroupHandle, key: ControllerKey, skipV1 = false): Placed {
    const v1 = v1Controller(key);
    const v1dir = h.v1[key];
    if (!skipV1 && v1 && this.v1Mounts.has(key) && v1dir) return { c: v1, dir: v1dir };
    const v2 = V2_TABLE[key];
    if (h.unified && v2 && (v2.core || this.v2Controllers.has(v2.name))) return { c: v2, dir: h.unified };
    return null;
  }

  /** Why a role has no place for this group (apply: refusing a limit; read: reporting it unsupported). */
  private missingReason(key: ControllerKey, label: string, phase: 'apply' | 'read'): string {
    const absent = V2_ABSENT[key];
    if (v1Controller(key)?.mountOnDemand)
      return this.kind === 'v2' && absent
        ? absent
        : `${key} is not mounted yet; applying a ${label} limit mounts it (ensureNetClsPrio)`;
    if (absent) return this.unifiedMount ? absent : `the ${key} controller is not mounted`;
    if (phase === 'read') return `the ${key} controller is not available to this group`;
    return this.kind === 'v2'
      ? `the ${V2_TABLE[key]?.name ?? key} controller is not enabled in ${this.unifiedMount}/cgroup.controllers for this group`
      : `the ${key} controller is not mounted as a cgroup v1 hierarchy`;
  }

  /** Controllers mounted in v1 (for the README table and the UI). */
  mounts(): { v1: Record<string, string>; unified: string | null; v2Controllers: string[] } {
    return {
      v1: Object.fromEntries(this.v1Mounts),
      unified: this.unifiedMount,
      v2Controllers: [...this.v2Controllers],
    };
  }

  /** A pool's handle: its name is a dot-name (`.standby-…`), never a container id's. */
  private poolHandle(name: string, parent: string): CgroupHandle {
    if (!POOL_NAME.test(name))
      throw cgroupError('CGROUP_BAD_ID', `pool ${JSON.stringify(name)} must be "." then [A-Za-z0-9_.-]`, { id: name });
    // v1 only: the unified group is made at adoption (init is cloned into it).
    return { ...this.handleFor(name.slice(1), parent, name), unified: null };
  }

  private handleFor(id: string, parent: string, poolName?: string): CgroupHandle {
    checkGroupPath('id', id);
    if (poolName !== undefined) id = poolName;
    checkGroupPath('parent', parent);
    const rel = `${parent}/${id}`;
    const v1: Partial<Record<ControllerKey, string>> = {};
    for (const [c, mount] of this.v1Mounts) v1[c] = path.join(mount, rel);
    return { id, parent, path: rel, v1, unified: this.unifiedMount ? path.join(this.unifiedMount, rel) : null };
  }

  private v1Dirs(h: CgroupHandle): string[] {
    return [...new Set(Object.values(h.v1).filter((d): d is string => typeof d === 'string'))];
  }

  private allDirs(h: CgroupHandle): string[] {
    return h.unified ? [...this.v1Dirs(h), h.unified] : this.v1Dirs(h);
  }

  /** mkdir each level of rel under mount, preparing each; returns the directories this call created. */
  private mkdirChain(mount: string, rel: string, prepare: ReadonlyArray<(dir: string) => void>): string[] {
    const made: string[] = [];
    let dir = mount;
    for (const seg of rel.split('/')) {
      dir = path.join(dir, seg);
      if (mkdirOk(dir)) made.push(dir);
      for (const fn of prepare) fn(dir);
    }
    return made;
  }

  /** The prepareGroup hooks of the v1 controllers mounted at mount (v1 cpuset). */
  private prepareHooks(mount: string): Array<(dir: string) => void> {
    const hooks: Array<(dir: string) => void> = [];
    for (const [key, m] of this.v1Mounts) {
      const fn = v1Controller(key)?.prepareGroup;
      if (m === mount && fn) hooks.push(fn);
    }
    return hooks;
  }

  // ---------------------------------------------------------------- lifecycle

  create(id: string, parent = DEFAULT_PARENT): CgroupHandle {
    const h = this.handleFor(id, parent);
    const made: string[] = [];
    try {
      for (const mount of new Set(this.v1Mounts.values()))
        made.push(...this.mkdirChain(mount, h.path, this.prepareHooks(mount)));
      if (this.unifiedMount && h.unified) {
        this.mkdirChain(this.unifiedMount, parent, []);
        const wanted = this.opts.enableControllers ?? (this.kind === 'v2' ? DEFAULT_V2_CONTROLLERS : []);
        v2core.enableControllers(this.unifiedMount, parent, wanted);
        if (mkdirOk(h.unified)) made.push(h.unified);
      }
    } catch (err) {
      // Leave no half-made group behind: remove the group directories this call created
      // (a group that already existed, and the shared parent, stay).
      const groupDirs = new Set(this.allDirs(h));
      for (const d of made.reverse()) {
        if (!groupDirs.has(d)) continue;
        try {
          fs.rmdirSync(d);
        } catch {
          // in use
        }
      }
      throw err;
    }
    return h;
  }

  createPool(name: string, parent = DEFAULT_PARENT): string[] | null {
    if (this.v1Mounts.size === 0) return null;
    const h = this.poolHandle(name, parent);
    const mounts = [...new Set(this.v1Mounts.values())];
    const made: string[] = [];
    try {
      for (const mount of mounts) made.push(...this.mkdirChain(mount, h.path, this.prepareHooks(mount)));
    } catch (err) {
      for (const d of made.reverse()) {
        if (path.basename(d) !== name) continue;
        try {
          fs.rmdirSync(d);
        } catch {
          // in use
        }
      }
      throw err;
    }
    return mounts.map((m) => path.join(m, h.path, 'cgroup.procs'));
  }

  adoptPool(name: string, id: string, parent = DEFAULT_PARENT): { handle: CgroupHandle; pooled: string[] } | null {
    const pool = this.poolHandle(name, parent);
    const h = this.handleFor(id, parent);
    const mounts = [...new Set(this.v1Mounts.values())];
    if (mounts.length === 0) return null;
    const from = (m: string): string => path.join(m, pool.path);
    const to = (m: string): string => path.join(m, h.path);
    if (!mounts.every((m) => isDir(from(m))) || mounts.some((m) => exists(to(m)))) return null;
    if (h.unified && exists(h.unified)) return null;
    const renamed: string[] = [];
    try {
      for (const m of mounts) {
        fs.renameSync(from(m), to(m));
        renamed.push(m);
      }
      if (this.unifiedMount && h.unified) {
        this.mkdirChain(this.unifiedMount, parent, []);
        const wanted = this.opts.enableControllers ?? (this.kind === 'v2' ? DEFAULT_V2_CONTROLLERS : []);
        v2core.enableControllers(this.unifiedMount, parent, wanted);
        mkdirOk(h.unified);
      }
    } catch {
      for (const m of renamed.reverse()) {
        try {
          fs.renameSync(to(m), from(m));
        } catch {
          // left as the container's name: create() reuses it, the pool is removed by name
        }
      }
      return null;
    }
    return { handle: h, pooled: mounts.map((m) => path.join(to(m), 'cgroup.procs')) };
  }

  async removePool(name: string, parent = DEFAULT_PARENT): Promise<void> {
    const h = this.poolHandle(name, parent);
    if (!this.allDirs(h).some(isDir)) return;
    await this.destroy(h);
  }

  childNames(prefix: string, parent = DEFAULT_PARENT): string[] {
    checkGroupPath('parent', parent);
    const names = new Set<string>();
    for (const mount of new Set(this.v1Mounts.values())) {
      let entries: fs.Dirent[];
      try {
        entries = fs.readdirSync(path.join(mount, parent), { withFileTypes: true });
      } catch {
        continue;
      }
      for (const e of entries) if (e.isDirectory() && e.name.startsWith(prefix)) names.add(e.name);
    }
    return [...names];
  }

  open(id: string, parent = DEFAULT_PARENT): CgroupHandle {
    const h = this.handleFor(id, parent);
    if (!this.allDirs(h).some(isDir))
      throw cgroupError('CGROUP_NOT_FOUND', `no group ${h.path} in any hierarchy`, { id, parent });
    return h;
  }

  procsFiles(h: CgroupHandle): string[] {
    return this.allDirs(h).map((d) => path.join(d, 'cgroup.procs'));
  }

  pids(h: CgroupHandle): number[] {
    const all = new Set<number>();
    for (const f of this.procsFiles(h)) for (const p of parseProcs(readOptional(f))) all.add(p);
    return [...all].sort((a, b) => a - b);
  }

  /** The pid's current group per hierarchy, from /proc/PID/cgroup. */
  private previousGroups(pid: number): Map<string, string> {
    const out = new Map<string, string>();
    const text = readOptional(`/proc/${pid}/cgroup`);
    if (text === null) return out;
    for (const line of text.split('\n')) {
      const m = /^(\d+):([^:]*):(.*)$/.exec(line);
      if (!m) continue;
      const [, , ctrls = '', p = '/'] = m;
      if (ctrls === '' && this.unifiedMount) out.set(this.unifiedMount, p);
      for (const [mount, cs] of this.v1MountControllers)
        if (cs.length && cs.every((c) => ctrls.split(',').includes(c))) out.set(mount, p);
    }
    return out;
  }

  attach(h: CgroupHandle, pid: number): void {
    if (!Number.isInteger(pid) || pid <= 0) throw cgroupError('CGROUP_ATTACH_FAILED', `not a pid: ${pid}`, { pid });
    const prev = this.previousGroups(pid);
    const done: string[] = [];
    for (const file of this.procsFiles(h)) {
      let lastErr: unknown;
      for (let i = 0; i < 5; i++) {
        try {
          writeRaw(file, String(pid));
          lastErr = undefined;
          break;
        } catch (err) {
          lastErr = err;
          // EINVAL may mean the task is still TASK_NEW (runc retries the same way).
          if (sysCode(err) !== 'EINVAL') break;
          syncSleep(30);
        }
      }
      if (lastErr !== undefined) {
        for (const f of done) {
          const mount = [...prev.keys()].find((m) => f.startsWith(m + '/'));
          const p = mount ? prev.get(mount) : undefined;
          if (mount && p !== undefined) {
            try {
              writeRaw(path.join(mount, p, 'cgroup.procs'), String(pid));
            } catch {
              // best effort: the process may be gone
            }
          }
        }
        const errno = sysCode(lastErr) ?? 'EIO';
        throw cgroupError('CGROUP_ATTACH_FAILED', `writing ${pid} to ${file}: ${errno} (${errMessage(lastErr)})`, {
          file,
          pid,
          errno,
        });
      }
      done.push(file);
    }
  }

  release(h: CgroupHandle): void {
    this.readers.get(h.path)?.close();
    this.readers.delete(h.path);
    this.memo.delete(h.path);
    for (const w of this.watchers.get(h.path) ?? []) w.close();
    this.watchers.delete(h.path);
  }

  async killAll(h: CgroupHandle): Promise<void> {
    const deadline = Date.now() + (this.opts.killTimeoutMs ?? 5000);
    for (let round = 0; ; round++) {
      const pids = this.pids(h);
      if (pids.includes(process.pid))
        throw cgroupError(
          'CGROUP_KILL_TIMEOUT',
          `refusing to kill ${h.path}: it contains this process (${process.pid})`,
          {
            pid: process.pid,
          },
        );
      if (pids.length === 0) return;
      const viaKill = h.unified !== null && v2core.kill(h.unified);
      if (!viaKill || round > 0) await this.signalAll(h, pids);
      if (Date.now() > deadline)
        throw cgroupError('CGROUP_KILL_TIMEOUT', `${h.path} still has ${pids.length} process(es) after SIGKILL`, {
          pids,
        });
      await sleep(round < 20 ? 5 : 25);
    }
  }

  /** SIGKILL every pid; with a v1 freezer, frozen first so nothing forks in between (runc's way). */
  private async signalAll(h: CgroupHandle, pids: number[]): Promise<void> {
    const fz = this.v1Mounts.has('freezer') ? h.v1.freezer : undefined;
    let frozen = false;
    if (fz && exists(path.join(fz, v1freezer.FILES.state))) {
      try {
        await v1freezer.freeze(fz, 1000);
        frozen = true;
      } catch {
        // kill anyway
      }
    }
    const now = this.pids(h);
    for (const pid of now.length ? now : pids) {
      if (pid === process.pid) continue;
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // ESRCH: already gone
      }
    }
    if (frozen && fz) await v1freezer.thaw(fz, 1000).catch(() => undefined);
  }

  async destroy(h: CgroupHandle): Promise<void> {
    await this.killAll(h);
    this.release(h);
    this.requested.delete(h.path);
    this.policyWrites.delete(h.path);
    const failures: string[] = [];
    for (const dir of this.allDirs(h)) {
      try {
        await rmdirTree(dir);
      } catch (err) {
        failures.push(errMessage(err));
      }
    }
    if (failures.length)
      throw cgroupError('CGROUP_BUSY', `could not remove ${h.path}: ${failures.join('; ')}`, { path: h.path });
  }

  /** The v1 freezer, or the unified group's cgroup.freeze (first with preferV2Freezer). */
  private freezer(h: CgroupHandle, op: 'freeze' | 'thaw'): Promise<void> {
    const p = this.place(h, 'freezer', this.opts.preferV2Freezer === true);
    const fn = p?.c[op];
    if (!p || !fn) unsupported(op, 'no v1 freezer hierarchy and no unified group');
    return fn(p.dir, this.opts.freezeTimeoutMs ?? 5000);
  }

  async freeze(h: CgroupHandle): Promise<void> {
    return this.freezer(h, 'freeze');
  }

  async thaw(h: CgroupHandle): Promise<void> {
    return this.freezer(h, 'thaw');
  }

  // ---------------------------------------------------------------- limits

  /** Mount net_cls,net_prio if needed and create the group in it, moving the group's processes in. */
  private ensureNet(h: CgroupHandle, c: ControllerKey, limit: string): string {
    if (this.kind === 'v2') unsupported(limit, V2_ABSENT[c] ?? `${c} has no cgroup v2 controller`);
    if (!this.v1Mounts.has(c)) {
      if (this.opts.mountNetClsPrio === false)
        unsupported(limit, 'net_cls/net_prio are not mounted and on-demand mounting is off');
      const m = ensureNetClsPrio({ root: this.root, ...this.opts.netMountOptions });
      this.v1Mounts.set('net_cls', m.netCls);
      this.v1Mounts.set('net_prio', m.netPrio);
      this.v1MountControllers.set(m.netCls, m.netCls === m.netPrio ? ['net_cls', 'net_prio'] : ['net_cls']);
      if (m.netPrio !== m.netCls) this.v1MountControllers.set(m.netPrio, ['net_prio']);
    }
    const mount = this.v1Mounts.get(c);
    if (!mount) unsupported(limit, `${c} is not mounted`);
    const dir = path.join(mount, h.path);
    if (!isDir(dir)) {
      const pids = this.pids(h);
      this.mkdirChain(mount, h.path, []);
      for (const pid of pids) {
        try {
          writeRaw(path.join(dir, 'cgroup.procs'), String(pid));
        } catch {
          // exited meanwhile
        }
      }
    }
    (h.v1 as Partial<Record<ControllerKey, string>>)[c] = dir;
    this.readers.get(h.path)?.reset();
    return dir;
  }

  /** The place a limit is written to: mounted on demand (net_cls, net_prio) or found; CGROUP_UNSUPPORTED if none. */
  private need(h: CgroupHandle, key: ControllerKey, limit: string): Exclude<Placed, null> {
    const v1 = v1Controller(key);
    if (v1?.mountOnDemand) return { c: v1, dir: this.ensureNet(h, key, limit) };
    const p = this.place(h, key);
    if (!p) unsupported(limit, this.missingReason(key, limit, 'apply'));
    return p;
  }

  apply(h: CgroupHandle, limits: Limits): ApplyResult {
    this.readers.get(h.path)?.invalidate();
    const parsed = LimitsSchema.safeParse(limits);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
      throw cgroupError('CGROUP_BAD_LIMITS', `invalid limits: ${issues.join('; ')}`, { issues });
    }
    const L = parsed.data;
    const tx = new WriteTxn();
    try {
      for (const role of LIMIT_ROLES) {
        if (!role.asks(L)) continue;
        const p = this.need(h, role.key, role.label(L));
        p.c.apply?.(p.dir, L, tx);
      }
    } catch (err) {
      const rollbackFailures = tx.rollback();
      if (err instanceof BerthError) {
        const details = { ...err.details, rolledBack: true, undone: tx.writes.length, rollbackFailures };
        throw new BerthError(err.code, err.message + (tx.writes.length ? '; earlier writes were undone' : ''), details);
      }
      throw err;
    }
    this.requested.set(h.path, mergeLimits(this.requested.get(h.path), L));
    for (const fn of this.applyListeners) fn(h);
    return { writes: tx.writes };
  }

  read(h: CgroupHandle): EffectiveLimits {
    const req = this.requested.get(h.path);
    const parts: EffPart[] = [];
    for (const role of LIMIT_ROLES) {
      const p = this.place(h, role.key);
      if (p) {
        if (p.c.read) parts.push(p.c.read(p.dir, req));
        continue;
      }
      const limit = role.label();
      parts.push({ unsupported: [{ limit, reason: this.missingReason(role.key, limit, 'read') }] });
    }
    const merged = mergeParts(parts);
    const groups: Record<string, string> = {};
    for (const [c, d] of Object.entries(h.v1)) if (d) groups[c] = d;
    if (h.unified) groups.unified = h.unified;
    return { driver: this.kind, groups, ...merged, unsupported: merged.unsupported ?? [] };
  }

  // ---------------------------------------------------------------- device policy

  private v1DevicesDir(h: CgroupHandle): string | null {
    return this.v1Mounts.has('devices') && h.v1.devices ? h.v1.devices : null;
  }

  setDevicePolicy(h: CgroupHandle, rules: readonly DeviceRule[]): DevicePolicyApplied {
    const v1dir = this.v1DevicesDir(h);
    if (!v1dir && !h.unified)
      unsupported(
        'devices',
        'no devices controller (v1) and no unified hierarchy (v2): no device policy can be enforced',
      );
    const v1 = v1dir ? v1devices.installPolicy(v1dir, rules) : null;
    const v2 = h.unified ? v2devices.apply(h.unified, rules) : null;
    this.policyWrites.set(h.path, v1 ?? []);
    return { v1, v2 };
  }

  readDevicePolicy(
    h: CgroupHandle,
    rules: readonly DeviceRule[],
  ): { v1: DevicePolicyV1T | null; v2: DevicePolicyV2T | null; errors: Array<{ where: string; message: string }> } {
    const errors: Array<{ where: string; message: string }> = [];
    let v1: DevicePolicyV1T | null = null;
    let v2: DevicePolicyV2T | null = null;
    const v1dir = this.v1DevicesDir(h);
    if (v1dir) {
      const file = path.join(v1dir, v1devices.FILES.list);
      let raw: string | null = null;
      try {
        raw = readOptional(file);
      } catch (err) {
        errors.push({ where: file, message: errMessage(err) });
      }
      const expected = v1devices.expectedList(rules);
      const got = (raw ?? '')
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean);
      v1 = {
        file,
        raw,
        writes: this.policyWrites.get(h.path) ?? v1devices.policyWrites(v1dir, rules),
        expected,
        inForce: raw !== null && got.length === expected.length && expected.every((l) => got.includes(l)),
      };
    }
    if (h.unified) {
      try {
        const r = v2devices.read(h.unified, rules);
        v2 = {
          ...r,
          table: ruleTable(rules).map((row) => ({ rule: row.rule ? ruleText(row.rule) : null, action: row.action })),
        };
      } catch (err) {
        errors.push({ where: h.unified, message: errMessage(err) });
      }
    }
    return { v1, v2, errors };
  }

  // ---------------------------------------------------------------- samples

  private reader(h: CgroupHandle): FileSource {
    if (this.opts.keepFilesOpen === false) return directSource;
    let r = this.readers.get(h.path);
    if (!r) this.readers.set(h.path, (r = new StatsReader()));
    return r;
  }

  /** Every STATS_ROLES role placed for the group adds its part; v1 cpu's counters merge over cpuacct's usage. */
  stats(h: CgroupHandle): ResourceStats {
    const ctx: StatsContext = { src: this.reader(h), hz: this.hz, once: (key, make) => this.once(h, key, make) };
    const s: ResourceStats = {
      timestamp: Date.now(),
      cpu: { ...ZERO_CPU },
      memory: { ...ZERO_MEMORY },
      pids: { current: 0, max: null },
      io: { devices: [] },
      net: { ifaces: [] },
    };
    for (const key of STATS_ROLES) {
      const p = this.place(h, key);
      const part = p?.c.stats?.(p.dir, ctx);
      if (!part) continue;
      const { cpu, ...rest } = part;
      if (cpu) s.cpu = { ...s.cpu, ...cpu };
      Object.assign(s, rest);
    }
    return s;
  }

  private once<T>(h: CgroupHandle, key: string, make: () => T): T {
    let m = this.memo.get(h.path);
    if (!m) this.memo.set(h.path, (m = new Map()));
    if (!m.has(key)) m.set(key, make());
    return m.get(key) as T;
  }

  onApply(listener: (h: CgroupHandle) => void): () => void {
    this.applyListeners.add(listener);
    return () => this.applyListeners.delete(listener);
  }

  sampleFiles(h: CgroupHandle): SampleFile[] {
    const files: SampleFile[] = [];
    for (const key of STATS_ROLES) {
      const p = this.place(h, key);
      if (p?.c.sampleFiles) files.push(...p.c.sampleFiles(p.dir));
    }
    return files;
  }

  events(h: CgroupHandle): OomCounters | null {
    const p = this.place(h, 'memory');
    return p?.c.oomCounters ? p.c.oomCounters(p.dir) : null;
  }

  /**
   * Calls cb when the OOM (kill) counters go up. v2: fs.watch on memory.events
   * (the kernel raises a file-modified inotify event on every change). v1: a
   * poll of memory.oom_control every intervalMs (default 1 s), because v1's
   * notification needs an eventfd registered through cgroup.event_control,
   * which Node cannot create without native code.
   */
  watchOom(h: CgroupHandle, cb: (e: OomEvent) => void, opts: { intervalMs?: number } = {}): OomWatcher {
    const w = this.place(h, 'memory');
    if (!w) unsupported('oom events', 'no memory controller for this group');
    let last = this.events(h);
    const check = () => {
      let now: OomCounters | null;
      try {
        now = this.events(h);
      } catch {
        return;
      }
      if (!now || !last) return;
      if (now.oomKill > last.oomKill || now.oom > last.oom) {
        cb({
          id: h.id,
          oom: now.oom,
          oomKill: now.oomKill,
          newKills: now.oomKill - last.oomKill,
          file: now.file,
          at: Date.now(),
        });
      }
      last = now;
    };
    let watcher: OomWatcher;
    const set = this.watchers.get(h.path) ?? new Set<OomWatcher>();
    this.watchers.set(h.path, set);
    if (w.c.oomWatchFile) {
      try {
        const fw = fs.watch(path.join(w.dir, w.c.oomWatchFile), { persistent: false }, check);
        fw.on('error', () => undefined);
        watcher = {
          mode: 'inotify',
          close: () => {
            fw.close();
            set.delete(watcher);
          },
        };
        set.add(watcher);
        return watcher;
      } catch {
        // fall back to polling
      }
    }
    const t = setInterval(check, opts.intervalMs ?? 1000);
    t.unref();
    watcher = {
      mode: 'poll',
      close: () => {
        clearInterval(t);
        set.delete(watcher);
      },
    };
    set.add(watcher);
    return watcher;
  }
}

/** rmdir a group and any child groups, deepest first; ENOENT is fine, EBUSY retried for ~1 s. */
export async function rmdirTree(dir: string): Promise<void> {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch (err) {
    if (sysCode(err) === 'ENOENT') return;
    throw err;
  }
  for (const e of entries) if (e.isDirectory()) await rmdirTree(path.join(dir, e.name));
  for (let i = 0; ; i++) {
    try {
      fs.rmdirSync(dir);
      return;
    } catch (err) {
      const code = sysCode(err);
      if (code === 'ENOENT') return;
      if (code !== 'EBUSY' || i >= 50)
        throw cgroupError('CGROUP_BUSY', `rmdir ${dir}: ${errMessage(err)}`, { dir, errno: code });
      await sleep(20);
    }
  }
}

export class V1Driver extends ComposedDriver {
  constructor(layout: CgroupLayout, opts?: DriverOptions) {
    super('v1', layout, opts);
  }
}

export class V2Driver extends ComposedDriver {
  constructor(layout: CgroupLayout, opts?: DriverOptions) {
    super('v2', layout, opts);
  }
}

export class HybridDriver extends ComposedDriver {
  constructor(layout: CgroupLayout, opts?: DriverOptions) {
    super('hybrid', layout, opts);
  }
}

/** The driver for a layout (detected from the host by default). */
export function createDriver(layout: CgroupLayout = detectLayout(), opts?: DriverOptions): CgroupDriver {
  switch (layout.mode) {
    case 'v1':
      return new V1Driver(layout, opts);
    case 'v2':
      return new V2Driver(layout, opts);
    case 'hybrid':
      return new HybridDriver(layout, opts);
  }
}
