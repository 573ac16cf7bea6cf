/**
 * The Containers page end to end against a real helper: create a container
 * from the dialog, watch it run, read its logs, type into a shell inside it,
 * stop it, remove it — and see the table follow changes made behind its back
 * (the CLI) through `containers.changed` events. busybox:latest comes from
 * e2e/global-setup.ts; the teardown removes anything left.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { berthCli, ContainerDetails, ContainersPage } from '../support/containers';
import { containerNames, screenshots } from '../support/artifacts';
import { e2eEnv, type E2eEnv } from '../support/env';
import { readPid } from '../support/kernel';
import { BerthShell } from '../support/pages';

let env: E2eEnv;
test.beforeAll(() => {
  env = e2eEnv();
});

const unique = containerNames(() => env);

const shot = screenshots('containers');

/** Counts the invokes of each method the page sends over its WebSocket. */
function countInvokes(page: Page): (method: string) => number {
  const counts = new Map<string, number>();
  page.on('websocket', (ws) => {
    ws.on('framesent', (f) => {
      const m = typeof f.payload === 'string' ? /"method":"([^"]+)"/.exec(f.payload) : null;
      if (m) counts.set(m[1]!, (counts.get(m[1]!) ?? 0) + 1);
    });
  });
  return (method) => counts.get(method) ?? 0;
}

async function openContainers(page: Page): Promise<ContainersPage> {
  await page.goto(env.url);
  await new BerthShell(page).navLink('Containers').click();
  const containers = new ContainersPage(page);
  await containers.heading.waitFor();
  return containers;
}

