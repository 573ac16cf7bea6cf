import { describe, expect, it } from 'vitest';
import { parseRestartPolicy, restartDelayMs, shouldRestart, startOnHelperBoot } from './restart-policy';

describe('restart policies', () => {
  const exit = (exitCode: number, restartCount = 0, stoppedByUser = false) => ({
    exitCode,
    restartCount,
    stoppedByUser,
  });
  it('no never restarts', () => {
    expect(shouldRestart({ name: 'no', maxRetries: 0 }, exit(1))).toBe(false);
  });
  it('on-failure restarts non-zero exits up to N times', () => {
    const p = parseRestartPolicy('on-failure:2');
    expect(shouldRestart(p, exit(0))).toBe(false);
    expect(shouldRestart(p, exit(3, 0))).toBe(true);
    expect(shouldRestart(p, exit(3, 1))).toBe(true);
    expect(shouldRestart(p, exit(3, 2))).toBe(false);
    expect(shouldRestart(parseRestartPolicy('on-failure'), exit(3, 500))).toBe(true);
  });
  it('always and unless-stopped restart any exit but not a user stop', () => {
    for (const name of ['always', 'unless-stopped'] as const) {
      expect(shouldRestart({ name, maxRetries: 0 }, exit(0))).toBe(true);
      expect(shouldRestart({ name, maxRetries: 0 }, exit(137, 0, true))).toBe(false);
    }
  });
  it('after a helper restart, always comes back even if stopped by hand; unless-stopped does not', () => {
    expect(startOnHelperBoot({ name: 'always', maxRetries: 0 }, true)).toBe(true);
    expect(startOnHelperBoot({ name: 'unless-stopped', maxRetries: 0 }, true)).toBe(false);
    expect(startOnHelperBoot({ name: 'unless-stopped', maxRetries: 0 }, false)).toBe(true);
    expect(startOnHelperBoot({ name: 'on-failure', maxRetries: 0 }, false)).toBe(false);
  });
  it('backs off exponentially and resets after a long run', () => {
    expect(restartDelayMs(0, 0)).toBe(100);
    expect(restartDelayMs(100, 50)).toBe(200);
    expect(restartDelayMs(40_000, 50)).toBe(60_000);
    expect(restartDelayMs(40_000, 10_000)).toBe(100);
  });
  it('parses docker syntax and refuses nonsense', () => {
    expect(parseRestartPolicy('always')).toEqual({ name: 'always', maxRetries: 0 });
    expect(() => parseRestartPolicy('sometimes')).toThrow(/unknown restart policy/);
    expect(() => parseRestartPolicy('always:3')).toThrow(/only on-failure/);
  });
});
