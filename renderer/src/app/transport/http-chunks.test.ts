import { describe, expect, it } from 'vitest';
import { httpChunkPut } from './http-chunks';

const auth = async () => ({ authorization: 'Bearer s3cret' });

describe('httpChunkPut', () => {
  it('PUTs the Blob itself to /chunks/<method> with id, offset and the session header, and returns the envelope', async () => {
    const seen: Array<{
      url: string;
      method: string;
      body: Blob;
      credentials: string;
      headers: Record<string, string>;
    }> = [];
    const put = httpChunkPut('http://127.0.0.1:9', auth, async (url, init) => {
      seen.push({ url, ...init });
      return { json: async () => ({ ok: true, result: { received: 7 } }) };
    });
    const blob = new Blob(['abcdefg']);
    expect(await put('uploads.chunk', 'a'.repeat(32), 0, blob)).toEqual({ ok: true, result: { received: 7 } });
    expect(seen).toEqual([
      {
        url: `http://127.0.0.1:9/chunks/uploads.chunk?id=${'a'.repeat(32)}&offset=0`,
        method: 'PUT',
        body: blob,
        // The session as a header; cookies are neither sent nor needed.
        credentials: 'omit',
        headers: { authorization: 'Bearer s3cret' },
      },
    ]);
  });

  it('passes error envelopes through and turns network failures and garbage into TRANSPORT_FAILED', async () => {
    const refused = httpChunkPut('http://h', auth, async () => ({
      json: async () => ({ ok: false, error: { code: 'UPLOAD_OFFSET', message: 'x' } }),
    }));
    expect(await refused('images.ingest.chunk', 'i', 5, new Blob([]))).toMatchObject({
      ok: false,
      error: { code: 'UPLOAD_OFFSET' },
    });
    const down = httpChunkPut('http://h', auth, async () => {
      throw new TypeError('Failed to fetch');
    });
    expect(await down('uploads.chunk', 'i', 0, new Blob([]))).toMatchObject({
      ok: false,
      error: { code: 'TRANSPORT_FAILED' },
    });
    const garbage = httpChunkPut('http://h', auth, async () => ({ json: async () => ({ ok: true, result: {} }) }));
    expect(await garbage('uploads.chunk', 'i', 0, new Blob([]))).toMatchObject({
      ok: false,
      error: { code: 'TRANSPORT_FAILED' },
    });
  });

  it('without a session it sends nothing and answers the credential error', async () => {
    let called = 0;
    const put = httpChunkPut(
      'http://h',
      async () => {
        throw Object.assign(new Error('open the printed URL'), { code: 'UNAUTHORIZED' });
      },
      async () => {
        called++;
        return { json: async () => ({}) };
      },
    );
    expect(await put('uploads.chunk', 'i', 0, new Blob([]))).toMatchObject({
      ok: false,
      error: { code: 'UNAUTHORIZED', message: expect.stringContaining('open the printed URL') },
    });
    expect(called).toBe(0);
  });
});
