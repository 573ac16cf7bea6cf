/**
 * Test support for the registry client: a real distribution registry
 * (Debian's `docker-registry`, distribution 2.8) on 127.0.0.1, in three
 * modes — anonymous, htpasswd (Basic) and token (Bearer, like Docker Hub,
 * with a token server run here) — plus a tiny proxy that corrupts, cuts or
 * redirects blob downloads, a temp-dir blob store implementing the store's
 * BlobSink/BlobSource, an in-memory image builder writing OCI layouts, and
 * skopeo helpers to place images in the registry and inspect them.
 *
 * Needs no root. Needs the Debian packages docker-registry, skopeo and
 * openssl (token mode); `registryToolsMissing()` names what is absent so
 * tests can skip with a reason. The htpasswd file is written with a bcrypt
 * implementation below (Node has no bcrypt; apache2-utils' htpasswd and
 * Python's crypt module are not on a fresh Debian 12 by default).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import zlib from 'node:zlib';
import { sha256, type Digest } from '../engine/images/digest';
import { MediaTypes, type Descriptor } from '../engine/images/oci-types';
import type { BlobSink, BlobSource } from '../engine/images/registry/types';
import { tarBuffer, type TarWriteEntry } from '../engine/images/tar/writer';
import { BerthError } from '../../preload/errors';

// ───────────────────────────── tools ─────────────────────────────

function which(cmd: string): string | undefined {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

export const REGISTRY_BIN = fs.existsSync('/usr/bin/docker-registry')
  ? '/usr/bin/docker-registry'
  : which('docker-registry');

/** Why registry tests cannot run here, or undefined when they can. */
export function registryToolsMissing(): string | undefined {
  const missing: string[] = [];
  if (!REGISTRY_BIN) missing.push('docker-registry (apt install docker-registry)');
  if (!which('skopeo')) missing.push('skopeo (apt install skopeo)');
  if (!which('openssl')) missing.push('openssl');
  return missing.length ? `missing ${missing.join(', ')}` : undefined;
}

// ───────────────────────────── bcrypt ─────────────────────────────

let blowfishInit: Uint32Array | undefined;

/** The first `count` 32-bit words of pi's fractional part (Blowfish's P-array and S-boxes). */
function piWords(count: number): Uint32Array {
  const guard = 64n;
  const bits = BigInt(count * 32) + guard;
  const one = 1n << bits;
  const arctanInv = (x: bigint): bigint => {
    const x2 = x * x;
    let term = one / x;
    let sum = 0n;
    for (let n = 1n, sign = 1n; term !== 0n; n += 2n, sign = -sign) {
      sum += (sign * term) / n;
      term /= x2;
    }
    return sum;
  };
  const pi = 16n * arctanInv(5n) - 4n * arctanInv(239n); // Machin
  const frac = (pi - (3n << bits)) >> guard;
  const out = new Uint32Array(count);
  for (let i = 0; i < count; i++) out[i] = Number((frac >> BigInt((count - 1 - i) * 32)) & 0xffffffffn);
  return out;
}

function blowfishState(): { P: Uint32Array; S: Uint32Array } {
  blowfishInit ??= piWords(18 + 1024);
  if (blowfishInit[0] !== 0x243f6a88 || blowfishInit[18] !== 0xd1310ba6) throw new Error('bcrypt: bad pi digits');
  return { P: blowfishInit.slice(0, 18), S: blowfishInit.slice(18) };
}

const BCRYPT_B64 = './ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const STD_B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function bcryptBase64(bytes: Uint8Array): string {
  return [...Buffer.from(bytes).toString('base64').replace(/=+$/, '')]
    .map((c) => BCRYPT_B64[STD_B64.indexOf(c)])
    .join('');
}

/**
 * bcrypt ($2b$, as OpenBSD and golang.org/x/crypto/bcrypt): for htpasswd
 * files only (cost 4 keeps tests fast). Checked against Python's crypt in
 * the tests when it is available.
 */
