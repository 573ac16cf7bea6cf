/**
 * Namespaces: the host's namespace inventory (every namespace a process, a
 * thread, a bind mount or an open fd keeps alive), with the kernel's own
 * relations (NS_GET_PARENT, NS_GET_USERNS, NS_GET_OWNER_UID). Browser-safe:
 * zod only, no Node imports. How each field is found: main/engine/namespaces/README.md.
 */
import { z } from 'zod';
import { lazy } from './lazy';

/** Namespace kinds, named like the files in /proc/PID/ns. */
export const NamespaceType = lazy(() => z.enum(['cgroup', 'ipc', 'mnt', 'net', 'pid', 'time', 'user', 'uts']));

/** `<type>:<inode>`, the same words `readlink /proc/PID/ns/<type>` prints without the brackets. */
export const NamespaceId = lazy(() =>
  z.string().regex(/^(cgroup|ipc|mnt|net|pid|time|user|uts):\d{1,10}$/, {
    message: 'a namespace id like "net:4026531840"',
  }),
);

const Pid = lazy(() => z.number().int().positive());

/** A process (or thread) found in a namespace. */
export const NamespaceProcess = lazy(() =>
  z.object({
    /** Thread-group id (the process), as seen in the scanner's /proc. */
    pid: Pid,
    /** Only for via 'task': the thread whose namespace differs from its leader's. */
    tid: Pid.optional(),
    /**
     * /proc/PID/status NSpid (of the thread for via 'task'): its id in each pid
     * namespace from the scanner's down to its own, e.g. [31337, 1] for the init
     * of a container. [pid] when it lives in the scanner's pid namespace.
     */
    nspid: z.array(Pid).min(1),
    /** The task's comm (what /proc/PID/comm shows; read from stat, or status Name), of the thread for via 'task'. */
    comm: z.string(),
    /**
     * 'proc': /proc/PID/ns/<type> of the process (its thread-group leader, or
     * its first live thread when the leader has called pthread_exit);
     * 'task': /proc/PID/task/TID/ns/<type> of a thread that differs from its leader;
     * 'children': /proc/PID/ns/{pid,time}_for_children when it differs from the
     * process's own pid/time namespace (the namespace its next children get).
     */
    via: z.enum(['proc', 'task', 'children']),
    /** From the ContainerLookup the scanner was given; null = not a container's. */
    container: z.string().nullable(),
  }),
);

/** Something other than a process that keeps a namespace alive. */
export const NamespaceHolder = lazy(() =>
  z.discriminatedUnion('kind', [
    z.object({
      kind: z.literal('mount'),
      /** Mount point as /proc/PID/mountinfo shows it (relative to that process's root). */
      path: z.string(),
      /** The mount namespace whose mount table has this nsfs bind mount. */
      mountNs: NamespaceId,
      /** The process whose mountinfo was read for that mount namespace. */
      pid: Pid,
    }),
    z.object({
      kind: z.literal('fd'),
      pid: Pid,
      fd: z.number().int().nonnegative(),
    }),
  ]),
);

