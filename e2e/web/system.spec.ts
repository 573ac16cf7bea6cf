/**
 * Web mode end to end: the System page against the kernel's own answers, the
 * token gate, and the status bar's helper connection. The server and its
 * helper come from e2e/global-setup.ts (own run dir and data root).
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { expect, request as playwrightRequest, test, type Page } from '@playwright/test';
import { e2eEnv, type E2eEnv } from '../support/env';
import { kernelCgroupMode, readPid, rootFsMagicHex } from '../support/kernel';
import { BerthShell } from '../support/pages';
import { startBerthWeb } from '../support/server';

// Set by global setup, which runs after Playwright has loaded this file to list its tests.
let env: E2eEnv;
let helperPidFile: string;
test.beforeAll(() => {
  env = e2eEnv();
  helperPidFile = path.join(env.runDir, 'helper.pid');
});

async function helperPid(): Promise<number> {
  await expect.poll(() => readPid(helperPidFile), { message: `${helperPidFile} names a pid` }).not.toBeNull();
  return readPid(helperPidFile)!;
}

/** Counts `system.info` invokes the page sends over its WebSocket. */
function countInfoCalls(page: Page): () => number {
  let n = 0;
  page.on('websocket', (ws) => {
    ws.on('framesent', (f) => {
      if (typeof f.payload === 'string' && f.payload.includes('"method":"system.info"')) n++;
    });
  });
  return () => n;
}

test.describe('System page', () => {
  test('shows the cgroup mode, kernel and hierarchies the kernel itself reports', async ({ page }, testInfo) => {
    const infoCalls = countInfoCalls(page);
    await page.goto(env.url);
    // The token was traded for an HttpOnly cookie and dropped from the address bar.
    await expect(page).toHaveURL(new RegExp(`^${env.origin}/#/system$`));

    const shell = new BerthShell(page);
    const system = await shell.openSystem();
    await expect(shell.navLink('System')).toHaveAttribute('aria-current', 'page');

    const expected = kernelCgroupMode();
    await expect(system.cgroupMode).toHaveAccessibleName(`cgroup mode ${expected}`);
    await expect(system.cgroupMode).toHaveText(expected);
    const fsType = expected === 'v2' ? 'cgroup2' : 'tmpfs';
    await expect(system.fact('Cgroups', 'evidence')).toHaveText(`statfs /sys/fs/cgroup: ${fsType} ${rootFsMagicHex()}`);
    await expect(system.fact('Cgroups', 'unified mount point')).toHaveText(
      expected === 'v2' ? '/sys/fs/cgroup' : expected === 'hybrid' ? '/sys/fs/cgroup/unified' : 'none',
    );

    await expect(system.fact('Kernel', 'release')).toHaveText(os.release());
    await expect(system.fact('Kernel', 'machine')).toHaveText(os.machine());

    await expect(system.hierarchies.getByRole('columnheader')).toHaveText(['Version', 'Controllers', 'Mount point']);
    if (expected !== 'v2') {
      const memory = system
        .hierarchyRowsWith('memory')
        .filter({ has: page.getByRole('cell', { name: '/sys/fs/cgroup/memory', exact: true }) });
      await expect(memory.first()).toBeVisible();
      await expect(memory.first().getByRole('cell').first()).toHaveText('v1');
    }

    // Namespaces: each type next to the kernel's truth (its /proc entry exists or not).
    const mnt = system.namespaces
      .getByRole('row')
      .filter({ has: page.getByRole('rowheader', { name: 'mnt', exact: true }) });
    await expect(mnt.getByRole('cell')).toHaveText([
      fs.existsSync('/proc/self/ns/mnt') ? 'available' : 'not available',
      'CLONE_NEWNS',
      '/proc/self/ns/mnt',
    ]);

    // The helper is this suite's own: started directly (root), in the temp run dir.
    const pid = await helperPid();
    await expect(system.fact('Helper', 'pid')).toHaveText(String(pid));
    await expect(system.fact('Helper', 'uid')).toHaveText('0');
    await expect(system.fact('Helper', 'started via')).toHaveText('direct');
    await expect(system.fact('Helper', 'socket')).toHaveText(path.join(env.runDir, 'helper.sock'));
    await expect(system.fact('Data root', 'path')).toHaveText(env.dataRoot);

    // Refresh asks the helper again.
    const before = infoCalls();
    expect(before).toBeGreaterThan(0);
    await system.refresh.click();
    await expect.poll(infoCalls).toBeGreaterThan(before);
    await expect(system.refresh).toBeEnabled();

    // The content pane scrolls, not the document: grow the viewport to show every card.
    const contentHeight = await page.locator('main.content').evaluate((el) => el.scrollHeight);
    await page.setViewportSize({ width: 1280, height: Math.max(820, contentHeight + 40) });
    const shot = process.env.BERTH_E2E_SCREENSHOT ?? testInfo.outputPath('system.png');
    await page.screenshot({ path: shot });
    await testInfo.attach('system page', { path: shot, contentType: 'image/png' });
  });

  test('the status bar shows the helper connected and the web transport', async ({ page }) => {
    await page.goto(env.url);
    const shell = new BerthShell(page);
    const pid = await helperPid();
    await expect(shell.helperStatus).toHaveText(`Helper connected · pid ${pid}`);
    await expect(shell.helperStatus).toHaveAttribute('data-state', 'connected');
    await expect(shell.transport).toContainText(/^web · Berth \d+\.\d+\.\d+/);
    await expect(shell.transport).toHaveAttribute('data-state', 'open');
  });
});

