import { describe, expect, it } from 'vitest';
import { httpChunkPut } from './http-chunks';

describe('httpChunkPut', () => {
  it('PUTs the Blob itself to /chunks/<method> with id and offset, same-origin, and returns the envelope', async () => {
    const seen: Array<{ url: string; method: string; body: Blob; credentials: string }> = [];
    const put = httpChunkPut('http://127.0.0.1:9', async (url, init) => {
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
        credentials: 'same-origin',
      },
    ]);
  });

  it('passes error envelopes through and turns network failures and garbage into TRANSPORT_FAILED', async () => {
    const refused = httpChunkPut('http://h', async () => ({
      json: async () => ({ ok: false, error: { code: 'UPLOAD_OFFSET', message: 'x' } }),
    }));
    expect(await refused('images.ingest.chunk', 'i', 5, new Blob([]))).toMatchObject({
      ok: false,
      error: { code: 'UPLOAD_OFFSET' },
    });
    const down = httpChunkPut('http://h', async () => {
      throw new TypeError('Failed to fetch');
    });
    expect(await down('uploads.chunk', 'i', 0, new Blob([]))).toMatchObject({
      ok: false,
      error: { code: 'TRANSPORT_FAILED' },
    });
    const garbage = httpChunkPut('http://h', async () => ({ json: async () => ({ ok: true, result: {} }) }));
    expect(await garbage('uploads.chunk', 'i', 0, new Blob([]))).toMatchObject({
      ok: false,
      error: { code: 'TRANSPORT_FAILED' },
    });
  });
});
