/**
 * Starts the helper when none answers: directly when this process is root,
 * otherwise through pkexec and Berth's own polkit action, which allows one
 * fixed launcher program (never `pkexec <any command>`).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { BerthError } from '../../../preload/errors';
import { INSTALLED_LAUNCHER, POLKIT_ACTION, helperScriptPath } from '../../shared/helper-paths';

export interface LaunchPlan {
  via: 'direct' | 'pkexec';
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
}

export interface LaunchOptions {
  uid?: number;
  runDir?: string;
  dataRoot?: string;
  launcher?: string;
}

export function planLaunch(opts: LaunchOptions = {}): LaunchPlan {
  const uid = opts.uid ?? process.getuid?.() ?? 0;
  if (uid === 0) {
    const args = [helperScriptPath()];
    if (opts.runDir) args.push('--run-dir', opts.runDir);
    if (opts.dataRoot) args.push('--data-root', opts.dataRoot);
    // Inside Electron, execPath is the Electron binary: make it behave as node.
    const env = { ...process.env, ELECTRON_RUN_AS_NODE: '1' };
    return { via: 'direct', command: process.execPath, args, env };
  }
  const launcher = opts.launcher ?? INSTALLED_LAUNCHER;
  if (!existsSync(launcher)) {
    throw new BerthError(
      'HELPER_NOT_INSTALLED',
      `the privileged helper is not installed (${launcher} is missing); run \`sudo npm run install-helper\` once`,
      { launcher, action: POLKIT_ACTION },
    );
  }
  return { via: 'pkexec', command: 'pkexec', args: [launcher], env: { ...process.env } };
}

export interface SpawnedHelper {
  pid: number | undefined;
  exited: Promise<number | null>;
  /** What the helper (or pkexec) wrote to stderr before it was up: why it failed. */
  stderr(): string;
  /** Stop listening once it is up; it logs to its own file from then on. */
  detach(): void;
}

/**
 * Spawns the helper detached (it outlives this process). Its stderr is kept
 * until it answers, so an early failure is explained, not just a status code.
 * Readiness is the caller's job: it polls the socket.
 */
export function spawnHelper(plan: LaunchPlan): SpawnedHelper {
  const child = spawn(plan.command, plan.args, { detached: true, stdio: ['ignore', 'ignore', 'pipe'], env: plan.env });
  let err = '';
  child.stderr?.on('data', (d: Buffer) => {
    if (err.length < 4096) err += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => {
    child.once('error', () => resolve(127));
    child.once('exit', (code) => resolve(code));
  });
  child.unref();
  return {
    pid: child.pid,
    exited,
    stderr: () => err.trim(),
    detach: () => {
      child.stderr?.destroy();
    },
  };
}

/** pkexec's documented exit codes. */
export function pkexecFailure(code: number | null): BerthError | null {
  if (code === 126)
    return new BerthError('HELPER_AUTH_FAILED', 'authorization was refused or dismissed (pkexec exit 126)');
  if (code === 127)
    return new BerthError('HELPER_AUTH_FAILED', 'pkexec could not authorize or run the helper (exit 127)');
  return null;
}
