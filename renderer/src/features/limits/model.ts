/**
 * The limits editor's model, free of React: the baseline draft (the kernel's
 * read-back as input text), which fields are pending, the `Limits` request
 * built from only what changed (validated with the contract's own zod schema
 * before it is sent), and the request that undoes an applied change. Every
 * per-field step loops over LIMIT_FIELDS (fields.ts), where each limit is
 * described once.
 */
import {
  Limits,
  type DeviceRule,
  type EffectiveLimits,
  type Limits as LimitsT,
} from '../../../../preload/schemas/resources';
import type { Draft, FieldKey, SectionKey } from './draft';
import { FIELD_KEYS, fieldOf, LIMIT_FIELDS } from './fields';
import { formatClassid } from './units';

export type { BytesField, Draft, FieldKey, IoRowDraft, NetPrioDraft, RuleDraft, SectionKey } from './draft';
export { FIELD_KEYS, LIMIT_FIELDS } from './fields';
export { formatClassid, formatCpuList, parseClassid, weightToShares } from './units';

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

// ── draft ↔ kernel, field by field from LIMIT_FIELDS ──────────────────────

/** What the inputs show when nothing is pending: the values the kernel holds. */
export function baselineDraft(eff: EffectiveLimits | null): Draft {
  const draft: Partial<Record<FieldKey, unknown>> = {};
  for (const k of FIELD_KEYS) draft[k] = LIMIT_FIELDS[k].format(eff);
  return draft as Draft;
}

/** Whether a field differs from the baseline (compared by meaning, not text: "96" MiB = "0.09375" GiB). */
export function fieldChanged<K extends FieldKey>(key: K, draft: Draft, base: Draft): boolean {
  return fieldOf(key).changed(draft[key], base[key]);
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

/** Maps a zod issue path of `Limits` to the control that owns it (LIMIT_FIELDS' issueKeys). */
export function fieldForPath(path: readonly PropertyKey[]): FieldKey | null {
  const [s, k] = path;
  const inSection = FIELD_KEYS.filter((f) => LIMIT_FIELDS[f].section === s);
  const named = inSection.find((f) => {
    const keys = LIMIT_FIELDS[f].issueKeys;
    return keys !== 'rest' && typeof k === 'string' && keys.includes(k);
  });
  return named ?? inSection.find((f) => LIMIT_FIELDS[f].issueKeys === 'rest') ?? null;
}

/** Adds a field's patch to the request, section by section (fields of one section share it). */
function merge(into: LimitsT, patch: LimitsT): void {
  const target = into as Record<string, Record<string, unknown> | undefined>;
  for (const [section, part] of Object.entries(patch)) target[section] = { ...target[section], ...part };
}

/**
 * The request for what changed, only those fields of only those sections,
 * checked locally (each field's `parse`) and then with `Limits.safeParse`
 * (the contract's schema: ranges, cpu list syntax, device access letters…).
 */
export function buildLimits(draft: Draft, base: Draft): BuildResult {
  const fields = pendingFields(draft, base);
  const errors: Partial<Record<FieldKey, string>> = {};
  const limits: LimitsT = {};
  for (const key of fields) {
    const r = fieldOf(key).parse(draft[key], base[key]);
    if (r.patch) merge(limits, r.patch);
    if (r.error) errors[key] = r.error;
  }
  const parsed = Limits.safeParse(limits);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const f = fieldForPath(issue.path);
      if (f && !errors[f]) errors[f] = issue.message;
    }
  }
  const sections = [...new Set(fields.map((f) => LIMIT_FIELDS[f].section))];
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
