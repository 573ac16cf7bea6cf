/**
 * Where a note goes besides the window's own list: the desktop. The window
 * build asks main, which shows an Electron `Notification` (the renderer is
 * sandboxed); web mode uses the browser's Web Notification API once the user
 * has allowed it (Settings asks, on a click: browsers refuse a prompt
 * without one).
 */
import type { BerthClient } from '../client';
import type { Note } from './rules';

export type WebPermission = NotificationPermission | 'unsupported';

export function webPermission(): WebPermission {
  return typeof Notification === 'undefined' ? 'unsupported' : Notification.permission;
}

export async function requestWebPermission(): Promise<WebPermission> {
  if (typeof Notification === 'undefined') return 'unsupported';
  return Notification.requestPermission();
}

/** True when the desktop showed it. */
export async function deliverToDesktop(client: BerthClient, note: Note): Promise<boolean> {
  if (client.transport === 'electron') {
    const r = await client.invoke('app.notify', { title: note.title, body: note.body }).catch(() => ({ shown: false }));
    return r.shown;
  }
  if (webPermission() !== 'granted') return false;
  new Notification(note.title, { body: note.body, tag: `${note.kind}:${note.id}` });
  return true;
}
