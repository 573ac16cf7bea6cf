/**
 * Web mode: the same router over HTTP (the built renderer) and a WebSocket
 * (the same messages as Electron IPC). Bound to 127.0.0.1 by default.
 *
 * Credentials (web-auth.ts): the printed token is traded once per page for a
 * session secret (`POST /session`), which the page sends as a Bearer header
 * on API calls and as a WebSocket subprotocol. The renderer's static files
 * are served without one; Host and Origin are checked on every request.
 *
 * No input may take the server down: every handler runs inside a guard that
 * answers 500 (or cuts the socket) and logs, malformed request lines and
 * headers get 4xx from `clientError`, and WebSocket frames are checked by
 * `ws`, which closes the socket on a protocol error.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { z } from 'zod';
import { isEventName } from '../../preload/contract';
import { CHUNK_PUT_PATH, WEB_SESSION_PATH, WS_SUBPROTOCOL, type WsServerMessage } from '../../preload/api';
import type { ErrorShape } from '../../preload/errors';
import type { Backend } from '../api/backend';
import {
  UNAUTHORIZED,
  WebAuth,
  bearer,
  checkOrigin,
  gateFor,
  isWildcardHost,
  newToken,
  protocolSession,
  type Refusal,
} from './web-auth';
import { checkBindHost } from './web-bind';
import { ClientScope } from '../api/router';
import { serveStatic } from './static-files';
import { serveChunkPut } from './web-chunks';

export interface WebServerOptions {
  backend: Pick<Backend, 'router' | 'hub'>;
  staticDir: string;
  host?: string;
  port?: number;
  token?: string;
  /** Where unexpected errors go (one line each); stderr by default. */
  log?: (line: string) => void;
  /** Required to listen on a non-loopback host (web-bind.ts): plain HTTP to the network. */
  insecureRemote?: boolean;
}

export interface WebServer {
  url: string;
  /** Set when listening beyond loopback: print it. */
  warning: string | null;
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
/** Per connection: the page holds a few dozen; a client asking for more is not the page. */
const MAX_SUBSCRIPTIONS = 1024;
/** Node's own default; named here because the fuzz test sends past it (431). */
export const MAX_HEADER_BYTES = 16 * 1024;

function securityHeaders(host: string): Record<string, string> {
  return {
    'content-security-policy': `default-src 'self'; script-src 'self'; connect-src 'self' ws://${host}; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'`,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
  };
}

/**
 * The request-target as a URL, or null. Only origin-form (`/path?query`) is
 * served; `new URL(target, base)` would throw on `//[` and read `//host/x`
 * as another host, so the target is appended to a fixed origin instead.
 */
export function parseTarget(target: string | undefined): URL | null {
  if (typeof target !== 'string' || !target.startsWith('/')) return null;
  try {
    return new URL(`http://berth.invalid${target}`);
  } catch {
    return null;
  }
}

function json(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(body));
}

const badRequest = (message: string): Refusal => ({ status: 400, error: { code: 'BAD_REQUEST', message } });