test.describe('web mode refuses what lacks the token', () => {
  const upgradeHeaders = () => ({
    connection: 'Upgrade',
    upgrade: 'websocket',
    'sec-websocket-version': '13',
    'sec-websocket-key': randomBytes(16).toString('base64'),
  });

  /** A raw HTTP request, so Host and Upgrade can be set exactly. */
  function rawRequest(
    pathname: string,
    headers: Record<string, string>,
  ): Promise<{ status: number; body: string; upgraded: boolean }> {
    return new Promise((resolve, reject) => {
      const req = http.request(`${env.origin}${pathname}`, { headers });
      req.on('upgrade', (res, socket) => {
        socket.destroy();
        resolve({ status: res.statusCode ?? 0, body: '', upgraded: true });
      });
      req.on('response', (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, upgraded: false }));
      });
      req.on('error', reject);
      req.end();
    });
  }

  test('HTTP: no token 401, wrong token 401, foreign Origin or Host 403, the right token 200', async () => {
    const ctx = await playwrightRequest.newContext();
    try {
      const none = await ctx.get(`${env.origin}/`);
      expect(none.status()).toBe(401);
      expect(await none.json()).toMatchObject({ code: 'UNAUTHORIZED' });

      for (const wrong of [
        ctx.get(`${env.origin}/?token=not-the-token`, { maxRedirects: 0 }),
        ctx.get(`${env.origin}/`, { headers: { authorization: 'Bearer not-the-token' } }),
        ctx.get(`${env.origin}/`, { headers: { cookie: 'berth_token=not-the-token' } }),
      ]) {
        const r = await wrong;
        expect(r.status()).toBe(401);
        expect(await r.json()).toMatchObject({ code: 'UNAUTHORIZED' });
      }

      // Positive controls: the refusals above are about the token, not the request.
      const bearer = await ctx.get(`${env.origin}/`, { headers: { authorization: `Bearer ${env.token}` } });
      expect(bearer.status()).toBe(200);
      expect(await bearer.text()).toContain('<div id="root">');
      const traded = await ctx.get(env.url, { maxRedirects: 0 });
      expect(traded.status()).toBe(303);
      expect(traded.headers()['location']).toBe('/');
      expect(traded.headers()['set-cookie']).toMatch(
        new RegExp(`^berth_token=${env.token};.*HttpOnly.*SameSite=Strict`),
      );

      // A page on another origin cannot use the token, whether it holds the bearer or the cookie.
      for (const headers of [
        { origin: 'http://evil.example', authorization: `Bearer ${env.token}` } as Record<string, string>,
        { origin: 'http://evil.example', cookie: `berth_token=${env.token}` },
      ]) {
        const r = await ctx.get(`${env.origin}/`, { headers });
        expect(r.status()).toBe(403);
        expect(await r.json()).toMatchObject({ code: 'FORBIDDEN_ORIGIN' });
      }
    } finally {
      await ctx.dispose();
    }

    // DNS rebinding: a foreign Host header is refused even with the token.
    const rebound = await rawRequest('/', {
      host: `evil.example:${new URL(env.origin).port}`,
      authorization: `Bearer ${env.token}`,
    });
    expect(rebound.status).toBe(403);
    expect(JSON.parse(rebound.body)).toMatchObject({ code: 'FORBIDDEN_ORIGIN' });
  });

  test('WebSocket: the upgrade needs the cookie and the same origin', async () => {
    const noCookie = await rawRequest('/ws', upgradeHeaders());
    expect(noCookie.upgraded).toBe(false);
    expect(noCookie.status).toBe(401);
    expect(JSON.parse(noCookie.body)).toMatchObject({ code: 'UNAUTHORIZED' });

    const wrongCookie = await rawRequest('/ws', { ...upgradeHeaders(), cookie: 'berth_token=not-the-token' });
    expect(wrongCookie.status).toBe(401);

    const foreign = await rawRequest('/ws', {
      ...upgradeHeaders(),
      cookie: `berth_token=${env.token}`,
      origin: 'http://evil.example',
    });
    expect(foreign.upgraded).toBe(false);
    expect(foreign.status).toBe(403);
    expect(JSON.parse(foreign.body)).toMatchObject({ code: 'FORBIDDEN_ORIGIN' });

    const ok = await rawRequest('/ws', { ...upgradeHeaders(), cookie: `berth_token=${env.token}`, origin: env.origin });
    expect(ok.upgraded).toBe(true);
    expect(ok.status).toBe(101);
  });
});

