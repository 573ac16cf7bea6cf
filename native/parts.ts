// Where Berth's on-disk parts (the addon, the monitor, the bundled helper)
// are, for a module at a known place in one of two layouts:
//
//   installed  <prefix>/out/main[/chunks]/*.js with the parts under <prefix>
//              (/usr/lib/berth, root-owned, scripts/install-helper.sh). The
//              parts are looked for there and nowhere else: no environment
//              override, no walk through parent folders, no checkout. A root
//              process must never load code from a place a user can write.
//   source     a checkout (or a packaged app): the module is <root>/native/*.ts
//              (tests, from source) or <root>/out/main[/chunks]/*.js (the
//              bundle); parts are under <root>. An environment override
//              (BERTH_NATIVE_PATH, BERTH_MONITOR_PATH) replaces the search.
//
// Pure TypeScript, nothing native: any process may import it.
import path from 'node:path';

/** The install prefix of the helper and its parts (scripts/install-helper.sh). */
export const INSTALL_PREFIX = '/usr/lib/berth';

/**
 * Paths of the parts, relative to the app root, as install-helper.sh copies
 * them (packaging/helper-parts lists the same; a unit test keeps them equal).
 */
export const PART_PATHS = {
  addon: 'native/build/Release/berth.node',
  monitor: 'native/build/Release/berth-monitor',
  helper: 'out/main/helper.js',
} as const;

export type PartName = keyof typeof PART_PATHS;

export type PartsLayout = { kind: 'installed'; root: string } | { kind: 'source'; root: string } | { kind: 'unknown' };

/** The app root of a module living in `moduleDir`, from the fixed layouts above. */
export function layoutOf(moduleDir: string, installPrefix: string = INSTALL_PREFIX): PartsLayout {
  let dir = path.resolve(moduleDir);
  if (path.basename(dir) === 'chunks') dir = path.dirname(dir);
  let root: string | null = null;
  if (path.basename(dir) === 'main' && path.basename(path.dirname(dir)) === 'out')
    root = path.dirname(path.dirname(dir));
  else if (path.basename(dir) === 'native') root = path.dirname(dir);
  if (root === null) return { kind: 'unknown' };
  return root === path.resolve(installPrefix) ? { kind: 'installed', root } : { kind: 'source', root };
}

/** Inside an asar archive an executable or addon is read from its app.asar.unpacked twin. */
function asarUnpacked(p: string): string {
  return p.replace(/([\\/])app\.asar([\\/])/, '$1app.asar.unpacked$2');
}

/**
 * The paths tried for `part`, in order, for a module in `moduleDir`. Installed:
 * exactly one, inside the prefix. Source: the env override alone if set, else
 * the part under the app root (asar twin first). Unknown layout: the env
 * override if set, else nothing (the caller reports what it looked for).
 */
export function partCandidates(
  part: PartName,
  moduleDir: string,
  env: NodeJS.ProcessEnv,
  envVar: string | null,
  installPrefix: string = INSTALL_PREFIX,
): string[] {
  const layout = layoutOf(moduleDir, installPrefix);
  if (layout.kind === 'installed') return [path.join(layout.root, PART_PATHS[part])];
  const fromEnv = envVar ? env[envVar] : undefined;
  if (fromEnv) return [path.resolve(fromEnv)];
  if (layout.kind === 'unknown') return [];
  const p = path.join(layout.root, PART_PATHS[part]);
  const unpacked = asarUnpacked(p);
  return unpacked === p ? [p] : [unpacked, p];
}

/** What to do about a missing part, for the layout the module is in. */
export function missingPartHint(moduleDir: string, installPrefix: string = INSTALL_PREFIX): string {
  return layoutOf(moduleDir, installPrefix).kind === 'installed'
    ? `the installed helper in ${installPrefix} is incomplete: run \`sudo npm run install-helper\` again from a built checkout`
    : 'run `npm install` in the project root (it builds native/ with node-gyp)';
}

/**
 * Installed parts that are not there, for a module in `moduleDir`: the helper
 * checks at start, so an incomplete install fails at once and says what to
 * run, not at the first `run` with MONITOR_NOT_BUILT. Empty from a checkout.
 */
export function missingInstalledParts(
  moduleDir: string,
  exists: (p: string) => boolean,
  installPrefix: string = INSTALL_PREFIX,
): string[] {
  const layout = layoutOf(moduleDir, installPrefix);
  if (layout.kind !== 'installed') return [];
  return Object.values(PART_PATHS)
    .map((rel) => path.join(layout.root, rel))
    .filter((p) => !exists(p));
}
