import { describe, expect, it } from 'vitest';
import { ClientScope, Router, type CallContext, type HelperCaller, type MainHandlers } from './router';
import { BerthError } from '../../preload/errors';
import type { HelperMethodName, ParsedParams, Result } from '../../preload/contract';

// Only the app methods are exercised; other features' main handlers are left out.
const mainHandlers = {
  'app.version': async (_p, ctx) => ({ version: '9.9.9', transport: ctx.transport, node: '20', electron: null }),
  'app.helperState': async () => ({ state: 'connected', pid: 1, at: new Date(0).toISOString() }),
} satisfies Pick<MainHandlers, 'app.version' | 'app.helperState'> as unknown as MainHandlers;

class FakeHelper implements HelperCaller {
  calls: Array<[string, unknown]> = [];
  constructor(private readonly answer: unknown) {}
  async call<M extends HelperMethodName>(method: M, params: ParsedParams<M>): Promise<Result<M>> {
    this.calls.push([method, params]);
    if (this.answer instanceof Error) throw this.answer;
    return this.answer as Result<M>;
  }
}

describe('Router', () => {
  it('answers main methods itself', async () => {
    const r = new Router(mainHandlers, new FakeHelper(null));
    expect(await r.dispatch('app.version', {}, { transport: 'web' })).toEqual({
      ok: true,
      result: { version: '9.9.9', transport: 'web', node: '20', electron: null },
    });
  });

  it('forwards helper methods with validated params', async () => {
    const h = new FakeHelper({ pong: true, helperPid: 42 });
    const r = new Router(mainHandlers, h);
    expect(await r.dispatch('system.ping', { echo: 'x' }, { transport: 'cli' })).toMatchObject({ ok: true });
    expect(h.calls).toEqual([['system.ping', { echo: 'x' }]]);
  });

  it('refuses unknown methods and bad params with stable codes', async () => {
    const h = new FakeHelper(null);
    const r = new Router(mainHandlers, h);
    expect(await r.dispatch('rm -rf', {}, { transport: 'web' })).toMatchObject({
      ok: false,
      error: { code: 'METHOD_NOT_FOUND' },
    });
    expect(await r.dispatch('system.ping', { echo: 5 }, { transport: 'web' })).toMatchObject({
      ok: false,
      error: { code: 'BAD_PARAMS', details: { method: 'system.ping' } },
    });
    expect(await r.dispatch('system.ping', 'garbage', { transport: 'web' })).toMatchObject({
      ok: false,
      error: { code: 'BAD_PARAMS' },
    });
    expect(await r.dispatch('__proto__', {}, { transport: 'web' })).toMatchObject({
      ok: false,
      error: { code: 'METHOD_NOT_FOUND' },
    });
    expect(h.calls).toEqual([]);
  });

  it('keeps the code and message of helper errors', async () => {
    const r = new Router(mainHandlers, new FakeHelper(new BerthError('PEER_REFUSED', 'uid 1001 may not')));
    expect(await r.dispatch('system.info', {}, { transport: 'web' })).toEqual({
      ok: false,
      error: { code: 'PEER_REFUSED', message: 'uid 1001 may not' },
    });
  });

  it('refuses a helper result its schema does not allow', async () => {
    const r = new Router(mainHandlers, new FakeHelper({ pong: 'yes' }));
    expect(await r.dispatch('system.ping', {}, { transport: 'web' })).toMatchObject({
      ok: false,
      error: { code: 'BAD_RESULT' },
    });
  });

  it('a client scope detaches the sessions its page attached when released (not those it ended or detached)', async () => {
    const sid = (n: number) => String(n).repeat(32);
    const answers: Record<string, unknown> = {
      'containers.exec': { sessionId: sid(1), pid: 10 },
      'sessions.reattach': {
        sessionId: sid(2),
        containerId: 'c',
        kind: 'exec',
        pid: 11,
        tty: true,
        scrollback: '',
        offset: 0,
      },
    };
    const calls: Array<[string, unknown]> = [];
    const helper: HelperCaller = {
      call: async (method, params) => {
        calls.push([method, params]);
        return (answers[method] ?? {}) as never;
      },
    };
    const r = new Router(mainHandlers, helper);
    const page = new ClientScope();
    const ctx = { transport: 'web' as const, client: page };
    await r.dispatch('containers.exec', { id: 'abc', cmd: ['sh'], tty: true, reattachable: true }, ctx);
    await r.dispatch('sessions.reattach', { sessionId: sid(2) }, ctx);
    await r.dispatch('containers.exec', { id: 'abc', cmd: ['true'] }, ctx);
    answers['containers.exec'] = { sessionId: sid(3), pid: 12 };
    await r.dispatch('containers.exec', { id: 'abc', cmd: ['sh'] }, ctx);
    await r.dispatch('sessions.close', { sessionId: sid(3), kill: true }, ctx);
    r.forgetSession(sid(2)); // it exited
    expect([...page.sessions]).toEqual([sid(1)]);
    calls.length = 0;
    r.release(page);
    await new Promise((res) => setImmediate(res));
    expect(calls).toEqual([['sessions.detach', { sessionId: sid(1) }]]);
    expect(page.sessions.size).toBe(0);
  });

  it('invokeParsed runs a main handler with the params as given, runs no schema and does not touch the helper', async () => {
    const h = new FakeHelper(null);
    const r = new Router(mainHandlers, h);
    // Params app.version's (strict, empty) schema refuses: invoke says BAD_PARAMS, invokeParsed never checks.
    const unchecked = { extra: 1 } as unknown as ParsedParams<'app.version'>;
    await expect(r.invoke('app.version', unchecked, { transport: 'cli' })).rejects.toMatchObject({
      code: 'BAD_PARAMS',
    });
    const seen: unknown[] = [];
    const spying = new Router(
      {
        ...mainHandlers,
        'app.version': async (p: unknown, ctx: CallContext) => {
          seen.push(p);
          return { version: '1.0.0', transport: ctx.transport, node: '20', electron: null, extra: 'kept' };
        },
      } as unknown as MainHandlers,
      h,
    );
    // The result is not checked either: a key the result schema would strip is still there.
    expect(await spying.invokeParsed('app.version', unchecked, { transport: 'cli' })).toEqual({
      version: '1.0.0',
      transport: 'cli',
      node: '20',
      electron: null,
      extra: 'kept',
    });
    expect(seen).toEqual([unchecked]);
    expect(h.calls).toEqual([]);
  });
});
