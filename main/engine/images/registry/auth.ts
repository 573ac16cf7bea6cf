/**
 * Registry authentication: the WWW-Authenticate challenge flow of the
 * distribution spec and Docker's token protocol.
 *
 *   request ──401 Bearer realm,service,scope──▶ GET realm?service=…&scope=…
 *        (Basic user:pass when we have credentials; anonymous otherwise;
 *         POST grant_type=refresh_token for an identity token)
 *        ──▶ {token | access_token, expires_in, issued_at} ──▶ retry with Bearer
 *   request ──401 Basic realm──▶ retry with Basic user:pass
 *
 * Tokens are cached per (registry, realm, service, scopes) until shortly
 * before they expire; concurrent requests share one token fetch. Once a
 * registry has answered with a challenge, later requests fetch their token
 * (or send Basic) up front instead of paying a 401 round trip each.
 */
import { z } from 'zod';
import { canonicalRegistry, isLoopback } from './endpoint';
import {
  credentialResolver,
  staticCredentials,
  type CredentialFileOptions,
  type CredentialLookup,
} from './credentials';
import type { CredentialResolver, Credentials } from './credentials';
import {
  describeRegistryErrors,
  parseRegistryErrors,
  type RegistryErrorDetails,
  type RegistryErrorEntry,
} from './errors';
import {
  describeNetworkError,
  isNetworkError,
  readErrorBody,
  readLimited,
  send,
  type FetchFn,
  type RequestBody,
} from './http';
import { BerthError } from '../../../../preload/errors';

export interface Challenge {
  /** Lowercased: `bearer`, `basic`, … */
  scheme: string;
  /** Parameter names lowercased, values unquoted. */
  params: Record<string, string>;
}