export function bcryptHash(password: string, cost = 4, salt: Uint8Array = crypto.randomBytes(16)): string {
  if (salt.length !== 16) throw new Error('bcrypt: the salt is 16 bytes');
  if (cost < 4 || cost > 31) throw new Error('bcrypt: cost 4..31');
  const { P, S } = blowfishState();
  const key = Buffer.concat([Buffer.from(password, 'utf8'), Buffer.from([0])]).subarray(0, 72);
  const lr = new Uint32Array(2);
  const F = (x: number): number =>
    ((((S[x >>> 24] as number) + (S[256 + ((x >>> 16) & 255)] as number)) ^ (S[512 + ((x >>> 8) & 255)] as number)) +
      (S[768 + (x & 255)] as number)) >>>
    0;
  const encipher = (): void => {
    let l = (lr[0] as number) ^ (P[0] as number);
    let r = lr[1] as number;
    for (let i = 1; i <= 16; i += 2) {
      r = (r ^ F(l) ^ (P[i] as number)) >>> 0;
      l = (l ^ F(r) ^ (P[i + 1] as number)) >>> 0;
    }
    lr[0] = r ^ (P[17] as number);
    lr[1] = l;
  };
  const stream = (data: Uint8Array): (() => number) => {
    let j = 0;
    return () => {
      let w = 0;
      for (let k = 0; k < 4; k++) {
        w = ((w << 8) | (data[j] as number)) >>> 0;
        j = (j + 1) % data.length;
      }
      return w;
    };
  };
  const expand = (data: Uint8Array | undefined, k: Uint8Array): void => {
    const kw = stream(k);
    for (let i = 0; i < 18; i++) P[i] = ((P[i] as number) ^ kw()) >>> 0;
    const dw = data ? stream(data) : () => 0;
    lr[0] = 0;
    lr[1] = 0;
    const fill = (arr: Uint32Array, n: number): void => {
      for (let i = 0; i < n; i += 2) {
        lr[0] = ((lr[0] as number) ^ dw()) >>> 0;
        lr[1] = ((lr[1] as number) ^ dw()) >>> 0;
        encipher();
        arr[i] = lr[0] as number;
        arr[i + 1] = lr[1] as number;
      }
    };
    fill(P, 18);
    fill(S, 1024);
  };
  expand(salt, key);
  for (let i = 0; i < 2 ** cost; i++) {
    expand(undefined, key);
    expand(undefined, salt);
  }
  const text = Buffer.from('OrpheanBeholderScryDoubt');
  const c = new Uint32Array(6);
  for (let i = 0; i < 6; i++) c[i] = text.readUInt32BE(i * 4);
  for (let round = 0; round < 64; round++) {
    for (let i = 0; i < 6; i += 2) {
      lr[0] = c[i] as number;
      lr[1] = c[i + 1] as number;
      encipher();
      c[i] = lr[0] as number;
      c[i + 1] = lr[1] as number;
    }
  }
  const out = Buffer.alloc(24);
  for (let i = 0; i < 6; i++) out.writeUInt32BE(c[i] as number, i * 4);
  return `$2b$${String(cost).padStart(2, '0')}$${bcryptBase64(salt)}${bcryptBase64(out.subarray(0, 23))}`;
}

// ───────────────────────────── helpers ─────────────────────────────

export async function freePort(host = '127.0.0.1'): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((resolve, reject) => {
    srv.once('error', reject);
    srv.listen(0, host, resolve);
  });
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

async function listen(server: http.Server, host: string): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, resolve);
  });
  return (server.address() as net.AddressInfo).port;
}

