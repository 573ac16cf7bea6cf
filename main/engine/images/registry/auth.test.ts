import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bcryptHash } from '../../../testing/registry';
import { RegistryAuth, parseWwwAuthenticate, repositoryScope } from './auth';
import { credentialFiles, credentialResolver, lookupCredentials, normalizeAuthKey } from './credentials';
import type { FetchFn } from './http';
import { isBerthError } from '../../../../preload/errors';

const b64 = (s: string): string => Buffer.from(s).toString('base64');

describe('parseWwwAuthenticate', () => {
  it('reads a Docker-style Bearer challenge', () => {
    expect(
      parseWwwAuthenticate(
        'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull"',
      ),
    ).toEqual([
      {
        scheme: 'bearer',
        params: {
          realm: 'https://auth.docker.io/token',
          service: 'registry.docker.io',
          scope: 'repository:library/busybox:pull',
        },
      },
    ]);
  });

  it('keeps commas and escapes inside quoted strings, tolerates spaces and token values', () => {
    const [c] = parseWwwAuthenticate(
      'Bearer realm = "https://h/t?a=1,b=2" , scope="repository:a:pull,push repository:b:pull", error=insufficient_scope, x="q\\"uote"',
    );
    expect(c?.params).toEqual({
      realm: 'https://h/t?a=1,b=2',
      scope: 'repository:a:pull,push repository:b:pull',
      error: 'insufficient_scope',
      x: 'q"uote',
    });
  });

  it('splits several challenges (also from joined header lines) and reads token68', () => {
    const cs = parseWwwAuthenticate(
      'Basic realm="Registry Realm", Bearer realm="https://x/token",service="s", Negotiate abc123==',
    );
    expect(cs.map((c) => c.scheme)).toEqual(['basic', 'bearer', 'negotiate']);
    expect(cs[0]?.params.realm).toBe('Registry Realm');
    expect(cs[1]?.params).toEqual({ realm: 'https://x/token', service: 's' });
    expect(cs[2]?.params['']).toBe('abc123=');
    expect(parseWwwAuthenticate('BASIC')).toEqual([{ scheme: 'basic', params: {} }]);
    expect(parseWwwAuthenticate('')).toEqual([]);
    expect(parseWwwAuthenticate('Bearer realm="unterminated')[0]?.params.realm).toBe('unterminated');
  });
});

