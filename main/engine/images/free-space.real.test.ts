/**
 * The free-space margin on a real small filesystem: a 48 MiB tmpfs as the
 * data root, a layer that expands to 64 MiB (a few KB of gzip). The load
 * stops with NO_SPACE before the filesystem is full (never ENOSPC half-way
 * through a write), the store is byte for byte what it was, nothing is left
 * in ingest, and a small image still loads on the same filesystem.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fsSpace, marginFor } from './free-space';
import { loadArchive } from './load';
import { DEFAULT_ARCHIVE_LIMITS } from '../oci/limits';
import { ImageStore } from './store/store';
import { listImages } from './store/describe';
import { dockerSaveParts, makeLayerFile, writeArchive } from '../../testing/oci/image-archive';
import { makeTmp, rmrf } from '../../testing/oci/helpers';
import { smallLayer, treeHash } from '../../testing/store-helpers';

const isRoot = process.getuid?.() === 0;

describe.runIf(isRoot)('free-space margin on a 48 MiB tmpfs (root)', { timeout: 120_000 }, () => {
  let tmp = '';
  let mnt = '';
  beforeAll(() => {
    tmp = makeTmp('berth-nospace-');
    mnt = path.join(tmp, 'data');
    fs.mkdirSync(mnt);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=48m,mode=0711', 'berth-test-nospace', mnt]);
  });
  afterAll(() => {
    try {
      execFileSync('umount', [mnt]);
    } catch {
      // Still busy (a file the store's helpers keep open until they exit): detach it lazily.
      execFileSync('umount', ['-l', mnt]);
    }
    if (!fs.readFileSync('/proc/mounts', 'utf8').includes(mnt)) rmrf(tmp);
  });

  it('a 64 MiB layer: NO_SPACE at the margin, store unchanged; a small image still loads', async () => {
    const store = await ImageStore.open({ dataRoot: mnt });
    const first = path.join(tmp, 'small.tar');
    await writeArchive(first, dockerSaveParts([await smallLayer('a')], { tag: 'small:1' }).members);
    await loadArchive(store, first); // a store with content

    const zeros = await makeLayerFile(
      [
        {
          path: 'zeros',
          size: 64 * 1024 * 1024,
          body: (function* () {
            const mib = Buffer.alloc(1024 * 1024);
            for (let i = 0; i < 64; i++) yield mib;
          })(),
        },
      ],
      path.join(tmp, 'zeros.tar.gz'),
    );
    const big = path.join(tmp, 'big.tar');
    await writeArchive(big, dockerSaveParts([zeros], { tag: 'big:1' }).members);
    expect(fs.statSync(big).size).toBeLessThan(1024 * 1024);

    const before = treeHash(store.dataRoot);
    const err = await loadArchive(store, big).catch((e: unknown) => e);
    const space = fsSpace(mnt);
    const margin = marginFor(DEFAULT_ARCHIVE_LIMITS.minFreeBytes, space.total);
    console.log(
      `tmpfs ${space.total} B, margin ${margin} B; the load ended with ${(err as { code?: string }).code}: ${(err as Error).message}`,
    );
    expect(err).toMatchObject({ code: 'NO_SPACE' });
    expect(treeHash(store.dataRoot)).toBe(before);
    expect(fs.readdirSync(store.ingestDir)).toEqual([]);
    expect((await listImages(store)).map((i) => i.repoTags)).toEqual([['small:1']]);

    const second = path.join(tmp, 'small2.tar');
    await writeArchive(second, dockerSaveParts([await smallLayer('b')], { tag: 'small:2' }).members);
    await loadArchive(store, second);
    expect((await listImages(store)).flatMap((i) => i.repoTags).sort()).toEqual(['small:1', 'small:2']);
  });
});
