/**
 * Web mode's credential in e2e (docs/ARCHITECTURE.md, Transports): the page
 * trades the printed token for a session secret kept in its sessionStorage;
 * API calls offer it as a WebSocket subprotocol or a Bearer header. Tests
 * that call the API from the page read the page's own secret; tests that
 * call from Node trade the token themselves.
 */
import { expect, type Page } from '@playwright/test';
import {
  WEB_SESSION_PATH,
  WEB_SESSION_STORAGE_KEY,
  WS_SESSION_PROTOCOL_PREFIX,
  WS_SUBPROTOCOL,
} from '../../preload/api';

export function sessionProtocols(session: string): string[] {
  return [WS_SUBPROTOCOL, WS_SESSION_PROTOCOL_PREFIX + session];
}

/** The page's session secret, once its transport has traded the token (it does so on load). */
export async function pageSession(page: Page): Promise<string> {
  const read = () => page.evaluate((key) => sessionStorage.getItem(key), WEB_SESSION_STORAGE_KEY);
  await expect.poll(read, { message: 'the page traded ?token= for a session (sessionStorage)' }).toBeTruthy();
  return (await read())!;
}

/** The subprotocols the page's own WebSocket offers. */
export async function pageSessionProtocols(page: Page): Promise<string[]> {
  return sessionProtocols(await pageSession(page));
}

/** Trades the printed token for a session from Node, as the page does. */
export async function openSession(origin: string, token: string): Promise<string> {
  const r = await fetch(origin + WEB_SESSION_PATH, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
  if (r.status !== 200) throw new Error(`POST ${WEB_SESSION_PATH}: ${r.status} ${await r.text()}`);
  return ((await r.json()) as { session: string }).session;
}
