/**
 * Web mode end to end: the Networks page against the suite's own helper.
 * Built-ins are listed; a network created in the dialog gets its own subnet
 * and bridge; a container started on it (CLI) shows in Inspect with its
 * address; Remove is refused while it is attached (the error names it) and
 * succeeds once it is gone; a bad name never reaches the engine.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { e2eEnv, type E2eEnv } from '../support/env';
import { NetworksPage } from '../support/networks';
import { BerthShell } from '../support/pages';
import { ROOT } from '../support/server';

test.describe.configure({ mode: 'serial' });

let env: E2eEnv;
const tag = Math.random().toString(16).slice(2, 8);
const netName = `e2e-net-${tag}`;
const ctrName = `e2e-netc-${tag}`;

test.beforeAll(() => {
  env = e2eEnv();
});

function cli(args: string[]): string {
  return execFileSync(process.execPath, [path.join(ROOT, 'bin', 'berth.js'), ...args], {
    env: { ...process.env, BERTH_RUN_DIR: env.runDir, BERTH_DATA_ROOT: env.dataRoot },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

test.afterAll(() => {
  for (const args of [
    ['rm', '-f', ctrName],
    ['network', 'rm', netName],
  ]) {
    try {
      cli(args);
    } catch {
      // already gone
    }
  }
});

async function openNetworks(page: Page): Promise<NetworksPage> {
  await page.goto(env.url);
  await new BerthShell(page).navLink('Networks').click();
  const nets = new NetworksPage(page);
  await nets.heading.waitFor();
  return nets;
}

test('lists the built-in networks', async ({ page }) => {
  const nets = await openNetworks(page);
  for (const n of ['bridge', 'host', 'none']) await expect(nets.row(n)).toContainText('built-in');
  await expect(nets.remove('bridge')).toHaveCount(0);
});

test('a bad name is refused in the dialog, a good one creates the network', async ({ page }) => {
  const nets = await openNetworks(page);
  await nets.createButton.click();
  const dialog = nets.dialog;
  await dialog.getByLabel('Name').fill('bad name!');
  await dialog.getByRole('button', { name: 'Create', exact: true }).click();
  await expect(dialog.getByRole('alert')).toContainText('Letters, digits');
  await dialog.getByLabel('Name').fill(netName);
  await dialog.getByRole('button', { name: 'Create', exact: true }).click();
  await expect(dialog).toHaveCount(0);
  await expect(nets.row(netName)).toContainText(/10\.89\.\d+\.0\/24/);
});

test('inspect shows an attached container with its address; remove is refused until it is gone', async ({ page }) => {
  cli(['run', '-d', '--network', netName, '--network-alias', 'api', '--name', ctrName, 'busybox', 'sleep', '600']);
  const nets = await openNetworks(page);
  await expect(nets.row(netName).getByRole('cell').nth(4)).toHaveText('1');
  await nets.inspect(netName).click();
  const members = nets.members(netName);
  await expect(members.getByRole('row', { name: new RegExp(ctrName) })).toContainText(/10\.89\.\d+\.\d+/);
  await expect(members.getByRole('row', { name: new RegExp(ctrName) })).toContainText('api');
  await expect(members.getByRole('row', { name: new RegExp(ctrName) })).toContainText('eth0');

  await nets.remove(netName).click();
  await nets.dialog.getByRole('button', { name: 'Remove', exact: true }).click();
  await expect(nets.dialog).toContainText(ctrName);
  await expect(nets.dialog).toContainText('NETWORK_IN_USE');
  await nets.dialog.getByRole('button', { name: 'Cancel' }).click();

  cli(['rm', '-f', ctrName]);
  await nets.remove(netName).click();
  await nets.dialog.getByRole('button', { name: 'Remove', exact: true }).click();
  await expect(nets.dialog).toHaveCount(0);
  await expect(nets.row(netName)).toHaveCount(0);
});
