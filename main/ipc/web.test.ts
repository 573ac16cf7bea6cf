import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { EventHub } from '../api/event-hub';
import { Router, type HelperCaller, type MainHandlers } from '../api/router';
import { parseTarget, startWebServer, type WebServer } from './web';
import { MAX_SESSIONS } from './web-auth';
import { openSession, sessionProtocols } from './web-test-client';
import type { WsServerMessage } from '../../preload/api';

const helper: HelperCaller = {
  call: async () => {
    throw new Error('no helper in this test');
  },
};

let server: WebServer;
let base: string;
let dir: string;
let session: string;
const logged: string[] = [];
const hub = new EventHub();

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-web-'));
  fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>Berth</title>');
  fs.mkdirSync(path.join(dir, 'assets'));
  fs.writeFileSync(path.join(dir, 'assets', 'app.js'), 'console.log(1)');
  const router = new Router(
    {
      'app.version': async (_p, ctx) => ({
        version: 't',
        transport: ctx.transport,
        node: process.versions.node,
        electron: null,
      }),
      'app.helperState': async () => ({ state: 'disconnected', at: new Date(0).toISOString() }),
    } satisfies Pick<MainHandlers, 'app.version' | 'app.helperState'> as unknown as MainHandlers,
    helper,
  );
  server = await startWebServer({ backend: { router, hub }, staticDir: dir, log: (l) => logged.push(l) });
  base = `http://127.0.0.1:${server.port}`;
  session = await openSession(base, server.token);
});

afterAll(async () => {
  await server.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function openWs(headers: Record<string, string>, protocols: string[] = []): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws`, protocols, { headers });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`status ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

function nextMessage(ws: WebSocket): Promise<WsServerMessage> {
  return new Promise((resolve) => ws.once('message', (d) => resolve(JSON.parse(d.toString()) as WsServerMessage)));
}

/** Bytes straight onto a socket; resolves with everything the server sent before closing (or `ms` passing). */
function rawExchange(bytes: string, ms = 3000): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(server.port, '127.0.0.1');
    let got = '';
    const timer = setTimeout(() => {
      s.destroy();
      resolve(got);
    }, ms);
    s.on('data', (d) => (got += d.toString('latin1')));
    s.on('close', () => {
      clearTimeout(timer);
      resolve(got);
    });
    s.on('error', (e) => {
      clearTimeout(timer);
      if ((e as NodeJS.ErrnoException).code === 'ECONNRESET') resolve(got);
      else reject(e);
    });
    s.write(bytes);
  });
}

const statusOf = (reply: string) => Number(/^HTTP\/1\.1 (\d{3})/.exec(reply)?.[1] ?? 0);

async function stillServes(): Promise<void> {
  const r = await fetch(base + '/session', { headers: { authorization: `Bearer ${session}` } });
  expect(r.status).toBe(200);
}

