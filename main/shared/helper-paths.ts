/**
 * Where the helper lives on disk. One helper per owner uid: root's socket is
 * /run/berth/helper.sock; a user's is /run/berth/u<UID>/helper.sock in a
 * directory only that user (and root) can enter.
 */
import path from 'node:path';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { INSTALL_PREFIX, PART_PATHS, layoutOf } from '../../native/parts';

export const DEFAULT_RUN_DIR = '/run/berth';
export const DEFAULT_DATA_ROOT = '/var/lib/berth';
/** The fixed program the polkit action allows (packaging/org.berth.helper.policy). */
export const INSTALLED_LAUNCHER = '/usr/libexec/berth/berth-helper';
/** The helper's install prefix: its bundle and every part it needs (native/parts.ts). */
export const INSTALL_DIR = INSTALL_PREFIX;
export const POLKIT_ACTION = 'org.berth.helper';

/**
 * Each owner has its own data root: root's is /var/lib/berth, another
 * user's /var/lib/berth/users/<uid> (their containers, images and records are
 * theirs alone). Kernel resources stay shared: the bridge, its nftables table
 * and port map, and the subnet's address table (network/ipam.ts).
 */
export function dataRootFor(ownerUid: number, base = DEFAULT_DATA_ROOT): string {
  return ownerUid === 0 ? base : path.join(base, 'users', String(ownerUid));
}

export function ownerDir(ownerUid: number, runDir = DEFAULT_RUN_DIR): string {
  return ownerUid === 0 ? runDir : path.join(runDir, `u${ownerUid}`);
}

export function socketPathFor(ownerUid: number, runDir = DEFAULT_RUN_DIR): string {
  return path.join(ownerDir(ownerUid, runDir), 'helper.sock');
}

export function pidFileFor(ownerUid: number, runDir = DEFAULT_RUN_DIR): string {
  return path.join(ownerDir(ownerUid, runDir), 'helper.pid');
}

export function logFileFor(ownerUid: number, runDir = DEFAULT_RUN_DIR): string {
  return path.join(ownerDir(ownerUid, runDir), 'helper.log');
}

/**
 * Every file the root helper creates or opens in its owner's run dir (a dir
 * the owner can write): run-files.ts handles each without following links,
 * and run-files.integration.test.ts plants links at each one named here.
 */
export function ownerRunFiles(
  ownerUid: number,
  runDir = DEFAULT_RUN_DIR,
): Record<'socket' | 'pid' | 'log' | 'lock', string> {
  return {
    socket: socketPathFor(ownerUid, runDir),
    pid: pidFileFor(ownerUid, runDir),
    /** flock(2)ed for the helper's life: one helper per owner. */
    lock: path.join(ownerDir(ownerUid, runDir), 'helper.lock'),
    log: logFileFor(ownerUid, runDir),
  };
}

/** The socket a client of this process should use (BERTH_HELPER_SOCKET overrides). */
export function clientSocketPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.BERTH_HELPER_SOCKET) return env.BERTH_HELPER_SOCKET;
  const uid = process.getuid?.() ?? 0;
  return socketPathFor(uid, env.BERTH_RUN_DIR ?? DEFAULT_RUN_DIR);
}

/**
 * The built helper script, out/main/helper.js, seen from this bundle or one of
 * its chunks (or from source, main/shared → out/main). From the install
 * prefix only the prefix's own copy.
 */
export function helperScriptPath(here: string = path.dirname(fileURLToPath(import.meta.url))): string {
  const layout = layoutOf(here);
  if (layout.kind === 'installed') return path.join(layout.root, PART_PATHS.helper);
  const candidates = [
    path.join(here, 'helper.js'),
    path.join(here, '..', 'helper.js'),
    path.join(here, '..', '..', 'out', 'main', 'helper.js'),
  ];
  return candidates.find((c) => existsSync(c)) ?? candidates[0]!;
}
