/**
 * `PUT /chunks/<method>?id=…&offset=…` (preload/api.ts CHUNK_PUT_PATH): a
 * chunk of an upload as raw bytes, turned into the very calls a WebSocket
 * client would make (`uploads.chunk` / `images.ingest.chunk` with base64
 * data, ≤ 4 MiB each, made as the body arrives), so validation, ownership
 * and error codes are the router's. `uploads.chunk` takes the bytes
 * themselves in-process (no base64 round trip, which was most of main's
 * work during an upload); `images.ingest.chunk` goes on to the helper as
 * base64 (~1 ms a MiB to encode). The browser's base64 + WebSocket path cost
 * ~230 ms a MiB on these machines.
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
 * The body's bytes in pieces of exactly `piece` bytes (the last one shorter),
 * as they arrive: iterating the request pauses it while a piece is handled
 * (backpressure), so memory holds about one piece whatever the body size.
 * Every piece is the same buffer, refilled: the caller is done with a piece
 * (it awaits the call that writes it) before it asks for the next one. A
 * new buffer per piece cost main page faults on 4 MiB of fresh memory each
 * (and their collection), during the upload the analysis thread follows.
 */
async function* pieces(req: http.IncomingMessage, piece: number, length: number): AsyncGenerator<Buffer> {
  const buf = Buffer.allocUnsafe(Math.max(1, Math.min(piece, length)));
  let held = 0;
  for await (const d of req as AsyncIterable<Buffer>) {
    for (let at = 0; at < d.length;) {
      const n = d.copy(buf, held, at, Math.min(d.length, at + buf.length - held));
      held += n;
      at += n;
      if (held === buf.length) {
        yield buf;
        held = 0;
      }
    }
  }
  if (held > 0) yield buf.subarray(0, held);
}

export async function serveChunkPut(router: Router, req: http.IncomingMessage, res: http.ServerResponse, url: URL) {
  const method = url.pathname.slice('/chunks/'.length) as ChunkMethod;
  if (!CHUNK_METHODS.includes(method))
    return bad(res, 404, 'METHOD_NOT_FOUND', `no chunk method ${method.slice(0, 64)}`);
  const id = url.searchParams.get('id') ?? '';
  const offset = Number(url.searchParams.get('offset'));
  if (!Number.isSafeInteger(offset) || offset < 0) return bad(res, 400, 'BAD_REQUEST', 'offset must be an integer ≥ 0');
  // The length is declared up front (browsers do for a Blob body), so an
  // oversized body is refused before any of it is stored.
  const length = Number(req.headers['content-length']);
  if (req.headers['content-length'] === undefined || !Number.isSafeInteger(length) || length < 0) {
    req.resume();
    return bad(res, 411, 'LENGTH_REQUIRED', 'a chunk PUT states its Content-Length');
  }
  if (length > MAX_PUT_CHUNK_BYTES) {
    req.resume();
    return bad(res, 413, 'CHUNK_TOO_LARGE', `a chunk carries at most ${MAX_PUT_CHUNK_BYTES} bytes`);
  }
  // The router's chunk methods take ≤ 4 MiB: one call per piece, in order, each
  // as soon as its bytes are in (the upload grows while the browser still
  // sends, and readers following it see the bytes early). An empty body is
  // one empty call, which answers the current count.
  let envelope: Envelope<unknown> | undefined;
  let at = 0;
  // Main's own uploads take the bytes as they are; the helper's ingest takes base64 (its socket carries JSON).
  const call = (data: Buffer): Promise<Envelope<unknown>> => {
    const params =
      method === 'uploads.chunk'
        ? { uploadId: id, offset: offset + at, data }
        : { ingestId: id, offset: offset + at, data: data.toString('base64') };
    return router.dispatch(method, params, { transport: 'web' });
  };
  try {
    for await (const piece of pieces(req, MAX_CHUNK_BYTES, length)) {
      // After a refusal the rest is read and dropped (leaving the loop would destroy the request, and the answer).
      if (envelope && !envelope.ok) continue;
      envelope = await call(piece);
      at += piece.length;
    }
  } catch (err) {
    return bad(res, 400, 'BAD_REQUEST', `reading the chunk: ${String(err)}`);
  }
  envelope ??= await call(Buffer.alloc(0));
  reply(res, 200, envelope);
}
