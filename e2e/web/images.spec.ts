/**
 * Web mode end to end: the Images page and the Layer inspector against the
 * suite's own helper (e2e/global-setup.ts loaded busybox:latest from
 * BERTH_E2E_IMAGE_TAR). Archives are dropped on the window as a desktop
 * drag would (a DataTransfer holding a File), streamed by the browser with
 * images.ingest.* (the chunks as raw-byte PUTs, web mode's byte path), and
 * checked in the store and in the inspector.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { MAX_PUT_CHUNK_BYTES } from '../../preload/api';
import { writeBusyboxImage } from '../../main/testing/busybox-image';
import { writeBusyboxSave } from '../../main/testing/oci/two-layer-busybox';
import { e2eEnv, ENV_KEYS, type E2eEnv } from '../support/env';
import { dropFile, ImagesPage, LayerInspector, recordIngest } from '../support/images';
import { BerthShell } from '../support/pages';
import { ROOT } from '../support/server';

test.describe.configure({ mode: 'serial' });

let env: E2eEnv;
let dir: string;
let droppedTar: string;
let whiteoutTar: string;

test.beforeAll(async () => {
  env = e2eEnv();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-e2e-images-'));
  droppedTar = path.join(dir, 'dropped.tar');
  whiteoutTar = path.join(dir, 'whiteout.tar');
  await writeBusyboxImage(droppedTar, 'e2e/dropped:1');
  await writeBusyboxSave(whiteoutTar, { tag: 'e2e/whiteout:1' });
});

test.afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

/** The berth CLI against the suite's helper. */
function cli(args: string[]): string {
  return execFileSync(process.execPath, [path.join(ROOT, 'bin', 'berth.js'), ...args], {
    env: { ...process.env, BERTH_RUN_DIR: env.runDir, BERTH_DATA_ROOT: env.dataRoot },
    encoding: 'utf8',
  });
}

async function openImages(page: Page): Promise<ImagesPage> {
  await page.goto(env.url);
  await new BerthShell(page).navLink('Images').click();
  const images = new ImagesPage(page);
  await images.heading.waitFor();
  return images;
}

async function screenshot(page: Page, envKey: string, file: string, testInfo: { outputPath(f: string): string }) {
  const contentHeight = await page.locator('main.content').evaluate((el) => el.scrollHeight);
  await page.setViewportSize({ width: 1280, height: Math.min(1600, Math.max(820, contentHeight + 40)) });
  await page.screenshot({ path: process.env[envKey] ?? testInfo.outputPath(file) });
}

test('the Images page lists busybox:latest from the store', async ({ page }) => {
  const images = await openImages(page);
  await expect(new BerthShell(page).navLink('Images')).toHaveAttribute('aria-current', 'page');
  const row = images.row('busybox:latest');
  await expect(row).toBeVisible();
  const cells = row.getByRole('cell');
  await expect(cells.nth(0)).toHaveText(/^[0-9a-f]{12}$/); // short ID
  await expect(cells.nth(1)).toHaveText(/^\d+(\.\d)? (B|KiB|MiB)$/); // size
  await expect(cells.nth(3)).toHaveText('—'); // used by nobody
  await expect(images.table.getByRole('columnheader')).toHaveText([
    'Repository:tag',
    'Image ID',
    'Size',
    'Created',
    'Used by',
    'Actions',
  ]);
});

