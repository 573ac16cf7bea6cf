/**
 * Import boundaries: who may import whom (docs/ARCHITECTURE.md, "Import
 * boundaries"). Each entry binds the files under `from` (folders, or single
 * files) and forbids relative imports that land in `forbid` (repo-relative
 * folders or files; `*` = anything of ours outside the area), except those
 * that land in `except`. `paths` forbids npm modules by name.
 *
 * Our imports are relative paths, and ESLint's no-restricted-imports matches
 * the specifier text, not the file it resolves to. So for each depth below an
 * area the entry becomes one files block whose patterns spell out, climb by
 * climb, which specifiers reach a forbidden folder: from main/api/features/x.ts,
 * `../../engine/…` is main/engine and `../../../main/engine/…` is too. The
 * blocks' globs are disjoint, so each file gets exactly its own depth's list.
 *
 * Each entry is its own copy of the core rule, `boundaries/<name>`: flat config
 * keeps only the last block's options for a rule, so two boundaries (or another
 * block's no-restricted-imports) on one file would otherwise silently drop one.
 *
 * Tests, testdata and compile-only `*.typecheck.ts` files are not bound on the
 * main side: they set up fixtures across the line (an engine test starts a
 * helper through the client) and never ship. The renderer and the contract are
 * bound with their tests. Not covered: dynamic `import()`, which the core rule
 * does not see (only the renderer uses it, for its own pages).
 * main/lint-boundaries.test.ts proves each rule fires.
 */
import { builtinRules } from 'eslint/use-at-your-own-risk';

const NOT_SHIPPED = ['**/*.test.ts', '**/*.test.tsx', '**/*.typecheck.ts', '**/testdata/**'];

export const BOUNDARIES = [
  {
    name: 'renderer-imports-preload',
    from: ['renderer'],
    forbid: ['*'],
    except: ['preload'],
    paths: ['electron'],
    message: 'the renderer imports only preload/ (the contract), its own files and npm packages',
    bindTests: true,
  },
  {
    name: 'contract-imports-nothing',
    from: ['preload/contract.ts', 'preload/schemas'],
    forbid: ['*'],
    except: ['preload'],
    message: 'the contract (preload/contract.ts, preload/schemas) imports nothing of ours outside preload/',
    bindTests: true,
  },
  {
    name: 'main-no-engine',
    from: ['main/api', 'main/ipc', 'main/index.ts'],
    forbid: ['main/engine', 'main/helper/server'],
    except: ['main/engine/layers', 'main/engine/oci'],
    message:
      'main/api, main/ipc and main/index.ts run as the user: no engine code but engine/layers and engine/oci, and never the helper server (reach the helper through helper/client; shared pieces live in main/shared)',
  },
  {
    name: 'helper-client-user-side',
    from: ['main/helper/client'],
    forbid: ['main/helper/server', 'main/engine'],
    message:
      'main/helper/client runs as the user: no helper server and no engine code (shared pieces live in main/shared)',
  },
  {
    name: 'engine-no-transports',
    from: ['main/engine'],
    forbid: ['main/api', 'main/ipc', 'main/helper', 'main/cli', 'main/window', 'main/index.ts'],
    paths: ['electron'],
    message: 'the engine never imports a transport (main/api, main/ipc, main/helper, main/cli, electron)',
  },
  {
    name: 'shared-unprivileged',
    from: ['main/shared'],
    forbid: ['main/engine', 'main/helper', 'main/api', 'main/ipc', 'main/cli', 'main/window', 'main/index.ts'],
    message:
      'main/shared is imported by both sides of the privilege line: it imports no engine, helper or transport code',
  },
  {
    // engine/oci is what engine/images and engine/layers share; it runs without
    // root, so it may use only itself (transports are engine-no-transports').
    name: 'oci-is-the-base',
    from: ['main/engine/oci'],
    forbid: ['main/engine'],
    except: ['main/engine/oci'],
    message: 'engine/oci imports no other engine folder: it is the base images and layers share',
  },
  {
    name: 'layers-no-images',
    from: ['main/engine/layers'],
    forbid: ['main/engine/images'],
    message: 'engine/layers never imports engine/images: what both need lives in engine/oci',
  },
  {
    // Volumes outlive containers: the containers engine uses the volume store
    // and answers who mounts a volume through VolumeUsage, never the reverse.
    name: 'volumes-below-containers',
    from: ['main/engine/volumes'],
    forbid: ['main/engine/containers', 'main/engine/images', 'main/engine/system'],
    message:
      'engine/volumes imports no containers, images or system code: containers use volumes and say who mounts one through VolumeUsage',
  },
];

