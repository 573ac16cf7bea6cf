/**
 * A temp dir for one test run (vitest's or Playwright's), put in TMPDIR so
 * that os.tmpdir() in the tests and in every process they start (helpers,
 * CLIs, berth web, podman, skopeo…) lands in it. What is left in it when the
 * run ends is a leak: a test that forgets its dir, or Berth itself leaving an
 * upload spill or a context behind. Runs side by side each have their own
 * dir, so one never reports the other's files.
 *
 * Mode 01777 as /tmp's own: throwaway non-root users (pkexec tests) create
 * files in it too. The name is short because some tools cap their paths
 * (podman's runroot: 50 bytes; fsconfig's parameters: 256).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface RunTempDir {
  readonly dir: string;
  /**
   * Restores TMPDIR and returns what was left in the dir (sorted names).
   * The dir is removed unless something is mounted below it: rm -r would
   * descend into a leaked overlay or bind mount and delete what it shows, so
   * then the tree is kept and the mounts are returned instead.
   */
  close(): { left: string[]; mounts: string[] };
}

function mountsUnder(dir: string): string[] {
  const prefix = `${dir}/`;
  return fs
    .readFileSync('/proc/self/mounts', 'utf8')
    .split('\n')
    .map((l) => (l.split(' ')[1] ?? '').replace(/\\040/g, ' '))
    .filter((m) => m.startsWith(prefix));
}

export function openRunTempDir(): RunTempDir {
  const outer = process.env.TMPDIR;
  const dir = fs.mkdtempSync(path.join(outer ?? os.tmpdir(), 'bt-'));
  fs.chmodSync(dir, 0o1777);
  process.env.TMPDIR = dir;
  return {
    dir,
    close() {
      if (outer === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = outer;
      const left = fs.readdirSync(dir).sort();
      const mounts = mountsUnder(dir);
      if (mounts.length === 0) fs.rmSync(dir, { recursive: true, force: true });
      return { left, mounts };
    },
  };
}

/** The failure message for what close() found, or null when the run left nothing. */
export function leakReport(dir: string, found: { left: string[]; mounts: string[] }): string | null {
  if (found.mounts.length > 0) {
    return `the run left mounts under ${dir} (tree kept for inspection):\n  ${found.mounts.join('\n  ')}`;
  }
  if (found.left.length > 0) {
    return `the run left ${found.left.length} entries in its temp dir ${dir} (removed now):\n  ${found.left.join('\n  ')}`;
  }
  return null;
}
