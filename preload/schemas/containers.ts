/**
 * Containers: lifecycle, logs, exec, diff. The create request reads like the
 * OCI runtime spec's process/mounts/namespaces vocabulary plus docker's
 * run flags; the container record carries the kernel truth (host pid,
 * overlay dirs, cgroup and namespace paths) next to the state.
 */
import { z } from 'zod';
import { lazy } from './lazy';
import { DevicePolicy } from './devices';
import { method } from './define';
import { Limits } from './resources';
import { MountSpec } from './volumes';
import { ContainerEndpoint, Ipv4, NetworkAlias, NetworkName } from './networks';

export const ContainerId = lazy(() =>
  z
    .string()
    .min(1)
    .max(128)
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'a container id or name'),
);

export const ContainerName = lazy(() =>
  z
    .string()
    .min(1)
    .max(64)
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'letters, digits, _ . - (docker rules)'),
);

export const RestartPolicy = lazy(() =>
  z.object({
    name: z.enum(['no', 'on-failure', 'always', 'unless-stopped']),
    /** on-failure only: give up after this many restarts (0 = unlimited). */
    maxRetries: z.number().int().min(0).max(1000).default(0),
  }),
);

export const VolumeMount = lazy(() =>
  z.object({
    source: z.string().min(1).max(4096).startsWith('/', 'host paths must be absolute'),
    destination: z.string().min(1).max(4096).startsWith('/', 'container paths must be absolute'),
    readOnly: z.boolean().default(false),
  }),
);

export const PortBinding = lazy(() =>
  z.object({
    protocol: z.enum(['tcp', 'udp']).default('tcp'),
    hostPort: z.number().int().min(1).max(65535),
    containerPort: z.number().int().min(1).max(65535),
  }),
);

export const NetworkMode = lazy(() => z.enum(['none', 'host', 'bridge']));

/** --network: a mode, or a user-defined network by name (preload/schemas/networks.ts). */
export const NetworkChoice = lazy(() => z.union([NetworkMode, NetworkName]));

/** A capability name as docker takes it: CAP_ prefix optional, any case; ALL for every one. */
export const CapabilityName = lazy(() =>
  z
    .string()
    .min(1)
    .max(64)
    .regex(/^(CAP_)?[A-Za-z_]+$/i, 'a capability name (CHOWN, CAP_NET_ADMIN, ALL)'),
);

/** --device HOST[:CONTAINER][:rwm]: a host device node made in the container and allowed by the device policy. */
export const DeviceMapping = lazy(() =>
  z.object({
    hostPath: z.string().min(1).max(4096).startsWith('/', 'host paths must be absolute'),
    containerPath: z.string().min(1).max(4096).startsWith('/', 'container paths must be absolute'),
    permissions: z
      .string()
      .regex(/^(?!.*(.).*\1)[rwm]{1,3}$/, 'a subset of rwm')
      .default('rwm'),
  }),
);

/**
 * Seccomp: the built-in default profile (Docker's semantics), none at all
 * (`--security-opt seccomp=unconfined`), or a profile in Docker's/OCI JSON
 * format given as its text (`--security-opt seccomp=FILE`: the CLI reads the
 * file as the user; paths never cross the privilege line).
 */
export const SeccompSetting = lazy(() =>
  z.union([
    z.literal('default'),
    z.literal('unconfined'),
    z
      .object({
        profile: z
          .string()
          .min(2)
          .max(1024 * 1024),
      })
      .strict(),
  ]),
);

/**
 * What the container may do to the host. Defaults match runc/podman's default
 * container (or stricter); every relaxation is one of these explicit fields.
 */
export const SecurityOptions = lazy(() =>
  z
    .object({
      /** --privileged: all capabilities and devices, no seccomp, no masked paths, writable /sys. */
      privileged: z.boolean().default(false),
      capAdd: z.array(CapabilityName).max(64).default([]),
      capDrop: z.array(CapabilityName).max(64).default([]),
      seccomp: SeccompSetting.default('default'),
      /** --read-only: the rootfs is mounted read-only, with tmpfs on /tmp and /run. */
      readOnlyRootfs: z.boolean().default(false),
      devices: z.array(DeviceMapping).max(256).default([]),
      /** --device-cgroup-rule 'c 1:3 rwm' (docker's syntax: type a|b|c, major:minor with * wildcards, access). */
      deviceCgroupRules: z
        .array(
          z
            .string()
            .max(64)
            .regex(/^[abc] (\*|\d+):(\*|\d+) [rwm]{1,3}$/, "a rule like 'c 1:3 rwm'"),
        )
        .max(256)
        .default([]),
    })
    .strict(),
);

const EnvVar = lazy(() =>
  z
    .string()
    .max(128 * 1024)
    .regex(/^[^=\0]+=[^\0]*$/, 'KEY=VALUE'),
);

