/**
 * Web mode: the same router over HTTP (the built renderer) and a WebSocket
 * (the same messages as Electron IPC). Bound to 127.0.0.1 by default; every
 * request needs the per-start token.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { z } from 'zod';
import { isEventName } from '../../preload/contract';
import { CHUNK_PUT_PATH, type WsServerMessage } from '../../preload/api';
import type { Backend } from '../api/backend';
import { ClientScope } from '../api/router';
import { COOKIE, check, gateFor, newToken } from './web-auth';
import { serveStatic } from './static-files';
import { serveChunkPut } from './web-chunks';

export interface WebServerOptions {
  backend: Pick<Backend, 'router' | 'hub'>;
  staticDir: string;
  host?: string;
  port?: number;
  token?: string;
}

export interface WebServer {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

const WsClientMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('invoke'), id: z.number().int(), method: z.string().max(256), params: z.unknown() }),
  z.object({ type: z.literal('subscribe'), id: z.number().int(), event: z.string().max(256) }),
  z.object({ type: z.literal('unsubscribe'), id: z.number().int() }),
]);

const MAX_WS_MESSAGE = 16 * 1024 * 1024;

function securityHeaders(host: string): Record<string, string> {
  return {
    'content-security-policy': `default-src 'self'; script-src 'self'; connect-src 'self' ws://${host}; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'`,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
  };
}

export async function startWebServer(opts: WebServerOptions): Promise<WebServer> {
  const host = opts.host ?? '127.0.0.1';
  const token = opts.token ?? newToken();
  const { router, hub } = opts.backend;
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_WS_MESSAGE });
  let port = 0;
  const gate = () => gateFor(token, host, port);

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://placeholder');
    const verdict = check(gate(), req, url);
    if (!verdict.ok) {
      res.writeHead(verdict.status, { 'content-type': 'application/json' }).end(JSON.stringify(verdict.error));
      return;
    }
    if (verdict.viaQuery) {
      // Trade the URL token for a cookie and drop it from the address bar.
      url.searchParams.delete('token');
      res
        .writeHead(303, {
          'set-cookie': `${COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`,
          location: url.pathname + (url.search || ''),
        })
        .end();
      return;
    }
    if (req.method === 'PUT' && url.pathname.startsWith(CHUNK_PUT_PATH)) {
      void serveChunkPut(router, req, res, url);
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { 'content-type': 'text/plain' }).end('method not allowed');
      return;
    }
    serveStatic(opts.staticDir, url.pathname, res, securityHeaders(req.headers.host ?? ''));
  });

  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://placeholder');
    const verdict = check(gate(), req, url);
    if (!verdict.ok || url.pathname !== '/ws') {
      const status = verdict.ok ? 404 : verdict.status;
      const body = JSON.stringify(verdict.ok ? { code: 'NOT_FOUND', message: 'no such endpoint' } : verdict.error);
      socket.end(
        `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
      );
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => serveSocket(ws));
  });

  function serveSocket(ws: WebSocket): void {
    const subs = new Map<number, () => void>();
    // The sessions this page attached are detached when it goes (a reload reattaches; idle ones are reaped).
    const client = new ClientScope();
    const send = (m: WsServerMessage) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(m));
    };
    ws.on('message', (data, isBinary) => {
      let raw: unknown;
      try {
        raw = isBinary ? undefined : JSON.parse(data.toString());
      } catch {
        raw = undefined;
      }
      const msg = WsClientMessage.safeParse(raw);
      if (!msg.success) {
        send({
          type: 'result',
          id: -1,
          envelope: { ok: false, error: { code: 'BAD_REQUEST', message: 'not a Berth web message' } },
        });
        return;
      }
      const m = msg.data;
      if (m.type === 'invoke') {
        void router
          .dispatch(m.method, m.params, { transport: 'web', client })
          .then((envelope) => send({ type: 'result', id: m.id, envelope }));
      } else if (m.type === 'subscribe') {
        if (!isEventName(m.event)) {
          send({
            type: 'subscribed',
            id: m.id,
            error: { code: 'EVENT_NOT_FOUND', message: `no such event: ${m.event}` },
          });
          return;
        }
        subs.get(m.id)?.();
        subs.set(
          m.id,
          hub.on(m.event, (payload) => send({ type: 'event', id: m.id, payload })),
        );
        send({ type: 'subscribed', id: m.id });
      } else {
        subs.get(m.id)?.();
        subs.delete(m.id);
      }
    });
    ws.on('close', () => {
      for (const off of subs.values()) off();
      subs.clear();
      router.release(client);
    });
    ws.on('error', () => ws.terminate());
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${port}/?token=${token}`,
    port,
    token,
    close: async () => {
      for (const c of wss.clients) c.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
