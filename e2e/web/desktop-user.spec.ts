/**
 * Berth as its main user runs it: a person who is not root. A throwaway user
 * with Berth's polkit action granted (main/testing/polkit-env.ts: system
 * D-Bus, polkitd, a rules file, the installed helper) runs `npm start` in this
 * checkout, which it can read but not write; that starts web mode, whose
 * printed URL (with its token) Chromium opens. The first call starts the root
 * helper through pkexec from /usr/lib/berth; in the UI the user creates a
 * container, sees it run, reads its log, stops it and removes it.
 *
 * Without the helper installed, `npm start` stops and names the root step.
 * Skips (saying why) only where pkexec, polkitd, dbus-daemon or root are
 * missing. Everything started here is stopped by pid, the rule, users and
 * image removed. Runs under the root-tests lock like every pkexec test.
 */
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect, test, type Page } from '@playwright/test';
import { writeBusyboxImage } from '../../main/testing/busybox-image';
import { polkitAvailable, setUpPolkit, type PolkitEnv } from '../../main/testing/polkit-env';
import { INSTALLED_LAUNCHER, ownerDir, pidFileFor } from '../../main/shared/helper-paths';
import { ContainerDetails, ContainersPage } from '../support/containers';
import { BerthShell } from '../support/pages';
import { ROOT } from '../support/server';
import config from '../../playwright.config';

const run = promisify(execFile);

// This file starts (and at the end stops) the system D-Bus. A Chromium on that bus dies
// with it, so this file gets its own browser (its own worker: a worker option differs),
// kept off the system bus; later files get a fresh one.
const webLaunch = config.projects?.find((p) => p.name === 'web')?.use?.launchOptions ?? {};
test.use({
  launchOptions: { ...webLaunch, env: { ...process.env, DBUS_SYSTEM_BUS_ADDRESS: 'unix:path=/nonexistent/berth-e2e' } },
});
const skipReason = polkitAvailable();
const START_TIMEOUT_MS = 90_000;

interface User {
  name: string;
  uid: number;
  home: string;
}

/** argv run as `user` with a clean environment (runuser: no login, no tty). */
function userArgv(user: User, argv: string[]): string[] {
  return [
    '-u',
    user.name,
    '--',
    'env',
    '-i',
    `HOME=${user.home}`,
    `USER=${user.name}`,
    `PATH=${path.dirname(process.execPath)}:/usr/bin:/bin`,
    'npm_config_update_notifier=false',
    ...argv,
  ];
}

function asUser(user: User, argv: string[]): Promise<{ stdout: string; stderr: string }> {
  return run('runuser', userArgv(user, argv), { cwd: ROOT, encoding: 'utf8' });
}

function berthAsUser(user: User, args: string[]): Promise<{ stdout: string; stderr: string }> {
  return asUser(user, [process.execPath, path.join(ROOT, 'bin', 'berth.js'), ...args]);
}

/** `npm start -- --port 0` as the user, in its own process group; resolves with the printed URL. */
function npmStart(user: User): { child: ChildProcess; url: Promise<string>; output: () => string } {
  const child = spawn('runuser', userArgv(user, ['npm', 'start', '--', '--port', '0']), {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const url = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`npm start printed no URL:\n${out}`)), START_TIMEOUT_MS);
    const onData = (d: Buffer) => {
      out += d.toString('utf8');
      const m = /^Berth web UI: (\S+)$/m.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`npm start exited (${code}) before printing its URL:\n${out}`));
    });
  });
  return { child, url, output: () => out };
}

