/**
 * Memory stays flat with archive size: a 1 GiB layer (one file of zeros,
 * streamed by the writer, gzip on disk) and a 512 MiB plain one are
 * analyzed while heap use is sampled.
 */
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { zeros } from '../oci/tar/writer';
import { dockerSaveParts, makeLayer, makeLayerFile, writeArchive } from '../../testing/oci/image-archive';
import { makeTmp, rmrf } from '../../testing/oci/helpers';
import { analyzeImageArchive } from './analyze';

const GiB = 1024 ** 3;

/** A gc() for a clean baseline without flags on the test runner. */
function gcFunction(): () => void {
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc') as () => void;
}
const MB = 1024 ** 2;

describe('analysis memory', () => {
  let tmp = '';
  let archive = '';

  beforeAll(async () => {
    tmp = makeTmp('berth-mem-');
    const base = await makeLayer(
      [
        { path: 'etc', type: 'dir' },
        { path: 'etc/hostname', body: 'berth\n' },
      ],
      'gzip',
    );
    const big = await makeLayerFile(
      [
        { path: 'data', type: 'dir' },
        { path: 'data/zeros.img', size: GiB, body: zeros(GiB, 4 * MB) },
        { path: 'data/after', body: 'tail' },
      ],
      path.join(tmp, 'big.tar.gz'),
    );
    archive = path.join(tmp, 'image.tar');
    await writeArchive(archive, dockerSaveParts([base, big], { oci: true }).members);
  }, 120_000);
  afterAll(() => rmrf(tmp));

  it('analyzes a 1 GiB layer with bounded heap', async () => {
    gcFunction()();
    const before = process.memoryUsage();
    let peakHeap = before.heapUsed;
    let peakBuffers = before.arrayBuffers;
    const timer = setInterval(() => {
      const m = process.memoryUsage();
      peakHeap = Math.max(peakHeap, m.heapUsed);
      peakBuffers = Math.max(peakBuffers, m.arrayBuffers);
    }, 10);
    try {
      const a = await analyzeImageArchive(archive);
      const layer = a.layers[1];
      expect(layer?.size).toBe(GiB + 4);
      expect(layer?.uncompressedSize).toBeGreaterThan(GiB);
      expect(layer?.changes.map((c) => c.path)).toEqual(['/data', '/data/after', '/data/zeros.img']);
    } finally {
      clearInterval(timer);
    }
    const heapGrowth = (peakHeap - before.heapUsed) / MB;
    const bufferGrowth = (peakBuffers - before.arrayBuffers) / MB;
    console.log(`heap growth ${heapGrowth.toFixed(1)} MB, buffers growth ${bufferGrowth.toFixed(1)} MB`);
    expect(heapGrowth).toBeLessThan(100);
    expect(bufferGrowth).toBeLessThan(100);
  });

  it('analyzes a 512 MiB plain layer (listed here, hashed on the worker) with bounded heap', async () => {
    const plainArchive = path.join(tmp, 'plain.tar');
    const base = await makeLayer(
      [
        { path: 'etc', type: 'dir' },
        { path: 'etc/hostname', body: 'berth\n' },
      ],
      'none',
    );
    const big = await makeLayerFile(
      [
        { path: 'data', type: 'dir' },
        { path: 'data/zeros.img', size: GiB / 2, body: zeros(GiB / 2, 4 * MB) },
        { path: 'etc/hostname', body: 'berth\n' }, // an identical rewrite: hashed on demand
      ],
      path.join(tmp, 'big.tar'),
      undefined,
      'none',
    );
    await writeArchive(plainArchive, dockerSaveParts([base, big]).members);
    gcFunction()();
    const before = process.memoryUsage();
    let peakHeap = before.heapUsed;
    let peakBuffers = before.arrayBuffers;
    const timer = setInterval(() => {
      const m = process.memoryUsage();
      peakHeap = Math.max(peakHeap, m.heapUsed);
      peakBuffers = Math.max(peakBuffers, m.arrayBuffers);
    }, 10);
    try {
      const a = await analyzeImageArchive(plainArchive);
      expect(a.verified).toBe(true);
      expect(a.layers[1]?.diffId).toBe(big.diffId);
      expect(a.layers[1]?.changes.map((c) => `${c.change} ${c.path}`)).toEqual([
        'added /data',
        'added /data/zeros.img',
      ]);
      expect(a.layers[1]?.stats.unmodified).toBe(1);
    } finally {
      clearInterval(timer);
    }
    expect((peakHeap - before.heapUsed) / MB).toBeLessThan(100);
    expect((peakBuffers - before.arrayBuffers) / MB).toBeLessThan(100);
  });
});
