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
import { openSession, pageSession, sessionProtocols } from '../support/session';

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
    // The token was dropped from the address bar and traded for a session this tab alone holds.
    await expect(page).toHaveURL(new RegExp(`^${env.origin}/#/system$`));
    expect(await pageSession(page)).not.toBe(env.token);
    expect(await page.context().cookies()).toEqual([]);

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

test.describe('the session: only this tab holds it', () => {
  test('a reload keeps working; a new tab without the token is refused until it opens the printed URL', async ({
    page,
    context,
  }) => {
    await page.goto(env.url);
    const shell = new BerthShell(page);
    await expect(shell.transport).toHaveAttribute('data-state', 'open');
    const session = await pageSession(page);
    await page.reload();
    await expect(page).not.toHaveURL(/token=/);
    await expect(shell.transport).toHaveAttribute('data-state', 'open');
    await expect(shell.helperStatus).toHaveAttribute('data-state', 'connected');
    expect(await pageSession(page)).toBe(session);

    // sessionStorage is per tab: a second tab on the bare origin has nothing to offer.
    const other = await context.newPage();
    await other.goto(`${env.origin}/#/system`);
    const otherShell = new BerthShell(other);
    await expect(otherShell.transport).toContainText('UNAUTHORIZED');
    await expect(otherShell.transport).toContainText('?token=');
    // The printed URL is the way in, in any tab.
    await other.goto(env.url);
    await expect(otherShell.transport).toHaveAttribute('data-state', 'open');
    expect(await pageSession(other)).not.toBe(session);
    await other.close();
  });
});

