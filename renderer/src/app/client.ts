/**
 * The typed client every component uses: `invoke` unwraps the transport's
 * envelopes (throwing `BerthError` with the engine's code and message intact)
 * and `subscribe` forwards typed events. Provided through React context.
 */
import { createContext, createElement, useContext, useEffect, useEffectEvent, type ReactNode } from 'react';
import type { ChunkMethod, Envelope } from '../../../preload/api';
import type { EventName, EventPayload, MethodName, Params, Result } from '../../../preload/contract';
import { BerthError, toErrorShape } from '../../../preload/errors';
import type { Transport, TransportKind, TransportStatus } from './transport';

export interface BerthClient {
  readonly transport: TransportKind;
  invoke<M extends MethodName>(method: M, params: Params<M>): Promise<Result<M>>;
  /** Returns a function that cancels the subscription. */
  subscribe<E extends EventName>(event: E, cb: (payload: EventPayload<E>) => void): () => void;
  /** The link's own state (web mode); always "open" for Electron IPC. */
  transportStatus(): TransportStatus;
  onTransportStatus(cb: (s: TransportStatus) => void): () => void;
  /** Where the transport has a byte path for upload chunks (web mode): send one, unwrapped like invoke. */
  putChunk?(method: ChunkMethod, id: string, offset: number, data: Blob): Promise<{ received: number }>;
}

const ALWAYS_OPEN: TransportStatus = { state: 'open', opens: 1 };

/** An envelope's result, or its error thrown as a BerthError with the engine's code. */
function unwrap<T>(envelope: Envelope<T>): T {
  if (envelope.ok) return envelope.result;
  throw BerthError.from(envelope.error);
}

export function createClient(transport: Transport): BerthClient {
  const { bridge } = transport;
  const put = bridge.putChunk?.bind(bridge);
  return {
    transport: transport.kind,
    async invoke(method, params) {
      let envelope;
      try {
        envelope = await bridge.invoke(method, params);
      } catch (err) {
        // A transport that rejects instead of answering with an envelope.
        throw BerthError.from(toErrorShape(err));
      }
      return unwrap(envelope);
    },
    subscribe(event, cb) {
      return bridge.subscribe(event, cb);
    },
    ...(put ? { putChunk: async (method, id, offset, data) => unwrap(await put(method, id, offset, data)) } : {}),
    transportStatus: () => transport.currentStatus?.() ?? ALWAYS_OPEN,
    onTransportStatus: (cb) => transport.onStatus?.(cb) ?? (() => undefined),
  };
}

const BerthContext = createContext<BerthClient | null>(null);

export function BerthProvider({ client, children }: { client: BerthClient; children?: ReactNode }): ReactNode {
  return createElement(BerthContext, { value: client }, children);
}

export function useBerth(): BerthClient {
  const client = useContext(BerthContext);
  if (!client) throw new Error('useBerth() needs a <BerthProvider> above it');
  return client;
}

/**
 * Subscribes to an event for the lifetime of the component. The callback may
 * change on every render without resubscribing; the subscription is
 * cancelled on unmount (or when the event name or client changes).
 */
export function useEvent<E extends EventName>(event: E, cb: (payload: EventPayload<E>) => void): void {
  const client = useBerth();
  const onEvent = useEffectEvent((payload: EventPayload<E>) => cb(payload));
  useEffect(() => client.subscribe(event, (payload) => onEvent(payload)), [client, event]);
}
