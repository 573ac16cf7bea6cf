/**
 * The --userns range allocator: allocation, release and reuse, exhaustion,
 * persistence, reclaiming ranges of containers that are gone, the `berth`
 * subordinate-id entries, and two processes allocating at once (the real
 * flock(2): the allocator is bundled and run by two Node processes).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nativeAvailable } from '../../../native/index';
import { IdRangeAllocator, type IdRange } from './ranges';
import { chooseSubidRange, DEFAULT_SUBID_COUNT, DEFAULT_SUBID_START, ensureSubids, parseSubids } from './subid';

const ROOT = path.resolve(import.meta.dirname, '../../..');
let dir: string;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-ranges-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function files(subuid: string, subgid = subuid) {
  fs.writeFileSync(path.join(dir, 'subuid'), subuid);
  fs.writeFileSync(path.join(dir, 'subgid'), subgid);
  return {
    subuidFile: path.join(dir, 'subuid'),
    subgidFile: path.join(dir, 'subgid'),
    rangesFile: path.join(dir, 'state', 'ranges.json'),
  };
}

const disjoint = (rs: IdRange[]): boolean =>
  rs.every((a, i) =>
    rs.every(
      (b, j) =>
        i === j ||
        ((a.uid + a.size <= b.uid || b.uid + b.size <= a.uid) && (a.gid + a.size <= b.gid || b.gid + b.size <= a.gid)),
    ),
  );

describe.runIf(nativeAvailable())('IdRangeAllocator', () => {
  const alive = () => true;

  it('gives each owner its own 65536 ids from the berth entries, the same one again when asked twice', async () => {
    const a = new IdRangeAllocator({
      ...files('alice:100000:65536\nberth:200000:262144\n', 'berth:300000:262144\n'),
      ownerExists: alive,
    });
    const r1 = await a.allocate({ dataRoot: '/d', id: 'one' });
    const r2 = await a.allocate({ dataRoot: '/d', id: 'two' });
    expect(r1).toEqual({ uid: 200000, gid: 300000, size: 65536 });
    expect(r2).toEqual({ uid: 265536, gid: 365536, size: 65536 });
    expect(await a.allocate({ dataRoot: '/d', id: 'one' })).toEqual(r1);
    // Same id under another data root is another owner.
    expect(await a.allocate({ dataRoot: '/e', id: 'one' })).toEqual({ uid: 331072, gid: 431072, size: 65536 });
  });

  it('releases, reuses the freed range, and persists across instances (a helper restart)', async () => {
    const f = files('berth:1000000:196608\n');
    const a = new IdRangeAllocator({ ...f, ownerExists: alive });
    const r1 = await a.allocate({ dataRoot: '/d', id: 'one' });
    const r2 = await a.allocate({ dataRoot: '/d', id: 'two' });
    const b = new IdRangeAllocator({ ...f, ownerExists: alive });
    expect(b.list().map((x) => x.owner.id)).toEqual(['one', 'two']);
    expect(await b.allocate({ dataRoot: '/d', id: 'two' })).toEqual(r2);
    await b.release({ dataRoot: '/d', id: 'one' });
    await b.release({ dataRoot: '/d', id: 'never-had-one' });
    expect(a.list().map((x) => x.owner.id)).toEqual(['two']);
    expect(await a.allocate({ dataRoot: '/d', id: 'three' })).toEqual(r1);
  });

  it('exhausted: USERNS_RANGES_EXHAUSTED, nothing stored changes; a release makes room', async () => {
    const f = files('berth:1000000:131072\n', 'berth:5000000:1000000\n');
    const a = new IdRangeAllocator({ ...f, ownerExists: alive });
    await a.allocate({ dataRoot: '/d', id: 'one' });
    await a.allocate({ dataRoot: '/d', id: 'two' });
    const before = fs.readFileSync(f.rangesFile, 'utf8');
    await expect(a.allocate({ dataRoot: '/d', id: 'three' })).rejects.toMatchObject({
      code: 'USERNS_RANGES_EXHAUSTED',
    });
    expect(fs.readFileSync(f.rangesFile, 'utf8')).toBe(before);
    await a.release({ dataRoot: '/d', id: 'one' });
    expect((await a.allocate({ dataRoot: '/d', id: 'three' })).uid).toBe(1000000);
  });

  it('reclaims the ranges of containers whose directory is gone', async () => {
    const f = files('berth:1000000:65536\n');
    const dataRoot = path.join(dir, 'data');
    fs.mkdirSync(path.join(dataRoot, 'c', 'live'), { recursive: true });
    const a = new IdRangeAllocator(f); // default: <dataRoot>/c/<id> must exist
    await a.allocate({ dataRoot, id: 'gone' });
    await expect(a.allocate({ dataRoot, id: 'live' })).resolves.toEqual({ uid: 1000000, gid: 1000000, size: 65536 });
    expect(a.list().map((x) => x.owner.id)).toEqual(['live']);
  });

  it('adds a berth entry to files without one, clear of every other entry, keeping the rest and the mode', async () => {
    const f = files('# comment\nalice:100000:65536', 'bob:2147483648:65536\n');
    fs.chmodSync(f.subuidFile, 0o644);
    const a = new IdRangeAllocator({ ...f, ownerExists: alive });
    const r = await a.allocate({ dataRoot: '/d', id: 'one' });
    expect(fs.readFileSync(f.subuidFile, 'utf8')).toBe(
      `# comment\nalice:100000:65536\nberth:${DEFAULT_SUBID_START}:${DEFAULT_SUBID_COUNT}\n`,
    );
    expect(fs.statSync(f.subuidFile).mode & 0o777).toBe(0o644);
    // bob holds the default start in subgid: berth goes above him.
    expect(parseSubids(fs.readFileSync(f.subgidFile, 'utf8'))).toEqual([
      { name: 'bob', start: 2147483648, count: 65536 },
      { name: 'berth', start: 2147483648 + 65536, count: DEFAULT_SUBID_COUNT },
    ]);
    expect(r).toEqual({ uid: DEFAULT_SUBID_START, gid: 2147483648 + 65536, size: 65536 });
    // Idempotent: a second call adds nothing.
    expect(ensureSubids(f.subuidFile, 65536)).toHaveLength(1);
  });

  it('refuses when no berth range can fit below 2^32-1', () => {
    expect(() => chooseSubidRange([{ name: 'x', start: 2 ** 31, count: 2 ** 32 - 1 - 2 ** 31 }], 65536)).toThrow(
      expect.objectContaining({ code: 'USERNS_NO_SUBID_RANGE' }),
    );
    expect(parseSubids('a:1:2\nbad line\nb:x:1\nc:4294967295:1\n')).toEqual([{ name: 'a', start: 1, count: 2 }]);
  });

  it('two processes allocating at once never hand out overlapping ranges', { timeout: 60_000 }, async () => {
    const f = files('berth:1000000:13107200\n'); // 200 ranges
    // Bundle the allocator (with its native flock) for plain Node children.
    const { build } = await import('vite');
    const out = path.join(dir, 'bundle');
    await build({
      configFile: false,
      logLevel: 'silent',
      root: ROOT,
      // Plain Node in a temp dir resolves no packages: bundle zod and the rest in.
      ssr: { noExternal: true },
      build: {
        ssr: path.join(ROOT, 'main/engine/userns/ranges.ts'),
        outDir: out,
        emptyOutDir: true,
        rollupOptions: { output: { format: 'es', entryFileNames: 'ranges.mjs' } },
      },
    });
    const child = path.join(out, 'child.mjs');
    fs.writeFileSync(
      child,
      `import { IdRangeAllocator } from './ranges.mjs';
const [files, tag, n] = [JSON.parse(process.argv[2]), process.argv[3], Number(process.argv[4])];
const a = new IdRangeAllocator({ ...files, ownerExists: () => true });
const got = await Promise.all(Array.from({ length: n }, (_, i) => a.allocate({ dataRoot: '/d', id: tag + i })));
process.stdout.write(JSON.stringify(got));
`,
    );
    const run = (tag: string) =>
      new Promise<IdRange[]>((resolve, reject) => {
        const p = spawn(process.execPath, [child, JSON.stringify(f), tag, '40'], {
          env: { ...process.env, BERTH_NATIVE_PATH: path.join(ROOT, 'native/build/Release/berth.node') },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let o = '';
        let e = '';
        p.stdout.on('data', (d: Buffer) => (o += d.toString()));
        p.stderr.on('data', (d: Buffer) => (e += d.toString()));
        p.on('exit', (code) => (code === 0 ? resolve(JSON.parse(o) as IdRange[]) : reject(new Error(e))));
      });
    const [x, y] = await Promise.all([run('a'), run('b')]);
    const all = [...x, ...y];
    expect(all).toHaveLength(80);
    expect(disjoint(all)).toBe(true);
    const stored = new IdRangeAllocator({ ...f, ownerExists: alive }).list();
    expect(stored).toHaveLength(80);
    expect(disjoint(stored)).toBe(true);
  });
});
