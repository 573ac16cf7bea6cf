/**
 * v1 freezer (Documentation/admin-guide/cgroup-v1/freezer-subsystem.rst):
 * freezer.state takes FROZEN / THAWED and reads FREEZING while tasks are still
 * being stopped. Freezing is asynchronous, so we poll until the state settles,
 * re-writing FROZEN now and then (as runc does: a write retries the tasks that
 * have not frozen yet). On timeout the group is thawed again and the call fails.
 */
import path from 'node:path';
import { cgroupError } from '../errors';
import { readTrim, sleep, writeRaw } from '../fsutil';
import type { Controller } from '../controller';

export const FILES = { state: 'freezer.state' } as const;

export type FreezerState = 'FROZEN' | 'FREEZING' | 'THAWED';

export function state(dir: string): FreezerState | null {
  const s = readTrim(path.join(dir, FILES.state));
  return s === 'FROZEN' || s === 'FREEZING' || s === 'THAWED' ? s : null;
}

async function settle(dir: string, want: 'FROZEN' | 'THAWED', timeoutMs: number): Promise<void> {
  const file = path.join(dir, FILES.state);
  const deadline = Date.now() + timeoutMs;
  let i = 0;
  for (;;) {
    if (i % 10 === 0) writeRaw(file, want);
    const s = state(dir);
    if (s === want) return;
    if (Date.now() > deadline) {
      if (want === 'FROZEN') writeRaw(file, 'THAWED');
      throw cgroupError(
        'CGROUP_FREEZE_TIMEOUT',
        `${file} stayed ${s ?? 'unreadable'} instead of ${want} for ${timeoutMs} ms`,
        {
          file,
          state: s,
        },
      );
    }
    i++;
    await sleep(5);
  }
}

export function freeze(dir: string, timeoutMs = 5000): Promise<void> {
  return settle(dir, 'FROZEN', timeoutMs);
}

export function thaw(dir: string, timeoutMs = 5000): Promise<void> {
  return settle(dir, 'THAWED', timeoutMs);
}

/** No limits or counters: freezing is an action (driver.freeze/thaw). */
export const controller: Controller = { key: 'freezer', name: 'freezer', files: FILES, freeze, thaw };
