/**
 * The transport-level API that every client sees: `window.berth` in Electron,
 * the WebSocket client in web mode, the in-process router in the CLI.
 * Results travel as envelopes so errors keep their code across Electron IPC
 * (which would otherwise flatten them to "Error invoking remote method").
 */
import type { ErrorShape } from './errors';
import type { EventName, EventPayload, MethodName, Params, Result } from './contract';

export type Envelope<T> = { ok: true; result: T } | { ok: false; error: ErrorShape };

export interface BerthBridge {
  invoke<M extends MethodName>(method: M, params: Params<M>): Promise<Envelope<Result<M>>>;
  /** Returns a function that cancels the subscription. */
  subscribe<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
  /**
   * Electron only: the host path of a File the user dropped or picked
   * (`webUtils.getPathForFile`), '' when it has none. Absent in web mode,
   * where the browser gives bytes but no path.
   */
  getPathForFile?(file: File): string;
}

/** Messages of the web transport (one JSON object per WebSocket message). */
export type WsClientMessage =
  | { type: 'invoke'; id: number; method: string; params: unknown }
  | { type: 'subscribe'; id: number; event: string }
  | { type: 'unsubscribe'; id: number };

export type WsServerMessage =
  | { type: 'result'; id: number; envelope: Envelope<unknown> }
  | { type: 'event'; id: number; payload: unknown }
  | { type: 'subscribed'; id: number; error?: ErrorShape };
