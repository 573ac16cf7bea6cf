/**
 * The helper's own Debian package for real (scripts/build-helper-deb.sh, no
 * Electron): built from this checkout, installed with dpkg -i into the real
 * system, then a throwaway non-root user with the polkit grant starts a
 * container through pkexec and the package's launcher. Afterwards the package
 * is removed (dpkg -r, its files checked gone) and an install that was there
 * before (scripts/install-helper.sh's, owned by no package) is put back.
 * Root only; run under the root-tests lock.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SystemInfo } from '../../../preload/contract';
import { INSTALL_DIR, INSTALLED_LAUNCHER, dataRootFor, ownerDir, pidFileFor } from '../../shared/helper-paths';
import { ROOT, alive, stopPid } from '../../testing/helper-process';
import { polkitAvailable, setUpPolkit, userRunsBusybox, type PolkitEnv } from '../../testing/polkit-env';

const run = promisify(execFile);
const POLICY = '/usr/share/polkit-1/actions/org.berth.helper.policy';
/** What an install outside dpkg leaves; moved aside for the test and put back. */
const INSTALLED = [INSTALL_DIR, path.dirname(INSTALLED_LAUNCHER), POLICY];

const skip = polkitAvailable() ?? (fs.existsSync('/usr/bin/dpkg-deb') ? null : 'dpkg-deb is missing');
if (skip) console.log(`helper .deb test skipped: ${skip}`);

function asUser(user: string, args: string[]) {
  return run('runuser', ['-u', user, '--', process.execPath, ...args], { cwd: '/' });
}

async function packageInstalled(): Promise<boolean> {
  const r = await run('dpkg-query', ['-W', '-f', '${Status}', 'berth-helper']).catch(() => null);
  return r?.stdout.includes('install ok installed') ?? false;
}

const electronBinary = fs.existsSync(path.join(ROOT, 'node_modules', 'electron', 'path.txt'));

describe.skipIf(electronBinary)('npm run package without an Electron binary', () => {
  it('says so in one line and exits 1, pointing at the helper .deb', async () => {
    const err = await run('bash', [path.join(ROOT, 'scripts', 'package.sh')], { cwd: ROOT }).then(
      () => null,
      (e: { code: number; stderr: string }) => e,
    );
    expect(err?.code).toBe(1);
    expect(err?.stderr.trim().split('\n')).toEqual([
      'package: no Electron binary here (node_modules/electron/dist is missing), so no .deb or AppImage; the helper alone builds without it: scripts/build-helper-deb.sh',
    ]);
  });
});

describe.skipIf(skip !== null)('the helper .deb', () => {
  let work: string;
  let deb: string;
  let aside: string | null = null;
  let env: PolkitEnv | undefined;

  beforeAll(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-deb-'));
    fs.chmodSync(work, 0o755);
    deb = (await run('bash', [path.join(ROOT, 'scripts', 'build-helper-deb.sh'), work], { cwd: ROOT })).stdout.trim();
    if (!(await packageInstalled()) && INSTALLED.some((p) => fs.existsSync(p))) {
      aside = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-deb-aside-'));
      INSTALLED.forEach((p, i) => fs.existsSync(p) && fs.renameSync(p, path.join(aside!, String(i))));
    }
  }, 180_000);

  afterAll(async () => {
    if (env) {
      const pidFile = pidFileFor(env.allowed.uid);
      if (fs.existsSync(pidFile)) {
        await stopPid(Number(fs.readFileSync(pidFile, 'utf8')));
      }
      fs.rmSync(ownerDir(env.allowed.uid), { recursive: true, force: true });
      fs.rmSync(dataRootFor(env.allowed.uid), { recursive: true, force: true });
      await env.teardown();
    }
    if (await packageInstalled()) await run('dpkg', ['--purge', 'berth-helper']);
    if (aside) {
      INSTALLED.forEach((p, i) => {
        const from = path.join(aside!, String(i));
        if (fs.existsSync(from)) fs.renameSync(from, p);
      });
      fs.rmSync(aside, { recursive: true, force: true });
    }
    fs.rmSync(work, { recursive: true, force: true });
  }, 60_000);

  it('is a package of the policy, the launcher, the helper bundle, the addon and the monitor, owned by root', async () => {
    expect(path.basename(deb)).toMatch(/^berth-helper_\d+\.\d+\.\d+_[a-z0-9]+\.deb$/);
    const { stdout } = await run('dpkg-deb', ['-c', deb]);
    for (const f of [
      './usr/libexec/berth/berth-helper',
      './usr/lib/berth/out/main/helper.js',
      './usr/lib/berth/native/build/Release/berth.node',
      './usr/lib/berth/native/build/Release/berth-monitor',
      './usr/share/polkit-1/actions/org.berth.helper.policy',
    ]) {
      expect(stdout).toMatch(new RegExp(`root/root .* ${f.replace(/[.]/g, '\\.')}\\n`));
    }
    expect(stdout).not.toMatch(/\.map\n/);
  });

  it('installs with dpkg -i; a throwaway user starts a container through pkexec', async () => {
    await run('dpkg', ['-i', deb]);
    expect(await packageInstalled()).toBe(true);
    const owned = (await run('dpkg', ['-L', 'berth-helper'])).stdout.split('\n');
    expect(owned).toEqual(
      expect.arrayContaining([INSTALLED_LAUNCHER, POLICY, `${INSTALL_DIR}/native/build/Release/berth-monitor`]),
    );
    const launcher = fs.statSync(INSTALLED_LAUNCHER);
    expect([launcher.uid, launcher.mode & 0o7777]).toEqual([0, 0o755]);

    env = await setUpPolkit('berthdeb', { installHelper: false });
    const info = JSON.parse(
      (await asUser(env.allowed.name, [env.cliJs, 'info', '--format', 'json'])).stdout,
    ) as SystemInfo;
    expect(info.helper).toMatchObject({ uid: 0, ownerUid: env.allowed.uid, startedVia: 'pkexec' });

    expect(await userRunsBusybox(env.cliJs, env.allowed.name, 'echo hi-from-the-package-$(id -u)')).toContain(
      'hi-from-the-package-0',
    );
  }, 180_000);

  it('is removed with dpkg -r, files and all', async () => {
    // The user's helper runs from the package's files: stop it first, as an upgrade would.
    const pidFile = pidFileFor(env!.allowed.uid);
    const pid = Number(fs.readFileSync(pidFile, 'utf8'));
    process.kill(pid, 'SIGTERM');
    for (let i = 0; i < 200 && alive(pid); i++) await new Promise((r) => setTimeout(r, 25));
    await run('dpkg', ['--purge', 'berth-helper']);
    expect(await packageInstalled()).toBe(false);
    for (const p of [INSTALLED_LAUNCHER, POLICY, `${INSTALL_DIR}/out/main/helper.js`])
      expect(fs.existsSync(p)).toBe(false);
  }, 60_000);
});