async function closeServer(server: http.Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

function yamlString(s: string): string {
  return JSON.stringify(s); // JSON strings are valid YAML double-quoted scalars
}

const b64url = (b: Buffer | string): string => Buffer.from(b).toString('base64url');

// ───────────────────────────── token server ─────────────────────────────

export interface TokenRequestRecord {
  method: string;
  user?: string;
  grant?: string;
  scopes: string[];
  status: number;
}

export interface TestTokenServer {
  url: string;
  realm: string;
  service: string;
  issuer: string;
  requests: TokenRequestRecord[];
  stop(): Promise<void>;
}

export interface TokenServerOptions {
  users: Record<string, string>;
  /** refresh token → user, for `identitytoken` entries (POST grant_type=refresh_token). */
  identityTokens?: Record<string, string>;
  /** Anonymous requests get pull on every repository (else: no access at all, like Docker Hub's private repos). */
  anonymousPull?: boolean;
  expiresIn?: number;
  service?: string;
  issuer?: string;
  keyPem: string;
  certPem: string;
}

/** A Docker-style token server: Basic (or an OAuth2 form) in, an RS256 JWT with `access` claims out. */
export async function startTokenServer(opts: TokenServerOptions): Promise<TestTokenServer> {
  const service = opts.service ?? 'berth-test-registry';
  const issuer = opts.issuer ?? 'berth-test-issuer';
  const key = crypto.createPrivateKey(opts.keyPem);
  const certDer = new crypto.X509Certificate(opts.certPem).raw;
  const requests: TokenRequestRecord[] = [];
  const expiresIn = opts.expiresIn ?? 300;

  const sign = (sub: string, access: Array<{ type: string; name: string; actions: string[] }>): string => {
    const now = Math.floor(Date.now() / 1000);
    const header = { typ: 'JWT', alg: 'RS256', x5c: [certDer.toString('base64')] };
    const claims = {
      iss: issuer,
      sub,
      aud: service,
      exp: now + expiresIn,
      nbf: now - 10,
      iat: now,
      jti: crypto.randomBytes(12).toString('hex'),
      access,
    };
    const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
    return `${input}.${b64url(crypto.sign('sha256', Buffer.from(input), key))}`;
  };

  const grant = (user: string | undefined, scopes: string[]) =>
    scopes.flatMap((s) => {
      const m = /^repository:([^:]+):(.+)$/.exec(s);
      if (!m) return [];
      const wanted = (m[2] as string).split(',');
      const allowed = user !== undefined ? ['pull', 'push'] : opts.anonymousPull ? ['pull'] : [];
      const actions = wanted.filter((a) => allowed.includes(a));
      return [{ type: 'repository', name: m[1] as string, actions }];
    });

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const rec: TokenRequestRecord = { method: req.method ?? '', scopes: [], status: 200 };
      requests.push(rec);
      const reply = (status: number, body: unknown): void => {
        rec.status = status;
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      const deny = (message: string): void => reply(401, { errors: [{ code: 'UNAUTHORIZED', message, detail: null }] });
      let user: string | undefined;
      let params = url.searchParams;
      if (req.method === 'POST') {
        params = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
        rec.grant = params.get('grant_type') ?? '';
        if (rec.grant === 'refresh_token') {
          user = opts.identityTokens?.[params.get('refresh_token') ?? ''];
          if (user === undefined) return deny('invalid refresh token');
        } else if (rec.grant === 'password') {
          const u = params.get('username') ?? '';
          if (opts.users[u] === undefined || opts.users[u] !== params.get('password'))
            return deny('invalid username or password');
          user = u;
        } else return reply(400, { error: 'unsupported_grant_type' });
      } else {
        const auth = req.headers.authorization;
        if (auth !== undefined) {
          const m = /^Basic (.+)$/i.exec(auth);
          const decoded = m ? Buffer.from(m[1] as string, 'base64').toString('utf8') : '';
          const colon = decoded.indexOf(':');
          const u = decoded.slice(0, colon);
          if (colon < 0 || opts.users[u] === undefined || opts.users[u] !== decoded.slice(colon + 1)) {
            return deny('invalid username or password');
          }
          user = u;
        }
      }
      if (params.get('service') !== service)
        return reply(400, { errors: [{ code: 'DENIED', message: 'wrong service' }] });
      rec.scopes = params.getAll('scope').flatMap((s) => s.split(' ').filter(Boolean));
      if (user !== undefined) rec.user = user;
      const token = sign(user ?? '', grant(user, rec.scopes));
      const body: Record<string, unknown> = { expires_in: expiresIn, issued_at: new Date().toISOString() };
      if (req.method === 'POST') body.access_token = token;
      else body.token = token;
      reply(200, body);
    });
  });
  const port = await listen(server, '127.0.0.1');
  const url = `http://127.0.0.1:${port}`;
  return { url, realm: `${url}/token`, service, issuer, requests, stop: () => closeServer(server) };
}

// ───────────────────────────── the registry ─────────────────────────────

export type RegistryMode = 'anonymous' | 'htpasswd' | 'token';

export interface TestRegistry {
  mode: RegistryMode;
  /** `127.0.0.1:PORT` — what references use. */
  host: string;
  url: string;
  port: number;
  dir: string;
  storageDir: string;
  users: Record<string, string>;
  token?: TestTokenServer;
  logs(): string;
  stop(): Promise<void>;
}

