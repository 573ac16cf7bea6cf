/**
 * Containers: lifecycle, logs, exec, diff. The create request reads like the
 * OCI runtime spec's process/mounts/namespaces vocabulary plus docker's
 * run flags; the container record carries the kernel truth (host pid,
 * overlay dirs, cgroup and namespace paths) next to the state.
 */
import { z } from 'zod';
import { method } from './define';
import { Limits } from './resources';

export const ContainerId = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'a container id or name');

export const ContainerName = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'letters, digits, _ . - (docker rules)');

export const RestartPolicy = z.object({
  name: z.enum(['no', 'on-failure', 'always', 'unless-stopped']),
  /** on-failure only: give up after this many restarts (0 = unlimited). */
  maxRetries: z.number().int().min(0).max(1000).default(0),
});

export const VolumeMount = z.object({
  source: z.string().min(1).max(4096).startsWith('/', 'host paths must be absolute'),
  destination: z.string().min(1).max(4096).startsWith('/', 'container paths must be absolute'),
  readOnly: z.boolean().default(false),
});

export const PortBinding = z.object({
  protocol: z.enum(['tcp', 'udp']).default('tcp'),
  hostPort: z.number().int().min(1).max(65535),
  containerPort: z.number().int().min(1).max(65535),
});

export const NetworkMode = z.enum(['none', 'host', 'bridge']);

/** A capability name as docker takes it: CAP_ prefix optional, any case; ALL for every one. */
export const CapabilityName = z
  .string()
  .min(1)
  .max(64)
  .regex(/^(CAP_)?[A-Za-z_]+$/i, 'a capability name (CHOWN, CAP_NET_ADMIN, ALL)');

/** --device HOST[:CONTAINER][:rwm]: a host device node made in the container and allowed by the device policy. */
export const DeviceMapping = z.object({
  hostPath: z.string().min(1).max(4096).startsWith('/', 'host paths must be absolute'),
  containerPath: z.string().min(1).max(4096).startsWith('/', 'container paths must be absolute'),
  permissions: z
    .string()
    .regex(/^(?!.*(.).*\1)[rwm]{1,3}$/, 'a subset of rwm')
    .default('rwm'),
});

/**
 * Seccomp: the built-in default profile (Docker's semantics), none at all
 * (`--security-opt seccomp=unconfined`), or a profile in Docker's/OCI JSON
 * format given as its text (`--security-opt seccomp=FILE`: the CLI reads the
 * file as the user; paths never cross the privilege line).
 */
export const SeccompSetting = z.union([
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
]);

/**
 * What the container may do to the host. Defaults match runc/podman's default
 * container (or stricter); every relaxation is one of these explicit fields.
 */
export const SecurityOptions = z
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
  .strict();

const EnvVar = z
  .string()
  .max(128 * 1024)
  .regex(/^[^=\0]+=[^\0]*$/, 'KEY=VALUE');

export const ContainerCreate = z
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
    network: NetworkMode.default('bridge'),
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
  })
  .strict();

export const ContainerState = z.enum(['created', 'running', 'paused', 'restarting', 'exited', 'dead']);

export const ContainerSummary = z.object({
  id: z.string(),
  name: z.string(),
  image: z.string(),
  imageId: z.string(),
  command: z.array(z.string()),
  created: z.string(),
  state: ContainerState,
  /** Host pid of the container's init (pid 1 inside); null when not running. */
  pid: z.number().int().nullable(),
  exitCode: z.number().int().nullable(),
  oomKilled: z.boolean(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  restartCount: z.number().int(),
  network: z.object({
    mode: NetworkMode,
    ip: z.string().nullable(),
    ports: z.array(PortBinding),
  }),
  labels: z.record(z.string(), z.string()),
});

export const ContainerDetail = ContainerSummary.extend({
  config: ContainerCreate,
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
});

export const LogLine = z.object({
  t: z.string(),
  stream: z.enum(['stdout', 'stderr']),
  line: z.string(),
});

export const FsChange = z.object({
  kind: z.enum(['A', 'C', 'D']),
  path: z.string(),
});

const ById = z.object({ id: ContainerId }).strict();

export const containerMethods = {
  'containers.create': method({
    where: 'helper',
    params: ContainerCreate,
    result: z.object({ id: z.string(), name: z.string(), warnings: z.array(z.string()) }),
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
    params: z.object({ id: ContainerId, timeoutSec: z.number().int().min(0).max(3600).default(10) }).strict(),
    result: ContainerSummary,
    summary: 'SIGTERM, then SIGKILL after the timeout',
  }),
  'containers.kill': method({
    where: 'helper',
    params: z
      .object({
        id: ContainerId,
        signal: z.union([z.number().int().min(1).max(64), z.string().regex(/^(SIG)?[A-Z0-9+-]+$/)]).default('SIGKILL'),
      })
      .strict(),
    result: ContainerSummary,
    summary: 'Send any signal to the container init',
  }),
  'containers.restart': method({
    where: 'helper',
    params: z.object({ id: ContainerId, timeoutSec: z.number().int().min(0).max(3600).default(10) }).strict(),
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
    params: z.object({ id: ContainerId, force: z.boolean().default(false) }).strict(),
    result: z.object({ id: z.string() }),
    summary: 'Remove (refused while running unless forced)',
  }),
  'containers.rename': method({
    where: 'helper',
    params: z.object({ id: ContainerId, name: ContainerName }).strict(),
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
    params: z
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
    result: z.array(ContainerSummary),
    summary: 'Containers, running only unless all',
  }),
  'containers.logs': method({
    where: 'helper',
    params: z
      .object({
        id: ContainerId,
        /** Resume from a cursor returned earlier (follow = poll with it). */
        cursor: z.string().max(256).optional(),
        tail: z.number().int().min(0).max(100_000).optional(),
        limit: z.number().int().min(1).max(10_000).default(1000),
      })
      .strict(),
    result: z.object({ lines: z.array(LogLine), cursor: z.string(), running: z.boolean() }),
    summary: 'Log lines with timestamps and stream; follow by polling with the cursor',
  }),
  'containers.diff': method({
    where: 'helper',
    params: ById,
    result: z.array(FsChange),
    summary: 'Filesystem changes against the image (docker diff), from the overlay upper dir',
  }),
} as const;

export const containerEvents = {
  /** A container changed state (created, started, died, oom, removed…). */
  'containers.changed': z.object({
    id: z.string(),
    action: z.enum(['create', 'start', 'die', 'oom', 'stop', 'pause', 'unpause', 'restart', 'rename', 'remove']),
    state: ContainerState.nullable(),
    exitCode: z.number().int().nullable(),
    at: z.string(),
  }),
} as const;

export type ContainerCreateT = z.output<typeof ContainerCreate>;
export type ContainerSummaryT = z.output<typeof ContainerSummary>;
export type ContainerDetailT = z.output<typeof ContainerDetail>;
export type ContainerStateT = z.output<typeof ContainerState>;
export type LogLineT = z.output<typeof LogLine>;
export type FsChangeT = z.output<typeof FsChange>;
export type SecurityOptionsT = z.output<typeof SecurityOptions>;
export type DeviceMappingT = z.output<typeof DeviceMapping>;
