// Test fixture for berth-monitor: a busybox rootfs used as a single overlay
// lowerdir, one fresh upper/work/root/state directory per container, and
// helpers to run the monitor and read what it writes. Real kernel, as root.
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {
  DOCKER_DEFAULT_CAPABILITIES,
  FrameDecoder,
  OCI_DEFAULT_MASKED_PATHS,
  OCI_DEFAULT_READONLY_PATHS,
  encodeFrame,
  monitorPath,
  type Frame,
  type FrameTypeValue,
  type MonitorExecSpec,
  type MonitorExit,
  type MonitorLogEntry,
  type MonitorSpec,
  type MonitorState,
} from '../../native/monitor.js';

export const MONITOR = monitorPath();

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export async function waitFor<T>(what: string, probe: () => T | undefined, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

export function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/** Builds the shared lower layer: /bin/busybox + one symlink per applet. */
export function makeBusyboxLayer(dir: string): void {
  fs.mkdirSync(path.join(dir, 'bin'), { recursive: true });
  fs.copyFileSync('/bin/busybox', path.join(dir, 'bin', 'busybox'));
  fs.chmodSync(path.join(dir, 'bin', 'busybox'), 0o755);
  const applets = execFileSync('/bin/busybox', ['--list'], { encoding: 'utf8' }).split('\n');
  for (const applet of applets) {
    if (!applet || applet === 'busybox') continue;
    fs.symlinkSync('busybox', path.join(dir, 'bin', applet));
  }
  for (const d of ['etc', 'proc', 'sys', 'dev', 'tmp', 'root']) fs.mkdirSync(path.join(dir, d), { recursive: true });
  fs.chmodSync(path.join(dir, 'tmp'), 0o1777);
  fs.writeFileSync(
    path.join(dir, 'etc', 'passwd'),
    'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534::/:/bin/false\n',
  );
  fs.writeFileSync(path.join(dir, 'etc', 'group'), 'root:x:0:\ntty:x:5:\nnogroup:x:65534:\n');
}

export interface Container {
  name: string;
  dir: string;
  stateDir: string;
  rootPath: string;
  logPath: string;
  spec: MonitorSpec;
}

export class Fixture {
  readonly base: string;
  readonly lower: string;
  private count = 0;

  constructor() {
    this.base = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-monitor-'));
    fs.chmodSync(this.base, 0o755); // reachable by a user namespace's unprivileged host uids
    this.lower = path.join(this.base, 'lower');
    makeBusyboxLayer(this.lower);
  }

  /** A spec like the helper's: Docker's caps, every namespace, OCI masks. */
  container(args: string[], edit?: (spec: MonitorSpec, c: Container) => void): Container {
    const name = `c${++this.count}`;
    const dir = path.join(this.base, name);
    for (const d of ['upper', 'work', 'root', 'state']) fs.mkdirSync(path.join(dir, d), { recursive: true });
    const stateDir = path.join(dir, 'state');
    const rootPath = path.join(dir, 'root');
    const logPath = path.join(stateDir, 'container.log');
    const spec: MonitorSpec = {
      ociVersion: '1.0.2',
      process: {
        args,
        env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'HOME=/root'],
        cwd: '/',
        user: { uid: 0, gid: 0 },
        noNewPrivileges: true,
        capabilities: {
          bounding: DOCKER_DEFAULT_CAPABILITIES,
          effective: DOCKER_DEFAULT_CAPABILITIES,
          permitted: DOCKER_DEFAULT_CAPABILITIES,
        },
        rlimits: [{ type: 'RLIMIT_NOFILE', hard: 1024, soft: 1024 }],
      },
      hostname: name,
      root: { path: rootPath },
      overlay: { lowerdirs: [this.lower], upperdir: path.join(dir, 'upper'), workdir: path.join(dir, 'work') },
      linux: {
        namespaces: [
          { type: 'pid' },
          { type: 'mount' },
          { type: 'uts' },
          { type: 'ipc' },
          { type: 'network' },
          { type: 'cgroup' },
        ],
        maskedPaths: OCI_DEFAULT_MASKED_PATHS,
        readonlyPaths: OCI_DEFAULT_READONLY_PATHS,
      },
      log: { path: logPath },
    };
    const c: Container = { name, dir, stateDir, rootPath, logPath, spec };
    edit?.(spec, c);
    fs.writeFileSync(path.join(stateDir, 'spec.json'), JSON.stringify(spec, null, 2));
    return c;
  }

  cleanup(): void {
    fs.rmSync(this.base, { recursive: true, force: true });
  }
}

export interface Finished {
  code: number | null;
  stderr: string;
}

/** `berth-monitor run <stateDir>`: resolves when the foreground process exits. */
export function runMonitor(stateDir: string): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawn(MONITOR, ['run', stateDir], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

export function state(c: Container): MonitorState | undefined {
  return readJson<MonitorState>(path.join(c.stateDir, 'state.json'));
}

export async function start(c: Container): Promise<MonitorState & { status: 'running' }> {
  const r = await runMonitor(c.stateDir);
  const s = state(c);
  if (r.code !== 0 || s?.status !== 'running') {
    throw new Error(`monitor run failed (${r.code}): ${r.stderr} state=${JSON.stringify(s)}`);
  }
  return s;
}

/** exit.json, once state.json (written after it) says "exited" too. */
export function waitExit(c: Container, timeoutMs = 5000): Promise<MonitorExit> {
  return waitFor(
    `exit of ${c.name}`,
    () => (state(c)?.status === 'exited' ? readJson<MonitorExit>(path.join(c.stateDir, 'exit.json')) : undefined),
    timeoutMs,
  );
}

export function logEntries(file: string): MonitorLogEntry[] {
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as MonitorLogEntry);
}

