/** System and app facts: the System page, `berth info`, the helper's state. */
import { z } from 'zod';
import { lazy } from './lazy';
import { method } from './define';

export const Empty = lazy(() => z.object({}).strict());

export const CgroupMode = lazy(() => z.enum(['v1', 'v2', 'hybrid']));

export const CgroupHierarchy = lazy(() =>
  z.object({
    /** 1 for a legacy controller hierarchy, 2 for the unified one. */
    version: z.union([z.literal(1), z.literal(2)]),
    mountPoint: z.string(),
    /** v1: the controllers bound to this mount (mount options); v2: cgroup.controllers. */
    controllers: z.array(z.string()),
    /** v1 named hierarchies (name=systemd) have no controller. */
    name: z.string().optional(),
  }),
);

export const NamespaceKind = lazy(() =>
  z.object({
    type: z.string(),
    /** The /proc/self/ns entry that shows the kernel offers it. */
    path: z.string(),
    available: z.boolean(),
    /** The CLONE_NEW* flag name used to create one. */
    cloneFlag: z.string(),
  }),
);

export const SystemInfo = lazy(() =>
  z.object({
    kernel: z.object({ release: z.string(), version: z.string(), machine: z.string() }),
    cgroup: z.object({
      mode: CgroupMode,
      /** statfs f_type of /sys/fs/cgroup in hex, the evidence for `mode`. */
      rootFsMagic: z.string(),
      rootFsType: z.string(),
      root: z.string(),
      unifiedMountPoint: z.string().nullable(),
      hierarchies: z.array(CgroupHierarchy),
    }),
    overlay: z.object({
      supported: z.boolean(),
      /** Where the answer came from: /proc/filesystems, or a test mount. */
      evidence: z.string(),
    }),
    namespaces: z.array(NamespaceKind),
    userNamespaces: z.object({
      unprivilegedAllowed: z.boolean(),
      /** The kernel files read to decide, with their values. */
      evidence: z.record(z.string(), z.string()),
    }),
    helper: z.object({
      pid: z.number().int(),
      uid: z.number().int(),
      ownerUid: z.number().int(),
      startedVia: z.enum(['direct', 'pkexec']),
      startedAt: z.string(),
      uptimeSeconds: z.number(),
      socketPath: z.string(),
      version: z.string(),
      node: z.string(),
    }),
    dataRoot: z.string(),
  }),
);

export const HelperState = lazy(() =>
  z.object({
    state: z.enum(['connecting', 'connected', 'disconnected']),
    pid: z.number().int().optional(),
    error: z.object({ code: z.string(), message: z.string() }).optional(),
    at: z.string(),
  }),
);

export const systemMethods = {
  'system.info': method({
    where: 'helper',
    params: Empty,
    result: SystemInfo,
    summary: 'Kernel, cgroup, overlay and namespace facts as the helper sees them',
  }),
  'system.ping': method({
    where: 'helper',
    params: lazy(() => z.object({ echo: z.string().max(4096).optional() }).strict()),
    result: lazy(() => z.object({ pong: z.literal(true), echo: z.string().optional(), helperPid: z.number().int() })),
    summary: 'Round trip to the helper',
  }),
  'app.version': method({
    where: 'main',
    params: Empty,
    result: lazy(() =>
      z.object({
        version: z.string(),
        transport: z.enum(['electron', 'web', 'cli']),
        node: z.string(),
        electron: z.string().nullable(),
      }),
    ),
    summary: 'Berth version and the transport this client uses',
  }),
  'app.helperState': method({
    where: 'main',
    params: Empty,
    result: HelperState,
    summary: "The main process's connection to the helper",
  }),
} as const;

export const systemEvents = {
  /** Main's connection to the helper changed (helper crashed, restarted…). */
  'helper.state': HelperState,
} as const;

/** Error codes of the app and its helper: starting, reaching and configuring it (the CLI's USAGE too). */
export const systemErrorCodes = [
  'HELPER_UNAVAILABLE', // helper not running and could not be started
  'HELPER_NOT_INSTALLED', // non-root without the installed pkexec launcher
  'HELPER_AUTH_FAILED', // pkexec refused or was dismissed
  'HELPER_DISCONNECTED', // connection dropped while a call was in flight
  'NATIVE_NOT_BUILT',
  'CONFIG_INVALID', // the helper's settings file fails its schema
  'CONFIG_UNREADABLE',
  'CONFIG_UNSAFE', // the settings file is writable by someone other than root
  'RUN_FILE_REFUSED', // a run-time file or its directory is not what it must be (a directory, replaced, not removable)
  'DATA_ROOT_IN_USE', // another engine holds the data root's lock
  'USAGE', // CLI: an unknown flag or a missing value
  'TEMPLATE_INVALID', // CLI: a --format template that does not parse or names an unknown field
] as const;
