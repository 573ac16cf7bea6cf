/**
 * HTTP plumbing shared by the token flow and the registry transport:
 * redirects followed by hand (so credentials never leave the origin they
 * were meant for, and https never drops to http), bounded body reads,
 * network-error classification and abortable backoff.
 */
import type { RegistryErrorDetails } from './errors';
import { BerthError } from '../../../../preload/errors';

export type FetchFn = typeof fetch;
/** What fetch takes as a body (BodyInit is a DOM-lib name). */
export type RequestBody = NonNullable<RequestInit['body']>;

export interface SendInit {
  method: string;
  headers: Record<string, string>;
  /** A factory, so a redirect (307/308) or a retry can send the body again. */
  body?: () => RequestBody;
  /** Sent only while the request stays on the origin of `url`. */
  authorization?: string;
  signal?: AbortSignal;
  maxRedirects?: number;
}

export interface SendResult {
  res: Response;
  /** The URL that answered (after redirects). */
  url: URL;
  /** True when the answer came from the origin the request started on. */
  sameOrigin: boolean;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/**
 * fetch with `redirect: 'manual'`, following up to `maxRedirects` hops:
 * Authorization only to the starting origin, no https → http downgrade,
 * 303 (and 301/302 after a non-GET) turn into a bodiless GET.
 */
export async function send(
  fetchFn: FetchFn,
  url: URL,
  init: SendInit,
  details: RegistryErrorDetails,
): Promise<SendResult> {
  const origin = url.origin;
  let current = url;
  let method = init.method;
  let body = init.body;
  for (let hop = 0; ; hop++) {
    const headers: Record<string, string> = { ...init.headers };
    const sameOrigin = current.origin === origin;
    if (init.authorization !== undefined && sameOrigin) headers.authorization = init.authorization;
    const requestInit: RequestInit & { duplex?: 'half' } = { method, headers, redirect: 'manual' };
    if (init.signal) requestInit.signal = init.signal;
    if (body) {
      requestInit.body = body();
      requestInit.duplex = 'half';
    }
    const res = await fetchFn(current, requestInit);
    if (!REDIRECTS.has(res.status)) return { res, url: current, sameOrigin };
    const location = res.headers.get('location');
    await res.body?.cancel().catch(() => undefined);
    if (location === null) {
      throw new BerthError('REGISTRY_PROTOCOL', `redirect ${res.status} without a Location header`, {
        ...details,
        status: res.status,
      });
    }
    if (hop >= (init.maxRedirects ?? 10)) {
      throw new BerthError('REGISTRY_PROTOCOL', 'too many redirects', { ...details, status: res.status });
    }
    let next: URL;
    try {
      next = new URL(location, current);
    } catch {
      throw new BerthError('REGISTRY_PROTOCOL', 'redirect to an invalid URL', { ...details, status: res.status });
    }
    if (next.protocol !== 'https:' && next.protocol !== 'http:') {
      throw new BerthError('REGISTRY_PROTOCOL', `redirect to a ${next.protocol} URL`, {
        ...details,
        status: res.status,
      });
    }
    if (current.protocol === 'https:' && next.protocol === 'http:') {
      throw new BerthError('REGISTRY_PROTOCOL', `refusing a redirect from https to plain http (${next.host})`, {
        ...details,
        status: res.status,
      });
    }
    if (res.status === 303 || ((res.status === 301 || res.status === 302) && method !== 'GET' && method !== 'HEAD')) {
      method = 'GET';
      body = undefined;
    }
    current = next;
  }
}

/** REGISTRY_BODY_TOO_LARGE: callers report it as REGISTRY_PROTOCOL or DIGEST_MISMATCH. */
function bodyTooLarge(limit: number): BerthError {
  return new BerthError('REGISTRY_BODY_TOO_LARGE', `response body larger than ${limit} bytes`, { limit });
}

/** Reads at most `limit` bytes; throws REGISTRY_BODY_TOO_LARGE beyond (the stream is cancelled). */
export async function readLimited(res: Response, limit: number): Promise<Buffer> {
  if (!res.body) return Buffer.alloc(0);
  const declared = Number(res.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > limit) {
    await res.body.cancel().catch(() => undefined);
    throw bodyTooLarge(limit);
  }
  const parts: Buffer[] = [];
  let n = 0;
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    n += value.byteLength;
    if (n > limit) {
      await reader.cancel().catch(() => undefined);
      throw bodyTooLarge(limit);
    }
    parts.push(Buffer.from(value.buffer, value.byteOffset, value.byteLength));
  }
  return Buffer.concat(parts);
}

/** Up to 64 KiB of an error body as text; never throws. */
export async function readErrorBody(res: Response): Promise<string> {
  try {
    return (await readLimited(res, 64 * 1024)).toString('utf8');
  } catch {
    return '';
  }
}

/** errno-style code of a fetch failure (`ECONNREFUSED`, `UND_ERR_SOCKET`, …). */
export function networkErrorCode(err: unknown): string | undefined {
  if (err instanceof BerthError) return undefined;
  let e: unknown = err;
  for (let depth = 0; depth < 5 && e instanceof Error; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    e = e.cause;
  }
  return undefined;
}

/** fetch's own failures (connection, TLS, DNS, a body cut short) — worth a retry. */
export function isNetworkError(err: unknown): boolean {
  if (err instanceof BerthError) return false;
  if (err instanceof Error && err.name === 'AbortError') return false;
  if (err instanceof TypeError) return true; // undici: "fetch failed", "terminated"
  const code = networkErrorCode(err);
  return (
    code !== undefined &&
    (/^E[A-Z]+$/.test(code) || code.startsWith('UND_ERR') || code.startsWith('ERR_STREAM_PREMATURE'))
  );
}

export function describeNetworkError(err: unknown): string {
  const code = networkErrorCode(err);
  const msg = err instanceof Error ? err.message : String(err);
  let cause = err instanceof Error && err.cause instanceof Error ? err.cause.message : '';
  if (cause === msg) cause = '';
  return [msg, cause, code && !cause.includes(code) && !msg.includes(code) ? code : ''].filter(Boolean).join(': ');
}

/** Resolves after `ms`, or rejects with the signal's reason. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason as Error);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Seconds or an HTTP date from Retry-After, in ms; undefined when absent or malformed. */
export function retryAfterMs(res: Response, now = Date.now()): number | undefined {
  const v = res.headers.get('retry-after');
  if (v === null) return undefined;
  if (/^\d+$/.test(v.trim())) return Number(v.trim()) * 1000;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : Math.max(0, t - now);
}

/** Media type without parameters, lowercased. */
export function mediaTypeOf(contentType: string | null): string | undefined {
  if (contentType === null) return undefined;
  const t = contentType.split(';')[0]?.trim().toLowerCase();
  return t === '' ? undefined : t;
}
