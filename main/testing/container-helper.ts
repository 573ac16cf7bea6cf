/**
 * Test support for container tests and benchmarks: a real root helper on a
 * GIVEN run dir and data root (so a test can kill it and start another on the
 * same state), the `berth` CLI against it, the busybox image loaded through
 * the CLI, RPC events, and the kernel-side leftovers a container may leave
 * (mounts, cgroup dirs, veths, named netns, nft map elements).
 */
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { removeBridge } from '../engine/network/bridge';
import { parseSubnet, type Subnet } from '../engine/network/subnet';
import { RpcClient } from '../helper/client/rpc-client';
import { socketPathFor } from '../shared/helper-paths';
import { CLI_JS, HELPER_JS, tempDir, waitForSocket } from './helper-process';
import { writeBusyboxImage } from './busybox-image';

const execFileP = promisify(execFile);

export interface HelperOn {
  child: ChildProcess;
  pid: number;
  runDir: string;
  dataRoot: string;
  socketPath: string;
  /** What the helper printed (it logs to stderr in --foreground). */
  stderr: () => string;
  /** SIGTERM and wait; the dirs stay (containers outlive the helper by design). */
  stop(): Promise<void>;
  /** SIGKILL and wait: a crash. */
  kill9(): Promise<void>;
}

/**
 * Starts a root helper on the given run dir and data root (created if
 * missing) and waits until it answers. `env` is added to the helper's
 * environment (BERTH_BRIDGE, BERTH_SUBNET, BERTH_NFT_TABLE: the helper reads
 * them when started directly).
 */
export async function startHelperOn(o: {
  runDir: string;
  dataRoot: string;
  env?: NodeJS.ProcessEnv;
  /** More helper flags (--session-idle-timeout, --archive-max-…). */
  args?: string[];
  /** The helper's owner (--owner-uid; default root): its socket is then u<uid>/helper.sock. */
  ownerUid?: number;
}): Promise<HelperOn> {
  if (!fs.existsSync(HELPER_JS)) throw new Error(`${HELPER_JS} is missing: run npm run build first`);
  fs.mkdirSync(o.runDir, { recursive: true, mode: 0o755 });
  fs.mkdirSync(o.dataRoot, { recursive: true, mode: 0o711 });
  const child = spawn(
    process.execPath,
    [
      HELPER_JS,
      '--foreground',
      '--run-dir',
      o.runDir,
      '--data-root',
      o.dataRoot,
      ...(o.ownerUid !== undefined ? ['--owner-uid', String(o.ownerUid)] : []),
      ...(o.args ?? []),
    ],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, ...o.env },
    },
  );
  let err = '';
  child.stderr?.on('data', (d: Buffer) => {
    err += d.toString();
    if (err.length > 4 * 1024 * 1024) err = err.slice(-2 * 1024 * 1024);
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const socketPath = socketPathFor(o.ownerUid ?? 0, o.runDir);
  // A helper that refuses to start (DATA_ROOT_IN_USE, a bad config) exits: no need to wait out the 15 s.
  const gone = (): string | null =>
    child.exitCode !== null || child.signalCode !== null
      ? `the helper exited (${child.exitCode ?? child.signalCode}) before it answered`
      : null;
  try {
    await waitForSocket(socketPath, 15_000, gone);
  } catch (e) {
    child.kill('SIGKILL');
    // 'exit' may come before the last of stderr: what it said is the error (bounded: a child may hold the pipe).
    const out = child.stderr;
    if (out && !out.closed) await Promise.race([new Promise((r) => out.once('close', r)), sleep(2000)]);
    throw new Error(`helper did not answer on ${socketPath}: ${String(e)}\n${err}`, { cause: e });
  }
  const running = (): boolean => child.exitCode === null && child.signalCode === null;
  return {
    child,
    pid: child.pid!,
    runDir: o.runDir,
    dataRoot: o.dataRoot,
    socketPath,
    stderr: () => err,
    stop: async () => {
      if (running()) {
        child.kill('SIGTERM');
        await exited;
      }
    },
    kill9: async () => {
      if (running()) {
        child.kill('SIGKILL');
        await exited;
      }
    },
  };
}

/** A helper on fresh temp dirs; `dispose()` stops it and removes the dirs. */
export async function startContainerHelper(
  env?: NodeJS.ProcessEnv,
  args?: string[],
): Promise<HelperOn & { dispose(): Promise<void> }> {
  const runDir = tempDir('berth-run-');
  const dataRoot = tempDir('berth-data-');
  const h = await startHelperOn({ runDir, dataRoot, ...(env ? { env } : {}), ...(args ? { args } : {}) });
  return {
    ...h,
    dispose: async () => {
      await h.stop();
      removeHelperDirs({ dataRoot, runDir });
    },
  };
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** `node bin/berth.js ARGS --no-start` against the helper at socketPath. Never throws on a non-zero exit. */
export async function berthCli(
  socketPath: string,
  args: string[],
  o: { input?: string; timeoutMs?: number } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      process.execPath,
      [CLI_JS, ...args, '--no-start'],
      {
        env: { ...process.env, BERTH_HELPER_SOCKET: socketPath },
        maxBuffer: 64 * 1024 * 1024,
        timeout: o.timeoutMs ?? 60_000,
      },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : null) : 0;
        if (code === null) reject(new Error(`berth ${args.join(' ')}: ${err?.message}\n${stderr}`));
        else resolve({ code, stdout, stderr });
      },
    );
    if (o.input !== undefined) child.stdin?.end(o.input);
    else child.stdin?.end();
  });
}

