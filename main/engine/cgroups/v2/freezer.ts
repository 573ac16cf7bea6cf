/**
 * v2 freezer: a core file, cgroup.freeze ("1" freeze, "0" thaw), with
 * completion reported as "frozen 1" / "frozen 0" in cgroup.events. Works in
 * every v2 group (5.2+), including a hybrid host's unified group.
 */
import path from 'node:path';
import { cgroupError } from '../errors';
import { parseFlatKeyed, readTrim, sleep, writeRaw } from '../fsutil';
import type { Controller } from '../controller';

export const FILES = { freeze: 'cgroup.freeze', events: 'cgroup.events' } as const;

export function frozen(dir: string): boolean | null {
  const ev = parseFlatKeyed(readTrim(path.join(dir, FILES.events)));
  const v = ev.get('frozen');
  return v === undefined ? null : v === 1;
}

async function settle(dir: string, want: boolean, timeoutMs: number): Promise<void> {
  const file = path.join(dir, FILES.freeze);
  writeRaw(file, want ? '1' : '0');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (frozen(dir) === want) return;
    if (Date.now() > deadline) {
      if (want) writeRaw(file, '0');
      throw cgroupError(
        'CGROUP_FREEZE_TIMEOUT',
        `${path.join(dir, FILES.events)} did not report frozen ${want ? 1 : 0} within ${timeoutMs} ms`,
        { file },
      );
    }
    await sleep(5);
  }
}

export function freeze(dir: string, timeoutMs = 5000): Promise<void> {
  return settle(dir, true, timeoutMs);
}

export function thaw(dir: string, timeoutMs = 5000): Promise<void> {
  return settle(dir, false, timeoutMs);
}

/** A core file: every unified group has it, the freezer needs no enabling. */
export const controller: Controller = { key: 'freezer', name: 'freezer', core: true, files: FILES, freeze, thaw };
