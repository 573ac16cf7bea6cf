/**
 * Schema checks at the receiving side of every boundary. The same zod schema
 * that typed a message validates it on arrival; failures become BAD_PARAMS
 * with the zod issues as details, never a crash.
 */
import type { z } from 'zod';
import { BerthError } from '../../preload/errors';
import { methods, type MethodName, type ParsedParams, type Result } from '../../preload/contract';

function issues(err: z.ZodError): Array<{ path: string; message: string }> {
  return err.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
}

export function parseParams<M extends MethodName>(method: M, params: unknown): ParsedParams<M> {
  // A missing params member means "no params", as JSON-RPC allows.
  const r = methods[method].params.safeParse(params === undefined ? {} : params);
  if (!r.success) {
    throw new BerthError('BAD_PARAMS', `invalid params for ${method}: ${r.error.issues[0]?.message ?? 'rejected'}`, {
      method,
      issues: issues(r.error),
    });
  }
  return r.data as ParsedParams<M>;
}

export function parseResult<M extends MethodName>(method: M, result: unknown): Result<M> {
  const r = methods[method].result.safeParse(result);
  if (!r.success) {
    throw new BerthError('BAD_RESULT', `${method} produced a result its schema refuses`, {
      method,
      issues: issues(r.error),
    });
  }
  return r.data as Result<M>;
}
