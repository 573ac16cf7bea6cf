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
import { type WriteTxn, inTxn, readTrim, writeRaw } from '../fsutil';
import { type EffPart, eff } from '../types';

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

/** No counters. */
export function stats(): Record<string, never> {
  return {};
}
