import type { BerthBridge } from '../../preload/api';

declare global {
  interface Window {
    /** Exposed by preload/index.ts in Electron; absent in web mode. */
    berth?: BerthBridge & { methods: readonly string[]; events: readonly string[] };
  }
}

export {};