export interface StartRegistryOptions {
  mode?: RegistryMode;
  users?: Record<string, string>;
  token?: Omit<TokenServerOptions, 'users' | 'keyPem' | 'certPem'>;
}

function runChecked(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 28, ...opts });
  if (r.status !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} failed (${r.status ?? r.signal}): ${r.stderr || r.error?.message || ''}`);
  }
  return r.stdout;
}

/**
 * Async, never spawnSync: the token server and the proxy live in this
 * process, and a blocked event loop would leave skopeo waiting on them.
 */
function runAsync(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...opts });
    const out: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code === 0) resolve(Buffer.concat(out).toString('utf8'));
      else reject(new Error(`${cmd} ${args.join(' ')} failed (${code ?? signal}): ${err}`));
    });
  });
}

async function waitReady(url: string, child: ChildProcess, logs: () => string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`docker-registry exited (${child.exitCode ?? child.signalCode}): ${logs()}`);
    }
    try {
      const res = await fetch(`${url}/v2/`, { signal: AbortSignal.timeout(1000) });
      await res.body?.cancel();
      if (res.status === 200 || res.status === 401) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`docker-registry did not answer at ${url}: ${logs()}`);
    await sleep(50);
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  process.kill(child.pid, 'SIGTERM');
  const timer = setTimeout(() => {
    if (child.pid !== undefined && child.exitCode === null) process.kill(child.pid, 'SIGKILL');
  }, 3000);
  await exited;
  clearTimeout(timer);
}

/**
 * Starts docker-registry on 127.0.0.1 with a random free port and a temp
 * storage dir; `stop()` kills it by pid (and the token server) and removes
 * the dir.
 */
export async function startTestRegistry(opts: StartRegistryOptions = {}): Promise<TestRegistry> {
  if (!REGISTRY_BIN) throw new Error('docker-registry is not installed');
  const mode = opts.mode ?? 'anonymous';
  const users = opts.users ?? (mode === 'anonymous' ? {} : { alice: 'wonderland' });
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'berth-registry-'));
  const storageDir = path.join(dir, 'storage');
  await fsp.mkdir(storageDir);
  let token: TestTokenServer | undefined;
  const authYaml: string[] = [];
  try {
    if (mode === 'htpasswd') {
      const file = path.join(dir, 'htpasswd');
      await fsp.writeFile(
        file,
        Object.entries(users)
          .map(([u, p]) => `${u}:${bcryptHash(p)}\n`)
          .join(''),
      );
      authYaml.push('auth:', '  htpasswd:', '    realm: berth-test', `    path: ${yamlString(file)}`);
    } else if (mode === 'token') {
      const keyFile = path.join(dir, 'token.key');
      const certFile = path.join(dir, 'token.crt');
      runChecked('openssl', [
        'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', '2',
        '-subj', '/CN=berth-test-token', '-keyout', keyFile, '-out', certFile,
      ]); // prettier-ignore
      token = await startTokenServer({
        ...opts.token,
        users,
        keyPem: await fsp.readFile(keyFile, 'utf8'),
        certPem: await fsp.readFile(certFile, 'utf8'),
      });
      authYaml.push(
        'auth:',
        '  token:',
        `    realm: ${yamlString(token.realm)}`,
        `    service: ${yamlString(token.service)}`,
        `    issuer: ${yamlString(token.issuer)}`,
        `    rootcertbundle: ${yamlString(certFile)}`,
      );
    }
    for (let attempt = 0; ; attempt++) {
      const port = await freePort();
      const configFile = path.join(dir, 'config.yml');
      await fsp.writeFile(
        configFile,
        [
          'version: 0.1',
          'log:',
          '  level: warn',
          '  accesslog:',
          '    disabled: true',
          'storage:',
          '  filesystem:',
          `    rootdirectory: ${yamlString(storageDir)}`,
          '  delete:',
          '    enabled: true',
          '  maintenance:',
          '    uploadpurging:',
          '      enabled: false',
          'http:',
          `  addr: 127.0.0.1:${port}`,
          `  secret: ${crypto.randomBytes(16).toString('hex')}`,
          ...authYaml,
          '',
        ].join('\n'),
      );
      const child = spawn(REGISTRY_BIN, ['serve', configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
      // Never outlive the test process, whatever happens to the teardown.
      const onExit = (): void => {
        if (child.pid !== undefined && child.exitCode === null) process.kill(child.pid, 'SIGKILL');
      };
      process.once('exit', onExit);
      child.once('exit', () => process.off('exit', onExit));
      let log = '';
      const collect = (d: Buffer): void => {
        if (log.length < 1 << 20) log += d.toString();
      };
      child.stdout?.on('data', collect);
      child.stderr?.on('data', collect);
      const url = `http://127.0.0.1:${port}`;
      try {
        await waitReady(url, child, () => log);
      } catch (err) {
        await stopChild(child);
        if (attempt < 2 && /address already in use/.test(log)) continue;
        throw err;
      }
      const reg: TestRegistry = {
        mode,
        host: `127.0.0.1:${port}`,
        url,
        port,
        dir,
        storageDir,
        users,
        logs: () => log,
        stop: async () => {
          await stopChild(child);
          await token?.stop();
          await fsp.rm(dir, { recursive: true, force: true });
        },
      };
      if (token) reg.token = token;
      return reg;
    }
  } catch (err) {
    await token?.stop();
    await fsp.rm(dir, { recursive: true, force: true });
    throw err;
  }
}