describe('credential files', () => {
  let home: string;
  const write = (rel: string, content: unknown): string => {
    const file = path.join(home, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
    return file;
  };

  beforeEach(() => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-creds-'));
  });
  afterEach(() => fs.rmSync(home, { recursive: true, force: true }));

  it('orders auth.json paths before Docker config, REGISTRY_AUTH_FILE replacing the containers ones', () => {
    expect(credentialFiles({ homeDir: '/h', runtimeDir: '/run/user/7' }).map((f) => f.path)).toEqual([
      '/run/user/7/containers/auth.json',
      '/h/.config/containers/auth.json',
      '/h/.docker/config.json',
      '/h/.dockercfg',
    ]);
    expect(credentialFiles({ homeDir: '/h', runtimeDir: '/r', authFile: '/x/auth.json' }).map((f) => f.path)).toEqual([
      '/x/auth.json',
      '/h/.docker/config.json',
      '/h/.dockercfg',
    ]);
  });

  it("matches keys like Docker: https://index.docker.io/v1/ for docker.io, bare host, host:port, URLs' paths dropped", async () => {
    expect(normalizeAuthKey('https://index.docker.io/v1/')).toBe('docker.io');
    expect(normalizeAuthKey('http://reg.lan:5000/v2/')).toBe('reg.lan:5000');
    expect(normalizeAuthKey('quay.io/org/')).toBe('quay.io/org');
    write('.docker/config.json', {
      auths: {
        'https://index.docker.io/v1/': { auth: b64('hub:pw:with:colons') },
        'reg.lan:5000': { auth: b64('lan:pw') },
        'https://other.example/v1/': { identitytoken: 'refresh' },
      },
    });
    const opts = { homeDir: home };
    expect((await lookupCredentials(opts, 'docker.io', 'library/busybox')).credentials).toEqual({
      username: 'hub',
      password: 'pw:with:colons',
    });
    expect((await lookupCredentials(opts, 'reg.lan:5000')).credentials).toEqual({ username: 'lan', password: 'pw' });
    expect((await lookupCredentials(opts, 'reg.lan')).credentials).toBeUndefined();
    expect((await lookupCredentials(opts, 'other.example')).credentials).toEqual({ identityToken: 'refresh' });
  });

  it('prefers auth.json (runtime, then config home), and its most specific namespaced key', async () => {
    write('run/containers/auth.json', {
      auths: { 'quay.io/team/app': { auth: b64('app:1') }, 'quay.io': { auth: b64('any:2') } },
    });
    write('.config/containers/auth.json', { auths: { 'quay.io/team': { auth: b64('team:3') } } });
    write('.docker/config.json', { auths: { 'quay.io': { auth: b64('docker:4') } } });
    const resolve = credentialResolver({ homeDir: home, runtimeDir: path.join(home, 'run') });
    expect((await resolve('quay.io', 'team/app')).credentials?.username).toBe('app');
    expect((await resolve('quay.io', 'team/other')).credentials?.username).toBe('any');
    const noRuntime = credentialResolver({ homeDir: home });
    expect((await noRuntime('quay.io', 'team/other')).credentials?.username).toBe('team');
    expect((await noRuntime('quay.io', 'solo/x')).source).toBe(`${path.join(home, '.docker/config.json')}#quay.io`);
    const viaEnvFile = credentialResolver({ homeDir: home, authFile: path.join(home, '.config/containers/auth.json') });
    expect((await viaEnvFile('quay.io', 'team/x')).credentials?.username).toBe('team');
  });

  it('warns about credential helpers (credsStore, credHelpers) instead of running them', async () => {
    write('.docker/config.json', {
      auths: { 'ghcr.io': {} },
      credsStore: 'desktop',
      credHelpers: { 'gcr.io': 'gcloud' },
    });
    const ghcr = await lookupCredentials({ homeDir: home }, 'ghcr.io');
    expect(ghcr.credentials).toBeUndefined();
    expect(ghcr.warnings).toEqual([expect.stringMatching(/docker-credential-desktop.*not supported/)]);
    const gcr = await lookupCredentials({ homeDir: home }, 'gcr.io');
    expect(gcr.warnings[0]).toMatch(/docker-credential-gcloud/);
  });

  it('refuses files it should not read as root: wrong owner, not regular, huge; never quotes their content', async () => {
    const file = write('.docker/config.json', { auths: { 'a.io': { auth: b64('u:p') } } });
    const uid = fs.statSync(file).uid;
    const own = await lookupCredentials({ homeDir: home, uid }, 'a.io');
    expect(own.credentials?.username).toBe('u');
    const other = await lookupCredentials({ homeDir: home, uid: uid + 1 }, 'a.io');
    expect(other.credentials).toBeUndefined();
    expect(other.warnings[0]).toMatch(/owned by uid/);

    fs.rmSync(file);
    const fifo = spawnSync('mkfifo', [file]);
    if (fifo.status === 0) {
      const r = await lookupCredentials({ homeDir: home }, 'a.io'); // must not hang on the FIFO
      expect(r.warnings[0]).toMatch(/not a regular file/);
      fs.rmSync(file);
    }
    write('.docker/config.json', 'root:$y$secret-hash:19000:0:99999:7:::\n');
    const garbage = await lookupCredentials({ homeDir: home }, 'a.io');
    expect(garbage.warnings).toEqual([`ignored ${file}: not valid JSON`]);
    write('.docker/config.json', ' '.repeat(1024 * 1024 + 1));
    expect((await lookupCredentials({ homeDir: home }, 'a.io')).warnings[0]).toMatch(/larger than/);
  });

  it('reads the legacy ~/.dockercfg', async () => {
    write('.dockercfg', { 'https://index.docker.io/v1/': { auth: b64('old:school'), email: 'x@y' } });
    expect((await lookupCredentials({ homeDir: home }, 'docker.io')).credentials).toEqual({
      username: 'old',
      password: 'school',
    });
  });
});

