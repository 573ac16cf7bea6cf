/**
 * Web mode's credential on the page (docs/ARCHITECTURE.md, Transports): the
 * printed `?token=` is taken out of the address bar at once and traded,
 * `POST /session`, for a session secret kept in sessionStorage: it survives
 * a reload of this tab, and no other tab, origin or port can read it (unlike
 * a cookie, which every server on 127.0.0.1 would receive). A new tab opens
 * the printed URL again.
 */
import {
  WEB_SESSION_PATH,
  WEB_SESSION_STORAGE_KEY,
  WS_SESSION_PROTOCOL_PREFIX,
  WS_SUBPROTOCOL,
} from '../../../../preload/api';
import { BerthError, isErrorCode } from '../../../../preload/errors';

export interface SessionFetch {
  (
    url: string,
    init: { method: string; headers: Record<string, string> },
  ): Promise<{
    status: number;
    json(): Promise<unknown>;
  }>;
}

export interface WebSessionEnv {
  /** sessionStorage, or null where the page may not use it (the secret then lives in memory: a reload needs the URL again). */
  storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> | null;
  /** The page's address at start. */
  href: string;
  /** history.replaceState with a same-origin path. */
  replaceUrl(pathAndHash: string): void;
  fetch: SessionFetch;
}

const NO_CREDENTIAL = 'this page has no Berth web session: open the URL `berth web` printed (with ?token=) in this tab';

export class WebSession {
  private token: string | null;
  private memory: string | null = null;
  private trading: Promise<string> | null = null;

  constructor(
    private readonly origin: string,
    private readonly env: WebSessionEnv,
  ) {
    const url = new URL(env.href);
    this.token = url.searchParams.get('token');
    if (this.token !== null) {
      url.searchParams.delete('token');
      env.replaceUrl(url.pathname + url.search + url.hash);
      // A new token means a new server start: an older session of this tab is gone with it.
      this.forget();
    }
  }

  /** The session secret: stored, or traded for the URL token now (once, however many callers wait). */
  secret(): Promise<string> {
    const known = this.stored();
    if (known) return Promise.resolve(known);
    if (this.trading) return this.trading;
    const token = this.token;
    if (token === null) return Promise.reject(new BerthError('UNAUTHORIZED', NO_CREDENTIAL));
    this.trading = this.trade(token).finally(() => {
      this.trading = null;
    });
    return this.trading;
  }

  /** The subprotocols of the WebSocket upgrade: `berth.v1` and the secret (the server echoes only the first). */
  async protocols(): Promise<string[]> {
    return [WS_SUBPROTOCOL, WS_SESSION_PROTOCOL_PREFIX + (await this.secret())];
  }

  async authorization(): Promise<Record<string, string>> {
    return { authorization: `Bearer ${await this.secret()}` };
  }

  /**
   * After the server refused the socket: asks whether the session is still
   * good (a restarted server has a new token and no sessions) and forgets it
   * if not, so the next attempt says UNAUTHORIZED instead of retrying a dead secret.
   */
  async recheck(): Promise<void> {
    const known = this.stored();
    if (!known) return;
    try {
      const r = await this.env.fetch(this.origin + WEB_SESSION_PATH, {
        method: 'GET',
        headers: { authorization: `Bearer ${known}` },
      });
      if (r.status === 401) this.forget();
    } catch {
      // The server is down: keep the secret for when it is back.
    }
  }

  forget(): void {
    this.memory = null;
    try {
      this.env.storage?.removeItem(WEB_SESSION_STORAGE_KEY);
    } catch {
      // storage refused: memory alone is cleared
    }
  }

  private stored(): string | null {
    try {
      return this.env.storage?.getItem(WEB_SESSION_STORAGE_KEY) || this.memory;
    } catch {
      return this.memory;
    }
  }

  private async trade(token: string): Promise<string> {
    let status: number;
    let body: unknown;
    try {
      const r = await this.env.fetch(this.origin + WEB_SESSION_PATH, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
      });
      status = r.status;
      body = await r.json().catch(() => null);
    } catch (err) {
      // Network trouble: keep the token and let the caller retry.
      throw new BerthError('TRANSPORT_FAILED', `trading the token for a session: ${String(err)}`);
    }
    const session = (body as { session?: unknown } | null)?.session;
    if (status === 200 && typeof session === 'string' && session.length > 0) {
      this.token = null;
      this.memory = session;
      try {
        this.env.storage?.setItem(WEB_SESSION_STORAGE_KEY, session);
      } catch {
        // kept in memory only
      }
      return session;
    }
    if (status === 401 || status === 403) this.token = null;
    const e = body as { code?: unknown; message?: unknown } | null;
    throw new BerthError(
      isErrorCode(e?.code) ? e.code : 'UNAUTHORIZED',
      typeof e?.message === 'string' ? e.message : `POST ${WEB_SESSION_PATH} answered ${status}`,
    );
  }
}
