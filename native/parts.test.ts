// Where the addon, the monitor and the helper bundle are looked for: from the
// install prefix only inside it (no env override, no parent folders, no
// checkout); from a checkout under its root. And the install copies every
// part the installed helper looks for (packaging/helper-parts).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { helperScriptPath, INSTALL_DIR } from '../main/shared/helper-paths';
import { nativeCandidates } from './index';
import { monitorCandidates } from './monitor';
import { INSTALL_PREFIX, layoutOf, missingInstalledParts, PART_PATHS, partCandidates, type PartName } from './parts';

const ROOT = path.resolve(import.meta.dirname, '..');
const ENV_OVERRIDES = { BERTH_NATIVE_PATH: '/tmp/evil/berth.node', BERTH_MONITOR_PATH: '/tmp/evil/berth-monitor' };

/** Every way the code looks for a part, as a function of the module's directory, env and prefix. */
const SEARCHES: Record<PartName, (dir: string, env: NodeJS.ProcessEnv, prefix: string) => string[]> = {
  addon: (dir, env, prefix) => nativeCandidates(dir, env, prefix),
  monitor: (dir, env, prefix) => monitorCandidates(dir, env, prefix),
  helper: (dir, env, prefix) => partCandidates('helper', dir, env, null, prefix),
};

function declaredParts(): string[] {
  return fs
    .readFileSync(path.join(ROOT, 'packaging', 'helper-parts'), 'utf8')
    .split('\n')
    .map((l) => l.replace(/#.*/, '').trim())
    .filter(Boolean);
}

describe('part search, installed', () => {
  for (const moduleDir of ['/usr/lib/berth/out/main', '/usr/lib/berth/out/main/chunks']) {
    it(`from ${moduleDir}: only the prefix's copy, whatever the environment says`, () => {
      for (const part of Object.keys(PART_PATHS) as PartName[]) {
        const want = [path.join(INSTALL_PREFIX, PART_PATHS[part])];
        expect(SEARCHES[part](moduleDir, {}, INSTALL_PREFIX)).toEqual(want);
        expect(SEARCHES[part](moduleDir, ENV_OVERRIDES, INSTALL_PREFIX)).toEqual(want);
      }
    });
  }

  it('never leaves the prefix (the issue: /usr/native/…, /native/… were tried)', () => {
    for (const part of Object.keys(PART_PATHS) as PartName[]) {
      for (const p of SEARCHES[part]('/usr/lib/berth/out/main/chunks', ENV_OVERRIDES, INSTALL_PREFIX)) {
        expect(p.startsWith(INSTALL_PREFIX + '/')).toBe(true);
      }
    }
  });

  it('the helper bundle started by a root client from the prefix is the prefix copy', () => {
    expect(INSTALL_DIR).toBe(INSTALL_PREFIX);
    expect(helperScriptPath('/usr/lib/berth/out/main/chunks')).toBe('/usr/lib/berth/out/main/helper.js');
  });
});

describe('the installed helper checks its parts at start', () => {
  it('names each missing part in the prefix; a checkout is not checked', () => {
    const present = new Set([
      path.join(INSTALL_PREFIX, PART_PATHS.helper),
      path.join(INSTALL_PREFIX, PART_PATHS.addon),
    ]);
    expect(missingInstalledParts('/usr/lib/berth/out/main', (p) => present.has(p))).toEqual([
      path.join(INSTALL_PREFIX, PART_PATHS.monitor),
    ]);
    expect(missingInstalledParts('/usr/lib/berth/out/main', () => true)).toEqual([]);
    expect(missingInstalledParts('/work/x/out/main', () => false)).toEqual([]);
  });
});

describe('part search, from a checkout', () => {
  it('bundled (out/main, out/main/chunks) and from source (native/): under the root, nowhere above it', () => {
    for (const dir of ['/work/x/out/main', '/work/x/out/main/chunks', '/work/x/native']) {
      expect(nativeCandidates(dir, {})).toEqual(['/work/x/native/build/Release/berth.node']);
      expect(monitorCandidates(dir, {})).toEqual(['/work/x/native/build/Release/berth-monitor']);
    }
  });

  it('an env override replaces the search', () => {
    expect(nativeCandidates('/work/x/out/main', ENV_OVERRIDES)).toEqual(['/tmp/evil/berth.node']);
    expect(monitorCandidates('/work/x/native', ENV_OVERRIDES)).toEqual(['/tmp/evil/berth-monitor']);
  });

  it('a packaged app reads executables from app.asar.unpacked first', () => {
    expect(monitorCandidates('/opt/Berth/resources/app.asar/out/main', {})).toEqual([
      '/opt/Berth/resources/app.asar.unpacked/native/build/Release/berth-monitor',
      '/opt/Berth/resources/app.asar/native/build/Release/berth-monitor',
    ]);
  });

  it('an unknown layout finds nothing rather than guessing through parent folders', () => {
    expect(layoutOf('/usr/lib/berth/elsewhere')).toEqual({ kind: 'unknown' });
    expect(nativeCandidates('/usr/lib/berth/elsewhere', {})).toEqual([]);
  });

  it('a prefix is matched exactly, not by a common start', () => {
    expect(layoutOf('/usr/lib/berth2/out/main').kind).toBe('source');
    expect(layoutOf('/usr/lib/berth/out/main').kind).toBe('installed');
  });

  it('this checkout finds its own built parts', () => {
    expect(nativeCandidates(path.join(ROOT, 'native'), {})).toEqual([path.join(ROOT, PART_PATHS.addon)]);
    expect(fs.existsSync(monitorCandidates(path.join(ROOT, 'out', 'main'), {})[0]!)).toBe(true);
  });
});

describe('packaging/helper-parts', () => {
  const parts = declaredParts();
  const covered = (rel: string) => parts.some((p) => (p.endsWith('/') ? rel.startsWith(p) : rel === p));

  it('lists every part the installed helper looks for', () => {
    for (const part of Object.keys(PART_PATHS) as PartName[]) {
      for (const p of SEARCHES[part]('/usr/lib/berth/out/main', {}, INSTALL_PREFIX)) {
        expect(covered(path.relative(INSTALL_PREFIX, p)), `${p} is not installed`).toBe(true);
      }
    }
  });

  it('holds relative paths that exist in a built checkout', () => {
    for (const p of parts) {
      expect(path.isAbsolute(p) || p.includes('..'), p).toBe(false);
      expect(fs.existsSync(path.join(ROOT, p)), `${p} missing in this checkout`).toBe(true);
    }
  });

  describe('a fake prefix laid out by the list resolves every part inside it', () => {
    const prefix = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-prefix-'));
    afterAll(() => fs.rmSync(prefix, { recursive: true, force: true }));
    it('finds each part at the copied place', () => {
      for (const p of parts) {
        const dst = path.join(prefix, p);
        if (p.endsWith('/')) fs.mkdirSync(dst, { recursive: true });
        else {
          fs.mkdirSync(path.dirname(dst), { recursive: true });
          fs.writeFileSync(dst, '');
        }
      }
      fs.writeFileSync(path.join(prefix, PART_PATHS.helper), '');
      for (const part of Object.keys(PART_PATHS) as PartName[]) {
        const found = SEARCHES[part](path.join(prefix, 'out', 'main', 'chunks'), ENV_OVERRIDES, prefix);
        expect(found).toHaveLength(1);
        expect(fs.existsSync(found[0]!), `${part}: ${found[0]}`).toBe(true);
      }
    });
  });
});
