/**
 * Container paths as `berth cp` takes them, and the kernel's errors turned
 * into cp's stable codes. A path is absolute, or relative to the container's
 * working directory; a ".." component is refused (CP_PATH_INVALID) rather than
 * interpreted: the resolution inside the root would clamp it at "/", which is
 * never what a user who typed it meant.
 */
import path from 'node:path';
import { BerthError } from '../../../../preload/errors';

export interface ContainerPath {
  /** Normalized absolute path ("/" for the root). */
  full: string;
  /** Its directory ("/" for "/" itself). */
  dir: string;
  /** Its last component ("" for "/"). */
  base: string;
}

export function parseContainerPath(raw: string, workingDir = '/'): ContainerPath {
  if (raw === '' || raw.includes('\0')) {
    throw new BerthError('CP_PATH_INVALID', raw === '' ? 'an empty container path' : 'a NUL byte in a container path', {
      path: raw,
    });
  }
  if (raw.split('/').includes('..')) {
    throw new BerthError('CP_PATH_INVALID', `"${raw}": ".." is not allowed in a container path`, { path: raw });
  }
  const full = path.posix.resolve(workingDir || '/', raw);
  return { full, dir: path.posix.dirname(full), base: full === '/' ? '' : path.posix.basename(full) };
}

/** A relative tar member name split into components; "..", empty and absolute names are refused. */
export function entryParts(name: string): string[] {
  const parts = name.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..') || name.includes('\0')) {
    throw new BerthError('CP_ENTRY_INVALID', `archive member "${name}" climbs out of its directory`, { entry: name });
  }
  return parts;
}

/** The kernel's answer for a container path, as cp's stable code (unknown ones pass through). */
export function cpError(err: unknown, where: string): unknown {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return new BerthError('CP_PATH_NOT_FOUND', `${where}: no such file or directory in the container`, {
        path: where,
      });
    case 'ENOTDIR':
      return new BerthError('CP_NOT_A_DIRECTORY', `${where}: not a directory in the container`, { path: where });
    case 'ELOOP':
      return new BerthError('CP_SYMLINK_LOOP', `${where}: too many levels of symbolic links`, { path: where });
    default:
      return err;
  }
}
