/**
 * The limits editor's model, free of React: the draft (what the inputs hold,
 * as text), the baseline it is compared with (the kernel's read-back), which
 * fields are pending, the `Limits` request built from only what changed
 * (validated with the contract's own zod schema before it is sent), and the
 * request that undoes an applied change.
 */
import {
  Limits,
  parseCpuList,
  type DeviceRule,
  type EffectiveLimits,
  type Limits as LimitsT,
} from '../../../../preload/schemas/resources';
import { byteInputText, MiB, naturalUnit, parseByteInput, type ByteUnit } from '../../ui/units';

export interface BytesField {
  text: string;
  unit: ByteUnit;
}

export interface IoRowDraft {
  major: string;
  minor: string;
  readBps: string;
  writeBps: string;
  readIops: string;
  writeIops: string;
}

export interface RuleDraft {
  allow: boolean;
  type: 'a' | 'c' | 'b';
  major: string;
  minor: string;
  access: string;
}

export interface Draft {
  memMax: BytesField;
  memHigh: BytesField;
  memLow: BytesField;
  memSwap: BytesField;
  cpuWeight: string;
  /** N CPUs; '' = no quota. */
  cpus: string;
  cpuset: readonly number[];
  pidsMax: string;
  ioWeight: string;
  ioDevices: readonly IoRowDraft[];
  /** Rules to write, in order (device rules are commands, not a state: the baseline is empty). */
  deviceRules: readonly RuleDraft[];
  netClsClassid: string;
  netPrio: readonly { iface: string; priority: string }[];
}

export type FieldKey = keyof Draft;
export type SectionKey = keyof LimitsT;

export const FIELD_SECTION: Record<FieldKey, SectionKey> = {
  memMax: 'memory',
  memHigh: 'memory',
  memLow: 'memory',
  memSwap: 'memory',
  cpuWeight: 'cpu',
  cpus: 'cpu',
  cpuset: 'cpu',
  pidsMax: 'pids',
  ioWeight: 'io',
  ioDevices: 'io',
  deviceRules: 'devices',
  netClsClassid: 'netCls',
  netPrio: 'netPrio',
};

export const FIELD_KEYS = Object.keys(FIELD_SECTION) as FieldKey[];

// ── conversions shown next to controls ─────────────────────────────────────

/** cpu.weight → the cpu.shares the v1 driver writes (main/engine/cgroups/convert.ts, runc's inverse). */
export function weightToShares(weight: number): number {
  return 2 + Math.ceil(((weight - 1) * 262_142) / 9999);
}