test('dropping an archive on the window uploads it in offset-checked chunks and loads it', async ({ page }) => {
  const traffic = recordIngest(page);
  const images = await openImages(page);
  await expect(images.row('busybox:latest')).toBeVisible();
  await expect(images.row('e2e/dropped:1')).toHaveCount(0);

  await dropFile(page, droppedTar);
  const t = await images.waitLoaded('dropped.tar');
  await expect(t.getByRole('status')).toHaveText('Loaded e2e/dropped:1');
  await expect(t.getByRole('progressbar', { name: 'Loading dropped.tar' })).toHaveAttribute('value', '1');
  // images.changed refreshed the list: no reload, no click.
  await expect(images.row('e2e/dropped:1')).toBeVisible();

  const size = fs.statSync(droppedTar).size;
  const offsets = traffic.chunkOffsets();
  expect(offsets).toEqual(
    Array.from({ length: Math.ceil(size / MAX_PUT_CHUNK_BYTES) }, (_, i) => i * MAX_PUT_CHUNK_BYTES),
  );
  // The helper's phases reached this page under the opId the upload announced.
  const mine = traffic.progress().filter((p) => p.opId.startsWith('load-'));
  const phases = [...new Set(mine.map((p) => p.phase))];
  expect(phases).toEqual(expect.arrayContaining(['verify', 'unpack', 'done']));
  expect(new Set(mine.map((p) => p.opId)).size).toBe(1);

  // The suite's busybox tar again: loading is idempotent, the row stays.
  const again = process.env[ENV_KEYS.imageTar];
  expect(again, `${ENV_KEYS.imageTar} is set by the global setup`).toBeTruthy();
  await dropFile(page, again!);
  await expect(images.transfer(path.basename(again!)).getByRole('status')).toHaveText('Loaded busybox:latest', {
    timeout: 60_000,
  });
  await expect(images.row('busybox:latest')).toHaveCount(1);
});

test('a file that is no image archive: the load fails with the engine code, nothing is added', async ({ page }) => {
  const images = await openImages(page);
  const before = await images.table.getByRole('row').count();
  const junk = path.join(dir, 'not-an-image.tar');
  fs.writeFileSync(junk, 'this is not a tar archive\n'.repeat(100));
  await dropFile(page, junk);
  const t = images.transfer('not-an-image.tar');
  await expect(t).toHaveAttribute('data-phase', 'error', { timeout: 60_000 });
  await expect(t.getByRole('status')).toHaveText('Load failed');
  const code = t.getByRole('alert').getByTestId('error-code');
  await expect(code).toHaveText(/^[A-Z][A-Z_]+$/);
  await expect(code).not.toHaveText('INTERNAL');
  await expect(t.getByRole('alert').getByTestId('error-message')).not.toBeEmpty();
  await t.getByRole('button', { name: 'Dismiss not-an-image.tar' }).click();
  await expect(t).toHaveCount(0);
  await expect(images.table.getByRole('row')).toHaveCount(before);
});

