/**
 * PidWatch (src/pidwatch_binding.cc): onExit fires once when the process
 * exits, also while it stays an unreaped zombie; never after close(); a pid
 * that is gone throws ESRCH; bad arguments throw EINVAL_ARG.
 */
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { nativeAvailable, watchPidExit } from './index';

function state(pid: number): string | null {
  const r = spawnSync('sh', ['-c', `cut -d' ' -f3 /proc/${pid}/stat 2>/dev/null`], { encoding: 'utf8' });
  return r.stdout.trim() || null;
}

/** Resolves with how many times `calls` reached 1 within ms (never more than once). */
async function settle(calls: () => number, ms: number): Promise<number> {
  const until = Date.now() + ms;
  while (Date.now() < until && calls() === 0) await sleep(10);
  await sleep(100); // a second call would come now
  return calls();
}

describe.runIf(nativeAvailable())('watchPidExit', () => {
  it('calls onExit once when the process is killed', async () => {
    const child = spawn('sleep', ['30'], { stdio: 'ignore' });
    let calls = 0;
    const w = watchPidExit(child.pid!, () => calls++);
    await sleep(50);
    expect(calls).toBe(0);
    child.kill('SIGKILL');
    expect(await settle(() => calls, 5000)).toBe(1);
    w.close(); // after firing: harmless
    w.close();
  });

  it('fires for a zombie nobody reaps', async () => {
    // The short sleep's parent becomes `sleep 30` (exec), which never reaps it.
    const sh = spawn('sh', ['-c', 'sleep 0.3 & echo $!; exec sleep 30'], { stdio: ['ignore', 'pipe', 'ignore'] });
    const pid = Number(await new Promise<string>((r) => sh.stdout!.once('data', (d: Buffer) => r(d.toString()))));
    let calls = 0;
    const w = watchPidExit(pid, () => calls++);
    try {
      expect(await settle(() => calls, 5000)).toBe(1);
      expect(state(pid)).toBe('Z');
    } finally {
      w.close();
      sh.kill('SIGKILL');
    }
  });

  it('never calls onExit after close()', async () => {
    const child = spawn('sleep', ['30'], { stdio: 'ignore' });
    let calls = 0;
    const w = watchPidExit(child.pid!, () => calls++);
    w.close();
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    await sleep(200);
    expect(calls).toBe(0);
  });

  it('throws ESRCH for a pid that is gone, EINVAL_ARG for bad arguments', async () => {
    const child = spawn('true', { stdio: 'ignore' });
    await new Promise((r) => child.once('exit', r));
    await sleep(50); // reaped by Node's SIGCHLD handler
    expect(() => watchPidExit(child.pid!, () => undefined)).toThrow(
      expect.objectContaining({ code: 'ESRCH', syscall: 'pidfd_open' }),
    );
    expect(() => watchPidExit(0, () => undefined)).toThrow(expect.objectContaining({ code: 'EINVAL_ARG' }));
    expect(() => watchPidExit(1, 'x' as unknown as () => void)).toThrow(
      expect.objectContaining({ code: 'EINVAL_ARG' }),
    );
  });

  it('does not keep the process alive', () => {
    // A plain node loading the addon watches a long sleep and must still exit on its own.
    const addon = path.join(__dirname, 'build', 'Release', 'berth.node');
    const code = `const { PidWatch } = require(${JSON.stringify(addon)});
      const { spawn } = require('node:child_process');
      const c = spawn('sleep', ['30'], { stdio: 'ignore', detached: true });
      c.unref();
      globalThis.w = new PidWatch(c.pid, () => {});
      process.stdout.write(String(c.pid));`;
    const r = spawnSync(process.execPath, ['-e', code], { timeout: 10_000, encoding: 'utf8' });
    const pid = Number(r.stdout);
    if (pid > 0) spawnSync('kill', ['-9', String(pid)]);
    expect(r.error).toBeUndefined(); // no ETIMEDOUT
    expect(r.status).toBe(0);
    expect(pid).toBeGreaterThan(0);
  });
});