export const Namespace = lazy(() =>
  z.object({
    id: NamespaceId,
    type: NamespaceType,
    /** nsfs inode number: the namespace's identity while it lives. */
    inode: z.number().int().nonnegative(),
    /** nsfs device (st_dev); 0 when the scan ran without the ioctls (tests on a fake /proc). */
    dev: z.number().int().nonnegative(),
    /**
     * NS_GET_USERNS: the user namespace that owns this one (for a user
     * namespace the kernel answers with its parent, so it equals `parent`).
     * null: the initial user namespace, an owner outside the scanner's scope,
     * or not known (hidden namespaces, scans without ioctls).
     */
    ownerUserNs: NamespaceId.nullable(),
    /**
     * NS_GET_PARENT, pid and user namespaces only: null for the initial one,
     * for a parent outside the scanner's scope, and for the other types.
     */
    parent: NamespaceId.nullable(),
    /** NS_GET_OWNER_UID, user namespaces only: the creator's uid, in the scanner's user namespace. */
    ownerUid: z.number().int().nonnegative().optional(),
    /** The host's initial namespace of this type (the rule is in main/engine/namespaces/README.md). */
    initial: z.boolean(),
    /**
     * Known only because another namespace names it as its parent or owner: no
     * process, thread, bind mount or fd the scan saw holds it. Its own parent
     * and owner are then unknown (null).
     */
    hidden: z.boolean(),
    /**
     * Processes by their leader (ascending pid), with threads that differ from
     * their leader (via 'task') and *_for_children users (via 'children').
     * May be cut to the first N entries for transport (processCount says how many there are).
     */
    processes: z.array(NamespaceProcess),
    /** Entries of `processes` before any cut. */
    processCount: z.number().int().nonnegative(),
    /** nsfs bind mounts and open fds that hold it (whether or not processes do too). */
    holders: z.array(NamespaceHolder),
    /** The container all of its processes belong to; null if none, several, or host processes too. */
    container: z.string().nullable(),
    /**
     * Every container with a process or thread in it (as its own namespace, not
     * via 'children'), sorted. Computed from the whole list, before any cut, so
     * it is complete even when `processes` is not.
     */
    containers: z.array(z.string()),
    /** The pod (its name) whose members share it: a namespace of the pod's holder. */
    pod: z.string().nullable().optional(),
  }),
);

/** Where `initial` came from for one type, so the UI can say how sure it is. */
export const NamespaceInitial = lazy(() =>
  z.object({
    type: NamespaceType,
    id: NamespaceId.nullable(),
    /**
     * 'static-inode': the kernel's fixed inode for its initial namespace (uapi
     * linux/nsfs.h enum init_ns_ino; net and mnt only since Linux 6.18);
     * 'init': /proc/1/ns of the initial pid namespace;
     * 'kthreadd': /proc/2/ns of the initial pid namespace (kernel threads use init_nsproxy);
     * 'scanner': the scanner's own, because it runs in the initial user namespace (a guess);
     * 'unknown': none of these applied.
     */
    source: z.enum(['static-inode', 'init', 'kthreadd', 'scanner', 'unknown']),
  }),
);

export const NamespaceScanError = lazy(() =>
  z.object({
    /** The process whose files failed; null for errors not tied to one (an ioctl on a bind mount). */
    pid: Pid.nullable(),
    /** errno name (EACCES, EPERM, …) or a Berth code. */
    code: z.string(),
    message: z.string(),
  }),
);

export const NamespaceGraph = lazy(() =>
  z.object({
    /** In scan order (type, then inode); possibly cut to a namespaceLimit (namespaceCount says how many there are). */
    namespaces: z.array(Namespace),
    /** Namespaces the scan found, before any cut by namespaceLimit. */
    namespaceCount: z.number().int().nonnegative(),
    scannedAt: z.string(),
    durationMs: z.number().nonnegative(),
    /** Where the time went: the process/thread walk, mountinfo, fd links, the ioctl batch. */
    phasesMs: z.object({
      processes: z.number().nonnegative(),
      mounts: z.number().nonnegative(),
      fds: z.number().nonnegative(),
      ioctls: z.number().nonnegative(),
    }),
    /** Processes (thread-group leaders) whose namespaces were read. */
    processCount: z.number().int().nonnegative(),
    /** Threads other than leaders whose namespaces were compared with their leader's. */
    threadCount: z.number().int().nonnegative(),
    /** The scanning process's pid in the scanned /proc; null if it is not visible there. */
    scannerPid: Pid.nullable(),
    /** One entry per type the kernel has. */
    initial: z.array(NamespaceInitial),
    /** What was looked at: holders found by mounts/fds, and whether the fd budget ran out. */
    coverage: z.object({
      threads: z.boolean(),
      mounts: z.boolean(),
      fds: z.boolean(),
      fdsRead: z.number().int().nonnegative(),
      fdLimitReached: z.boolean(),
    }),
    /** Per-process failures (EACCES on a process's ns files, …): counted, never fatal. */
    errors: z.array(NamespaceScanError),
  }),
);

