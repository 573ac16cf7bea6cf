/**
 * Web mode end to end: the Pull dialog against a real registry. Debian's
 * docker-registry runs on loopback (main/testing/registry.ts) in this test
 * process; the suite's helper (started by e2e/global-setup.ts) reaches it
 * over plain HTTP, as it does any loopback registry. The busybox test image
 * is placed there with skopeo, then pulled through the dialog.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { writeBusyboxSave } from '../../main/testing/oci/two-layer-busybox';
import {
  registryToolsMissing,
  skopeoPushArchive,
  startTestRegistry,
  type TestRegistry,
} from '../../main/testing/registry';
import { e2eEnv, type E2eEnv } from '../support/env';
import { ImagesPage } from '../support/images';
import { BerthShell } from '../support/pages';
import { ROOT } from '../support/server';

test.describe.configure({ mode: 'serial' });

const missing = registryToolsMissing();
let env: E2eEnv;
let reg: TestRegistry | undefined;
let dir: string;
let ref: string;

function cli(args: string[]): string {
  return execFileSync(process.execPath, [path.join(ROOT, 'bin', 'berth.js'), ...args], {
    env: { ...process.env, BERTH_RUN_DIR: env.runDir, BERTH_DATA_ROOT: env.dataRoot },
    encoding: 'utf8',
  });
}

test.beforeAll(async () => {
  test.skip(missing !== undefined, missing);
  env = e2eEnv();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-e2e-pull-'));
  reg = await startTestRegistry();
  // The 2-layer busybox image (a plain layer, a gzip one with an added file and a whiteout).
  const tar = path.join(dir, 'busybox.tar');
  await writeBusyboxSave(tar, { tag: 'e2e/pulled:1' });
  ref = `${reg.host}/e2e/pulled:1`;
  await skopeoPushArchive(tar, ref);
});

test.afterAll(async () => {
  if (env && ref) {
    try {
      cli(['rmi', ref]);
    } catch {
      // not pulled (the test failed before): nothing to remove
    }
  }
  await reg?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test('the Pull dialog pulls from a loopback registry, shows per-layer progress, and the image is listed', async ({
  page,
}) => {
  await page.goto(env.url);
  await new BerthShell(page).navLink('Images').click();
  const images = new ImagesPage(page);
  await images.heading.waitFor();
  await expect(images.row(ref)).toHaveCount(0);

  await page.getByRole('button', { name: 'Pull…' }).click();
  const dialog = images.dialog('Pull an image');
  await dialog.getByRole('textbox', { name: 'Reference' }).fill(ref);
  await dialog.getByRole('button', { name: 'Pull', exact: true }).click();

  // One bar per layer, each finished, and the final status naming the tag.
  const status = dialog.getByRole('status', { name: 'pull status' });
  const escaped = ref.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  await expect(status).toHaveText(new RegExp(`^Pulled ${escaped} \\(linux/`), { timeout: 60_000 });
  const bars = dialog.getByRole('list', { name: 'layers' }).getByRole('listitem');
  await expect(bars).toHaveCount(2);
  for (const bar of await bars.all()) {
    await expect(bar).toContainText('Download complete');
    const progress = bar.getByRole('progressbar');
    const max = await progress.getAttribute('max');
    expect(Number(max)).toBeGreaterThan(0);
    await expect(progress).toHaveAttribute('value', max!);
  }

  await dialog.getByRole('button', { name: 'Close', exact: true }).first().click();
  await expect(dialog).toBeHidden();
  await expect(images.row(ref)).toBeVisible();
  // The store has it (the CLI asks the same helper).
  expect(cli(['images', '--format', '{{.Repository}}:{{.Tag}}'])).toContain(ref);
});
