/**
 * Pods: containers that share the net, ipc and uts namespaces (and the pid
 * namespace when asked), held by one small process of Berth's (the pod
 * holder, `berth-monitor pod-hold`) instead of an infra container, under one
 * cgroup parent that carries the pod's limits. Ports are published on the
 * pod's network namespace.
 */
import { z } from 'zod';
import { lazy } from './lazy';
import { method } from './define';
import { ContainerName, ContainerState, PortBinding } from './containers';
import { Limits } from './resources';

export const PodRef = lazy(() =>
  z
    .string()
    .min(1)
    .max(128)
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'a pod id or name'),
);

/** The namespaces a pod's members share; net, ipc and uts always (pid optional). */
export const PodShare = lazy(() => z.enum(['net', 'ipc', 'uts', 'pid']));

export const PodCreate = lazy(() =>
  z
    .object({
      name: ContainerName.optional(),
      /** net, ipc and uts are always shared (Berth's members find each other on localhost); pid is optional. */
      share: z
        .array(PodShare)
        .max(4)
        .default(['net', 'ipc', 'uts'])
        .refine((s) => ['net', 'ipc', 'uts'].every((k) => s.includes(k as never)), {
          message: 'a pod always shares net, ipc and uts (add pid to share the pid namespace)',
        }),
      /** The pod's network: a bridge address (default) or only loopback. */
      network: z.enum(['bridge', 'none']).default('bridge'),
      ports: z.array(PortBinding).max(256).default([]),
      hostname: z
        .string()
        .max(64)
        .regex(/^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/, 'a hostname')
        .optional(),
      labels: z.record(z.string().max(256), z.string().max(4096)).default({}),
      /** Limits of the pod's cgroup parent: every member's group nests under it. */
      resources: Limits.default({}),
    })
    .strict(),
);

export const PodState = lazy(() => z.enum(['created', 'running', 'degraded', 'stopped']));

export const PodMember = lazy(() =>
  z.object({
    id: z.string(),
    name: z.string(),
    image: z.string(),
    state: ContainerState,
    pid: z.number().int().nullable(),
  }),
);

export const PodSummary = lazy(() =>
  z.object({
    id: z.string(),
    name: z.string(),
    created: z.string(),
    /** running: holder up and every member running; degraded: holder up, some member not; stopped: holder down. */
    state: PodState,
    share: z.array(PodShare),
    network: z.object({ mode: z.enum(['bridge', 'none']), ip: z.string().nullable(), ports: z.array(PortBinding) }),
    /** The holder's host pid while the pod runs. */
    holderPid: z.number().int().nullable(),
    members: z.array(PodMember),
    labels: z.record(z.string(), z.string()),
  }),
);

export const PodDetail = lazy(() =>
  PodSummary.extend({
    config: PodCreate,
    hostname: z.string(),
    /** The pod's cgroup parent (relative to each hierarchy's mount), and its directories while it runs. */
    cgroupParent: z.string(),
    cgroups: z.array(z.string()),
    /** The namespace files members join (/proc/HOLDER/ns/*, the named netns), while the pod runs. */
    namespaces: z.record(z.string(), z.object({ path: z.string(), inode: z.number().int().nullable() })),
  }),
);

const ById = lazy(() => z.object({ id: PodRef }).strict());

export const podMethods = {
  'pods.create': method({
    where: 'helper',
    params: PodCreate,
    result: lazy(() => z.object({ id: z.string(), name: z.string() })),
    summary: 'Create a pod (its holder starts with the pod or its first member)',
  }),
  'pods.list': method({
    where: 'helper',
    params: lazy(() => z.object({}).strict()),
    result: lazy(() => z.array(PodSummary)),
    summary: 'Pods with their members',
  }),
  'pods.inspect': method({
    where: 'helper',
    params: ById,
    result: PodDetail,
    summary: 'A pod: config, holder, namespaces, cgroup parent and members',
  }),
  'pods.start': method({
    where: 'helper',
    params: ById,
    result: PodSummary,
    summary: 'Start the holder (namespaces, network, cgroup parent), then every member',
  }),
  'pods.stop': method({
    where: 'helper',
    params: lazy(() => z.object({ id: PodRef, timeoutSec: z.number().int().min(0).max(3600).default(10) }).strict()),
    result: PodSummary,
    summary: 'Stop every member, then the holder; the network and cgroup parent go with it',
  }),
  'pods.remove': method({
    where: 'helper',
    params: lazy(() => z.object({ id: PodRef, force: z.boolean().default(false) }).strict()),
    result: lazy(() => z.object({ id: z.string(), removedContainers: z.array(z.string()) })),
    summary: 'Remove a pod and its containers (refused while running unless forced)',
  }),
} as const;

export const podEvents = {
  /** A pod changed: created, started, stopped, removed (members announce themselves as containers). */
  'pods.changed': lazy(() =>
    z.object({
      id: z.string(),
      action: z.enum(['create', 'start', 'stop', 'remove']),
      at: z.string(),
    }),
  ),
} as const;

export type PodCreateT = z.output<typeof PodCreate>;
export type PodSummaryT = z.output<typeof PodSummary>;
export type PodDetailT = z.output<typeof PodDetail>;
export type PodStateT = z.output<typeof PodState>;
export type PodShareT = z.output<typeof PodShare>;

/** Error codes of pods. */
export const podErrorCodes = [
  'POD_NOT_FOUND',
  'POD_AMBIGUOUS', // an id prefix that matches more than one pod
  'POD_NAME_IN_USE',
  'POD_RUNNING', // rm without force while the holder or a member runs
  'POD_MEMBER_CONFLICT', // a member asked for its own network, ports or hostname (the pod's are shared)
  'POD_HOLDER_FAILED', // the holder process could not set up the namespaces
  'POD_STATE_CORRUPT', // a pod record that cannot be read
] as const;
