/**
 * Resources: cgroup limits a container asks for, the kernel's answer read back
 * from its files (with the file path, for the UI's "kernel truth"), and resource
 * samples for live charts. Browser-safe: zod only, no Node imports.
 *
 * Units follow cgroup v2 (Documentation/admin-guide/cgroup-v2.rst): bytes,
 * microseconds, cpu.weight 1..10000, io.weight 1..10000. A v1 host converts at
 * the driver (see main/engine/cgroups/README.md). `null` means the kernel's
 * "max" (unlimited); an absent field means "leave as it is".
 */
import { z } from 'zod';
import { lazy } from './lazy';
import { method } from './define';

const SAFE = Number.MAX_SAFE_INTEGER;

/** Bytes, as an exact JS integer (< 2^53 = 8 PiB). */
export const Bytes = lazy(() => z.number().int().min(0).max(SAFE));
/** Bytes, or null for the kernel's "max". */
export const BytesOrMax = lazy(() => Bytes.nullable());

/** Kernel cpu list syntax ("0-3,5,7-8"), as cpuset.cpus / cpuset.mems take it. */
const CPU_LIST_RE = /^\d{1,5}(-\d{1,5})?(,\d{1,5}(-\d{1,5})?)*$/;

export function parseCpuList(s: string): number[] | null {
  const t = s.trim();
  if (t === '') return [];
  if (!CPU_LIST_RE.test(t)) return null;
  const out = new Set<number>();
  for (const part of t.split(',')) {
    const [a, b] = part.split('-');
    const lo = Number(a);
    const hi = b === undefined ? lo : Number(b);
    if (hi < lo || hi > 8191) return null;
    for (let i = lo; i <= hi; i++) out.add(i);
  }
  return [...out].sort((x, y) => x - y);
}

export const CpuList = lazy(() =>
  z
    .string()
    .max(4096)
    .refine((s) => s.trim() !== '' && parseCpuList(s) !== null, {
      message: 'a cpu list like "0-1,3": numbers or ascending ranges, comma-separated',
    }),
);

export const MemoryLimits = lazy(() =>
  z
    .object({
      /** Hard limit: v2 memory.max, v1 memory.limit_in_bytes. */
      max: BytesOrMax.optional(),
      /** Soft limit: v2 memory.high (throttle), v1 memory.soft_limit_in_bytes (reclaim target under global pressure). */
      high: BytesOrMax.optional(),
      /** Reservation: v2 memory.low (best-effort protection); no v1 equivalent. 0 = none, null = "max". */
      low: BytesOrMax.optional(),
      /** Swap alone: v2 memory.swap.max; v1 memory.memsw.limit_in_bytes = max + swapMax. */
      swapMax: BytesOrMax.optional(),
    })
    .strict(),
);

/** CFS bandwidth: quota per period. quotaUs null = no quota ("max"). */
export const CpuQuota = lazy(() =>
  z
    .object({
      quotaUs: z.number().int().min(1000).max(SAFE).nullable(),
      /** 1 ms .. 1 s; the kernel's default 100000 when absent. */
      periodUs: z.number().int().min(1000).max(1_000_000).optional(),
    })
    .strict(),
);

export const CpuLimits = lazy(() =>
  z
    .object({
      /** v2 cpu.weight (1..10000, default 100); v1 cpu.shares converted. */
      weight: z.number().int().min(1).max(10_000).optional(),
      quota: CpuQuota.optional(),
      /** N CPUs worth of time: quota = N × period (period 100000 µs unless quota.periodUs is given). */
      cpus: z.number().min(0.01).max(8192).optional(),
      cpusetCpus: CpuList.optional(),
      cpusetMems: CpuList.optional(),
    })
    .strict()
    .refine((c) => !(c.cpus !== undefined && c.quota?.quotaUs !== undefined && c.quota.quotaUs !== null), {
      message: 'give either cpus or quota.quotaUs, not both',
    }),
);

export const PidsLimits = lazy(() =>
  z
    .object({
      /** pids.max; null = "max". */
      max: z.number().int().min(0).max(4_194_304).nullable().optional(),
    })
    .strict(),
);

/** Per-device throttle, null = no limit ("max" on v2, rule removed on v1). */
const Rate = lazy(() => z.number().int().min(1).max(SAFE).nullable().optional());

export const IoDeviceLimit = lazy(() =>
  z
    .object({
      major: z.number().int().min(0).max(4095),
      minor: z.number().int().min(0).max(1_048_575),
      readBps: Rate,
      writeBps: Rate,
      readIops: Rate,
      writeIops: Rate,
    })
    .strict(),
);

