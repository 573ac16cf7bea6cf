/**
 * The Electron transport: `berth:*` IPC channels carrying the router's
 * envelopes and typed event subscriptions. Only our own windows' frames
 * may call in.
 */
import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron';
import { isEventName } from '../../preload/contract';
import type { Backend } from '../api/backend';

export const CHANNELS = {
  invoke: 'berth:invoke',
  subscribe: 'berth:subscribe',
  unsubscribe: 'berth:unsubscribe',
  event: 'berth:event',
} as const;

export function registerElectronIpc(ipcMain: IpcMain, backend: Backend, trusted: (url: string) => boolean): void {
  const subsBySender = new Map<WebContents, Map<number, () => void>>();

  const senderOk = (e: IpcMainInvokeEvent): boolean => trusted(e.senderFrame?.url ?? '');

  ipcMain.handle(CHANNELS.invoke, (e, method: unknown, params: unknown) => {
    if (!senderOk(e)) return { ok: false, error: { code: 'FORBIDDEN_ORIGIN', message: 'untrusted frame' } };
    return backend.router.dispatch(method, params, { transport: 'electron' });
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
