/**
 * Test support: a real helper process (as root) in a private run dir, so
 * tests never touch a developer's /run/berth.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { RpcClient } from '../helper/client/rpc-client';
import { socketPathFor } from '../shared/helper-paths';

export const ROOT = path.resolve(import.meta.dirname, '..', '..');
export const HELPER_JS = path.join(ROOT, 'out', 'main', 'helper.js');
export const CLI_JS = path.join(ROOT, 'bin', 'berth.js');
export const isRoot = process.getuid?.() === 0;

export interface TestHelper {
  child: ChildProcess;
  runDir: string;
  dataRoot: string;
  socketPath: string;
  stderr: () => string;
  stop(): Promise<void>;
}

export function tempDir(prefix: string): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  fs.chmodSync(d, 0o755);
  return d;
}

export async function waitForSocket(
  socketPath: string,
  timeoutMs = 10_000,
  /** Why waiting is pointless (the process that would listen has exited), or null: stops at once. */
  gone: () => string | null = () => null,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      (await RpcClient.connect(socketPath, 1000)).close();
      return;
    } catch (err) {
      const why = gone();
      if (why) throw new Error(why, { cause: err });
      if (Date.now() > deadline) throw err;
      await sleep(25);
    }
  }
}

export async function startTestHelper(opts: { ownerUid?: number; socketGroup?: number } = {}): Promise<TestHelper> {
  if (!fs.existsSync(HELPER_JS)) throw new Error(`${HELPER_JS} is missing: run npm run build first`);
  const runDir = tempDir('berth-run-');
  const dataRoot = tempDir('berth-data-');
  // BERTH_HELPER_PROFILE_DIR: write a V8 CPU profile of the helper there (benches).
  const prof = process.env['BERTH_HELPER_PROFILE_DIR'];
  const args = [
    ...(prof ? ['--cpu-prof', `--cpu-prof-dir=${prof}`] : []),
    HELPER_JS,
    '--foreground',
    '--run-dir',
    runDir,
    '--data-root',
    dataRoot,
  ];
  if (opts.ownerUid !== undefined) args.push('--owner-uid', String(opts.ownerUid));
  if (opts.socketGroup !== undefined) args.push('--socket-group', String(opts.socketGroup));
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const socketPath = socketPathFor(opts.ownerUid ?? 0, runDir);
  await waitForSocket(socketPath);
  return {
    child,
    runDir,
    dataRoot,
    socketPath,
    stderr: () => err,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const gone = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await gone;
      }
      fs.rmSync(runDir, { recursive: true, force: true });
      fs.rmSync(dataRoot, { recursive: true, force: true });
    },
  };
}

/**
 * SIGTERM, then waits until the process is gone (SIGKILL after `ms`): a dying
 * helper still writes in its data root, so removing it earlier races.
 */
export async function stopPid(pid: number, ms = 10_000): Promise<void> {
  if (!(pid > 0) || !alive(pid)) return;
  process.kill(pid, 'SIGTERM');
  const until = Date.now() + ms;
  while (alive(pid) && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
  if (alive(pid)) process.kill(pid, 'SIGKILL');
  while (alive(pid)) await new Promise((r) => setTimeout(r, 20));
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
