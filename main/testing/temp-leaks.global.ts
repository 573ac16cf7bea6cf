/**
 * Vitest global setup: the run gets a temp dir of its own (run-temp-dir.ts),
 * and whatever a test (or what it started) leaves in it fails the run, named.
 * Two unit files had left 20 dirs in /tmp in a day; this finds the whole
 * class, not the instance.
 */
import { leakReport, openRunTempDir } from './run-temp-dir';

/** Set by the first project's setup; the other projects (they inherit the root config) share its dir. */
const OWNER = 'BERTH_TEST_RUN_TMPDIR';

export default function setup(): () => void {
  if (process.env[OWNER]) return () => undefined;
  const run = openRunTempDir();
  process.env[OWNER] = run.dir;
  return () => {
    delete process.env[OWNER];
    const report = leakReport(run.dir, run.close());
    if (report) {
      // Vitest prints a teardown's throw as "error during close" but exits 0: set the code too.
      process.exitCode = 1;
      throw new Error(report);
    }
  };
}
