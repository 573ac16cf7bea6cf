/**
 * Starts web mode for the suite: `node bin/berth.js web --port 0` with its own
 * BERTH_RUN_DIR and BERTH_DATA_ROOT in fresh temp dirs (support/server.ts), so
 * the tests get their own helper (started directly: tests run as root, as CI
 * does) and never touch a developer's. The printed `Berth web UI: <url>`
 * reaches the tests through the environment (support/env.ts), which
 * Playwright hands to its workers.
 *
 * The returned function is the global teardown: it stops the server first (so
 * it cannot restart the helper), then SIGTERMs the helper named by
 * <runDir>/helper.pid, then removes the temp dirs.
 *
 * Assumes the app is built (`npm run build` runs before the suite).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeBusyboxImage } from '../main/testing/busybox-image';
import { leakReport, openRunTempDir } from '../main/testing/run-temp-dir';
import { ENV_KEYS } from './support/env';
import { ROOT, startBerthWeb } from './support/server';

export default async function globalSetup(): Promise<() => Promise<void>> {
  // The suite's temp dir (TMPDIR for the tests, berth web and its helper):
  // what is left in it at the end (a test's dir, an upload spill) fails the run.
  const tmp = openRunTempDir();
  let web: Awaited<ReturnType<typeof startBerthWeb>>;
  try {
    web = await startBerthWeb();
  } catch (e) {
    tmp.close();
    throw e;
  }
  process.env[ENV_KEYS.url] = web.url;
  process.env[ENV_KEYS.runDir] = web.runDir;
  process.env[ENV_KEYS.dataRoot] = web.dataRoot;
  // The test image: a busybox rootfs as a docker save tar, loaded into the
  // suite's own helper (BERTH_E2E_IMAGE_TAR stays for tests that drop it).
  const imageDir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-e2e-image-'));
  const imageTar = path.join(imageDir, 'busybox.tar');
  try {
    await writeBusyboxImage(imageTar, 'busybox:latest');
    process.env[ENV_KEYS.imageTar] = imageTar;
    execFileSync(process.execPath, [path.join(ROOT, 'bin', 'berth.js'), 'load', '-i', imageTar], {
      env: { ...process.env, BERTH_RUN_DIR: web.runDir, BERTH_DATA_ROOT: web.dataRoot },
      stdio: 'pipe',
    });
  } catch (e) {
    // Playwright runs no teardown when the setup throws: stop what was started.
    await web.stop();
    fs.rmSync(imageDir, { recursive: true, force: true });
    tmp.close();
    throw e;
  }
  console.log(
    `[e2e] berth web (pid ${web.pid}) at ${new URL(web.url).origin}; run dir ${web.runDir}, data root ${web.dataRoot}`,
  );
  const cli = (args: string[]): string =>
    execFileSync(process.execPath, [path.join(ROOT, 'bin', 'berth.js'), ...args], {
      env: { ...process.env, BERTH_RUN_DIR: web.runDir, BERTH_DATA_ROOT: web.dataRoot },
      encoding: 'utf8',
    });
  return async () => {
    // Containers outlive the helper by design: remove the suite's own first.
    const ids = cli(['ps', '-a', '-q', '--no-start']).split('\n').filter(Boolean);
    if (ids.length) cli(['rm', '-f', ...ids, '--no-start']);
    await web.stop();
    fs.rmSync(imageDir, { recursive: true, force: true });
    const stderr = web.stderr().trim();
    if (stderr) console.log(`[e2e] berth web stderr:\n${stderr}`);
    const report = leakReport(tmp.dir, tmp.close());
    if (report) throw new Error(report);
  };
}
