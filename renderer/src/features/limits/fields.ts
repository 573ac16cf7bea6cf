/**
 * LIMIT_FIELDS: the one place a limit is described. Each entry says which
 * kernel file it writes on each cgroup version, how the editor labels it and
 * in what unit, how the read-back becomes the input's text (`format`), how
 * that text becomes its part of the `Limits` request or an error (`parse`),
 * and which zod issue paths it owns. The model (model.ts) validates and
 * builds requests by looping over this table; the editor (FieldRow.tsx and
 * the sections) renders its rows from it. Order = the order of the editor
 * and of a request's sections.
 */
import {
  parseCpuList,
  type DeviceRule,
  type Effective,
  type EffectiveLimits,
  type Limits,
} from '../../../../preload/schemas/resources';
import { formatBytes } from '../../ui/units';
import type { Draft, FieldKey, IoRowDraft, SectionKey } from './draft';
import {
  bytesField,
  bytesOf,
  formatClassid,
  formatCpuList,
  intText,
  parseBytesField,
  parseClassid,
  parseDeviceNumber,
  parseIntOrNull,
  sameNumber,
} from './units';

/** Kernel file names (relative to the group's directory) per cgroup version; [] = not expressible there. */
export interface KernelFiles {
  v2: readonly string[];
  v1: readonly string[];
}

/** Which input family renders a field (FieldRow.tsx for the scalar ones, a table component for the rest). */
export type ControlKind =
  'bytes' | 'integer' | 'weight' | 'cpus' | 'cpuset' | 'classid' | 'ioDevices' | 'deviceRules' | 'netPrio';

/** A field's part of the request, and what is wrong with its input (both may be set, as for partly valid rows). */
export interface ParseResult {
  patch?: Limits;
  error?: string;
}

/** One read-back shown next to a control ("kernel truth"). */
export interface Truth {
  testKey: string;
  eff: Effective<unknown> | undefined;
  format?: (v: never) => string;
}

/** What the editor shows when the read-back has no entry for the field. */
export interface WhenMissing {
  /** The `unsupported[].limit` prefix whose reason applies. */
  limit: string;
  /** note: a one-line reason; row: a row with the field's label and the reason; none: nothing. */
  as: 'note' | 'row' | 'none';
  /** Shown when the read-back lists no reason (the note is then always shown). */
  fallback?: string;
}

export interface LimitField<K extends FieldKey> {
  key: K;
  section: SectionKey;
  /** The contract's name, shown next to the label (and the row's test id, `limit-<name>`). */
  name: string;
  label: string;
  files: KernelFiles;
  /** The unit the input is in. */
  unit: string;
  /** Bounds the contract enforces (the editor's min/max; the schema has the last word). */
  bounds?: { min: number; max: number };
  control: ControlKind;
  ariaLabel: string;
  placeholder?: string;
  /** Whether this group can hold the limit (the read-back has its entry); else `missing` says why not. */
  supported(eff: EffectiveLimits): boolean;
  /** The read-backs shown next to the control. */
  truths(eff: EffectiveLimits): Truth[];
  missing: WhenMissing;
  /** Read-back → what the input shows. */
  format(eff: EffectiveLimits | null): Draft[K];
  /** Compared by meaning, not text: "96" MiB = "0.09375" GiB. */
  changed(draft: Draft[K], base: Draft[K]): boolean;
  /** Input → its part of the request (only called for a changed field). */
  parse(draft: Draft[K], base: Draft[K]): ParseResult;
  /** Keys of `section` whose schema issues belong to this field; 'rest' = any key no other field claims. */
  issueKeys: readonly string[] | 'rest';
}

type Table = { [K in FieldKey]: LimitField<K> };

// ── shared shapes ──────────────────────────────────────────────────────────

const trimmedDiffers = (a: string, b: string): boolean => a.trim() !== b.trim();

const bytesChanged = (a: Draft['memMax'], b: Draft['memMax']): boolean => !sameNumber(bytesOf(a), bytesOf(b));

const BYTES = { unit: 'bytes (KiB…TiB)', control: 'bytes', bounds: { min: 0, max: Number.MAX_SAFE_INTEGER } } as const;
const WEIGHT_BOUNDS = { min: 1, max: 10_000 };
const WEIGHT_ERROR = 'a weight 1..10000';