/** Where distribution's filesystem driver keeps a blob. */
export function registryBlobFile(reg: Pick<TestRegistry, 'storageDir'>, digest: string): string {
  const hex = digest.slice('sha256:'.length);
  return path.join(reg.storageDir, 'docker/registry/v2/blobs/sha256', hex.slice(0, 2), hex, 'data');
}

// ───────────────────────────── the proxy ─────────────────────────────

export interface ProxyRequestRecord {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  status?: number;
}

export interface ProxyBehaviour {
  /** Flip one byte in the body of this blob. */
  corruptBlob?: string;
  /** Drop the connection after `afterBytes` body bytes of this blob, `times` times. */
  cutBlob?: { digest: string; afterBytes: number; times: number };
  /** Forward blob GETs without their Range header (the registry then answers 200). */
  stripRange?: boolean;
  /** Answer blob GETs with a 307 to a "storage" server on another host (127.0.0.2) that serves the file. */
  redirectBlobs?: boolean;
}

export interface TestProxy {
  url: string;
  host: string;
  behaviour: ProxyBehaviour;
  requests: ProxyRequestRecord[];
  /** Requests the storage server (redirect target) received. */
  storageRequests: ProxyRequestRecord[];
  stop(): Promise<void>;
}

const BLOB_GET = /^\/v2\/(.+)\/blobs\/(sha256:[0-9a-f]{64})$/;

