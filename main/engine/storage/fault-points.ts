/**
 * Test-only crash points. The store fault-injection suite arms one point and
 * the helper kills itself with SIGKILL when execution reaches it, so a crash
 * lands exactly between two steps of a load, a pull, a create, a record
 * commit or a rename (store-faults.real.test.ts).
 *
 * Armed only by the helper itself (main/helper/server/main.ts), and only when it was
 * started directly by root: `BERTH_FAULT=<point>[/<detail>][@<n>]` kills at
 * the n-th time (default 1st) the point is reached, e.g.
 * `BERTH_FAULT=atomic.before-rename/container.json@2`. Under pkexec the
 * environment is scrubbed and the variable never arrives; a helper started
 * by a user through pkexec ignores it even if it did. Nothing else (the CLI,
 * Electron main, unit tests that import the engine) arms points, so in
 * production every faultPoint() is one comparison with null.
 */
let armed: { point: string; remaining: number } | null = null;

/** Parses and arms BERTH_FAULT; returns the armed point (for the helper's log), or null. */
export function armFaultPoint(spec: string | undefined): string | null {
  if (!spec) return null;
  const m = /^([a-z0-9.-]+(?:\/[A-Za-z0-9._-]+)?)(?:@(\d+))?$/.exec(spec);
  if (!m) throw new Error(`BERTH_FAULT: expected <point>[/<detail>][@<n>], got ${JSON.stringify(spec)}`);
  armed = { point: m[1]!, remaining: m[2] ? Math.max(1, Number(m[2])) : 1 };
  return armed.point;
}

/** SIGKILLs this process when `point` (or `point/detail`) is the armed one, on its n-th visit. */
export function faultPoint(point: string, detail?: string): void {
  if (armed === null) return;
  if (armed.point !== point && armed.point !== `${point}/${detail ?? ''}`) return;
  if (--armed.remaining > 0) return;
  process.stderr.write(`berth fault point ${armed.point}: SIGKILL\n`);
  process.kill(process.pid, 'SIGKILL');
}