test.describe('Containers page', () => {
  test('create from the dialog, see it run, read its logs, use a terminal, stop and remove it', async ({
    page,
  }, testInfo) => {
    test.setTimeout(120_000);
    const name = unique('e2e-ui');
    const invokes = countInvokes(page);
    const containers = await openContainers(page);
    await expect(new BerthShell(page).navLink('Containers')).toHaveAttribute('aria-current', 'page');

    // ── create ──
    await containers.createButton.click();
    const dialog = containers.createDialog;
    await expect(dialog).toBeVisible();
    await dialog.getByLabel('Image', { exact: true }).selectOption('busybox:latest');
    await dialog.getByLabel(/^Name/).fill(name);
    await dialog.getByLabel(/^Command/).fill('sh -c "echo hello-from-berth; sleep 600"');
    await dialog.getByLabel(/^Network/).selectOption('none');
    // Ports need the bridge network: the section is disabled for "none".
    await expect(dialog.getByRole('group', { name: 'Ports' }).getByRole('button', { name: '+ port' })).toBeDisabled();
    await shot(page, testInfo, 'create-dialog');
    await dialog.getByRole('button', { name: 'Create and start' }).click();
    await expect(dialog).toBeHidden();

    // ── in the table, running ──
    await expect(containers.state(name)).toHaveText('Running');
    await expect(containers.row(name).getByRole('cell').nth(0)).toHaveText('busybox:latest');
    await expect(containers.row(name)).toContainText(/Up \d+ s/);
    // Live stats from the cgroup files (sampled every second): a CPU percentage and a memory size.
    await expect(containers.row(name).getByRole('cell').nth(3)).toHaveText(/^\d+\.\d %$/);
    await expect(containers.row(name).getByRole('cell').nth(4)).toHaveText(/^\d+(\.\d+)? (B|KiB|MiB)/);
    await shot(page, testInfo, 'table');

    // ── details: the kernel's own pid mapping ──
    await containers.row(name).getByRole('link', { name, exact: true }).click();
    const details = new ContainerDetails(page);
    await expect(details.heading(name)).toBeVisible();
    const mapping = details.fact('Process', 'init pid');
    await expect(mapping).toHaveText(/^host \d+ ↔ container 1$/);
    const hostPid = Number(/^host (\d+)/.exec((await mapping.textContent()) ?? '')?.[1]);
    // The kernel's answer, read here: init's NSpid line is "<host pid> 1".
    const nsPid = /^NSpid:\s*(.*)$/m.exec(fs.readFileSync(`/proc/${hostPid}/status`, 'utf8'))?.[1];
    expect(nsPid?.trim().split(/\s+/)).toEqual([String(hostPid), '1']);
    await expect(details.fact('Network', 'mode')).toHaveText('none');

    // ── logs ──
    await details.tab('Logs').click();
    await expect(details.tab('Logs')).toHaveAttribute('aria-selected', 'true');
    await expect(details.logs).toContainText('hello-from-berth');
    await expect(details.logs.locator('[data-stream="stdout"]').filter({ hasText: 'hello-from-berth' })).toHaveCount(1);
    await page.getByRole('searchbox', { name: 'Search logs' }).fill('from-berth');
    await expect(details.logs.locator('mark')).toHaveText(['from-berth']);
    await shot(page, testInfo, 'logs');

    // The poll (every second while the tab is open and the container runs) stops with the tab.
    await expect.poll(() => invokes('containers.logs')).toBeGreaterThan(1);

    // ── terminal: sh with a tty over containers.exec ──
    await details.tab('Terminal').click();
    const logPolls = invokes('containers.logs');
    await expect(details.terminalStatus).toContainText('sh with a tty');
    await expect.poll(async () => (await details.terminalLines()).join('\n')).toMatch(/^\/ #$/m);
    await details.terminal.click();
    await page.keyboard.type('echo hi');
    await page.keyboard.press('Enter');
    await expect.poll(async () => (await details.terminalLines()).includes('hi'), { timeout: 15_000 }).toBe(true);
    await shot(page, testInfo, 'terminal');
    expect(invokes('containers.logs')).toBe(logPolls);
    expect(invokes('containers.exec')).toBe(1);
    expect(invokes('sessions.resize') + invokes('sessions.write')).toBeGreaterThan(0);

    // ── reload: the page reattaches to the same shell (its session id is in sessionStorage) ──
    const monitorPid = Number(/exec monitor pid (\d+)/.exec((await details.terminalStatus.textContent()) ?? '')?.[1]);
    expect(monitorPid).toBeGreaterThan(0);
    const shellPid = Number(fs.readFileSync(`/proc/${monitorPid}/task/${monitorPid}/children`, 'utf8').trim());
    expect(shellPid).toBeGreaterThan(0);
    await page.reload();
    await expect(details.terminalStatus).toContainText('reattached');
    await expect(details.terminalStatus).toContainText(`exec monitor pid ${monitorPid}`);
    // The scrollback the helper kept: what was typed before the reload is on screen again.
    await expect.poll(async () => (await details.terminalLines()).includes('hi')).toBe(true);
    await details.terminal.click();
    await page.keyboard.type('echo again-$((1+1))');
    await page.keyboard.press('Enter');
    await expect.poll(async () => (await details.terminalLines()).includes('again-2'), { timeout: 15_000 }).toBe(true);
    expect(invokes('containers.exec')).toBe(1);
    expect(invokes('sessions.reattach')).toBe(1);
    expect(fs.existsSync(`/proc/${shellPid}`)).toBe(true);
    await shot(page, testInfo, 'terminal-reattached');

    // ── back to the table (detaching the session): remove is refused while it runs ──
    await page.getByRole('navigation', { name: 'Breadcrumb' }).getByRole('link', { name: 'Containers' }).click();
    await expect(containers.state(name)).toHaveText('Running');
    // Leaving the tab detached the session (sessions.detach): the shell waits for a return, then the idle reaper.
    await expect.poll(() => invokes('sessions.detach')).toBe(1);
    expect(invokes('sessions.close')).toBe(0);
    expect(fs.existsSync(`/proc/${shellPid}`)).toBe(true);

    // ── a return to the tab reattaches too; "End session" kills the shell ──
    await containers.row(name).getByRole('link', { name, exact: true }).click();
    await details.tab('Terminal').click();
    await expect(details.terminalStatus).toContainText('reattached');
    await expect(details.terminalStatus).toContainText(`exec monitor pid ${monitorPid}`);
    expect(invokes('sessions.reattach')).toBe(2);
    await details.terminalStatus.getByRole('button', { name: 'End session' }).click();
    await expect(details.terminalStatus).toContainText('[process exited with code');
    await expect.poll(() => fs.existsSync(`/proc/${shellPid}`)).toBe(false);
    expect(invokes('containers.exec')).toBe(1);
    await page.getByRole('navigation', { name: 'Breadcrumb' }).getByRole('link', { name: 'Containers' }).click();
    await expect(containers.state(name)).toHaveText('Running');
    await containers.action(name, 'Remove').click();
    const remove = containers.removeDialog(name);
    await remove.getByRole('button', { name: 'Remove', exact: true }).click();
    await expect(remove.getByTestId('error-code')).toHaveText('CONTAINER_RUNNING');
    await expect(remove.getByTestId('error-message')).toContainText('stop it first or remove with force');
    await remove.getByRole('button', { name: 'Cancel' }).click();
    await expect(remove).toBeHidden();

    // ── stop: sh as pid 1 ignores SIGTERM, so the stop escalates to SIGKILL after the timeout ──
    await containers.stopTimeout.fill('1');
    await containers.action(name, 'Stop').click();
    await expect(containers.state(name)).toHaveText(/^Exited \((137|143)\)$/, { timeout: 20_000 });
    await expect(containers.row(name)).toContainText(/\d+ s ago/);

    // ── remove ──
    await containers.action(name, 'Remove').click();
    await remove.getByRole('button', { name: 'Remove', exact: true }).click();
    await expect(remove).toBeHidden();
    await expect(containers.row(name)).toHaveCount(0);
  });

  test('the table follows changes made behind its back (containers.changed events)', async ({ page }) => {
    const name = unique('e2e-cli');
    const containers = await openContainers(page);
    await containers.show('Running');

    berthCli(env, ['run', '-d', '--network', 'none', '--name', name, 'busybox:latest', 'sleep', '300']);
    await expect(containers.state(name)).toHaveText('Running');

    berthCli(env, ['kill', name]); // SIGKILL by default
    // "Running" shows running containers only: it drops out.
    await expect(containers.row(name)).toHaveCount(0);
    await containers.show('All');
    await expect(containers.state(name)).toHaveText('Exited (137)');

    berthCli(env, ['rm', name]);
    await expect(containers.row(name)).toHaveCount(0);
  });

  test('a damaged record shows as Unreadable with its reason, in the table and the details, and Remove takes it away', async ({
    page,
  }) => {
    test.setTimeout(90_000);
    const name = unique('e2e-damaged');
    berthCli(env, ['create', '--network', 'none', '--name', name, 'busybox:latest', 'true']);
    const [detail] = JSON.parse(berthCli(env, ['inspect', name])) as Array<{ id: string }>;
    const id = detail!.id;
    unique.track(id);
    // Damage the record, then crash the helper: the next one (started by the web backend) reads it at boot.
    fs.writeFileSync(path.join(env.dataRoot, 'c', id, 'container.json'), '{');
    const pidFile = path.join(env.runDir, 'helper.pid');
    const oldPid = readPid(pidFile)!;
    process.kill(oldPid, 'SIGKILL');
    await expect
      .poll(() => readPid(pidFile), { message: 'a new helper wrote its pid file', timeout: 30_000 })
      .not.toBe(oldPid);

    const containers = await openContainers(page);
    await containers.show('All');
    await expect(containers.state(id)).toHaveText('Unreadable', { timeout: 20_000 });
    await expect(containers.row(id)).toContainText('container.json: not JSON');
    // Only Remove is offered.
    await expect(containers.action(id, 'Start')).toHaveCount(0);

    await containers.row(id).getByRole('link', { name: id, exact: true }).click();
    const overview = page.getByRole('definition').filter({ hasText: 'container.json: not JSON' });
    await expect(overview.first()).toBeVisible();

    await page.getByRole('navigation', { name: 'Breadcrumb' }).getByRole('link', { name: 'Containers' }).click();
    await containers.show('All');
    await containers.action(id, 'Remove').click();
    const remove = containers.removeDialog(id);
    await remove.getByRole('button', { name: 'Remove', exact: true }).click();
    await expect(remove).toBeHidden();
    await expect(containers.row(id)).toHaveCount(0);
    expect(fs.existsSync(path.join(env.dataRoot, 'c', id))).toBe(false);
  });

  test('the create dialog validates with the contract schema before asking the engine', async ({ page }) => {
    const containers = await openContainers(page);
    await containers.createButton.click();
    const dialog = containers.createDialog;
    await dialog.getByLabel(/^Name/).fill('not a name!');
    await dialog.getByLabel(/^Command/).fill('sh -c "unterminated');
    await dialog.getByRole('button', { name: '+ volume' }).click();
    await dialog.getByLabel('Volume 1 host path').fill('relative/path');
    await dialog.getByLabel('Volume 1 container path').fill('/data');
    await dialog.getByLabel(/^CPU set/).fill('3-1');
    await dialog.getByRole('button', { name: 'Create', exact: true }).click();

    await expect(dialog.getByLabel(/^Name/)).toHaveAttribute('aria-invalid', 'true');
    await expect(dialog.getByRole('alert').filter({ hasText: 'letters, digits, _ . - (docker rules)' })).toBeVisible();
    await expect(dialog.getByRole('alert').filter({ hasText: 'unterminated " quote' })).toBeVisible();
    await expect(dialog.getByRole('alert').filter({ hasText: 'host paths must be absolute' })).toBeVisible();
    await expect(dialog.getByRole('alert').filter({ hasText: 'a cpu list like' })).toBeVisible();
    await expect(dialog).toContainText('4 fields need attention');

    // Fixing a field clears its message as you type.
    await dialog.getByLabel(/^Name/).fill('a-fine-name');
    await expect(dialog.getByLabel(/^Name/)).toHaveAttribute('aria-invalid', 'false');
    await expect(dialog).toContainText('3 fields need attention');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await expect(dialog).toBeHidden();
  });
});