/** A proxy in front of a test registry; `behaviour` can be changed between requests. */
export async function startRegistryProxy(reg: TestRegistry, behaviour: ProxyBehaviour = {}): Promise<TestProxy> {
  const requests: ProxyRequestRecord[] = [];
  const storageRequests: ProxyRequestRecord[] = [];
  const state: ProxyBehaviour = { ...behaviour };

  const storage = http.createServer((req, res) => {
    const rec: ProxyRequestRecord = { method: req.method ?? '', path: req.url ?? '', headers: req.headers };
    storageRequests.push(rec);
    const m = /^\/blobs\/(sha256:[0-9a-f]{64})/.exec(req.url ?? '');
    const file = m ? registryBlobFile(reg, m[1] as string) : '';
    if (!m || !fs.existsSync(file)) {
      rec.status = 404;
      res.writeHead(404).end();
      return;
    }
    const size = fs.statSync(file).size;
    const range = /^bytes=(\d+)-$/.exec(String(req.headers.range ?? ''));
    const start = range ? Number(range[1]) : 0;
    rec.status = range ? 206 : 200;
    res.writeHead(rec.status, {
      'content-length': String(size - start),
      'content-type': 'application/octet-stream',
      ...(range ? { 'content-range': `bytes ${start}-${size - 1}/${size}` } : {}),
    });
    fs.createReadStream(file, { start }).pipe(res);
  });
  const storagePort = await listen(storage, '127.0.0.2');

  const proxy = http.createServer((req, res) => {
    const rec: ProxyRequestRecord = { method: req.method ?? '', path: req.url ?? '', headers: { ...req.headers } };
    requests.push(rec);
    const blob = req.method === 'GET' ? BLOB_GET.exec(new URL(req.url ?? '/', 'http://x').pathname) : null;
    const digest = blob?.[2];
    if (blob && state.redirectBlobs) {
      rec.status = 307;
      res.writeHead(307, { location: `http://127.0.0.2:${storagePort}/blobs/${digest}?signature=test` }).end();
      return;
    }
    const headers = { ...req.headers };
    if (blob && state.stripRange) delete headers.range;
    const upstream = http.request(
      { host: '127.0.0.1', port: reg.port, method: req.method, path: req.url, headers },
      (up) => {
        rec.status = up.statusCode;
        res.writeHead(up.statusCode ?? 502, up.headers);
        const corrupt = blob !== null && digest === state.corruptBlob && up.statusCode === 200;
        const cutSpec = state.cutBlob;
        const cut =
          blob !== null && cutSpec !== undefined && cutSpec.digest === digest && cutSpec.times > 0
            ? cutSpec
            : undefined;
        let seen = 0;
        let flipped = false;
        up.on('data', (chunk: Buffer) => {
          let out = chunk;
          if (corrupt && !flipped && chunk.length > 0) {
            out = Buffer.from(chunk);
            out[0] = (out[0] as number) ^ 0xff;
            flipped = true;
          }
          if (cut && seen + out.length >= cut.afterBytes) {
            res.write(out.subarray(0, Math.max(0, cut.afterBytes - seen)));
            cut.times--;
            up.destroy();
            res.socket?.destroy();
            return;
          }
          seen += out.length;
          res.write(out);
        });
        up.on('end', () => res.end());
        up.on('error', () => res.socket?.destroy());
      },
    );
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  });
  const port = await listen(proxy, '127.0.0.1');
  return {
    url: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    behaviour: state,
    requests,
    storageRequests,
    stop: async () => {
      await closeServer(proxy);
      await closeServer(storage);
    },
  };
}

// ───────────────────────────── a blob store for tests ─────────────────────────────

/** BlobSink + BlobSource in a temp dir, verifying on commit like the real store. */
export class TempBlobStore implements BlobSink, BlobSource {
  readonly commits: string[] = [];

  constructor(readonly dir: string) {
    fs.mkdirSync(path.join(dir, 'blobs', 'sha256'), { recursive: true });
    fs.mkdirSync(path.join(dir, 'partial'), { recursive: true });
  }

  blobPath(digest: string): string {
    return path.join(this.dir, 'blobs', 'sha256', digest.slice('sha256:'.length));
  }

  async has(digest: string): Promise<boolean> {
    return fs.existsSync(this.blobPath(digest));
  }

  partialPath(digest: string): string {
    return path.join(this.dir, 'partial', `${digest.slice('sha256:'.length)}.partial`);
  }

  async commit(digest: string, partialPath: string, expectedSize?: number): Promise<void> {
    const hash = crypto.createHash('sha256');
    let size = 0;
    for await (const chunk of fs.createReadStream(partialPath)) {
      hash.update(chunk as Buffer);
      size += (chunk as Buffer).length;
    }
    const actual = `sha256:${hash.digest('hex')}`;
    if (actual !== digest || (expectedSize !== undefined && size !== expectedSize)) {
      await fsp.rm(partialPath, { force: true });
      throw new BerthError('DIGEST_MISMATCH', `commit: ${digest} is ${actual} (${size} bytes)`, {
        expected: digest,
        actual,
      });
    }
    await fsp.rename(partialPath, this.blobPath(digest));
    this.commits.push(digest);
  }

  async size(digest: string): Promise<number> {
    return (await fsp.stat(this.blobPath(digest))).size;
  }

  open(digest: string): NodeJS.ReadableStream {
    return fs.createReadStream(this.blobPath(digest));
  }

  async read(digest: string): Promise<Buffer> {
    return fsp.readFile(this.blobPath(digest));
  }

  async put(bytes: Uint8Array): Promise<Digest> {
    const d = sha256(bytes);
    await fsp.writeFile(this.blobPath(d), bytes);
    return d;
  }
}

// ───────────────────────────── images ─────────────────────────────

export interface TestPlatform {
  os: string;
  architecture: string;
  variant?: string;
}

export interface BuiltImage {
  platform: TestPlatform;
  config: Record<string, unknown>;
  configBytes: Buffer;
  configDescriptor: Descriptor;
  layers: Array<Descriptor & { bytes: Buffer }>;
  manifestBytes: Buffer;
  manifestDigest: Digest;
  manifestMediaType: string;
}

