/** What a spec leaves behind on purpose (screenshots) and what it must not (the containers it named). */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test, type Page, type TestInfo } from '@playwright/test';
import { berthCli } from './containers';
import type { E2eEnv } from './env';

/**
 * A screenshot taker for one area: files go to BERTH_E2E_SCREENSHOT_DIR (as
 * berth-<area>-<what>.png) or the test's output dir, and are attached to the report.
 */
export function screenshots(
  area: string,
  o: { fullPage?: boolean } = {},
): (page: Page, testInfo: TestInfo, what: string) => Promise<void> {
  return async (page, testInfo, what) => {
    const dir = process.env.BERTH_E2E_SCREENSHOT_DIR ?? testInfo.outputPath();
    const file = path.join(dir, `berth-${area}-${what}.png`);
    await page.screenshot({ path: file, ...(o.fullPage ? { fullPage: true } : {}) });
    await testInfo.attach(what, { path: file, contentType: 'image/png' });
  };
}

/**
 * Where the device and resources specs keep their named screenshots:
 * BERTH_E2E_SHOTS_DIR, or e2e/test-results/shots (Playwright's output dir, as
 * the other specs' shots). Never the temp dir: the suite's own is checked for
 * leftovers at the end, and /tmp is not the suite's to fill.
 */
export function shotsDir(): string {
  const dir =
    process.env.BERTH_E2E_SHOTS_DIR ??
    path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'test-results', 'shots');
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

export type ContainerNames = ((prefix: string) => string) & {
  /** Also remove this name or id after the test. */
  track(ref: string): void;
};

/**
 * `unique(prefix)`: a fresh container name, removed (forced) after the test
 * that made it, so a failure leaves nothing for later specs. Call at the top
 * of a spec file: it registers the afterEach hook.
 */
export function containerNames(env: () => E2eEnv): ContainerNames {
  const made: string[] = [];
  test.afterEach(() => {
    for (const name of made.splice(0)) {
      try {
        berthCli(env(), ['rm', '-f', name]);
      } catch {
        // Already removed by the test itself: the usual case.
      }
    }
  });
  const unique = (prefix: string): string => {
    const name = `${prefix}-${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
    made.push(name);
    return name;
  };
  return Object.assign(unique, { track: (ref: string) => void made.push(ref) });
}