test.describe('web mode refuses what lacks a session', () => {
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
    method = 'GET',
  ): Promise<{ status: number; body: string; upgraded: boolean; headers: http.IncomingHttpHeaders }> {
    return new Promise((resolve, reject) => {
      const req = http.request(`${env.origin}${pathname}`, { headers, method });
      req.on('upgrade', (res, socket) => {
        socket.destroy();
        resolve({ status: res.statusCode ?? 0, body: '', upgraded: true, headers: res.headers });
      });
      req.on('response', (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, upgraded: false, headers: res.headers }));
      });
      req.on('error', reject);
      req.end();
    });
  }

  test('HTTP: the page is public, the API needs a session: none or wrong 401, a cookie 401, foreign Origin or Host 403, the session 200', async () => {
    const ctx = await playwrightRequest.newContext();
    try {
      // Static files hold nothing secret: served without a credential, and no cookie is set.
      const shell = await ctx.get(env.url);
      expect(shell.status()).toBe(200);
      expect(await shell.text()).toContain('<div id="root">');
      expect(shell.headers()['set-cookie']).toBeUndefined();
      expect(shell.headers()['cache-control']).toBe('no-store');

      // The trade: only the printed token buys a session.
      for (const headers of [
        {},
        { authorization: 'Bearer not-the-token' },
        { cookie: `berth_token=${env.token}` },
      ] as Record<string, string>[]) {
        const r = await ctx.post(`${env.origin}/session`, { headers });
        expect(r.status()).toBe(401);
        expect(await r.json()).toMatchObject({ code: 'UNAUTHORIZED' });
      }
      const traded = await ctx.post(`${env.origin}/session`, { headers: { authorization: `Bearer ${env.token}` } });
      expect(traded.status()).toBe(200);
      expect(traded.headers()['set-cookie']).toBeUndefined();
      const { session } = (await traded.json()) as { session: string };

      // An API call (an upload chunk PUT): refused without the session, whatever else it carries.
      const chunk = `${env.origin}/chunks/uploads.chunk?id=${'a'.repeat(32)}&offset=0`;
      for (const headers of [
        {},
        { authorization: 'Bearer not-a-session' },
        { authorization: `Bearer ${env.token}` }, // the token is for the trade only
        { cookie: `berth_token=${env.token}` }, // the old scheme
        { cookie: `berth_session=${session}` },
      ] as Record<string, string>[]) {
        const r = await ctx.put(chunk, { headers, data: Buffer.from('x') });
        expect(r.status(), JSON.stringify(headers)).toBe(401);
        expect(await r.json()).toMatchObject({ code: 'UNAUTHORIZED' });
      }
      // Positive control: with the session the router answers (this upload does not exist).
      const ok = await ctx.put(chunk, { headers: { authorization: `Bearer ${session}` }, data: Buffer.from('x') });
      expect(ok.status()).toBe(200);
      expect(await ok.json()).toMatchObject({ ok: false, error: { code: 'UPLOAD_NOT_FOUND' } });

      // A page on another origin cannot use the token or a session.
      for (const [method, url, headers] of [
        ['post', `${env.origin}/session`, { origin: 'http://evil.example', authorization: `Bearer ${env.token}` }],
        ['put', chunk, { origin: 'http://evil.example', authorization: `Bearer ${session}` }],
        ['get', `${env.origin}/`, { origin: 'http://evil.example' }],
      ] as const) {
        const r = await ctx.fetch(url, { method, headers, data: method === 'put' ? Buffer.from('x') : undefined });
        expect(r.status()).toBe(403);
        expect(await r.json()).toMatchObject({ code: 'FORBIDDEN_ORIGIN' });
      }
    } finally {
      await ctx.dispose();
    }

    // DNS rebinding: a foreign Host header is refused, on the page and on the API.
    for (const p of ['/', '/session']) {
      const rebound = await rawRequest(
        p,
        { host: `evil.example:${new URL(env.origin).port}`, authorization: `Bearer ${env.token}` },
        p === '/session' ? 'POST' : 'GET',
      );
      expect(rebound.status).toBe(403);
      expect(JSON.parse(rebound.body)).toMatchObject({ code: 'FORBIDDEN_ORIGIN' });
    }
  });

  test('WebSocket: the upgrade needs the session as a subprotocol and the same origin; a cookie is not enough', async () => {
    const session = await openSession(env.origin, env.token);
    const [v1, secret] = sessionProtocols(session);

    const none = await rawRequest('/ws', upgradeHeaders());
    expect(none.upgraded).toBe(false);
    expect(none.status).toBe(401);
    expect(JSON.parse(none.body)).toMatchObject({ code: 'UNAUTHORIZED' });

    for (const extra of [
      { cookie: `berth_token=${env.token}` }, // the old scheme
      { cookie: `berth_token=${env.token}`, 'sec-websocket-protocol': v1! },
      { authorization: `Bearer ${session}` }, // a header the browser's WebSocket cannot send anyway
      { 'sec-websocket-protocol': `${v1}, berth.session.not-a-session` },
      { 'sec-websocket-protocol': sessionProtocols(env.token).join(', ') }, // the token is not a session
      { 'sec-websocket-protocol': secret! }, // without berth.v1
    ] as Record<string, string>[]) {
      const r = await rawRequest('/ws', { ...upgradeHeaders(), ...extra });
      expect(r.upgraded, JSON.stringify(extra)).toBe(false);
      expect(r.status).toBe(401);
    }

    const foreign = await rawRequest('/ws', {
      ...upgradeHeaders(),
      'sec-websocket-protocol': `${v1}, ${secret}`,
      origin: 'http://evil.example',
    });
    expect(foreign.upgraded).toBe(false);
    expect(foreign.status).toBe(403);
    expect(JSON.parse(foreign.body)).toMatchObject({ code: 'FORBIDDEN_ORIGIN' });

    const ok = await rawRequest('/ws', {
      ...upgradeHeaders(),
      'sec-websocket-protocol': `${v1}, ${secret}`,
      origin: env.origin,
    });
    expect(ok.upgraded).toBe(true);
    expect(ok.status).toBe(101);
    // Only the non-secret protocol is echoed.
    expect(ok.headers['sec-websocket-protocol']).toBe('berth.v1');
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
