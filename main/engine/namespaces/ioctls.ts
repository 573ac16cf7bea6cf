/**
 * The nsfs ioctls the scan needs, behind an interface: the real one is the
 * native addon's nsInfoMany (one N-API crossing for the whole scan); tests on
 * a fake /proc pass their own table or null.
 */
import { nsInfoMany, type NsInfoManyEntry } from '../../../native/index';

export type { NsInfo, NsInfoError, NsInfoManyEntry, NsRef } from '../../../native/index';

export interface NsIoctls {
  /**
   * For each path (a /proc/PID/ns/* link, a bind-mounted nsfs file or a
   * /proc/PID/fd/N of an nsfs fd): open, fstat, NS_GET_NSTYPE, NS_GET_USERNS,
   * NS_GET_PARENT (pid, user), NS_GET_OWNER_UID (user). A failing path gives
   * an { error } entry in its slot; the others still succeed.
   */
  nsInfoMany(paths: readonly string[]): NsInfoManyEntry[];
}

/** The addon (native/index.ts), loaded on first use. */
export const nativeNsIoctls: NsIoctls = { nsInfoMany };
