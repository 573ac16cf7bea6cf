/**
 * The typed shape every controller file exports, and the roles both cgroup
 * versions fill. A role (ControllerKey) is named after the v1 controller
 * ("blkio" is v2's io, "cpuacct" is v2's core cpu.stat usage); each version's
 * table (v1/table.ts, v2/table.ts) maps a role to the Controller that fills it
 * in that version, with that version's file names and semantics. The driver
 * places every role of a group (its v1 directory, its unified one, or neither)
 * and loops over LIMIT_ROLES and STATS_ROLES instead of naming controllers.
 */
import type { Limits, ResourceStats } from '../../../preload/schemas/resources';
import type { FileSource, WriteTxn } from './fsutil';
import type { SampleFile } from './sample-layout';
import type { EffPart } from './types';

/** Roles by their v1 names (v2: cpuacct is cpu.stat, blkio is io; pressure is v2 only). */
export type ControllerKey =
  | 'memory'
  | 'cpu'
  | 'cpuacct'
  | 'cpuset'
  | 'pids'
  | 'blkio'
  | 'devices'
  | 'freezer'
  | 'net_cls'
  | 'net_prio'
  | 'hugetlb'
  | 'pressure';

/** What one controller's stats() contributes to ResourceStats (cpu is filled by two v1 controllers). */
export interface StatsPart {
  cpu?: Partial<ResourceStats['cpu']>;
  memory?: ResourceStats['memory'];
  pids?: ResourceStats['pids'];
  io?: ResourceStats['io'];
  pressure?: ResourceStats['pressure'];
  hugetlb?: ResourceStats['hugetlb'];
}

export interface StatsContext {
  /** Where the files are read from: kept-open fds (StatsReader) or a plain read. */
  readonly src: FileSource;
  /** USER_HZ, for v1 cpuacct.stat ticks. */
  readonly hz: number;
  /** A value computed once per group and kept until release() (hugetlb page sizes). */
  once<T>(key: string, make: () => T): T;
}

export interface OomCounters {
  /** memory.events (v2) or memory.oom_control (v1). */
  file: string;
  oom: number;
  oomKill: number;
  /** v1 memory.failcnt. */
  failcnt?: number;
  underOom?: boolean;
}

/**
 * One controller of one cgroup version. Every member is optional but the
 * names: a controller offers what its kernel files can do (cpuacct only
 * counts, freezer only freezes), and the driver skips what is absent.
 *
 * @typeParam S what stats() contributes to ResourceStats
 */
export interface Controller<S extends StatsPart = StatsPart> {
  /** The role it fills (the table key). */
  readonly key: ControllerKey;
  /** Its kernel name in this version: what cgroup.controllers lists on v2 ("io", "cpu"). */
  readonly name: string;
  /**
   * v2 core files: present in every group of the unified hierarchy whether
   * or not `name` is enabled (cpu.stat usage, PSI, cgroup.freeze).
   */
  readonly core?: boolean;
  /** The kernel files it reads and writes, by role in the controller. */
  readonly files: Readonly<Record<string, string>>;
  /** v1: mounted by the driver when a limit first asks for it (net_cls, net_prio). */
  readonly mountOnDemand?: boolean;
  /** Write the part of `limits` it answers for into `dir`, all-or-nothing through tx. */
  apply?(dir: string, limits: Limits, tx?: WriteTxn): void;
  /** Read the limits in force back, each with its file and raw content. */
  read?(dir: string, requested?: Limits): EffPart;
  stats?(dir: string, ctx: StatsContext): S;
  /** The files one sampling tick reads and the SLOT each value goes to. */
  sampleFiles?(dir: string): SampleFile[];
  /** OOM counters for events()/watchOom() (memory). */
  oomCounters?(dir: string): OomCounters;
  /** The file whose inotify modify event says the OOM counters moved (v2); absent: poll. */
  readonly oomWatchFile?: string;
  freeze?(dir: string, timeoutMs: number): Promise<void>;
  thaw?(dir: string, timeoutMs: number): Promise<void>;
  /** Run on each directory made in its hierarchy, parent levels included (v1 cpuset's empty cpus/mems). */
  prepareGroup?(dir: string): void;
}

/** One cgroup version's controllers by role. */
export type ControllerTable = Readonly<Partial<Record<ControllerKey, Controller>>>;

/** What a Limits asks of a role, and the Limits path a refusal names. */
export interface LimitRole {
  readonly key: ControllerKey;
  /** True when the request writes something through this role. */
  asks(limits: Limits): boolean;
  /** The Limits path named in CGROUP_UNSUPPORTED (apply: for this request; read: without one). */
  label(limits?: Limits): string;
}

/** The roles that hold limits, in the order apply() writes them and read() reports them. */
export const LIMIT_ROLES: readonly LimitRole[] = [
  { key: 'memory', asks: (l) => !!l.memory, label: () => 'memory' },
  {
    key: 'cpu',
    asks: (l) => !!l.cpu && (l.cpu.weight !== undefined || l.cpu.quota !== undefined || l.cpu.cpus !== undefined),
    label: (l) => (l && l.cpu?.weight === undefined ? 'cpu.quota' : 'cpu.weight'),
  },
  {
    key: 'cpuset',
    asks: (l) => !!l.cpu && (l.cpu.cpusetCpus !== undefined || l.cpu.cpusetMems !== undefined),
    label: () => 'cpu.cpusetCpus',
  },
  { key: 'pids', asks: (l) => !!l.pids, label: () => 'pids.max' },
  { key: 'blkio', asks: (l) => !!l.io, label: () => 'io' },
  { key: 'devices', asks: (l) => !!l.devices && l.devices.rules.length > 0, label: () => 'devices' },
  { key: 'net_cls', asks: (l) => !!l.netCls, label: () => 'netCls' },
  { key: 'net_prio', asks: (l) => !!l.netPrio, label: () => 'netPrio' },
];

/**
 * The roles that feed ResourceStats and sampling ticks, in order: cpu
 * usage first (v1 cpuacct, or v2's core cpu.stat), then v1 cpu's
 * throttling counters merged over it.
 */
export const STATS_ROLES: readonly ControllerKey[] = [
  'cpuacct',
  'cpu',
  'memory',
  'pids',
  'blkio',
  'pressure',
  'hugetlb',
];
