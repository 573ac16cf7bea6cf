/**
 * The one error shape that crosses every boundary (helper → main → renderer/CLI).
 * Kept free of Node and DOM imports: it is bundled into the helper, main,
 * preload and renderer alike.
 */

/** Stable codes. Callers branch on these, never on messages. */
export const ErrorCodes = [
  'BAD_REQUEST', // a frame that is not a request at all
  'BAD_PARAMS', // params fail the method's schema
  'BAD_RESULT', // a handler returned something its schema refuses (a bug)
  'METHOD_NOT_FOUND',
  'FRAME_TOO_LARGE',
  'PARSE_ERROR',
  'PEER_REFUSED', // SO_PEERCRED uid not allowed
  'UNAUTHORIZED', // web mode: missing or wrong token or session
  'FORBIDDEN_ORIGIN',
  'HELPER_UNAVAILABLE', // helper not running and could not be started
  'HELPER_NOT_INSTALLED', // non-root without the installed pkexec launcher
  'HELPER_AUTH_FAILED', // pkexec refused or was dismissed
  'HELPER_DISCONNECTED', // connection dropped while a call was in flight
  'NATIVE_NOT_BUILT',
  'TIMEOUT',
  'CANCELLED',
  'INTERNAL',
] as const;

export type KnownErrorCode = (typeof ErrorCodes)[number];

/** Engine modules add their own codes (TAR_PATH_ESCAPE, …); the type stays open. */
export type ErrorCode = KnownErrorCode | (string & {});

export interface ErrorShape {
  code: ErrorCode;
  message: string;
  details?: Record<string, unknown>;
}

export class BerthError extends Error implements ErrorShape {
  readonly code: ErrorCode;
  readonly details?: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'BerthError';
    this.code = code;
    if (details !== undefined) this.details = details;
  }

  toJSON(): ErrorShape {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }

  static from(shape: ErrorShape): BerthError {
    return new BerthError(shape.code, shape.message, shape.details);
  }
}

export function isErrorShape(v: unknown): v is ErrorShape {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  return (
    typeof o.code === 'string' &&
    typeof o.message === 'string' &&
    (o.details === undefined || (typeof o.details === 'object' && o.details !== null))
  );
}

/**
 * Turn anything thrown into an ErrorShape without losing what matters:
 * a BerthError keeps its code; a Node system error keeps its errno name
 * (ENOENT, EPERM, …) as the code so the kernel's answer reaches the UI.
 */
export function toErrorShape(err: unknown): ErrorShape {
  if (err instanceof BerthError) return err.toJSON();
  if (isErrorShape(err))
    return { code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) };
  if (err instanceof Error) {
    const sys = err as Error & { code?: unknown; syscall?: unknown; path?: unknown };
    if (typeof sys.code === 'string') {
      const details: Record<string, unknown> = {};
      if (typeof sys.syscall === 'string') details.syscall = sys.syscall;
      if (typeof sys.path === 'string') details.path = sys.path;
      return Object.keys(details).length
        ? { code: sys.code, message: err.message, details }
        : { code: sys.code, message: err.message };
    }
    return { code: 'INTERNAL', message: err.message };
  }
  return { code: 'INTERNAL', message: String(err) };
}
