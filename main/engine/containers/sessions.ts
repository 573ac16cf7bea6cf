/**
 * Interactive sessions: `berth-monitor exec` (a process joined to a running
 * container) or the container's attach.sock (its main process). Output is
 * handed to a sink as it arrives; input, resize and close go the other way.
 * A session dies with the connection that opened it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { BerthError } from '../../../preload/errors';
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
import { resolveUser } from './user';

export interface SessionSink {
  output(sessionId: string, stream: 'stdout' | 'stderr', data: Buffer): void;
  exit(sessionId: string, exitCode: number | null, error?: string): void;
}

interface Session {
  id: string;
  write(data: Buffer): number;
  resize(cols: number, rows: number): void;
  close(kill: boolean): void;
}

export interface ExecRequest {
  cmd: string[];
  tty: boolean;
  env: string[];
  user?: string;
  workdir?: string;
  cols: number;
  rows: number;
}

export class Sessions {
  private readonly sessions = new Map<string, Session>();

  constructor(private readonly sink: SessionSink) {}

  get(id: string): Session {
    const s = this.sessions.get(id);
    if (!s) throw new BerthError('SESSION_NOT_FOUND', `no such session: ${id}`);
    return s;
  }

  count(): number {
    return this.sessions.size;
  }

  exec(
    target: { record: ContainerRecord; runDir: string; procsFiles: string[] },
    req: ExecRequest,
  ): { sessionId: string; pid: number | null } {
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
    const control = child.stdio[3] as NodeJS.WritableStream | null;
    child.stdout?.on('data', (d: Buffer) => this.sink.output(id, 'stdout', d));
    child.stderr?.on('data', (d: Buffer) => this.sink.output(id, 'stderr', d));
    child.stdin?.on('error', () => undefined);
    control?.on('error', () => undefined);
    let done = false;
    const finish = (code: number | null, error?: string): void => {
      if (done) return;
      done = true;
      fs.rmSync(specFile, { force: true });
      this.sessions.delete(id);
      this.sink.exit(id, code, error);
    };
    child.once('error', (e) => finish(null, e.message));
    // 'close' (not 'exit'): every output byte has been read by then.
    child.once('close', (code, signal) => finish(code ?? (signal ? 128 + (signalNumberOf(signal) ?? 0) : null)));
    this.sessions.set(id, {
      id,
      write: (data) => {
        child.stdin?.write(data);
        return data.length;
      },
      resize: (cols, rows) => {
        control?.write(encodeResize(rows, cols));
      },
      close: (kill) => {
        if (kill) {
          child.kill('SIGTERM'); // forwarded to the process by the exec monitor
          setTimeout(() => child.kill('SIGKILL'), 2000).unref();
        } else child.stdin?.end();
      },
    });
    return { sessionId: id, pid: child.pid ?? null };
  }

  attach(runDir: string, tty: boolean): Promise<{ sessionId: string; tty: boolean }> {
    const id = randomBytes(16).toString('hex');
    return new Promise((resolve, reject) => {
      const sock = net.createConnection(path.join(runDir, 'attach.sock'));
      const decoder = new FrameDecoder();
      let done = false;
      const finish = (code: number | null, error?: string): void => {
        if (done) return;
        done = true;
        this.sessions.delete(id);
        this.sink.exit(id, code, error);
      };
      sock.once('connect', () => {
        this.sessions.set(id, {
          id,
          write: (data) => {
            sock.write(encodeFrame(FrameType.Stdin, data));
            return data.length;
          },
          resize: (cols, rows) => {
            sock.write(encodeResize(rows, cols));
          },
          // Not sock.end(): the monitor drops a client whose side is closed, and
          // the output still to come and the exit frame would be lost.
          close: (kill) => {
            if (kill) sock.destroy();
            else sock.write(encodeFrame(FrameType.CloseStdin));
          },
        });
        resolve({ sessionId: id, tty });
      });
      sock.on('data', (chunk: Buffer) => {
        for (const f of decoder.push(chunk)) {
          if (f.type === FrameType.Stdout) this.sink.output(id, 'stdout', f.payload);
          else if (f.type === FrameType.Stderr) this.sink.output(id, 'stderr', f.payload);
          else if (f.type === FrameType.Exit) {
            let code: number | null;
            try {
              code = (JSON.parse(f.payload.toString()) as { exitCode?: number }).exitCode ?? null;
            } catch {
              code = null;
            }
            finish(code);
          }
        }
      });
      sock.once('error', (e) => {
        if (!this.sessions.has(id)) reject(new BerthError('ATTACH_FAILED', `cannot attach: ${e.message}`));
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
