/**
 * Web mode's gatekeeping, kept apart from the server so it can be tested
 * alone:
 * - every request: Host must be one this server answers to (DNS rebinding)
 *   and a present Origin must be our own (cross-site pages);
 * - the printed per-start token is good for one thing only: `POST /session`
 *   trades it for a fresh session secret, which the page keeps in
 *   sessionStorage (never a cookie: cookies are not port-scoped, so every
 *   other server on 127.0.0.1 the browser visits would receive one);
 * - API calls present the session as `Authorization: Bearer <session>` (HTTP)
 *   or as the subprotocol `berth.session.<session>` (WebSocket upgrade).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import os from 'node:os';
import { WS_SESSION_PROTOCOL_PREFIX, WS_SUBPROTOCOL } from '../../preload/api';
import type { ErrorShape } from '../../preload/errors';

export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** At most this many live sessions; the oldest is dropped first (each page load of a new tab makes one). */
export const MAX_SESSIONS = 256;

/** The per-start token and the sessions traded for it (in memory: a restart ends them all). */
export class WebAuth {
  private readonly sessions = new Set<string>();

  constructor(readonly token: string) {}

  /** A new session for the right token, else null. */
  trade(presented: string | null): string | null {
    if (presented === null || !sameSecret(presented, this.token)) return null;
    const session = newToken();
    this.sessions.add(session);
    if (this.sessions.size > MAX_SESSIONS) this.sessions.delete(this.sessions.values().next().value!);
    return session;
  }

  /** Constant-time per comparison: a Set lookup would not be, so sessions are compared one by one. */
  valid(presented: string | null): boolean {
    if (presented === null) return false;
    let ok = false;
    for (const s of this.sessions) ok = sameSecret(presented, s) || ok;
    return ok;
  }

  revoke(presented: string): boolean {
    for (const s of this.sessions) {
      if (sameSecret(presented, s)) return this.sessions.delete(s);
    }
    return false;
  }

  get size(): number {
    return this.sessions.size;
  }
}

export function bearer(req: IncomingMessage): string | null {
  const h = req.headers.authorization;
  return typeof h === 'string' && h.startsWith('Bearer ') ? h.slice(7).trim() : null;
}

/** The subprotocols a WebSocket upgrade offers, split and trimmed. */
export function offeredProtocols(req: IncomingMessage): string[] {
  const h = req.headers['sec-websocket-protocol'];
  if (typeof h !== 'string') return [];
  return h
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
}

/** The session secret in an upgrade's subprotocols, if it also offers berth.v1. */
export function protocolSession(req: IncomingMessage): string | null {
  const offered = offeredProtocols(req);
  if (!offered.includes(WS_SUBPROTOCOL)) return null;
  const p = offered.find((x) => x.startsWith(WS_SESSION_PROTOCOL_PREFIX));
  return p ? p.slice(WS_SESSION_PROTOCOL_PREFIX.length) : null;
}

export interface Gate {
  /** host:port values this server answers to. */
  allowedHosts: Set<string>;
}

/** 127.0.0.0/8, ::1 and localhost: addresses no other machine can reach. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

export function isWildcardHost(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '[::]';
}

const hostPort = (h: string, port: number) => `${h.includes(':') ? `[${h}]` : h}:${port}`;

/**
 * Host headers to accept. IP literals of this machine cannot be rebound by
 * DNS, so a wildcard bind accepts every local interface address; a name is
 * accepted only when it is the one bound.
 */
export function gateFor(host: string, port: number, interfaces = os.networkInterfaces()): Gate {
  const hosts = new Set([hostPort(host, port)]);
  if (isLoopbackHost(host) || isWildcardHost(host)) {
    for (const h of ['127.0.0.1', 'localhost', '::1']) hosts.add(hostPort(h, port));
  }
  if (isWildcardHost(host)) {
    for (const list of Object.values(interfaces)) {
      for (const a of list ?? []) hosts.add(hostPort(a.address.replace(/%.*$/, ''), port));
    }
  }
  return { allowedHosts: hosts };
}

export type Refusal = { status: number; error: ErrorShape };

/** Host and Origin: applies to every request, static files included. */
export function checkOrigin(gate: Gate, req: IncomingMessage): Refusal | null {
  const host = req.headers.host ?? '';
  if (!gate.allowedHosts.has(host)) {
    return {
      status: 403,
      error: { code: 'FORBIDDEN_ORIGIN', message: `unexpected Host header: ${host.slice(0, 100)}` },
    };
  }
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== `http://${host}`) {
    return {
      status: 403,
      error: { code: 'FORBIDDEN_ORIGIN', message: `cross-origin request from ${origin.slice(0, 100)} refused` },
    };
  }
  return null;
}

export const UNAUTHORIZED: Refusal = {
  status: 401,
  error: {
    code: 'UNAUTHORIZED',
    message: 'a Berth web session is required: open the URL `berth web` printed (with ?token=)',
  },
};
