/** The kernel's own answers, computed in the test process (never from the app). */
import fs from 'node:fs';

export const CGROUP2_SUPER_MAGIC = 0x63677270;
export const TMPFS_MAGIC = 0x01021994;

function statfsType(p: string): number | null {
  try {
    return fs.statfsSync(p).type;
  } catch {
    return null;
  }
}

/** v2: /sys/fs/cgroup is cgroup2; tmpfs: hybrid if /sys/fs/cgroup/unified is cgroup2, else v1. */
export function kernelCgroupMode(root = '/sys/fs/cgroup'): 'v1' | 'v2' | 'hybrid' {
  const t = statfsType(root);
  if (t === CGROUP2_SUPER_MAGIC) return 'v2';
  if (t === TMPFS_MAGIC) return statfsType(`${root}/unified`) === CGROUP2_SUPER_MAGIC ? 'hybrid' : 'v1';
  throw new Error(
    `${root} has statfs type ${t === null ? 'unreadable' : `0x${t.toString(16)}`}: neither cgroup2 nor tmpfs`,
  );
}

export function rootFsMagicHex(root = '/sys/fs/cgroup'): string {
  return `0x${fs.statfsSync(root).type.toString(16)}`;
}

export function readPid(file: string): number | null {
  try {
    const n = Number(fs.readFileSync(file, 'utf8').trim());
    return Number.isInteger(n) && n > 0 ? n : null;
  } catch {
    return null;
  }
}
