/**
 * The healthcheck probe `up` runs for a `service_healthy` dependency: the
 * service's healthcheck test exec'd in its container (containers.exec, the
 * same path as `berth exec`) on its interval until it exits 0 (healthy) or
 * fails `retries` times after the start period (unhealthy). Berth has no
 * healthcheck runner in the helper; this probe lives in the CLI for the span
 * of `up` only (docs/ARCHITECTURE.md, "Compose").
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Backend } from '../../api/backend';
import type { HealthCheck } from './model';

const cli = { transport: 'cli' } as const;

/** Runs argv in a running container; its exit code, or null when it timed out or could not run. */
export async function execStatus(b: Backend, id: string, cmd: string[], timeoutMs: number): Promise<number | null> {
  const exits = new Map<string, number | null>();
  let want: string | null = null;
  let settle: ((code: number | null) => void) | null = null;
  const done = new Promise<number | null>((r) => (settle = r));
  const off = b.hub.on('sessions.exit', (e) => {
    if (want === null) exits.set(e.sessionId, e.exitCode);
    else if (e.sessionId === want) settle?.(e.exitCode);
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    const r = await b.router.invoke('containers.exec', { id, cmd }, cli);
    want = r.sessionId;
    if (exits.has(want)) return exits.get(want) ?? null;
    void b.router.invoke('sessions.close', { sessionId: want }, cli).catch(() => undefined);
    const timeout = new Promise<null>((r) => (timer = setTimeout(() => r(null), timeoutMs)));
    const code = await Promise.race([done, timeout]);
    if (code === null)
      void b.router.invoke('sessions.close', { sessionId: want, kill: true }, cli).catch(() => undefined);
    return code;
  } catch {
    return null;
  } finally {
    if (timer) clearTimeout(timer);
    off();
  }
}

export type HealthResult = { healthy: true; probes: number } | { healthy: false; probes: number; reason: string };

/** Probes until healthy, or until `retries` consecutive failures after the start period. */
export async function waitHealthy(
  b: Backend,
  id: string,
  h: HealthCheck,
  isRunning: () => Promise<boolean>,
): Promise<HealthResult> {
  const started = Date.now();
  let failures = 0;
  let probes = 0;
  for (;;) {
    if (!(await isRunning())) return { healthy: false, probes, reason: 'the container is not running' };
    probes++;
    const code = await execStatus(b, id, h.test, h.timeoutMs);
    if (code === 0) return { healthy: true, probes };
    // Failures during the start period do not count (docker's rule).
    if (Date.now() - started >= h.startPeriodMs && ++failures >= h.retries)
      return {
        healthy: false,
        probes,
        reason: `the healthcheck failed ${failures} times (last: ${code === null ? 'timed out' : `exit ${code}`})`,
      };
    await sleep(h.intervalMs);
  }
}
