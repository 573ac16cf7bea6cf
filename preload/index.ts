/**
 * Exposes `window.berth`, generated from the contract: the method and event
 * names it accepts are the contract's, and nothing else reaches main.
 * Runs sandboxed with contextIsolation; only `electron` may be imported.
 */
import { contextBridge, ipcRenderer, webUtils } from 'electron';
import { eventNames, isEventName, isMethodName, methodNames } from './contract';
import type { BerthBridge, Envelope } from './api';

const listeners = new Map<number, (payload: unknown) => void>();
let nextId = 1;

ipcRenderer.on('berth:event', (_e, id: number, payload: unknown) => listeners.get(id)?.(payload));

const bridge: BerthBridge & { methods: readonly string[]; events: readonly string[] } = {
  methods: methodNames,
  events: eventNames,
  invoke(method, params) {
    if (!isMethodName(method)) {
      const env: Envelope<never> = {
        ok: false,
        error: { code: 'METHOD_NOT_FOUND', message: `no such method: ${String(method)}` },
      };
      return Promise.resolve(env);
    }
    return ipcRenderer.invoke('berth:invoke', method, params);
  },
  subscribe(event, listener) {
    if (!isEventName(event)) throw new Error(`no such event: ${String(event)}`);
    const id = nextId++;
    listeners.set(id, listener as (p: unknown) => void);
    void ipcRenderer.invoke('berth:subscribe', id, event);
    return () => {
      if (listeners.delete(id)) void ipcRenderer.invoke('berth:unsubscribe', id);
    };
  },
  // Lets the Layer inspector hand main a dropped archive's path instead of its bytes.
  getPathForFile: (file) => webUtils.getPathForFile(file),
};

contextBridge.exposeInMainWorld('berth', bridge);
