/**
 * The device policy panel of the Limits tab (web mode): a busybox started
 * with a --device-cgroup-rule through the page's own API; the panel lists the
 * rules in order with their source, and its kernel read-backs match the
 * kernel: the v1 devices.list text equals the file on disk at the path shown,
 * and the v2 program id shown is the one attached to the unified group shown.
 */
import fs from 'node:fs';
import { expect, test } from '@playwright/test';
import { shotsDir } from '../support/artifacts';
import { e2eEnv, type E2eEnv } from '../support/env';
import { invokeInPage } from '../support/resources';

let env: E2eEnv;
test.beforeAll(() => {
  env = e2eEnv();
});

const NAME = `dev-e2e-${process.pid}`;
const SHOTS = shotsDir();

test.describe.serial('Device policy', () => {
  let id = '';
  test.describe.configure({ timeout: 120_000 });

  test.afterAll(async ({ browser }) => {
    if (!id) return;
    const page = await browser.newPage();
    try {
      await page.goto(env.url);
      await invokeInPage(page, 'containers.remove', { id, force: true });
    } finally {
      await page.close();
    }
  });

  test('the Limits tab shows the rules in force and the kernel read-back', async ({ page }) => {
    await page.goto(env.url);
    const created = await invokeInPage(page, 'containers.create', {
      image: 'busybox:latest',
      name: NAME,
      command: ['sleep', '600'],
      network: 'none',
      security: { deviceCgroupRules: ['c 1:11 wm'] },
    });
    id = created.id;
    await invokeInPage(page, 'containers.start', { id });
    const policy = await invokeInPage(page, 'containers.devices', { id });

    await page.goto(`${env.origin}/#/resources/${id}`);
    const panel = page.getByTestId('device-policy');
    await expect(panel).toBeVisible();
    const rules = panel.getByRole('table', { name: 'Device rules in force, in order' }).getByTestId('device-rule');
    await expect(rules).toHaveCount(10);
    await expect(rules.nth(0)).toContainText('deny');
    await expect(rules.nth(0)).toContainText('a *:* rwm');
    await expect(rules.nth(1)).toContainText('c 1:3 rwm');
    await expect(rules.nth(9)).toContainText('c 1:11 wm');
    await expect(rules.nth(9)).toContainText("--device-cgroup-rule 'c 1:11 wm'");

    if (policy.v1) {
      const v1 = panel.getByTestId('device-v1');
      await expect(v1).toContainText(policy.v1.file);
      const onDisk = fs.readFileSync(policy.v1.file, 'utf8').trim();
      await expect(v1.getByTestId('device-v1-raw')).toHaveText(onDisk);
      await expect(panel.getByTestId('device-inforce-v1')).toHaveText('✓ in force');
    }
    if (policy.v2) {
      const v2 = panel.getByTestId('device-v2');
      await expect(v2).toContainText(policy.v2.group);
      const ours = policy.v2.programs.find((p) => p.berth)!;
      await expect(v2.getByTestId('device-v2-program').first()).toContainText(String(ours.id));
      await expect(v2.getByTestId('device-v2-program').first()).toContainText('= compiled');
      await expect(v2.getByTestId('device-v2-table').getByRole('listitem').first()).toHaveText('allow c 1:11 wm');
      await expect(v2.getByTestId('device-v2-table').getByRole('listitem').last()).toHaveText('deny (anything else)');
      await expect(panel.getByTestId('device-inforce-v2')).toHaveText('✓ in force');
    }
    await panel.screenshot({ path: `${SHOTS}/berth-device-policy.png` });
  });
});
