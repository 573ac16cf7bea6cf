import { describe, expect, it } from 'vitest';
import { WEB_SESSION_STORAGE_KEY } from '../../../../preload/api';
import { WebSession, type WebSessionEnv } from './web-session';

class MemoryStorage {
  readonly map = new Map<string, string>();
  getItem(k: string): string | null {
    return this.map.get(k) ?? null;
  }
  setItem(k: string, v: string): void {
    this.map.set(k, v);
  }
  removeItem(k: string): void {
    this.map.delete(k);
  }
}

interface Call {
  url: string;
  method: string;
  headers: Record<string, string>;
}

function env(href: string, answer: (c: Call) => { status: number; body: unknown }, storage = new MemoryStorage()) {
  const calls: Call[] = [];
  const urls: string[] = [];
  const e: WebSessionEnv = {
    storage,
    href,
    replaceUrl: (u) => urls.push(u),
    fetch: async (url, init) => {
      const c = { url, ...init };
      calls.push(c);
      const a = answer(c);
      return { status: a.status, json: async () => a.body };
    },
  };
  return { e, calls, urls, storage };
}

describe('WebSession', () => {
  it('takes the token out of the address bar at once, keeping the path, other params and the hash', () => {
    const { e, urls, calls } = env('http://127.0.0.1:5/?a=1&token=T#/images', () => ({ status: 200, body: {} }));
    new WebSession('http://127.0.0.1:5', e);
    expect(urls).toEqual(['/?a=1#/images']);
    expect(calls).toHaveLength(0);
  });

  it('trades the token once (however many callers wait), stores the secret, and offers it', async () => {
    const { e, calls, storage } = env('http://h/?token=T', () => ({ status: 200, body: { session: 'S1' } }));
    const s = new WebSession('http://h', e);
    const [a, b] = await Promise.all([s.protocols(), s.authorization()]);
    expect(a).toEqual(['berth.v1', 'berth.session.S1']);
    expect(b).toEqual({ authorization: 'Bearer S1' });
    expect(calls).toEqual([{ url: 'http://h/session', method: 'POST', headers: { authorization: 'Bearer T' } }]);
    expect(storage.getItem(WEB_SESSION_STORAGE_KEY)).toBe('S1');
  });

  it('a reload (no token, the secret in sessionStorage) uses the stored secret without asking', async () => {
    const storage = new MemoryStorage();
    storage.setItem(WEB_SESSION_STORAGE_KEY, 'S0');
    const { e, calls } = env('http://h/#/system', () => ({ status: 500, body: null }), storage);
    expect(await new WebSession('http://h', e).secret()).toBe('S0');
    expect(calls).toHaveLength(0);
  });

  it('a new token replaces an older stored session', async () => {
    const storage = new MemoryStorage();
    storage.setItem(WEB_SESSION_STORAGE_KEY, 'OLD');
    const { e } = env('http://h/?token=T2', () => ({ status: 200, body: { session: 'NEW' } }), storage);
    expect(await new WebSession('http://h', e).secret()).toBe('NEW');
  });

  it('no token and nothing stored: UNAUTHORIZED, saying to open the printed URL', async () => {
    const { e } = env('http://h/', () => ({ status: 200, body: { session: 'x' } }));
    await expect(new WebSession('http://h', e).secret()).rejects.toMatchObject({
      code: 'UNAUTHORIZED',
      message: expect.stringContaining('?token='),
    });
  });

  it('a wrong token: the server’s code, and the token is not tried again', async () => {
    const { e, calls } = env('http://h/?token=bad', () => ({
      status: 401,
      body: { code: 'UNAUTHORIZED', message: 'not the token' },
    }));
    const s = new WebSession('http://h', e);
    await expect(s.secret()).rejects.toMatchObject({ code: 'UNAUTHORIZED', message: 'not the token' });
    await expect(s.secret()).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    expect(calls).toHaveLength(1);
  });

  it('a network failure keeps the token for the next try', async () => {
    let up = false;
    const { e } = env('http://h/?token=T', () => {
      if (!up) throw new TypeError('Failed to fetch');
      return { status: 200, body: { session: 'S' } };
    });
    const s = new WebSession('http://h', e);
    await expect(s.secret()).rejects.toMatchObject({ code: 'TRANSPORT_FAILED' });
    up = true;
    expect(await s.secret()).toBe('S');
  });

  it('recheck forgets a session the server no longer knows (it restarted), keeps one it does', async () => {
    const storage = new MemoryStorage();
    storage.setItem(WEB_SESSION_STORAGE_KEY, 'S');
    let known = true;
    const { e } = env('http://h/', () => ({ status: known ? 200 : 401, body: {} }), storage);
    const s = new WebSession('http://h', e);
    await s.recheck();
    expect(await s.secret()).toBe('S');
    known = false;
    await s.recheck();
    await expect(s.secret()).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
  });

  it('works without storage (kept in memory)', async () => {
    const { e } = env('http://h/?token=T', () => ({ status: 200, body: { session: 'M' } }));
    const s = new WebSession('http://h', { ...e, storage: null });
    expect(await s.secret()).toBe('M');
    expect(await s.secret()).toBe('M');
  });
});