describe('RegistryAuth token flow (fake token server)', () => {
  const challenge = 'Bearer realm="https://auth.example/token",service="reg.example"';

  function fakeRealm(expiresIn = 300): { fetch: FetchFn; calls: Array<{ url: string; auth: string | undefined }> } {
    const calls: Array<{ url: string; auth: string | undefined }> = [];
    let n = 0;
    const f = (async (input: string | URL | Request, init?: RequestInit) => {
      const headers = (init?.headers ?? {}) as Record<string, string>;
      calls.push({ url: String(input), auth: headers.authorization });
      await new Promise((r) => setTimeout(r, 5));
      if (headers.authorization === `Basic ${b64('u:bad')}`) {
        return new Response(JSON.stringify({ details: 'incorrect username or password' }), { status: 401 });
      }
      return new Response(JSON.stringify({ token: `t${++n}`, expires_in: expiresIn }), { status: 200 });
    }) as FetchFn;
    return { fetch: f, calls };
  }

  const ctx = (sent?: string) => ({
    registry: 'reg.example',
    repository: 'a/b',
    scopes: [repositoryScope('a/b', 'pull')],
    challenge,
    sent,
    registryErrors: [],
  });

  it('asks the realm with service, scope and Basic credentials; caches per scope; refetches when expired', async () => {
    let now = 1_000_000;
    const realm = fakeRealm(60);
    const auth = new RegistryAuth({
      credentials: { username: 'u', password: 'p' },
      fetch: realm.fetch,
      now: () => now,
    });
    expect(await auth.authorization('reg.example', 'a/b', ['repository:a/b:pull'])).toBeUndefined();
    expect(await auth.onUnauthorized(ctx())).toBe('Bearer t1');
    expect(realm.calls[0]?.url).toBe(
      'https://auth.example/token?service=reg.example&scope=repository%3Aa%2Fb%3Apull&account=u',
    );
    expect(realm.calls[0]?.auth).toBe(`Basic ${b64('u:p')}`);
    // Known scheme: later requests get the cached token up front; five at once share one fetch.
    const many = await Promise.all(
      Array.from({ length: 5 }, () => auth.authorization('reg.example', 'a/b', ['repository:a/b:pull'])),
    );
    expect(new Set(many)).toEqual(new Set(['Bearer t1']));
    expect(realm.calls).toHaveLength(1);
    // Another scope is another token.
    expect(await auth.authorization('reg.example', 'a/b', ['repository:a/b:pull,push'])).toBe('Bearer t2');
    // Expiry (60 s lifetime, 15 s margin): refetched.
    now += 50_000;
    expect(await auth.authorization('reg.example', 'a/b', ['repository:a/b:pull'])).toBe('Bearer t3');
    // A refused token is dropped and fetched again.
    expect(await auth.onUnauthorized(ctx('Bearer t3'))).toBe('Bearer t4');
  });

  it('goes anonymous to the realm without credentials; the realm refusing credentials is REGISTRY_UNAUTHORIZED', async () => {
    const realm = fakeRealm();
    const anon = new RegistryAuth({ fetch: realm.fetch });
    expect(await anon.onUnauthorized(ctx())).toBe('Bearer t1');
    expect(realm.calls[0]?.auth).toBeUndefined();
    const bad = new RegistryAuth({ credentials: { username: 'u', password: 'bad' }, fetch: realm.fetch });
    const err = await bad.onUnauthorized(ctx()).catch((e) => e);
    expect(isBerthError(err, 'REGISTRY_UNAUTHORIZED')).toBe(true);
    expect(err.message).toMatch(/incorrect username or password/);
  });

  it('Basic challenge: retries with Basic, gives up without credentials or when they were refused', async () => {
    const basic = { ...ctx(), challenge: 'Basic realm="r"' };
    const auth = new RegistryAuth({ credentials: { username: 'u', password: 'p' } });
    const header = await auth.onUnauthorized(basic);
    expect(header).toBe(`Basic ${b64('u:p')}`);
    expect(await auth.authorization('reg.example', 'a/b', [])).toBe(header);
    const refused = await auth.onUnauthorized({ ...basic, sent: header }).catch((e) => e);
    expect(isBerthError(refused, 'REGISTRY_UNAUTHORIZED')).toBe(true);
    const none = await new RegistryAuth().onUnauthorized(basic).catch((e) => e);
    expect(none.message).toMatch(/no credentials were found/);
  });

  it('will not send a password to a plain-http realm of an https registry', async () => {
    const auth = new RegistryAuth({ credentials: { username: 'u', password: 'p' }, fetch: fakeRealm().fetch });
    const err = await auth
      .onUnauthorized({ ...ctx(), challenge: 'Bearer realm="http://auth.example/token"' })
      .catch((e) => e);
    expect(isBerthError(err, 'REGISTRY_PROTOCOL')).toBe(true);
  });
});

describe('bcrypt for htpasswd files (test support)', () => {
  const BCRYPT_B64 = './ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const STD_B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const saltBytes = (s: string): Buffer =>
    Buffer.from([...s].map((c) => STD_B64[BCRYPT_B64.indexOf(c)]).join(''), 'base64').subarray(0, 16);

  it('matches a jBCrypt test vector and, when available, Python crypt', () => {
    // jBCrypt: hashpw("abc", "$2a$06$If6bvum7DFjUnE9p2uDeDu")
    const h = bcryptHash('abc', 6, saltBytes('If6bvum7DFjUnE9p2uDeDu'));
    expect(h).toBe('$2b$06$If6bvum7DFjUnE9p2uDeDu0YHzrHM6tf.iqN8.yx.jNN1ILEf7h0i');
    const mine = bcryptHash('wonderland', 4);
    const py = spawnSync(
      '/usr/bin/python3',
      [
        '-W',
        'ignore',
        '-c',
        'import crypt,sys;print(crypt.crypt(sys.argv[2], sys.argv[1]))',
        mine.slice(0, 29),
        'wonderland',
      ],
      { encoding: 'utf8' },
    );
    if (py.status === 0) expect(py.stdout.trim()).toBe(mine);
  });
});
