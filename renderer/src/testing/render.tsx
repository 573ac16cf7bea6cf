/**
 * Component-test harness: a fake `window.berth` (the preload bridge, the one
 * boundary component tests mock) and a render wrapped in the app's own
 * providers. The client is built by the app's own `pickTransport()` and
 * `createClient()`, so envelopes, BerthError codes and TanStack Query's
 * settings are the production ones; only the bridge answers are scripted.
 */
import { QueryClientProvider } from '@tanstack/react-query';
import { render, type RenderResult } from '@testing-library/react';
import type { ReactElement } from 'react';
import type { BerthBridge, Envelope } from '../../../preload/api';
import type { EventName, EventPayload, MethodName, Params, Result } from '../../../preload/contract';
import { ErrorCodes, type ErrorShape } from '../../../preload/errors';
import { BerthProvider, createClient } from '../app/client';
import { createQueryClient } from '../app/query';
import { pickTransport } from '../app/transport';

/** What a scripted method answers: its result, or an error envelope; a promise of its result answers when it settles. */
export type Answer<M extends MethodName> = (
  params: Params<M>,
) => Result<M> | { error: ErrorShape } | Promise<Result<M>>;
export type Answers = { [M in MethodName]?: Answer<M> };

export interface Call {
  method: MethodName;
  params: unknown;
}

export interface FakeBerth {
  /** Every invoke, in order. */
  calls: Call[];
  callsOf<M extends MethodName>(method: M): Params<M>[];
  /** Replace or add answers mid-test. */
  answer<M extends MethodName>(method: M, fn: Answer<M>): void;
  /** Delivers an event to the page's subscribers, as the transport does. */
  emit<E extends EventName>(event: E, payload: EventPayload<E>): void;
}

/**
 * Installs `window.berth`. Methods without an answer fail with
 * METHOD_NOT_FOUND (what a real bridge says for an unknown method), so a
 * view's side queries fail visibly instead of hanging.
 */
export function installFakeBerth(answers: Answers = {}): FakeBerth {
  const table = new Map<MethodName, (params: unknown) => unknown>(
    Object.entries(answers) as [MethodName, (params: unknown) => unknown][],
  );
  const calls: Call[] = [];
  const listeners = new Map<string, Set<(p: unknown) => void>>();
  const bridge: BerthBridge = {
    invoke<M extends MethodName>(method: M, params: Params<M>): Promise<Envelope<Result<M>>> {
      calls.push({ method, params });
      const fn = table.get(method);
      if (!fn)
        return Promise.resolve({
          ok: false,
          error: { code: ErrorCodes.METHOD_NOT_FOUND, message: `no answer for ${method}` },
        });
      try {
        const out = fn(params);
        if (out instanceof Promise) return out.then((result: Result<M>) => ({ ok: true, result }));
        if (out && typeof out === 'object' && 'error' in out && Object.keys(out).length === 1) {
          return Promise.resolve({ ok: false, error: (out as { error: ErrorShape }).error });
        }
        return Promise.resolve({ ok: true, result: out as Result<M> });
      } catch (err) {
        return Promise.reject(err instanceof Error ? err : new Error(String(err)));
      }
    },
    subscribe: (event, cb) => {
      const set = listeners.get(event) ?? new Set<(p: unknown) => void>();
      listeners.set(event, set);
      const fn = cb as (p: unknown) => void;
      set.add(fn);
      return () => set.delete(fn);
    },
  };
  window.berth = Object.assign(bridge, { methods: [] as readonly string[], events: [] as readonly string[] });
  return {
    calls,
    callsOf: <M extends MethodName>(method: M) =>
      calls.filter((c) => c.method === method).map((c) => c.params as Params<M>),
    answer: (method, fn) => table.set(method, fn as (params: unknown) => unknown),
    emit: (event, payload) => listeners.get(event)?.forEach((cb) => cb(payload)),
  };
}

/** Renders `ui` under the app's providers, talking to the installed `window.berth`. */
export function renderWithBerth(ui: ReactElement): RenderResult {
  if (!window.berth) throw new Error('installFakeBerth() first');
  const client = createClient(pickTransport());
  const queryClient = createQueryClient();
  return render(
    <BerthProvider client={client}>
      <QueryClientProvider client={queryClient}>{ui}</QueryClientProvider>
    </BerthProvider>,
  );
}
