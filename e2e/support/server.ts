/**
 * Starting and stopping `berth web` for tests: each server gets fresh temp
 * dirs for BERTH_RUN_DIR and BERTH_DATA_ROOT, so it has its own helper and
 * never touches a developer's. Stopping takes the server down first (its
 * backend reconnects and would start a new helper), then the helper named by
 * <runDir>/helper.pid, then the temp dirs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readPid } from './kernel';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 10_000;

export interface BerthWeb {
  url: string;
  pid: number;
  runDir: string;
  dataRoot: string;
  stderr(): string;
  /** Stops the server, then its helper, then removes the temp dirs. */
  stop(): Promise<void>;
}

export function requireBuilt(): void {
  for (const f of ['out/main/cli.js', 'out/main/helper.js', 'out/renderer/index.html']) {
    if (!fs.existsSync(path.join(ROOT, f))) {
      throw new Error(`${f} is missing: build first (npm run build / npx electron-vite build)`);
    }
  }
}

function waitForUrl(child: ChildProcess, log: () => string): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(() => {
      finish(new Error(`berth web printed no URL within ${START_TIMEOUT_MS} ms\n${log()}`));
    }, START_TIMEOUT_MS);
    const onData = (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const m = /^Berth web UI: (\S+)$/m.exec(buffered);
      if (m) finish(null, m[1]);
    };
    const onExit = (code: number | null, signal: string | null) => {
      finish(new Error(`berth web exited (code ${code}, signal ${signal}) before printing its URL\n${log()}`));
    };
    function finish(err: Error | null, url?: string): void {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.off('exit', onExit);
      if (err) reject(err);
      else resolve(url!);
    }
    child.stdout?.on('data', onData);
    child.once('exit', onExit);
  });
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timedOut = await Promise.race([
    exited(child).then(() => false),
    new Promise<boolean>((r) => setTimeout(() => r(true), STOP_TIMEOUT_MS)),
  ]);
  if (timedOut) {
    console.warn(`[e2e] berth web (pid ${child.pid}) ignored SIGTERM for ${STOP_TIMEOUT_MS} ms; SIGKILL`);
    child.kill('SIGKILL');
    await exited(child);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function stopHelper(runDir: string): Promise<void> {
  const pid = readPid(path.join(runDir, 'helper.pid'));
  if (pid === null || !alive(pid)) return;
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + STOP_TIMEOUT_MS;
  while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  if (alive(pid)) {
    console.warn(`[e2e] helper pid ${pid} ignored SIGTERM for ${STOP_TIMEOUT_MS} ms; SIGKILL`);
    process.kill(pid, 'SIGKILL');
  }
}

/** Never rm -r through a mount point (a container's rootfs, an overlay): report it instead. */
function mountsUnder(dir: string): string[] {
  try {
    return fs
      .readFileSync('/proc/self/mountinfo', 'utf8')
      .split('\n')
      .map((l) => (l.split(' ')[4] ?? '').replace(/\\040/g, ' '))
      .filter((p) => p === dir || p.startsWith(dir + '/'));
  } catch {
    return [];
  }
}

function removeDir(dir: string): void {
  const mounts = mountsUnder(dir);
  if (mounts.length > 0) {
    console.warn(`[e2e] not removing ${dir}: still mounted: ${mounts.join(', ')}`);
    return;
  }
  fs.rmSync(dir, { recursive: true, force: true });
}

export async function startBerthWeb(extraArgs: string[] = []): Promise<BerthWeb> {
  requireBuilt();
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-e2e-run-'));
  const dataRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-e2e-data-'));
  // The server keeps the user's preferences under XDG_CONFIG_HOME: the suite's own, not the developer's.
  const configHome = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-e2e-config-'));
  let stderr = '';
  // BERTH_E2E_NODE_ARGS: extra node flags for the server, e.g. to profile it
  // ("--cpu-prof --cpu-prof-dir=/tmp/prof --import=./e2e/support/exit-on-sigterm.mjs").
  const nodeArgs = (process.env['BERTH_E2E_NODE_ARGS'] ?? '').split(' ').filter((a) => a !== '');
  const child = spawn(process.execPath, [...nodeArgs, 'bin/berth.js', 'web', '--port', '0', ...extraArgs], {
    cwd: ROOT,
    env: { ...process.env, BERTH_RUN_DIR: runDir, BERTH_DATA_ROOT: dataRoot, XDG_CONFIG_HOME: configHome },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stderr?.on('data', (c: Buffer) => {
    stderr += c.toString('utf8');
    if (stderr.length > 64_000) stderr = stderr.slice(-64_000);
  });
  const stop = async (): Promise<void> => {
    await stopChild(child);
    await stopHelper(runDir);
    removeDir(runDir);
    removeDir(dataRoot);
    removeDir(configHome);
  };
  let url: string;
  try {
    url = await waitForUrl(child, () => `stderr:\n${stderr}`);
  } catch (err) {
    await stop();
    throw err;
  }
  // Keep draining stdout so the server never blocks on a full pipe.
  child.stdout?.on('data', () => undefined);
  return { url, pid: child.pid ?? -1, runDir, dataRoot, stderr: () => stderr, stop };
}
