/** For tests of web mode: what the page does to get and use a session. */
import { WEB_SESSION_PATH, WS_SESSION_PROTOCOL_PREFIX, WS_SUBPROTOCOL } from '../../preload/api';

/** Trades the printed token for a session secret, as the renderer does on load. */
export async function openSession(base: string, token: string): Promise<string> {
  const r = await fetch(base + WEB_SESSION_PATH, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
  if (r.status !== 200) throw new Error(`POST ${WEB_SESSION_PATH}: ${r.status} ${await r.text()}`);
  return ((await r.json()) as { session: string }).session;
}

/** The subprotocols the page offers on the WebSocket upgrade. */
export function sessionProtocols(session: string): string[] {
  return [WS_SUBPROTOCOL, WS_SESSION_PROTOCOL_PREFIX + session];
}
