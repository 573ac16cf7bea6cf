import { describe, expect, it } from 'vitest';
import type { MethodName, Params, Result } from '../../../../preload/contract';
import { BerthError } from '../../../../preload/errors';
import { blobToBase64, bytesToBase64, ingestArchive, newOpId, type Invoker } from './ingest';

/** base64 → bytes without Node's Buffer (this file is type-checked as browser code). */
const fromBase64 = (s: string): Uint8Array => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
const concat = (a: Uint8Array, b: Uint8Array): Uint8Array => {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
};

type Call = { method: string; params: Record<string, unknown> };

/** A helper that stores what it receives and enforces the offset rule like transfer.ts. */
function fakeHelper(opts: { lie?: boolean; failCommit?: boolean } = {}) {
  const calls: Call[] = [];
  let received: Uint8Array = new Uint8Array(0);
  let aborted = false;
  const invoker: Invoker = {
    invoke<M extends MethodName>(method: M, params: Params<M>): Promise<Result<M>> {
      const p = params as Record<string, unknown>;
      calls.push({ method, params: p });
      const ok = (r: unknown) => Promise.resolve(r as Result<M>);
      switch (method) {
        case 'images.ingest.begin':
          return ok({ ingestId: 'a'.repeat(32) });
        case 'images.ingest.chunk': {
          if (p.offset !== received.length) {
            return Promise.reject(new BerthError('INGEST_OFFSET', 'bad offset', { expected: received.length }));
          }
          received = concat(received, fromBase64(String(p.data)));
          return ok({ received: opts.lie ? received.length - 1 : received.length });
        }
        case 'images.ingest.commit':
          if (opts.failCommit) return Promise.reject(new BerthError('DIGEST_MISMATCH', 'nope'));
          return ok({ opId: 'op', images: [] });
        case 'images.ingest.abort':
          aborted = true;
          return ok({});
        default:
          return Promise.reject(new BerthError('METHOD_NOT_FOUND', method));
      }
    },
  };
  return { invoker, calls, received: () => received, aborted: () => aborted };
}

describe('bytesToBase64 / blobToBase64', () => {
  it('round-trips through atob', async () => {
    const bytes = new Uint8Array(100_003).map((_, i) => (i * 31) & 255);
    const b64 = bytesToBase64(bytes);
    expect(fromBase64(b64)).toEqual(bytes);
    expect(b64.slice(0, 8)).toBe(btoa(String.fromCharCode(...bytes.subarray(0, 6))));
    expect(await blobToBase64(new Blob([bytes]))).toBe(b64);
  });
});

describe('ingestArchive', () => {
  it('sends sequential, offset-checked chunks, then commits', async () => {
    const h = fakeHelper();
    const bytes = new Uint8Array(2_500_000).map((_, i) => i & 255);
    const progress: number[] = [];
    let committed = false;
    const r = await ingestArchive(h.invoker, new Blob([bytes]), {
      opId: 'op-1',
      onUpload: (n) => progress.push(n),
      onCommit: () => (committed = true),
    });
    expect(r.opId).toBe('op');
    expect(committed).toBe(true);
    expect(h.received()).toEqual(bytes);
    expect(h.calls.map((c) => c.method)).toEqual([
      'images.ingest.begin',
      'images.ingest.chunk',
      'images.ingest.chunk',
      'images.ingest.chunk',
      'images.ingest.commit',
    ]);
    expect(h.calls[0]!.params).toEqual({ size: 2_500_000, opId: 'op-1' });
    expect(h.calls.filter((c) => c.method === 'images.ingest.chunk').map((c) => c.params.offset)).toEqual([
      0, 1_048_576, 2_097_152,
    ]);
    expect(progress).toEqual([0, 1_048_576, 2_097_152, 2_500_000]);
  });

  it('aborts the upload when the helper acknowledges another offset', async () => {
    const h = fakeHelper({ lie: true });
    await expect(ingestArchive(h.invoker, new Blob([new Uint8Array(10)]), { opId: 'x' })).rejects.toMatchObject({
      code: 'INGEST_OFFSET',
    });
    expect(h.aborted()).toBe(true);
    expect(h.calls.some((c) => c.method === 'images.ingest.commit')).toBe(false);
  });

  it('aborts when cancelled', async () => {
    const h = fakeHelper();
    const ac = new AbortController();
    const p = ingestArchive(h.invoker, new Blob([new Uint8Array(3_000_000)]), {
      opId: 'x',
      signal: ac.signal,
      onUpload: (n) => {
        if (n > 0) ac.abort();
      },
    });
    await expect(p).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(h.aborted()).toBe(true);
  });

  it('a failing commit is not aborted again (the commit consumed the upload)', async () => {
    const h = fakeHelper({ failCommit: true });
    await expect(ingestArchive(h.invoker, new Blob([new Uint8Array(5)]), { opId: 'x' })).rejects.toMatchObject({
      code: 'DIGEST_MISMATCH',
    });
    expect(h.aborted()).toBe(false);
  });

  it('op ids fit the contract', () => {
    expect(newOpId()).toMatch(/^ui-[0-9a-f]{24}$/);
  });
});
