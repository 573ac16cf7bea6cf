/**
 * The transport-level API that every client sees: `window.berth` in Electron,
 * the WebSocket client in web mode, the in-process router in the CLI.
 * Results travel as envelopes so errors keep their code across Electron IPC
 * (which would otherwise flatten them to "Error invoking remote method").
 */
import type { ErrorShape } from './errors';
import type { EventName, EventPayload, MethodName, Params, Result } from './contract';

export type Envelope<T> = { ok: true; result: T } | { ok: false; error: ErrorShape };

/** The chunk methods a transport may carry as raw bytes instead of base64 in a message. */
export type ChunkMethod = 'uploads.chunk' | 'images.ingest.chunk';
export const CHUNK_METHODS: readonly ChunkMethod[] = ['uploads.chunk', 'images.ingest.chunk'];

/**
 * Web mode's byte path for chunks: `PUT /chunks/<method>?id=<uploadId|ingestId>&offset=<n>`
 * with the raw bytes as the body (at most MAX_PUT_CHUNK_BYTES, Content-Length
 * stated), answered with the method's Envelope. Chromium sends a Blob body
 * straight from the file; the same bytes as base64 in a WebSocket message went
 * ~12× slower here. Main stores the body as it arrives, in ≤ 4 MiB pieces, so
 * a large body costs no memory: few, large PUTs (fewer round trips, during
 * which neither side works).
 */
export const CHUNK_PUT_PATH = '/chunks/';
export const MAX_PUT_CHUNK_BYTES = 32 * 1024 * 1024;

/**
 * Web mode's credential (docs/ARCHITECTURE.md, Transports): the page trades
 * the printed `?token=` once, `POST /session` with `Authorization: Bearer
 * <token>`, for a session secret `{ session }` that it keeps in
 * sessionStorage. The secret goes as `Authorization: Bearer <session>` on
 * HTTP API calls and as the WebSocket subprotocol `berth.session.<session>`
 * next to `berth.v1` (the only one the server echoes). Never a cookie.
 */
export const WEB_SESSION_PATH = '/session';
export const WS_SUBPROTOCOL = 'berth.v1';
export const WS_SESSION_PROTOCOL_PREFIX = 'berth.session.';
/** The sessionStorage key the page keeps its session secret under. */
export const WEB_SESSION_STORAGE_KEY = 'berth.session';

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
  /**
   * Web mode only: one chunk of an upload (main's uploads or the helper's
   * ingest) as raw bytes; same answer and error codes as invoking `method`
   * with base64. Chunks sent this way must go one at a time (separate
   * requests keep no order).
   */
  putChunk?(method: ChunkMethod, id: string, offset: number, data: Blob): Promise<Envelope<{ received: number }>>;
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
