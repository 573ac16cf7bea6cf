/**
 * Web mode's BerthBridge: the same invoke/subscribe API as `window.berth`,
 * carried over the same-origin WebSocket at /ws, authenticated by the page's
 * session secret offered as a subprotocol (web-session.ts), asked for again
 * before every connect.
 *
 * - invokes carry ids; a pending map resolves them when their result arrives;
 * - subscriptions carry ids and are re-sent after every reconnect;
 * - when the socket drops, every pending invoke resolves with an error
 *   envelope `TRANSPORT_CLOSED` (callers never hang), and the bridge
 *   reconnects with exponential backoff and jitter.
 */
import type { BerthBridge, Envelope, WsClientMessage, WsServerMessage } from '../../../../preload/api';
import type { EventName, EventPayload, MethodName, Params, Result } from '../../../../preload/contract';
import { ErrorCodes, type ErrorCode, type ErrorShape } from '../../../../preload/errors';

/** The subset of the DOM WebSocket this bridge uses (a fake can stand in for tests). */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: Event) => unknown) | null;
  onclose: ((ev: CloseEvent) => unknown) | null;
  onmessage: ((ev: MessageEvent) => unknown) | null;
  onerror: ((ev: Event) => unknown) | null;
}

export type WebSocketFactory = (url: string, protocols?: string[]) => WebSocketLike;

export interface TransportStatus {
  state: 'connecting' | 'open' | 'closed';
  /** How many times a socket has opened; > 1 means this is a reconnect. */
  opens: number;
  /** When closed: the delay before the next attempt. */
  retryInMs?: number;
  /** When closed: the close code the browser reported (1006: refused or dropped). */
  closeCode?: number;
  /** When closed because no credential could be had: why (UNAUTHORIZED: open the printed URL). */
  error?: ErrorShape;
}

export interface WsBridgeOptions {
  url: string;
  createSocket?: WebSocketFactory;
  /** First retry delay; doubles per failed attempt up to maxBackoffMs. */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  random?: () => number;
  /** The subprotocols to offer on each connect (the credential); a rejection fails pending calls with its code. */
  protocols?: () => Promise<string[]>;
  /** A socket closed before it opened (refused, or the server is down): e.g. recheck the session. */
  onRefused?: () => void | Promise<void>;
}

const OPEN = 1;

export const TRANSPORT_CLOSED = ErrorCodes.TRANSPORT_CLOSED;

interface Pending {
  method: string;
  resolve: (envelope: Envelope<unknown>) => void;
}

interface Subscription {
  event: EventName;
  listener: (payload: unknown) => void;
}

function isServerMessage(v: unknown): v is WsServerMessage {
  if (typeof v !== 'object' || v === null) return false;
  const m = v as Record<string, unknown>;
  return typeof m.id === 'number' && (m.type === 'result' || m.type === 'event' || m.type === 'subscribed');
}

function isEnvelope(v: unknown): v is Envelope<unknown> {
  if (typeof v !== 'object' || v === null) return false;
  const e = v as Record<string, unknown>;
  if (e.ok === true) return 'result' in e;
  if (e.ok === false) {
    const err = e.error as Record<string, unknown> | undefined;
    return typeof err === 'object' && err !== null && typeof err.code === 'string' && typeof err.message === 'string';
  }
  return false;
}

export class WsBridge implements BerthBridge {
  private readonly url: string;
  private readonly createSocket: WebSocketFactory;
  private readonly initialBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly random: () => number;
  private readonly protocols: (() => Promise<string[]>) | undefined;
  private readonly onRefused: (() => void | Promise<void>) | undefined;

  private ws: WebSocketLike | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  /** Invoke frames waiting for the socket to open (their ids are in `pending`). */
  private outbox: string[] = [];
  private readonly subs = new Map<number, Subscription>();
  private failures = 0;
  /** Whether the current socket ever opened (one that never did was refused or found no server). */
  private openedSocket = false;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private disposed = false;
  private status: TransportStatus = { state: 'connecting', opens: 0 };
  private readonly statusListeners = new Set<(s: TransportStatus) => void>();

