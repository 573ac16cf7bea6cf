/**
 * Docker's restart policies, decided from the monitor's exit report.
 * `always` brings a container back after a helper restart even when it was
 * stopped by hand; `unless-stopped` does not (docker's own distinction).
 */
export type RestartPolicyName = 'no' | 'on-failure' | 'always' | 'unless-stopped';

export interface RestartPolicy {
  name: RestartPolicyName;
  maxRetries: number; // on-failure only; 0 = unlimited
}

export interface ExitFacts {
  exitCode: number;
  /** The user stopped or killed it through Berth. */
  stoppedByUser: boolean;
  restartCount: number;
}

export function shouldRestart(p: RestartPolicy, e: ExitFacts): boolean {
  if (e.stoppedByUser) return false;
  switch (p.name) {
    case 'no':
      return false;
    case 'on-failure':
      return e.exitCode !== 0 && (p.maxRetries === 0 || e.restartCount < p.maxRetries);
    case 'always':
    case 'unless-stopped':
      return true;
  }
}

/** On helper start: which stopped containers come back. */
export function startOnHelperBoot(p: RestartPolicy, stoppedByUser: boolean): boolean {
  return p.name === 'always' || (p.name === 'unless-stopped' && !stoppedByUser);
}

/**
 * Delay before the next restart: doubling from 100 ms up to one minute, reset
 * once a run lasted 10 s (docker's backoff), so a crash loop does not spin.
 */
export function restartDelayMs(previousDelayMs: number, lastRunMs: number): number {
  if (lastRunMs >= 10_000 || previousDelayMs <= 0) return 100;
  return Math.min(previousDelayMs * 2, 60_000);
}

export function parseRestartPolicy(text: string): RestartPolicy {
  const [name, n] = text.split(':');
  if (name !== 'no' && name !== 'on-failure' && name !== 'always' && name !== 'unless-stopped') {
    throw Object.assign(new Error(`unknown restart policy: ${text} (no, on-failure[:N], always, unless-stopped)`), {
      code: 'BAD_PARAMS',
    });
  }
  if (n !== undefined && (name !== 'on-failure' || !/^\d+$/.test(n))) {
    throw Object.assign(new Error(`only on-failure takes a retry count: ${text}`), { code: 'BAD_PARAMS' });
  }
  return { name, maxRetries: n === undefined ? 0 : Number(n) };
}