test.describe('errors', () => {
  test('without a helper, the page and the status bar show the engine code and message', async ({ page }) => {
    // A second server of its own, told not to start a helper: system.info must fail.
    const web = await startBerthWeb(['--no-start']);
    try {
      await page.goto(web.url);
      const shell = new BerthShell(page);
      await shell.openSystem();
      const socket = path.join(web.runDir, 'helper.sock');
      const alert = page.getByRole('alert');
      await expect(alert).toContainText('Could not read system facts');
      await expect(alert.getByTestId('error-code')).toHaveText('HELPER_UNAVAILABLE');
      await expect(alert.getByTestId('error-message')).toContainText(socket);
      await expect(alert.getByRole('button', { name: 'Retry' })).toBeVisible();
      await expect(shell.helperStatus).toHaveAttribute('data-state', 'disconnected');
      await expect(shell.helperStatus).toContainText(/^Helper disconnected — HELPER_UNAVAILABLE /);
      await expect(shell.helperStatus).toContainText(socket);
    } finally {
      await web.stop();
    }
  });
});

test.describe('helper restart', () => {
  // Last in this file: it replaces the suite's helper (the teardown stops the new one).
  test('helper.state events update the status bar and refetch the System page', async ({ page }) => {
    await page.goto(env.url);
    const shell = new BerthShell(page);
    const system = await shell.openSystem();
    const oldPid = await helperPid();
    await expect(shell.helperStatus).toHaveText(`Helper connected · pid ${oldPid}`);
    await expect(system.fact('Helper', 'pid')).toHaveText(String(oldPid));

    process.kill(oldPid, 'SIGTERM');
    // The web server's backend notices, starts a new helper and announces it.
    await expect
      .poll(() => readPid(helperPidFile), { message: 'a new helper wrote its pid file', timeout: 30_000 })
      .not.toBe(oldPid);
    const newPid = await helperPid();
    expect(newPid).not.toBe(oldPid);
    await expect(shell.helperStatus).toHaveText(`Helper connected · pid ${newPid}`);
    // No Refresh click: the `helper.state` event invalidated the system queries.
    await expect(system.fact('Helper', 'pid')).toHaveText(String(newPid));
  });
});