export interface BuildImageOptions {
  platform?: TestPlatform;
  /** One entry per layer: path → content. */
  layers: Array<Record<string, string | Buffer>>;
  gzip?: boolean;
  /** Docker schema2 media types instead of OCI. */
  docker?: boolean;
}

/** An image in memory (layers are tars of the given files; uncompressed unless `gzip`). */
export async function buildImage(opts: BuildImageOptions): Promise<BuiltImage> {
  const platform = opts.platform ?? { os: 'linux', architecture: 'amd64' };
  const layers: Array<Descriptor & { bytes: Buffer }> = [];
  const diffIds: string[] = [];
  for (const files of opts.layers) {
    const entries: TarWriteEntry[] = Object.entries(files).map(([p, body]) => ({
      path: p,
      body,
      mtime: 1_700_000_000,
    }));
    const tar = await tarBuffer(entries);
    diffIds.push(sha256(tar));
    const bytes = opts.gzip || opts.docker ? zlib.gzipSync(tar, { level: 1 }) : tar;
    const mediaType = opts.docker
      ? MediaTypes.dockerLayerGzip
      : opts.gzip
        ? MediaTypes.ociLayerGzip
        : MediaTypes.ociLayer;
    layers.push({ mediaType, digest: sha256(bytes), size: bytes.length, bytes });
  }
  const config: Record<string, unknown> = {
    created: '2024-01-01T00:00:00Z',
    architecture: platform.architecture,
    os: platform.os,
    ...(platform.variant ? { variant: platform.variant } : {}),
    config: { Env: ['PATH=/usr/bin:/bin'], Cmd: ['/bin/sh'] },
    rootfs: { type: 'layers', diff_ids: diffIds },
    history: layers.map((_, i) => ({ created_by: `layer ${i}` })),
  };
  const configBytes = Buffer.from(JSON.stringify(config));
  const configDescriptor: Descriptor = {
    mediaType: opts.docker ? MediaTypes.dockerConfig : MediaTypes.ociConfig,
    digest: sha256(configBytes),
    size: configBytes.length,
  };
  const manifestMediaType = opts.docker ? MediaTypes.dockerManifest : MediaTypes.ociManifest;
  const manifest = {
    schemaVersion: 2,
    mediaType: manifestMediaType,
    config: configDescriptor,
    layers: layers.map(({ mediaType, digest, size }) => ({ mediaType, digest, size })),
  };
  const manifestBytes = Buffer.from(JSON.stringify(manifest));
  return {
    platform,
    config,
    configBytes,
    configDescriptor,
    layers,
    manifestBytes,
    manifestDigest: sha256(manifestBytes),
    manifestMediaType,
  };
}

/** An OCI index over images (each with its platform). */
export function buildIndex(images: readonly BuiltImage[]): { bytes: Buffer; digest: Digest } {
  const index = {
    schemaVersion: 2,
    mediaType: MediaTypes.ociIndex,
    manifests: images.map((img) => ({
      mediaType: img.manifestMediaType,
      digest: img.manifestDigest,
      size: img.manifestBytes.length,
      platform: img.platform,
    })),
  };
  const bytes = Buffer.from(JSON.stringify(index));
  return { bytes, digest: sha256(bytes) };
}

/**
 * Writes an OCI image layout holding `images` under `tag`: one image →
 * index.json points at its manifest; several → at an image index (a
 * multi-arch tag, for `skopeo copy --all`).
 */
export async function writeOciLayout(
  dir: string,
  tag: string,
  images: readonly BuiltImage[],
): Promise<{ digest: Digest; index?: { bytes: Buffer; digest: Digest } }> {
  const blobs = path.join(dir, 'blobs', 'sha256');
  await fsp.mkdir(blobs, { recursive: true });
  const put = (d: string, bytes: Buffer): Promise<void> => fsp.writeFile(path.join(blobs, d.slice(7)), bytes);
  for (const img of images) {
    for (const l of img.layers) await put(l.digest, l.bytes);
    await put(img.configDescriptor.digest, img.configBytes);
    await put(img.manifestDigest, img.manifestBytes);
  }
  let top: { mediaType: string; digest: Digest; size: number };
  let index: { bytes: Buffer; digest: Digest } | undefined;
  if (images.length === 1) {
    const img = images[0] as BuiltImage;
    top = { mediaType: img.manifestMediaType, digest: img.manifestDigest, size: img.manifestBytes.length };
  } else {
    index = buildIndex(images);
    await put(index.digest, index.bytes);
    top = { mediaType: MediaTypes.ociIndex, digest: index.digest, size: index.bytes.length };
  }
  await fsp.writeFile(path.join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  await fsp.writeFile(
    path.join(dir, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MediaTypes.ociIndex,
      manifests: [{ ...top, annotations: { 'org.opencontainers.image.ref.name': tag } }],
    }),
  );
  return index ? { digest: top.digest, index } : { digest: top.digest };
}

