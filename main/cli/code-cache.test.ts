import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cacheName, codeCacheDir, prepareScript, trustedDir } from './code-cache';

const isRoot = process.getuid?.() === 0;
const g = globalThis as { __codeCacheRuns?: number[] };

/** A CommonJS "bundle" that records each run and uses require, module and __dirname. */
function writeBundle(file: string, value: number): void {
  fs.writeFileSync(
    file,
    `const p = require('node:path');
function compute(n) { let s = 0; for (let i = 0; i < n; i++) s += i; return s; }
module.exports.dir = p.basename(__dirname);
(globalThis.__codeCacheRuns ??= []).push(${value} + compute(4) - 6);\n`,
  );
}

// Not under /tmp: the cache dir's ancestors must be writable by no one else, and /tmp is
// everyone's. The checkout's out/ dir, or the home dir when the checkout itself lies under
// /tmp (a fresh clone in CI), so the suite runs wherever the checkout is.
const base = [path.resolve(import.meta.dirname, '..', '..', 'out'), os.homedir()].find(
  (d) => fs.existsSync(d) && trustedDir(d),
);
describe.runIf(base !== undefined)('the CLI code cache', () => {
  const work = fs.mkdtempSync(path.join(base!, '.code-cache-test-'));
  afterAll(() => {
    fs.rmSync(work, { recursive: true, force: true });
    delete g.__codeCacheRuns; // the unit project shares its workers: leave no global behind
  });
  let n = 0;
  const fresh = (): { bundle: string; cacheDir: string } => {
    const d = path.join(work, String(n++));
    fs.mkdirSync(d, { mode: 0o700 });
    const bundle = path.join(d, 'cli.cjs');
    writeBundle(bundle, n);
    return { bundle, cacheDir: path.join(d, 'cache') };
  };
  const runs = (): number[] => g.__codeCacheRuns ?? [];
  /**
   * The same bytes at a new path. V8 keeps what this process compiled, by source and file name,
   * and would serve a second compile of the same file from there without looking at the cache
   * file; a new name makes it read the file, as a new `berth` process does.
   */
  const copyOf = (bundle: string): string => {
    const to = path.join(path.dirname(bundle), `copy-${n++}.cjs`);
    fs.copyFileSync(bundle, to);
    return to;
  };

  it('compiles without a cache, writes one that the next run uses, and runs the same either way', () => {
    const { bundle, cacheDir } = fresh();
    const first = prepareScript(bundle, { cacheDir, group: 'cli' });
    expect(first.state).toBe('miss');
    const before = runs().length;
    const value = n;
    first.run();
    first.save();
    expect(runs().slice(before)).toEqual([value]);
    const file = first.cacheFile as string;
    expect(path.dirname(file)).toBe(cacheDir);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.statSync(cacheDir).mode & 0o777).toBe(0o700);

    const second = prepareScript(copyOf(bundle), { cacheDir, group: 'cli' });
    expect(second.state).toBe('hit');
    expect(second.cacheFile).toBe(file);
    second.run();
    expect(runs().slice(before)).toEqual([value, value]);
  });

  it('a corrupt cache file is refused by V8: the run compiles, and its save replaces the file', () => {
    const { bundle, cacheDir } = fresh();
    const p = prepareScript(bundle, { cacheDir, group: 'cli' });
    p.run();
    p.save();
    const file = p.cacheFile as string;
    fs.writeFileSync(file, crypto.randomBytes(fs.statSync(file).size), { mode: 0o600 });

    const value = runs().at(-1);
    const corrupt = prepareScript(copyOf(bundle), { cacheDir, group: 'cli' });
    expect(corrupt.state).toBe('rejected');
    const before = runs().length;
    corrupt.run();
    expect(runs().slice(before)).toEqual([value]);
    corrupt.save();
    expect(fs.statSync(file).size).toBeGreaterThan(0);
    expect(prepareScript(copyOf(bundle), { cacheDir, group: 'cli' }).state).toBe('hit');

    // A truncated one too.
    fs.writeFileSync(file, Buffer.alloc(10));
    expect(prepareScript(copyOf(bundle), { cacheDir, group: 'cli' }).state).toBe('rejected');
  });

  it('a changed bundle never meets the old cache, and its save removes the old file', () => {
    const { bundle, cacheDir } = fresh();
    const p = prepareScript(bundle, { cacheDir, group: 'cli' });
    p.run();
    p.save();
    const other = prepareScript(bundle, { cacheDir, group: 'build' });
    expect(other.state).toBe('miss'); // a group has its own file
    other.run();
    other.save();

    writeBundle(bundle, 1000);
    const changed = prepareScript(bundle, { cacheDir, group: 'cli' });
    expect(changed.state).toBe('miss');
    expect(changed.cacheFile).not.toBe(p.cacheFile);
    const before = runs().length;
    changed.run();
    expect(runs().slice(before)).toEqual([1000]);
    changed.save();
    expect(fs.readdirSync(cacheDir).sort()).toEqual(
      [path.basename(changed.cacheFile as string), path.basename(other.cacheFile as string)].sort(),
    );
  });

  it('a cache file others can write is not read', () => {
    const { bundle, cacheDir } = fresh();
    const p = prepareScript(bundle, { cacheDir, group: 'cli' });
    p.run();
    p.save();
    fs.chmodSync(p.cacheFile as string, 0o620);
    expect(prepareScript(bundle, { cacheDir, group: 'cli' }).state).toBe('miss');
    fs.chmodSync(p.cacheFile as string, 0o600);
    expect(prepareScript(copyOf(bundle), { cacheDir, group: 'cli' }).state).toBe('hit');
    // A symlink to a good cache file is not followed.
    const link = path.join(cacheDir, 'link');
    fs.renameSync(p.cacheFile as string, link);
    fs.symlinkSync(link, p.cacheFile as string);
    expect(prepareScript(bundle, { cacheDir, group: 'cli' }).state).toBe('miss');
  });

  it.runIf(isRoot)('a cache file another user owns is not read (root never runs bytecode a user wrote)', () => {
    const { bundle, cacheDir } = fresh();
    const p = prepareScript(bundle, { cacheDir, group: 'cli' });
    p.run();
    p.save();
    fs.chownSync(p.cacheFile as string, 65534, 65534);
    expect(prepareScript(bundle, { cacheDir, group: 'cli' }).state).toBe('miss');
  });

  it('a cache dir that cannot be made is only a slower start', () => {
    const { bundle } = fresh();
    const blocker = path.join(work, `file-${n}`);
    fs.writeFileSync(blocker, '');
    const p = prepareScript(bundle, { cacheDir: path.join(blocker, 'cache'), group: 'cli' });
    expect(p.state).toBe('miss');
    p.run();
    expect(() => p.save()).not.toThrow();
    const off = prepareScript(bundle, { cacheDir: null, group: 'cli' });
    expect(off.state).toBe('off');
    expect(off.cacheFile).toBeNull();
    off.run();
    expect(() => off.save()).not.toThrow();
  });

  it('trusts a dir only when it and every dir above it are writable by no one else', () => {
    const d = path.join(work, 'trust');
    fs.mkdirSync(d, { mode: 0o755 });
    expect(trustedDir(d)).toBe(true);
    expect(trustedDir(path.join(d, 'not', 'made', 'yet'))).toBe(true);
    const open = path.join(d, 'open');
    fs.mkdirSync(open);
    fs.chmodSync(open, 0o777);
    expect(trustedDir(open)).toBe(false);
    expect(trustedDir(path.join(open, 'berth'))).toBe(false);
    const link = path.join(d, 'link');
    fs.symlinkSync(open, link);
    expect(trustedDir(path.join(link, 'berth'))).toBe(false);
    expect(trustedDir(path.join(os.tmpdir(), 'berth-x'))).toBe(fs.statSync(os.tmpdir()).mode % 0o1000 <= 0o755);
  });
});

