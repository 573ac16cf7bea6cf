/** Read-backs the limits tests share: a hybrid (v1 controllers) host and a cgroup v2 host. */
import type { EffectiveLimits } from '../../../../preload/schemas/resources';

const G1 = '/sys/fs/cgroup/memory/berth/x';

/** The read-back of a hybrid host, as the helper answered on the reference machine. */
export const HYBRID: EffectiveLimits = {
  driver: 'hybrid',
  groups: { memory: G1 },
  memory: {
    max: { value: 67108864, requested: 67108864, file: `${G1}/memory.limit_in_bytes`, raw: '67108864' },
    high: { value: null, file: `${G1}/memory.soft_limit_in_bytes`, raw: '9223372036854771712' },
    swapMax: { value: null, file: `${G1}/memory.memsw.limit_in_bytes`, raw: '9223372036854771712' },
  },
  cpu: {
    weight: { value: 39, file: '/sys/fs/cgroup/cpu/berth/x/cpu.shares', raw: '1024' },
    quotaUs: { value: null, file: '/sys/fs/cgroup/cpu/berth/x/cpu.cfs_quota_us', raw: '-1' },
    periodUs: { value: 100000, file: '/sys/fs/cgroup/cpu/berth/x/cpu.cfs_period_us', raw: '100000' },
    cpusetCpus: { value: '0-1', file: '/sys/fs/cgroup/cpuset/berth/x/cpuset.cpus', raw: '0-1' },
  },
  pids: { max: { value: null, file: '/sys/fs/cgroup/pids/berth/x/pids.max', raw: 'max' } },
  io: {
    weight: { value: 910, file: '/sys/fs/cgroup/blkio/berth/x/blkio.bfq.weight', raw: '100' },
    devices: [
      {
        major: 8,
        minor: 0,
        readBps: {
          value: 1048576,
          file: '/sys/fs/cgroup/blkio/berth/x/blkio.throttle.read_bps_device',
          raw: '8:0 1048576',
        },
      },
    ],
  },
  devices: {
    value: [{ allow: true, type: 'a', major: '*', minor: '*', access: 'rwm' }],
    file: '/sys/fs/cgroup/devices/berth/x/devices.list',
    raw: 'a *:* rwm',
  },
  netCls: { classid: { value: 0, file: '/sys/fs/cgroup/net_cls/berth/x/net_cls.classid', raw: '0' } },
  netPrio: {
    ifPriorities: {
      value: [
        { iface: 'lo', priority: 0 },
        { iface: 'eth0', priority: 0 },
      ],
      file: '/sys/fs/cgroup/net_prio/berth/x/net_prio.ifpriomap',
      raw: 'lo 0\neth0 0',
    },
  },
  unsupported: [{ limit: 'memory.low', reason: 'cgroup v1 has no memory reservation' }],
};

export const MiB = 1024 * 1024;
export const V2_ID = 'c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00';
const G2 = `/sys/fs/cgroup/berth/${V2_ID}`;

/** A cgroup v2 read-back: 64 MiB hard limit, no pids limit, weight 100 (overridable). */
export function v2(
  over: { memMax?: number | null; pidsMax?: number | null; cpuWeight?: number } = {},
): EffectiveLimits {
  const memMax = over.memMax === undefined ? 64 * MiB : over.memMax;
  const pidsMax = over.pidsMax ?? null;
  const weight = over.cpuWeight ?? 100;
  return {
    driver: 'v2',
    groups: { unified: G2 },
    memory: {
      max: { value: memMax, file: `${G2}/memory.max`, raw: memMax === null ? 'max' : String(memMax) },
      high: { value: null, file: `${G2}/memory.high`, raw: 'max' },
      low: { value: 0, file: `${G2}/memory.low`, raw: '0' },
      swapMax: { value: null, file: `${G2}/memory.swap.max`, raw: 'max' },
    },
    cpu: {
      weight: { value: weight, file: `${G2}/cpu.weight`, raw: String(weight) },
      quotaUs: { value: null, file: `${G2}/cpu.max`, raw: 'max 100000' },
      periodUs: { value: 100000, file: `${G2}/cpu.max`, raw: 'max 100000' },
      cpusetCpus: { value: '0-1', file: `${G2}/cpuset.cpus`, raw: '0-1' },
      cpusetCpusAllowed: { value: '0-3', file: '/sys/fs/cgroup/berth/cpuset.cpus.effective', raw: '0-3' },
    },
    pids: { max: { value: pidsMax, file: `${G2}/pids.max`, raw: pidsMax === null ? 'max' : String(pidsMax) } },
    io: { weight: { value: 100, file: `${G2}/io.weight`, raw: 'default 100' }, devices: [] },
    unsupported: [{ limit: 'devices', reason: 'cgroup v2 has no devices files' }],
  };
}
