/**
 * Web mode's byte path for upload chunks (preload/api.ts CHUNK_PUT_PATH): a
 * same-origin PUT whose body is the Blob itself, so Chromium streams it from
 * the file with no base64 and no JavaScript copy. The page's session secret
 * goes as `Authorization: Bearer` (never a cookie); main answers with the
 * chunk method's envelope.
 */
import { CHUNK_PUT_PATH, type BerthBridge, type ChunkMethod, type Envelope } from '../../../../preload/api';
import { isErrorCode } from '../../../../preload/errors';

type Fetch = (
  url: string,
  init: { method: string; body: Blob; credentials: 'omit'; headers: Record<string, string> },
) => Promise<{
  json(): Promise<unknown>;
}>;

function isEnvelope(x: unknown): x is Envelope<{ received: number }> {
  if (typeof x !== 'object' || x === null || typeof (x as { ok?: unknown }).ok !== 'boolean') return false;
  const e = x as { ok: boolean; result?: { received?: unknown }; error?: { code?: unknown } };
  return e.ok ? typeof e.result?.received === 'number' : typeof e.error?.code === 'string';
}

export function httpChunkPut(
  origin: string,
  authorization: () => Promise<Record<string, string>>,
  fetchImpl: Fetch = fetch,
): NonNullable<BerthBridge['putChunk']> {
  return async (method: ChunkMethod, id: string, offset: number, data: Blob) => {
    const url = `${origin}${CHUNK_PUT_PATH}${method}?id=${encodeURIComponent(id)}&offset=${offset}`;
    let headers: Record<string, string>;
    try {
      headers = await authorization();
    } catch (err) {
      const e = err as { code?: unknown; message?: unknown };
      return {
        ok: false,
        error: {
          code: isErrorCode(e.code) ? e.code : 'UNAUTHORIZED',
          message: `PUT ${method} chunk: ${typeof e.message === 'string' ? e.message : String(err)}`,
        },
      };
    }
    let body: unknown;
    try {
      body = await (await fetchImpl(url, { method: 'PUT', body: data, credentials: 'omit', headers })).json();
    } catch (err) {
      return { ok: false, error: { code: 'TRANSPORT_FAILED', message: `PUT ${method} chunk: ${String(err)}` } };
    }
    return isEnvelope(body)
      ? body
      : { ok: false, error: { code: 'TRANSPORT_FAILED', message: `PUT ${method} chunk: not an envelope` } };
  };
}
