/**
 * `berth cp` and the Files tab: files in and out of a container as tar
 * streams (or one file's raw bytes), in ≤ 4 MiB base64 pieces at sequential
 * offsets, like the image ingest/export. Every path is resolved inside the
 * container's root by the helper (openat2 RESOLVE_IN_ROOT): a symlink in the
 * container never leads outside it.
 *
 *   containers.cp.stat {id, path}                          → CpStat (the path itself: a symlink as a symlink)
 *   containers.cp.list {id, path}                          → {path, entries, truncated}
 *   containers.cp.readBegin {id, path, format?, name?}     → {transferId, stat, size}
 *   containers.cp.read {transferId, offset, length}        → {data, eof}
 *   containers.cp.writeBegin {id, path, archive?, rename?} → {transferId}   (path: a directory)
 *   containers.cp.write {transferId, offset, data}         → {received}
 *   containers.cp.writeEnd {transferId}                    → {entries, bytes}
 *   containers.cp.abort {transferId}                       → {}
 *   containers.cp.upload {uploadId, id, path, name}        → {entries, bytes}   (main: an upload as one file)
 *
 * Kept free of Node imports: the renderer imports these schemas.
 */
import { z } from 'zod';
import { lazy } from './lazy';
import { method } from './define';
import { ContainerId } from './containers';
import { Base64Chunk, MAX_CHUNK_BYTES, TransferId } from './images';
import { Empty } from './system';

/** A path inside the container: absolute, or relative to its working directory. */
export const ContainerFilePath = lazy(() => z.string().min(1).max(4096));

/** One path component: a name in a directory, never a path. */
export const FileName = lazy(() =>
  z
    .string()
    .min(1)
    .max(255)
    .refine((s) => !s.includes('/') && !s.includes('\0') && s !== '.' && s !== '..', 'expected a file name'),
);

export const CpStat = lazy(() =>
  z.object({
    name: z.string(),
    type: z.enum(['file', 'dir', 'symlink', 'char', 'block', 'fifo', 'socket']),
    size: z.number().int().nonnegative(),
    mode: z.number().int().min(0).max(0o7777),
    uid: z.number().int().nonnegative(),
    gid: z.number().int().nonnegative(),
    mtime: z.number().int(),
    linkTarget: z.string().nullable(),
  }),
);

/** Directory listings stop here (the Files tab shows a page of names, not a whole tree). */
export const MAX_LIST_ENTRIES = 5000;

const CopyResult = lazy(() =>
  z.object({ entries: z.number().int().nonnegative(), bytes: z.number().int().nonnegative() }),
);

export const copyMethods = {
  'containers.cp.stat': method({
    where: 'helper',
    params: lazy(() => z.object({ id: ContainerId, path: ContainerFilePath }).strict()),
    result: CpStat,
    summary: 'What is at a container path (lstat: a symlink as itself), running or stopped',
  }),
  'containers.cp.list': method({
    where: 'helper',
    params: lazy(() => z.object({ id: ContainerId, path: ContainerFilePath }).strict()),
    result: lazy(() => z.object({ path: z.string(), entries: z.array(CpStat), truncated: z.boolean() })),
    summary: `A container directory's entries, sorted, at most ${MAX_LIST_ENTRIES}`,
  }),
  'containers.cp.readBegin': method({
    where: 'helper',
    params: lazy(() =>
      z
        .object({
          id: ContainerId,
          path: ContainerFilePath,
          /** tar (default): the path and everything below it; raw: one regular file's bytes. */
          format: z.enum(['tar', 'raw']).optional(),
          /** The top member's name in the tar (default: the path's last component). */
          name: FileName.optional(),
        })
        .strict(),
    ),
    result: lazy(() =>
      z.object({ transferId: TransferId, stat: CpStat, size: z.number().int().nonnegative().nullable() }),
    ),
    summary: 'Start streaming a container path out (tar, or raw for one file); size is known for raw',
  }),
  'containers.cp.read': method({
    where: 'helper',
    params: lazy(() =>
      z
        .object({
          transferId: TransferId,
          offset: z.number().int().nonnegative(),
          length: z.number().int().min(1).max(MAX_CHUNK_BYTES),
        })
        .strict(),
    ),
    result: lazy(() => z.object({ data: z.string(), eof: z.boolean() })),
    summary: 'The next ≤ 4 MiB of a copy out (base64; offsets sequential); eof ends it',
  }),
  'containers.cp.writeBegin': method({
    where: 'helper',
    params: lazy(() =>
      z
        .object({
          id: ContainerId,
          /** The directory the tar is extracted into. */
          path: ContainerFilePath,
          /** Keep the archive's uid/gid (docker cp -a); default: the container's root owns what is written. */
          archive: z.boolean().optional(),
          /** The tar's top member is written under another name (cp FILE ctr:/dir/NEWNAME). */
          rename: z.object({ from: FileName, to: FileName }).strict().optional(),
        })
        .strict(),
    ),
    result: lazy(() => z.object({ transferId: TransferId })),
    summary: 'Start streaming a tar into a container directory',
  }),
  'containers.cp.write': method({
    where: 'helper',
    params: lazy(() =>
      z.object({ transferId: TransferId, offset: z.number().int().nonnegative(), data: Base64Chunk }).strict(),
    ),
    result: lazy(() => z.object({ received: z.number().int().nonnegative() })),
    summary: 'The next ≤ 4 MiB of a copy in (base64; answered once the extractor took it)',
  }),
  'containers.cp.writeEnd': method({
    where: 'helper',
    params: lazy(() => z.object({ transferId: TransferId }).strict()),
    result: CopyResult,
    summary: 'End a copy in: waits for the last member to be written',
  }),
  'containers.cp.abort': method({
    where: 'helper',
    params: lazy(() => z.object({ transferId: TransferId }).strict()),
    result: Empty,
    summary: 'Drop a copy in either direction (what was written stays)',
  }),
  'containers.cp.upload': method({
    where: 'main',
    params: lazy(() =>
      z.object({ uploadId: TransferId, id: ContainerId, path: ContainerFilePath, name: FileName }).strict(),
    ),
    result: CopyResult,
    summary: 'Write a finished upload (uploads.*) as one file NAME into a container directory; consumes the upload',
  }),
} as const;

export type CpStatT = z.output<typeof CpStat>;

/** Error codes of cp. */
export const copyErrorCodes = [
  'CP_PATH_INVALID', // empty, NUL, or a ".." component in a container path
  'CP_PATH_NOT_FOUND',
  'CP_NOT_A_DIRECTORY', // a component, or the destination, is not a directory
  'CP_NOT_A_FILE', // raw read of something that is not a regular file; a socket
  'CP_SYMLINK_LOOP',
  'CP_ENTRY_INVALID', // an archive member that climbs out of its directory
  'CP_TYPE_CONFLICT', // a directory would be replaced by a non-directory
  'CP_TRANSFER_NOT_FOUND',
  'CP_TRANSFER_OFFSET',
  'CP_TRANSFER_LIMIT',
] as const;
