import { describe, expect, it } from 'vitest';
import type { MethodName, Params, Result } from '../../../../preload/contract';
import { BerthError } from '../../../../preload/errors';
import {
  CHUNKS_IN_FLIGHT,
  PUT_CHUNK_BYTES,
  blobToBase64,
  bytesToBase64,
  ingestArchive,
  newOpId,
  sendChunks,
  uploadToMain,
  type Invoker,
} from './ingest';

/** base64 → bytes without Node's Buffer (this file is type-checked as browser code). */
const fromBase64 = (s: string): Uint8Array => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
const concat = (a: Uint8Array, b: Uint8Array): Uint8Array => {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
};

/** Byte equality without toEqual's element-by-element walk (seconds for megabytes). */
const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((v, i) => v === b[i]);

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
    expect(sameBytes(fromBase64(b64), bytes)).toBe(true);
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
    expect(sameBytes(h.received(), bytes)).toBe(true);
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

  it(`keeps at most ${CHUNKS_IN_FLIGHT} chunks unanswered, at consecutive offsets, and reports progress in order`, async () => {
    const sent: number[] = [];
    let open = 0;
    let most = 0;
    const progress: number[] = [];
    await sendChunks(
      new Blob([new Uint8Array(10)]),
      {
        send: async (offset, data) => {
          sent.push(offset);
          most = Math.max(most, ++open);
          await new Promise((r) => setTimeout(r, 5));
          open--;
          return { received: offset + fromBase64(data).length };
        },
        offsetCode: 'UPLOAD_OFFSET',
        receiver: 'main',
      },
      { chunkBytes: 2, onUpload: (n) => progress.push(n) },
    );
    expect(sent).toEqual([0, 2, 4, 6, 8]);
    expect(most).toBe(CHUNKS_IN_FLIGHT);
    expect(progress).toEqual([0, 2, 4, 6, 8, 10]);
  });

  it('stops at the first refused chunk; answers still in flight do not surface as unhandled rejections', async () => {
    // Vitest runs this browser-typed file under Node: watch Node's own report.
    type Listener = (e: unknown) => void;
    const proc = (globalThis as { process?: { on(ev: string, l: Listener): void; off(ev: string, l: Listener): void } })
      .process!;
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => unhandled.push(e);
    proc.on('unhandledRejection', onUnhandled);
    try {
      const sent: number[] = [];
      const run = sendChunks(
        new Blob([new Uint8Array(12)]),
        {
          send: (offset) => {
            sent.push(offset);
            return offset === 0
              ? Promise.reject(new BerthError('UPLOAD_OFFSET', 'refused'))
              : Promise.reject(new BerthError('UPLOAD_NOT_FOUND', 'gone'));
          },
          offsetCode: 'UPLOAD_OFFSET',
          receiver: 'main',
        },
        { chunkBytes: 2 },
      );
      await expect(run).rejects.toMatchObject({ code: 'UPLOAD_OFFSET' });
      expect(sent).toEqual([0, 2, 4]); // the window, then no more
      await new Promise((r) => setTimeout(r, 20));
      expect(unhandled).toEqual([]);
    } finally {
      proc.off('unhandledRejection', onUnhandled);
    }
  });

  it('on a byte path (web mode PUT): raw Blobs of PUT_CHUNK_BYTES, one at a time, nothing base64-encoded', async () => {
    const sizes: number[] = [];
    const offsets: number[] = [];
    let open = 0;
    let most = 0;
    await sendChunks(
      new Blob([new Uint8Array(2 * PUT_CHUNK_BYTES + 5)]),
      {
        send: () => Promise.reject(new Error('the base64 path must not be used')),
        sendBytes: async (offset, data) => {
          offsets.push(offset);
          sizes.push(data.size);
          most = Math.max(most, ++open);
          await new Promise((r) => setTimeout(r, 2));
          open--;
          return { received: offset + data.size };
        },
        offsetCode: 'UPLOAD_OFFSET',
        receiver: 'main',
      },
      {
        encode: () => Promise.reject(new Error('nothing is encoded on a byte path')),
      },
    );
    expect(offsets).toEqual([0, PUT_CHUNK_BYTES, 2 * PUT_CHUNK_BYTES]);
    expect(sizes).toEqual([PUT_CHUNK_BYTES, PUT_CHUNK_BYTES, 5]);
    expect(most).toBe(1);
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

describe('uploadToMain', () => {
  /** main's uploads: stores chunks at their offsets; `holdLess` answers one byte short (a lying receiver). */
  function fakeMain(o: { holdLess?: boolean } = {}) {
    const calls: Call[] = [];
    let held = 0;
    const invoker: Invoker = {
      invoke<M extends MethodName>(method: M, params: Params<M>): Promise<Result<M>> {
        const p = params as Record<string, unknown>;
        calls.push({ method, params: p });
        const ok = (r: unknown) => Promise.resolve(r as Result<M>);
        if (method === 'uploads.begin') return ok({ uploadId: 'u'.repeat(32) });
        if (method === 'uploads.chunk') {
          held += fromBase64(String(p.data)).length;
          return ok({ received: o.holdLess ? held - 1 : held });
        }
        if (method === 'uploads.abort') return ok({});
        return Promise.reject(new BerthError('METHOD_NOT_FOUND', method));
      },
    };
    return { invoker, calls };
  }

  it('sends every byte and resolves with the upload id; a long name is cut to the contract’s 255', async () => {
    const m = fakeMain();
    const id = await uploadToMain(m.invoker, new Blob([new Uint8Array(3000)]), 'x'.repeat(300), { chunkBytes: 1024 });
    expect(id).toBe('u'.repeat(32));
    expect(m.calls[0]).toEqual({ method: 'uploads.begin', params: { size: 3000, name: 'x'.repeat(255) } });
    expect(m.calls.filter((c) => c.method === 'uploads.chunk').map((c) => c.params.offset)).toEqual([0, 1024, 2048]);
    expect(m.calls.some((c) => c.method === 'uploads.abort')).toBe(false);
  });

  it('aborts the upload when a chunk goes wrong, and rejects with the offset error', async () => {
    const m = fakeMain({ holdLess: true });
    await expect(uploadToMain(m.invoker, new Blob([new Uint8Array(10)]), 'f')).rejects.toMatchObject({
      code: 'UPLOAD_OFFSET',
    });
    expect(m.calls.at(-1)).toEqual({ method: 'uploads.abort', params: { uploadId: 'u'.repeat(32) } });
  });
});
