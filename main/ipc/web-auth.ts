/**
 * Web mode's gatekeeping, kept apart from the server so it can be tested
 * alone: a per-start random token (query once, then an HttpOnly SameSite
 * cookie), a Host allow-list against DNS rebinding, and an Origin check
 * against cross-site pages.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { ErrorShape } from '../../preload/errors';

export const COOKIE = 'berth_token';

export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function cookieToken(req: IncomingMessage): string | null {
  const header = req.headers.cookie;
  if (!header) return null;
  for (const part of header.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === COOKIE) return v.join('=');
  }
  return null;
}

export function bearerToken(req: IncomingMessage): string | null {
  const h = req.headers.authorization;
  return h?.startsWith('Bearer ') ? h.slice(7) : null;
}

export interface Gate {
  token: string;
  /** host:port values this server answers to. */
  allowedHosts: Set<string>;
}

export function gateFor(token: string, host: string, port: number): Gate {
  const hosts = new Set([`${host}:${port}`]);
  if (host === '127.0.0.1' || host === 'localhost' || host === '::1') {
    hosts.add(`127.0.0.1:${port}`).add(`localhost:${port}`).add(`[::1]:${port}`);
  }
  return { token, allowedHosts: hosts };
}

export type Verdict = { ok: true; viaQuery: boolean } | { ok: false; status: number; error: ErrorShape };

/** Decides one HTTP request or WebSocket upgrade. */
export function check(gate: Gate, req: IncomingMessage, url: URL): Verdict {
  const host = req.headers.host ?? '';
  if (!gate.allowedHosts.has(host)) {
    return {
      ok: false,
      status: 403,
      error: { code: 'FORBIDDEN_ORIGIN', message: `unexpected Host header: ${host.slice(0, 100)}` },
    };
  }
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== `http://${host}`) {
    return {
      ok: false,
      status: 403,
      error: { code: 'FORBIDDEN_ORIGIN', message: `cross-origin request from ${origin.slice(0, 100)} refused` },
    };
  }
  const query = url.searchParams.get('token');
  if (query !== null && sameSecret(query, gate.token)) return { ok: true, viaQuery: true };
  const presented = cookieToken(req) ?? bearerToken(req);
  if (presented !== null && sameSecret(presented, gate.token)) return { ok: true, viaQuery: false };
  return {
    ok: false,
    status: 401,
    error: { code: 'UNAUTHORIZED', message: 'a valid Berth token is required (open the URL printed at start)' },
  };
}