/** A memory byte limit: memory.<key> in the request, the same key in the read-back. */
function memoryField<K extends 'memMax' | 'memHigh' | 'memLow' | 'memSwap'>(
  key: K,
  memKey: 'max' | 'high' | 'low' | 'swapMax',
  rest: Pick<LimitField<K>, 'name' | 'label' | 'files' | 'ariaLabel' | 'missing'> & {
    placeholder?: string;
    supported?: LimitField<K>['supported'];
  },
): LimitField<K> {
  return {
    key,
    section: 'memory',
    ...BYTES,
    placeholder: 'unlimited',
    supported: (eff) => eff.memory?.[memKey] !== undefined,
    ...rest,
    truths: (eff) => [{ testKey: rest.name, eff: eff.memory?.[memKey], format: formatBytes }],
    format: (eff) => bytesField(eff?.memory?.[memKey]?.value) as Draft[K],
    changed: (a, b) => bytesChanged(a, b),
    parse: (d) => {
      const p = parseBytesField(d);
      return p.ok ? { patch: { memory: { [memKey]: p.value } } } : { error: p.error };
    },
    issueKeys: [memKey],
  };
}

/** A weight 1..10000 that may not be emptied. */
function parseWeight(text: string, put: (v: number) => Limits): ParseResult {
  const p = parseIntOrNull(text, WEIGHT_ERROR);
  if (!p.ok) return { error: p.error };
  if (p.value === null) return { error: WEIGHT_ERROR };
  return { patch: put(p.value) };
}

const ioKey = (d: { major: string | number; minor: string | number }) =>
  `${String(d.major).trim()}:${String(d.minor).trim()}`;

function sameIo(a: IoRowDraft, b: IoRowDraft): boolean {
  return (
    !trimmedDiffers(a.readBps, b.readBps) &&
    !trimmedDiffers(a.writeBps, b.writeBps) &&
    !trimmedDiffers(a.readIops, b.readIops) &&
    !trimmedDiffers(a.writeIops, b.writeIops)
  );
}

type IoDevices = NonNullable<NonNullable<Limits['io']>['devices']>;

/** Changed rows are sent whole (0 or empty = no limit); a row removed from the draft lifts all its throttles. */
function parseIoDevices(draft: readonly IoRowDraft[], base: readonly IoRowDraft[]): ParseResult {
  let error: string | undefined;
  const baseByKey = new Map(base.map((d) => [ioKey(d), d]));
  const out: IoDevices = [];
  const draftKeys = new Set<string>();
  for (const d of draft) {
    const k = ioKey(d);
    draftKeys.add(k);
    const before = baseByKey.get(k);
    if (before && sameIo(d, before)) continue;
    if (!/^\d+$/.test(d.major.trim()) || !/^\d+$/.test(d.minor.trim())) {
      error = 'major:minor of a block device, e.g. 8:0 (see /proc/partitions)';
      continue;
    }
    const rates = {
      readBps: parseIntOrNull(d.readBps, 'bytes per second'),
      writeBps: parseIntOrNull(d.writeBps, 'bytes per second'),
      readIops: parseIntOrNull(d.readIops, 'IO operations per second'),
      writeIops: parseIntOrNull(d.writeIops, 'IO operations per second'),
    };
    const entry: Record<string, number | null> = { major: Number(d.major.trim()), minor: Number(d.minor.trim()) };
    for (const [rk, p] of Object.entries(rates)) {
      if (p.ok) entry[rk] = p.value === 0 ? null : p.value;
      else error = `${rk}: ${p.error}`;
    }
    out.push(entry as IoDevices[number]);
  }
  for (const [k, d] of baseByKey) {
    if (!draftKeys.has(k)) {
      out.push({
        major: Number(d.major),
        minor: Number(d.minor),
        readBps: null,
        writeBps: null,
        readIops: null,
        writeIops: null,
      });
    }
  }
  return { ...(out.length > 0 ? { patch: { io: { devices: out } } } : {}), ...(error ? { error } : {}) };
}

function parseDeviceRules(draft: Draft['deviceRules']): ParseResult {
  let error: string | undefined;
  const rules: DeviceRule[] = [];
  draft.forEach((r, i) => {
    const major = r.type === 'a' ? '*' : parseDeviceNumber(r.major);
    const minor = r.type === 'a' ? '*' : parseDeviceNumber(r.minor);
    if (Number.isNaN(major) || Number.isNaN(minor)) {
      error = `rule ${i + 1}: major and minor are numbers or *`;
      return;
    }
    rules.push({ allow: r.allow, type: r.type, major, minor, access: r.access } as DeviceRule);
  });
  return { patch: { devices: { rules } }, ...(error ? { error } : {}) };
}

