/**
 * The Create dialog's Security section and what the engine made of it: cap
 * add/drop through the pickers and a read-only root reach the container
 * (the Overview's Security card and the kernel's CapEff agree), every
 * relaxation is listed as such, and --privileged is marked dangerous in the
 * dialog, the table and the details header.
 */
import fs from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { berthCli, ContainerDetails, ContainersPage } from '../support/containers';
import { containerNames, screenshots } from '../support/artifacts';
import { e2eEnv, type E2eEnv } from '../support/env';
import { BerthShell } from '../support/pages';

let env: E2eEnv;
test.beforeAll(() => {
  env = e2eEnv();
});

const unique = containerNames(() => env);

const shot = screenshots('security', { fullPage: true });

async function openContainers(page: Page): Promise<ContainersPage> {
  await page.goto(env.url);
  await new BerthShell(page).navLink('Containers').click();
  const containers = new ContainersPage(page);
  await containers.heading.waitFor();
  return containers;
}

test.describe('Security options', () => {
  test('cap add/drop and read-only from the dialog reach the container; relaxations are listed', async ({
    page,
  }, testInfo) => {
    test.setTimeout(120_000);
    const name = unique('e2e-sec');
    const containers = await openContainers(page);
    await containers.createButton.click();
    const dialog = containers.createDialog;
    await dialog.getByLabel('Image', { exact: true }).selectOption('busybox:latest');
    await dialog.getByLabel(/^Name/).fill(name);
    await dialog.getByLabel(/^Command/).fill('sleep 600');
    await dialog.getByLabel(/^Network/).selectOption('none');

    const security = dialog.getByRole('group', { name: 'Security' });
    await expect(security.getByText('Nothing relaxed: the default container.')).toBeVisible();

    // Privileged: marked dangerous, and listed as a relaxation naming what it turns off.
    const privileged = security.getByRole('checkbox', { name: /Privileged — dangerous/ });
    await privileged.check();
    await expect(security.getByRole('note', { name: 'Relaxed' })).toContainText(
      /privileged: every capability, no seccomp, every device/,
    );
    await privileged.uncheck();

    await security.getByRole('combobox', { name: /^Cap add/ }).selectOption('CAP_NET_ADMIN');
    await security.getByRole('button', { name: '+ cap add' }).click();
    await security.getByRole('combobox', { name: /^Cap drop/ }).selectOption('CAP_MKNOD');
    await security.getByRole('button', { name: '+ cap drop' }).click();
    await security.getByRole('checkbox', { name: /read-only root/ }).check();
    await expect(security.getByRole('note', { name: 'Relaxed' })).toHaveText(/adds CAP_NET_ADMIN/);
    await expect(security.getByRole('note', { name: 'Hardened' })).toContainText('drops CAP_MKNOD');
    await expect(security.getByRole('note', { name: 'Hardened' })).toContainText('read-only root filesystem');
    await security.scrollIntoViewIfNeeded();
    await shot(page, testInfo, 'create-dialog');
    await dialog.getByRole('button', { name: 'Create and start' }).click();
    await expect(dialog).toBeHidden();
    await expect(containers.state(name)).toHaveText('Running');
    await expect(containers.row(name).getByText('privileged', { exact: true })).toHaveCount(0);

    await containers.row(name).getByRole('link', { name, exact: true }).click();
    const details = new ContainerDetails(page);
    await expect(details.heading(name)).toBeVisible();
    const caps = page.getByRole('list', { name: 'capabilities' });
    await expect(caps).toContainText('CAP_NET_ADMIN');
    await expect(caps).not.toContainText('CAP_MKNOD');
    await expect(details.fact('Security', 'privileged')).toHaveText('no');
    await expect(details.fact('Security', 'root filesystem')).toHaveText(/^read-only/);
    // The kernel agrees: docker's a80425fb + NET_ADMIN (bit 12) − MKNOD (bit 27).
    const pid = Number(/^host (\d+)/.exec((await details.fact('Process', 'init pid').textContent()) ?? '')?.[1]);
    const capEff = /^CapEff:\s*(\S+)$/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    expect(capEff).toBe('00000000a00435fb');
    await page.getByRole('region', { name: 'Security', exact: true }).scrollIntoViewIfNeeded();
    await shot(page, testInfo, 'overview');
  });

  test('a privileged container carries a danger badge in the table and the details', async ({ page }) => {
    const name = unique('e2e-priv');
    berthCli(env, ['run', '-d', '--privileged', '--network', 'none', '--name', name, 'busybox', 'sleep', '600']);
    const containers = await openContainers(page);
    await expect(containers.row(name).getByText('privileged', { exact: true })).toBeVisible();
    await containers.row(name).getByRole('link', { name, exact: true }).click();
    const details = new ContainerDetails(page);
    await expect(page.getByRole('heading', { level: 1 }).getByText('privileged', { exact: true })).toBeVisible();
    await expect(details.fact('Security', 'privileged')).toHaveText('yes — dangerous');
  });
});
