/**
 * The device policy of a container: one ordered rule list, written to the v1
 * devices controller (v1/devices.ts: `devices.deny a`, then each rule) and
 * compiled into the v2 BPF_PROG_TYPE_CGROUP_DEVICE program (v2/device-filter.ts).
 *
 *   [deny a]                       every container starts from "nothing"
 *   + DEFAULT_DEVICE_RULES         the OCI runtime-spec default devices
 *   + one allow per --device       (its permissions, plus m: see below)
 *   + --device-cgroup-rule, in order
 *   + Limits.devices.rules         (the live limits editor), in order
 *   privileged: [allow a] instead of all of the above
 *
 * Choices, against runc/docker (docs: main/engine/cgroups/README.md):
 * - No `c *:* m` / `b *:* m`. runc and docker allow mknod of every device so
 *   an image can carry device nodes it cannot open; Berth refuses mknod too,
 *   so a default container cannot create a node of a host block device at all
 *   (EPERM). `--device-cgroup-rule 'b *:* m'` gives runc's behaviour back.
 * - No /dev/net/tun (c 10:200, in docker's list) and no /dev/console (c 5:1:
 *   Berth's console is the pty, c 136:N). `--device /dev/net/tun` adds tun.
 * - A --device rule always carries m: the container's init makes the node
 *   (mknod in its /dev) after the policy is installed, as it does for the
 *   defaults. Reads and writes still follow the permissions asked for.
 */
import type { DeviceRule } from '../../../preload/schemas/resources';
import { DEVICE_ERRORS, normalizeAccess, parseDeviceRule } from '../../shared/device-syntax';

export { DEVICE_ERRORS, normalizeAccess, parseDeviceRule };

export type DeviceRuleT = DeviceRule;

/** Where a rule of the policy comes from (shown in the Limits tab). */
export type RuleSource = 'base' | 'default' | 'device' | 'rule' | 'limits' | 'privileged';

export interface PolicyRule extends DeviceRule {
  source: RuleSource;
  /** What the rule is for: "/dev/null", "--device /dev/fuse", the rule's text. */
  note: string;
}

const rule = (
  type: 'a' | 'b' | 'c',
  major: number | '*',
  minor: number | '*',
  access: string,
  allow = true,
): DeviceRule => ({ allow, type, major, minor, access });

/** The OCI runtime-spec's default devices (config-linux.md "Default Devices") plus pts. */
export const DEFAULT_DEVICE_RULES: ReadonlyArray<{ rule: DeviceRule; note: string }> = [
  { rule: rule('c', 1, 3, 'rwm'), note: '/dev/null' },
  { rule: rule('c', 1, 5, 'rwm'), note: '/dev/zero' },
  { rule: rule('c', 1, 7, 'rwm'), note: '/dev/full' },
  { rule: rule('c', 1, 8, 'rwm'), note: '/dev/random' },
  { rule: rule('c', 1, 9, 'rwm'), note: '/dev/urandom' },
  { rule: rule('c', 5, 0, 'rwm'), note: '/dev/tty' },
  { rule: rule('c', 5, 2, 'rwm'), note: '/dev/ptmx' },
  { rule: rule('c', 136, '*', 'rwm'), note: '/dev/pts/* (devpts)' },
];

export const DENY_ALL: DeviceRule = rule('a', '*', '*', 'rwm', false);
export const ALLOW_ALL: DeviceRule = rule('a', '*', '*', 'rwm', true);

/** A device the container gets a node of (--device, privileged host devices). */
export interface ResolvedDevice {
  hostPath: string;
  containerPath: string;
  type: 'b' | 'c';
  major: number;
  minor: number;
  /** Permission bits of the host node (made with the same mode in the container). */
  fileMode: number;
  uid: number;
  gid: number;
  /** rwm asked for (--device …:r); the rule also gets m (see the header). */
  permissions: string;
}

export interface PolicyInput {
  privileged: boolean;
  devices: readonly ResolvedDevice[];
  /** --device-cgroup-rule texts, docker syntax. */
  cgroupRules: readonly string[];
  /** Live rules from the limits editor (Limits.devices.rules). */
  limitRules?: readonly DeviceRule[];
}

/** The container's rule list, first rule first (see the header for the order). */
export function buildDevicePolicy(i: PolicyInput): PolicyRule[] {
  if (i.privileged) return [{ ...ALLOW_ALL, source: 'privileged', note: '--privileged: every device' }];
  const out: PolicyRule[] = [{ ...DENY_ALL, source: 'base', note: 'deny every device first' }];
  for (const d of DEFAULT_DEVICE_RULES) out.push({ ...d.rule, source: 'default', note: d.note });
  for (const d of i.devices) {
    out.push({
      ...rule(d.type, d.major, d.minor, normalizeAccess(d.permissions + 'm')),
      source: 'device',
      note: `--device ${d.hostPath}:${d.containerPath}:${d.permissions}`,
    });
  }
  for (const text of i.cgroupRules)
    out.push({ ...parseDeviceRule(text), source: 'rule', note: `--device-cgroup-rule '${text}'` });
  for (const r of i.limitRules ?? [])
    out.push({ ...r, access: normalizeAccess(r.access), source: 'limits', note: 'limits editor (devices.rules)' });
  return out;
}

/** Plain DeviceRules (what the kernel files and the compiler take). */
export function plainRules(rules: readonly PolicyRule[]): DeviceRule[] {
  return rules.map(({ allow, type, major, minor, access }) => ({ allow, type, major, minor, access }));
}

/** "c 1:3 rwm" (v1's notation, also the rule table's). */
export function ruleText(r: DeviceRule): string {
  return r.type === 'a' ? `a *:* ${r.access}` : `${r.type} ${r.major}:${r.minor} ${r.access}`;
}
