/**
 * Docker's device flag syntaxes, parsed the same way in the CLI (so a typo is
 * a usage error before anything is sent) and in the helper (which trusts no
 * client): `--device HOST[:CONTAINER][:rwm]` and `--device-cgroup-rule
 * 'TYPE MAJOR:MINOR ACCESS'`. No Node imports.
 */
import { BerthError } from '../../preload/errors';
import type { DeviceRule } from '../../preload/schemas/resources';

export const DEVICE_ERRORS = {
  /** A --device-cgroup-rule that is not docker's 'TYPE MAJ:MIN ACCESS'. */
  rule: 'DEVICE_RULE_INVALID',
  /** A --device that is malformed, or whose host path is missing or not a character/block device. */
  device: 'DEVICE_INVALID',
} as const;

const MAX_MAJOR = 4095; // the kernel's dev_t: 12 bits of major
const MAX_MINOR = 1_048_575; // 20 bits of minor

/** "rwm" letters in canonical order, each once. */
export function normalizeAccess(access: string): string {
  return ['r', 'w', 'm'].filter((c) => access.includes(c)).join('');
}

/**
 * `TYPE MAJOR:MINOR ACCESS`, TYPE a|b|c, numbers or `*`, ACCESS a non-empty
 * subset of rwm. `a` alone (v1's short form) is accepted too; an `a` rule
 * covers every device and all access whatever it says (v1 ignores the rest,
 * and the v2 program does the same). Throws DEVICE_RULE_INVALID naming the rule.
 */
export function parseDeviceRule(text: string, allow = true): DeviceRule {
  const t = text.trim();
  const all: DeviceRule = { allow, type: 'a', major: '*', minor: '*', access: 'rwm' };
  if (t === 'a') return all;
  const m = /^([abc])\s+(\*|\d{1,7}):(\*|\d{1,7})\s+([rwm]{1,3})$/.exec(t);
  const bad = (why: string): never => {
    throw new BerthError(DEVICE_ERRORS.rule, `invalid device cgroup rule "${text}": ${why}`, { rule: text });
  };
  if (!m) return bad("expected 'TYPE MAJOR:MINOR ACCESS' such as 'c 1:3 rwm' (TYPE a|b|c, * for any number)");
  const [, type, maj, min, acc] = m as unknown as [string, 'a' | 'b' | 'c', string, string, string];
  if (new Set(acc).size !== acc.length) bad(`access letters repeat in "${acc}"`);
  const major = maj === '*' ? '*' : Number(maj);
  const minor = min === '*' ? '*' : Number(min);
  if (major !== '*' && major > MAX_MAJOR) bad(`major ${major} is above ${MAX_MAJOR}`);
  if (minor !== '*' && minor > MAX_MINOR) bad(`minor ${minor} is above ${MAX_MINOR}`);
  if (type === 'a') return all;
  return { allow, type, major, minor, access: normalizeAccess(acc) };
}

/** docker's validDeviceMode: 1–3 of r, w, m, none twice. */
function isMode(s: string): boolean {
  return /^[rwm]{1,3}$/.test(s) && new Set(s).size === s.length;
}

/**
 * `--device HOST[:CONTAINER][:PERMISSIONS]` as docker reads it: with two
 * parts the second is the permissions when it looks like them, else the
 * container path; the container path defaults to the host path; permissions
 * default to rwm. Throws DEVICE_INVALID.
 */
export function parseDeviceFlag(text: string): { hostPath: string; containerPath: string; permissions: string } {
  const parts = text.split(':');
  const bad = (why: string): never => {
    throw new BerthError(DEVICE_ERRORS.device, `invalid --device "${text}": ${why}`, { device: text });
  };
  const hostPath = parts[0] ?? '';
  let containerPath = parts[1] ?? '';
  let permissions = parts[2] ?? 'rwm';
  if (parts.length > 3) bad('use HOST[:CONTAINER][:PERMISSIONS]');
  if (parts.length === 2 && isMode(parts[1]!)) {
    permissions = parts[1]!;
    containerPath = '';
  }
  if (!containerPath) containerPath = hostPath;
  if (!hostPath.startsWith('/')) bad('the host path must be absolute');
  if (!containerPath.startsWith('/')) bad('the container path must be absolute');
  if (!isMode(permissions)) bad(`permissions "${permissions}" must be 1–3 of r, w, m`);
  return { hostPath, containerPath, permissions };
}
