/**
 * The one error class. Kept apart from errors.ts, which assembles the code
 * lists from the feature schemas, so a schema file may throw it without an
 * import cycle (schemas → errors → schemas).
 */
import type { ErrorCode, ErrorShape } from './errors';

export class BerthError extends Error implements ErrorShape {
  readonly code: ErrorCode;
  readonly details?: Record<string, unknown>;

  /** `code` is one of the declared codes: a code declared nowhere fails typecheck. */
  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BerthError';
    this.code = code;
    if (details !== undefined) this.details = details;
  }

  /** What crosses a line: the cause stays on this side. */
  toJSON(): ErrorShape {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }

  static from(shape: ErrorShape): BerthError {
    return new BerthError(shape.code, shape.message, shape.details);
  }
}

/** True for a BerthError, with `code` when one is given: callers tell kinds apart by code. */
export function isBerthError(err: unknown, code?: ErrorCode): err is BerthError {
  return err instanceof BerthError && (code === undefined || err.code === code);
}