// ───────────────────────────── skopeo ─────────────────────────────

/** An environment that keeps skopeo away from the developer's auth files and registries.conf. */
function isolatedEnv(scratch: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: scratch,
    XDG_RUNTIME_DIR: scratch,
    XDG_CONFIG_HOME: path.join(scratch, '.config'),
    REGISTRY_AUTH_FILE: path.join(scratch, 'auth.json'),
    TMPDIR: os.tmpdir(),
  };
}

export interface SkopeoOptions {
  creds?: { username: string; password: string };
  /** Copy every image of an index (`--all`). */
  all?: boolean;
  /** Convert the manifest (`--format v2s2` gives Docker schema2 — the oci: transport cannot hold those). */
  format?: 'oci' | 'v2s2';
}

function scratchDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'berth-skopeo-'));
}

/** `skopeo copy oci:LAYOUT:TAG docker://HOST/REPO:TAG` (plain http, no policy, isolated auth). */
export async function skopeoPushLayout(
  layoutDir: string,
  tag: string,
  destRef: string,
  opts: SkopeoOptions = {},
): Promise<void> {
  const scratch = scratchDir();
  try {
    const args = ['copy', '--insecure-policy', '--dest-tls-verify=false', '--retry-times', '0'];
    if (opts.all) args.push('--all');
    // Digests stay as built (no recompression of uncompressed layers) unless a format conversion is asked for.
    if (opts.format) args.push('--format', opts.format);
    else args.push('--preserve-digests');
    if (opts.creds) args.push('--dest-creds', `${opts.creds.username}:${opts.creds.password}`);
    args.push(`oci:${layoutDir}:${tag}`, `docker://${destRef}`);
    await runAsync('skopeo', args, { env: isolatedEnv(scratch) });
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

/** `skopeo copy docker-archive:ARCHIVE docker://HOST/REPO:TAG` (plain http, no policy, isolated auth). */
export async function skopeoPushArchive(archive: string, destRef: string): Promise<void> {
  const scratch = scratchDir();
  try {
    await runAsync(
      'skopeo',
      [
        'copy',
        '--insecure-policy',
        '--dest-tls-verify=false',
        '--retry-times',
        '0',
        `docker-archive:${archive}`,
        `docker://${destRef}`,
      ],
      { env: isolatedEnv(scratch) },
    );
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

async function skopeoInspectOut(
  ref: string,
  opts: SkopeoOptions & { raw?: boolean; config?: boolean },
): Promise<string> {
  const scratch = scratchDir();
  try {
    const args = ['inspect', '--tls-verify=false', '--retry-times', '0'];
    if (opts.raw) args.push('--raw');
    if (opts.config) args.push('--config');
    if (opts.creds) args.push('--creds', `${opts.creds.username}:${opts.creds.password}`);
    args.push(`docker://${ref}`);
    return await runAsync('skopeo', args, { env: isolatedEnv(scratch) });
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

/** `skopeo inspect [--raw | --config] docker://REF`, parsed. */
export async function skopeoInspect(
  ref: string,
  opts: SkopeoOptions & { raw?: boolean; config?: boolean } = {},
): Promise<Record<string, unknown>> {
  return JSON.parse(await skopeoInspectOut(ref, opts)) as Record<string, unknown>;
}

/** The manifest bytes exactly as the registry serves them (`skopeo inspect --raw`). */
export async function skopeoRawManifest(ref: string, opts: SkopeoOptions = {}): Promise<Buffer> {
  return Buffer.from(await skopeoInspectOut(ref, { ...opts, raw: true }), 'utf8');
}
