/**
 * The device policy of a container, as the engine built it and as the kernel
 * holds it (`containers.devices`, and `devicePolicy` in `containers.inspect`).
 * Rules are in the order they apply; `v1` is the devices controller's
 * read-back, `v2` the BPF_PROG_TYPE_CGROUP_DEVICE program on the unified
 * group (both on a hybrid host). See main/engine/cgroups/README.md.
 */
import { z } from 'zod';
import { lazy } from './lazy';
import { method } from './define';
import { DeviceRule } from './resources';

export const DevicePolicyRule = lazy(() =>
  DeviceRule.extend({
    /** base: the leading deny-all; default: the OCI default devices; device: --device; rule: --device-cgroup-rule; limits: the limits editor; privileged. */
    source: z.enum(['base', 'default', 'device', 'rule', 'limits', 'privileged']),
    /** What the rule is for ("/dev/null", "--device /dev/fuse:/dev/fuse:rwm"). */
    note: z.string(),
  }),
);

/** A node made in the container's /dev (--device, or every host device when privileged). */
export const DeviceNode = lazy(() =>
  z.object({
    hostPath: z.string(),
    containerPath: z.string(),
    type: z.enum(['b', 'c']),
    major: z.number().int().min(0),
    minor: z.number().int().min(0),
    fileMode: z.number().int().min(0),
    uid: z.number().int().min(0),
    gid: z.number().int().min(0),
    permissions: z.string(),
  }),
);

export const DevicePolicyV1 = lazy(() =>
  z.object({
    /** The group's devices.list. */
    file: z.string(),
    /** Its content now (null: unreadable, see errors). */
    raw: z.string().nullable(),
    /** What Berth wrote, in order: `<file> <- <line>`. */
    writes: z.array(z.object({ file: z.string(), value: z.string() })),
    /** The lines devices.list should hold after those writes. */
    expected: z.array(z.string()),
    /** raw holds exactly the expected lines. */
    inForce: z.boolean(),
  }),
);

export const AttachedProgram = lazy(() =>
  z.object({
    id: z.number().int(),
    name: z.string(),
    tag: z.string(),
    insnCount: z.number().int(),
    berth: z.boolean(),
  }),
);

export const DevicePolicyV2 = lazy(() =>
  z.object({
    /** The unified (cgroup2) group the program is attached to. */
    group: z.string(),
    /** BPF_PROG_QUERY (BPF_CGROUP_DEVICE) on the group: every program attached there. */
    programs: z.array(AttachedProgram),
    /** The compiled program's tags (the kernel's hash: SHA-256 since 6.x, SHA-1 before). */
    expectedTags: z.array(z.string()),
    insnCount: z.number().int(),
    /** The program's rule table, in the order it checks (first match wins), ending with the default. */
    table: z.array(z.object({ rule: z.string().nullable(), action: z.enum(['allow', 'deny']) })),
    /** One Berth program is attached and its tag is the compiled one. */
    inForce: z.boolean(),
  }),
);

export const DevicePolicy = lazy(() =>
  z.object({
    id: z.string(),
    running: z.boolean(),
    privileged: z.boolean(),
    rules: z.array(DevicePolicyRule),
    devices: z.array(DeviceNode),
    /** null: not running, or no devices controller on this host. */
    v1: DevicePolicyV1.nullable(),
    /** null: not running, or no unified hierarchy on this host. */
    v2: DevicePolicyV2.nullable(),
    /** Read-backs that failed (the policy may still be in force). */
    errors: z.array(z.object({ where: z.string(), message: z.string() })),
  }),
);

export const deviceMethods = {
  'containers.devices': method({
    where: 'helper',
    params: lazy(() => z.object({ id: z.string().min(1).max(128) }).strict()),
    result: DevicePolicy,
    summary: 'The device policy: rules in force, v1 devices.list read-back, v2 program ids (BPF_PROG_QUERY)',
  }),
} as const;

export type DevicePolicyT = z.output<typeof DevicePolicy>;
export type DevicePolicyRuleT = z.output<typeof DevicePolicyRule>;
export type DeviceNodeT = z.output<typeof DeviceNode>;
export type DevicePolicyV1T = z.output<typeof DevicePolicyV1>;
export type DevicePolicyV2T = z.output<typeof DevicePolicyV2>;

/** Error codes of --device and --device-cgroup-rule. */
export const deviceErrorCodes = [
  'DEVICE_RULE_INVALID', // a --device-cgroup-rule that is not docker's 'TYPE MAJ:MIN ACCESS'
  'DEVICE_INVALID', // a --device that is malformed, or whose host path is missing or not a device
] as const;