/** Like berthCli, but a non-zero exit throws with the output in the message. */
export async function berthOk(socketPath: string, args: string[], o: { input?: string } = {}): Promise<string> {
  const r = await berthCli(socketPath, args, o);
  if (r.code !== 0) throw new Error(`berth ${args.join(' ')} exited ${r.code}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** Writes the busybox image tar into workDir and loads it through the CLI. */
export async function loadBusybox(socketPath: string, workDir: string, tag = 'busybox:latest'): Promise<string> {
  const file = path.join(workDir, 'busybox.tar');
  if (!fs.existsSync(file)) await writeBusyboxImage(file, tag);
  await berthOk(socketPath, ['load', '-i', file]);
  return file;
}

export interface ContainerEventT {
  id: string;
  action: string;
  state: string | null;
  exitCode: number | null;
  at: string;
}

/** An RPC connection that records every containers.changed event. */
export class EventLog {
  readonly events: ContainerEventT[] = [];
  private waiters: Array<{ pred: (e: ContainerEventT) => boolean; resolve: (e: ContainerEventT) => void }> = [];

  private constructor(readonly client: RpcClient) {
    client.on('notification', (method, params) => {
      if (method !== 'event') return;
      const p = params as { name?: string; payload?: ContainerEventT };
      if (p.name !== 'containers.changed' || !p.payload) return;
      this.events.push(p.payload);
      this.waiters = this.waiters.filter((w) => {
        if (!w.pred(p.payload!)) return true;
        w.resolve(p.payload!);
        return false;
      });
    });
  }

  static async connect(socketPath: string): Promise<EventLog> {
    return new EventLog(await RpcClient.connect(socketPath));
  }

  /** Resolves with the first event (already seen or coming) that matches. */
  waitFor(pred: (e: ContainerEventT) => boolean, timeoutMs = 30_000, sinceIndex = 0): Promise<ContainerEventT> {
    const seen = this.events.slice(sinceIndex).find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w.resolve !== done);
        reject(new Error(`no matching containers.changed event within ${timeoutMs} ms`));
      }, timeoutMs);
      const done = (e: ContainerEventT): void => {
        clearTimeout(timer);
        resolve(e);
      };
      this.waiters.push({ pred, resolve: done });
    });
  }

  of(id: string): ContainerEventT[] {
    return this.events.filter((e) => e.id === id);
  }

  close(): void {
    this.client.close();
  }
}

export async function waitUntil<T>(
  what: string,
  fn: () => T | null | undefined | false | Promise<T | null | undefined | false>,
  timeoutMs = 20_000,
  everyMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

// ── kernel-side leftovers ───────────────────────────────────────────────────

export function mountLinesMatching(needle: string): string[] {
  return fs
    .readFileSync('/proc/mounts', 'utf8')
    .split('\n')
    .filter((l) => l.includes(needle));
}

/** Force-removes every container of the helper at socketPath (`ps -a -q`, then one `rm -f`). */
export async function removeAllContainers(socketPath: string): Promise<void> {
  const ids = (await berthCli(socketPath, ['ps', '-a', '-q'])).stdout.split('\n').filter(Boolean);
  if (ids.length) await berthCli(socketPath, ['rm', '-f', ...ids]);
}

/**
 * Once its helper has stopped: kills what a failed test left running under
 * the data root and removes the helper's directories. The data root goes only
 * when nothing is mounted under it any more (an overlay left by a live
 * container): rm -rf would then descend into a container's rootfs.
 */
export function removeHelperDirs(dirs: { dataRoot: string; runDir: string }): void {
  killLeftovers(dirs.dataRoot);
  if (!fs.readFileSync('/proc/mounts', 'utf8').includes(dirs.dataRoot))
    fs.rmSync(dirs.dataRoot, { recursive: true, force: true });
  fs.rmSync(dirs.runDir, { recursive: true, force: true });
}

/**
 * Tear-down of a startHelperOn() test: force-removes every container while the
 * helper still runs, stops it, then removeHelperDirs() and the test's work dir
 * (when it has one of its own).
 */
export async function tearDownHelperOn(
  h: HelperOn | null | undefined,
  dirs: { dataRoot: string; runDir: string; work?: string },
): Promise<void> {
  try {
    if (h && isLive(h.pid)) await removeAllContainers(h.socketPath);
  } finally {
    await h?.stop();
    removeHelperDirs(dirs);
    if (dirs.work) fs.rmSync(dirs.work, { recursive: true, force: true });
  }
}

/** Every cgroup directory named after the container id, in every hierarchy (v1 and unified). */
export function cgroupDirsOf(id: string, parent = 'berth'): string[] {
  const out: string[] = [];
  for (const h of fs.readdirSync('/sys/fs/cgroup')) {
    const d = path.join('/sys/fs/cgroup', h, parent, id);
    if (fs.existsSync(d)) out.push(d);
  }
  // Pure v2: the unified hierarchy is /sys/fs/cgroup itself.
  const v2 = path.join('/sys/fs/cgroup', parent, id);
  if (fs.existsSync(v2)) out.push(v2);
  return out;
}

/** Number of directories directly under <hierarchy>/berth/ in every hierarchy (standby pools not counted). */
export function cgroupChildCount(parent = 'berth'): number {
  let n = 0;
  const roots = fs.readdirSync('/sys/fs/cgroup').map((h) => path.join('/sys/fs/cgroup', h, parent));
  roots.push(path.join('/sys/fs/cgroup', parent));
  for (const r of roots) {
    try {
      n += fs
        .readdirSync(r, { withFileTypes: true })
        .filter((e) => e.isDirectory() && !e.name.startsWith('.standby-')).length;
    } catch {
      // no such hierarchy or parent
    }
  }
  return n;
}

export function netnsEntries(): string[] {
  try {
    return fs.readdirSync('/run/netns');
  } catch {
    return [];
  }
}

export function linkNames(): string[] {
  return execFileSync('ip', ['-o', 'link'], { encoding: 'utf8' })
    .split('\n')
    .map((l) => /^\d+:\s+([^:@]+)/.exec(l)?.[1] ?? '')
    .filter(Boolean);
}

export async function nftTableText(table: string): Promise<string> {
  try {
    return (await execFileP('nft', ['list', 'table', 'ip', table])).stdout;
  } catch {
    return '';
  }
}

/** Processes whose comm is berth-monitor (the helper's monitors; re-exec'd from a memfd they keep the name). */
export function processesNamed(comm: string): Array<{ pid: number; ppid: number; state: string; cmdline: string }> {
  const out: Array<{ pid: number; ppid: number; state: string; cmdline: string }> = [];
  for (const e of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${e}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      if (name !== comm && !name.startsWith(comm.slice(0, 15))) continue;
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const cmdline = fs.readFileSync(`/proc/${e}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
      out.push({ pid: Number(e), ppid: Number(f[1]), state: f[0] ?? '?', cmdline });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** Zombie processes on the machine (state Z). */
export function zombies(): Array<{ pid: number; ppid: number; comm: string }> {
  const out: Array<{ pid: number; ppid: number; comm: string }> = [];
  for (const e of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${e}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (f[0] === 'Z')
        out.push({
          pid: Number(e),
          ppid: Number(f[1]),
          comm: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')),
        });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

export function fdCount(pid: number): number {
  return fs.readdirSync(`/proc/${pid}/fd`).length;
}

/** The inode of /proc/PID/ns/NAME ("pid:[4026531836]" → 4026531836). */
export function nsInode(pid: number | 'self', name: string): number {
  const m = /\[(\d+)\]/.exec(fs.readlinkSync(`/proc/${pid}/ns/${name}`));
  return Number(m?.[1]);
}

/** A short random tag for bridge, subnet and table names. */
export function randomTag(): string {
  return Math.random().toString(16).slice(2, 8);
}

/** The pid exists and is not a zombie. */
export function isLive(pid: number): boolean {
  try {
    const s = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return s.slice(s.lastIndexOf(')') + 2, s.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/**
 * Last resort after a failed test: SIGKILL every monitor running a container
 * of this data root, and the container processes under it, so nothing of a
 * test outlives it.
 */
export function killLeftovers(dataRoot: string): number {
  const monitors = monitorsOf(dataRoot);
  const kill = (pid: number): void => {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  };
  for (const m of monitors) {
    for (const e of fs.readdirSync('/proc')) {
      if (!/^\d+$/.test(e)) continue;
      try {
        const stat = fs.readFileSync(`/proc/${e}/stat`, 'utf8');
        if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === m.pid) kill(Number(e));
      } catch {
        // gone
      }
    }
    kill(m.pid);
  }
  return monitors.length;
}

/** berth-monitor processes working for containers under this data root. */
export function monitorsOf(dataRoot: string): Array<{ pid: number; ppid: number; state: string; cmdline: string }> {
  // Re-executed from a sealed memfd its comm is "memfd:berth-mon"; its argv still names the binary.
  // A monitor started as a standby (`run --standby`) got its state dir on stdin: it is ours when
  // it holds a file under dataRoot open (the state dir, monitor.lock).
  const holdsFileUnder = (pid: number): boolean => {
    try {
      return fs.readdirSync(`/proc/${pid}/fd`).some((fd) => {
        try {
          return fs.readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith(dataRoot);
        } catch {
          return false;
        }
      });
    } catch {
      return false;
    }
  };
  return [...processesNamed('memfd:berth-mon'), ...processesNamed('berth-monitor')].filter(
    (p) =>
      p.cmdline.includes('berth-monitor') &&
      p.state !== 'Z' &&
      (p.cmdline.includes(dataRoot) || (p.cmdline.includes('--standby') && holdsFileUnder(p.pid))),
  );
}

/** A field of /proc/PID/status ("Uid", "CapEff", …), trimmed; '' when absent. */
export function statusField(pid: number, name: string): string {
  const m = new RegExp(`^${name}:\\s*(.*)$`, 'm').exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m?.[1]?.trim() ?? '';
}

/**
 * A bridge of a test's own (name, subnet, nft table), so suites never share berth0.
 * `secondOctet` is the file's own (test-bridges.test.ts checks): integration files run
 * side by side, and two bridges with one subnet would take each other's packets.
 */
export function testBridge(prefix: string, secondOctet: number): { name: string; subnet: Subnet; table: string } {
  const tag = randomTag();
  return {
    name: `${prefix}${tag}`,
    subnet: parseSubnet(`10.${secondOctet}.${1 + Math.floor(Math.random() * 250)}.0/24`),
    table: `berth_${prefix}${tag}`,
  };
}

export interface ContainerSuite {
  helper: HelperOn & { dispose(): Promise<void> };
  rpc: RpcClient;
  bridge: { name: string; subnet: Subnet; table: string };
  work: string;
  /** Force-removes every container, then closes the connection, the helper, the bridge and the work dir. */
  close(): Promise<void>;
}

/**
 * A private root helper on its own bridge with busybox:latest loaded through
 * the CLI and one RPC connection: what a container suite's beforeAll needs.
 */
export async function openContainerSuite(o: {
  bridge: ContainerSuite['bridge'];
  workPrefix: string;
  /** More helper environment (e.g. userNsEnv()). */
  env?: NodeJS.ProcessEnv;
  helperArgs?: string[];
}): Promise<ContainerSuite> {
  const helper = await startContainerHelper(
    {
      BERTH_BRIDGE: o.bridge.name,
      BERTH_SUBNET: o.bridge.subnet.cidr,
      BERTH_NFT_TABLE: o.bridge.table,
      ...o.env,
    },
    o.helperArgs,
  );
  const work = tempDir(o.workPrefix);
  let rpc: RpcClient;
  try {
    await loadBusybox(helper.socketPath, work);
    rpc = await RpcClient.connect(helper.socketPath);
  } catch (e) {
    await helper.dispose();
    await removeBridge(o.bridge);
    fs.rmSync(work, { recursive: true, force: true });
    throw e;
  }
  return {
    helper,
    rpc,
    bridge: o.bridge,
    work,
    close: async () => {
      try {
        await removeAllContainers(helper.socketPath);
      } finally {
        rpc.close();
        await helper.dispose();
        await removeBridge(o.bridge);
        fs.rmSync(work, { recursive: true, force: true });
      }
    },
  };
}

/**
 * A helper environment whose --userns ranges come from files of the test's
 * own (empty subuid/subgid: the helper adds its `berth` entry there, not in
 * /etc) and are recorded in its own allocation file. Pass the same dir to
 * two helpers to make them share the allocation, as root's and a user's do.
 */
export function userNsEnv(dir: string): NodeJS.ProcessEnv {
  fs.mkdirSync(dir, { recursive: true });
  for (const f of ['subuid', 'subgid']) if (!fs.existsSync(path.join(dir, f))) fs.writeFileSync(path.join(dir, f), '');
  return {
    BERTH_SUBUID: path.join(dir, 'subuid'),
    BERTH_SUBGID: path.join(dir, 'subgid'),
    BERTH_USERNS_RANGES: path.join(dir, 'ranges.json'),
  };
}
