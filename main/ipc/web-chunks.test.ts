/**
 * Web mode's byte path for upload chunks (PUT /chunks/<method>): raw bytes
 * land in main's uploads exactly as base64 chunks would, with the same
 * offset rule and codes; oversized bodies, unknown methods, bad offsets,
 * foreign origins and requests without a session are refused.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_PUT_CHUNK_BYTES, type Envelope } from '../../preload/api';
import { EventHub } from '../api/event-hub';
import { UploadStore } from '../api/features/upload-store';
import { uploadsMainHandlers } from '../api/features/uploads';
import { Router, type HelperCaller, type MainHandlers } from '../api/router';
import { startWebServer, type WebServer } from './web';
import { openSession } from './web-test-client';

const helper: HelperCaller = {
  call: async () => {
    throw new Error('no helper in this test');
  },
};

let server: WebServer;
let base: string;
let dir: string;
let store: UploadStore;
let session: string;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-web-chunks-'));
  fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>Berth</title>');
  store = new UploadStore({ parentDir: dir });
  const router = new Router(uploadsMainHandlers(store) as unknown as MainHandlers, helper);
  server = await startWebServer({ backend: { router, hub: new EventHub() }, staticDir: dir });
  base = `http://127.0.0.1:${server.port}`;
  session = await openSession(base, server.token);
});

afterAll(async () => {
  await server.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function put(
  method: string,
  id: string,
  offset: number | string,
  body: Uint8Array,
  headers: Record<string, string> = { authorization: `Bearer ${session}` },
): Promise<{ status: number; envelope: Envelope<{ received: number }> }> {
  const res = await fetch(`${base}/chunks/${method}?id=${id}&offset=${offset}`, { method: 'PUT', body, headers });
  return { status: res.status, envelope: (await res.json()) as Envelope<{ received: number }> };
}

describe('PUT /chunks/<method>', () => {
  it('appends raw bytes at the received offset (pieces of ≤ 4 MiB inside), like base64 chunks', async () => {
    const bytes = crypto.randomBytes(MAX_PUT_CHUNK_BYTES + 12_345);
    const { uploadId } = await store.begin({ size: bytes.length });
    const a = await put('uploads.chunk', uploadId, 0, bytes.subarray(0, MAX_PUT_CHUNK_BYTES));
    expect(a).toEqual({ status: 200, envelope: { ok: true, result: { received: MAX_PUT_CHUNK_BYTES } } });
    // The same offset again: the upload's own rule refuses it.
    const again = await put('uploads.chunk', uploadId, 0, bytes.subarray(0, 10));
    expect(again.envelope).toMatchObject({ ok: false, error: { code: 'UPLOAD_OFFSET' } });
    const b = await put('uploads.chunk', uploadId, MAX_PUT_CHUNK_BYTES, bytes.subarray(MAX_PUT_CHUNK_BYTES));
    expect(b.envelope).toEqual({ ok: true, result: { received: bytes.length } });
    const stored = await store.consume(uploadId, async (file) => fs.readFileSync(file));
    expect(Buffer.compare(stored, bytes)).toBe(0);
  });

  it('refuses a body over the limit (413 CHUNK_TOO_LARGE) and stores nothing of it', async () => {
    const { uploadId } = await store.begin({ size: MAX_PUT_CHUNK_BYTES + 1 });
    const r = await put('uploads.chunk', uploadId, 0, new Uint8Array(MAX_PUT_CHUNK_BYTES + 1));
    expect(r.status).toBe(413);
    expect(r.envelope).toMatchObject({ ok: false, error: { code: 'CHUNK_TOO_LARGE' } });
    const ok = await put('uploads.chunk', uploadId, 0, new Uint8Array(3));
    expect(ok.envelope).toEqual({ ok: true, result: { received: 3 } });
    await store.abort(uploadId);
  });

  it('answers a refusal of the first piece of a long body, and stores none of the body', async () => {
    const { uploadId } = await store.begin({ size: MAX_PUT_CHUNK_BYTES });
    // At offset 5 of an empty upload: the first piece is refused, the rest is read and dropped.
    const r = await put('uploads.chunk', uploadId, 5, new Uint8Array(MAX_PUT_CHUNK_BYTES));
    expect(r.envelope).toMatchObject({ ok: false, error: { code: 'UPLOAD_OFFSET' } });
    expect((await put('uploads.chunk', uploadId, 0, new Uint8Array(0))).envelope).toEqual({
      ok: true,
      result: { received: 0 },
    });
    await store.abort(uploadId);
  });

  it('needs a declared length (411 LENGTH_REQUIRED for a chunked body)', async () => {
    const { uploadId } = await store.begin({ size: 10 });
    const status = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request(
        `${base}/chunks/uploads.chunk?id=${uploadId}&offset=0`,
        { method: 'PUT', headers: { authorization: `Bearer ${session}`, 'transfer-encoding': 'chunked' } },
        (res) => {
          let body = '';
          res.on('data', (d: Buffer) => (body += d.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        },
      );
      req.on('error', reject);
      req.end(Buffer.alloc(10));
    });
    expect(status.status).toBe(411);
    expect(JSON.parse(status.body)).toMatchObject({ ok: false, error: { code: 'LENGTH_REQUIRED' } });
    await store.abort(uploadId);
  });

  it('answers unknown methods, bad offsets and unknown uploads with codes', async () => {
    expect(await put('containers.remove', 'x', 0, new Uint8Array(1))).toMatchObject({
      status: 404,
      envelope: { ok: false, error: { code: 'METHOD_NOT_FOUND' } },
    });
    for (const offset of ['-1', 'x', '1.5'])
      expect((await put('uploads.chunk', 'a'.repeat(32), offset, new Uint8Array(1))).envelope).toMatchObject({
        ok: false,
        error: { code: 'BAD_REQUEST' },
      });
    expect((await put('uploads.chunk', 'a'.repeat(32), 0, new Uint8Array(1))).envelope).toMatchObject({
      ok: false,
      error: { code: 'UPLOAD_NOT_FOUND' },
    });
    expect((await put('uploads.chunk', 'not-an-id', 0, new Uint8Array(1))).envelope).toMatchObject({ ok: false });
  });

  it('needs a session (not the token, not a cookie) and a same-origin request', async () => {
    const { uploadId } = await store.begin({ size: 1 });
    for (const headers of [
      {},
      { cookie: `berth_token=${server.token}` },
      { cookie: `berth_session=${session}` },
      { authorization: `Bearer ${server.token}` },
      { authorization: 'Bearer not-a-session' },
    ] as Record<string, string>[])
      expect((await put('uploads.chunk', uploadId, 0, new Uint8Array(1), headers)).status).toBe(401);
    const foreign = await put('uploads.chunk', uploadId, 0, new Uint8Array(1), {
      authorization: `Bearer ${session}`,
      origin: 'http://evil.example',
    });
    expect(foreign.status).toBe(403);
    // Nothing was taken: the first byte can still be sent.
    expect((await put('uploads.chunk', uploadId, 0, new Uint8Array(1))).envelope).toEqual({
      ok: true,
      result: { received: 1 },
    });
    await store.abort(uploadId);
  });
});
