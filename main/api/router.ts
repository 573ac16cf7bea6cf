/**
 * The router: one implementation of the contract, shared by every transport
 * (Electron IPC, web mode, CLI). Main-side methods run here; helper methods
 * are forwarded to the privileged helper, which validates them again.
 */
import { BerthError, toErrorShape } from '../../preload/errors';
import type { Envelope } from '../../preload/api';
import {
  isMethodName,
  methods,
  type HelperMethodName,
  type HelperStateT,
  type MainMethodName,
  type MethodName,
  type ParsedParams,
  type Result,
} from '../../preload/contract';
import { parseParams, parseResult } from '../shared/validate';
import type { EventHub } from './event-hub';

export type Transport = 'electron' | 'web' | 'cli';

/**
 * One client of main: a page (web mode: its WebSocket) or a window. It holds
 * the sessions it attached (exec, attach, reattach); when it goes away the
 * transport calls `router.release(scope)`, which detaches each: the helper
 * sees one connection from main for every page, so only main can say which
 * page let go.
 */
export class ClientScope {
  readonly sessions = new Set<string>();
}

export interface CallContext {
  transport: Transport;
  client?: ClientScope;
}

export type MainHandlers = {
  [M in MainMethodName]: (params: ParsedParams<M>, ctx: CallContext) => Promise<Result<M>>;
};

/** What the router needs from the helper connection. */
export interface HelperCaller {
  call<M extends HelperMethodName>(method: M, params: ParsedParams<M>): Promise<Result<M>>;
}

/** The main-side handlers of some methods: what one feature provides. */
export type MainHandlersFor<K extends MainMethodName> = Pick<MainHandlers, K>;

/** What main-side feature handlers may use. */
export interface MainServices {
  helper: HelperCaller;
  hub: EventHub;
  helperState(): HelperStateT;
}

function isHelperMethod(m: MethodName): m is HelperMethodName {
  return methods[m].where === 'helper';
}

export class Router {
  private readonly scopes = new Set<ClientScope>();

  constructor(
    private readonly mainHandlers: MainHandlers,
    private readonly helper: HelperCaller,
  ) {}

  /** A client went away: every session it attached is detached (the helper kills or keeps each, per its kind). */
  release(scope: ClientScope): void {
    this.scopes.delete(scope);
    for (const sessionId of scope.sessions) {
      void this.helper.call('sessions.detach', { sessionId }).catch(() => undefined);
    }
    scope.sessions.clear();
  }

  /** A session ended: no scope needs to detach it any more. */
  forgetSession(sessionId: string): void {
    for (const s of this.scopes) s.sessions.delete(sessionId);
  }

  private track(method: HelperMethodName, params: unknown, result: unknown, scope: ClientScope | undefined): void {
    if (!scope) return;
    if (method === 'containers.exec' || method === 'containers.attach' || method === 'sessions.reattach') {
      scope.sessions.add((result as { sessionId: string }).sessionId);
      this.scopes.add(scope);
    } else if (method === 'sessions.detach') {
      scope.sessions.delete((params as { sessionId: string }).sessionId);
    } else if (method === 'sessions.close' && (params as { kill?: boolean }).kill === true) {
      scope.sessions.delete((params as { sessionId: string }).sessionId);
    }
  }

  /** Typed call; throws BerthError. */
  async invoke<M extends MethodName>(method: M, params: unknown, ctx: CallContext): Promise<Result<M>> {
    const parsed = parseParams(method, params);
    if (isHelperMethod(method)) {
      const r = await this.helper.call(method, parsed as ParsedParams<typeof method>);
      const checked = parseResult(method, r);
      this.track(method, parsed, checked, ctx.client);
      return checked;
    }
    const handler = this.mainHandlers[method as MainMethodName] as (p: unknown, c: CallContext) => Promise<unknown>;
    return parseResult(method, await handler(parsed, ctx));
  }

  /**
   * A main-side method called in-process with params already in their parsed
   * form, typed as the schema's output (the CLI's own argument parsers make
   * them): no schema is built or run, and the handler's result is returned as
   * it is typed. Building a method's zod schemas the first time costs a
   * process that runs once ≈ 5 ms (`berth build`'s params: ≈ 25 schema
   * objects); what reaches the helper is checked there against its own
   * method's schema as always. Not for transports: their params are unknown.
   */
  async invokeParsed<M extends MainMethodName>(
    method: M,
    params: ParsedParams<M>,
    ctx: CallContext,
  ): Promise<Result<M>> {
    const handler = this.mainHandlers[method] as (p: ParsedParams<M>, c: CallContext) => Promise<Result<M>>;
    return handler(params, ctx);
  }

  /** Untyped entry for transports: never throws, always an envelope. */
  async dispatch(method: unknown, params: unknown, ctx: CallContext): Promise<Envelope<unknown>> {
    try {
      if (!isMethodName(method)) {
        throw new BerthError('METHOD_NOT_FOUND', `no such method: ${String(method).slice(0, 200)}`);
      }
      return { ok: true, result: await this.invoke(method, params, ctx) };
    } catch (err) {
      return { ok: false, error: toErrorShape(err) };
    }
  }
}
