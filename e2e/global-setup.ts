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
import { ENV_KEYS } from './support/env';
import { startBerthWeb } from './support/server';

export default async function globalSetup(): Promise<() => Promise<void>> {
  const web = await startBerthWeb();
  process.env[ENV_KEYS.url] = web.url;
  process.env[ENV_KEYS.runDir] = web.runDir;
  process.env[ENV_KEYS.dataRoot] = web.dataRoot;
  console.log(
    `[e2e] berth web (pid ${web.pid}) at ${new URL(web.url).origin}; run dir ${web.runDir}, data root ${web.dataRoot}`,
  );
  return async () => {
    await web.stop();
    const stderr = web.stderr().trim();
    if (stderr) console.log(`[e2e] berth web stderr:\n${stderr}`);
  };
}