/** Which side of a comparison: a process (host pid) or the host's initial namespaces. */
export const NamespaceSide = lazy(() => z.union([Pid, z.literal('host')]));

export const SharedNamespaceEntry = lazy(() =>
  z.object({
    type: NamespaceType,
    shared: z.boolean(),
    a: NamespaceId,
    b: NamespaceId,
  }),
);

/** "What do A and B share": one entry per type both sides have a namespace of. */
export const SharedNamespaces = lazy(() =>
  z.object({
    a: NamespaceSide,
    b: NamespaceSide,
    namespaces: z.array(SharedNamespaceEntry),
  }),
);

// ── params for the contract methods that serve these ─────────────────────────

/** Keep at most this many process entries per namespace in the answer (the UI's lists). */
export const NamespaceProcessLimit = lazy(() => z.number().int().min(0).max(1_000_000));

/** Keep at most this many namespaces in a graph answer (see limitNamespaces for which). */
export const NamespaceLimit = lazy(() => z.number().int().min(1).max(1_000_000));

export const NamespaceScanParams = lazy(() =>
  z
    .object({
      /** Compare every thread with its leader (default true). */
      threads: z.boolean().optional(),
      /** Read nsfs bind mounts from each mount namespace's mountinfo (default true). */
      mounts: z.boolean().optional(),
      /** Also look for namespaces held by open fds (/proc/PID/fd/*): the expensive part (default false). */
      fds: z.boolean().optional(),
      /** At most this many fd links read per scan (default 200,000). */
      fdLimit: z.number().int().min(0).max(10_000_000).optional(),
      /** Cut each namespace's process list to this many entries (processCount keeps the total; default 50). */
      processLimit: NamespaceProcessLimit.optional(),
      /** Send at most this many namespaces (namespaceCount keeps the total; default 5,000). */
      namespaceLimit: NamespaceLimit.optional(),
    })
    .strict(),
);

/** One page of one namespace's process list (the graph carries only the first processLimit). */
export const NamespaceProcessesParams = lazy(() =>
  z
    .object({
      id: NamespaceId,
      offset: z.number().int().min(0).max(10_000_000).optional(),
      /** Entries per page (default 200). */
      limit: z.number().int().min(1).max(10_000).optional(),
    })
    .strict(),
);

export const NamespaceProcessPage = lazy(() =>
  z.object({
    id: NamespaceId,
    /** All entries the namespace has (Namespace.processCount of this scan). */
    processCount: z.number().int().nonnegative(),
    offset: z.number().int().nonnegative(),
    processes: z.array(NamespaceProcess),
  }),
);

export const NamespaceSharedParams = lazy(() => z.object({ a: NamespaceSide, b: NamespaceSide }).strict());

export const NamespaceContainerParams = lazy(() =>
  z.object({ containerId: z.string().min(1).max(256), processLimit: NamespaceProcessLimit.optional() }).strict(),
);

export type NamespaceTypeT = z.output<typeof NamespaceType>;
export type NamespaceIdT = z.output<typeof NamespaceId>;
export type NamespaceProcessT = z.output<typeof NamespaceProcess>;
export type NamespaceHolderT = z.output<typeof NamespaceHolder>;
export type NamespaceT = z.output<typeof Namespace>;
export type NamespaceInitialT = z.output<typeof NamespaceInitial>;
export type NamespaceScanErrorT = z.output<typeof NamespaceScanError>;
export type NamespaceGraphT = z.output<typeof NamespaceGraph>;
export type NamespaceSideT = z.output<typeof NamespaceSide>;
export type SharedNamespaceEntryT = z.output<typeof SharedNamespaceEntry>;
export type SharedNamespacesT = z.output<typeof SharedNamespaces>;
export type NamespaceScanParamsT = z.output<typeof NamespaceScanParams>;
export type NamespaceProcessesParamsT = z.output<typeof NamespaceProcessesParams>;
export type NamespaceProcessPageT = z.output<typeof NamespaceProcessPage>;

/** Error codes of the namespace inventory. */
export const namespaceErrorCodes = ['NS_NOT_FOUND', 'NS_PROCESS_NOT_FOUND'] as const;
