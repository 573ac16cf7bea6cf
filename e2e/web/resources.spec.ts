/**
 * Resources and limits end to end (web mode): a CPU-busy busybox started
 * through the page's own API, its live row and charts, and a memory limit set
 * in the limits editor checked against the kernel's file on disk — the path
 * is the one the UI shows next to the control. Then a value the kernel must
 * refuse (v1: EBUSY below usage), and Undo.
 */
import fs from 'node:fs';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { shotsDir } from '../support/artifacts';
import { e2eEnv, type E2eEnv } from '../support/env';
import { kernelCgroupMode } from '../support/kernel';
import { ContainerResources, ResourcesOverview, invokeInPage, startBusyLoop } from '../support/resources';

let env: E2eEnv;
test.beforeAll(() => {
  env = e2eEnv();
});

const MiB = 1024 * 1024;
const NAME = `res-e2e-${process.pid}`;
const SHOTS = shotsDir();

/** The file's content as the kernel answers a read now. */
function readKernelFile(file: string): string {
  return fs.readFileSync(file, 'utf8').trim();
}

/**
 * The content pane scrolls, not the document: grow the viewport to the
 * content's height, then shoot the page (or one element of it).
 */
async function shot(page: Page, path: string, element?: Locator): Promise<void> {
  const h = await page.locator('main.content').evaluate((el) => el.scrollHeight);
  await page.setViewportSize({ width: 1280, height: Math.min(8000, Math.max(820, h + 40)) });
  if (element) await element.screenshot({ path });
  else await page.screenshot({ path });
  await page.setViewportSize({ width: 1280, height: 820 });
}

