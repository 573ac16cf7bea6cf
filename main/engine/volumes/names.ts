/** Volume names: docker's rule, and the names Berth gives anonymous volumes. */
import { randomBytes } from 'node:crypto';
import { BerthError } from '../../../preload/errors';
import { VOLUME_NAME_PATTERN } from '../../../preload/schemas/volumes';

/** The longest name we take: a path component, with room for the record beside it. */
export const MAX_VOLUME_NAME = 128;

/**
 * A name is one path component under `<dataRoot>/volumes/`, so the rule is
 * also what keeps a name from being a path: no `/`, no leading `.` (`..`,
 * hidden files such as the lock), no NUL.
 */
export function checkVolumeName(name: string): string {
  if (name.length > MAX_VOLUME_NAME || !VOLUME_NAME_PATTERN.test(name)) {
    throw new BerthError(
      'VOLUME_NAME_INVALID',
      `invalid volume name ${JSON.stringify(name.slice(0, 200))}: use two or more of [a-zA-Z0-9_.-], starting with a letter or digit`,
      { name: name.slice(0, 200) },
    );
  }
  return name;
}

/** docker names anonymous volumes with 64 hex digits. */
export function anonymousVolumeName(): string {
  return randomBytes(32).toString('hex');
}

/** docker's label on anonymous volumes (`volume prune` without --all takes only these). */
export const ANONYMOUS_LABEL = 'com.docker.volume.anonymous';