const TOKEN_CHAR = /[!#$%&'*+.^_`|~0-9A-Za-z-]/;

/**
 * Parses a WWW-Authenticate value (RFC 9110 §11.6.1): several challenges,
 * comma-separated params, quoted strings holding commas and escapes,
 * token68 credentials. Malformed tails are dropped, never thrown.
 */
export function parseWwwAuthenticate(header: string): Challenge[] {
  const out: Challenge[] = [];
  let i = 0;
  const n = header.length;
  const skipWs = (): void => {
    while (i < n && (header[i] === ' ' || header[i] === '\t')) i++;
  };
  const readToken = (): string => {
    const start = i;
    while (i < n && TOKEN_CHAR.test(header[i] as string)) i++;
    return header.slice(start, i);
  };
  const readQuoted = (): string => {
    let value = '';
    i++; // opening quote
    while (i < n && header[i] !== '"') {
      if (header[i] === '\\' && i + 1 < n) i++;
      value += header[i];
      i++;
    }
    i++; // closing quote (or end)
    return value;
  };
  while (i < n) {
    while (i < n && (header[i] === ',' || header[i] === ' ' || header[i] === '\t')) i++;
    const scheme = readToken();
    if (scheme === '') {
      i++; // not a token character: skip it
      continue;
    }
    const challenge: Challenge = { scheme: scheme.toLowerCase(), params: {} };
    out.push(challenge);
    skipWs();
    // params: name=value pairs until something that is not one (the next scheme).
    for (;;) {
      const save = i;
      while (i < n && (header[i] === ',' || header[i] === ' ' || header[i] === '\t')) i++;
      const name = readToken();
      skipWs();
      if (name === '' || header[i] !== '=') {
        i = save;
        break;
      }
      i++; // '='
      if (header[i] === '=') {
        // token68 ("abc==") rather than a param
        while (i < n && header[i] === '=') i++;
        challenge.params[''] = `${name}=`;
        continue;
      }
      skipWs();
      const value = header[i] === '"' ? readQuoted() : readToken();
      challenge.params[name.toLowerCase()] = value;
      skipWs();
      if (i < n && header[i] !== ',') {
        // garbage after a value: skip to the next comma
        while (i < n && header[i] !== ',') i++;
      }
    }
  }
  return out;
}

/** `repository:NAME:ACTIONS` as the token protocol spells scopes. */
export function repositoryScope(repository: string, actions: 'pull' | 'push' | 'pull,push'): string {
  return `repository:${repository}:${actions}`;
}

export interface AuthOptions {
  /** Fixed credentials or a resolver; takes precedence over `files`. */
  credentials?: Credentials | CredentialResolver;
  /** Read credentials from the owner's auth files. */
  files?: CredentialFileOptions;
  fetch?: FetchFn;
  /** OAuth2 client_id sent with identity-token exchanges. */
  clientId?: string;
  userAgent?: string;
  now?: () => number;
}

interface BearerScheme {
  kind: 'bearer';
  realm: string;
  service?: string;
  /** The registry itself is spoken to over plain http. */
  insecure: boolean;
}
type Scheme = BearerScheme | { kind: 'basic' };

interface CachedToken {
  header: string;
  expiresAt: number;
}

const TokenResponseSchema = z.looseObject({
  token: z.string().optional(),
  access_token: z.string().optional(),
  expires_in: z.number().optional(),
  issued_at: z.string().optional(),
});

/** The minimum lifetime the token spec promises when `expires_in` is absent. */
const DEFAULT_TOKEN_SECONDS = 60;
const TOKEN_TIMEOUT_MS = 60_000;

/** `p`, or the signal's reason as soon as it aborts (p itself goes on for others). */
function abortable<T>(p: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return p;
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

export interface UnauthorizedContext {
  registry: string;
  repository: string;
  scopes: readonly string[];
  /** The WWW-Authenticate header of the 401. */
  challenge: string | null;
  /** The Authorization we sent (undefined: anonymous). */
  sent: string | undefined;
  registryErrors: RegistryErrorEntry[];
  /** The registry's API is plain http (allows a plain-http realm with credentials). */
  insecure?: boolean;
  signal?: AbortSignal;
}

/**
 * One per pull/push (or shared for a session): holds credentials lookups,
 * the schemes registries asked for, and the token cache.
 */
export class RegistryAuth {
  private readonly resolve: CredentialResolver;
  private readonly fetchFn: FetchFn;
  private readonly now: () => number;
  private readonly lookups = new Map<string, Promise<CredentialLookup>>();
  private readonly schemes = new Map<string, Scheme>();
  private readonly tokens = new Map<string, CachedToken>();
  private readonly pending = new Map<string, Promise<CachedToken>>();
  /** Warnings met so far (credential helpers, unreadable files), deduplicated. */
  readonly warnings: string[] = [];

  constructor(private readonly opts: AuthOptions = {}) {
    const c = opts.credentials;
    this.resolve =
      typeof c === 'function'
        ? c
        : c !== undefined
          ? staticCredentials(c)
          : opts.files
            ? credentialResolver(opts.files)
            : staticCredentials(undefined);
    this.fetchFn = opts.fetch ?? fetch;
    this.now = opts.now ?? Date.now;
  }

  async credentialsFor(registry: string, repository: string): Promise<CredentialLookup> {
    const key = `${canonicalRegistry(registry)}/${repository}`;
    let p = this.lookups.get(key);
    if (!p) {
      p = this.resolve(canonicalRegistry(registry), repository).then((r) => {
        for (const w of r.warnings) if (!this.warnings.includes(w)) this.warnings.push(w);
        return r;
      });
      this.lookups.set(key, p);
    }
    return p;
  }

  /** The Authorization header to send up front (undefined: go anonymous and see). */
  async authorization(
    registry: string,
    repository: string,
    scopes: readonly string[],
    signal?: AbortSignal,
  ): Promise<string | undefined> {
    const scheme = this.schemes.get(registry);
    if (!scheme) return undefined;
    const { credentials } = await this.credentialsFor(registry, repository);
    if (scheme.kind === 'basic') return basicHeader(credentials);
    return (await this.token(scheme, registry, repository, scopes, credentials, signal)).header;
  }

  /**
   * A 401 came back: learn the scheme and return the Authorization to retry
   * with. Throws REGISTRY_UNAUTHORIZED when there is nothing better to send.
   */
  async onUnauthorized(ctx: UnauthorizedContext): Promise<string> {
    const challenges = ctx.challenge ? parseWwwAuthenticate(ctx.challenge) : [];
    const bearer = challenges.find((c) => c.scheme === 'bearer' && c.params.realm);
    const basic = challenges.find((c) => c.scheme === 'basic');
    const { credentials } = await this.credentialsFor(ctx.registry, ctx.repository);
    if (bearer) {
      const scheme: BearerScheme = { kind: 'bearer', realm: bearer.params.realm as string, insecure: !!ctx.insecure };
      if (bearer.params.service !== undefined) scheme.service = bearer.params.service;
      this.schemes.set(ctx.registry, scheme);
      const scopes = [...ctx.scopes];
      const asked = bearer.params.scope;
      if (asked) for (const s of asked.split(' ')) if (s && !scopes.includes(s)) scopes.push(s);
      // The transport asks once per request: a refused token is dropped and fetched again;
      // if the fresh one is refused too, the transport gives up.
      const key = tokenKey(ctx.registry, scheme, scopes);
      const cached = this.tokens.get(key);
      if (cached && cached.header !== ctx.sent && cached.expiresAt > this.now()) return cached.header;
      this.tokens.delete(key);
      return (await this.token(scheme, ctx.registry, ctx.repository, scopes, credentials, ctx.signal)).header;
    }
    if (basic) {
      this.schemes.set(ctx.registry, { kind: 'basic' });
      const header = basicHeader(credentials);
      if (header === undefined || header === ctx.sent) throw await this.unauthorized(ctx);
      return header;
    }
    throw await this.unauthorized(
      ctx,
      challenges.length ? `unsupported authentication scheme "${challenges[0]?.scheme}"` : undefined,
    );
  }

  /** The REGISTRY_UNAUTHORIZED error for a 401 we cannot get past. */
  async unauthorized(
    ctx: Pick<UnauthorizedContext, 'registry' | 'repository' | 'registryErrors' | 'scopes'>,
    why?: string,
  ): Promise<BerthError> {
    const lookup = await this.credentialsFor(ctx.registry, ctx.repository);
    const said = describeRegistryErrors(ctx.registryErrors);
    const base = lookup.credentials
      ? `${ctx.registry} refused the credentials from ${lookup.source ?? 'the caller'} for ${ctx.repository}`
      : `${ctx.registry} requires authentication for ${ctx.repository} and no credentials were found`;
    const message = [base, why, said ? `registry said: ${said}` : '', ...lookup.warnings].filter(Boolean).join('; ');
    return new BerthError('REGISTRY_UNAUTHORIZED', message, {
      registry: ctx.registry,
      repository: ctx.repository,
      status: 401,
      registryErrors: ctx.registryErrors,
      scopes: [...ctx.scopes],
      credentialSource: lookup.source,
      warnings: lookup.warnings,
    });
  }

  private async token(
    scheme: BearerScheme,
    registry: string,
    repository: string,
    scopes: readonly string[],
    credentials: Credentials | undefined,
    signal?: AbortSignal,
  ): Promise<CachedToken> {
    const key = tokenKey(registry, scheme, scopes);
    const cached = this.tokens.get(key);
    if (cached && cached.expiresAt > this.now()) return cached;
    let p = this.pending.get(key);
    if (!p) {
      // Shared by every waiter, so not tied to any one caller's signal: its own timeout instead.
      p = this.fetchToken(scheme, registry, repository, scopes, credentials, AbortSignal.timeout(TOKEN_TIMEOUT_MS))
        .then((token) => {
          this.tokens.set(key, token);
          return token;
        })
        .finally(() => this.pending.delete(key));
      this.pending.set(key, p);
    }
    return abortable(p, signal);
  }

  private async fetchToken(
    scheme: BearerScheme,
    registry: string,
    repository: string,
    scopes: readonly string[],
    credentials: Credentials | undefined,
    signal?: AbortSignal,
  ): Promise<CachedToken> {
    const details: RegistryErrorDetails = { registry, repository, realm: scheme.realm };
    if (credentials?.registryToken) {
      return { header: `Bearer ${credentials.registryToken}`, expiresAt: Number.POSITIVE_INFINITY };
    }
    let realm: URL;
    try {
      realm = new URL(scheme.realm);
    } catch {
      throw new BerthError('REGISTRY_PROTOCOL', `${registry} sent an invalid token realm`, details);
    }
    if (realm.protocol !== 'https:' && realm.protocol !== 'http:') {
      throw new BerthError('REGISTRY_PROTOCOL', `${registry} sent a ${realm.protocol} token realm`, details);
    }
    const hasSecret = credentials?.password !== undefined || credentials?.identityToken !== undefined;
    if (hasSecret && realm.protocol === 'http:' && !scheme.insecure && !isLoopback(realm.host)) {
      // An https registry must not send our password over plain http.
      throw new BerthError(
        'REGISTRY_PROTOCOL',
        `refusing to send credentials for ${registry} to a plain-http token realm (${realm.host})`,
        details,
      );
    }
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.opts.userAgent) headers['user-agent'] = this.opts.userAgent;
    let init: { method: string; body?: () => RequestBody; authorization?: string };
    if (credentials?.identityToken) {
      const form = new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: credentials.identityToken,
        client_id: this.opts.clientId ?? 'berth',
      });
      if (scheme.service !== undefined) form.set('service', scheme.service);
      if (scopes.length) form.set('scope', scopes.join(' '));
      headers['content-type'] = 'application/x-www-form-urlencoded';
      const body = form.toString();
      init = { method: 'POST', body: () => body };
    } else {
      if (scheme.service !== undefined) realm.searchParams.set('service', scheme.service);
      for (const s of scopes) realm.searchParams.append('scope', s);
      init = { method: 'GET' };
      const basic = basicHeader(credentials);
      if (basic) init.authorization = basic;
      if (basic && credentials?.username) realm.searchParams.set('account', credentials.username);
    }
    let res: Response;
    try {
      ({ res } = await send(this.fetchFn, realm, { ...init, headers, ...(signal ? { signal } : {}) }, details));
    } catch (err) {
      // `signal` is the fetch's own timeout (callers' signals are raced in token()).
      if (!isNetworkError(err) && !(signal?.aborted ?? false)) throw err;
      throw new BerthError(
        'REGISTRY_UNREACHABLE',
        `cannot reach the token server of ${registry} (${realm.host}): ${describeNetworkError(err)}`,
        details,
        { cause: err },
      );
    }
    if (res.status === 401 || res.status === 403) {
      const registryErrors = parseRegistryErrors(await readErrorBody(res));
      const said = describeRegistryErrors(registryErrors);
      const lookup = await this.credentialsFor(registry, repository);
      const who = lookup.credentials ? `the credentials from ${lookup.source ?? 'the caller'}` : 'anonymous access';
      throw new BerthError(
        'REGISTRY_UNAUTHORIZED',
        `the token server of ${registry} refused ${who}${said ? `: ${said}` : ''}`,
        { ...details, status: res.status, registryErrors, credentialSource: lookup.source, warnings: lookup.warnings },
      );
    }
    if (res.status !== 200) {
      const registryErrors = parseRegistryErrors(await readErrorBody(res));
      throw new BerthError('REGISTRY_PROTOCOL', `the token server of ${registry} answered ${res.status}`, {
        ...details,
        status: res.status,
        registryErrors,
      });
    }
    let parsed: z.infer<typeof TokenResponseSchema>;
    try {
      parsed = TokenResponseSchema.parse(JSON.parse((await readLimited(res, 1024 * 1024)).toString('utf8')));
    } catch (err) {
      throw new BerthError('REGISTRY_PROTOCOL', `the token server of ${registry} sent no valid token JSON`, details, {
        cause: err,
      });
    }
    const token = parsed.token || parsed.access_token;
    if (!token) throw new BerthError('REGISTRY_PROTOCOL', `the token server of ${registry} sent no token`, details);
    const lifetime = Math.max(parsed.expires_in ?? DEFAULT_TOKEN_SECONDS, 1) * 1000;
    const issued = parsed.issued_at ? Date.parse(parsed.issued_at) : Number.NaN;
    const start = Number.isNaN(issued) || issued > this.now() ? this.now() : issued;
    const margin = Math.min(30_000, lifetime / 4);
    return { header: `Bearer ${token}`, expiresAt: start + lifetime - margin };
  }
}

function basicHeader(c: Credentials | undefined): string | undefined {
  if (c?.username === undefined || c.password === undefined) return undefined;
  return `Basic ${Buffer.from(`${c.username}:${c.password}`, 'utf8').toString('base64')}`;
}

function tokenKey(registry: string, scheme: BearerScheme, scopes: readonly string[]): string {
  return JSON.stringify([registry, scheme.realm, scheme.service ?? '', [...scopes].sort()]);
}