export const ContainerCreate = lazy(() =>
  z
    .object({
      image: z.string().min(1).max(512),
      name: ContainerName.optional(),
      /** Replaces the image's Cmd (docker run IMAGE CMD…). */
      command: z
        .array(z.string().max(128 * 1024))
        .max(4096)
        .optional(),
      /** Replaces the image's Entrypoint (--entrypoint). */
      entrypoint: z
        .array(z.string().max(128 * 1024))
        .max(4096)
        .optional(),
      env: z.array(EnvVar).max(4096).default([]),
      workdir: z.string().startsWith('/').max(4096).optional(),
      /** uid[:gid] or a name from the image's /etc/passwd. */
      user: z.string().max(256).optional(),
      hostname: z
        .string()
        .max(64)
        .regex(/^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/, 'a hostname')
        .optional(),
      volumes: z.array(VolumeMount).max(256).default([]),
      /** --mount / -v NAME:/path: named and anonymous volumes, binds, tmpfs (preload/schemas/volumes.ts). */
      mounts: z.array(MountSpec).max(256).default([]),
      network: NetworkChoice.default('bridge'),
      /** --network-alias: names it answers to on its user-defined network. */
      networkAliases: z.array(NetworkAlias).max(32).default([]),
      /** --ip: a fixed address on its user-defined network. */
      ip: Ipv4.optional(),
      ports: z.array(PortBinding).max(256).default([]),
      tty: z.boolean().default(false),
      openStdin: z.boolean().default(false),
      restart: RestartPolicy.default({ name: 'no', maxRetries: 0 }),
      /** --rm: remove after it exits. */
      autoRemove: z.boolean().default(false),
      labels: z.record(z.string().max(256), z.string().max(4096)).default({}),
      /** Options the kernel gives: a user namespace (root inside maps to an unprivileged range) and a time namespace. */
      userns: z.boolean().default(false),
      timens: z.boolean().default(false),
      /** Capabilities, seccomp, devices, read-only root, privileged (docker's run flags of the same names). */
      security: SecurityOptions.default({
        privileged: false,
        capAdd: [],
        capDrop: [],
        seccomp: 'default',
        readOnlyRootfs: false,
        devices: [],
        deviceCgroupRules: [],
      }),
      /** cgroup limits at create (the same schema the live limits editor uses). */
      resources: Limits.default({}),
      /** --pod: join a pod's namespaces and nest under its cgroup parent (a name or id; stored as the pod's id). */
      pod: z.string().min(1).max(128).optional(),
    })
    .strict(),
);

/**
 * `unreadable`: the engine found the container's directory but cannot use
 * its record (empty, torn, wrong shape, …); `reason` says why. Such a
 * container can be inspected and removed, nothing else; the fields the record
 * would have given are empty or null.
 */
export const ContainerState = lazy(() =>
  z.enum(['created', 'running', 'paused', 'restarting', 'exited', 'dead', 'unreadable']),
);

export const ContainerSummary = lazy(() =>
  z.object({
    id: z.string(),
    name: z.string(),
    image: z.string(),
    imageId: z.string(),
    command: z.array(z.string()),
    created: z.string(),
    state: ContainerState,
    /** Why the record is unreadable (state `unreadable`); null otherwise. */
    reason: z.string().nullable(),
    /** Host pid of the container's init (pid 1 inside); null when not running. */
    pid: z.number().int().nullable(),
    exitCode: z.number().int().nullable(),
    oomKilled: z.boolean(),
    startedAt: z.string().nullable(),
    finishedAt: z.string().nullable(),
    restartCount: z.number().int(),
    network: z.object({
      /** null only when the record is unreadable. */
      mode: NetworkChoice.nullable(),
      ip: z.string().nullable(),
      ports: z.array(PortBinding),
      /** User-defined networks it is attached to (docker's NetworkSettings.Networks). */
      networks: z.array(ContainerEndpoint).default([]),
    }),
    labels: z.record(z.string(), z.string()),
    /** The host sources of its volumes (docker ps's Mounts). */
    mounts: z.array(z.string()).optional(),
    /** --privileged: shown as a danger badge wherever the container is listed. */
    privileged: z.boolean().default(false),
    /** The pod it belongs to (its id), or null. */
    pod: z.string().nullable().optional(),
  }),
);

/** A user-namespaced container's own host ids: container 0..size-1 ↔ host uid..uid+size-1 (gid likewise). */
export const IdRange = lazy(() =>
  z.object({
    uid: z.number().int().min(0),
    gid: z.number().int().min(0),
    size: z.number().int().min(1),
  }),
);

