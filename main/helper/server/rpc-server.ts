/**
 * The helper's JSON-RPC server on a Unix socket. Each connection's peer is
 * checked with SO_PEERCRED (through the native addon) before any frame is
 * read; every frame is validated; nothing a client sends can take the
 * server down.
 */
import net from 'node:net';
import { BerthError, toErrorShape, type ErrorShape } from '../../../preload/errors';
import { listenUnix } from '../../shared/unix-socket';
import {
  LineFramer,
  RpcRequest,
  encodeFrame,
  errorResponse,
  type RpcId,
  type RpcResponse,
} from '../../shared/rpc-protocol';

export interface Peer {
  pid: number;
  uid: number;
  gid: number;
}

export interface RpcConnection {
  readonly peer: Peer;
  notify(method: string, params: unknown): void;
  onClose(fn: () => void): void;
}

export type RpcHandler = (method: string, params: unknown, conn: RpcConnection) => Promise<unknown>;

export interface RpcServerOptions {
  handler: RpcHandler;
  /** Uids allowed to talk to this server (the owner and root). */
  allowedUids: ReadonlySet<number>;
  /** Reads the peer's credentials of a connected socket fd. */
  peerCred: (fd: number) => Peer;
  log?: (msg: string) => void;
}

function socketFd(sock: net.Socket): number {
  const fd = (sock as unknown as { _handle?: { fd?: number } })._handle?.fd;
  if (typeof fd !== 'number' || fd < 0) throw new BerthError('INTERNAL', 'cannot read the socket fd');
  return fd;
}

export class RpcServer {
  readonly server: net.Server;
  private readonly conns = new Set<net.Socket>();
  /** Accepted connections and their sockets (broadcasts write one encoded frame to each). */
  private readonly notifiers = new Map<RpcConnection, net.Socket>();

  constructor(private readonly opts: RpcServerOptions) {
    this.server = net.createServer((sock) => this.accept(sock));
  }

  listen(path: string): Promise<void> {
    return listenUnix(this.server, path);
  }

  async close(): Promise<void> {
    for (const c of this.conns) c.destroy();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  get connectionCount(): number {
    return this.conns.size;
  }

  /** A notification to every accepted connection (engine events). */
  broadcast(method: string, params: unknown): void {
    if (this.notifiers.size === 0) return;
    const frame = encodeFrame({ jsonrpc: '2.0', method, params });
    for (const sock of this.notifiers.values()) if (!sock.destroyed) sock.write(frame);
  }

  /** Connections that would receive a broadcast. */
  get listenerCount(): number {
    return this.notifiers.size;
  }

  private accept(sock: net.Socket): void {
    let peer: Peer;
    try {
      peer = this.opts.peerCred(socketFd(sock));
    } catch (err) {
      // Refuse, but say why: a helper that cannot check peers must not serve them.
      const e = toErrorShape(err);
      this.opts.log?.(`peer credentials unreadable: ${e.message}`);
      sock.end(
        encodeFrame(errorResponse(null, { code: e.code, message: `the helper cannot check its peer: ${e.message}` })),
      );
      return;
    }
    if (!this.opts.allowedUids.has(peer.uid)) {
      this.opts.log?.(`refused peer uid=${peer.uid} pid=${peer.pid}`);
      const e: ErrorShape = {
        code: 'PEER_REFUSED',
        message: `uid ${peer.uid} may not use this helper (it answers uids ${[...this.opts.allowedUids].join(', ')})`,
      };
      sock.end(encodeFrame(errorResponse(null, e)));
      return;
    }
    this.conns.add(sock);
    const closers: Array<() => void> = [];
    const conn: RpcConnection = {
      peer,
      notify: (method, params) => {
        if (!sock.destroyed) sock.write(encodeFrame({ jsonrpc: '2.0', method, params }));
      },
      onClose: (fn) => closers.push(fn),
    };
    this.notifiers.set(conn, sock);
    const framer = new LineFramer();
    sock.on('data', (chunk: Buffer) => {
      for (const frame of framer.push(chunk)) {
        if (frame.kind === 'too-large') {
          this.send(
            sock,
            errorResponse(null, { code: 'FRAME_TOO_LARGE', message: `frame of ${frame.bytes} bytes exceeds 16 MiB` }),
          );
        } else {
          void this.onLine(sock, conn, frame.text);
        }
      }
    });
    sock.on('error', () => sock.destroy());
    sock.on('close', () => {
      this.conns.delete(sock);
      this.notifiers.delete(conn);
      for (const fn of closers) fn();
    });
  }

  private send(sock: net.Socket, msg: RpcResponse | RpcResponse[]): void {
    if (!sock.destroyed && sock.writable) sock.write(encodeFrame(msg));
  }

  private async onLine(sock: net.Socket, conn: RpcConnection, text: string): Promise<void> {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      this.send(sock, errorResponse(null, { code: 'PARSE_ERROR', message: `not JSON: ${(err as Error).message}` }));
      return;
    }
    if (Array.isArray(parsed)) {
      if (parsed.length === 0) {
        this.send(sock, errorResponse(null, { code: 'BAD_REQUEST', message: 'empty batch' }));
        return;
      }
      const answers = await Promise.all(parsed.slice(0, 1000).map((m) => this.one(m, conn)));
      const present = answers.filter((a): a is RpcResponse => a !== null);
      if (present.length > 0) this.send(sock, present);
      return;
    }
    const answer = await this.one(parsed, conn);
    if (answer) this.send(sock, answer);
  }

  /** One request; null for a notification (no id), which JSON-RPC never answers. */
  private async one(msg: unknown, conn: RpcConnection): Promise<RpcResponse | null> {
    const req = RpcRequest.safeParse(msg);
    if (!req.success) {
      const id = extractId(msg);
      return errorResponse(id, {
        code: 'BAD_REQUEST',
        message: `not a JSON-RPC 2.0 request: ${req.error.issues[0]?.message ?? 'rejected'}`,
      });
    }
    const { id, method, params } = req.data;
    try {
      const result = await this.opts.handler(method, params, conn);
      return id === undefined ? null : { jsonrpc: '2.0', id, result: result ?? null };
    } catch (err) {
      return id === undefined ? null : errorResponse(id, toErrorShape(err));
    }
  }
}

function extractId(msg: unknown): RpcId {
  if (typeof msg === 'object' && msg !== null && 'id' in msg) {
    const id = (msg as { id: unknown }).id;
    if ((typeof id === 'string' && id.length <= 256) || (typeof id === 'number' && Number.isFinite(id))) return id;
  }
  return null;
}
