/**
 * Error codes of the cgroup engine. They travel as BerthError (preload/errors.ts)
 * so code, message and details reach the UI intact.
 */
import { BerthError } from '../../../preload/errors';

export const CgroupErrorCodes = [
  'CGROUP_UNSUPPORTED', // the host/driver cannot express a limit (details.limit, reason in message)
  'CGROUP_BAD_LIMITS', // Limits failed the schema (details.issues)
  'CGROUP_LIMIT_REFUSED', // the kernel refused a write (details.file, value, errno); previous values restored
  'CGROUP_BAD_ID', // an id or parent that is not a safe path segment
  'CGROUP_NOT_FOUND', // the group does not exist (or was removed under an open file)
  'CGROUP_CREATE_FAILED', // mkdir of a group failed (details.dir, errno)
  'CGROUP_ATTACH_FAILED', // writing a pid into cgroup.procs failed (details.file, errno)
  'CGROUP_FREEZE_TIMEOUT', // freezer did not reach FROZEN/THAWED in time
  'CGROUP_KILL_TIMEOUT', // processes still present after killAll
  'CGROUP_BUSY', // rmdir kept failing with EBUSY
  'CGROUP_READ_FAILED', // reading a control file failed with something other than ENOENT
  'CGROUP_MOUNT_FAILED', // ensureNetClsPrio could not mount the hierarchy
  'CGROUP_DEVICE_POLICY_FAILED', // installing the device policy failed (v1 write or v2 BPF load/attach; details.file, errno)
] as const;

export type CgroupErrorCode = (typeof CgroupErrorCodes)[number];

export function cgroupError(code: CgroupErrorCode, message: string, details?: Record<string, unknown>): BerthError {
  return new BerthError(code, message, details);
}

export interface SysError {
  code?: string;
  errno?: number;
  message: string;
}

export function sysCode(err: unknown): string | undefined {
  if (typeof err === 'object' && err !== null && 'code' in err) {
    const c = (err as { code?: unknown }).code;
    return typeof c === 'string' ? c : undefined;
  }
  return undefined;
}

export function errMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