/** A refusal written straight to an upgrade's raw socket (no ServerResponse exists there). */
function refuseUpgrade(socket: Duplex, r: Refusal): void {
  const body = JSON.stringify(r.error);
  socket.end(
    `HTTP/1.1 ${r.status} ${http.STATUS_CODES[r.status]}\r\ncontent-type: application/json\r\ncache-control: no-store\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}

function describe(err: unknown): string {
  return err instanceof Error ? (err.stack ?? err.message) : String(err);
}

export async function startWebServer(opts: WebServerOptions): Promise<WebServer> {
  const host = opts.host ?? '127.0.0.1';
  const { warning } = checkBindHost(host, opts.insecureRemote ?? false);
  const auth = new WebAuth(opts.token ?? newToken());
  const log = opts.log ?? ((line: string) => process.stderr.write(line + '\n'));
  const { router, hub } = opts.backend;
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_WS_MESSAGE,
    // Echo only the non-secret protocol; the session one stays unanswered.
    handleProtocols: (offered) => (offered.has(WS_SUBPROTOCOL) ? WS_SUBPROTOCOL : false),
  });
  let gate = gateFor(host, 0);

  /** Runs a handler; whatever it throws or rejects is logged and answered 500, or the socket is cut. */
  function guarded(what: string, res: http.ServerResponse, run: () => void | Promise<void>): void {
    const fail = (err: unknown) => {
      log(`web: ${what}: unexpected error: ${describe(err)}`);
      if (!res.headersSent) json(res, 500, { code: 'INTERNAL', message: 'unexpected server error (logged)' });
      else res.destroy();
    };
    try {
      const p = run();
      if (p) p.catch(fail);
    } catch (err) {
      fail(err);
    }
  }

  function onRequest(req: http.IncomingMessage, res: http.ServerResponse): void | Promise<void> {
    const url = parseTarget(req.url);
    if (!url) return json(res, 400, badRequest('the request target must be a path').error);
    const refusal = checkOrigin(gate, req);
    if (refusal) return json(res, refusal.status, refusal.error);
    if (url.pathname === WEB_SESSION_PATH) return onSession(req, res);
    if (url.pathname.startsWith(CHUNK_PUT_PATH)) {
      if (req.method !== 'PUT') return json(res, 405, { code: 'METHOD_NOT_ALLOWED', message: 'chunks are PUT' });
      if (!auth.valid(bearer(req))) return json(res, UNAUTHORIZED.status, UNAUTHORIZED.error);
      return serveChunkPut(router, req, res, url);
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return json(res, 405, { code: 'METHOD_NOT_ALLOWED', message: `${String(req.method).slice(0, 16)} not allowed` });
    }
    return serveStatic(opts.staticDir, url.pathname, res, {
      headers: securityHeaders(req.headers.host ?? ''),
      log,
      head: req.method === 'HEAD',
    });
  }

  /** POST trades the token for a session; GET checks a session; DELETE ends one. */
  function onSession(req: http.IncomingMessage, res: http.ServerResponse): void {
    req.resume(); // no body is read here
    if (req.method === 'POST') {
      const session = auth.trade(bearer(req));
      if (session === null) {
        return json(res, 401, { code: 'UNAUTHORIZED', message: 'not the token `berth web` printed for this start' });
      }
      return json(res, 200, { session });
    }
    const presented = bearer(req);
    if (req.method === 'GET') {
      return auth.valid(presented) ? json(res, 200, { ok: true }) : json(res, UNAUTHORIZED.status, UNAUTHORIZED.error);
    }
    if (req.method === 'DELETE') {
      if (presented === null || !auth.revoke(presented)) return json(res, UNAUTHORIZED.status, UNAUTHORIZED.error);
      res.writeHead(204, { 'cache-control': 'no-store' }).end();
      return;
    }
    json(res, 405, { code: 'METHOD_NOT_ALLOWED', message: 'POST, GET or DELETE' });
  }

  function onUpgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = parseTarget(req.url);
    if (!url) return refuseUpgrade(socket, badRequest('the request target must be a path'));
    const refusal = checkOrigin(gate, req);
    if (refusal) return refuseUpgrade(socket, refusal);
    if (url.pathname !== '/ws') {
      return refuseUpgrade(socket, { status: 404, error: { code: 'NOT_FOUND', message: 'no such endpoint' } });
    }
    if (!auth.valid(protocolSession(req))) return refuseUpgrade(socket, UNAUTHORIZED);
    wss.handleUpgrade(req, socket, head, (ws) => serveSocket(ws));
  }

  const server = http.createServer(
    { maxHeaderSize: MAX_HEADER_BYTES, headersTimeout: 20_000, requestTimeout: 120_000 },
    (req, res) => guarded(`${String(req.method).slice(0, 16)} request`, res, () => onRequest(req, res)),
  );

  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    // Node hands the socket over without an error listener: a reset would otherwise be thrown.
    socket.on('error', () => socket.destroy());
    try {
      onUpgrade(req, socket, head);
    } catch (err) {
      log(`web: upgrade: unexpected error: ${describe(err)}`);
      socket.destroy();
    }
  });

  // Malformed request lines, bad headers, oversized headers, timeouts: a 4xx and close.
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
    socket.end(`HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n`);
  });

  server.on('error', (err) => log(`web: server: ${describe(err)}`));

  function serveSocket(ws: WebSocket): void {
    const subs = new Map<number, () => void>();
    // The sessions this page attached are detached when it goes (a reload reattaches; idle ones are reaped).
    const client = new ClientScope();
    const send = (m: WsServerMessage) => {
      if (ws.readyState !== ws.OPEN) return;
      let text: string;
      try {
        text = JSON.stringify(m);
      } catch (err) {
        log(`web: a ${m.type} message could not be encoded: ${describe(err)}`);
        const error: ErrorShape = { code: 'INTERNAL', message: 'the answer could not be encoded (logged)' };
        text = JSON.stringify(
          m.type === 'event'
            ? { type: 'subscribed', id: m.id, error }
            : { type: 'result', id: m.id, envelope: { ok: false, error } },
        );
      }
      ws.send(text);
    };
    const onMessage = (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => {
      let raw: unknown;
      try {
        raw = isBinary ? undefined : JSON.parse(String(data));
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
        router
          .dispatch(m.method, m.params, { transport: 'web', client })
          .then((envelope) => send({ type: 'result', id: m.id, envelope }))
          .catch((err: unknown) => {
            log(`web: ${m.method.slice(0, 64)}: unexpected error: ${describe(err)}`);
            send({
              type: 'result',
              id: m.id,
              envelope: { ok: false, error: { code: 'INTERNAL', message: 'unexpected server error (logged)' } },
            });
          });
      } else if (m.type === 'subscribe') {
        if (!isEventName(m.event)) {
          send({
            type: 'subscribed',
            id: m.id,
            error: { code: 'EVENT_NOT_FOUND', message: `no such event: ${m.event.slice(0, 64)}` },
          });
          return;
        }
        if (!subs.has(m.id) && subs.size >= MAX_SUBSCRIPTIONS) {
          send({
            type: 'subscribed',
            id: m.id,
            error: { code: 'TOO_MANY_SUBSCRIPTIONS', message: `at most ${MAX_SUBSCRIPTIONS} per connection` },
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
    };
    ws.on('message', (data, isBinary) => {
      try {
        onMessage(data, isBinary);
      } catch (err) {
        log(`web: WebSocket message: unexpected error: ${describe(err)}`);
        ws.close(1011, 'unexpected server error');
      }
    });
    ws.on('close', () => {
      for (const off of subs.values()) off();
      subs.clear();
      router.release(client);
    });
    // `ws` has already sent the close frame a protocol error calls for (1002, 1007, 1009).
    ws.on('error', () => ws.terminate());
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  gate = gateFor(host, port);
  // A wildcard bind prints the loopback URL; other machines use this one's address.
  const shownHost = isWildcardHost(host) ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${port}/?token=${auth.token}`,
    warning,
    port,
    token: auth.token,
    close: async () => {
      for (const c of wss.clients) c.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
