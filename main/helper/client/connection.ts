/**
 * Main's (or the CLI's) connection to the helper: starts it when it is not
 * running, reconnects after it restarts, and reports its state as
 * `helper.state` events. Implements HelperCaller for the router.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { BerthError, toErrorShape } from '../../../preload/errors';
import {
  events,
  isEventName,
  type EventName,
  type EventPayload,
  type HelperMethodName,
  type HelperStateT,
  type ParsedParams,
  type Result,
} from '../../../preload/contract';
import type { HelperCaller } from '../../api/router';
import { decodeSampleColumns } from '../../shared/sample-wire';
import { RpcClient } from './rpc-client';
import { planLaunch, pkexecFailure, spawnHelper, type LaunchOptions } from './launcher';

export interface HelperConnectionOptions extends LaunchOptions {
  socketPath: string;
  /** Start the helper when nothing answers (the CLI's `--no-start` turns it off). */
  autoStart?: boolean;
  /** How long to wait for a started helper (pkexec may show a password dialog). */
  startTimeoutMs?: number;
  onState?: (s: HelperStateT) => void;
  /** Engine events the helper broadcasts (already checked against the contract). */
  onEvent?: <E extends EventName>(name: E, payload: EventPayload<E>) => void;
  /**
   * Whether anyone takes `name` now; an event nobody takes is dropped unchecked
   * (default: every event is checked and passed on). A short-lived CLI
   * command listens to a few events or none, and checking a payload first
   * builds its schema: ≈ 20 build.progress events and an images.changed per build.
   */
  wants?: (name: EventName) => boolean;
  /** Reconnect in the background after the helper goes away. */
  reconnect?: boolean;
}

const RETRYABLE = new Set(['ENOENT', 'ECONNREFUSED', 'ENOTSOCK']);

/** A connection that lived this long is healthy: the next reconnect starts without delay. */
const STABLE_CONNECTION_MS = 2000;

export class HelperConnection implements HelperCaller {
  private client: RpcClient | null = null;
  /** Grows while connections close right after they open; see adopt(). */
  private closeBackoffMs = 0;
  private connecting: Promise<RpcClient> | null = null;
  private stopped = false;
  private state: HelperStateT = { state: 'disconnected', at: new Date().toISOString() };

  constructor(private readonly opts: HelperConnectionOptions) {}

  get current(): HelperStateT {
    return this.state;
  }

  async call<M extends HelperMethodName>(method: M, params: ParsedParams<M>): Promise<Result<M>> {
    const client = await this.ensure();
    return (await client.call(method, params)) as Result<M>;
  }

  /** Raw call for `berth call` and tests: any method name, any params. */
  async callRaw(method: string, params: unknown): Promise<unknown> {
    const client = await this.ensure();
    return client.call(method, params);
  }

  close(): void {
    this.stopped = true;
    this.client?.close();
    this.client = null;
  }

  ensure(): Promise<RpcClient> {
    if (this.client && !this.client.closed) return Promise.resolve(this.client);
    this.connecting ??= this.connectOrStart().finally(() => {
      this.connecting = null;
    });
    return this.connecting;
  }

  private setState(s: Omit<HelperStateT, 'at'>): void {
    this.state = { ...s, at: new Date().toISOString() };
    this.opts.onState?.(this.state);
  }

  private async tryConnect(): Promise<RpcClient | null> {
    try {
      return await RpcClient.connect(this.opts.socketPath);
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if (typeof code === 'string' && RETRYABLE.has(code)) return null;
      if (code === 'EACCES') {
        throw new BerthError('PEER_REFUSED', `no permission to reach the helper socket ${this.opts.socketPath}`, {
          socketPath: this.opts.socketPath,
        });
      }
      throw err;
    }
  }

