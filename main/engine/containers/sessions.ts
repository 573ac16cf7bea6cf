/**
 * Interactive sessions: `berth-monitor exec` (a process joined to a running
 * container) or the container's attach.sock (its main process). Output is
 * handed to a sink as it arrives (with its byte offset) and kept in a bounded
 * scrollback; input, resize and close go the other way.
 *
 * Who may use a session: clients ("owners": one per helper connection) of the
 * uid that opened it. A session counts the clients attached to it. When the
 * count drops to zero (a detach, or the connection closed):
 *   - a plain session (the CLI's exec and attach) is killed: it ends with its
 *     client;
 *   - a reattachable one (a terminal page) waits `idleMs` for a client to
 *     reattach (a reloaded page, a return to the tab), then is killed.
 * Killing an exec closes its monitor's control fd: the monitor then SIGKILLs
 * the process and its whole session (native/monitor/README.md).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { BerthError } from '../../../preload/errors';
import { connectUnix } from '../../shared/unix-socket';
import {
  FrameDecoder,
  FrameType,
  encodeFrame,
  encodeResize,
  monitorPath,
  type MonitorExecSpec,
} from '../../../native/monitor';
import { runSeccompFilter } from '../seccomp/status';
import { containerCapabilities } from './capabilities';
import type { ContainerRecord } from './record';
import { Scrollback } from './scrollback';
import { resolveUser } from './user';

export interface SessionSink {
  output(sessionId: string, stream: 'stdout' | 'stderr', data: Buffer, offset: number): void;
  exit(sessionId: string, exitCode: number | null, error?: string): void;
}

/** A client of the helper: its connection (the key) and the uid behind it. */
export interface SessionClient {
  key: object;
  uid: number;
}

export interface SessionsOptions {
  /** How long a reattachable session with no client lives on (ms). */
  idleMs: number;
  /** Bytes of recent output kept per session for a reattach. */
  scrollbackBytes: number;
  /** Sessions at once, over all clients. */
  maxSessions: number;
  log?: (msg: string) => void;
}

export const DEFAULT_SESSION_IDLE_MS = 10 * 60 * 1000;
export const DEFAULT_SCROLLBACK_BYTES = 64 * 1024;
export const DEFAULT_MAX_SESSIONS = 256;

/** How long a killed exec's monitor gets to report before it is SIGKILLed itself. */
const KILL_GRACE_MS = 5000;

interface Session {
  id: string;
  kind: 'exec' | 'attach';
  containerId: string;
  uid: number;
  reattachable: boolean;
  tty: boolean;
  pid: number | null;
  scrollback: Scrollback;
  /** Attached clients and how many attachments each holds. */
  clients: Map<object, number>;
  idleTimer: NodeJS.Timeout | null;
  write(data: Buffer): number;
  resize(cols: number, rows: number): void;
  closeStdin(): void;
  kill(): void;
}

export interface ExecRequest {
  cmd: string[];
  tty: boolean;
  env: string[];
  user?: string;
  workdir?: string;
  cols: number;
  rows: number;
  /** Survive a client's detach for the idle time (terminal pages). */
  reattachable: boolean;
}

export interface ReattachResult {
  sessionId: string;
  containerId: string;
  kind: 'exec' | 'attach';
  pid: number | null;
  tty: boolean;
  /** The kept output, and the offset just past it (events below it are in it). */
  scrollback: Buffer;
  offset: number;
}

export class Sessions {
  private readonly sessions = new Map<string, Session>();

  constructor(
    private readonly sink: SessionSink,
    private readonly opts: SessionsOptions = {
      idleMs: DEFAULT_SESSION_IDLE_MS,
      scrollbackBytes: DEFAULT_SCROLLBACK_BYTES,
      maxSessions: DEFAULT_MAX_SESSIONS,
    },
  ) {}

  /** The session, if `client` may use it (same uid as the one that opened it). */
  private owned(id: string, client: SessionClient): Session {
    const s = this.sessions.get(id);
    if (!s) throw new BerthError('SESSION_NOT_FOUND', `no such session: ${id}`);
    if (s.uid !== client.uid) {
      throw new BerthError('SESSION_NOT_OWNER', `session ${id} belongs to uid ${s.uid}, not ${client.uid}`);
    }
    return s;
  }

  count(): number {
    return this.sessions.size;
  }

  /** Clients attached to a session (0 while it waits to be reattached or reaped). */
  attachedCount(id: string): number {
    let n = 0;
    for (const c of this.sessions.get(id)?.clients.values() ?? []) n += c;
    return n;
  }

  write(id: string, client: SessionClient, data: Buffer): number {
    return this.owned(id, client).write(data);
  }

  resize(id: string, client: SessionClient, cols: number, rows: number): void {
    this.owned(id, client).resize(cols, rows);
  }

