/**
 * The helper's side of the contract: every `where: 'helper'` method, typed as
 * a total map so a contract change that is not followed fails typecheck.
 */
import { BerthError } from '../../preload/errors';
import {
  isMethodName,
  methods,
  type HelperMethodName,
  type MethodName,
  type ParsedParams,
  type Result,
} from '../../preload/contract';
import { parseParams, parseResult } from '../api/validate';
import { systemInfo, type HelperFacts } from '../engine/system/info';
import type { RpcConnection } from './rpc-server';

export interface HelperContext {
  conn: RpcConnection;
}

export type HelperHandlers = {
  [M in HelperMethodName]: (params: ParsedParams<M>, ctx: HelperContext) => Promise<Result<M>>;
};

export function helperHandlers(facts: HelperFacts): HelperHandlers {
  return {
    'system.info': async () => systemInfo(facts),
    'system.ping': async (p) =>
      p.echo === undefined
        ? { pong: true, helperPid: process.pid }
        : { pong: true, echo: p.echo, helperPid: process.pid },
  };
}

function isHelperMethod(m: MethodName): m is HelperMethodName {
  return methods[m].where === 'helper';
}

/** Validates and dispatches one request; what the RPC server calls. */
export function makeDispatcher(handlers: HelperHandlers) {
  return async (method: string, params: unknown, conn: RpcConnection): Promise<unknown> => {
    if (!isMethodName(method) || !isHelperMethod(method)) {
      throw new BerthError('METHOD_NOT_FOUND', `the helper has no method ${method.slice(0, 200)}`);
    }
    const parsed = parseParams(method, params);
    const handler = handlers[method] as (p: unknown, c: HelperContext) => Promise<unknown>;
    return parseResult(method, await handler(parsed, { conn }));
  };
}
