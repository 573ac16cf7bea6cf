/**
 * THE contract between the renderer (or CLI), main and the helper.
 *
 * Every invoke method and every event is declared once here with zod schemas;
 * all TypeScript types are inferred from them. Each method says where it is
 * served: `helper` methods are forwarded by main to the privileged helper,
 * which validates the params again with the same schema (the receiving side
 * always validates); `main` methods are answered by main itself.
 *
 * Both sides are typed as total maps over these names, so a method added here
 * and not implemented fails `npm run typecheck`.
 */
import { z } from 'zod';

// ── shared pieces ────────────────────────────────────────────────────────────

const Empty = z.object({}).strict();

export const CgroupMode = z.enum(['v1', 'v2', 'hybrid']);

export const CgroupHierarchy = z.object({
  /** 1 for a legacy controller hierarchy, 2 for the unified one. */
  version: z.union([z.literal(1), z.literal(2)]),
  mountPoint: z.string(),
  /** v1: the controllers bound to this mount (mount options); v2: cgroup.controllers. */
  controllers: z.array(z.string()),
  /** v1 named hierarchies (name=systemd) have no controller. */
  name: z.string().optional(),
});

export const NamespaceKind = z.object({
  type: z.string(),
  /** The /proc/self/ns entry that shows the kernel offers it. */
  path: z.string(),
  available: z.boolean(),
  /** The CLONE_NEW* flag name used to create one. */
  cloneFlag: z.string(),
});

export const SystemInfo = z.object({
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
});

export const HelperState = z.object({
  state: z.enum(['connecting', 'connected', 'disconnected']),
  pid: z.number().int().optional(),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
  at: z.string(),
});

// ── methods ──────────────────────────────────────────────────────────────────

interface MethodSpec<W extends 'main' | 'helper', P extends z.ZodType, R extends z.ZodType> {
  where: W;
  params: P;
  result: R;
  summary: string;
}

function method<W extends 'main' | 'helper', P extends z.ZodType, R extends z.ZodType>(
  spec: MethodSpec<W, P, R>,
): MethodSpec<W, P, R> {
  return spec;
}

export const methods = {
  'system.info': method({
    where: 'helper',
    params: Empty,
    result: SystemInfo,
    summary: 'Kernel, cgroup, overlay and namespace facts as the helper sees them',
  }),
  'system.ping': method({
    where: 'helper',
    params: z.object({ echo: z.string().max(4096).optional() }).strict(),
    result: z.object({ pong: z.literal(true), echo: z.string().optional(), helperPid: z.number().int() }),
    summary: 'Round trip to the helper',
  }),
  'app.version': method({
    where: 'main',
    params: Empty,
    result: z.object({
      version: z.string(),
      transport: z.enum(['electron', 'web', 'cli']),
      node: z.string(),
      electron: z.string().nullable(),
    }),
    summary: 'Berth version and the transport this client uses',
  }),
  'app.helperState': method({
    where: 'main',
    params: Empty,
    result: HelperState,
    summary: "The main process's connection to the helper",
  }),
} as const;

// ── events ───────────────────────────────────────────────────────────────────

export const events = {
  /** Main's connection to the helper changed (helper crashed, restarted…). */
  'helper.state': HelperState,
} as const;

// ── inferred types ───────────────────────────────────────────────────────────

export type Methods = typeof methods;
export type MethodName = keyof Methods;
export type Params<M extends MethodName> = z.input<Methods[M]['params']>;
export type ParsedParams<M extends MethodName> = z.output<Methods[M]['params']>;
export type Result<M extends MethodName> = z.output<Methods[M]['result']>;

export type HelperMethodName = {
  [M in MethodName]: Methods[M]['where'] extends 'helper' ? M : never;
}[MethodName];
export type MainMethodName = Exclude<MethodName, HelperMethodName>;

export type Events = typeof events;
export type EventName = keyof Events;
export type EventPayload<E extends EventName> = z.output<Events[E]>;

export type SystemInfo = z.output<typeof SystemInfo>;
export type HelperStateT = z.output<typeof HelperState>;

export const methodNames = Object.keys(methods) as MethodName[];
export const eventNames = Object.keys(events) as EventName[];

export function isMethodName(s: unknown): s is MethodName {
  return typeof s === 'string' && Object.prototype.hasOwnProperty.call(methods, s);
}
export function isEventName(s: unknown): s is EventName {
  return typeof s === 'string' && Object.prototype.hasOwnProperty.call(events, s);
}