  private async connectOrStart(): Promise<RpcClient> {
    this.setState({ state: 'connecting' });
    try {
      let client = await this.tryConnect();
      if (!client) {
        if (this.opts.autoStart === false) {
          throw new BerthError('HELPER_UNAVAILABLE', `no helper answers on ${this.opts.socketPath}`);
        }
        client = await this.start();
      }
      return this.adopt(client);
    } catch (err) {
      const e = toErrorShape(err);
      this.setState({ state: 'disconnected', error: { code: e.code, message: e.message } });
      throw err;
    }
  }

  private async start(): Promise<RpcClient> {
    const plan = planLaunch(this.opts);
    const spawned = spawnHelper(plan);
    const { exited } = spawned;
    let exitCode: number | null | undefined;
    void exited.then((c) => {
      exitCode = c;
    });
    const deadline = Date.now() + (this.opts.startTimeoutMs ?? (plan.via === 'pkexec' ? 120_000 : 15_000));
    let delay = 20;
    while (Date.now() < deadline) {
      const client = await this.tryConnect();
      if (client) {
        spawned.detach();
        return client;
      }
      if (exitCode !== undefined) {
        // The helper exits 0 when another one won the race to bind; try again.
        if (exitCode === 0) {
          const again = await this.tryConnect();
          if (again) return again;
        }
        throw (
          (plan.via === 'pkexec' ? pkexecFailure(exitCode) : null) ??
          new BerthError(
            'HELPER_UNAVAILABLE',
            `the helper exited with status ${exitCode} before listening` +
              (spawned.stderr() ? `: ${spawned.stderr().split('\n').at(-1)}` : ''),
            { via: plan.via, stderr: spawned.stderr() },
          )
        );
      }
      await sleep(delay);
      delay = Math.min(delay * 2, 250);
    }
    spawned.detach();
    throw new BerthError('HELPER_UNAVAILABLE', `the helper did not answer on ${this.opts.socketPath} in time`);
  }

  private adopt(client: RpcClient): RpcClient {
    this.client = client;
    const adoptedAt = Date.now();
    client.on('notification', (method, params) => {
      if (method !== 'event' || typeof params !== 'object' || params === null) return;
      const { name, payload, columns } = params as { name?: unknown; payload?: unknown; columns?: unknown };
      if (!isEventName(name) || this.opts.wants?.(name) === false) return;
      // The stats sample comes as columns (engine/resources/sample-wire.ts): rows again, then checked as usual.
      const body = name === 'resources.sample' && columns !== undefined ? decodeSampleColumns(columns) : payload;
      const checked = events[name].safeParse(body);
      if (checked.success) this.opts.onEvent?.(name, checked.data as EventPayload<typeof name>);
    });
    void client
      .call('system.ping', {})
      .then((r) => {
        const pid = (r as { helperPid?: number }).helperPid;
        this.setState(pid === undefined ? { state: 'connected' } : { state: 'connected', pid });
      })
      .catch(() => undefined);
    client.once('close', (reason) => {
      if (this.client === client) this.client = null;
      this.setState({ state: 'disconnected', error: { code: reason.code, message: reason.message } });
      // A helper that accepts and then drops us at once (it refuses us, or it
      // is broken) must not be redialled in a tight loop: back off until a
      // connection lasts.
      this.closeBackoffMs =
        Date.now() - adoptedAt < STABLE_CONNECTION_MS ? Math.min(Math.max(this.closeBackoffMs * 2, 200), 5000) : 0;
      if (this.opts.reconnect && !this.stopped) void this.reconnectLoop();
    });
    return client;
  }

  /** After the helper goes away: bring it back (it re-adopts containers). */
  private async reconnectLoop(): Promise<void> {
    if (this.closeBackoffMs > 0) await sleep(this.closeBackoffMs);
    let delay = 200;
    while (!this.stopped && !this.client) {
      try {
        await this.ensure();
        return;
      } catch {
        await sleep(delay);
        delay = Math.min(delay * 2, 5000);
      }
    }
  }
}
