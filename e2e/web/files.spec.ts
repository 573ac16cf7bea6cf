/**
 * The Files tab end to end in web mode against a real helper: browse a
 * running container's directories, download a file and a folder (as tar),
 * upload a file picked and one dropped into the shown directory, and check
 * with the CLI that it landed in the container with its bytes. Then the
 * same browse and download on the container once stopped (its overlay).
 */
import { expect, test, type Page } from '@playwright/test';
import { berthCli, ContainerDetails, ContainersPage } from '../support/containers';
import { e2eEnv, type E2eEnv } from '../support/env';
import { BerthShell } from '../support/pages';

let env: E2eEnv;
test.beforeAll(() => {
  env = e2eEnv();
});

const made: string[] = [];
test.afterEach(() => {
  for (const name of made.splice(0)) {
    try {
      berthCli(env, ['rm', '-f', name]);
    } catch {
      // already gone
    }
  }
});

async function openFiles(page: Page, name: string): Promise<ContainerDetails> {
  await page.goto(env.url);
  await new BerthShell(page).navLink('Containers').click();
  const containers = new ContainersPage(page);
  await containers.heading.waitFor();
  await containers.show('All');
  await containers.row(name).getByRole('link', { name, exact: true }).click();
  const details = new ContainerDetails(page);
  await expect(details.heading(name)).toBeVisible();
  await details.tab('Files').click();
  return details;
}

async function downloaded(page: Page, click: () => Promise<void>): Promise<{ name: string; bytes: Buffer }> {
  const [dl] = await Promise.all([page.waitForEvent('download'), click()]);
  const stream = await dl.createReadStream();
  const parts: Buffer[] = [];
  for await (const c of stream) parts.push(c as Buffer);
  return { name: dl.suggestedFilename(), bytes: Buffer.concat(parts) };
}

test('Files tab: browse, download a file and a folder, upload picked and dropped files', async ({ page }) => {
  test.setTimeout(120_000);
  const name = `e2e-files-${Date.now().toString(36)}`;
  made.push(name);
  berthCli(env, ['run', '-d', '--network', 'none', '--name', name, 'busybox', 'sleep', '600']);
  berthCli(env, ['exec', name, 'sh', '-c', 'mkdir -p /data/sub && echo hello-files > /data/sub/greeting.txt']);

  const details = await openFiles(page, name);
  const browser = page.getByRole('region', { name: 'container files' });
  await expect(browser.getByRole('table', { name: 'entries of /' })).toBeVisible();
  await browser.getByRole('button', { name: 'data/', exact: true }).click();
  await expect(browser.getByRole('table', { name: 'entries of /data' })).toBeVisible();
  await browser.getByRole('button', { name: 'sub/', exact: true }).click();
  const table = browser.getByRole('table', { name: 'entries of /data/sub' });
  await expect(table.getByRole('row').filter({ hasText: 'greeting.txt' })).toContainText('12 B');

  // Download a file: its bytes.
  const file = await downloaded(page, () => browser.getByRole('button', { name: 'Download greeting.txt' }).click());
  expect(file).toEqual({ name: 'greeting.txt', bytes: Buffer.from('hello-files\n') });

  // Upload a picked file into the shown directory.
  await browser.getByLabel('Files to upload').setInputFiles({
    name: 'picked.txt',
    mimeType: 'text/plain',
    buffer: Buffer.from('picked bytes\n'),
  });
  await expect(table.getByRole('row').filter({ hasText: 'picked.txt' })).toBeVisible();
  expect(berthCli(env, ['exec', name, 'cat', '/data/sub/picked.txt'])).toBe('picked bytes\n');

  // Drop a file on the browser.
  const dataTransfer = await page.evaluateHandle(() => {
    const dt = new DataTransfer();
    dt.items.add(new File(['dropped bytes\n'], 'dropped.bin'));
    return dt;
  });
  await browser.dispatchEvent('drop', { dataTransfer });
  await expect(table.getByRole('row').filter({ hasText: 'dropped.bin' })).toBeVisible();
  expect(berthCli(env, ['exec', name, 'cat', '/data/sub/dropped.bin'])).toBe('dropped bytes\n');

  // The folder as a tar, once the container is stopped (its overlay, not its live root).
  berthCli(env, ['stop', '-t', '1', name]);
  await page.reload();
  await details.tab('Files').click();
  await browser.getByRole('button', { name: 'data/', exact: true }).click();
  const tar = await downloaded(page, () => browser.getByRole('button', { name: 'Download sub as tar' }).click());
  expect(tar.name).toBe('sub.tar');
  const text = tar.bytes.toString('latin1');
  for (const member of [
    'sub/',
    'sub/greeting.txt',
    'sub/picked.txt',
    'sub/dropped.bin',
    'hello-files',
    'dropped bytes',
  ])
    expect(text).toContain(member);
});

test('Commit…: the container becomes an image that runs with its changes', async ({ page }) => {
  test.setTimeout(120_000);
  const name = `e2e-commit-${Date.now().toString(36)}`;
  const repo = `${name}:v1`;
  made.push(name);
  berthCli(env, ['run', '-d', '--network', 'none', '--name', name, 'busybox', 'sleep', '600']);
  berthCli(env, ['exec', name, 'sh', '-c', 'echo committed-from-ui > /marker']);
  await openFiles(page, name);
  await page.getByRole('button', { name: 'Commit…' }).click();
  const dialog = page.getByRole('dialog', { name: `Commit ${name}` });
  await dialog.getByLabel('Repository[:tag]').fill(repo);
  await dialog.getByLabel(/^Changes/).fill('CMD ["cat", "/marker"]');
  await dialog.getByRole('button', { name: 'Commit', exact: true }).click();
  await expect(dialog.getByRole('status')).toContainText(`(${repo})`);
  const run = `${name}-run`;
  made.push(run);
  expect(berthCli(env, ['run', '--name', run, '--network', 'none', repo])).toBe('committed-from-ui\n');
  berthCli(env, ['rm', '-f', run]);
  berthCli(env, ['rmi', repo]);
});
