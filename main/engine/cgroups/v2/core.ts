/**
 * v2 core interface files (cgroup-v2.rst, "Core Interface Files"):
 * cgroup.procs, cgroup.controllers / cgroup.subtree_control, cgroup.events
 * (populated, frozen), cgroup.kill (5.14+).
 */
import path from 'node:path';
import { errMessage } from '../errors';
import { exists, parseFlatKeyed, readTrim, writeRaw } from '../fsutil';

export const FILES = {
  procs: 'cgroup.procs',
  controllers: 'cgroup.controllers',
  subtreeControl: 'cgroup.subtree_control',
  events: 'cgroup.events',
  kill: 'cgroup.kill',
} as const;

export function words(raw: string | null): string[] {
  return (raw ?? '').trim().split(/\s+/).filter(Boolean);
}

/**
 * Enable `wanted` controllers (those the level offers) in subtree_control from
 * the mount down to `relParent`, so that groups under it get their files. One
 * write per controller, so that one refusal does not hide the others.
 * Returns the writes made and the failures (which leave that controller's
 * files absent below).
 */
export function enableControllers(
  mount: string,
  relParent: string,
  wanted: readonly string[],
): {
  writes: Array<{ file: string; value: string }>;
  failures: Array<{ file: string; controller: string; error: string }>;
} {
  const failures: Array<{ file: string; controller: string; error: string }> = [];
  const writes: Array<{ file: string; value: string }> = [];
  if (wanted.length === 0) return { writes, failures };
  const levels = [mount];
  let cur = mount;
  for (const seg of relParent.split('/').filter(Boolean)) levels.push((cur = path.join(cur, seg)));
  for (const dir of levels) {
    const available = new Set(words(readTrim(path.join(dir, FILES.controllers))));
    const file = path.join(dir, FILES.subtreeControl);
    const enabled = new Set(words(readTrim(file)));
    for (const c of wanted) {
      if (!available.has(c) || enabled.has(c)) continue;
      try {
        writeRaw(file, `+${c}`);
        writes.push({ file, value: `+${c}` });
      } catch (err) {
        failures.push({ file, controller: c, error: errMessage(err) });
      }
    }
  }
  return { writes, failures };
}

export function populated(dir: string): boolean | null {
  const v = parseFlatKeyed(readTrim(path.join(dir, FILES.events))).get('populated');
  return v === undefined ? null : v === 1;
}

/** Write "1" to cgroup.kill when the kernel has it (5.14+); false when absent. */
export function kill(dir: string): boolean {
  const file = path.join(dir, FILES.kill);
  if (!exists(file)) return false;
  writeRaw(file, '1');
  return true;
}