  constructor(opts: WsBridgeOptions) {
    this.url = opts.url;
    this.createSocket = opts.createSocket ?? ((url, protocols) => new WebSocket(url, protocols));
    this.initialBackoffMs = opts.initialBackoffMs ?? 250;
    this.maxBackoffMs = opts.maxBackoffMs ?? 10_000;
    this.random = opts.random ?? Math.random;
    this.protocols = opts.protocols;
    this.onRefused = opts.onRefused;
    this.connect();
  }

  // ── BerthBridge ────────────────────────────────────────────────────────────

  invoke<M extends MethodName>(method: M, params: Params<M>): Promise<Envelope<Result<M>>> {
    if (this.disposed) return Promise.resolve(this.closedEnvelope(method, 'the bridge was closed'));
    // No credential last time: answer now rather than wait out the retry delay.
    const refused = this.status.state === 'closed' ? this.status.error : undefined;
    if (refused) return Promise.resolve(this.closedEnvelope(method, refused.message, refused.code));
    const id = this.nextId++;
    const frame = JSON.stringify({ type: 'invoke', id, method, params } satisfies WsClientMessage);
    return new Promise<Envelope<Result<M>>>((resolve) => {
      this.pending.set(id, { method, resolve: resolve as (e: Envelope<unknown>) => void });
      if (!this.trySend(frame)) this.outbox.push(frame);
    });
  }