/** Cpus as the kernel's list syntax, ranges compressed ("0-3,5"). */
export function formatCpuList(cpus: readonly number[]): string {
  const s = [...new Set(cpus)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < s.length;) {
    let j = i;
    while (j + 1 < s.length && s[j + 1] === s[j]! + 1) j++;
    parts.push(j === i ? String(s[i]) : `${s[i]}-${s[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

/** A tc class handle "10:1" (hex major:minor), "0x00100001" or a decimal → net_cls.classid. */
export function parseClassid(text: string): number | null {
  const t = text.trim().toLowerCase();
  if (t === '') return null;
  const m = /^([0-9a-f]{1,4}):([0-9a-f]{0,4})$/.exec(t);
  if (m) return parseInt(m[1]!, 16) * 0x10000 + (m[2] ? parseInt(m[2], 16) : 0);
  if (/^0x[0-9a-f]{1,8}$/.test(t)) return parseInt(t.slice(2), 16);
  if (/^\d+$/.test(t)) return Number(t);
  return Number.NaN;
}

export function formatClassid(v: number): string {
  const major = Math.floor(v / 0x10000);
  const minor = v % 0x10000;
  return `${major.toString(16)}:${minor.toString(16)}`;
}

/**
 * The cpus the picker offers: exactly the set the kernel allows the group
 * (`cpusetCpusAllowed`, its parent's effective cpus) when the helper reads it.
 * Otherwise a guess: the group's own cpuset.cpus (read back) lists what it may
 * use; a new group inherits its parent's full set, so the union of what we
 * have seen it hold, the helper host's CPU count (from samples: cpuPercent /
 * cpuPercentOfHost) or, failing that, this browser's
 * navigator.hardwareConcurrency covers the cpus a user can pick.
 */
export function pickerCpus(opts: {
  seen: Iterable<number>;
  hostCpus: number | null;
  hardwareConcurrency?: number;
  allowed?: { list: number[]; file: string } | null;
}): {
  cpus: number[];
  source: string;
} {
  if (opts.allowed && opts.allowed.list.length > 0)
    return { cpus: [...opts.allowed.list].sort((a, b) => a - b), source: `allowed: ${opts.allowed.file}` };
  const set = new Set<number>(opts.seen);
  const n = opts.hostCpus ?? opts.hardwareConcurrency ?? 0;
  for (let i = 0; i < n; i++) set.add(i);
  const source =
    opts.hostCpus !== null
      ? `cpuset.cpus read back ∪ 0..${n - 1} (${n} online CPUs on the helper's host, from its samples)`
      : opts.hardwareConcurrency
        ? `cpuset.cpus read back ∪ 0..${n - 1} (navigator.hardwareConcurrency = ${n})`
        : 'cpuset.cpus read back';
  return { cpus: [...set].sort((a, b) => a - b), source };
}

// ── draft ↔ kernel ─────────────────────────────────────────────────────────

function bytesField(v: number | null | undefined): BytesField {
  if (v === null || v === undefined) return { text: '', unit: 'MiB' };
  const unit: ByteUnit = v % MiB === 0 ? 'MiB' : naturalUnit(v);
  return { text: byteInputText(v, unit), unit };
}

const intText = (v: number | null | undefined): string => (v === null || v === undefined ? '' : String(v));

/** What the inputs show when nothing is pending: the values the kernel holds. */
export function baselineDraft(eff: EffectiveLimits | null): Draft {
  const quota = eff?.cpu?.quotaUs?.value ?? null;
  const period = eff?.cpu?.periodUs?.value ?? 100_000;
  return {
    memMax: bytesField(eff?.memory?.max?.value),
    memHigh: bytesField(eff?.memory?.high?.value),
    memLow: bytesField(eff?.memory?.low?.value),
    memSwap: bytesField(eff?.memory?.swapMax?.value),
    cpuWeight: intText(eff?.cpu?.weight?.value),
    cpus: quota === null ? '' : String(Number((quota / period).toFixed(4))),
    cpuset: eff?.cpu?.cpusetCpus ? (parseCpuList(eff.cpu.cpusetCpus.value) ?? []) : [],
    pidsMax: intText(eff?.pids?.max?.value),
    ioWeight: intText(eff?.io?.weight?.value),
    ioDevices: (eff?.io?.devices ?? []).map((d) => ({
      major: String(d.major),
      minor: String(d.minor),
      readBps: intText(d.readBps?.value),
      writeBps: intText(d.writeBps?.value),
      readIops: intText(d.readIops?.value),
      writeIops: intText(d.writeIops?.value),
    })),
    deviceRules: [],
    netClsClassid: eff?.netCls?.classid ? formatClassid(eff.netCls.classid.value) : '',
    netPrio: (eff?.netPrio?.ifPriorities?.value ?? []).map((e) => ({ iface: e.iface, priority: String(e.priority) })),
  };
}

type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const bad = (error: string): Parsed<never> => ({ ok: false, error });

function parseBytesField(f: BytesField): Parsed<number | null> {
  const v = parseByteInput(f.text, f.unit);
  if (v !== null && Number.isNaN(v)) return bad('a number (empty = unlimited)');
  return ok(v);
}

function parseIntOrNull(text: string, what = 'a whole number'): Parsed<number | null> {
  const t = text.trim();
  if (t === '' || t === 'max') return ok(null);
  if (!/^\d+$/.test(t)) return bad(`${what} (empty = unlimited)`);
  return ok(Number(t));
}

function parseDeviceNumber(text: string): number | '*' | typeof Number.NaN {
  const t = text.trim();
  if (t === '*') return '*';
  if (/^\d+$/.test(t)) return Number(t);
  return Number.NaN;
}

function sameIo(a: IoRowDraft, b: IoRowDraft): boolean {
  const n = (s: string) => s.trim();
  return (
    n(a.readBps) === n(b.readBps) &&
    n(a.writeBps) === n(b.writeBps) &&
    n(a.readIops) === n(b.readIops) &&
    n(a.writeIops) === n(b.writeIops)
  );
}

const ioKey = (d: { major: string | number; minor: string | number }) =>
  `${String(d.major).trim()}:${String(d.minor).trim()}`;

/** Whether a field differs from the baseline (compared by meaning, not text: "96" MiB = "0.09375" GiB). */
export function fieldChanged(key: FieldKey, draft: Draft, base: Draft): boolean {
  switch (key) {
    case 'memMax':
    case 'memHigh':
    case 'memLow':
    case 'memSwap': {
      const a = parseByteInput(draft[key].text, draft[key].unit);
      const b = parseByteInput(base[key].text, base[key].unit);
      return !(a === b || (Number.isNaN(a ?? 0) && Number.isNaN(b ?? 0)));
    }
    case 'cpuset':
      return formatCpuList(draft.cpuset) !== formatCpuList(base.cpuset);
    case 'ioDevices': {
      if (draft.ioDevices.length !== base.ioDevices.length) return true;
      return draft.ioDevices.some((d, i) => ioKey(d) !== ioKey(base.ioDevices[i]!) || !sameIo(d, base.ioDevices[i]!));
    }
    case 'deviceRules':
      return draft.deviceRules.length > 0;
    case 'netPrio':
      return draft.netPrio.some((e, i) => e.priority.trim() !== (base.netPrio[i]?.priority ?? '').trim());
    case 'netClsClassid': {
      const a = parseClassid(draft.netClsClassid);
      const b = parseClassid(base.netClsClassid);
      return !(a === b || (Number.isNaN(a ?? 0) && Number.isNaN(b ?? 0)));
    }
    default:
      return String(draft[key]).trim() !== String(base[key]).trim();
  }
}

export function pendingFields(draft: Draft, base: Draft): FieldKey[] {
  return FIELD_KEYS.filter((k) => fieldChanged(k, draft, base));
}

export interface BuildResult {
  limits: LimitsT;
  /** Per field, what is wrong (local parsing or the contract's schema). */
  errors: Partial<Record<FieldKey, string>>;
  fields: FieldKey[];
  sections: SectionKey[];
}

/** Maps a zod issue path of `Limits` to the control that owns it. */
export function fieldForPath(path: readonly PropertyKey[]): FieldKey | null {
  const [s, k] = path;
  switch (s) {
    case 'memory':
      return k === 'max'
        ? 'memMax'
        : k === 'high'
          ? 'memHigh'
          : k === 'low'
            ? 'memLow'
            : k === 'swapMax'
              ? 'memSwap'
              : null;
    case 'cpu':
      return k === 'weight' ? 'cpuWeight' : k === 'cpusetCpus' ? 'cpuset' : 'cpus';
    case 'pids':
      return 'pidsMax';
    case 'io':
      return k === 'weight' ? 'ioWeight' : 'ioDevices';
    case 'devices':
      return 'deviceRules';
    case 'netCls':
      return 'netClsClassid';
    case 'netPrio':
      return 'netPrio';
    default:
      return null;
  }
}

/**
 * The request for what changed, only those fields of only those sections,
 * checked locally (the inputs' text) and then with `Limits.safeParse` (the
 * contract's schema: ranges, cpu list syntax, device access letters…).
 */
export function buildLimits(draft: Draft, base: Draft): BuildResult {
  const fields = pendingFields(draft, base);
  const errors: Partial<Record<FieldKey, string>> = {};
  const limits: LimitsT = {};
  const mem: NonNullable<LimitsT['memory']> = {};
  const cpu: NonNullable<LimitsT['cpu']> = {};
  const io: NonNullable<LimitsT['io']> = {};

  const take = <T>(key: FieldKey, p: Parsed<T>, set: (v: T) => void) => {
    if (p.ok) set(p.value);
    else errors[key] = p.error;
  };

  for (const key of fields) {
    switch (key) {
      case 'memMax':
        take(key, parseBytesField(draft.memMax), (v) => (mem.max = v));
        break;
      case 'memHigh':
        take(key, parseBytesField(draft.memHigh), (v) => (mem.high = v));
        break;
      case 'memLow':
        take(key, parseBytesField(draft.memLow), (v) => (mem.low = v));
        break;
      case 'memSwap':
        take(key, parseBytesField(draft.memSwap), (v) => (mem.swapMax = v));
        break;
      case 'cpuWeight': {
        const p = parseIntOrNull(draft.cpuWeight, 'a weight 1..10000');
        if (p.ok && p.value === null) errors[key] = 'a weight 1..10000';
        else take(key, p, (v) => (cpu.weight = v ?? undefined));
        break;
      }
      case 'cpus': {
        const t = draft.cpus.trim();
        if (t === '') cpu.quota = { quotaUs: null };
        else if (!/^\d*\.?\d+$/.test(t)) errors[key] = 'a number of CPUs like 0.5 or 2 (empty = unlimited)';
        else cpu.cpus = Number(t);
        break;
      }
      case 'cpuset':
        // An empty selection stays empty: the schema refuses it with its own message.
        cpu.cpusetCpus = formatCpuList(draft.cpuset);
        break;
      case 'pidsMax':
        take(key, parseIntOrNull(draft.pidsMax), (v) => (limits.pids = { max: v }));
        break;
      case 'ioWeight': {
        const p = parseIntOrNull(draft.ioWeight, 'a weight 1..10000');
        if (p.ok && p.value === null) errors[key] = 'a weight 1..10000';
        else take(key, p, (v) => (io.weight = v ?? undefined));
        break;
      }
      case 'ioDevices': {
        const baseByKey = new Map(base.ioDevices.map((d) => [ioKey(d), d]));
        const out: NonNullable<NonNullable<LimitsT['io']>['devices']> = [];
        const draftKeys = new Set<string>();
        for (const d of draft.ioDevices) {
          const k = ioKey(d);
          draftKeys.add(k);
          const before = baseByKey.get(k);
          if (before && sameIo(d, before)) continue;
          const major = Number(d.major.trim());
          const minor = Number(d.minor.trim());
          if (!/^\d+$/.test(d.major.trim()) || !/^\d+$/.test(d.minor.trim())) {
            errors.ioDevices = 'major:minor of a block device, e.g. 8:0 (see /proc/partitions)';
            continue;
          }
          const rates = {
            readBps: parseIntOrNull(d.readBps, 'bytes per second'),
            writeBps: parseIntOrNull(d.writeBps, 'bytes per second'),
            readIops: parseIntOrNull(d.readIops, 'IO operations per second'),
            writeIops: parseIntOrNull(d.writeIops, 'IO operations per second'),
          };
          const entry: Record<string, number | null> = { major, minor };
          for (const [rk, p] of Object.entries(rates)) {
            if (p.ok) entry[rk] = p.value === 0 ? null : p.value;
            else errors.ioDevices = `${rk}: ${p.error}`;
          }
          out.push(entry as (typeof out)[number]);
        }
        // A device row removed from the draft: lift all its throttles.
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
        if (out.length > 0) io.devices = out;
        break;
      }
      case 'deviceRules': {
        const rules: DeviceRule[] = [];
        draft.deviceRules.forEach((r, i) => {
          const major = r.type === 'a' ? '*' : parseDeviceNumber(r.major);
          const minor = r.type === 'a' ? '*' : parseDeviceNumber(r.minor);
          if (Number.isNaN(major) || Number.isNaN(minor)) {
            errors.deviceRules = `rule ${i + 1}: major and minor are numbers or *`;
            return;
          }
          rules.push({ allow: r.allow, type: r.type, major, minor, access: r.access } as DeviceRule);
        });
        limits.devices = { rules };
        break;
      }
      case 'netClsClassid': {
        const v = parseClassid(draft.netClsClassid);
        if (v === null) limits.netCls = { classid: 0 };
        else if (Number.isNaN(v)) errors[key] = 'a tc class handle like 10:1, 0x00100001 or a decimal';
        else limits.netCls = { classid: v };
        break;
      }
      case 'netPrio': {
        const list: { iface: string; priority: number }[] = [];
        draft.netPrio.forEach((e, i) => {
          if (e.priority.trim() === (base.netPrio[i]?.priority ?? '').trim()) return;
          const p = parseIntOrNull(e.priority, 'a priority ≥ 0');
          if (!p.ok || p.value === null) errors.netPrio = `${e.iface}: a priority ≥ 0`;
          else list.push({ iface: e.iface, priority: p.value });
        });
        limits.netPrio = { ifPriorities: list };
        break;
      }
    }
  }
  if (Object.keys(mem).length) limits.memory = mem;
  if (Object.keys(cpu).length) limits.cpu = cpu;
  if (Object.keys(io).length) limits.io = io;

  const parsed = Limits.safeParse(limits);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const f = fieldForPath(issue.path);
      if (f && !errors[f]) errors[f] = issue.message;
    }
  }
  const sections = [...new Set(fields.map((f) => FIELD_SECTION[f]))];
  return { limits, errors, fields, sections };
}

/**
 * The request that puts back what `sent` changed, from the read-back taken
 * before it was applied: the values in force then (for cpu.weight on v1 that
 * is the weight of the shares read back, which may not map back to the exact
 * same shares: 1024 ↔ 39 ↔ 999).
 */
export function undoFor(sent: LimitsT, before: EffectiveLimits): LimitsT {
  const out: LimitsT = {};
  if (sent.memory) {
    const m: NonNullable<LimitsT['memory']> = {};
    const b = before.memory;
    if (sent.memory.max !== undefined) m.max = b?.max?.value ?? null;
    if (sent.memory.high !== undefined) m.high = b?.high?.value ?? null;
    if (sent.memory.low !== undefined) m.low = b?.low?.value ?? 0;
    if (sent.memory.swapMax !== undefined) m.swapMax = b?.swapMax?.value ?? null;
    out.memory = m;
  }
  if (sent.cpu) {
    const c: NonNullable<LimitsT['cpu']> = {};
    const b = before.cpu;
    if (sent.cpu.weight !== undefined && b?.weight) c.weight = b.weight.requested ?? b.weight.value;
    if (sent.cpu.cpus !== undefined || sent.cpu.quota !== undefined) {
      const quota = b?.quotaUs?.value ?? null;
      c.quota = quota === null ? { quotaUs: null } : { quotaUs: quota, periodUs: b?.periodUs?.value ?? 100_000 };
    }
    if (sent.cpu.cpusetCpus !== undefined && b?.cpusetCpus) c.cpusetCpus = b.cpusetCpus.value;
    if (sent.cpu.cpusetMems !== undefined && b?.cpusetMems) c.cpusetMems = b.cpusetMems.value;
    out.cpu = c;
  }
  if (sent.pids) out.pids = { max: before.pids?.max?.value ?? null };
  if (sent.io) {
    const io: NonNullable<LimitsT['io']> = {};
    if (sent.io.weight !== undefined && before.io?.weight) io.weight = before.io.weight.value;
    if (sent.io.devices) {
      io.devices = sent.io.devices.map((d) => {
        const b = before.io?.devices.find((x) => x.major === d.major && x.minor === d.minor);
        return {
          major: d.major,
          minor: d.minor,
          readBps: b?.readBps?.value ?? null,
          writeBps: b?.writeBps?.value ?? null,
          readIops: b?.readIops?.value ?? null,
          writeIops: b?.writeIops?.value ?? null,
        };
      });
    }
    out.io = io;
  }
  if (sent.devices && before.devices) out.devices = { rules: rulesRestoring(before.devices.value) };
  if (sent.netCls) out.netCls = { classid: before.netCls?.classid?.value ?? 0 };
  if (sent.netPrio) {
    const prev = before.netPrio?.ifPriorities?.value ?? [];
    out.netPrio = {
      ifPriorities: sent.netPrio.ifPriorities.map((e) => ({
        iface: e.iface,
        priority: prev.find((p) => p.iface === e.iface)?.priority ?? 0,
      })),
    };
  }
  return out;
}

/** Rules that rebuild a devices.list as read back: default allow, or deny all then allow each listed device. */
export function rulesRestoring(list: readonly DeviceRule[]): DeviceRule[] {
  if (list.some((r) => r.type === 'a')) return [{ allow: true, type: 'a', major: '*', minor: '*', access: 'rwm' }];
  return [
    { allow: false, type: 'a', major: '*', minor: '*', access: 'rwm' },
    ...list.map((r) => ({ ...r, allow: true })),
  ];
}

/** "memory.max 96 MiB, cpu.cpus 0.5" — a one-line summary of a request (Undo's title, the applied note). */
export function describeLimits(l: LimitsT, fmtBytes: (n: number | null) => string): string {
  const parts: string[] = [];
  const m = l.memory;
  if (m?.max !== undefined) parts.push(`memory.max ${fmtBytes(m.max)}`);
  if (m?.high !== undefined) parts.push(`memory.high ${fmtBytes(m.high)}`);
  if (m?.low !== undefined) parts.push(`memory.low ${fmtBytes(m.low)}`);
  if (m?.swapMax !== undefined) parts.push(`memory.swapMax ${fmtBytes(m.swapMax)}`);
  const c = l.cpu;
  if (c?.weight !== undefined) parts.push(`cpu.weight ${c.weight}`);
  if (c?.cpus !== undefined) parts.push(`cpus ${c.cpus}`);
  if (c?.quota !== undefined) parts.push(`cpu quota ${c.quota.quotaUs === null ? 'max' : `${c.quota.quotaUs} µs`}`);
  if (c?.cpusetCpus !== undefined) parts.push(`cpuset.cpus ${c.cpusetCpus}`);
  if (l.pids) parts.push(`pids.max ${l.pids.max ?? 'max'}`);
  if (l.io?.weight !== undefined) parts.push(`io.weight ${l.io.weight}`);
  if (l.io?.devices) parts.push(`io throttles on ${l.io.devices.map((d) => `${d.major}:${d.minor}`).join(', ')}`);
  if (l.devices) parts.push(`${l.devices.rules.length} device rule(s)`);
  if (l.netCls) parts.push(`net_cls.classid ${formatClassid(l.netCls.classid)}`);
  if (l.netPrio) parts.push(`net_prio ${l.netPrio.ifPriorities.map((e) => `${e.iface}=${e.priority}`).join(', ')}`);
  return parts.join(', ');
}