function parseNetPrio(draft: Draft['netPrio'], base: Draft['netPrio']): ParseResult {
  let error: string | undefined;
  const list: { iface: string; priority: number }[] = [];
  draft.forEach((e, i) => {
    if (!trimmedDiffers(e.priority, base[i]?.priority ?? '')) return;
    const p = parseIntOrNull(e.priority, 'a priority ≥ 0');
    if (!p.ok || p.value === null) error = `${e.iface}: a priority ≥ 0`;
    else list.push({ iface: e.iface, priority: p.value });
  });
  return { patch: { netPrio: { ifPriorities: list } }, ...(error ? { error } : {}) };
}

const ruleText = (r: DeviceRule): string => {
  const what = r.type === 'a' ? `a *:* ${r.access}` : `${r.type} ${r.major}:${r.minor} ${r.access}`;
  return `${r.allow ? 'allow' : 'deny'} ${what}`;
};

// ── the table ──────────────────────────────────────────────────────────────

export const LIMIT_FIELDS: Table = {
  memMax: memoryField('memMax', 'max', {
    name: 'memory.max',
    label: 'Hard limit',
    files: { v2: ['memory.max'], v1: ['memory.limit_in_bytes'] },
    ariaLabel: 'memory.max hard limit',
    // The row stays while the memory controller is there, read back or not.
    supported: (eff) => eff.memory !== undefined,
    missing: { limit: 'memory', as: 'note', fallback: 'no memory controller for this group' },
  }),
  memHigh: memoryField('memHigh', 'high', {
    name: 'memory.high',
    label: 'Soft limit',
    files: { v2: ['memory.high'], v1: ['memory.soft_limit_in_bytes'] },
    ariaLabel: 'memory.high soft limit',
    missing: { limit: 'memory.high', as: 'none' },
  }),
  memLow: memoryField('memLow', 'low', {
    name: 'memory.low',
    label: 'Reservation',
    files: { v2: ['memory.low'], v1: [] },
    ariaLabel: 'memory.low reservation',
    placeholder: '0',
    missing: { limit: 'memory.low', as: 'row' },
  }),
  memSwap: memoryField('memSwap', 'swapMax', {
    name: 'memory.swapMax',
    label: 'Swap',
    // v1 holds memory + swap in one file; the driver writes max + swapMax.
    files: { v2: ['memory.swap.max'], v1: ['memory.memsw.limit_in_bytes'] },
    ariaLabel: 'memory.swapMax swap limit',
    missing: { limit: 'memory.swapMax', as: 'note' },
  }),
  cpuWeight: {
    key: 'cpuWeight',
    section: 'cpu',
    name: 'cpu.weight',
    label: 'Weight',
    files: { v2: ['cpu.weight'], v1: ['cpu.shares'] },
    unit: 'weight',
    bounds: WEIGHT_BOUNDS,
    control: 'weight',
    ariaLabel: 'cpu.weight',
    supported: (eff) => !!eff.cpu?.weight,
    truths: (eff) => [{ testKey: 'cpu.weight', eff: eff.cpu?.weight }],
    missing: { limit: 'cpu.weight', as: 'note' },
    format: (eff) => intText(eff?.cpu?.weight?.value),
    changed: trimmedDiffers,
    parse: (d) => parseWeight(d, (weight) => ({ cpu: { weight } })),
    issueKeys: ['weight'],
  },
  cpus: {
    key: 'cpus',
    section: 'cpu',
    name: 'cpu.cpus',
    label: 'Quota',
    files: { v2: ['cpu.max'], v1: ['cpu.cfs_quota_us', 'cpu.cfs_period_us'] },
    unit: 'CPUs',
    bounds: { min: 0.01, max: 8192 },
    control: 'cpus',
    ariaLabel: 'CPU quota in CPUs',
    placeholder: 'unlimited',
    supported: (eff) => !!eff.cpu?.quotaUs,
    truths: (eff) => [
      { testKey: 'cpu.quotaUs', eff: eff.cpu?.quotaUs },
      { testKey: 'cpu.periodUs', eff: eff.cpu?.periodUs },
    ],
    missing: { limit: 'cpu.quota', as: 'none' },
    format: (eff) => {
      const quota = eff?.cpu?.quotaUs?.value ?? null;
      const period = eff?.cpu?.periodUs?.value ?? 100_000;
      return quota === null ? '' : String(Number((quota / period).toFixed(4)));
    },
    changed: trimmedDiffers,
    parse: (d) => {
      const t = d.trim();
      if (t === '') return { patch: { cpu: { quota: { quotaUs: null } } } };
      if (!/^\d*\.?\d+$/.test(t)) return { error: 'a number of CPUs like 0.5 or 2 (empty = unlimited)' };
      return { patch: { cpu: { cpus: Number(t) } } };
    },
    issueKeys: 'rest',
  },
  cpuset: {
    key: 'cpuset',
    section: 'cpu',
    name: 'cpu.cpusetCpus',
    label: 'CPUs allowed',
    files: { v2: ['cpuset.cpus'], v1: ['cpuset.cpus'] },
    unit: 'cpu list',
    control: 'cpuset',
    ariaLabel: 'cpuset.cpus',
    supported: (eff) => !!eff.cpu?.cpusetCpus,
    truths: (eff) => [{ testKey: 'cpu.cpusetCpus', eff: eff.cpu?.cpusetCpus }],
    missing: { limit: 'cpu.cpusetCpus', as: 'note' },
    format: (eff) => (eff?.cpu?.cpusetCpus ? (parseCpuList(eff.cpu.cpusetCpus.value) ?? []) : []),
    changed: (a, b) => formatCpuList(a) !== formatCpuList(b),
    // An empty selection stays empty: the schema refuses it with its own message.
    parse: (d) => ({ patch: { cpu: { cpusetCpus: formatCpuList(d) } } }),
    issueKeys: ['cpusetCpus'],
  },
  pidsMax: {
    key: 'pidsMax',
    section: 'pids',
    name: 'pids.max',
    label: 'Max processes',
    files: { v2: ['pids.max'], v1: ['pids.max'] },
    unit: 'processes',
    bounds: { min: 0, max: 4_194_304 },
    control: 'integer',
    ariaLabel: 'pids.max',
    placeholder: 'unlimited',
    supported: (eff) => !!eff.pids?.max,
    truths: (eff) => [{ testKey: 'pids.max', eff: eff.pids?.max }],
    missing: { limit: 'pids', as: 'note', fallback: 'no pids controller for this group' },
    format: (eff) => intText(eff?.pids?.max?.value),
    changed: trimmedDiffers,
    parse: (d) => {
      const p = parseIntOrNull(d);
      return p.ok ? { patch: { pids: { max: p.value } } } : { error: p.error };
    },
    issueKeys: 'rest',
  },
  ioWeight: {
    key: 'ioWeight',
    section: 'io',
    name: 'io.weight',
    label: 'Weight',
    files: { v2: ['io.weight', 'io.bfq.weight'], v1: ['blkio.weight', 'blkio.bfq.weight'] },
    unit: 'weight',
    bounds: WEIGHT_BOUNDS,
    control: 'integer',
    ariaLabel: 'io.weight',
    supported: (eff) => !!eff.io?.weight,
    truths: (eff) => [{ testKey: 'io.weight', eff: eff.io?.weight }],
    missing: { limit: 'io.weight', as: 'row' },
    format: (eff) => intText(eff?.io?.weight?.value),
    changed: trimmedDiffers,
    parse: (d) => parseWeight(d, (weight) => ({ io: { weight } })),
    issueKeys: ['weight'],
  },
  ioDevices: {
    key: 'ioDevices',
    section: 'io',
    name: 'io.devices',
    label: 'Per-device throttles',
    files: {
      v2: ['io.max'],
      v1: [
        'blkio.throttle.read_bps_device',
        'blkio.throttle.write_bps_device',
        'blkio.throttle.read_iops_device',
        'blkio.throttle.write_iops_device',
      ],
    },
    unit: 'B/s and IO/s per device (empty or 0 = no limit)',
    control: 'ioDevices',
    ariaLabel: 'IO throttles per device',
    // With the io controller even when no device has a rule yet.
    supported: (eff) => eff.io !== undefined,
    truths: () => [],
    missing: { limit: 'io', as: 'note' },
    format: (eff) =>
      (eff?.io?.devices ?? []).map((d) => ({
        major: String(d.major),
        minor: String(d.minor),
        readBps: intText(d.readBps?.value),
        writeBps: intText(d.writeBps?.value),
        readIops: intText(d.readIops?.value),
        writeIops: intText(d.writeIops?.value),
      })),
    changed: (a, b) => a.length !== b.length || a.some((d, i) => ioKey(d) !== ioKey(b[i]!) || !sameIo(d, b[i]!)),
    parse: parseIoDevices,
    issueKeys: 'rest',
  },
  deviceRules: {
    key: 'deviceRules',
    section: 'devices',
    name: 'devices.rules',
    label: 'Rules to apply, in order',
    files: { v2: [], v1: ['devices.allow', 'devices.deny'] },
    unit: 'rules (type major:minor access)',
    control: 'deviceRules',
    ariaLabel: 'Device rules to apply',
    supported: (eff) => !!eff.devices,
    truths: (eff) => [
      { testKey: 'devices', eff: eff.devices, format: (v: DeviceRule[]) => v.map(ruleText).join('; ') },
    ],
    missing: {
      limit: 'devices',
      as: 'note',
      fallback: 'no devices controller here (cgroup v2 needs an eBPF program)',
    },
    // Rules are commands, not a state: nothing is pending until one is added.
    format: () => [],
    changed: (a) => a.length > 0,
    parse: parseDeviceRules,
    issueKeys: 'rest',
  },
  netClsClassid: {
    key: 'netClsClassid',
    section: 'netCls',
    name: 'netCls.classid',
    label: 'net_cls class',
    files: { v2: [], v1: ['net_cls.classid'] },
    unit: 'tc class handle',
    control: 'classid',
    ariaLabel: 'net_cls.classid as a tc handle',
    placeholder: '10:1',
    supported: (eff) => !!eff.netCls?.classid,
    truths: (eff) => [
      { testKey: 'netCls.classid', eff: eff.netCls?.classid, format: (v: number) => `tc class ${formatClassid(v)}` },
    ],
    missing: { limit: 'netCls', as: 'note', fallback: 'net_cls is not available for this group' },
    format: (eff) => (eff?.netCls?.classid ? formatClassid(eff.netCls.classid.value) : ''),
    changed: (a, b) => !sameNumber(parseClassid(a), parseClassid(b)),
    parse: (d) => {
      const v = parseClassid(d);
      if (v === null) return { patch: { netCls: { classid: 0 } } };
      if (Number.isNaN(v)) return { error: 'a tc class handle like 10:1, 0x00100001 or a decimal' };
      return { patch: { netCls: { classid: v } } };
    },
    issueKeys: 'rest',
  },
  netPrio: {
    key: 'netPrio',
    section: 'netPrio',
    name: 'netPrio.ifPriorities',
    label: 'net_prio priorities',
    files: { v2: [], v1: ['net_prio.ifpriomap'] },
    unit: 'priority per interface',
    control: 'netPrio',
    ariaLabel: 'net_prio priority per interface',
    supported: (eff) => !!eff.netPrio?.ifPriorities,
    truths: (eff) => [
      {
        testKey: 'netPrio',
        eff: eff.netPrio?.ifPriorities,
        format: (v: { iface: string; priority: number }[]) => v.map((e) => `${e.iface} ${e.priority}`).join(', '),
      },
    ],
    missing: { limit: 'netPrio', as: 'note', fallback: 'net_prio is not available for this group' },
    format: (eff) =>
      (eff?.netPrio?.ifPriorities?.value ?? []).map((e) => ({ iface: e.iface, priority: String(e.priority) })),
    changed: (a, b) => a.some((e, i) => trimmedDiffers(e.priority, b[i]?.priority ?? '')),
    parse: parseNetPrio,
    issueKeys: 'rest',
  },
};

export const FIELD_KEYS = Object.keys(LIMIT_FIELDS) as FieldKey[];

/** The field of a key, typed for its draft value. */
export const fieldOf = <K extends FieldKey>(key: K): LimitField<K> => LIMIT_FIELDS[key] as LimitField<K>;

/** The kernel files a field writes on this driver (hybrid: the v1 controllers hold the limits). */
export function filesFor(field: LimitField<FieldKey>, driver: EffectiveLimits['driver']): readonly string[] {
  return driver === 'v2' ? field.files.v2 : field.files.v1;
}
