/**
 * Authentication against real registries: htpasswd (Basic) and token
 * (Bearer via a token server issuing RS256 JWTs, like Docker Hub).
 * Credentials come from the caller or from config.json / auth.json files.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  TempBlobStore,
  buildImage,
  registryToolsMissing,
  skopeoInspect,
  skopeoPushLayout,
  startRegistryProxy,
  startTestRegistry,
  writeOciLayout,
  type BuiltImage,
  type TestRegistry,
} from '../../../testing/registry';
import { RegistryAuth } from './auth';
import { pullImage } from './pull';
import { pushImage } from './push';
import { isBerthError } from '../../../../preload/errors';

const missing = registryToolsMissing();
if (missing) console.warn(`registry auth tests skipped: ${missing}`);

const b64 = (s: string): string => Buffer.from(s).toString('base64');
const ALICE = { username: 'alice', password: 'wonderland' };

describe.skipIf(missing !== undefined)('registry authentication', () => {
  let tmp: string;
  let image: BuiltImage;
  let basicReg: TestRegistry;
  let tokenReg: TestRegistry;

  const store = (): TempBlobStore => new TempBlobStore(fs.mkdtempSync(path.join(tmp, 'store-')));
  const home = (files: Record<string, unknown>): string => {
    const dir = fs.mkdtempSync(path.join(tmp, 'home-'));
    for (const [rel, content] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
      fs.writeFileSync(path.join(dir, rel), JSON.stringify(content));
    }
    return dir;
  };

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-auth-'));
    [basicReg, tokenReg] = await Promise.all([
      startTestRegistry({ mode: 'htpasswd', users: { alice: 'wonderland' } }),
      startTestRegistry({
        mode: 'token',
        users: { alice: 'wonderland' },
        token: { identityTokens: { 'refresh-me': 'alice' } },
      }),
    ]);
    image = await buildImage({ layers: [{ 'etc/secret': 'behind auth\n' }, { 'etc/more': 'more\n' }], gzip: true });
    const layout = path.join(tmp, 'layout');
    await writeOciLayout(layout, 't', [image]);
    await skopeoPushLayout(layout, 't', `${basicReg.host}/berth/private:1`, { creds: ALICE });
    await skopeoPushLayout(layout, 't', `${tokenReg.host}/berth/private:1`, { creds: ALICE });
  });

  afterAll(async () => {
    await basicReg?.stop();
    await tokenReg?.stop();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  describe('htpasswd (Basic)', () => {
    it('pulls with the credentials given', async () => {
      const r = await pullImage(`${basicReg.host}/berth/private:1`, store(), { auth: { credentials: ALICE } });
      expect(r.manifestDigest).toBe(image.manifestDigest);
    });

    it('refuses without credentials and with a wrong password: REGISTRY_UNAUTHORIZED', async () => {
      const none = await pullImage(`${basicReg.host}/berth/private:1`, store()).catch((e) => e);
      expect(isBerthError(none, 'REGISTRY_UNAUTHORIZED')).toBe(true);
      expect(none.message).toMatch(/requires authentication .* no credentials/);
      expect(none.details).toMatchObject({ registry: basicReg.host, repository: 'berth/private', status: 401 });
      expect(none.details.registryErrors[0].code).toBe('UNAUTHORIZED');
      const wrong = await pullImage(`${basicReg.host}/berth/private:1`, store(), {
        auth: { credentials: { username: 'alice', password: 'nope' } },
      }).catch((e) => e);
      expect(isBerthError(wrong, 'REGISTRY_UNAUTHORIZED')).toBe(true);
      expect(wrong.message).toMatch(/refused the credentials/);
    });

    it('reads ~/.docker/config.json (host:port key)', async () => {
      const homeDir = home({
        '.docker/config.json': { auths: { [basicReg.host]: { auth: b64('alice:wonderland') } } },
      });
      const r = await pullImage(`${basicReg.host}/berth/private:1`, store(), { auth: { files: { homeDir } } });
      expect(r.manifestDigest).toBe(image.manifestDigest);
      expect(r.warnings).toEqual([]);
    });

    it('reads $XDG_RUNTIME_DIR/containers/auth.json (namespaced key) before config.json', async () => {
      const homeDir = home({
        'run/containers/auth.json': { auths: { [`${basicReg.host}/berth`]: { auth: b64('alice:wonderland') } } },
        '.docker/config.json': { auths: { [basicReg.host]: { auth: b64('alice:stale') } } },
      });
      const auth = new RegistryAuth({ files: { homeDir, runtimeDir: path.join(homeDir, 'run') } });
      const r = await pullImage(`${basicReg.host}/berth/private:1`, store(), { auth });
      expect(r.manifestDigest).toBe(image.manifestDigest);
      const lookup = await auth.credentialsFor(basicReg.host, 'berth/private');
      expect(lookup.source).toBe(`${path.join(homeDir, 'run/containers/auth.json')}#${basicReg.host}/berth`);
    });

    it('says that a credential helper is not supported', async () => {
      const homeDir = home({ '.docker/config.json': { auths: { [basicReg.host]: {} }, credsStore: 'secretservice' } });
      const err = await pullImage(`${basicReg.host}/berth/private:1`, store(), { auth: { files: { homeDir } } }).catch(
        (e) => e,
      );
      expect(isBerthError(err, 'REGISTRY_UNAUTHORIZED')).toBe(true);
      expect(err.message).toMatch(/docker-credential-secretservice.*not supported/);
      expect(err.details.warnings).toHaveLength(1);
    });
  });

  describe('token (Bearer)', () => {
    it('pulls with Basic credentials at the token realm, one token for the whole pull', async () => {
      const token = tokenReg.token;
      if (!token) throw new Error('no token server');
      token.requests.length = 0;
      const r = await pullImage(`${tokenReg.host}/berth/private:1`, store(), { auth: { credentials: ALICE } });
      expect(r.manifestDigest).toBe(image.manifestDigest);
      expect(token.requests).toEqual([
        { method: 'GET', user: 'alice', scopes: ['repository:berth/private:pull'], status: 200 },
      ]);
    });

    it('wrong password → REGISTRY_UNAUTHORIZED with the token server message; anonymous → UNAUTHORIZED', async () => {
      const wrong = await pullImage(`${tokenReg.host}/berth/private:1`, store(), {
        auth: { credentials: { username: 'alice', password: 'nope' } },
      }).catch((e) => e);
      expect(isBerthError(wrong, 'REGISTRY_UNAUTHORIZED')).toBe(true);
      expect(wrong.message).toMatch(/invalid username or password/);
      expect(wrong.details.status).toBe(401);

      const anon = await pullImage(`${tokenReg.host}/berth/private:1`, store()).catch((e) => e);
      expect(isBerthError(anon, 'REGISTRY_UNAUTHORIZED')).toBe(true);
      expect(anon.message).toMatch(/no credentials/);
      expect(anon.details.registryErrors[0].code).toBe('UNAUTHORIZED');
    });

    it('exchanges an identitytoken from config.json (OAuth2 refresh_token grant)', async () => {
      const homeDir = home({ '.docker/config.json': { auths: { [tokenReg.host]: { identitytoken: 'refresh-me' } } } });
      tokenReg.token?.requests.splice(0);
      const r = await pullImage(`${tokenReg.host}/berth/private:1`, store(), { auth: { files: { homeDir } } });
      expect(r.manifestDigest).toBe(image.manifestDigest);
      expect(tokenReg.token?.requests[0]).toMatchObject({ method: 'POST', grant: 'refresh_token', user: 'alice' });
    });

    it('follows a redirect to blob storage on another host without sending Authorization there', async () => {
      const proxy = await startRegistryProxy(tokenReg, { redirectBlobs: true });
      try {
        const r = await pullImage(`${proxy.host}/berth/private:1`, store(), { auth: { credentials: ALICE } });
        expect(r.layers).toHaveLength(2);
        // config + 2 layers, each redirected; the registry itself saw the bearer token.
        expect(proxy.storageRequests).toHaveLength(3);
        for (const q of proxy.storageRequests) expect(q.headers.authorization).toBeUndefined();
        const blobGets = proxy.requests.filter((q) => q.path.includes('/blobs/'));
        expect(blobGets.length).toBe(3);
        for (const q of blobGets) expect(q.headers.authorization).toMatch(/^Bearer /);
      } finally {
        await proxy.stop();
      }
    });

    it('pushes with a pull,push token; skopeo sees the result', async () => {
      const pushed = await buildImage({ layers: [{ 'etc/pushed': 'via token\n' }], gzip: true });
      const source = store();
      for (const l of pushed.layers) await source.put(l.bytes);
      await source.put(pushed.configBytes);
      const r = await pushImage(`${tokenReg.host}/berth/pushed:1`, source, pushed, { auth: { credentials: ALICE } });
      expect(r.manifestDigest).toBe(pushed.manifestDigest);
      expect(tokenReg.token?.requests.some((q) => q.scopes.includes('repository:berth/pushed:pull,push'))).toBe(true);
      const inspected = await skopeoInspect(`${tokenReg.host}/berth/pushed:1`, { creds: ALICE });
      expect(inspected.Digest).toBe(pushed.manifestDigest);
    });
  });
});