  /** Close stdin, or (kill) end the session now. */
  close(id: string, client: SessionClient, kill: boolean): void {
    const s = this.owned(id, client);
    if (kill) s.kill();
    else s.closeStdin();
  }

  reattach(id: string, client: SessionClient): ReattachResult {
    const s = this.owned(id, client);
    if (!s.reattachable) {
      throw new BerthError('SESSION_NOT_REATTACHABLE', `session ${id} ends with its client; it cannot be reattached`);
    }
    this.attachClient(s, client.key);
    const snap = s.scrollback.snapshot();
    return {
      sessionId: s.id,
      containerId: s.containerId,
      kind: s.kind,
      pid: s.pid,
      tty: s.tty,
      scrollback: snap.data,
      offset: snap.end,
    };
  }

  /** One attachment of `client` lets go (a page left the tab or went away). */
  detach(id: string, client: SessionClient): void {
    const s = this.owned(id, client);
    const n = s.clients.get(client.key) ?? 0;
    if (n <= 1) s.clients.delete(client.key);
    else s.clients.set(client.key, n - 1);
    if (s.clients.size === 0) this.unattended(s);
  }

  /** A client is gone (its connection closed): every attachment it held goes. */
  dropClient(key: object): void {
    for (const s of [...this.sessions.values()]) {
      if (s.clients.delete(key) && s.clients.size === 0) this.unattended(s);
    }
  }

  private attachClient(s: Session, key: object): void {
    s.clients.set(key, (s.clients.get(key) ?? 0) + 1);
    if (s.idleTimer) {
      clearTimeout(s.idleTimer);
      s.idleTimer = null;
    }
  }

  private unattended(s: Session): void {
    if (!s.reattachable) {
      s.kill();
      return;
    }
    if (s.idleTimer) return;
    s.idleTimer = setTimeout(() => {
      s.idleTimer = null;
      if (s.clients.size > 0 || !this.sessions.has(s.id)) return;
      this.opts.log?.(
        `session ${s.id} (${s.kind} in ${s.containerId.slice(0, 12)}): no client for ${this.opts.idleMs} ms, killed`,
      );
      s.kill();
    }, this.opts.idleMs);
    s.idleTimer.unref();
  }

  private checkRoom(): void {
    if (this.sessions.size >= this.opts.maxSessions) {
      throw new BerthError(
        'SESSION_LIMIT',
        `${this.sessions.size} sessions are open (at most ${this.opts.maxSessions})`,
      );
    }
  }

  private register(s: Session, client: SessionClient): void {
    this.sessions.set(s.id, s);
    this.attachClient(s, client.key);
  }

  private ended(s: Session, code: number | null, error?: string): void {
    if (s.idleTimer) clearTimeout(s.idleTimer);
    s.idleTimer = null;
    this.sessions.delete(s.id);
    this.sink.exit(s.id, code, error);
  }

