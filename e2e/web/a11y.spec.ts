/**
 * Accessibility, end to end: every page of the app's route list (read from
 * the sidebar, so pages added later are audited too), in the light and the
 * dark theme, with a container listed, has no serious or critical axe-core
 * violation (WCAG 2.1 A/AA); so do the open command palette and a
 * container's details. Then the keyboard alone: skip through the main
 * actions with Tab, start and stop a container, move between pages.
 */
import { expect, test, type Page } from '@playwright/test';
import { berthCli } from '../support/containers';
import { appRoutes, Palette, seriousViolations, settled } from '../support/desktop';
import { e2eEnv, type E2eEnv } from '../support/env';

let env: E2eEnv;
const NAME = `a11y-${Date.now().toString(36)}`;
let id = '';

test.beforeAll(() => {
  env = e2eEnv();
  id = berthCli(env, ['run', '-d', '--name', NAME, '--network', 'none', 'busybox:latest', 'sleep', '600']).trim();
});

test.afterAll(() => {
  if (id) berthCli(env, ['rm', '-f', id]);
});

async function audit(page: Page, where: string): Promise<void> {
  const found = await seriousViolations(page);
  expect(found, `${where}: ${JSON.stringify(found, null, 2)}`).toEqual([]);
}

for (const scheme of ['light', 'dark'] as const) {
  test(`every page has no serious or critical axe violation (${scheme})`, async ({ page }) => {
    await page.emulateMedia({ colorScheme: scheme });
    await page.goto(env.url);
    const routes = await appRoutes(page);
    expect(routes.map((r) => r.label)).toEqual(expect.arrayContaining(['System', 'Containers', 'Images', 'Settings']));
    for (const r of routes) {
      await page.goto(`${env.origin}/${r.href}`);
      await settled(page);
      await audit(page, `${r.label} (${scheme})`);
    }
    await page.goto(`${env.origin}/#/containers/${id}`);
    await expect(page.getByRole('heading', { level: 1, name: new RegExp(`^${NAME}`) })).toBeVisible();
    await settled(page);
    await audit(page, `container details (${scheme})`);
    // The Layer inspector with a file's hex dump shown and a comparison listed.
    await page.goto(`${env.origin}/#/layers?image=busybox%3Alatest`);
    await page.getByRole('searchbox', { name: 'Path filter' }).fill('/bin/busybox');
    await page.locator('[role="treeitem"][data-path="/bin/busybox"]').click();
    await expect(page.getByTestId('preview-hex')).toBeVisible({ timeout: 60_000 });
    const compare = page.getByRole('region', { name: 'Compare' });
    await compare.getByLabel('Compare with').selectOption({ index: 1 });
    await compare.getByRole('button', { name: 'Compare' }).click();
    await expect(compare.getByTestId('compare-summary')).toBeVisible({ timeout: 60_000 });
    await settled(page);
    await audit(page, `layer inspector with a file preview and a comparison (${scheme})`);
    const palette = new Palette(page);
    await palette.open();
    await palette.input.fill(NAME.slice(0, 6));
    await expect(palette.option(new RegExp(`^${NAME}`)).first()).toBeVisible();
    await audit(page, `command palette (${scheme})`);
  });
}

test('the main actions work from the keyboard alone', async ({ page }) => {
  await page.goto(`${env.url}`);
  await settled(page);
  // Tab reaches the sidebar's pages in order, then the palette's button.
  const routes = await appRoutes(page);
  await page.locator('body').focus();
  for (const r of routes) {
    await page.keyboard.press('Tab');
    await expect(
      page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: r.label, exact: true }),
    ).toBeFocused();
  }
  await page.keyboard.press('Tab');
  await expect(page.getByRole('button', { name: /Search & commands/ })).toBeFocused();

  // Containers by Enter on its link; then Tab into the table to the container's Stop.
  await page.goto(`${env.origin}/#/system`);
  await settled(page);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Containers', exact: true }).focus();
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/#\/containers$/);
  const row = page.locator(`tr[data-id="${id}"]`);
  await expect(row).toBeVisible();
  const stop = row.getByRole('button', { name: 'Stop', exact: true });
  for (let i = 0; i < 60 && !(await stop.evaluate((el) => el === document.activeElement)); i++) {
    await page.keyboard.press('Tab');
  }
  await expect(stop).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(row.getByRole('button', { name: 'Start', exact: true })).toBeVisible({ timeout: 30_000 });
  // Start again with its shortcut: the row's link holds the focus, S starts it.
  await row.getByRole('link', { name: NAME }).focus();
  await page.keyboard.press('s');
  await expect(row.getByRole('button', { name: 'Stop', exact: true })).toBeVisible({ timeout: 30_000 });
  // The details by Enter on the name; the tabs with the arrow keys.
  await row.getByRole('link', { name: NAME }).focus();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { level: 1, name: new RegExp(`^${NAME}`) })).toBeVisible();
  await page.getByRole('tab', { name: 'Overview' }).focus();
  await page.keyboard.press('ArrowRight');
  await expect(page.getByRole('tab', { name: 'Logs' })).toHaveAttribute('aria-selected', 'true');
  // Alt+1 leaves for the first page of the list.
  await page.getByRole('heading', { level: 1 }).first().click();
  await page.keyboard.press('Alt+1');
  await expect(page).toHaveURL(new RegExp(`${routes[0]!.href.replace('/', '\\/')}$`));
});
