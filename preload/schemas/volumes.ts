/**
 * Named volumes (docker's `local` driver): a directory under the helper's
 * data root that outlives the containers mounting it, plus the mount
 * vocabulary of `--mount type=volume|bind|tmpfs` (`-v NAME:/path`). Names
 * are checked by the engine (VOLUME_NAME_INVALID), not here, so a hostile
 * name gets the volume's own code rather than a schema error.
 */
import { z } from 'zod';
import { lazy } from './lazy';
import { method } from './define';

/** docker's rule for volume names: two or more of [a-zA-Z0-9_.-], starting with a letter or digit. */
export const VOLUME_NAME_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

/** What crosses the line: any short string; the engine decides whether it is a name. */
export const VolumeRef = lazy(() => z.string().min(1).max(255));

const AbsPath = lazy(() => z.string().min(1).max(4096).startsWith('/', 'container paths must be absolute'));

/**
 * One mount of `--mount` / `-v`: a named volume (an empty source makes an
 * anonymous one at create), a host path, or a tmpfs.
 */
export const MountSpec = lazy(() =>
  z.discriminatedUnion('type', [
    z
      .object({
        type: z.literal('volume'),
        /** The volume's name; '' = anonymous (the engine names it at create). */
        source: z.string().max(255).default(''),
        target: AbsPath,
        readOnly: z.boolean().default(false),
        /** volume-nocopy: never fill the volume from the image. */
        noCopy: z.boolean().default(false),
      })
      .strict(),
    z
      .object({
        type: z.literal('bind'),
        source: z.string().min(1).max(4096).startsWith('/', 'host paths must be absolute'),
        target: AbsPath,
        readOnly: z.boolean().default(false),
      })
      .strict(),
    z
      .object({
        type: z.literal('tmpfs'),
        target: AbsPath,
        /** tmpfs-size in bytes (none: the kernel's default, half of RAM). */
        sizeBytes: z.number().int().min(4096).max(Number.MAX_SAFE_INTEGER).optional(),
        /** tmpfs-mode, octal ("1777"). */
        mode: z
          .string()
          .regex(/^[0-7]{3,4}$/, 'an octal mode like 1777')
          .optional(),
        readOnly: z.boolean().default(false),
      })
      .strict(),
  ]),
);

export const VolumeUser = lazy(() => z.object({ id: z.string(), name: z.string() }));

export const Volume = lazy(() =>
  z.object({
    name: z.string(),
    driver: z.literal('local'),
    /** The directory mounted into containers (`<dataRoot>/volumes/<name>/_data`). */
    mountpoint: z.string(),
    createdAt: z.string(),
    labels: z.record(z.string(), z.string()),
    scope: z.literal('local'),
    options: z.record(z.string(), z.string()),
    /** Made by `-v /path` or `--mount type=volume` without a source. */
    anonymous: z.boolean(),
    /** Measured bytes on disk (du: blocks, hard links once); null when not asked for. */
    sizeBytes: z.number().int().nullable(),
    /** Containers (any state) whose config mounts it: while there are any, it cannot be removed. */
    users: z.array(VolumeUser),
  }),
);

export const VolumesChanged = lazy(() =>
  z.object({
    action: z.enum(['create', 'remove']),
    names: z.array(z.string()),
  }),
);

const Labels = lazy(() => z.record(z.string().max(256), z.string().max(4096)).default({}));

export const volumeMethods = {
  'volumes.create': method({
    where: 'helper',
    params: lazy(() => z.object({ name: VolumeRef.optional(), labels: Labels }).strict()),
    result: Volume,
    summary: 'Create a named volume (a random name when none is given); an existing name is returned as it is',
  }),
  'volumes.list': method({
    where: 'helper',
    params: lazy(() => z.object({ size: z.boolean().default(false) }).strict()),
    result: lazy(() => z.array(Volume)),
    summary: 'Volumes with their users; sizes measured when asked',
  }),
  'volumes.inspect': method({
    where: 'helper',
    params: lazy(() => z.object({ name: VolumeRef, size: z.boolean().default(false) }).strict()),
    result: Volume,
    summary: 'One volume',
  }),
  'volumes.remove': method({
    where: 'helper',
    params: lazy(() => z.object({ name: VolumeRef }).strict()),
    result: lazy(() => z.object({ name: z.string() })),
    summary: 'Remove a volume and its data (refused while a container uses it)',
  }),
} as const;

export const volumeEvents = {
  'volumes.changed': VolumesChanged,
} as const;

export type MountSpecT = z.output<typeof MountSpec>;
export type VolumeT = z.output<typeof Volume>;

/** Error codes of named volumes and mounts. */
export const volumeErrorCodes = [
  'VOLUME_NOT_FOUND',
  'VOLUME_NAME_INVALID', // not [a-zA-Z0-9][a-zA-Z0-9_.-]+ (paths, `..`, one character)
  'VOLUME_IN_USE', // details.containers names its users
  'VOLUME_UNREADABLE', // its record is damaged
  'MOUNT_INVALID', // a --mount / -v the engine cannot honour (two mounts on one target, …)
] as const;