  exec(
    target: { record: ContainerRecord; runDir: string; procsFiles: string[] },
    req: ExecRequest,
    client: SessionClient,
  ): { sessionId: string; pid: number | null } {
    this.checkRoom();
    const r = target.record;
    const id = randomBytes(16).toString('hex');
    const user = req.user !== undefined ? resolveUser(req.user, r.lowerDirs) : r.process.user;
    const env = [...r.process.env];
    for (const e of req.env) {
      const k = e.slice(0, e.indexOf('='));
      const i = env.findIndex((x) => x.startsWith(k + '='));
      if (i >= 0) env[i] = e;
      else env.push(e);
    }
    if (req.tty && !env.some((e) => e.startsWith('TERM='))) env.push('TERM=xterm');
    // The container's own set (--cap-add/--cap-drop/--privileged), as docker's exec gives.
    const caps = containerCapabilities(r.config.security);
    const spec: MonitorExecSpec = {
      process: {
        args: req.cmd,
        env,
        cwd: req.workdir ?? r.process.cwd,
        user: { uid: user.uid, gid: user.gid, additionalGids: user.additionalGids },
        terminal: req.tty,
        ...(req.tty ? { consoleSize: { height: req.rows, width: req.cols } } : {}),
        noNewPrivileges: true,
        capabilities: { bounding: caps, effective: caps, permitted: caps, inheritable: [], ambient: [] },
      },
      cgroupProcs: target.procsFiles,
    };
    // The filter the container's init got, as docker exec does.
    const seccompFilter = runSeccompFilter(target.runDir);
    if (seccompFilter) spec.seccomp = { filter: seccompFilter };
    const specFile = path.join(target.runDir, `exec-${id}.json`);
    fs.writeFileSync(specFile, JSON.stringify(spec), { mode: 0o600 });
    const child: ChildProcess = spawn(monitorPath(), ['exec', '--control-fd', '3', target.runDir, specFile], {
      stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
    });
    // A socketpair: resize frames go in; its EOF tells the monitor to kill the session.
    const control = child.stdio[3] as (NodeJS.WritableStream & { destroy(): void }) | null;
    const scrollback = new Scrollback(this.opts.scrollbackBytes);
    const out = (stream: 'stdout' | 'stderr') => (d: Buffer) => this.sink.output(id, stream, d, scrollback.push(d));
    child.stdout?.on('data', out('stdout'));
    child.stderr?.on('data', out('stderr'));
    child.stdin?.on('error', () => undefined);
    control?.on('error', () => undefined);
    let done = false;
    let fallback: NodeJS.Timeout | null = null;
    const session: Session = {
      id,
      kind: 'exec',
      containerId: r.id,
      uid: client.uid,
      reattachable: req.reattachable,
      tty: req.tty,
      pid: child.pid ?? null,
      scrollback,
      clients: new Map(),
      idleTimer: null,
      write: (data) => {
        child.stdin?.write(data);
        return data.length;
      },
      resize: (cols, rows) => {
        control?.write(encodeResize(rows, cols));
      },
      closeStdin: () => child.stdin?.end(),
      kill: () => {
        if (done || fallback) return;
        control?.destroy();
        // A monitor that does not end on its own (it should at once) is killed itself.
        fallback = setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS);
        fallback.unref();
      },
    };
    const finish = (code: number | null, error?: string): void => {
      if (done) return;
      done = true;
      if (fallback) clearTimeout(fallback);
      fs.rmSync(specFile, { force: true });
      this.ended(session, code, error);
    };
    child.once('error', (e) => finish(null, e.message));
    // 'close' (not 'exit'): every output byte has been read by then.
    child.once('close', (code, signal) => finish(code ?? (signal ? 128 + (signalNumberOf(signal) ?? 0) : null)));
    this.register(session, client);
    return { sessionId: id, pid: child.pid ?? null };
  }

  attach(
    target: { containerId: string; runDir: string; tty: boolean },
    client: SessionClient,
  ): Promise<{ sessionId: string; tty: boolean }> {
    this.checkRoom();
    const id = randomBytes(16).toString('hex');
    return new Promise((resolve, reject) => {
      const sock = connectUnix(path.join(target.runDir, 'attach.sock'));
      const decoder = new FrameDecoder();
      const scrollback = new Scrollback(this.opts.scrollbackBytes);
      let done = false;
      let registered = false;
      const session: Session = {
        id,
        kind: 'attach',
        containerId: target.containerId,
        uid: client.uid,
        reattachable: false,
        tty: target.tty,
        pid: null,
        scrollback,
        clients: new Map(),
        idleTimer: null,
        // Input goes only while the session lives: after the exit frame our
        // side is closed. (Until we close it the monitor keeps its end open,
        // so a write racing the container's exit cannot fail with EPIPE,
        // which would destroy the socket and the output still unread in it.)
        write: (data) => {
          if (!done) sock.write(encodeFrame(FrameType.Stdin, data));
          return data.length;
        },
        resize: (cols, rows) => {
          if (!done) sock.write(encodeResize(rows, cols));
        },
        // Not sock.end(): the monitor drops a client whose side is closed, and
        // the output still to come and the exit frame would be lost.
        closeStdin: () => {
          if (!done) sock.write(encodeFrame(FrameType.CloseStdin));
        },
        kill: () => sock.destroy(),
      };
      const finish = (code: number | null, error?: string): void => {
        if (done) return;
        done = true;
        if (registered) this.ended(session, code, error);
        else this.sink.exit(id, code, error);
      };
      sock.once('connect', () => {
        registered = true;
        this.register(session, client);
        resolve({ sessionId: id, tty: target.tty });
      });
      sock.on('data', (chunk: Buffer) => {
        for (const f of decoder.push(chunk)) {
          if (f.type === FrameType.Stdout || f.type === FrameType.Stderr) {
            const stream = f.type === FrameType.Stdout ? 'stdout' : 'stderr';
            this.sink.output(id, stream, f.payload, scrollback.push(f.payload));
          } else if (f.type === FrameType.Exit) {
            let code: number | null;
            try {
              code = (JSON.parse(f.payload.toString()) as { exitCode?: number }).exitCode ?? null;
            } catch {
              code = null;
            }
            finish(code);
            sock.end(); // the monitor waits for our close before it exits
          }
        }
      });
      sock.once('error', (e) => {
        if (!registered) reject(new BerthError('ATTACH_FAILED', `cannot attach: ${e.message}`));
        finish(null, e.message);
      });
      sock.once('close', () => finish(null));
    });
  }
}

function signalNumberOf(name: NodeJS.Signals): number | undefined {
  return (
    { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGTERM: 15, SIGSEGV: 11, SIGABRT: 6, SIGPIPE: 13 } as Record<
      string,
      number
    >
  )[name];
}
