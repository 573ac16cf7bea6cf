/**
 * One registry's HTTP transport: URL building under /v2/, the auth
 * challenge (one retry after a 401), bounded retries with backoff for
 * network errors, 5xx and 429, and the mapping of error answers to
 * REGISTRY_* codes.
 */
import { RegistryAuth, type AuthOptions } from './auth';
import { describeRegistryErrors, parseRegistryErrors, type RegistryErrorDetails } from './errors';
import {
  describeNetworkError,
  readErrorBody,
  retryAfterMs,
  send,
  type FetchFn,
  type RequestBody,
  type SendResult,
} from './http';
import { BerthError, type ErrorCode } from '../../../../preload/errors';

export interface TransportOptions {
  /** A shared RegistryAuth (token cache across calls), or options to make one. */
  auth?: RegistryAuth | AuthOptions;
  fetch?: FetchFn;
  /** Retries after the first attempt for network errors, 5xx and 429 (the client's loops). Default 3. */
  retries?: number;
  /** First backoff delay; doubles per retry (±20% jitter). Default 250 ms. */
  retryDelayMs?: number;
  /** Longest wait honoured from Retry-After. Default 10 s. */
  maxRetryAfterMs?: number;
  userAgent?: string;
}

export interface RegistryRequest {
  method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path under `/v2/` (`foo/bar/manifests/latest`) or an absolute URL (an upload Location). */
  path: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: () => RequestBody;
  repository: string;
  scopes: readonly string[];
  signal?: AbortSignal | undefined;
}

export interface RegistryResponse extends SendResult {
  /** Throws the registry error for this (unexpected) answer. */
  fail(what: string): Promise<never>;
}

const DEFAULT_UA = 'berth (+https://github.com/berth)';

export class RegistryTransport {
  readonly auth: RegistryAuth;
  readonly fetchFn: FetchFn;
  readonly retries: number;
  readonly retryDelayMs: number;
  private readonly maxRetryAfterMs: number;
  private readonly userAgent: string;

  constructor(
    readonly registry: string,
    readonly apiBase: string,
    opts: TransportOptions = {},
  ) {
    this.fetchFn = opts.fetch ?? fetch;
    this.auth =
      opts.auth instanceof RegistryAuth
        ? opts.auth
        : new RegistryAuth({ ...opts.auth, fetch: opts.auth?.fetch ?? this.fetchFn });
    this.retries = opts.retries ?? 3;
    this.retryDelayMs = opts.retryDelayMs ?? 250;
    this.maxRetryAfterMs = opts.maxRetryAfterMs ?? 10_000;
    this.userAgent = opts.userAgent ?? DEFAULT_UA;
  }

  get insecure(): boolean {
    return this.apiBase.startsWith('http:');
  }

  details(repository: string, extra: RegistryErrorDetails = {}): RegistryErrorDetails {
    return { registry: this.registry, repository, ...extra };
  }

  url(path: string, query?: Record<string, string>): URL {
    const u = /^https?:\/\//.test(path) ? new URL(path) : new URL(`/v2/${path}`, this.apiBase);
    for (const [k, v] of Object.entries(query ?? {})) u.searchParams.set(k, v);
    return u;
  }

  /** Backoff before retry number `attempt` (0-based), honouring a Retry-After (ms). */
  backoff(attempt: number, retryAfter?: number): number {
    if (retryAfter !== undefined) return Math.min(retryAfter, this.maxRetryAfterMs);
    const base = this.retryDelayMs * 2 ** attempt;
    return Math.round(base * (0.8 + Math.random() * 0.4));
  }

  /**
   * Sends one request, handling the auth challenge (one retry after a 401).
   * Any status comes back except a 401 we could not get past; the caller
   * checks it and calls `fail()` for the unexpected ones. Network errors
   * are thrown as they are, for the caller's retry loop to classify.
   */
  async request(r: RegistryRequest): Promise<RegistryResponse> {
    r.signal?.throwIfAborted();
    return this.once(r);
  }

