/**
 * The Electron app through Playwright's _electron, where an Electron binary
 * exists. Installs here use ELECTRON_SKIP_BINARY_DOWNLOAD=1, so the test
 * skips and says so in the suite output.
 *
 * Note: the `electron` package's index.js *downloads* the binary when it is
 * missing (and throws "Electron failed to install correctly" when it cannot).
 * A test run must never fetch anything, so the binary is looked for on disk
 * first and `require('electron')` is only called when it is there.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { _electron as electron, expect, test } from '@playwright/test';
import { e2eEnv } from '../support/env';
import { kernelCgroupMode } from '../support/kernel';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const SKIP_REASON =
  'Electron binary not present (installed with ELECTRON_SKIP_BINARY_DOWNLOAD=1); the Electron e2e project was skipped';

function electronBinary(): string | null {
  const require = createRequire(import.meta.url);
  if (!process.env.ELECTRON_OVERRIDE_DIST_PATH) {
    let pkgDir: string;
    try {
      pkgDir = path.dirname(require.resolve('electron/package.json'));
    } catch {
      return null;
    }
    const pathTxt = path.join(pkgDir, 'path.txt');
    if (!fs.existsSync(pathTxt)) return null;
    if (!fs.existsSync(path.join(pkgDir, 'dist', fs.readFileSync(pathTxt, 'utf8').trim()))) return null;
  }
  try {
    const bin: unknown = require('electron');
    return typeof bin === 'string' && fs.existsSync(bin) ? bin : null;
  } catch {
    return null; // "Electron failed to install correctly"
  }
}

test('the Electron window shows the System page through window.berth', async () => {
  const binary = electronBinary();
  if (!binary) {
    console.log(SKIP_REASON);
    test.skip(true, SKIP_REASON);
    return;
  }
  const env = e2eEnv();
  const app = await electron.launch({
    executablePath: binary,
    // Chromium refuses to run as root with its sandbox; the renderer stays contextIsolated and without Node.
    args: [...(process.getuid?.() === 0 ? ['--no-sandbox'] : []), '.'],
    cwd: ROOT,
    // Share the suite's own helper (global setup's run dir), never a developer's.
    env: { ...process.env, BERTH_RUN_DIR: env.runDir, BERTH_DATA_ROOT: env.dataRoot } as Record<string, string>,
  });
  try {
    const win = await app.firstWindow();
    await win.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'System', exact: true }).click();
    const mode = kernelCgroupMode();
    await expect(win.getByRole('status', { name: /^cgroup mode / })).toHaveAccessibleName(`cgroup mode ${mode}`);
    expect(await win.evaluate(() => typeof (globalThis as unknown as { berth?: unknown }).berth)).toBe('object');
    expect(await win.evaluate(() => typeof (globalThis as unknown as { require?: unknown }).require)).toBe('undefined');
    expect(await win.evaluate(() => typeof (globalThis as unknown as { process?: unknown }).process)).toBe('undefined');
    await expect(win.getByTestId('transport')).toContainText(/^electron/);
  } finally {
    await app.close();
  }
});
