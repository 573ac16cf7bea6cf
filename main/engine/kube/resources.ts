/**
 * Berth's cgroup limits ↔ a Kubernetes container's `resources`, one mapping
 * both ways (generate and play):
 *
 *   memory.max            (v1 memory.limit_in_bytes)      ↔ limits.memory
 *   memory.low            (v2 only: the reservation)      ↔ requests.memory
 *   cpu quota / period    (cpu.max, cfs_quota_us)         ↔ limits.cpu   (millicores = quota/period × 1000)
 *   cpu.weight            (v1 cpu.shares converted)       ↔ requests.cpu (the kubelet's rule: shares =
 *                                                            millicores × 1024 / 1000, then runc's
 *                                                            shares → weight formula)
 *
 * A limit with no Kubernetes counterpart (memory.high, swap, pids, cpuset,
 * io, devices, net_cls/prio) is named in a warning, never dropped silently.
 */
import type { Limits } from '../../../preload/schemas/resources';

export interface KubeResources {
  limits?: Record<string, string>;
  requests?: Record<string, string>;
}

const BINARY: Array<[string, number]> = [
  ['Ei', 2 ** 60],
  ['Pi', 2 ** 50],
  ['Ti', 2 ** 40],
  ['Gi', 2 ** 30],
  ['Mi', 2 ** 20],
  ['Ki', 2 ** 10],
];
const DECIMAL: Record<string, number> = { k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };

/** Bytes as a Kubernetes quantity: the largest binary suffix that divides it exactly. */
export function bytesQuantity(n: number): string {
  for (const [suffix, size] of BINARY) if (n >= size && n % size === 0) return `${n / size}${suffix}`;
  return String(n);
}

/** A Kubernetes quantity (`64Mi`, `1G`, `500m`, `1.5`, `2e3`) as a number of base units; null if malformed. */
export function parseQuantity(q: string | number): number | null {
  if (typeof q === 'number') return Number.isFinite(q) && q >= 0 ? q : null;
  const m = /^([0-9]+(?:\.[0-9]*)?|\.[0-9]+)(Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E|[eE][+-]?[0-9]+)?$/.exec(q.trim());
  if (!m) return null;
  const n = Number(m[1]);
  const s = m[2];
  if (!s) return n;
  if (s === 'm') return n / 1000;
  if (/^[eE]/.test(s)) return n * 10 ** Number(s.slice(1));
  const bin = BINARY.find(([k]) => k === s);
  return bin ? n * bin[1] : n * DECIMAL[s]!;
}

/** CPUs as millicores (`500m`) or whole cores (`2`). */
export function cpuQuantity(cpus: number): string {
  const milli = Math.round(cpus * 1000);
  return milli % 1000 === 0 ? String(milli / 1000) : `${milli}m`;
}

/** cgroup v2 cpu.weight (1..10000) → millicores, inverting the kubelet's request → shares and runc's shares → weight. */
export function weightToMillicores(weight: number): number {
  const shares = 2 + ((weight - 1) * 262142) / 9999;
  return Math.max(1, Math.round((shares * 1000) / 1024));
}

/** millicores → cgroup v2 cpu.weight (the kubelet's shares, then runc's formula). */
export function millicoresToWeight(milli: number): number {
  const shares = Math.min(Math.max(Math.round((milli * 1024) / 1000), 2), 262144);
  return Math.min(Math.max(Math.round(1 + ((shares - 2) * 9999) / 262142), 1), 10_000);
}

/** Limits → resources; `unmapped` names each limit that has no Kubernetes counterpart. */
export function limitsToResources(l: Limits): { resources: KubeResources; unmapped: string[] } {
  const limits: Record<string, string> = {};
  const requests: Record<string, string> = {};
  const unmapped: string[] = [];
  const mem = l.memory;
  if (typeof mem?.max === 'number') limits.memory = bytesQuantity(mem.max);
  if (typeof mem?.low === 'number' && mem.low > 0) requests.memory = bytesQuantity(mem.low);
  if (mem?.high !== undefined && mem.high !== null) unmapped.push('memory.high');
  if (mem?.swapMax !== undefined && mem.swapMax !== null) unmapped.push('memory.swap.max');
  const cpu = l.cpu;
  if (cpu?.cpus !== undefined) limits.cpu = cpuQuantity(cpu.cpus);
  else if (cpu?.quota?.quotaUs) limits.cpu = cpuQuantity(cpu.quota.quotaUs / (cpu.quota.periodUs ?? 100_000));
  if (cpu?.weight !== undefined) requests.cpu = `${weightToMillicores(cpu.weight)}m`;
  if (cpu?.cpusetCpus !== undefined || cpu?.cpusetMems !== undefined) unmapped.push('cpuset');
  if (l.pids?.max !== undefined && l.pids.max !== null) unmapped.push('pids.max');
  if (l.io?.weight !== undefined || l.io?.devices?.length) unmapped.push('io');
  if (l.devices?.rules.length) unmapped.push('devices');
  if (l.netCls) unmapped.push('net_cls.classid');
  if (l.netPrio) unmapped.push('net_prio.ifpriomap');
  const resources: KubeResources = {};
  if (Object.keys(limits).length) resources.limits = limits;
  if (Object.keys(requests).length) resources.requests = requests;
  return { resources, unmapped };
}

/** resources → Limits; `problems` names what could not be read (malformed quantities, unknown resource names). */
export function resourcesToLimits(r: KubeResources | undefined, where: string): { limits: Limits; problems: string[] } {
  const problems: string[] = [];
  const limits: Limits = {};
  const get = (kind: 'limits' | 'requests', key: string): number | null => {
    const v = r?.[kind]?.[key];
    if (v === undefined) return null;
    const n = parseQuantity(v);
    if (n === null) problems.push(`${where}.resources.${kind}.${key}: ${JSON.stringify(v)} is not a quantity, ignored`);
    return n;
  };
  for (const kind of ['limits', 'requests'] as const)
    for (const key of Object.keys(r?.[kind] ?? {}))
      if (key !== 'memory' && key !== 'cpu')
        problems.push(`${where}.resources.${kind}.${key}: not supported (only memory and cpu), ignored`);
  const memMax = get('limits', 'memory');
  const memLow = get('requests', 'memory');
  if (memMax !== null || memLow !== null)
    limits.memory = {
      ...(memMax !== null ? { max: Math.round(memMax) } : {}),
      ...(memLow !== null ? { low: Math.round(memLow) } : {}),
    };
  const cpuMax = get('limits', 'cpu');
  const cpuReq = get('requests', 'cpu');
  if (cpuMax !== null || cpuReq !== null)
    limits.cpu = {
      ...(cpuMax !== null && cpuMax > 0 ? { cpus: Math.max(0.01, cpuMax) } : {}),
      ...(cpuReq !== null ? { weight: millicoresToWeight(cpuReq * 1000) } : {}),
    };
  return { limits, problems };
}