export const IoLimits = lazy(() =>
  z
    .object({
      /** v2 io.weight 1..10000 (default 100); v1 blkio.weight 10..1000 converted. */
      weight: z.number().int().min(1).max(10_000).optional(),
      devices: z.array(IoDeviceLimit).max(64).optional(),
    })
    .strict(),
);

const DeviceNumber = lazy(() => z.union([z.number().int().min(0).max(1_048_575), z.literal('*')]));

export const DeviceRule = lazy(() =>
  z
    .object({
      allow: z.boolean(),
      /** a = all devices, c = char, b = block. */
      type: z.enum(['a', 'c', 'b']),
      major: DeviceNumber,
      minor: DeviceNumber,
      /** A non-empty subset of "rwm" (read, write, mknod). */
      access: z
        .string()
        .regex(/^[rwm]{1,3}$/)
        .refine((s) => new Set(s).size === s.length, { message: 'access letters must not repeat' }),
    })
    .strict(),
);

export const DeviceLimits = lazy(() => z.object({ rules: z.array(DeviceRule).max(256) }).strict());

export const NetClsLimits = lazy(() =>
  z
    .object({
      /** net_cls.classid, a tc handle as 0xAAAABBBB (10:1 = 0x00100001). */
      classid: z.number().int().min(0).max(0xffffffff),
    })
    .strict(),
);

export const IfaceName = lazy(() =>
  z
    .string()
    .min(1)
    .max(15)
    .regex(/^[^\s/:]+$/, 'an interface name (no spaces, "/" or ":")'),
);

export const NetPrioLimits = lazy(() =>
  z
    .object({
      ifPriorities: z
        .array(z.object({ iface: IfaceName, priority: z.number().int().min(0).max(0xffffffff) }).strict())
        .max(64),
    })
    .strict(),
);

export const Limits = lazy(() =>
  z
    .object({
      memory: MemoryLimits.optional(),
      cpu: CpuLimits.optional(),
      pids: PidsLimits.optional(),
      io: IoLimits.optional(),
      devices: DeviceLimits.optional(),
      netCls: NetClsLimits.optional(),
      netPrio: NetPrioLimits.optional(),
    })
    .strict(),
);

// ---------------------------------------------------------------- samples

const Count = lazy(() => z.number().min(0));

export const PsiStats = lazy(() =>
  z.object({
    someAvg10: z.number(),
    someAvg60: z.number(),
    someAvg300: z.number(),
    /** Total stall time in µs. */
    someTotal: Count,
    fullAvg10: z.number().optional(),
    fullAvg60: z.number().optional(),
    fullAvg300: z.number().optional(),
    fullTotal: Count.optional(),
  }),
);

export const IoDeviceStats = lazy(() =>
  z.object({
    major: z.number().int(),
    minor: z.number().int(),
    rbytes: Count,
    wbytes: Count,
    rios: Count,
    wios: Count,
  }),
);

export const NetIfaceStats = lazy(() =>
  z.object({
    name: z.string(),
    rxBytes: Count,
    txBytes: Count,
    rxPackets: Count,
    txPackets: Count,
  }),
);

export const HugetlbStats = lazy(() =>
  z.object({
    /** "2MB", "1GB": the kernel's file name part. */
    pageSize: z.string(),
    current: Count,
    max: Count.nullable(),
    /** v2 hugetlb.<size>.events "max" counter. */
    maxEvents: Count.optional(),
  }),
);

export const ResourceStats = lazy(() =>
  z.object({
    /** ms since the epoch when the sample was read. */
    timestamp: z.number(),
    cpu: z.object({
      usageUsec: Count,
      userUsec: Count,
      systemUsec: Count,
      nrPeriods: Count,
      nrThrottled: Count,
      throttledUsec: Count,
    }),
    memory: z.object({
      current: Count,
      /** v2 memory.peak (5.19+), v1 memory.max_usage_in_bytes; null where the kernel has neither. */
      peak: Count.nullable(),
      /** The hard limit in force; null = unlimited. */
      limit: Count.nullable(),
      anon: Count,
      file: Count,
      kernel: Count.optional(),
      swap: Count.optional(),
      /** v2 memory.events oom; v1 has no separate counter and reports oom_kill here too. */
      oomEvents: Count,
      oomKillEvents: Count,
      /** v1 memory.failcnt: times usage hit the limit. */
      failcnt: Count.optional(),
      /** v1 memory.oom_control under_oom. */
      underOom: z.boolean().optional(),
    }),
    pids: z.object({ current: Count, max: Count.nullable() }),
    io: z.object({ devices: z.array(IoDeviceStats) }),
    /** Filled by the caller from the container's network namespace. */
    net: z.object({ ifaces: z.array(NetIfaceStats) }),
    /** Where the kernel has PSI for this group (v2 files; on hybrid the unified group's). */
    pressure: z.object({ cpu: PsiStats.optional(), memory: PsiStats.optional(), io: PsiStats.optional() }).optional(),
    hugetlb: z.array(HugetlbStats).optional(),
  }),
);