describe('codeCacheDir', () => {
  it('is $XDG_CACHE_HOME/berth, else ~/.cache/berth, else none', () => {
    expect(codeCacheDir({ XDG_CACHE_HOME: '/x/cache', HOME: '/home/u' })).toBe('/x/cache/berth');
    expect(codeCacheDir({ XDG_CACHE_HOME: 'relative', HOME: '/home/u' })).toBe('/home/u/.cache/berth');
    expect(codeCacheDir({ HOME: '/home/u' })).toBe('/home/u/.cache/berth');
    expect(codeCacheDir({})).toBeNull();
  });
});

describe('cacheName', () => {
  it('names a bundle by its bytes, length and group: one changed byte, a group or a length is another name', () => {
    const bytes = Buffer.from('module.exports = 1; // a bundle\n'.repeat(1000));
    const name = cacheName(bytes, 'build');
    expect(name).toMatch(/^[0-9a-f]+-[0-9a-f]{8}$/);
    expect(cacheName(Buffer.from(bytes), 'build')).toBe(name);
    const names = new Set([
      name,
      cacheName(bytes, 'cli'),
      cacheName(Buffer.concat([bytes, Buffer.from(' ')]), 'build'),
    ]);
    // Every single-byte change in a few places, length kept.
    for (const at of [0, 1, 4095, 16_000, bytes.length - 1]) {
      const changed = Buffer.from(bytes);
      changed[at] = (changed[at] as number) ^ 1;
      names.add(cacheName(changed, 'build'));
    }
    expect(names.size).toBe(8);
  });
});
