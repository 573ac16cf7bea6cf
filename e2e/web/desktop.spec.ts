/**
 * The desktop layer end to end in web mode: the command palette (Ctrl+K,
 * go to a page, find a container and open it), the dark theme (the OS's
 * scheme followed, the Settings override winning and kept by main across a
 * reload and a new session), and the preferences used by the pages.
 */
import { expect, test, type Page } from '@playwright/test';
import { berthCli } from '../support/containers';
import { Palette, settled } from '../support/desktop';
import { e2eEnv, type E2eEnv } from '../support/env';

let env: E2eEnv;
const NAME = `desk-${Date.now().toString(36)}`;
let id = '';

test.beforeAll(() => {
  env = e2eEnv();
  id = berthCli(env, ['create', '--name', NAME, '--network', 'none', 'busybox:latest', 'true']).trim();
});

test.afterAll(async ({ browser }) => {
  if (id) berthCli(env, ['rm', '-f', id]);
  // Leave the suite's preferences as they were found.
  const page = await browser.newPage();
  await page.goto(`${env.url}#/settings`);
  await page.getByRole('radio', { name: 'Follow the system' }).click();
  await page.close();
});

/** A card of the page: a feature's panel, not only the page's ground. */
const cardBackground = (page: Page) =>
  page
    .locator('.card')
    .first()
    .evaluate((el) => getComputedStyle(el).backgroundColor);
const bodyBackground = (page: Page) => page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);

test('the palette goes to a page and finds a container', async ({ page }) => {
  await page.goto(env.url);
  await settled(page);
  const palette = new Palette(page);
  await palette.open();
  await palette.input.fill('go to images');
  await expect(palette.selected).toHaveText(/Go to Images/);
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/#\/images$/);
  await expect(palette.dialog).toBeHidden();

  await palette.open();
  await palette.input.fill(NAME);
  await expect(palette.option(new RegExp(`^${NAME}`))).toBeVisible();
  while (!((await palette.selected.textContent()) ?? '').startsWith(NAME)) await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(new RegExp(`#/containers/${id}$`));
  await expect(page.getByRole('heading', { level: 1, name: new RegExp(`^${NAME}`) })).toBeVisible();

  // Escape closes it and the focus goes back where it was.
  await page.getByRole('tab', { name: 'Overview' }).focus();
  await palette.open();
  await page.keyboard.press('Escape');
  await expect(palette.dialog).toBeHidden();
  await expect(page.getByRole('tab', { name: 'Overview' })).toBeFocused();
});

test('dark theme: follows the system, the Settings choice overrides it and is kept by main', async ({
  page,
  browser,
}) => {
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.goto(`${env.url}#/settings`);
  await settled(page);
  await expect(page.getByRole('radio', { name: 'Follow the system' })).toBeChecked();
  const dark = await bodyBackground(page);
  await page.emulateMedia({ colorScheme: 'light' });
  const light = await bodyBackground(page);
  expect(dark).toBe('rgb(20, 23, 27)');
  expect(light).toBe('rgb(244, 245, 247)');

  // Pinned dark while the OS says light.
  await page.getByRole('radio', { name: 'Dark' }).click();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  expect(await bodyBackground(page)).toBe(dark);
  expect(await cardBackground(page)).toBe('rgb(28, 32, 38)');

  // Kept by main (~/.config/berth/preferences.json of the server's user): a new
  // browser context, with nothing in its storage, opens dark.
  const other = await browser.newContext({ colorScheme: 'light' });
  const fresh = await other.newPage();
  await fresh.goto(`${env.url}#/containers`);
  await expect(fresh.locator('html')).toHaveAttribute('data-theme', 'dark');
  await expect(fresh.getByRole('spinbutton', { name: /Stop timeout/ })).toBeVisible();
  expect(await bodyBackground(fresh)).toBe(dark);
  await other.close();

  await page.getByRole('radio', { name: 'Follow the system' }).click();
  await expect(page.locator('html')).not.toHaveAttribute('data-theme', /./);
  expect(await bodyBackground(page)).toBe(light);
});

test('the stop timeout set in Settings is what the Containers page uses', async ({ page }) => {
  await page.goto(`${env.url}#/settings`);
  await settled(page);
  const field = page.getByRole('spinbutton', { name: 'Stop timeout' });
  await field.fill('7');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Containers', exact: true }).click();
  await expect(page.getByRole('spinbutton', { name: /Stop timeout/ })).toHaveValue('7');
  await page.goto(`${env.url}#/settings`);
  await page.getByRole('spinbutton', { name: 'Stop timeout' }).fill('10');
  await expect(page.getByRole('spinbutton', { name: 'Stop timeout' })).toHaveValue('10');
});
