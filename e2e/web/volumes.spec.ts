/**
 * The Volumes and Disk pages end to end against a real helper: create a
 * volume, see it filled by a container and its size and user listed, see a
 * removal refused while in use, prune a volume and a stopped container from
 * lists shown before anything is removed, and each figure follow the CLI's
 * changes through events. busybox:latest comes from e2e/global-setup.ts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { berthCli, ContainersPage } from '../support/containers';
import { Palette } from '../support/desktop';
import { e2eEnv, type E2eEnv } from '../support/env';
import { BerthShell } from '../support/pages';

let env: E2eEnv;
test.beforeAll(() => {
  env = e2eEnv();
});

const suffix = (): string => `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
const containers: string[] = [];
const volumes: string[] = [];
test.afterEach(() => {
  for (const c of containers.splice(0)) {
    try {
      berthCli(env, ['rm', '-f', c]);
    } catch {
      // removed by the test
    }
  }
  for (const v of volumes.splice(0)) {
    try {
      berthCli(env, ['volume', 'rm', '-f', v]);
    } catch {
      // still in use only if a container above was not removed
    }
  }
});

async function open(page: Page, label: 'Volumes' | 'Disk'): Promise<void> {
  await page.goto(env.url);
  await new BerthShell(page).navLink(label).click();
  await expect(page.getByRole('heading', { level: 1, name: label })).toBeVisible();
}

test.describe('Volumes page', () => {
  test('create, fill from a container, users and size, refused removal, remove', async ({ page }) => {
    await open(page, 'Volumes');
    const name = `data-${suffix()}`;
    volumes.push(name);
    // A hostile name is refused in the form, before the helper is asked.
    await page.getByRole('textbox', { name: 'Name' }).fill('../etc');
    await expect(page.getByRole('alert')).toContainText('starting with a letter or digit');
    await expect(page.getByRole('button', { name: 'Create volume' })).toBeDisabled();
    await page.getByRole('textbox', { name: 'Name' }).fill(name);
    await page.getByRole('button', { name: 'Create volume' }).click();
    const row = page.locator(`tr[data-volume="${name}"]`);
    await expect(row).toBeVisible();
    await expect(row).toContainText(path.join(env.dataRoot, 'volumes', name, '_data'));

    const sizeBefore = (await row.getByRole('cell').first().textContent()) ?? '';
    // A container behind the UI's back: copy-up fills it, and the page hears of its user.
    const c = `vuser-${suffix()}`;
    containers.push(c);
    berthCli(env, ['run', '-d', '--name', c, '--network', 'none', '-v', `${name}:/var/www`, 'busybox', 'sleep', '600']);
    await expect(row.getByRole('cell').nth(1)).toHaveText(c);
    await page.getByRole('button', { name: 'Refresh' }).click();
    const bytes = fs.statSync(path.join(env.dataRoot, 'volumes', name, '_data', 'index.html')).size;
    expect(bytes).toBeGreaterThan(0);
    await expect(row.getByRole('cell').first()).not.toHaveText(sizeBefore);

    // In use: refused, with the user named.
    await row.getByRole('button', { name: `Remove ${name}` }).click();
    await expect(page.getByRole('alert').filter({ hasText: c })).toBeVisible();
    await expect(page.getByRole('alert').filter({ hasText: 'VOLUME_IN_USE' })).toBeVisible();
    await expect(row).toBeVisible();
    expect(fs.existsSync(path.join(env.dataRoot, 'volumes', name))).toBe(true);

    berthCli(env, ['rm', '-f', c]);
    await expect(row.getByRole('cell').nth(1)).toHaveText('—');
    await row.getByRole('button', { name: `Remove ${name}` }).click();
    await expect(row).toHaveCount(0);
    expect(fs.existsSync(path.join(env.dataRoot, 'volumes', name))).toBe(false);
  });

  test('prune lists the unused anonymous volume before removing it, and keeps the rest', async ({ page }) => {
    const keep = `keep-${suffix()}`;
    volumes.push(keep);
    berthCli(env, ['volume', 'create', keep]);
    const c = `anon-${suffix()}`;
    containers.push(c);
    berthCli(env, ['create', '--name', c, '--network', 'none', '-v', '/cache', 'busybox', 'true']);
    const inspected = JSON.parse(berthCli(env, ['inspect', c])) as unknown;
    const detail = (Array.isArray(inspected) ? inspected[0] : inspected) as {
      config: { mounts: Array<{ source: string }> };
    };
    const anon = detail.config.mounts[0]!.source;
    berthCli(env, ['rm', c]);
    await open(page, 'Volumes');
    await page.getByRole('button', { name: 'Review what would be removed' }).click();
    const list = page.getByRole('table', { name: 'Would be removed' });
    await expect(list.getByRole('rowheader', { name: anon })).toBeVisible();
    await expect(list).not.toContainText(keep);
    expect(fs.existsSync(path.join(env.dataRoot, 'volumes', anon))).toBe(true); // nothing removed by the review
    await page.getByRole('button', { name: /^Remove \d+ items?$/ }).click();
    await expect(page.getByRole('status').filter({ hasText: /Removed \d+, reclaimed/ })).toBeVisible();
    expect(fs.existsSync(path.join(env.dataRoot, 'volumes', anon))).toBe(false);
    await expect(page.locator(`tr[data-volume="${keep}"]`)).toBeVisible();
  });
});

/** Creates (never starts) container `c` with an anonymous volume at /cache; that volume's name. */
function createWithAnonymousVolume(c: string, ...more: string[]): string {
  containers.push(c);
  berthCli(env, ['create', '--name', c, '--network', 'none', '-v', '/cache', ...more, 'busybox', 'true']);
  const inspected = JSON.parse(berthCli(env, ['inspect', c])) as unknown;
  const detail = (Array.isArray(inspected) ? inspected[0] : inspected) as {
    config: { mounts: Array<{ source: string; target: string }> };
  };
  const anon = detail.config.mounts.find((m) => m.target === '/cache')!.source;
  volumes.push(anon);
  return anon;
}

