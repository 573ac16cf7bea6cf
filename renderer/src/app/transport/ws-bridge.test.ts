import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { WsClientMessage, WsServerMessage } from '../../../../preload/api';
import { WsBridge, type WebSocketLike } from './ws-bridge';

class FakeSocket implements WebSocketLike {
  readyState = 0;
  sent: WsClientMessage[] = [];
  onopen: ((ev: Event) => unknown) | null = null;
  onclose: ((ev: CloseEvent) => unknown) | null = null;
  onmessage: ((ev: MessageEvent) => unknown) | null = null;
  onerror: ((ev: Event) => unknown) | null = null;
  constructor(
    readonly url: string,
    readonly protocols?: string[],
  ) {}
  send(data: string): void {
    if (this.readyState !== 1) throw new Error('not open');
    this.sent.push(JSON.parse(data) as WsClientMessage);
  }
  close(): void {
    this.readyState = 3;
  }
  open(): void {
    this.readyState = 1;
    this.onopen?.({} as Event);
  }
  drop(code = 1006): void {
    this.readyState = 3;
    this.onclose?.({ code, reason: '' } as CloseEvent);
  }
  receive(m: WsServerMessage): void {
    this.onmessage?.({ data: JSON.stringify(m) } as MessageEvent);
  }
}

describe('WsBridge', () => {
  let sockets: FakeSocket[];
  let bridge: WsBridge;
  const last = () => sockets[sockets.length - 1]!;

  beforeEach(() => {
    vi.useFakeTimers();
    sockets = [];
    bridge = new WsBridge({
      url: 'ws://127.0.0.1:1/ws',
      createSocket: (url) => {
        const s = new FakeSocket(url);
        sockets.push(s);
        return s;
      },
      initialBackoffMs: 100,
      maxBackoffMs: 1000,
      random: () => 1,
    });
  });

  afterEach(() => {
    bridge.close();
    vi.useRealTimers();
  });

  it('queues invokes until the socket opens and resolves them by id', async () => {
    const p = bridge.invoke('system.ping', { echo: 'hi' });
    expect(last().sent).toEqual([]);
    last().open();
    const frame = last().sent[0]!;
    expect(frame).toMatchObject({ type: 'invoke', method: 'system.ping', params: { echo: 'hi' } });
    last().receive({ type: 'result', id: frame.id, envelope: { ok: true, result: { pong: true, helperPid: 7 } } });
    await expect(p).resolves.toEqual({ ok: true, result: { pong: true, helperPid: 7 } });
  });

  it('fails pending invokes with TRANSPORT_CLOSED when the socket drops', async () => {
    last().open();
    const p = bridge.invoke('system.info', {});
    last().drop();
    const env = await p;
    expect(env.ok).toBe(false);
    if (!env.ok) expect(env.error.code).toBe('TRANSPORT_CLOSED');
  });

  it('reconnects with backoff and re-subscribes live subscriptions', () => {
    const seen: unknown[] = [];
    last().open();
    const cancelA = bridge.subscribe('helper.state', (p) => seen.push(p));
    const cancelB = bridge.subscribe('helper.state', () => undefined);
    const subA = last().sent[0]!;
    expect(subA).toMatchObject({ type: 'subscribe', event: 'helper.state' });
    cancelB();
    last().drop();
    expect(sockets).toHaveLength(1);
    vi.advanceTimersByTime(100);
    expect(sockets).toHaveLength(2);
    last().drop(); // a failed attempt: the next waits twice as long
    vi.advanceTimersByTime(199);
    expect(sockets).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(sockets).toHaveLength(3);
    last().open();
    expect(last().sent).toEqual([{ type: 'subscribe', id: subA.id, event: 'helper.state' }]);
    const payload = { state: 'connected', pid: 9, at: '2026-01-01T00:00:00.000Z' };
    last().receive({ type: 'event', id: subA.id, payload });
    expect(seen).toEqual([payload]);
    cancelA();
    expect(last().sent.at(-1)).toEqual({ type: 'unsubscribe', id: subA.id });
  });

  it('reports status with an open count so a reconnect can be told apart', () => {
    const states: string[] = [];
    bridge.onStatus((s) => states.push(`${s.state}:${s.opens}`));
    last().open();
    last().drop();
    vi.advanceTimersByTime(100);
    last().open();
    expect(states).toEqual(['open:1', 'closed:1', 'connecting:1', 'open:2']);
  });
});

describe('WsBridge with a credential', () => {
  let sockets: FakeSocket[];
  const make = (protocols: () => Promise<string[]>, onRefused?: () => void) =>
    new WsBridge({
      url: 'ws://127.0.0.1:1/ws',
      createSocket: (url, p) => {
        const s = new FakeSocket(url, p);
        sockets.push(s);
        return s;
      },
      initialBackoffMs: 100,
      maxBackoffMs: 1000,
      random: () => 1,
      protocols,
      ...(onRefused ? { onRefused } : {}),
    });

  beforeEach(() => {
    vi.useFakeTimers();
    sockets = [];
  });
  afterEach(() => vi.useRealTimers());

  it('offers the protocols it is given, asked for again on every connect', async () => {
    let n = 0;
    const bridge = make(async () => ['berth.v1', `berth.session.s${++n}`]);
    await vi.advanceTimersByTimeAsync(0);
    expect(sockets[0]!.protocols).toEqual(['berth.v1', 'berth.session.s1']);
    sockets[0]!.open();
    sockets[0]!.drop();
    await vi.advanceTimersByTimeAsync(100);
    expect(sockets[1]!.protocols).toEqual(['berth.v1', 'berth.session.s2']);
    bridge.close();
  });

  it('without a credential, calls fail at once with its code and no socket is opened', async () => {
    const refused = Object.assign(new Error('open the printed URL'), { code: 'UNAUTHORIZED' });
    const bridge = make(() => Promise.reject(refused));
    const queued = bridge.invoke('system.ping', { echo: 'x' });
    await vi.advanceTimersByTimeAsync(0);
    expect(await queued).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } });
    expect(bridge.currentStatus).toMatchObject({ state: 'closed', error: { code: 'UNAUTHORIZED' } });
    expect(await bridge.invoke('system.ping', { echo: 'y' })).toMatchObject({
      ok: false,
      error: { code: 'UNAUTHORIZED', message: expect.stringContaining('open the printed URL') },
    });
    expect(sockets).toHaveLength(0);
    bridge.close();
  });

  it('tells its owner when a socket closes before it ever opened (refused), not when an open one drops', async () => {
    const refusals: number[] = [];
    const bridge = make(
      async () => ['berth.v1'],
      () => void refusals.push(sockets.length),
    );
    await vi.advanceTimersByTimeAsync(0);
    sockets[0]!.drop();
    expect(refusals).toEqual([1]);
    await vi.advanceTimersByTimeAsync(100);
    sockets[1]!.open();
    sockets[1]!.drop();
    expect(refusals).toEqual([1]);
    bridge.close();
  });
});
