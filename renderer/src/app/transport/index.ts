/**
 * Picks the transport: `window.berth` (Electron's preload, typed IPC) when it
 * exists, else the same-origin WebSocket of web mode (with upload chunks as
 * HTTP PUTs of raw bytes, http-chunks.ts), both authenticated by the page's
 * session secret (web-session.ts). Both implement the same
 * BerthBridge, so nothing above this file knows which one it got.
 */
import type { BerthBridge, Envelope } from '../../../../preload/api';
import { httpChunkPut } from './http-chunks';
import { WebSession } from './web-session';
import { WsBridge, type TransportStatus } from './ws-bridge';

export type TransportKind = 'electron' | 'web' | 'none';

export interface Transport {
  kind: TransportKind;
  bridge: BerthBridge;
  /** Connection state of the link itself (web mode only; IPC does not drop). */
  onStatus?: (listener: (s: TransportStatus) => void) => () => void;
  currentStatus?: () => TransportStatus;
}

export type { TransportStatus } from './ws-bridge';

/** A bridge for a page that has neither: every call fails with a clear code. */
function unavailableBridge(message: string): BerthBridge {
  return {
    invoke: () => Promise.resolve<Envelope<never>>({ ok: false, error: { code: 'TRANSPORT_UNAVAILABLE', message } }),
    subscribe: () => () => undefined,
  };
}

export function wsUrlFor(loc: Pick<Location, 'protocol' | 'host'>): string {
  return `${loc.protocol === 'https:' ? 'wss' : 'ws'}://${loc.host}/ws`;
}

/** Reading `sessionStorage` throws where storage is blocked (some privacy settings). */
function sessionStorageOrNull(win: Window): Storage | null {
  try {
    return win.sessionStorage;
  } catch {
    return null;
  }
}

export function pickTransport(win: Window = window): Transport {
  if (win.berth) return { kind: 'electron', bridge: win.berth };
  const loc = win.location;
  if (loc.protocol !== 'http:' && loc.protocol !== 'https:') {
    return {
      kind: 'none',
      bridge: unavailableBridge(
        `no Berth transport: window.berth is missing (preload not loaded) and ${loc.protocol} pages have no web server to reach`,
      ),
    };
  }
  const origin = `${loc.protocol}//${loc.host}`;
  const session = new WebSession(origin, {
    storage: sessionStorageOrNull(win),
    href: loc.href,
    replaceUrl: (u) => win.history.replaceState(win.history.state, '', u),
    fetch: (url, init) => win.fetch(url, { ...init, credentials: 'omit', cache: 'no-store' }),
  });
  const ws = new WsBridge({
    url: wsUrlFor(loc),
    protocols: () => session.protocols(),
    onRefused: () => session.recheck(),
  });
  const bridge: BerthBridge = {
    invoke: ws.invoke.bind(ws),
    subscribe: ws.subscribe.bind(ws),
    putChunk: httpChunkPut(origin, () => session.authorization()),
  };
  return {
    kind: 'web',
    bridge,
    onStatus: (l) => ws.onStatus(l),
    currentStatus: () => ws.currentStatus,
  };
}