  subscribe<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
    const id = this.nextId++;
    this.subs.set(id, { event, listener: listener as (payload: unknown) => void });
    this.sendMessage({ type: 'subscribe', id, event });
    return () => {
      if (this.subs.delete(id)) this.sendMessage({ type: 'unsubscribe', id });
    };
  }

  // ── status and lifecycle ───────────────────────────────────────────────────

  get currentStatus(): TransportStatus {
    return this.status;
  }

  onStatus(listener: (s: TransportStatus) => void): () => void {
    this.statusListeners.add(listener);
    return () => {
      this.statusListeners.delete(listener);
    };
  }

  /** Stops reconnecting, closes the socket and fails what is pending. */
  close(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const ws = this.ws;
    this.ws = null;
    if (ws) {
      ws.onopen = ws.onclose = ws.onmessage = ws.onerror = null;
      ws.close(1000, 'closed by client');
    }
    this.failPending('the bridge was closed');
    this.subs.clear();
    this.setStatus({ state: 'closed', opens: this.status.opens });
  }

  // ── internals ──────────────────────────────────────────────────────────────

  private connect(): void {
    this.retryTimer = null;
    if (this.disposed) return;
    this.setStatus({ state: 'connecting', opens: this.status.opens });
    if (!this.protocols) {
      this.open(undefined);
      return;
    }
    this.protocols().then(
      (protocols) => {
        if (!this.disposed) this.open(protocols);
      },
      (err: unknown) => {
        if (this.disposed) return;
        const e = err as Partial<ErrorShape> | null;
        const error: ErrorShape = {
          code: typeof e?.code === 'string' ? e.code : TRANSPORT_CLOSED,
          message: typeof e?.message === 'string' ? e.message : String(err),
        };
        this.failPending(error.message, error.code);
        this.scheduleRetry({ error });
      },
    );
  }

  private open(protocols: string[] | undefined): void {
    let ws: WebSocketLike;
    try {
      ws = this.createSocket(this.url, protocols);
    } catch (err) {
      // A malformed URL or a CSP refusal throws synchronously.
      this.onClosed(null, 1006, err instanceof Error ? err.message : String(err));
      return;
    }
    this.ws = ws;
    this.openedSocket = false;
    ws.onopen = () => this.onOpen(ws);
    ws.onmessage = (ev) => this.onMessage(ev);
    ws.onclose = (ev) => {
      if (ws === this.ws && !this.openedSocket) void this.onRefused?.();
      this.onClosed(ws, ev.code, ev.reason);
    };
    ws.onerror = () => undefined; // a close event always follows
  }

  private onOpen(ws: WebSocketLike): void {
    if (ws !== this.ws) return;
    this.openedSocket = true;
    this.failures = 0;
    for (const [id, sub] of this.subs) this.sendMessage({ type: 'subscribe', id, event: sub.event });
    const queued = this.outbox;
    this.outbox = [];
    for (const frame of queued) this.trySend(frame);
    this.setStatus({ state: 'open', opens: this.status.opens + 1 });
  }

  private onMessage(ev: MessageEvent): void {
    if (typeof ev.data !== 'string') return;
    let msg: unknown;
    try {
      msg = JSON.parse(ev.data);
    } catch {
      return;
    }
    if (!isServerMessage(msg)) return;
    switch (msg.type) {
      case 'result': {
        const p = this.pending.get(msg.id);
        if (!p) {
          if (msg.id === -1 && !msg.envelope.ok) console.warn('berth: server refused a frame:', msg.envelope.error);
          return;
        }
        this.pending.delete(msg.id);
        p.resolve(
          isEnvelope(msg.envelope)
            ? msg.envelope
            : { ok: false, error: { code: 'BAD_RESULT', message: `malformed envelope for ${p.method}` } },
        );
        return;
      }
      case 'event': {
        const sub = this.subs.get(msg.id);
        if (!sub) return;
        try {
          sub.listener(msg.payload);
        } catch (err) {
          console.error(`berth: a ${sub.event} listener threw`, err);
        }
        return;
      }
      case 'subscribed':
        if (msg.error) {
          const sub = this.subs.get(msg.id);
          this.subs.delete(msg.id);
          console.error(`berth: subscription to ${sub?.event ?? '?'} refused: ${msg.error.code}: ${msg.error.message}`);
        }
        return;
    }
  }

  private onClosed(ws: WebSocketLike | null, code: number, reason: string): void {
    if (ws !== null && ws !== this.ws) return;
    if (ws) ws.onopen = ws.onclose = ws.onmessage = ws.onerror = null;
    this.ws = null;
    const why = `the WebSocket to ${this.url} closed (code ${code}${reason ? `: ${reason}` : ''})`;
    this.failPending(why);
    if (this.disposed) return;
    this.scheduleRetry({ closeCode: code });
  }

  private scheduleRetry(why: Pick<TransportStatus, 'closeCode' | 'error'>): void {
    const delay = this.nextDelay();
    this.setStatus({ state: 'closed', opens: this.status.opens, retryInMs: delay, ...why });
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }

  private nextDelay(): number {
    const base = Math.min(this.maxBackoffMs, this.initialBackoffMs * 2 ** this.failures);
    this.failures++;
    // Full-size first retry, then jitter in [50%, 100%] so many tabs do not reconnect in lockstep.
    return Math.round(base * (0.5 + this.random() * 0.5));
  }

  private failPending(why: string, code: ErrorCode = TRANSPORT_CLOSED): void {
    const pending = [...this.pending.values()];
    this.pending.clear();
    this.outbox = [];
    for (const p of pending) p.resolve(this.closedEnvelope(p.method, why, code));
  }

  private closedEnvelope(method: string, why: string, code: ErrorCode = TRANSPORT_CLOSED): Envelope<never> {
    const error: ErrorShape = { code, message: `${method}: ${why}` };
    return { ok: false, error };
  }

  private sendMessage(msg: WsClientMessage): boolean {
    return this.trySend(JSON.stringify(msg));
  }

  private trySend(frame: string): boolean {
    const ws = this.ws;
    if (!ws || ws.readyState !== OPEN) return false;
    try {
      ws.send(frame);
      return true;
    } catch {
      return false;
    }
  }

  private setStatus(s: TransportStatus): void {
    this.status = s;
    for (const l of this.statusListeners) {
      try {
        l(s);
      } catch (err) {
        console.error('berth: a transport status listener threw', err);
      }
    }
  }
}
