/**
 * `PUT /chunks/<method>?id=…&offset=…` (preload/api.ts CHUNK_PUT_PATH): a
 * chunk of an upload as raw bytes, turned into the very call a WebSocket
 * client would make (`uploads.chunk` / `images.ingest.chunk` with base64
 * data, ≤ 4 MiB each), so validation, ownership and error codes are the
 * router's. Encoding here costs ~1 ms a MiB; the browser's base64 +
 * WebSocket path cost ~230 ms a MiB on these machines.
 */
import type http from 'node:http';
import { CHUNK_METHODS, MAX_PUT_CHUNK_BYTES, type ChunkMethod, type Envelope } from '../../preload/api';
import type { ErrorCode } from '../../preload/errors';
import { MAX_CHUNK_BYTES } from '../../preload/schemas/images';
import type { Router } from '../api/router';

function reply(res: http.ServerResponse, status: number, envelope: Envelope<unknown>): void {
  res
    .writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' })
    .end(JSON.stringify(envelope));
}

const bad = (res: http.ServerResponse, status: number, code: ErrorCode, message: string) =>
  reply(res, status, { ok: false, error: { code, message } });

/**
 * Reads the body, refusing more than `max` bytes as soon as it is exceeded.
 * A client that goes away mid-body settles it too (as an error), so nothing
 * waits on a request that will never end.
 */
function readBody(req: http.IncomingMessage, max: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (f: () => void) => {
      if (settled) return;
      settled = true;
      f();
    };
    req.on('data', (d: Buffer) => {
      size += d.length;
      if (size > max) {
        req.removeAllListeners('data');
        parts.length = 0;
        req.resume();
        settle(() => resolve(null));
        return;
      }
      parts.push(d);
    });
    req.on('end', () => settle(() => resolve(size > max ? null : Buffer.concat(parts, size))));
    req.on('error', (err) => settle(() => reject(err)));
    req.on('close', () => settle(() => reject(new Error('the client closed the request before its body ended'))));
  });
}

export async function serveChunkPut(router: Router, req: http.IncomingMessage, res: http.ServerResponse, url: URL) {
  const method = url.pathname.slice('/chunks/'.length) as ChunkMethod;
  if (!CHUNK_METHODS.includes(method))
    return bad(res, 404, 'METHOD_NOT_FOUND', `no chunk method ${method.slice(0, 64)}`);
  const id = url.searchParams.get('id') ?? '';
  const offset = Number(url.searchParams.get('offset'));
  if (!Number.isSafeInteger(offset) || offset < 0) return bad(res, 400, 'BAD_REQUEST', 'offset must be an integer ≥ 0');
  let body: Buffer | null;
  try {
    body = await readBody(req, MAX_PUT_CHUNK_BYTES);
  } catch (err) {
    return bad(res, 400, 'BAD_REQUEST', `reading the chunk: ${String(err)}`);
  }
  if (!body) {
    return bad(res, 413, 'CHUNK_TOO_LARGE', `a chunk carries at most ${MAX_PUT_CHUNK_BYTES} bytes`);
  }
  // The router's chunk methods take ≤ 4 MiB: one call per piece, in order
  // (an empty body is one empty call, which answers the current count).
  let envelope: Envelope<unknown>;
  let at = 0;
  do {
    const data = body.subarray(at, at + MAX_CHUNK_BYTES).toString('base64');
    const params =
      method === 'uploads.chunk'
        ? { uploadId: id, offset: offset + at, data }
        : { ingestId: id, offset: offset + at, data };
    envelope = await router.dispatch(method, params, { transport: 'web' });
    at += MAX_CHUNK_BYTES;
  } while (envelope.ok && at < body.length);
  reply(res, 200, envelope);
}
