/**
 * The Electron transport: `berth:*` IPC channels carrying the router's
 * envelopes and typed event subscriptions. Only our own windows' frames
 * may call in.
 */
import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron';
import { isEventName } from '../../preload/contract';
import type { Backend } from '../api/backend';
import { ClientScope } from '../api/router';

export const CHANNELS = {
  invoke: 'berth:invoke',
  subscribe: 'berth:subscribe',
  unsubscribe: 'berth:unsubscribe',
  event: 'berth:event',
} as const;

export function registerElectronIpc(ipcMain: IpcMain, backend: Backend, trusted: (url: string) => boolean): void {
  const subsBySender = new Map<WebContents, Map<number, () => void>>();

  const senderOk = (e: IpcMainInvokeEvent): boolean => trusted(e.senderFrame?.url ?? '');

  // One client scope per page load: sessions it attached are detached when it
  // navigates away (a reload) or its window goes.
  const scopes = new Map<WebContents, ClientScope>();
  const watched = new WeakSet<WebContents>();
  const release = (sender: WebContents): void => {
    const scope = scopes.get(sender);
    if (!scope) return;
    scopes.delete(sender);
    backend.router.release(scope);
  };
  const scopeOf = (sender: WebContents): ClientScope => {
    if (!watched.has(sender)) {
      watched.add(sender);
      sender.once('destroyed', () => release(sender));
      sender.on('did-start-navigation', (details) => {
        if (details.isMainFrame && !details.isSameDocument) release(sender);
      });
    }
    let scope = scopes.get(sender);
    if (!scope) {
      scope = new ClientScope();
      scopes.set(sender, scope);
    }
    return scope;
  };

  ipcMain.handle(CHANNELS.invoke, (e, method: unknown, params: unknown) => {
    if (!senderOk(e)) return { ok: false, error: { code: 'FORBIDDEN_ORIGIN', message: 'untrusted frame' } };
    return backend.router.dispatch(method, params, { transport: 'electron', client: scopeOf(e.sender) });
  });

  ipcMain.handle(CHANNELS.subscribe, (e, id: unknown, event: unknown) => {
    if (!senderOk(e) || typeof id !== 'number' || !isEventName(event)) return false;
    let subs = subsBySender.get(e.sender);
    if (!subs) {
      const created = new Map<number, () => void>();
      subs = created;
      subsBySender.set(e.sender, created);
      e.sender.once('destroyed', () => {
        for (const off of created.values()) off();
        subsBySender.delete(e.sender);
      });
    }
    const sender = e.sender;
    subs.get(id)?.();
    subs.set(
      id,
      backend.hub.on(event, (payload) => {
        if (!sender.isDestroyed()) sender.send(CHANNELS.event, id, payload);
      }),
    );
    return true;
  });

  ipcMain.handle(CHANNELS.unsubscribe, (e, id: unknown) => {
    const subs = subsBySender.get(e.sender);
    if (typeof id !== 'number' || !subs) return false;
    subs.get(id)?.();
    return subs.delete(id);
  });
}
