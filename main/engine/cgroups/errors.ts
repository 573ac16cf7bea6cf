/**
 * Errors of the cgroup engine. The codes are declared with the resources schema
 * (preload/schemas/resources.ts cgroupErrorCodes); they travel as BerthError
 * (preload/errors.ts) so code, message and details reach the UI intact.
 */
import { BerthError } from '../../../preload/errors';
import type { cgroupErrorCodes } from '../../../preload/schemas/resources';

export type CgroupErrorCode = (typeof cgroupErrorCodes)[number];

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