test.describe.serial('Resources', () => {
  let id = '';
  // Generous: these run on shared, busy CI hosts (every step waits on a real kernel and a real helper).
  test.describe.configure({ timeout: 180_000 });

  test.afterAll(async ({ browser }) => {
    if (!id) return;
    // The busy loop would eat a CPU for the rest of the suite; the global teardown removes leftovers too.
    const page = await browser.newPage();
    try {
      await page.goto(env.url);
      await invokeInPage(page, 'containers.remove', { id, force: true });
    } finally {
      await page.close();
    }
  });

  test('the overview lists the running container with live numbers and charts', async ({ page }) => {
    await page.goto(env.url);
    id = await startBusyLoop(page, NAME, { memoryMax: 64 * MiB, cpus: 0.25 });
    expect(id).toMatch(/^[0-9a-f]{64}$/);

    await page.goto(`${env.origin}/#/resources`);
    const overview = new ResourcesOverview(page);
    await expect(overview.heading).toBeVisible();
    const row = overview.row(NAME);
    await expect(row).toBeVisible();
    // CPU %, memory used / limit (64 MiB as created), pids of the busy loop.
    await expect(row.getByRole('cell').nth(0)).toHaveText(/^\d+\.\d %$/);
    await expect(row.getByRole('cell').nth(1)).toContainText('/ 64 MiB');
    await expect(row.getByRole('cell').nth(2)).toHaveText(/^[1-9]\d*$/);
    // Small charts: an SVG path per series, drawn from history + events.
    for (const what of ['CPU', 'Memory'] as const) {
      await expect(overview.sparkline(NAME, what)).toBeVisible();
      await expect(overview.sparkline(NAME, what).locator('path')).toHaveAttribute('d', /^M[\d.]+ [\d.]+L/);
    }
    await overview.window('15 min').click();
    await expect(overview.window('15 min')).toHaveAttribute('aria-checked', 'true');
    await expect(overview.window('5 min')).toHaveAttribute('aria-checked', 'false');
    await overview.window('1 min').click();
    await expect(overview.window('1 min')).toHaveAttribute('aria-checked', 'true');
    // A few ticks so the charts have a line worth a screenshot.
    await page.waitForTimeout(3000);
    await shot(page, `${SHOTS}/berth-resources-overview.png`);

    // The name links to the container's own view.
    await row.getByRole('link', { name: NAME, exact: true }).click();
    await expect(new ContainerResources(page).heading(NAME)).toBeVisible();
  });

  test('a memory limit set in the editor is what the kernel file holds, and shows on the chart', async ({ page }) => {
    test.skip(!id, 'needs the container of the previous test');
    await page.goto(env.url);
    // The path form of the link (rewritten for today's exact-match router).
    await page.goto(`${env.origin}/#/resources/${id}`);
    const view = new ContainerResources(page);
    await expect(view.heading(NAME)).toBeVisible();

    // The read-back before: 64 MiB from the create request, in memory.max's kernel file.
    await expect(view.readBack('memory.max')).toHaveText(String(64 * MiB));
    const file = (await view.kernelFile('memory.max').textContent())!.trim();
    expect(file).toMatch(/^\/sys\/fs\/cgroup\/.+\/memory\.(limit_in_bytes|max)$/);
    expect(file).toContain(id);
    expect(readKernelFile(file)).toBe(String(64 * MiB));
    await expect(view.memoryLimitLine).toContainText('64 MiB');

    // Keyboard on the hard-limit handle: +1 MiB per arrow, pending until Apply; then discard.
    await view.hardHandle.focus();
    await page.keyboard.press('ArrowRight');
    await expect(view.hardHandle).toHaveAttribute('aria-valuetext', '65 MiB');
    await expect(view.hardLimitInput).toHaveValue('65');
    await expect(view.row('memory.max')).toContainText('pending');
    await view.button('Discard edits').click();
    await expect(view.hardLimitInput).toHaveValue('64');

    // 96 MiB through the numeric input, Apply: the kernel's answer is shown and is on disk.
    await view.setHardLimit('96', 'MiB');
    await expect(view.hardHandle).toHaveAttribute('aria-valuetext', '96 MiB');
    await view.button('Apply').click();
    await expect(view.readBack('memory.max')).toHaveText('100663296');
    await expect(view.row('memory.max')).not.toContainText('pending');
    const shown = (await view.readBack('memory.max').textContent())!.trim();
    expect(readKernelFile(file)).toBe(shown);
    await expect(view.kernelFile('memory.max')).toHaveText(file);

    // The memory chart draws the new hard limit (charts off screen redraw when scrolled back into view).
    await view.memoryChart.scrollIntoViewIfNeeded();
    await expect(view.memoryLimitLine).toContainText('96 MiB');
    await expect(view.memoryChart.getByRole('list', { name: 'Memory limits' })).toContainText('hard limit 96 MiB');

    await page.waitForTimeout(1500);
    await shot(page, `${SHOTS}/berth-resources-tab.png`, view.usage);

    if (kernelCgroupMode() === 'v2') {
      // v2 does not refuse memory.max below usage: it reclaims, then OOM-kills. Nothing to refuse here.
      test
        .info()
        .annotations.push({ type: 'skipped-part', description: 'kernel refusal needs a v1 memory controller' });
      await shot(page, `${SHOTS}/berth-resources-limits.png`, view.limits);
    } else {
      // 1 KiB while the loop uses more: the kernel refuses (EBUSY) and 96 MiB stays in force.
      await view.setHardLimit('1', 'KiB');
      await view.button('Apply').click();
      const alert = view.applyError.getByRole('alert');
      await expect(alert.getByTestId('error-code')).toHaveText('CGROUP_LIMIT_REFUSED');
      await expect(alert.getByTestId('error-message')).toContainText('"1024"');
      await expect(alert.getByTestId('error-message')).toContainText('the previous value "100663296" stays in force');
      await expect(view.readBack('memory.max')).toHaveText('100663296');
      expect(readKernelFile(file)).toBe('100663296');
      // The refused edit stays pending, next to the value in force.
      await expect(view.row('memory.max')).toContainText('pending');
      await shot(page, `${SHOTS}/berth-resources-limits.png`, view.limits);
    }

    // Undo re-applies what was in force before the last Apply (64 MiB).
    await view.button('Undo').click();
    await expect(view.readBack('memory.max')).toHaveText(String(64 * MiB));
    expect(readKernelFile(file)).toBe(String(64 * MiB));
    await expect(view.button('Undo')).toBeDisabled();
    await view.memoryChart.scrollIntoViewIfNeeded();
    await expect(view.memoryLimitLine).toContainText('64 MiB');
  });
});
