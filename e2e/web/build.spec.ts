/**
 * The Build page in Chromium (web mode): a context folder picked with the
 * folder input is packed into a tar in the page and uploaded to main, its
 * Containerfile shows in the editor and is edited there, the build runs on
 * the real engine (a RUN in a Berth container), each step appears live with
 * its output and, on a rebuild, its cache mark; the Pull choice, build args
 * and target reach the engine; "Inspect layers" opens the Layer inspector on
 * the result.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { e2eEnv, type E2eEnv } from '../support/env';
import { LayerInspector } from '../support/images';
import { BerthShell } from '../support/pages';

test.describe.configure({ mode: 'serial' });

let env: E2eEnv;
let dir: string;
let ctx: string;

test.beforeAll(() => {
  env = e2eEnv();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-e2e-build-'));
  ctx = path.join(dir, 'site');
  fs.mkdirSync(path.join(ctx, 'public'), { recursive: true });
  fs.writeFileSync(path.join(ctx, 'public', 'index.html'), '<h1>built in the page</h1>\n');
  fs.writeFileSync(path.join(ctx, 'Containerfile'), 'FROM busybox\nCOPY public/ /srv/\nRUN echo from-run && ls /srv\n');
});

test.afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

test('pick a folder, edit the Containerfile, build with a live log, rebuild from the cache, inspect layers', async ({
  page,
}) => {
  test.setTimeout(240_000);
  await page.goto(env.url);
  const shell = new BerthShell(page);
  await shell.navLink('Build').click();
  await expect(page.getByRole('heading', { level: 1, name: 'Build' })).toBeVisible();

  await page.getByLabel('Context folder').setInputFiles(ctx);
  await expect(page.getByTestId('build-context')).toContainText('site: 2 files');
  const editor = page.getByRole('textbox', { name: 'Containerfile' });
  await expect(editor).toHaveValue(/COPY public\/ \/srv\//);
  await editor.fill('FROM busybox\nCOPY public/ /srv/\nRUN echo from-run && ls /srv\nLABEL edited=yes\n');
  await page.getByRole('textbox', { name: 'Tag', exact: true }).fill('e2e/built:1');
  await page.getByRole('combobox', { name: 'Network' }).selectOption('none');
  // busybox is in the store: --pull=never builds from it (the default is missing).
  await page.getByRole('combobox', { name: 'Pull' }).selectOption('never');
  await expect(page.getByTestId('build-help')).toContainText('an ADD <URL> is refused');
  await page.getByRole('button', { name: 'Build', exact: true }).click();

  const log = page.getByTestId('build-log');
  await expect(log).toHaveAttribute('data-phase', 'done', { timeout: 180_000 });
  const steps = log.getByRole('listitem');
  await expect(steps).toHaveCount(4);
  await expect(steps.nth(2)).toContainText('RUN /bin/sh -c echo from-run && ls /srv');
  await expect(steps.nth(2).locator('pre')).toHaveText('from-run\nindex.html');
  await expect(steps.nth(3)).toContainText('LABEL edited=yes');
  await expect(page.getByRole('progressbar', { name: 'Build progress' })).toHaveAttribute('value', '4');

  // The same build again: every step after FROM is a cache hit, marked as such (FROM is no lookup).
  await page.getByRole('button', { name: 'Build', exact: true }).click();
  await expect(log).toHaveAttribute('data-phase', 'done', { timeout: 180_000 });
  await expect(log.locator('li[data-state="cached"]')).toHaveCount(3);
  await expect(steps.nth(0)).toHaveAttribute('data-state', 'done');
  await expect(log).toContainText('3 cache hits');

  // The page's pull choice reaches the engine: never refuses a base the store lacks, naming the line.
  await editor.fill('FROM berth-e2e/not-stored:1\nRUN true\n');
  await page.getByRole('button', { name: 'Build', exact: true }).click();
  await expect(log).toHaveAttribute('data-phase', 'error', { timeout: 60_000 });
  await expect(log).toContainText(
    'line 1: FROM berth-e2e/not-stored:1: no such stage or image in the store (--pull=never)',
  );
  // Build args and a target reach the engine: the ARG's value is in the RUN's output, the stage after the target never runs.
  await editor.fill(
    'FROM busybox AS site\nCOPY public/ /srv/\nRUN echo from-run && ls /srv\nARG WHO\nRUN echo "hi $WHO"\nFROM site AS after\nRUN false\n',
  );
  await page.getByRole('textbox', { name: 'Build args' }).fill('WHO=e2e');
  await page.getByRole('textbox', { name: 'Target stage' }).fill('site');
  await page.getByRole('button', { name: 'Build', exact: true }).click();
  await expect(log).toHaveAttribute('data-phase', 'done', { timeout: 180_000 });
  await expect(steps).toHaveCount(5);
  await expect(steps.nth(4).locator('pre')).toHaveText('hi e2e');
  await expect(log).not.toContainText('RUN /bin/sh -c false');

  await page.getByRole('link', { name: 'Inspect layers' }).click();
  const inspector = new LayerInspector(page);
  await expect(inspector.heading).toBeVisible();
  await expect(inspector.layers.getByRole('row')).toHaveCount(5); // header + busybox + COPY + RUN + RUN
  await expect(inspector.layers).toContainText('COPY public/ /srv/');
});