/** Deepest folder level below an area that gets a block; main/lint-boundaries.test.ts checks no file is deeper. */
export const MAX_DEPTH = 6;

const esc = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const within = (p, dir) => dir === '' || p === dir || p.startsWith(dir + '/');
const isFile = (p) => /\.[cm]?[jt]sx?$/.test(p);
/** A specifier tail naming `rel` (a folder, or a file with or without its extension). */
const tail = (rel) =>
  isFile(rel) ? `${esc(rel.replace(/\.[cm]?[jt]sx?$/, ''))}(\\.[cm]?[jt]sx?)?$` : `${esc(rel)}(/|$)`;
/** Exactly `j` climbs (`./` for none): no further `../` may follow. */
const climb = (j) => (j === 0 ? '\\./' : `(\\.\\./){${j}}(?!\\.\\./)`);

/** Regexes for specifiers that, from a file `k` folders below `dirSegs`, land in a forbidden place. */
function patternsAt(dirSegs, k, area, b) {
  const out = [];
  const except = b.except ?? [];
  for (let j = 0; j <= k + dirSegs.length; j++) {
    if (j < k) continue; // still in the file's own subtree below the area's folder
    const landing = dirSegs.slice(0, dirSegs.length - (j - k)).join('/');
    if (!isFile(area) && within(landing, area)) continue; // inside the area: its own files
    const under = (p) => (landing === '' ? p : p.slice(landing.length + 1));
    const allowedHere = except.filter((e) => within(e, landing)).map(under);
    const guard = allowedHere.length ? `(?!(${allowedHere.map(tail).join('|')}))` : '';
    for (const f of b.forbid) {
      if (f === '*' || within(landing, f)) {
        if (except.some((e) => within(landing, e))) continue; // landed inside an allowed folder
        out.push(`^${climb(j)}${guard}`);
      } else if (within(f, landing)) {
        out.push(`^${climb(j)}${guard}${tail(under(f))}`);
      }
    }
  }
  // Climbing past the repository root leaves our code altogether.
  out.push(`^(\\.\\./){${k + dirSegs.length + 1},}`);
  return [...new Set(out)];
}

function blocksFor(b) {
  const blocks = [];
  for (const area of b.from) {
    const levels = isFile(area) ? [0] : Array.from({ length: MAX_DEPTH + 1 }, (_, k) => k);
    const dirSegs = (isFile(area) ? area.split('/').slice(0, -1) : area.split('/')).filter(Boolean);
    for (const k of levels) {
      const files = isFile(area) ? [area] : [`${area}/${'*/'.repeat(k)}*.{ts,tsx,mts,js,mjs}`];
      blocks.push({
        files,
        ...(b.bindTests ? {} : { ignores: NOT_SHIPPED }),
        rules: {
          [`boundaries/${b.name}`]: [
            'error',
            {
              paths: (b.paths ?? []).map((name) => ({ name, message: b.message })),
              patterns: patternsAt(dirSegs, k, area, b).map((regex) => ({
                regex,
                caseSensitive: true,
                message: b.message,
              })),
            },
          ],
        },
      });
    }
  }
  return blocks;
}

const restrictImports = builtinRules.get('no-restricted-imports');

/** Flat-config blocks: the plugin (one copy of no-restricted-imports per boundary), then each boundary's blocks. */
export const boundaryConfig = [
  { plugins: { boundaries: { rules: Object.fromEntries(BOUNDARIES.map((b) => [b.name, restrictImports])) } } },
  ...BOUNDARIES.flatMap(blocksFor),
];