// ---------------------------------------------------------------- kernel truth

/**
 * One limit as the kernel holds it: the value parsed back (in Limits units),
 * the raw file content, the file it lives in, and what Berth last asked for.
 */
export function effective<T extends z.ZodType>(value: T) {
  return z.object({
    value,
    /** The last value Berth wrote through this driver; absent if never set by Berth (or since a helper restart). */
    requested: value.optional(),
    file: z.string(),
    /** The file's content, trimmed (the device's line for per-device files). */
    raw: z.string(),
    /** Conversion or caveat worth showing next to the value. */
    note: z.string().optional(),
  });
}

const EffBytes = lazy(() => effective(BytesOrMax));
const EffInt = lazy(() => effective(z.number().int()));
const EffIntOrMax = lazy(() => effective(z.number().int().nullable()));
const EffString = lazy(() => effective(z.string()));

export const UnsupportedLimit = lazy(() =>
  z.object({
    /** The Limits path, e.g. "memory.low". */
    limit: z.string(),
    reason: z.string(),
  }),
);

export const EffectiveLimits = lazy(() =>
  z.object({
    driver: z.enum(['v1', 'v2', 'hybrid']),
    /** The group's directory per controller (v1) or "unified". */
    groups: z.record(z.string(), z.string()),
    memory: z
      .object({
        max: EffBytes.optional(),
        high: EffBytes.optional(),
        low: EffBytes.optional(),
        swapMax: EffBytes.optional(),
      })
      .optional(),
    cpu: z
      .object({
        weight: EffInt.optional(),
        /** null = no quota. */
        quotaUs: EffIntOrMax.optional(),
        periodUs: EffInt.optional(),
        cpusetCpus: EffString.optional(),
        cpusetMems: EffString.optional(),
        /**
         * The CPUs this group may be given: v2 the parent's cpuset.cpus.effective,
         * v1 the parent's cpuset.effective_cpus (cpuset.cpus where the kernel has
         * no effective file). value is the cpu list, e.g. "0-1".
         */
        cpusetCpusAllowed: EffString.optional(),
      })
      .optional(),
    pids: z.object({ max: EffIntOrMax.optional() }).optional(),
    io: z
      .object({
        weight: EffInt.optional(),
        devices: z.array(
          z.object({
            major: z.number().int(),
            minor: z.number().int(),
            readBps: EffIntOrMax.optional(),
            writeBps: EffIntOrMax.optional(),
            readIops: EffIntOrMax.optional(),
            writeIops: EffIntOrMax.optional(),
          }),
        ),
      })
      .optional(),
    devices: effective(z.array(DeviceRule)).optional(),
    netCls: z.object({ classid: EffInt.optional() }).optional(),
    netPrio: z
      .object({
        ifPriorities: effective(z.array(z.object({ iface: z.string(), priority: z.number().int() }))).optional(),
      })
      .optional(),
    /** Limits this host or driver cannot express, with the reason. */
    unsupported: z.array(UnsupportedLimit),
  }),
);

export const OomEvent = lazy(() =>
  z.object({
    id: z.string(),
    /** Counters after the change. */
    oom: Count,
    oomKill: Count,
    /** How many kills since the previous event. */
    newKills: Count,
    /** The file the counters came from (memory.events or memory.oom_control). */
    file: z.string(),
    at: z.number(),
  }),
);

export type Limits = z.infer<typeof Limits>;
export type MemoryLimits = z.infer<typeof MemoryLimits>;
export type CpuLimits = z.infer<typeof CpuLimits>;
export type CpuQuota = z.infer<typeof CpuQuota>;
export type PidsLimits = z.infer<typeof PidsLimits>;
export type IoLimits = z.infer<typeof IoLimits>;
export type IoDeviceLimit = z.infer<typeof IoDeviceLimit>;
export type DeviceRule = z.infer<typeof DeviceRule>;
export type DeviceLimits = z.infer<typeof DeviceLimits>;
export type NetClsLimits = z.infer<typeof NetClsLimits>;
export type NetPrioLimits = z.infer<typeof NetPrioLimits>;
export type PsiStats = z.infer<typeof PsiStats>;
export type IoDeviceStats = z.infer<typeof IoDeviceStats>;
export type NetIfaceStats = z.infer<typeof NetIfaceStats>;
export type HugetlbStats = z.infer<typeof HugetlbStats>;
export type ResourceStats = z.infer<typeof ResourceStats>;
export type EffectiveLimits = z.infer<typeof EffectiveLimits>;
export type UnsupportedLimit = z.infer<typeof UnsupportedLimit>;
export type OomEvent = z.infer<typeof OomEvent>;
/** One Effective<T> entry. */
export interface Effective<T> {
  value: T;
  requested?: T;
  file: string;
  raw: string;
  note?: string;
}