/** SIGTERM to the process group we started (runuser → npm → bash → node), by its pid. */
async function stopGroup(child: ChildProcess): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((r) => child.once('exit', r));
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    return;
  }
  await Promise.race([gone, new Promise((r) => setTimeout(r, 10_000))]);
  if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid, 'SIGKILL');
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test.describe('a desktop user (not root)', () => {
  test.skip(skipReason !== null, `pkexec e2e skipped: ${skipReason}`);
  test.describe.configure({ mode: 'serial' });

  let env: PolkitEnv;
  let user: User;
  let imageDir: string;
  const tag = `berth-e2e-user-${Date.now().toString(36)}:latest`;
  const name = `e2e-user-${Date.now().toString(36)}`;
  let server: ReturnType<typeof npmStart> | null = null;
  /** Why the user cannot run this checkout (a parent dir closed to others, e.g. under /root), or null. */
  let unreadable: string | null = null;

  test.beforeAll(async () => {
    test.setTimeout(240_000);
    env = await setUpPolkit('berthe2e');
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-e2e-home-'));
    fs.chownSync(home, env.allowed.uid, env.allowed.uid);
    fs.chmodSync(home, 0o700);
    user = { name: env.allowed.name, uid: env.allowed.uid, home };
    // The user runs this checkout's code: every parent must let them in.
    const probe = spawnSync('runuser', ['-u', user.name, '--', 'test', '-r', path.join(ROOT, 'package.json')]);
    if (probe.status !== 0) unreadable = `${ROOT} is not readable by a non-root user (a parent directory is closed)`;
    imageDir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-e2e-user-image-'));
    fs.chmodSync(imageDir, 0o755);
  });

  test.afterAll(async () => {
    test.setTimeout(120_000);
    if (server) await stopGroup(server.child);
    if (user) {
      // The container if a failure left it, and the image, through the user's own helper.
      await berthAsUser(user, ['rm', '-f', name, '--no-start']).catch(() => undefined);
      await berthAsUser(user, ['rmi', tag, '--no-start']).catch(() => undefined);
      const pidFile = pidFileFor(user.uid);
      const pid = fs.existsSync(pidFile) ? Number(fs.readFileSync(pidFile, 'utf8')) : 0;
      if (pid > 0 && alive(pid)) {
        process.kill(pid, 'SIGTERM');
        for (let i = 0; i < 100 && alive(pid); i++) await new Promise((r) => setTimeout(r, 50));
      }
      fs.rmSync(ownerDir(user.uid), { recursive: true, force: true });
      fs.rmSync(user.home, { recursive: true, force: true });
    }
    if (imageDir) fs.rmSync(imageDir, { recursive: true, force: true });
    if (env) await env.teardown();
  });

  test('without the helper installed, npm start names the one root step', async () => {
    test.skip(unreadable !== null, `desktop-user e2e skipped: ${unreadable}`);
    // Moved aside for this test only (the suite holds the root-tests lock; pkexec users take it too).
    const aside = `${INSTALLED_LAUNCHER}.e2e-aside`;
    fs.renameSync(INSTALLED_LAUNCHER, aside);
    try {
      // Bounded: timeout(1) kills its whole process group if the start wrongly went on to serve.
      const err = await asUser(user, ['timeout', '-s', 'KILL', '60', 'npm', 'start', '--', '--port', '0']).then(
        () => null,
        (e: { code: number; stderr: string }) => e,
      );
      expect(err?.code).toBe(1);
      expect(err?.stderr).toContain("Berth's privileged helper is not installed");
      expect(err?.stderr).toContain('sudo npm run install-helper');
    } finally {
      fs.renameSync(aside, INSTALLED_LAUNCHER);
    }
  });

  test('npm start → web mode → the helper through pkexec → create, start, log, stop and remove in the UI', async ({
    page,
  }) => {
    test.skip(unreadable !== null, `desktop-user e2e skipped: ${unreadable}`);
    test.setTimeout(240_000);
    // The user's image, loaded by the user's CLI: the first call starts their helper through pkexec.
    const tar = path.join(imageDir, 'busybox.tar');
    await writeBusyboxImage(tar, tag);
    fs.chmodSync(tar, 0o644);
    await berthAsUser(user, ['load', '-i', tar]);

    server = npmStart(user);
    const url = await server.url;
    expect(new URL(url).searchParams.get('token')).toMatch(/\S{16,}/);
    // Web mode runs as the user, not as root.
    const webPid = Number((await run('pgrep', ['-u', String(user.uid), '-f', 'bin/berth.js web'])).stdout.trim());
    expect(fs.statSync(`/proc/${webPid}`).uid).toBe(user.uid);

    await page.goto(url);
    await expectHelperViaPkexec(page, user.uid);

    const shell = new BerthShell(page);
    await shell.navLink('Containers').click();
    const containers = new ContainersPage(page);
    await containers.heading.waitFor();

    // ── create, then start ──
    await containers.createButton.click();
    const dialog = containers.createDialog;
    await dialog.getByLabel('Image', { exact: true }).selectOption(tag);
    await dialog.getByLabel(/^Name/).fill(name);
    await dialog.getByLabel(/^Command/).fill('sh -c "echo hello-from-$(id -u)-as-user; sleep 600"');
    await dialog.getByLabel(/^Network/).selectOption('none');
    await dialog.getByRole('button', { name: 'Create', exact: true }).click();
    await expect(dialog).toBeHidden();
    await expect(containers.state(name)).toHaveText('Created');
    await containers.action(name, 'Start').click();
    await expect(containers.state(name)).toHaveText('Running', { timeout: 30_000 });

    // ── its log ──
    await containers.row(name).getByRole('link', { name, exact: true }).click();
    const details = new ContainerDetails(page);
    await expect(details.heading(name)).toBeVisible();
    await details.tab('Logs').click();
    await expect(details.logs).toContainText('hello-from-0-as-user');

    // ── stop (sh as pid 1 ignores SIGTERM: escalates to SIGKILL after 1 s) ──
    await page.getByRole('navigation', { name: 'Breadcrumb' }).getByRole('link', { name: 'Containers' }).click();
    await containers.stopTimeout.fill('1');
    await containers.action(name, 'Stop').click();
    await expect(containers.state(name)).toHaveText(/^Exited \((137|143)\)$/, { timeout: 30_000 });

    // ── remove ──
    await containers.action(name, 'Remove').click();
    const remove = containers.removeDialog(name);
    await remove.getByRole('button', { name: 'Remove', exact: true }).click();
    await expect(remove).toBeHidden();
    await expect(containers.row(name)).toHaveCount(0);
    const ps = await berthAsUser(user, ['ps', '-a', '--format', '{{.Names}}', '--no-start']);
    expect(ps.stdout).not.toContain(name);
  });
});

/** The System page: the helper is root, serves this user and came through pkexec. */
async function expectHelperViaPkexec(page: Page, uid: number): Promise<void> {
  const system = await new BerthShell(page).openSystem();
  await expect(system.fact('Helper', 'started via')).toHaveText('pkexec', { timeout: 30_000 });
  await expect(system.fact('Helper', 'uid')).toHaveText('0');
  await expect(system.fact('Helper', 'serving uid')).toHaveText(String(uid));
}
