/**
 * RegistryClient against scripted answers (a fake fetch): the error codes,
 * digest checks, retries and limits that a well-behaved registry never
 * shows.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256 } from '../digest';
import { MediaTypes } from '../oci-types';
import { TempBlobStore, freePort } from '../../../testing/registry';
import { RegistryClient } from './client';
import type { FetchFn } from './http';
import { isBerthError } from '../../../../preload/errors';

type Handler = (url: URL, init: RequestInit & { headers: Record<string, string> }) => Response | Promise<Response>;

function fakeFetch(handler: Handler): {
  fetch: FetchFn;
  calls: Array<{ method: string; url: string; headers: Record<string, string> }>;
} {
  const calls: Array<{ method: string; url: string; headers: Record<string, string> }> = [];
  const f = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(String(input));
    const headers = (init?.headers ?? {}) as Record<string, string>;
    calls.push({ method: init?.method ?? 'GET', url: url.toString(), headers });
    init?.signal?.throwIfAborted();
    return handler(url, { ...init, headers });
  }) as FetchFn;
  return { fetch: f, calls };
}

const manifest = Buffer.from(
  JSON.stringify({
    schemaVersion: 2,
    mediaType: MediaTypes.ociManifest,
    config: { mediaType: MediaTypes.ociConfig, digest: sha256('{}'), size: 2 },
    layers: [],
  }),
);
const manifestDigest = sha256(manifest);
const json = (body: unknown, status = 200, headers: Record<string, string> = {}): Response =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
const errors = (code: string, message: string) => ({ errors: [{ code, message, detail: null }] });

const client = (f: FetchFn, extra: { retries?: number } = {}): RegistryClient =>
  new RegistryClient(
    { registry: 'reg.example', apiBase: 'https://reg.example' },
    { fetch: f, retryDelayMs: 1, ...extra },
  );

describe('RegistryClient (scripted registry)', () => {
  let tmp: string;
  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-client-'));
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('asks for all four manifest types and verifies Docker-Content-Digest', async () => {
    const ok = fakeFetch(
      () =>
        new Response(manifest, {
          headers: { 'content-type': MediaTypes.ociManifest, 'docker-content-digest': manifestDigest },
        }),
    );
    const m = await client(ok.fetch).getManifest('a/b', 'latest');
    expect(m.kind).toBe('manifest');
    expect(m.digest).toBe(manifestDigest);
    expect(ok.calls[0]?.headers.accept?.split(', ')).toEqual([
      MediaTypes.ociIndex,
      MediaTypes.dockerManifestList,
      MediaTypes.ociManifest,
      MediaTypes.dockerManifest,
    ]);
    const lying = fakeFetch(() => new Response(manifest, { headers: { 'docker-content-digest': sha256('other') } }));
    const err = await client(lying.fetch)
      .getManifest('a/b', 'latest')
      .catch((e) => e);
    expect(isBerthError(err, 'DIGEST_MISMATCH')).toBe(true);
    const byDigest = await client(ok.fetch)
      .getManifest('a/b', sha256('not these bytes'))
      .catch((e) => e);
    expect(isBerthError(byDigest, 'DIGEST_MISMATCH')).toBe(true);
    expect(byDigest.details).toMatchObject({ registry: 'reg.example', repository: 'a/b', actual: manifestDigest });
  });

  it('refuses schema1, unknown media types, non-JSON and oversized manifests', async () => {
    const s1 = fakeFetch(() =>
      json({ schemaVersion: 1, name: 'a/b', fsLayers: [] }, 200, {
        'content-type': 'application/vnd.docker.distribution.manifest.v1+prettyjws',
      }),
    );
    const e1 = await client(s1.fetch)
      .getManifest('a/b', 'old')
      .catch((e) => e);
    expect(isBerthError(e1, 'REGISTRY_UNSUPPORTED')).toBe(true);
    expect(e1.message).toMatch(/schema1/);
    const odd = fakeFetch(() => json({ schemaVersion: 2, mediaType: 'application/vnd.example+json' }));
    expect(
      isBerthError(
        await client(odd.fetch)
          .getManifest('a/b', 'x')
          .catch((e) => e),
        'REGISTRY_UNSUPPORTED',
      ),
    ).toBe(true);
    const garbage = fakeFetch(() => new Response('<html>', { status: 200 }));
    expect(
      isBerthError(
        await client(garbage.fetch)
          .getManifest('a/b', 'x')
          .catch((e) => e),
        'REGISTRY_PROTOCOL',
      ),
    ).toBe(true);
    const huge = fakeFetch(() => new Response(Buffer.alloc(5 * 1024 * 1024, 32)));
    const e4 = await client(huge.fetch)
      .getManifest('a/b', 'x')
      .catch((e) => e);
    expect(isBerthError(e4, 'REGISTRY_PROTOCOL')).toBe(true);
    expect(e4.message).toMatch(/larger than/);
  });

  it('maps answers to codes with the registry errors: 404, 403, 401 without a challenge, 400', async () => {
    const cases: Array<[number, unknown, string]> = [
      [404, errors('MANIFEST_UNKNOWN', 'manifest unknown'), 'REGISTRY_NOT_FOUND'],
      [404, errors('NAME_UNKNOWN', 'repository name not known to registry'), 'REGISTRY_NOT_FOUND'],
      [403, errors('DENIED', 'requested access to the resource is denied'), 'REGISTRY_DENIED'],
      [401, errors('UNAUTHORIZED', 'authentication required'), 'REGISTRY_UNAUTHORIZED'],
      [400, errors('TAG_INVALID', 'manifest tag did not match URI'), 'REGISTRY_PROTOCOL'],
    ];
    for (const [status, body, code] of cases) {
      const f = fakeFetch(() => json(body, status));
      const err = await client(f.fetch)
        .getManifest('a/b', 'x')
        .catch((e) => e);
      expect(isBerthError(err), `${status}`).toBe(true);
      expect(err.code).toBe(code);
      expect(err.details).toMatchObject({ registry: 'reg.example', repository: 'a/b', status });
      expect(err.details.registryErrors[0].code).toBe((body as { errors: Array<{ code: string }> }).errors[0]?.code);
      expect(f.calls).toHaveLength(1); // 4xx: no retry
    }
  });

  it('retries 5xx and 429 with backoff (honouring Retry-After), then gives up with the status', async () => {
    let n = 0;
    const flaky = fakeFetch(() =>
      ++n <= 2 ? json(errors('UNAVAILABLE', 'busy'), 503) : new Response(manifest, { headers: {} }),
    );
    expect((await client(flaky.fetch).getManifest('a/b', 'x')).digest).toBe(manifestDigest);
    expect(flaky.calls).toHaveLength(3);

    const limited = fakeFetch(() => json(errors('TOOMANYREQUESTS', 'slow down'), 429, { 'retry-after': '0' }));
    const e = await client(limited.fetch, { retries: 2 })
      .getManifest('a/b', 'x')
      .catch((x) => x);
    expect(isBerthError(e, 'REGISTRY_RATE_LIMITED')).toBe(true);
    expect(limited.calls).toHaveLength(3);

    const down = fakeFetch(() => new Response('', { status: 500 }));
    const e2 = await client(down.fetch, { retries: 1 })
      .getManifest('a/b', 'x')
      .catch((x) => x);
    expect(isBerthError(e2, 'REGISTRY_PROTOCOL')).toBe(true);
    expect(e2.details.status).toBe(500);
  });

  it('REGISTRY_UNREACHABLE when nothing listens (after bounded retries)', async () => {
    const port = await freePort();
    const c = new RegistryClient(
      { registry: `127.0.0.1:${port}`, apiBase: `http://127.0.0.1:${port}` },
      { retries: 2, retryDelayMs: 1 },
    );
    const t = Date.now();
    const err = await c.getManifest('a/b', 'x').catch((e) => e);
    expect(isBerthError(err, 'REGISTRY_UNREACHABLE')).toBe(true);
    expect(err.message).toMatch(/ECONNREFUSED/);
    expect(Date.now() - t).toBeLessThan(5000);
  });

  it('respects an AbortSignal, also while waiting to retry', async () => {
    const ctrl = new AbortController();
    const slow = fakeFetch(() => json({}, 503, { 'retry-after': '5' }));
    const p = client(slow.fetch).getManifest('a/b', 'x', { signal: ctrl.signal });
    setTimeout(() => ctrl.abort(), 50);
    const err = await p.catch((e) => e);
    expect(err.name).toBe('AbortError');
    expect(slow.calls).toHaveLength(1);
  });

  it('refuses a redirect from https to http and does not forward credentials to another host', async () => {
    const down = fakeFetch((url) =>
      url.hostname === 'reg.example'
        ? new Response(null, { status: 307, headers: { location: 'http://cdn.example/x' } })
        : new Response('x'),
    );
    const err = await client(down.fetch)
      .fetchBlobBytes('a/b', { digest: sha256('x'), size: 1 })
      .catch((e) => e);
    expect(isBerthError(err, 'REGISTRY_PROTOCOL')).toBe(true);
    expect(err.message).toMatch(/https to plain http/);

    const c = new RegistryClient(
      { registry: 'reg.example', apiBase: 'https://reg.example' },
      {
        auth: { credentials: { username: 'u', password: 'p' } },
        fetch: fakeFetch(() => new Response('')).fetch,
      },
    );
    // Teach the client that reg.example wants Basic, then follow a redirect elsewhere.
    await c.transport.auth.onUnauthorized({
      registry: 'reg.example',
      repository: 'a/b',
      scopes: [],
      challenge: 'Basic realm="r"',
      sent: undefined,
      registryErrors: [],
    });
    const cross = fakeFetch((url) =>
      url.hostname === 'reg.example'
        ? new Response(null, { status: 302, headers: { location: 'https://storage.example/blob?sig=1' } })
        : new Response('x'),
    );
    const c2 = new RegistryClient(
      { registry: 'reg.example', apiBase: 'https://reg.example' },
      { auth: c.transport.auth, fetch: cross.fetch },
    );
    expect((await c2.fetchBlobBytes('a/b', { digest: sha256('x'), size: 1 })).toString()).toBe('x');
    expect(cross.calls[0]?.headers.authorization).toMatch(/^Basic /);
    expect(cross.calls[1]?.url).toBe('https://storage.example/blob?sig=1');
    expect(cross.calls[1]?.headers.authorization).toBeUndefined();
  });

  it('a blob longer than its descriptor is DIGEST_MISMATCH and leaves nothing behind', async () => {
    const body = Buffer.alloc(3000, 7);
    const f = fakeFetch(() => new Response(body));
    const sink = new TempBlobStore(fs.mkdtempSync(path.join(tmp, 's-')));
    const digest = sha256(body.subarray(0, 1000));
    const err = await client(f.fetch)
      .fetchBlob('a/b', { digest, size: 1000 }, sink)
      .catch((e) => e);
    expect(isBerthError(err, 'DIGEST_MISMATCH')).toBe(true);
    expect(fs.existsSync(sink.partialPath(digest))).toBe(false);
    expect(sink.commits).toEqual([]);
  });

  it('a bad partial file left by an earlier run is dropped and the blob fetched again from zero', async () => {
    const body = Buffer.from('0123456789'.repeat(1000));
    const digest = sha256(body);
    const f = fakeFetch((_url, init) => {
      const m = /^bytes=(\d+)-$/.exec(init.headers.range ?? '');
      if (!m) return new Response(body);
      const start = Number(m[1]);
      return new Response(body.subarray(start), {
        status: 206,
        headers: { 'content-range': `bytes ${start}-${body.length - 1}/${body.length}` },
      });
    });
    const c = client(f.fetch);
    // A corrupt prefix: resumed, mismatch, then once more from zero.
    const sink = new TempBlobStore(fs.mkdtempSync(path.join(tmp, 's-')));
    fs.writeFileSync(sink.partialPath(digest), Buffer.alloc(4000, 1));
    expect(await c.fetchBlob('a/b', { digest, size: body.length }, sink)).toBe('downloaded');
    expect(f.calls.map((q) => q.headers.range)).toEqual(['bytes=4000-', undefined]);
    expect((await sink.read(digest)).equals(body)).toBe(true);
    // A complete but wrong partial: never sent as a Range, fetched again.
    f.calls.length = 0;
    const sink2 = new TempBlobStore(fs.mkdtempSync(path.join(tmp, 's-')));
    fs.writeFileSync(sink2.partialPath(digest), Buffer.alloc(body.length, 2));
    await c.fetchBlob('a/b', { digest, size: body.length }, sink2);
    expect(f.calls.map((q) => q.headers.range)).toEqual([undefined]);
    expect(sink2.commits).toEqual([digest]);
  });

  it('one download per blob even when asked for it concurrently', async () => {
    const body = Buffer.alloc(200_000, 3);
    const digest = sha256(body);
    const f = fakeFetch(async () => {
      await new Promise((r) => setTimeout(r, 20));
      return new Response(body);
    });
    const sink = new TempBlobStore(fs.mkdtempSync(path.join(tmp, 's-')));
    const c = client(f.fetch);
    const results = await Promise.all([1, 2, 3].map(() => c.fetchBlob('a/b', { digest, size: body.length }, sink)));
    expect(results.sort()).toEqual(['downloaded', 'exists', 'exists']);
    expect(f.calls).toHaveLength(1);
    expect(sink.commits).toEqual([digest]);
  });
});