describe('web mode: no request line can throw out of a handler', () => {
  it('parseTarget takes origin-form paths only and never throws', () => {
    expect(parseTarget('//[')?.pathname).toBe('//[');
    expect(parseTarget('//evil.example/ws')?.host).toBe('berth.invalid');
    expect(parseTarget('/a?b=c')?.searchParams.get('b')).toBe('c');
    for (const t of [undefined, '', '*', 'http://evil.example/', 'ws', '%']) expect(parseTarget(t)).toBeNull();
  });

  it('GET //[ is answered, not a crash (the issue: new URL threw before the token check)', async () => {
    // `//[` is a legal (odd) path: the single-page shell answers it, as any unknown path.
    const reply = await rawExchange(`GET //[ HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nConnection: close\r\n\r\n`);
    expect(statusOf(reply)).toBe(200);
    for (const target of ['http://[', '*', 'x']) {
      const r = await rawExchange(
        `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nConnection: close\r\n\r\n`,
      );
      expect(statusOf(r), target).toBe(400);
    }
    await stillServes();
  });

  it('the same target on the upgrade path is refused, not a crash', async () => {
    for (const target of ['//[', '//[/ws', 'http://[', '*']) {
      const reply = await rawExchange(
        `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
          `Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n` +
          `Sec-WebSocket-Protocol: ${sessionProtocols(session).join(', ')}\r\n\r\n`,
      );
      // Not a path: 400; a path other than /ws: 404.
      expect(statusOf(reply), `${target}: ${reply.slice(0, 80)}`).toBe(target.startsWith('//') ? 404 : 400);
    }
    await stillServes();
  });

  it('an absolute-form target cannot reach the API under another name', async () => {
    const reply = await rawExchange(
      `GET http://127.0.0.1:${server.port}/session HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nAuthorization: Bearer ${session}\r\nConnection: close\r\n\r\n`,
    );
    expect(statusOf(reply)).toBe(400);
  });
});

describe('web mode gate', () => {
  it('prints a 127.0.0.1 URL with the token', () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/?token=${server.token}`);
    expect(server.token.length).toBeGreaterThanOrEqual(40);
  });

  it('serves the renderer without a credential, the shell no-store, and sets no cookie', async () => {
    const page = await fetch(server.url);
    expect(page.status).toBe(200);
    expect(page.headers.get('set-cookie')).toBeNull();
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    expect(await page.text()).toContain('<title>Berth</title>');
    const js = await fetch(base + '/assets/app.js');
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toMatch(/^text\/javascript/);
  });

  it('trades the token, and only the token, for a session (POST /session)', async () => {
    const r = await fetch(base + '/session', { method: 'POST', headers: { authorization: `Bearer ${server.token}` } });
    expect(r.status).toBe(200);
    expect(r.headers.get('cache-control')).toBe('no-store');
    expect(r.headers.get('set-cookie')).toBeNull();
    const { session: s } = (await r.json()) as { session: string };
    expect(s).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(s).not.toBe(server.token);
    for (const headers of [
      {},
      { authorization: 'Bearer wrong' },
      { authorization: `Bearer ${s}` }, // a session does not mint sessions
      { cookie: `berth_token=${server.token}` },
    ] as Record<string, string>[]) {
      const bad = await fetch(base + '/session', { method: 'POST', headers });
      expect(bad.status).toBe(401);
      expect(await bad.json()).toMatchObject({ code: 'UNAUTHORIZED' });
    }
    // GET checks a session; the token itself is not one.
    expect((await fetch(base + '/session', { headers: { authorization: `Bearer ${s}` } })).status).toBe(200);
    expect((await fetch(base + '/session', { headers: { authorization: `Bearer ${server.token}` } })).status).toBe(401);
    // DELETE ends it.
    expect(
      (await fetch(base + '/session', { method: 'DELETE', headers: { authorization: `Bearer ${s}` } })).status,
    ).toBe(204);
    expect((await fetch(base + '/session', { headers: { authorization: `Bearer ${s}` } })).status).toBe(401);
  });

  it(`keeps at most ${MAX_SESSIONS} sessions, dropping the oldest`, async () => {
    const first = await openSession(base, server.token);
    for (let i = 0; i < MAX_SESSIONS; i++) await openSession(base, server.token);
    expect((await fetch(base + '/session', { headers: { authorization: `Bearer ${first}` } })).status).toBe(401);
    session = await openSession(base, server.token);
  });

  it('refuses foreign origins and foreign Host headers, on static files too', async () => {
    const r = await fetch(base + '/', { headers: { origin: 'http://evil.example' } });
    expect(r.status).toBe(403);
    expect(await r.json()).toMatchObject({ code: 'FORBIDDEN_ORIGIN' });
    const trade = await fetch(base + '/session', {
      method: 'POST',
      headers: { authorization: `Bearer ${server.token}`, origin: 'http://evil.example' },
    });
    expect(trade.status).toBe(403);
    // fetch() cannot set Host; a DNS-rebinding page would arrive with its own name.
    for (const p of ['/', '/session']) {
      const reply = await rawExchange(
        `GET ${p} HTTP/1.1\r\nHost: evil.example:${server.port}\r\nAuthorization: Bearer ${session}\r\nConnection: close\r\n\r\n`,
      );
      expect(statusOf(reply)).toBe(403);
    }
  });

  it('never serves a file outside the renderer dir', async () => {
    const r = await fetch(base + '/..%2f..%2f..%2fetc%2fpasswd');
    expect(await r.text()).not.toContain('root:');
  });

  it('refuses WebSocket upgrades without a session, with a cookie only, or from a foreign origin', async () => {
    await expect(openWs({})).rejects.toThrow(/401/);
    await expect(openWs({ cookie: `berth_token=${server.token}` })).rejects.toThrow(/401/);
    await expect(openWs({ cookie: `berth_session=${session}` }, ['berth.v1'])).rejects.toThrow(/401/);
    await expect(openWs({ authorization: `Bearer ${session}` })).rejects.toThrow(/401/);
    await expect(openWs({}, sessionProtocols(server.token))).rejects.toThrow(/401/);
    // The session without berth.v1 next to it is not the page's protocol.
    await expect(openWs({}, [sessionProtocols(session)[1]!])).rejects.toThrow(/401/);
    await expect(openWs({ origin: 'http://evil.example' }, sessionProtocols(session))).rejects.toThrow(/403/);
  });

  it('echoes only berth.v1, never the session protocol', async () => {
    const ws = await openWs({ origin: base }, sessionProtocols(session));
    expect(ws.protocol).toBe('berth.v1');
    ws.close();
  });
});

describe('web mode messages', () => {
  it('invokes the router, keeps error codes, and survives garbage', async () => {
    const ws = await openWs({ origin: base }, sessionProtocols(session));
    ws.send(JSON.stringify({ type: 'invoke', id: 1, method: 'app.version', params: {} }));
    expect(await nextMessage(ws)).toMatchObject({
      type: 'result',
      id: 1,
      envelope: { ok: true, result: { transport: 'web' } },
    });
    ws.send('{not json');
    expect(await nextMessage(ws)).toMatchObject({
      type: 'result',
      id: -1,
      envelope: { ok: false, error: { code: 'BAD_REQUEST' } },
    });
    ws.send(JSON.stringify({ type: 'invoke', id: 2, method: 'nope', params: {} }));
    expect(await nextMessage(ws)).toMatchObject({
      id: 2,
      envelope: { ok: false, error: { code: 'METHOD_NOT_FOUND' } },
    });
    ws.close();
  });

  it('delivers subscribed events until cancelled', async () => {
    const ws = await openWs({}, sessionProtocols(session));
    ws.send(JSON.stringify({ type: 'subscribe', id: 5, event: 'helper.state' }));
    expect(await nextMessage(ws)).toEqual({ type: 'subscribed', id: 5 });
    const at = new Date().toISOString();
    hub.emit('helper.state', { state: 'connected', pid: 3, at });
    expect(await nextMessage(ws)).toEqual({ type: 'event', id: 5, payload: { state: 'connected', pid: 3, at } });
    ws.send(JSON.stringify({ type: 'unsubscribe', id: 5 }));
    ws.send(JSON.stringify({ type: 'subscribe', id: 6, event: 'no.such' }));
    expect(await nextMessage(ws)).toMatchObject({ type: 'subscribed', id: 6, error: { code: 'EVENT_NOT_FOUND' } });
    hub.emit('helper.state', { state: 'disconnected', at });
    ws.send(JSON.stringify({ type: 'invoke', id: 7, method: 'app.version', params: {} }));
    // The next message is the invoke's answer: the cancelled subscription sent nothing.
    expect(await nextMessage(ws)).toMatchObject({ type: 'result', id: 7 });
    expect(hub.listenerCount('helper.state')).toBe(0);
    ws.close();
  });
});

describe('web mode limits', () => {
  it('caps subscriptions per connection (TOO_MANY_SUBSCRIPTIONS) and frees them on close', async () => {
    const ws = await openWs({}, sessionProtocols(session));
    const answers: WsServerMessage[] = [];
    ws.on('message', (d) => answers.push(JSON.parse(d.toString()) as WsServerMessage));
    for (let id = 1; id <= 1025; id++) ws.send(JSON.stringify({ type: 'subscribe', id, event: 'helper.state' }));
    await expect.poll(() => answers.length).toBe(1025);
    expect(answers.filter((a) => a.type === 'subscribed' && !a.error)).toHaveLength(1024);
    expect(answers.at(-1)).toMatchObject({ id: 1025, error: { code: 'TOO_MANY_SUBSCRIPTIONS' } });
    expect(hub.listenerCount('helper.state')).toBe(1024);
    ws.close();
    await expect.poll(() => hub.listenerCount('helper.state')).toBe(0);
  });
});
