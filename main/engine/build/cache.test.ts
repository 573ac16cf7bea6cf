import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BuildCache, buildCacheSection } from './cache';
import { cacheMountDir } from './run-mounts';

const hex = (c: string): string => `sha256:${c.repeat(64)}`;

describe('build cache as a disk section', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });

  function seed(): { root: string; cache: BuildCache; storeCopy: string } {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-build-cache-'));
    dirs.push(root);
    const cache = new BuildCache(root);
    cache.ensureDirs();
    const at = '2026-12-07T00:00:00.000Z';
    fs.writeFileSync(cache.blobPath(hex('a')), Buffer.alloc(1000));
    fs.writeFileSync(cache.blobPath(hex('b')), Buffer.alloc(300));
    // The store shares blob a (a hard link, as a commit makes): its entry is active.
    const storeCopy = path.join(root, 'store-blob');
    fs.linkSync(cache.blobPath(hex('a')), storeCopy);
    cache.put('k1', { diffId: hex('a'), size: 1000, created: at, createdBy: 'RUN make', lastUsed: at });
    cache.put('k2', { diffId: hex('b'), size: 300, created: at, createdBy: 'COPY . /src', lastUsed: at });
    cache.put('k3', { diffId: null, size: 0, created: at, createdBy: 'ENV A=1', lastUsed: at });
    cache.save();
    fs.mkdirSync(cache.layerDir(hex('c')));
    fs.writeFileSync(path.join(cache.layerDir(hex('c')), 'f'), Buffer.alloc(50));
    return { root, cache, storeCopy };
  }

  it('reports sizes, what an image shares, and plans dangling entries only without all', async () => {
    const { root } = seed();
    const s = buildCacheSection(root);
    expect(s.kind).toBe('build-cache');
    expect(await s.usage()).toEqual({ count: 3, active: 1, sizeBytes: 1350, reclaimableBytes: 350 });
    expect((await s.plan({ all: false })).map((e) => e.id).sort()).toEqual(['k2', 'k3']);
    expect((await s.plan({ all: true })).map((e) => [e.id, e.name, e.sizeBytes]).sort()).toEqual([
      ['k1', 'RUN make', 1000],
      ['k2', 'COPY . /src', 300],
      ['k3', 'ENV A=1', 0],
    ]);
  });

  it('prunes the entries asked for, their blobs and the unpacked layers; the store keeps its link', async () => {
    const { root, cache, storeCopy } = seed();
    const s = buildCacheSection(root);
    const r = await s.prune(['k1', 'k2']);
    expect(r.removed.sort()).toEqual(['k1', 'k2']);
    expect(r.reclaimedBytes).toBe(350); // b's 300 and the unpacked layer's 50; a is still the store's
    expect(fs.existsSync(cache.blobPath(hex('a')))).toBe(false);
    expect(fs.statSync(storeCopy).size).toBe(1000);
    expect(fs.readdirSync(cache.paths.layers)).toEqual([]);
    const again = new BuildCache(root);
    expect(again.entries().map(([k]) => k)).toEqual(['k3']);
    expect(await s.usage()).toEqual({ count: 1, active: 0, sizeBytes: 0, reclaimableBytes: 0 });
  });

  it('counts RUN --mount=type=cache dirs as reclaimable build cache and prunes them', async () => {
    const { root, cache } = seed();
    const uid = process.getuid?.() ?? 0;
    const gid = process.getgid?.() ?? 0;
    const data = cacheMountDir(cache.paths.mounts, {
      type: 'cache',
      target: '/root/.cache',
      id: 'pip',
      sharing: 'shared',
      mode: 0o700,
      uid,
      gid,
      readOnly: false,
    });
    expect(fs.statSync(data).mode & 0o777).toBe(0o700);
    fs.writeFileSync(path.join(data, 'wheel'), Buffer.alloc(5000));
    const s = buildCacheSection(root);
    const u = await s.usage();
    expect(u.count).toBe(4);
    expect(u.sizeBytes).toBe(1350 + 5000 + 'pip'.length);
    expect(u.reclaimableBytes).toBe(350 + 5000 + 'pip'.length);
    const mount = (await s.plan({ all: false })).find((e) => e.id.startsWith('mount:'));
    expect(mount).toMatchObject({ name: 'RUN --mount=type=cache,id=pip', sizeBytes: 5003 });
    const r = await s.prune([mount?.id as string]);
    expect(r.removed).toEqual([mount?.id]);
    expect(r.reclaimedBytes).toBe(5003 + 50); // and the unpacked layers, as every prune
    expect(fs.readdirSync(cache.paths.mounts)).toEqual([]);
  });
});

describe('build cache index writes', () => {
  const at = (s: number): string => new Date(Date.UTC(2026, 11, 7, 0, 0, s)).toISOString();
  const entry = { diffId: null, size: 0, created: at(0), createdBy: 'ENV A=1', lastUsed: at(0) };

  it('writes on put and remove and on a hit a minute after the stored time; not for a recent hit', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-build-cache-'));
    try {
      const cache = new BuildCache(root);
      const stored = (): string | undefined =>
        (JSON.parse(fs.readFileSync(cache.paths.index, 'utf8')) as { entries: Record<string, { lastUsed: string }> })
          .entries.k?.lastUsed;
      cache.save();
      expect(fs.existsSync(cache.paths.index)).toBe(false); // nothing changed: nothing written
      cache.put('k', entry);
      cache.save();
      expect(stored()).toBe(at(0));

      cache.reload();
      cache.touch('k', at(30)); // a rebuild 30 s later: no write
      cache.save();
      expect(stored()).toBe(at(0));

      cache.reload();
      cache.touch('k', at(61)); // a minute later: written
      cache.save();
      expect(stored()).toBe(at(61));

      cache.reload();
      cache.touch('k', 'not a date'); // an unreadable time is rewritten, never kept
      cache.save();
      expect(stored()).toBe('not a date');
      cache.reload();
      cache.touch('k', at(62));
      cache.save();
      expect(stored()).toBe(at(62));

      cache.reload();
      cache.remove(['absent']);
      cache.save();
      expect(stored()).toBe(at(62)); // removing nothing writes nothing
      cache.remove(['k']);
      cache.save();
      expect(stored()).toBeUndefined();
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