// ---------------------------------------------------------------- contract

/** One point of a container's series (rates derived from counter deltas). */
export const HistoryPoint = lazy(() =>
  z.object({
    t: z.number(),
    /** 100 = one full CPU, like docker stats. */
    cpuPercent: z.number().nullable(),
    cpuPercentOfHost: z.number().nullable(),
    throttledPercent: z.number().nullable(),
    memoryBytes: z.number(),
    memoryLimit: z.number().nullable(),
    pids: z.number(),
    ioReadBps: z.number().nullable(),
    ioWriteBps: z.number().nullable(),
    netRxBps: z.number().nullable(),
    netTxBps: z.number().nullable(),
    /**
     * Pressure stall information, the kernel's 10 s averages (% of time some /
     * all tasks of the group stalled on CPU, memory, IO), from the group's
     * *.pressure files (on hybrid, the unified group's). null where the kernel
     * has no PSI for the group (pure v1, CONFIG_PSI off, psi=0) or no such line
     * (cpu "full" before 5.13).
     */
    psiCpuSomeAvg10: z.number().nullable(),
    psiCpuFullAvg10: z.number().nullable(),
    psiMemorySomeAvg10: z.number().nullable(),
    psiMemoryFullAvg10: z.number().nullable(),
    psiIoSomeAvg10: z.number().nullable(),
    psiIoFullAvg10: z.number().nullable(),
  }),
);

export const StatsRow = lazy(() => HistoryPoint.extend({ id: z.string(), name: z.string() }));

const Id = lazy(() => z.string().min(1).max(128));

export const resourceMethods = {
  'resources.stats': method({
    where: 'helper',
    params: lazy(() => z.object({ id: Id.optional() }).strict()),
    result: lazy(() => z.array(z.object({ row: StatsRow, stats: ResourceStats }))),
    summary: 'The latest sample of each running container (or one), with the raw counters',
  }),
  'resources.history': method({
    where: 'helper',
    params: lazy(() => z.object({ id: Id, sinceMs: z.number().min(0).optional() }).strict()),
    result: lazy(() => z.object({ id: z.string(), points: z.array(HistoryPoint) })),
    summary: 'Up to 15 minutes of 1 s samples, kept by the helper',
  }),
  'resources.limits': method({
    where: 'helper',
    params: lazy(() => z.object({ id: Id }).strict()),
    result: lazy(() => z.object({ id: z.string(), requested: Limits, effective: EffectiveLimits.nullable() })),
    summary: 'The limits asked for and what the kernel holds, with the file of each',
  }),
  'resources.update': method({
    where: 'helper',
    params: lazy(() => z.object({ id: Id, limits: Limits }).strict()),
    result: lazy(() => z.object({ id: z.string(), requested: Limits, effective: EffectiveLimits.nullable() })),
    summary: 'Change limits, live on a running container (all-or-nothing); they persist with it',
  }),
} as const;

export const resourceEvents = {
  /** Every sampling tick: a compact row per running container. */
  'resources.sample': lazy(() => z.object({ at: z.number(), rows: z.array(StatsRow) })),
} as const;

export type HistoryPointT = z.infer<typeof HistoryPoint>;
export type StatsRowT = z.infer<typeof StatsRow>;

/** Error codes of the cgroup engine. */
export const cgroupErrorCodes = [
  'CGROUP_UNSUPPORTED', // the host/driver cannot express a limit (details.limit, reason in message)
  'CGROUP_BAD_LIMITS', // Limits failed the schema (details.issues)
  'CGROUP_LIMIT_REFUSED', // the kernel refused a write (details.file, value, errno); previous values restored
  'CGROUP_BAD_ID', // an id or parent that is not a safe path segment
  'CGROUP_NOT_FOUND', // the group does not exist (or was removed under an open file)
  'CGROUP_CREATE_FAILED', // mkdir of a group failed (details.dir, errno)
  'CGROUP_ATTACH_FAILED', // writing a pid into cgroup.procs failed (details.file, errno)
  'CGROUP_FREEZE_TIMEOUT', // freezer did not reach FROZEN/THAWED in time
  'CGROUP_KILL_TIMEOUT', // processes still present after killAll
  'CGROUP_BUSY', // rmdir kept failing with EBUSY
  'CGROUP_READ_FAILED', // reading a control file failed with something other than ENOENT
  'CGROUP_MOUNT_FAILED', // ensureNetClsPrio could not mount the hierarchy
  'CGROUP_DEVICE_POLICY_FAILED', // installing the device policy failed (v1 write or v2 BPF load/attach; details.file, errno)
] as const;
