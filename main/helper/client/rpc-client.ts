/**
 * A JSON-RPC client over one Unix socket connection. It knows nothing about
 * starting or reconnecting the helper (see connection.ts); when the socket
 * closes, every call in flight fails with HELPER_DISCONNECTED.
 */
import type net from 'node:net';
import { EventEmitter } from 'node:events';
import { BerthError } from '../../../preload/errors';
import { connectUnix } from '../../shared/unix-socket';
import { LineFramer, RpcNotification, RpcResponse, encodeFrame, errorFromResponse } from '../../shared/rpc-protocol';

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout | undefined;
}

export class RpcClient extends EventEmitter<{
  close: [reason: BerthError];
  notification: [method: string, params: unknown];
}> {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private closedWith: BerthError | null = null;

  private constructor(private readonly sock: net.Socket) {
    super();
    const framer = new LineFramer();
    sock.on('data', (chunk: Buffer) => {
      for (const f of framer.push(chunk)) if (f.kind === 'line') this.onLine(f.text);
    });
    sock.on('error', () => undefined); // 'close' follows and carries the outcome
    sock.on('close', () => this.fail(new BerthError('HELPER_DISCONNECTED', 'the helper connection closed')));
  }

  static connect(path: string, timeoutMs = 5000): Promise<RpcClient> {
    return new Promise((resolve, reject) => {
      const sock = connectUnix(path);
      const timer = setTimeout(() => {
        sock.destroy();
        reject(new BerthError('TIMEOUT', `connecting to ${path} timed out`));
      }, timeoutMs);
      sock.once('connect', () => {
        clearTimeout(timer);
        resolve(new RpcClient(sock));
      });
      sock.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
    });
  }

  get closed(): boolean {
    return this.closedWith !== null;
  }

  call(method: string, params: unknown, timeoutMs = 0): Promise<unknown> {
    if (this.closedWith) return Promise.reject(this.closedWith);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer =
        timeoutMs > 0
          ? setTimeout(() => {
              this.pending.delete(id);
              reject(new BerthError('TIMEOUT', `${method} took longer than ${timeoutMs} ms`));
            }, timeoutMs)
          : undefined;
      this.pending.set(id, { resolve, reject, timer });
      this.sock.write(encodeFrame({ jsonrpc: '2.0', id, method, params }));
    });
  }

  close(): void {
    this.sock.destroy();
  }

  private onLine(text: string): void {
    let msg: unknown;
    try {
      msg = JSON.parse(text);
    } catch {
      return; // a helper bug; nothing to route it to
    }
    for (const m of Array.isArray(msg) ? msg : [msg]) this.route(m);
  }

  private route(m: unknown): void {
    const note = RpcNotification.safeParse(m);
    if (note.success && !(typeof m === 'object' && m !== null && 'id' in m)) {
      this.emit('notification', note.data.method, note.data.params);
      return;
    }
    const res = RpcResponse.safeParse(m);
    if (!res.success) return;
    const r = res.data;
    if (r.id === null && 'error' in r) {
      // An error the server could not tie to a request (refused peer, bad frame).
      this.fail(errorFromResponse(r.error));
      return;
    }
    if (typeof r.id !== 'number') return;
    const p = this.pending.get(r.id);
    if (!p) return;
    this.pending.delete(r.id);
    if (p.timer) clearTimeout(p.timer);
    if ('error' in r) p.reject(errorFromResponse(r.error));
    else p.resolve(r.result);
  }

  private fail(reason: BerthError): void {
    if (this.closedWith) return;
    this.closedWith = reason;
    for (const [, p] of this.pending) {
      if (p.timer) clearTimeout(p.timer);
      p.reject(reason);
    }
    this.pending.clear();
    this.sock.destroy();
    this.emit('close', reason);
  }
}
