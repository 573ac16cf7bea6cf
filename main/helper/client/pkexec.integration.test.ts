/**
 * The privilege line for real: a non-root user starts the helper through
 * pkexec and Berth's polkit action; a second user is refused both by polkit
 * and by the helper's SO_PEERCRED check.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SystemInfo } from '../../../preload/contract';
import { INSTALL_DIR, pidFileFor, socketPathFor, ownerDir } from '../../shared/helper-paths';
import { alive, startTestHelper, stopPid, type TestHelper } from '../../testing/helper-process';
import { polkitAvailable, setUpPolkit, userRunsBusybox, type PolkitEnv } from '../../testing/polkit-env';

const run = promisify(execFile);
const skip = polkitAvailable();
if (skip) console.log(`pkexec integration tests skipped: ${skip}`);

function asUser(user: string, args: string[], env: Record<string, string> = {}) {
  // runuser gives a clean login-less environment for that user.
  return run(
    'runuser',
    ['-u', user, '--', 'env', ...Object.entries(env).map(([k, v]) => `${k}=${v}`), process.execPath, ...args],
    {
      cwd: '/',
    },
  );
}

describe.skipIf(skip !== null)('helper through pkexec', () => {
  let env: PolkitEnv | undefined;
  beforeAll(async () => {
    env = await setUpPolkit('berthtu');
  }, 120_000);
  afterAll(async () => {
    if (!env) return;
    const pidFile = pidFileFor(env!.allowed.uid);
    if (fs.existsSync(pidFile)) {
      await stopPid(Number(fs.readFileSync(pidFile, 'utf8')));
    }
    fs.rmSync(ownerDir(env!.allowed.uid), { recursive: true, force: true });
    fs.rmSync(ownerDir(env!.denied.uid), { recursive: true, force: true });
    await env!.teardown();
  });

  it('the granted user starts a root helper via pkexec that serves only them', async () => {
    const { stdout } = await asUser(env!.allowed.name, [env!.cliJs, 'info', '--format', 'json']);
    const info = JSON.parse(stdout) as SystemInfo;
    expect(info.helper).toMatchObject({
      uid: 0,
      ownerUid: env!.allowed.uid,
      startedVia: 'pkexec',
      socketPath: socketPathFor(env!.allowed.uid),
    });
    const st = fs.statSync(socketPathFor(env!.allowed.uid));
    expect(st.uid).toBe(env!.allowed.uid);
    expect(st.mode & 0o777).toBe(0o600);
    // A second client of the same user reuses the running helper.
    const again = JSON.parse((await asUser(env!.allowed.name, [env!.cliJs, 'call', 'system.ping'])).stdout) as {
      helperPid: number;
    };
    expect(again.helperPid).toBe(info.helper.pid);
  });

  it('the installed helper has every part it needs: the user loads an image and runs a container', async () => {
    // The issue: `berth run` failed with MONITOR_NOT_BUILT because the install
    // copied the helper and the addon but not the monitor.
    expect(await userRunsBusybox(env!.cliJs, env!.allowed.name, 'echo hi-from-$(id -u)')).toContain('hi-from-0');
  });

  it('an incomplete install stops the helper at its start, naming the missing part', async () => {
    const pidFile = pidFileFor(env!.allowed.uid);
    const pid = Number(fs.readFileSync(pidFile, 'utf8'));
    process.kill(pid, 'SIGTERM');
    for (let i = 0; i < 200 && alive(pid); i++) await new Promise((r) => setTimeout(r, 25));
    const monitor = path.join(INSTALL_DIR, 'native', 'build', 'Release', 'berth-monitor');
    fs.renameSync(monitor, `${monitor}.aside`);
    try {
      await expect(asUser(env!.allowed.name, [env!.cliJs, 'info'])).rejects.toMatchObject({
        stderr: expect.stringMatching(
          /install is incomplete \(missing \/usr\/lib\/berth\/native\/build\/Release\/berth-monitor\)/,
        ),
      });
    } finally {
      fs.renameSync(`${monitor}.aside`, monitor);
    }
    // Whole again: the next call starts it (the tests below need it running).
    await asUser(env!.allowed.name, [env!.cliJs, 'call', 'system.ping']);
  });

  it('a user without the polkit grant cannot start one', async () => {
    await expect(asUser(env!.denied.name, [env!.cliJs, 'info'])).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining('Error HELPER_AUTH_FAILED'),
    });
    expect(fs.existsSync(socketPathFor(env!.denied.uid))).toBe(false);
  });

  it("and cannot reach the granted user's helper", async () => {
    await expect(
      asUser(env!.denied.name, [env!.cliJs, 'call', 'system.ping', '--no-start'], {
        BERTH_HELPER_SOCKET: socketPathFor(env!.allowed.uid),
      }),
    ).rejects.toMatchObject({ stderr: expect.stringContaining('Error PEER_REFUSED') });
  });

  describe('SO_PEERCRED on a group-shared socket', () => {
    let h: TestHelper;
    beforeAll(async () => {
      h = await startTestHelper({ ownerUid: env!.allowed.uid, socketGroup: env!.group.gid });
    });
    afterAll(async () => {
      await h.stop();
    });

    it('answers its owner and root, refuses another member of the group', async () => {
      const st = fs.statSync(h.socketPath);
      expect(st.mode & 0o777).toBe(0o660);
      expect(st.gid).toBe(env!.group.gid);
      const vars = { BERTH_HELPER_SOCKET: h.socketPath };
      const owner = JSON.parse(
        (await asUser(env!.allowed.name, [env!.cliJs, 'call', 'system.ping', '--no-start'], vars)).stdout,
      );
      expect(owner).toMatchObject({ pong: true, helperPid: h.child.pid });
      await expect(
        asUser(env!.denied.name, [env!.cliJs, 'call', 'system.ping', '--no-start'], vars),
      ).rejects.toMatchObject({
        stderr: expect.stringContaining(`Error PEER_REFUSED: uid ${env!.denied.uid} may not use this helper`),
      });
      expect(alive(h.child.pid!)).toBe(true);
    });
  });
});