// ── seccomp in force (issue 10: sec-seccomp) ─────────────────────────────────
/** The seccomp profile a container runs under and the kernel's read-back. */
export const ContainerSeccomp = lazy(() =>
  z.object({
    /** default: Berth's built-in profile (Docker's semantics); custom: a given profile; unconfined: no filter. */
    profile: z.enum(['default', 'custom', 'unconfined']),
    /** Why there is no filter: --security-opt seccomp=unconfined ('option') or --privileged. */
    unconfinedBy: z.enum(['option', 'privileged']).nullable(),
    /** custom: sha256 of the profile's text, which identifies it. */
    profileSha256: z.string().nullable(),
    /** The compiled filter the running init was given: its cache key (sha256) and size in BPF instructions. */
    filter: z.object({ key: z.string(), instructions: z.number().int().nullable() }).nullable(),
    /** Read back from /proc/PID/status of the running init: Seccomp (0 none, 2 filter) and Seccomp_filters. */
    kernel: z.object({ mode: z.number().int().nullable(), filters: z.number().int().nullable() }).nullable(),
  }),
);
// ── end seccomp ──────────────────────────────────────────────────────────────

export const ContainerDetail = lazy(() =>
  ContainerSummary.extend({
    /** null only when the record is unreadable. */
    config: ContainerCreate.nullable(),
    /** Where the kernel state lives: the kernel truth next to the feature. */
    paths: z.object({
      stateDir: z.string(),
      rootfs: z.string(),
      upperDir: z.string(),
      workDir: z.string(),
      lowerDirs: z.array(z.string()),
      logPath: z.string(),
      netns: z.string().nullable(),
      cgroups: z.array(z.string()),
    }),
    monitorPid: z.number().int().nullable(),
    /** NSpid of the init process: its pid in each nested pid namespace (host first). */
    nsPids: z.array(z.number().int()),
    error: z.string().nullable(),
    /** Null for a record that cannot be read (state unreadable). */
    seccomp: ContainerSeccomp.nullable(),
    // ── device policy (sec-devices) ──
    /** The device rules in force and the kernel's read-back (as `containers.devices`). */
    devicePolicy: DevicePolicy.optional(),
    /** The capability set its processes get (bounding = permitted = effective), resolved from privileged/capAdd/capDrop. */
    capabilities: z.array(z.string()).default([]),
    /** --userns: its own range of host ids (uid_map / gid_map); null without a user namespace. */
    idRange: IdRange.nullable().default(null),
  }),
);

export const LogLine = lazy(() =>
  z.object({
    t: z.string(),
    stream: z.enum(['stdout', 'stderr']),
    line: z.string(),
  }),
);

export const FsChange = lazy(() =>
  z.object({
    kind: z.enum(['A', 'C', 'D']),
    path: z.string(),
  }),
);

const ById = lazy(() => z.object({ id: ContainerId }).strict());