/** Runs a container to its end: start, exit.json, log. */
export async function runToEnd(
  c: Container,
): Promise<{ exit: MonitorExit; log: MonitorLogEntry[]; stdout: string[]; stderr: string[] }> {
  const r = await runMonitor(c.stateDir);
  const s = state(c);
  // A short-lived container may already have exited when the monitor reports.
  if (r.code !== 0 || (s?.status !== 'running' && s?.status !== 'exited')) {
    throw new Error(`monitor run failed (${r.code}): ${r.stderr} state=${JSON.stringify(s)}`);
  }
  const exit = await waitExit(c);
  const log = logEntries(c.logPath);
  return {
    exit,
    log,
    stdout: log.filter((e) => e.s === 'stdout').map((e) => e.log),
    stderr: log.filter((e) => e.s === 'stderr').map((e) => e.log),
  };
}

/** Running (a zombie waiting for a slow reaper of orphans does not count). */
export function isAlive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** SIGKILL the container (if still running) and wait for its exit.json. */
export async function stop(c: Container): Promise<void> {
  const s = state(c);
  if (s?.status === 'running') {
    try {
      process.kill(s.pid, 'SIGKILL');
    } catch {
      // already gone
    }
    await waitExit(c);
  }
}

// ---- attach.sock ----

export class AttachClient {
  readonly frames: Frame[] = [];
  private readonly decoder = new FrameDecoder();
  closed = false;

  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (d: Buffer) => this.frames.push(...this.decoder.push(d)));
    socket.on('close', () => (this.closed = true));
    socket.on('error', () => (this.closed = true));
  }

  static connect(stateDir: string): Promise<AttachClient> {
    return new Promise((resolve, reject) => {
      const socket = net.createConnection(path.join(stateDir, 'attach.sock'));
      socket.once('connect', () => resolve(new AttachClient(socket)));
      socket.once('error', reject);
    });
  }

  send(type: FrameTypeValue, payload?: Buffer | string): void {
    this.socket.write(encodeFrame(type, payload));
  }

  sendRaw(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  output(type = 1): string {
    return Buffer.concat(this.frames.filter((f) => f.type === type).map((f) => f.payload)).toString();
  }

  waitOutput(pattern: RegExp | string, type = 1, timeoutMs = 5000): Promise<string> {
    return waitFor(
      `attach output ${String(pattern)}`,
      () => {
        const out = this.output(type);
        const ok = typeof pattern === 'string' ? out.includes(pattern) : pattern.test(out);
        return ok ? out : undefined;
      },
      timeoutMs,
    );
  }

  close(): void {
    this.socket.destroy();
  }
}

// ---- exec ----

export interface ExecResult {
  code: number | null;
  stdout: string;
  stderr: string;
  control: Frame[];
}

export function execSpec(args: string[], edit?: (s: MonitorExecSpec) => void): MonitorExecSpec {
  const spec: MonitorExecSpec = {
    process: {
      args,
      env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
      cwd: '/',
      user: { uid: 0, gid: 0 },
      noNewPrivileges: true,
      capabilities: {
        bounding: DOCKER_DEFAULT_CAPABILITIES,
        effective: DOCKER_DEFAULT_CAPABILITIES,
        permitted: DOCKER_DEFAULT_CAPABILITIES,
      },
    },
  };
  edit?.(spec);
  return spec;
}

/**
 * `berth-monitor exec --control-fd 3 <stateDir> <spec>` with pipes on 0..3;
 * `onSpawn` may write stdin / control frames.
 */
export function execInContainer(
  c: Container,
  spec: MonitorExecSpec,
  opts: { stdin?: string; onSpawn?: (stdin: NodeJS.WritableStream, control: net.Socket) => void } = {},
): Promise<ExecResult> {
  const specPath = path.join(c.dir, `exec-${Math.random().toString(16).slice(2)}.json`);
  fs.writeFileSync(specPath, JSON.stringify(spec));
  return new Promise((resolve, reject) => {
    const child = spawn(MONITOR, ['exec', '--control-fd', '3', c.stateDir, specPath], {
      stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    const control: Frame[] = [];
    const decoder = new FrameDecoder();
    const ctl = child.stdio[3] as net.Socket;
    ctl.on('data', (d: Buffer) => control.push(...decoder.push(d)));
    ctl.on('error', () => {});
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr, control }));
    if (opts.onSpawn) opts.onSpawn(child.stdin, ctl);
    if (opts.stdin !== undefined) child.stdin.end(opts.stdin);
    else if (!opts.onSpawn) child.stdin.end();
  });
}

// ---- cgroups (v1 memory, under a "berth" parent only) ----

export const MEMORY_CGROUP_ROOT = '/sys/fs/cgroup/memory';

export function makeCgroup(name: string): string {
  const dir = path.join(MEMORY_CGROUP_ROOT, 'berth', name);
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

export async function removeCgroup(dir: string): Promise<void> {
  // rmdir succeeds once no task is left; exiting tasks may linger a moment.
  await waitFor(
    `rmdir ${dir}`,
    () => {
      try {
        fs.rmdirSync(dir);
        return true;
      } catch (err) {
        return (err as NodeJS.ErrnoException).code === 'ENOENT' ? true : undefined;
      }
    },
    5000,
  );
}
