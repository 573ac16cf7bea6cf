/**
 * The one error shape that crosses every boundary (helper → main → renderer/CLI),
 * and the one closed list of codes it may carry. Each feature declares its codes
 * next to its schema (preload/schemas/<feature>.ts, `<feature>ErrorCodes`); this
 * file joins them. Kept free of Node and DOM imports: it is bundled into the
 * helper, main, preload and renderer alike.
 */
import { capabilityErrorCodes } from './schemas/capabilities';
import { containerErrorCodes } from './schemas/containers';
import { deviceErrorCodes } from './schemas/devices';
import { errnoErrorCodes, runtimeErrorCodes } from './schemas/errno';
import { imageErrorCodes } from './schemas/images';
import { namespaceErrorCodes } from './schemas/namespaces';
import { networkErrorCodes } from './schemas/networks';
import { podErrorCodes } from './schemas/pods';
import { kubeErrorCodes } from './schemas/kube';
import { registryErrorCodes } from './schemas/registry';
import { cgroupErrorCodes } from './schemas/resources';
import { sessionErrorCodes } from './schemas/sessions';
import { systemErrorCodes } from './schemas/system';
import { transportErrorCodes } from './schemas/transport';
import { uploadErrorCodes } from './schemas/uploads';
import { volumeErrorCodes } from './schemas/volumes';
import { diskErrorCodes } from './schemas/disk';
import { copyErrorCodes } from './schemas/copy';
import { commitErrorCodes } from './schemas/commit';
import { buildErrorCodes } from './schemas/build';
import { composeErrorCodes } from './schemas/compose';

import { BerthError } from './berth-error';

export { BerthError, isBerthError } from './berth-error';

/** Every list of codes, by feature. A code belongs to exactly one list (preload/errors.test.ts). */
export const errorCodeLists = {
  transport: transportErrorCodes,
  system: systemErrorCodes,
  containers: containerErrorCodes,
  capabilities: capabilityErrorCodes,
  devices: deviceErrorCodes,
  sessions: sessionErrorCodes,
  namespaces: namespaceErrorCodes,
  resources: cgroupErrorCodes,
  images: imageErrorCodes,
  registry: registryErrorCodes,
  uploads: uploadErrorCodes,
  copy: copyErrorCodes,
  commit: commitErrorCodes,
  errno: errnoErrorCodes,
  runtime: runtimeErrorCodes,
  volumes: volumeErrorCodes,
  disk: diskErrorCodes,
  networks: networkErrorCodes,
  build: buildErrorCodes,
  pods: podErrorCodes,
  kube: kubeErrorCodes,
  compose: composeErrorCodes,
} as const;

/** Stable codes, closed. Callers branch on these, never on messages. */
export type ErrorCode = (typeof errorCodeLists)[keyof typeof errorCodeLists][number];

export const ERROR_CODES: readonly ErrorCode[] = Object.values(errorCodeLists).flat();

/** `ErrorCodes.CONTAINER_NOT_FOUND` and so on: what comparisons use instead of bare strings. */
export const ErrorCodes = Object.fromEntries(ERROR_CODES.map((c) => [c, c])) as { readonly [C in ErrorCode]: C };

const declared: ReadonlySet<string> = new Set(ERROR_CODES);

export function isErrorCode(v: unknown): v is ErrorCode {
  return typeof v === 'string' && declared.has(v);
}

export interface ErrorShape {
  code: ErrorCode;
  message: string;
  details?: Record<string, unknown>;
}

export function isErrorShape(v: unknown): v is ErrorShape {
  return hasCodeAndMessage(v) && isErrorCode(v.code);
}

function hasCodeAndMessage(v: unknown): v is { code: string; message: string; details?: Record<string, unknown> } {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  return (
    typeof o.code === 'string' &&
    typeof o.message === 'string' &&
    (o.details === undefined || (typeof o.details === 'object' && o.details !== null))
  );
}

/**
 * A shape for a code that came from elsewhere (a Node system error, a peer's
 * answer): a declared code passes as it is; any other (Node's own ERR_* codes)
 * becomes INTERNAL with the original kept in details.code, so what crosses a
 * line always carries a declared code.
 */
function shapeOf(code: string, message: string, details?: Record<string, unknown>): ErrorShape {
  if (isErrorCode(code)) return details === undefined ? { code, message } : { code, message, details };
  return { code: 'INTERNAL', message, details: { ...details, code } };
}

/**
 * Turn anything thrown into an ErrorShape without losing what matters:
 * a BerthError keeps its code; a Node system error keeps its errno name
 * (ENOENT, EPERM, …) as the code so the kernel's answer reaches the UI.
 */
export function toErrorShape(err: unknown): ErrorShape {
  if (err instanceof BerthError) return err.toJSON();
  if (hasCodeAndMessage(err)) return shapeOf(err.code, err.message, err.details);
  if (err instanceof Error) {
    const sys = err as Error & { code?: unknown; syscall?: unknown; path?: unknown };
    if (typeof sys.code === 'string') {
      const details: Record<string, unknown> = {};
      if (typeof sys.syscall === 'string') details.syscall = sys.syscall;
      if (typeof sys.path === 'string') details.path = sys.path;
      return shapeOf(sys.code, err.message, Object.keys(details).length ? details : undefined);
    }
    return { code: 'INTERNAL', message: err.message };
  }
  return { code: 'INTERNAL', message: String(err) };
}