test.describe('Container remove with -v', () => {
  test('the dialog lists the anonymous volume that goes, removes it with the container, keeps the named one', async ({
    page,
  }) => {
    const named = `named-${suffix()}`;
    volumes.push(named);
    const c = `rmv-${suffix()}`;
    const anon = createWithAnonymousVolume(c, '-v', `${named}:/data`);

    await page.goto(env.url);
    await new BerthShell(page).navLink('Containers').click();
    const list = new ContainersPage(page);
    await list.heading.waitFor();
    await list.show('All'); // it was created, never started
    await list.action(c, 'Remove').click();
    const dialog = list.removeDialog(c);
    const vols = dialog.getByRole('list', { name: 'Anonymous volumes' });
    await expect(vols.getByRole('listitem')).toHaveCount(1); // the named volume is not offered
    await expect(vols.locator(`li[data-volume="${anon}"]`)).toHaveAttribute('data-goes', 'no');
    await dialog.getByRole('checkbox', { name: /anonymous volumes too/ }).check();
    await expect(vols.locator(`li[data-volume="${anon}"]`)).toHaveAttribute('data-goes', 'yes');
    await dialog.getByRole('button', { name: 'Remove', exact: true }).click();
    await expect(dialog).toBeHidden();
    await expect(list.row(c)).toHaveCount(0);
    await expect.poll(() => fs.existsSync(path.join(env.dataRoot, 'volumes', anon))).toBe(false);
    expect(fs.existsSync(path.join(env.dataRoot, 'volumes', named))).toBe(true);
  });

  test("the palette's Remove on a container's details opens the same dialog; -v takes the volume, the page goes back to the table", async ({
    page,
  }) => {
    const c = `rmp-${suffix()}`;
    const anon = createWithAnonymousVolume(c);

    await page.goto(env.url);
    await new BerthShell(page).navLink('Containers').click();
    const list = new ContainersPage(page);
    await list.heading.waitFor();
    await list.show('All');
    await list.row(c).getByRole('link', { name: c, exact: true }).click();
    await expect(page.getByRole('heading', { level: 1, name: new RegExp(`^${c}`) })).toBeVisible();
    const palette = new Palette(page);
    await palette.open();
    await palette.input.fill(`remove ${c}`);
    await expect(palette.selected).toHaveText(new RegExp(`^Remove ${c}…`));
    await page.keyboard.press('Enter');
    await expect(palette.dialog).toBeHidden();
    const dialog = list.removeDialog(c);
    const vols = dialog.getByRole('list', { name: 'Anonymous volumes' });
    await expect(vols.locator(`li[data-volume="${anon}"]`)).toHaveAttribute('data-goes', 'no');
    await dialog.getByRole('checkbox', { name: /anonymous volumes too/ }).check();
    await dialog.getByRole('button', { name: 'Remove', exact: true }).click();
    await expect(dialog).toBeHidden();
    await expect(page).toHaveURL(/#\/containers$/);
    await expect(list.row(c)).toHaveCount(0);
    await expect.poll(() => fs.existsSync(path.join(env.dataRoot, 'volumes', anon))).toBe(false);
  });
});

test.describe('Disk page', () => {
  test('shows measured usage and prunes exactly the stopped container it listed', async ({ page }) => {
    const running = `disk-run-${suffix()}`;
    const stopped = `disk-stop-${suffix()}`;
    containers.push(running, stopped);
    berthCli(env, ['run', '-d', '--name', running, '--network', 'none', 'busybox', 'sleep', '600']);
    berthCli(env, ['create', '--name', stopped, '--network', 'none', 'busybox', 'true']);
    await open(page, 'Disk');
    const usage = page.getByRole('table', { name: 'Disk usage' });
    for (const kind of ['Containers', 'Images', 'Volumes'])
      await expect(usage.getByRole('rowheader', { name: kind })).toBeVisible();
    const df = JSON.parse(
      `[${berthCli(env, ['system', 'df', '--format', 'json']).trim().split('\n').join(',')}]`,
    ) as Array<Record<string, string>>;
    await expect(usage.locator('tr[data-kind="containers"] td').nth(0)).toHaveText(df[0]!.TotalCount!);

    // Only containers: the images and volumes other specs rely on stay out of it.
    await page.getByRole('checkbox', { name: 'Images', exact: true }).uncheck();
    await page.getByRole('checkbox', { name: 'Volumes', exact: true }).uncheck();
    await page.getByRole('button', { name: 'Review what would be removed' }).click();
    const list = page.getByRole('table', { name: 'Would be removed' });
    await expect(list.getByRole('rowheader', { name: stopped })).toBeVisible();
    await expect(list).not.toContainText(running);
    await page.getByRole('button', { name: /^Remove \d+ items?$/ }).click();
    await expect(page.getByRole('status').filter({ hasText: /Removed \d+, reclaimed/ })).toBeVisible();
    const left = berthCli(env, ['ps', '-a', '--format', 'json']);
    expect(left).toContain(running);
    expect(left).not.toContain(stopped);
  });
});