  unreachable(repository: string, err: unknown): BerthError {
    return new BerthError(
      'REGISTRY_UNREACHABLE',
      `cannot reach ${this.registry} (${this.apiBase}): ${describeNetworkError(err)}`,
      this.details(repository, { cause: describeNetworkError(err) }),
      { cause: err },
    );
  }

  private async once(r: RegistryRequest): Promise<RegistryResponse> {
    const url = this.url(r.path, r.query);
    const headers: Record<string, string> = { 'user-agent': this.userAgent, ...r.headers };
    const details = this.details(r.repository);
    const sendOnce = (authorization: string | undefined): Promise<SendResult> =>
      send(
        this.fetchFn,
        url,
        {
          method: r.method,
          headers,
          ...(r.body ? { body: r.body } : {}),
          ...(authorization !== undefined ? { authorization } : {}),
          ...(r.signal ? { signal: r.signal } : {}),
        },
        details,
      );
    // Credentials only ever go to the registry's own origin (not to an upload Location elsewhere).
    const ownOrigin = url.origin === new URL(this.apiBase).origin;
    const sent = ownOrigin ? await this.auth.authorization(this.registry, r.repository, r.scopes, r.signal) : undefined;
    let out = await sendOnce(sent);
    if (out.res.status === 401 && out.sameOrigin && ownOrigin) {
      const challenge = out.res.headers.get('www-authenticate');
      const registryErrors = parseRegistryErrors(await readErrorBody(out.res));
      const retryWith = await this.auth.onUnauthorized({
        registry: this.registry,
        repository: r.repository,
        scopes: r.scopes,
        challenge,
        sent,
        registryErrors,
        insecure: this.insecure,
        ...(r.signal ? { signal: r.signal } : {}),
      });
      out = await sendOnce(retryWith);
      if (out.res.status === 401 && out.sameOrigin) {
        const again = parseRegistryErrors(await readErrorBody(out.res));
        throw await this.auth.unauthorized({ registry: this.registry, ...r, registryErrors: again });
      }
    }
    const res = out.res;
    return { ...out, fail: (what) => this.fail(res, r.repository, what) };
  }

  /** Maps an unexpected answer to its registry error (and consumes the body). */
  async fail(res: Response, repository: string, what: string): Promise<never> {
    const registryErrors = parseRegistryErrors(await readErrorBody(res));
    const codes = new Set(registryErrors.map((e) => e.code));
    const s = res.status;
    let code: ErrorCode;
    if (s === 404 || codes.has('MANIFEST_UNKNOWN') || codes.has('BLOB_UNKNOWN') || codes.has('NAME_UNKNOWN')) {
      code = 'REGISTRY_NOT_FOUND';
    } else if (s === 401 || codes.has('UNAUTHORIZED')) code = 'REGISTRY_UNAUTHORIZED';
    else if (s === 403 || codes.has('DENIED')) code = 'REGISTRY_DENIED';
    else if (s === 429 || codes.has('TOOMANYREQUESTS')) code = 'REGISTRY_RATE_LIMITED';
    else if (codes.has('DIGEST_INVALID') || codes.has('SIZE_INVALID')) code = 'DIGEST_MISMATCH';
    else if (s === 502 || s === 503 || s === 504) code = 'REGISTRY_UNREACHABLE';
    else code = 'REGISTRY_PROTOCOL';
    const said = describeRegistryErrors(registryErrors);
    const message =
      code === 'REGISTRY_NOT_FOUND'
        ? `${what}: not found in ${this.registry}/${repository}`
        : `${what}: ${this.registry} answered ${s}${res.statusText ? ` ${res.statusText}` : ''}`;
    const extra: RegistryErrorDetails = { status: s, registryErrors };
    const after = retryAfterMs(res);
    if (after !== undefined) extra.retryAfterMs = after;
    throw new BerthError(code, said ? `${message} (${said})` : message, this.details(repository, extra));
  }
}