test('a 2-layer image dropped on the window: the inspector shows its command, an added file and a whiteout', async ({
  page,
}, testInfo) => {
  const images = await openImages(page);
  await dropFile(page, whiteoutTar);
  await images.waitLoaded('whiteout.tar');
  await expect(images.row('e2e/whiteout:1')).toBeVisible();
  await screenshot(page, 'BERTH_E2E_IMAGES_SCREENSHOT', 'images.png', testInfo);
  await page.setViewportSize({ width: 1280, height: 820 });

  await images.action('e2e/whiteout:1', 'Inspect');
  const insp = new LayerInspector(page);
  await insp.heading.waitFor();
  // The details path form: the router hands /images/<id>/layers to the Images route.
  await expect(page).toHaveURL(/#\/images\/sha256%3A[0-9a-f]{64}\/layers$/);
  await expect(insp.layers.getByRole('row')).toHaveCount(3); // header + 2 layers
  await expect(insp.layers.getByRole('cell', { name: 'ADD busybox-rootfs.tar /' })).toBeVisible();
  await expect(insp.layers.getByRole('cell', { name: 'COPY hello.sh /app/' })).toBeVisible();
  // dive's numbers: etc/motd (8 bytes) is stored in layer 1 and whited out in layer 2.
  await expect(insp.efficiency).toHaveText('> 99.9 %');
  await expect(page.getByTestId('wasted-bytes')).toHaveText('8 B');
  const motdWaste = insp.wastefulPaths.getByRole('row').filter({ hasText: '/etc/motd' });
  await expect(motdWaste.getByRole('cell')).toHaveText(['/etc/motd', '2', '8 B']);

  // Layer 2 (the top one) is selected first: /etc/motd is whited out.
  await expect(insp.layers.getByRole('button', { name: 'Layer 2', exact: true })).toHaveAttribute(
    'aria-pressed',
    'true',
  );
  const motd = insp.entry('/etc/motd');
  await expect(motd).toHaveAttribute('data-change', 'removed');
  await expect(motd).toHaveAccessibleName(/^motd, removed, file/);
  await expect(motd.locator('.lyr-ft-mark')).toHaveText('R');
  await expect(insp.entry('/app/hello.sh')).toHaveAttribute('data-change', 'added');
  await expect(insp.entry('/bin/busybox')).toHaveAttribute('data-change', 'unchanged');

  // Only this layer's changes: busybox is not among them, motd is.
  await insp.view("This layer's changes").click();
  await expect(insp.entry('/etc/motd')).toHaveAttribute('data-change', 'removed');
  await expect(insp.entry('/bin/busybox')).toHaveCount(0);

  // Layer 1: motd is there, added.
  await insp.selectLayer(1);
  await insp.view('Merged up to this layer').click();
  await expect(insp.entry('/etc/motd')).toHaveAttribute('data-change', 'added');

  // File contents as of the selected layer, read from the store's blobs by the helper.
  let preview = await insp.open('/etc/motd');
  await expect(preview.getByTestId('preview-text')).toHaveText('welcome\n');
  await expect(preview.getByTestId('preview-note')).toContainText('all 8 bytes');
  await insp.selectLayer(2);
  await expect(preview.getByTestId('preview-note')).toHaveText('Removed in this layer (whiteout etc/.wh.motd).');
  preview = await insp.open('/etc/passwd');
  await expect(preview.getByTestId('preview-text')).toHaveText('root:x:0:0:root:/root:/bin/sh\n');
  await expect(preview.getByTestId('preview-note')).toContainText('in layer 1');
  preview = await insp.open('/bin/busybox');
  await expect(preview.getByTestId('preview-hex')).toContainText('00000000  7f 45 4c 46');
  await expect(preview.getByTestId('preview-note')).toContainText(
    /Binary: hex dump of the first 4,096 of [\d,]+ bytes/,
  );
  preview = await insp.open('/bin/sh');
  await expect(preview.getByTestId('preview-note')).toHaveText('Symbolic link to busybox, in layer 1; not followed.');
  await insp.pathFilter.fill('');

  // Compare this image with busybox:latest of the store (berth layers --compare's engine code).
  const compare = page.getByRole('region', { name: 'Compare' });
  const choice = compare.getByRole('option', { name: /^busybox:latest / });
  await compare.getByLabel('Compare with').selectOption({ value: (await choice.getAttribute('value')) ?? '' });
  await compare.getByRole('button', { name: 'Compare' }).click();
  await expect(compare.getByTestId('compare-summary')).toContainText('e2e/whiteout:1 → busybox:latest', {
    timeout: 60_000,
  });
  await expect(compare.getByTestId('compare-summary')).toContainText(/image size .+ → .+ \([+−]/);
  const diffs = compare.getByRole('table', { name: 'Differences' });
  await expect(diffs.locator('tr[data-change="removed"]').filter({ hasText: '/app/hello.sh' })).toHaveCount(1);

  await screenshot(page, 'BERTH_E2E_LAYERS_SCREENSHOT', 'layers.png', testInfo);
});

test('the inspector of the dropped busybox image: its command, and bin/busybox added (filtered)', async ({ page }) => {
  const images = await openImages(page);
  await images.action('e2e/dropped:1', 'Inspect');
  const insp = new LayerInspector(page);
  await insp.heading.waitFor();
  await expect(insp.layers.getByRole('cell', { name: 'ADD busybox rootfs /' })).toBeVisible();
  // Hundreds of applet links: the tree is windowed, so filter to reach bin/busybox.
  await insp.pathFilter.fill('busybox');
  const bb = insp.entry('/bin/busybox');
  await expect(bb).toHaveAttribute('data-change', 'added');
  await expect(bb).toHaveAccessibleName(/^busybox, added, file, /);
  await expect(bb.locator('.lyr-ft-mark')).toHaveText('A');
  await expect(insp.tree.getByRole('treeitem')).toHaveCount(2); // /bin and /bin/busybox
  // A glob on the name: every applet symlink of /bin whose name ends in "sh".
  await insp.pathFilter.fill('*sh');
  await expect(insp.entry('/bin/sh')).toBeVisible();
  await expect(insp.entry('/bin/busybox')).toHaveCount(0);
  // The tree renders a window of rows, not all of them.
  await insp.pathFilter.fill('');
  const rendered = await insp.tree.getByRole('treeitem').count();
  const status = await page
    .getByRole('status')
    .filter({ hasText: /entries/ })
    .textContent();
  const total = Number(/([\d,]+) entries/.exec(status ?? '')?.[1]?.replace(/,/g, ''));
  expect(total).toBeGreaterThan(100); // every applet of the host busybox is a symlink in /bin
  expect(rendered).toBeLessThan(total);
});

test('Tag validates inline, then tags; Remove of a second tag only untags', async ({ page }) => {
  const images = await openImages(page);
  await images.action('busybox:latest', 'Tag');
  const dialog = images.dialog('Tag busybox:latest');
  const input = dialog.getByRole('textbox', { name: 'New tag' });
  await input.fill('Bad Name');
  await expect(input).toHaveAttribute('aria-invalid', 'true');
  await expect(dialog.getByRole('alert')).toContainText('no spaces');
  await expect(dialog.getByRole('button', { name: 'Tag', exact: true })).toBeDisabled();
  await input.fill('e2e/UPPER');
  await expect(dialog.getByRole('alert')).toContainText('lowercase');
  await input.fill('e2e/tagged:2');
  await expect(input).toHaveAttribute('aria-invalid', 'false');
  await dialog.getByRole('button', { name: 'Tag', exact: true }).click();
  await expect(dialog).toBeHidden();
  const tagged = images.row('e2e/tagged:2');
  await expect(tagged).toBeVisible();
  const busyboxId = await images.row('busybox:latest').getByRole('cell').first().textContent();
  await expect(tagged.getByRole('cell').first()).toHaveText(busyboxId ?? '');

  // A second tag of busybox: Remove only untags it.
  await images.action('e2e/tagged:2', 'Remove');
  const rm = images.dialog('Remove e2e/tagged:2?');
  await expect(rm).toContainText('Removes the tag');
  await rm.getByRole('button', { name: 'Remove', exact: true }).click();
  await expect(images.row('e2e/tagged:2')).toHaveCount(0);
  await expect(images.row('busybox:latest')).toBeVisible();
});

test('Remove: IMAGE_IN_USE naming the container while one uses the image; then it deletes the image', async ({
  page,
}) => {
  const name = `e2e-inuse-${process.pid}`;
  cli(['create', '--name', name, 'e2e/whiteout:1', 'true']);
  try {
    const images = await openImages(page);
    const row = images.row('e2e/whiteout:1');
    await expect(row.getByRole('cell').nth(3)).not.toHaveText('—');
    await images.action('e2e/whiteout:1', 'Remove');
    const rm = images.dialog('Remove e2e/whiteout:1?');
    await expect(rm).toContainText('Used by container');
    await rm.getByRole('button', { name: 'Remove', exact: true }).click();
    const alert = rm.getByRole('alert');
    await expect(alert.getByTestId('error-code')).toHaveText('IMAGE_IN_USE');
    await expect(alert.getByTestId('error-message')).toContainText('in use by container');
    await expect(rm).toContainText(name);
    await rm.getByRole('button', { name: 'Cancel' }).click();
    await expect(rm).toBeHidden();
    await expect(images.row('e2e/whiteout:1')).toBeVisible();
  } finally {
    cli(['rm', '-f', name]);
  }

  // The container is gone: the same Remove deletes the image, and its row disappears.
  const images = await openImages(page);
  await expect(images.row('e2e/whiteout:1').getByRole('cell').nth(3)).toHaveText('—');
  await images.action('e2e/whiteout:1', 'Remove');
  const rm = images.dialog('Remove e2e/whiteout:1?');
  await expect(rm).toContainText('Deletes image');
  await rm.getByRole('button', { name: 'Remove', exact: true }).click();
  await expect(rm).toBeHidden();
  await expect(images.row('e2e/whiteout:1')).toHaveCount(0);
  expect(cli(['images', '--format', '{{.Repository}}:{{.Tag}}'])).not.toContain('e2e/whiteout');
});

test('Save writes a docker save archive at a host path typed in the dialog', async ({ page }) => {
  const images = await openImages(page);
  const out = path.join(dir, 'saved', 'busybox-saved.tar');
  fs.mkdirSync(path.dirname(out));
  await images.action('busybox:latest', 'Save');
  const dialog = images.dialog('Save busybox:latest');
  await expect(dialog).toContainText('not downloaded to this browser');
  const field = dialog.getByRole('textbox', { name: 'Path on the host' });
  await field.fill('relative.tar');
  await expect(field).toHaveAttribute('aria-invalid', 'true');
  await field.fill(out);
  await dialog.getByRole('button', { name: 'Save', exact: true }).click();
  const t = dialog.getByTestId('transfer');
  await expect(t).toHaveAttribute('data-phase', 'done', { timeout: 60_000 });
  await expect(t.getByRole('status')).toContainText(`to ${out}`);
  expect(fs.statSync(out).size).toBeGreaterThan(100_000);
  await dialog.getByRole('button', { name: 'Close', exact: true }).first().click();
});

test('an archive dropped on the inspector (web mode) is uploaded to main and analysed, not loaded', async ({
  page,
}) => {
  const notLoaded = path.join(dir, 'inspect-only.tar');
  await writeBusyboxSave(notLoaded, { tag: 'e2e/inspect-only:1' });
  const sent: Array<{ method: string; offset?: number }> = [];
  page.on('request', (req) => {
    const url = new URL(req.url());
    if (req.method() === 'PUT' && url.pathname.startsWith('/chunks/')) {
      sent.push({ method: url.pathname.slice('/chunks/'.length), offset: Number(url.searchParams.get('offset')) });
    }
  });
  page.on('websocket', (ws) =>
    ws.on('framesent', (f) => {
      if (typeof f.payload !== 'string') return;
      const m = JSON.parse(f.payload) as { method?: string; params?: { offset?: number } };
      if (
        m.method?.startsWith('uploads.') ||
        m.method?.startsWith('layers.') ||
        m.method?.startsWith('images.ingest')
      ) {
        sent.push({ method: m.method, ...(m.params?.offset === undefined ? {} : { offset: m.params.offset }) });
      }
    }),
  );
  await page.goto(env.url);
  await new BerthShell(page).navLink('Layers').click();
  const insp = new LayerInspector(page);
  await insp.heading.waitFor();
  await dropFile(page, notLoaded);

  await expect(page.getByText('not loaded', { exact: true })).toBeVisible({ timeout: 60_000 });
  await expect(insp.layers.getByRole('row')).toHaveCount(3); // header + 2 layers
  await expect(insp.layers.getByRole('cell', { name: 'COPY hello.sh /app/' })).toBeVisible();
  await expect(insp.layers.getByRole('button', { name: 'Layer 2', exact: true })).toHaveAttribute(
    'aria-pressed',
    'true',
  );
  const hello = insp.entry('/app/hello.sh');
  await expect(hello).toHaveAttribute('data-change', 'added');
  await expect(hello.locator('.lyr-ft-mark')).toHaveText('A');
  const motd = insp.entry('/etc/motd');
  await expect(motd).toHaveAttribute('data-change', 'removed');
  await expect(motd.locator('.lyr-ft-mark')).toHaveText('R');
  // The upload is kept while its analysis is shown: a file's contents come from it.
  const preview = await insp.open('/app/hello.sh');
  await expect(preview.getByTestId('preview-text')).toHaveText('#!/bin/sh\necho hello from berth\n');
  await expect(preview.getByTestId('preview-note')).toContainText('in this layer');

  // The bytes went to main's uploads (offset-checked), never to the helper's ingest.
  const size = fs.statSync(notLoaded).size;
  expect(sent.filter((m) => m.method === 'uploads.chunk').map((m) => m.offset)).toEqual(
    Array.from({ length: Math.ceil(size / MAX_PUT_CHUNK_BYTES) }, (_, i) => i * MAX_PUT_CHUNK_BYTES),
  );
  expect(sent.map((m) => m.method)).toEqual(
    expect.arrayContaining(['uploads.begin', 'layers.summarizeUpload', 'layers.changes', 'layers.readFile']),
  );
  expect(sent.some((m) => m.method.startsWith('images.ingest'))).toBe(false);
  // And the store does not have it.
  expect(cli(['images', '--format', '{{.Repository}}:{{.Tag}}'])).not.toContain('e2e/inspect-only');
  const images = await openImages(page);
  await expect(images.row('busybox:latest')).toBeVisible();
  await expect(images.row('e2e/inspect-only:1')).toHaveCount(0);
});
