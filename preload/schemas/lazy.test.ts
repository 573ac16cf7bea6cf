import { beforeAll, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { lazy } from './lazy';
import type * as Contract from '../contract';

// Fresh copies of the contract and of the counter: unit files share their
// workers' module cache, where other files have already used schemas.
let fresh: { lazySchemasBuilt: () => number; builtAtImport: number; contract: typeof Contract };
beforeAll(async () => {
  vi.resetModules();
  const counter = await import('./lazy');
  const contract = await import('../contract');
  fresh = { lazySchemasBuilt: counter.lazySchemasBuilt, builtAtImport: counter.lazySchemasBuilt(), contract };
  vi.resetModules();
});

describe('lazy schemas', () => {
  it('importing the contract builds no schema', () => {
    // Every top-level schema, method's
    // params/result and event payload of preload/schemas/ is declared lazily.
    expect(fresh.builtAtImport).toBe(0);
  });

  it('the written-out preference defaults are what the schema fills in', async () => {
    const { Preferences, DEFAULT_PREFERENCES } = await import('./preferences');
    expect(DEFAULT_PREFERENCES).toEqual(Preferences.parse({}));
  });

  it('a method builds only what its schemas use', () => {
    const r = fresh.contract.methods['build.context.begin'].params.safeParse({ size: 10 });
    expect(r.success).toBe(true);
    const n = fresh.lazySchemasBuilt();
    expect(n).toBeGreaterThan(0);
    expect(n - fresh.builtAtImport).toBeLessThan(8);
  });

  it('every method and event stands for a zod schema', () => {
    const { methods, events } = fresh.contract;
    for (const [name, m] of Object.entries(methods)) {
      for (const s of [m.params, m.result]) {
        expect(s instanceof z.ZodType, name).toBe(true);
        expect(typeof s.safeParse, name).toBe('function');
      }
      // Bad params are refused by the schema the stand-in builds.
      expect(m.params.safeParse(Symbol('x')).success, name).toBe(false);
    }
    for (const [name, e] of Object.entries(events)) expect(e instanceof z.ZodType, name).toBe(true);
  });

  it('reads like the schema it stands for', () => {
    const Inner = lazy(() => z.object({ a: z.number().int(), b: z.enum(['x', 'y']).default('x') }).strict());
    const Outer = lazy(() => z.object({ inner: Inner, list: z.array(Inner).max(2) }));
    expect(Outer.parse({ inner: { a: 1 }, list: [] })).toEqual({ inner: { a: 1, b: 'x' }, list: [] });
    const bad = Outer.safeParse({ inner: { a: 1.5, c: 1 }, list: [{ a: 1 }, { a: 2 }, { a: 3 }] });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues.map((i) => i.path.join('.')).sort()).toEqual(['inner', 'inner.a', 'list']);
    expect(Object.keys(Inner.shape)).toEqual(['a', 'b']);
    expect(Inner.extend({ c: z.string() }).omit({ a: true }).parse({ c: 'z' })).toEqual({ b: 'x', c: 'z' });
    expect(Inner instanceof z.ZodObject).toBe(true);
    expect('_zod' in Inner).toBe(true);
    // Keys and descriptors of the built schema (spread, inspection) do not throw.
    expect(Reflect.ownKeys(Inner)).toContain('_zod');
    expect(Object.getOwnPropertyDescriptor(Inner, '_zod')?.value).toBe(Inner._zod);
    const E = lazy(() => z.enum(['a', 'b']));
    expect(E.options).toEqual(['a', 'b']);
    const U = lazy(() =>
      z.discriminatedUnion('kind', [z.object({ kind: z.literal('p') }), Inner.extend({ kind: z.literal('q') })]),
    );
    expect(U.parse({ kind: 'q', a: 2 })).toEqual({ kind: 'q', a: 2, b: 'x' });
  });

  it('builds once', () => {
    let n = 0;
    const S = lazy(() => {
      n++;
      return z.string();
    });
    expect(n).toBe(0);
    S.parse('a');
    S.parse('b');
    expect(n).toBe(1);
  });
});
