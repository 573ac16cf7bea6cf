/**
 * v1 devices controller (Documentation/admin-guide/cgroup-v1/devices.rst).
 * Each rule is one write of "TYPE MAJ:MIN ACCESS" to devices.allow or
 * devices.deny ("c 1:3 rwm"; type "a" alone means every device), applied in
 * order as the OCI spec's linux.resources.devices are. devices.list reads back
 * the exceptions.
 *
 * Known v1 quirk, shown in the read-back note: while the group's default is
 * "allow" (a *:* rwm), devices.list prints only "a *:* rwm" and never lists the
 * deny exceptions, so a deny rule is invisible there even though it is enforced.
 */
import path from 'node:path';
import type { DeviceRule, Limits } from '../../../../preload/schemas/resources';
import { cgroupError, errMessage, sysCode } from '../errors';
import { type WriteTxn, inTxn, readTrim, writeRaw } from '../fsutil';
import { type EffPart, eff } from '../types';
import type { Controller } from '../controller';

export const FILES = { allow: 'devices.allow', deny: 'devices.deny', list: 'devices.list' } as const;

export function ruleLine(r: DeviceRule): string {
  if (r.type === 'a') return 'a';
  const access = ['r', 'w', 'm'].filter((c) => r.access.includes(c)).join('');
  return `${r.type} ${r.major}:${r.minor} ${access}`;
}

export function parseList(text: string | null): DeviceRule[] {
  const out: DeviceRule[] = [];
  for (const line of (text ?? '').split('\n')) {
    const m = /^([acb]) (\*|\d+):(\*|\d+) ([rwm]+)$/.exec(line.trim());
    if (!m) continue;
    const num = (s: string | undefined) => (s === '*' || s === undefined ? '*' : Number(s));
    out.push({ allow: true, type: m[1] as 'a' | 'c' | 'b', major: num(m[2]), minor: num(m[3]), access: m[4] ?? '' });
  }
  return out;
}

/** Put devices.list back as it was: reset to the right default, then re-allow each exception. */
export function restoreList(dir: string, listText: string): void {
  const rules = parseList(listText);
  const defaultAllow = rules.some((r) => r.type === 'a');
  if (defaultAllow) {
    writeRaw(path.join(dir, FILES.allow), 'a');
    return;
  }
  writeRaw(path.join(dir, FILES.deny), 'a');
  for (const r of rules) writeRaw(path.join(dir, FILES.allow), ruleLine(r));
}

export function apply(dir: string, limits: Limits, tx?: WriteTxn): void {
  const rules = limits.devices?.rules;
  if (!rules || rules.length === 0) return;
  inTxn(tx, (tx) => {
    const before = readTrim(path.join(dir, FILES.list)) ?? 'a *:* rwm';
    let first = true;
    for (const r of rules) {
      const file = path.join(dir, r.allow ? FILES.allow : FILES.deny);
      // One undo for the whole rule set: restore the list as it was.
      tx.write(file, ruleLine(r), first ? () => restoreList(dir, before) : null);
      first = false;
    }
  });
}

export function read(dir: string, requested?: Limits): EffPart {
  const file = path.join(dir, FILES.list);
  const raw = readTrim(file);
  if (raw === null) return {};
  const rules = parseList(raw);
  const defaultAllow = rules.some((r) => r.type === 'a');
  return {
    devices: eff(
      rules,
      file,
      raw,
      requested?.devices?.rules,
      defaultAllow
        ? 'default allow: devices.list shows only "a *:* rwm"; v1 does not list deny exceptions, they are enforced all the same'
        : 'default deny: devices.list lists the allowed devices',
    ),
  };
}

/** Limits' device rules; no counters. The container's device policy (below) goes around the table. */
export const controller: Controller = { key: 'devices', name: 'devices', files: FILES, apply, read };

// ── the container's device policy (device-policy.ts) ─────────────────────────

/** The writes that install a rule list: `a` rules reset (deny a / allow a), others add or remove. */
export function policyWrites(dir: string, rules: readonly DeviceRule[]): Array<{ file: string; value: string }> {
  return rules.map((r) => ({ file: path.join(dir, r.allow ? FILES.allow : FILES.deny), value: ruleLine(r) }));
}

/**
 * Installs a rule list from scratch, in order (the list starts with `a`:
 * deny a for a container, allow a for a privileged one). A refusal throws
 * CGROUP_DEVICE_POLICY_FAILED naming the file, line and errno; the group is
 * then left at least as strict as before the call (the start fails).
 */
export function installPolicy(dir: string, rules: readonly DeviceRule[]): Array<{ file: string; value: string }> {
  const writes = policyWrites(dir, rules);
  for (const w of writes) {
    try {
      writeRaw(w.file, w.value);
    } catch (err) {
      throw cgroupError(
        'CGROUP_DEVICE_POLICY_FAILED',
        `the kernel refused "${w.value}" for ${w.file}: ${errMessage(err)}`,
        { file: w.file, value: w.value, errno: sysCode(err) },
      );
    }
  }
  return writes;
}

const key = (r: DeviceRule) => `${r.type} ${r.major}:${r.minor}`;

/**
 * What devices.list should read after installPolicy (the kernel's v1 rules,
 * simplified to what Berth writes): an `a` rule resets the list (allow a:
 * `a *:* rwm`); an allow adds its access to the entry of the same
 * type/major/minor; a deny removes access from that exact entry only.
 */
export function expectedList(rules: readonly DeviceRule[]): string[] {
  let defaultAllow = true;
  const entries = new Map<string, DeviceRule>();
  for (const r of rules) {
    if (r.type === 'a' && r.access.length === 3) {
      defaultAllow = r.allow;
      entries.clear();
      continue;
    }
    const k = key(r);
    const cur = entries.get(k);
    // With default allow the list holds deny exceptions, which v1 never prints.
    if (r.allow !== defaultAllow) {
      const access = new Set([...(cur?.access ?? ''), ...r.access]);
      entries.set(k, { ...r, allow: true, access: ['r', 'w', 'm'].filter((c) => access.has(c)).join('') });
    } else if (cur) {
      const access = [...cur.access].filter((c) => !r.access.includes(c)).join('');
      if (access) entries.set(k, { ...cur, access });
      else entries.delete(k);
    }
  }
  if (defaultAllow) return ['a *:* rwm'];
  return [...entries.values()].map(ruleLine);
}