export const containerMethods = {
  'containers.create': method({
    where: 'helper',
    params: ContainerCreate,
    result: lazy(() => z.object({ id: z.string(), name: z.string(), warnings: z.array(z.string()) })),
    summary: 'Create a container from an image (not started)',
  }),
  'containers.start': method({
    where: 'helper',
    params: ById,
    result: ContainerSummary,
    summary: 'Start a created or exited container',
  }),
  'containers.stop': method({
    where: 'helper',
    params: lazy(() =>
      z.object({ id: ContainerId, timeoutSec: z.number().int().min(0).max(3600).default(10) }).strict(),
    ),
    result: ContainerSummary,
    summary: 'SIGTERM, then SIGKILL after the timeout',
  }),
  'containers.kill': method({
    where: 'helper',
    params: lazy(() =>
      z
        .object({
          id: ContainerId,
          signal: z
            .union([z.number().int().min(1).max(64), z.string().regex(/^(SIG)?[A-Z0-9+-]+$/)])
            .default('SIGKILL'),
        })
        .strict(),
    ),
    result: ContainerSummary,
    summary: 'Send any signal to the container init',
  }),
  'containers.restart': method({
    where: 'helper',
    params: lazy(() =>
      z.object({ id: ContainerId, timeoutSec: z.number().int().min(0).max(3600).default(10) }).strict(),
    ),
    result: ContainerSummary,
    summary: 'Stop then start',
  }),
  'containers.pause': method({
    where: 'helper',
    params: ById,
    result: ContainerSummary,
    summary: 'Freeze every process (freezer cgroup)',
  }),
  'containers.unpause': method({
    where: 'helper',
    params: ById,
    result: ContainerSummary,
    summary: 'Thaw a paused container',
  }),
  'containers.remove': method({
    where: 'helper',
    params: lazy(() =>
      z
        .object({
          id: ContainerId,
          force: z.boolean().default(false),
          /** rm -v: remove its anonymous volumes too (named ones are kept). */
          volumes: z.boolean().default(false),
        })
        .strict(),
    ),
    result: lazy(() => z.object({ id: z.string() })),
    summary: 'Remove (refused while running unless forced); -v: with its anonymous volumes',
  }),
  'containers.rename': method({
    where: 'helper',
    params: lazy(() => z.object({ id: ContainerId, name: ContainerName }).strict()),
    result: ContainerSummary,
    summary: 'Rename a container',
  }),
  'containers.inspect': method({
    where: 'helper',
    params: ById,
    result: ContainerDetail,
    summary: 'Config and state as JSON',
  }),
  'containers.list': method({
    where: 'helper',
    params: lazy(() =>
      z
        .object({
          all: z.boolean().default(false),
          filters: z
            .object({
              state: z.array(ContainerState).optional(),
              name: z.string().max(256).optional(),
              label: z.array(z.string().max(512)).optional(),
              image: z.string().max(512).optional(),
            })
            .strict()
            .default({}),
        })
        .strict(),
    ),
    result: lazy(() => z.array(ContainerSummary)),
    summary: 'Containers, running only unless all',
  }),
  'containers.logs': method({
    where: 'helper',
    params: lazy(() =>
      z
        .object({
          id: ContainerId,
          /** Resume from a cursor returned earlier (follow = poll with it). */
          cursor: z.string().max(256).optional(),
          tail: z.number().int().min(0).max(100_000).optional(),
          limit: z.number().int().min(1).max(10_000).default(1000),
        })
        .strict(),
    ),
    result: lazy(() => z.object({ lines: z.array(LogLine), cursor: z.string(), running: z.boolean() })),
    summary: 'Log lines with timestamps and stream; follow by polling with the cursor',
  }),
  'containers.diff': method({
    where: 'helper',
    params: ById,
    result: lazy(() => z.array(FsChange)),
    summary: 'Filesystem changes against the image (docker diff), from the overlay upper dir',
  }),
  'containers.top': method({
    where: 'helper',
    params: ById,
    result: lazy(() => z.object({ id: z.string(), pids: z.array(z.number().int()) })),
    summary: "The host pids of every process in a running container's cgroup (docker top lists them with ps)",
  }),
} as const;

export const containerEvents = {
  /** A container changed state (created, started, died, oom, removed…). */
  'containers.changed': lazy(() =>
    z.object({
      id: z.string(),
      action: z.enum(['create', 'start', 'die', 'oom', 'stop', 'pause', 'unpause', 'restart', 'rename', 'remove']),
      state: ContainerState.nullable(),
      exitCode: z.number().int().nullable(),
      at: z.string(),
    }),
  ),
} as const;

export type ContainerCreateT = z.output<typeof ContainerCreate>;
export type ContainerSummaryT = z.output<typeof ContainerSummary>;
export type ContainerDetailT = z.output<typeof ContainerDetail>;
export type ContainerStateT = z.output<typeof ContainerState>;
export type LogLineT = z.output<typeof LogLine>;
export type FsChangeT = z.output<typeof FsChange>;
export type SecurityOptionsT = z.output<typeof SecurityOptions>;
export type DeviceMappingT = z.output<typeof DeviceMapping>;
export type ContainerSeccompT = z.output<typeof ContainerSeccomp>;
export type IdRangeT = z.output<typeof IdRange>;

/** Error codes of containers: lookup, lifecycle, user, network, user namespace and seccomp setup. */
export const containerErrorCodes = [
  'CONTAINER_NOT_FOUND',
  'CONTAINER_AMBIGUOUS', // an id prefix that matches more than one container
  'CONTAINER_UNREADABLE', // a damaged record: it can only be inspected or removed
  'CONTAINER_RUNNING', // the operation needs a stopped container
  'CONTAINER_NOT_RUNNING',
  'CONTAINER_NOT_PAUSED',
  'CONTAINER_START_FAILED',
  'NAME_IN_USE',
  'NO_COMMAND', // neither the request nor the image names a command
  'VOLUME_SOURCE_MISSING',
  'USER_NOT_FOUND', // --user names a user the image's /etc/passwd lacks
  'GROUP_NOT_FOUND',
  'NET_BAD_ADDRESS',
  'NET_BAD_SUBNET',
  'NET_COMMAND_FAILED', // ip / nft failed (details carry its stderr)
  'NET_EXHAUSTED', // no free address left in the subnet
  'NET_LOCKED', // another process is setting up the bridge
  'NET_STATE_CORRUPT',
  'PORT_IN_USE', // another container publishes the host port
  'USERNS_NO_SUBID_RANGE',
  'USERNS_RANGES_DAMAGED',
  'USERNS_RANGES_EXHAUSTED',
  'USERNS_RANGES_LOCKED',
  'SECCOMP_PROFILE_INVALID',
  'SECCOMP_COMPILE_FAILED',
] as const;
