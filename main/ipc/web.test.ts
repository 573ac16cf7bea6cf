import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { EventHub } from '../api/event-hub';
import { Router, type HelperCaller, type MainHandlers } from '../api/router';
import { startWebServer, type WebServer } from './web';
import type { WsServerMessage } from '../../preload/api';

const helper: HelperCaller = {
  call: async () => {
    throw new Error('no helper in this test');
  },
};

let server: WebServer;
let base: string;
let dir: string;
const hub = new EventHub();

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-web-'));
  fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>Berth</title>');
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
  server = await startWebServer({ backend: { router, hub }, staticDir: dir });
  base = `http://127.0.0.1:${server.port}`;
});

afterAll(async () => {
  await server.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const cookie = () => `berth_token=${server.token}`;

function openWs(headers: Record<string, string>): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws`, { headers });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`status ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

function nextMessage(ws: WebSocket): Promise<WsServerMessage> {
  return new Promise((resolve) => ws.once('message', (d) => resolve(JSON.parse(d.toString()) as WsServerMessage)));
}

describe('web mode gate', () => {
  it('prints a 127.0.0.1 URL with the token', () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/?token=${server.token}`);
    expect(server.token.length).toBeGreaterThanOrEqual(40);
  });

  it('refuses requests without the token', async () => {
    const r = await fetch(base + '/');
    expect(r.status).toBe(401);
    expect(await r.json()).toMatchObject({ code: 'UNAUTHORIZED' });
    expect((await fetch(base + '/?token=wrong')).status).toBe(401);
    expect((await fetch(base + '/assets/x.js', { headers: { cookie: 'berth_token=nope' } })).status).toBe(401);
  });

  it('trades the URL token for an HttpOnly SameSite cookie', async () => {
    const r = await fetch(server.url, { redirect: 'manual' });
    expect(r.status).toBe(303);
    expect(r.headers.get('location')).toBe('/');
    expect(r.headers.get('set-cookie')).toMatch(/^berth_token=[^;]+; HttpOnly; SameSite=Strict; Path=\/$/);
    const page = await fetch(base + '/', { headers: { cookie: cookie() } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(await page.text()).toContain('<title>Berth</title>');
  });

  it('refuses foreign origins and foreign Host headers even with the token', async () => {
    const r = await fetch(base + '/', { headers: { cookie: cookie(), origin: 'http://evil.example' } });
    expect(r.status).toBe(403);
    expect(await r.json()).toMatchObject({ code: 'FORBIDDEN_ORIGIN' });
    // fetch() cannot set Host; a DNS-rebinding page would arrive with its own name.
    const status = await new Promise<number | undefined>((resolve, reject) => {
      http
        .get(
          {
            host: '127.0.0.1',
            port: server.port,
            path: '/',
            headers: { authorization: `Bearer ${server.token}`, host: `evil.example:${server.port}` },
          },
          (res) => {
            res.resume();
            resolve(res.statusCode);
          },
        )
        .on('error', reject);
    });
    expect(status).toBe(403);
  });

  it('never serves a file outside the renderer dir', async () => {
    const r = await fetch(base + '/..%2f..%2f..%2fetc%2fpasswd', { headers: { cookie: cookie() } });
    expect(await r.text()).not.toContain('root:');
  });

  it('refuses WebSocket upgrades without the cookie or from a foreign origin', async () => {
    await expect(openWs({})).rejects.toThrow(/401/);
    await expect(openWs({ cookie: cookie(), origin: 'http://evil.example' })).rejects.toThrow(/403/);
  });
});

describe('web mode messages', () => {
  it('invokes the router, keeps error codes, and survives garbage', async () => {
    const ws = await openWs({ cookie: cookie(), origin: base });
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
    const ws = await openWs({ cookie: cookie() });
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
