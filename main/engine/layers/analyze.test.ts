import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chainIds } from '../oci/digest';
import {
  dockerSaveParts,
  makeLayer,
  ociArchiveParts,
  writeArchive,
  type LayerBlob,
} from '../../testing/oci/image-archive';
import { hasTool, makeTmp, rmrf, skopeoArchivesOfUmociImage } from '../../testing/oci/helpers';
import { analyzeImageArchive, type ImageAnalysis } from './analyze';
import { MergedTree } from './filetree';

const kb = (n: number, fill = 'x'): string => fill.repeat(n);

describe('analyzeImageArchive', () => {
  let tmp = '';
  let layers: LayerBlob[] = [];

  beforeAll(async () => {
    tmp = makeTmp('berth-analyze-');
    layers = [
      await makeLayer(
        [
          { path: 'etc', type: 'dir' },
          { path: 'etc/os-release', body: kb(100) },
          { path: 'bin', type: 'dir' },
          { path: 'bin/tool', body: kb(1000), mode: 0o755 },
          { path: 'var', type: 'dir' },
          { path: 'var/cache', type: 'dir' },
          { path: 'var/cache/big', body: kb(5000) },
          { path: 'var/log', type: 'dir' },
          { path: 'var/log/x', body: kb(700) },
          { path: 'usr/share/doc/a', body: kb(10) },
          { path: 'usr/share/doc/b', body: kb(20) },
        ],
        'gzip',
        'ADD rootfs.tar /',
      ),
      await makeLayer(
        [
          { path: 'bin/tool', body: kb(1200, 'y'), mode: 0o755 },
          { path: 'etc', type: 'dir' },
          { path: 'etc/os-release', body: kb(100) },
          { path: 'app', type: 'dir' },
          { path: 'app/run', body: kb(300), mode: 0o755 },
        ],
        'none',
        'COPY . /app',
      ),
      await makeLayer(
        [
          { path: 'var', type: 'dir' },
          { path: 'var/cache', type: 'dir' },
          { path: 'var/cache/.wh.big', body: '' },
          { path: 'usr', type: 'dir' },
          { path: 'usr/share', type: 'dir' },
          { path: 'usr/share/doc', type: 'dir' },
          { path: 'usr/share/doc/.wh..wh..opq', body: '' },
          { path: 'usr/share/doc/c', body: kb(30) },
        ],
        'zstd',
        'RUN rm /var/cache/big && make docs',
      ),
      await makeLayer(
        [
          { path: '.wh.var', body: '' },
          { path: 'app', type: 'dir' },
          { path: 'app/run', body: kb(400, 'z'), mode: 0o755 },
        ],
        'gzip',
        'RUN rm -rf /var && build',
      ),
    ];
  });
  afterAll(() => rmrf(tmp));

  const check = (a: ImageAnalysis): void => {
    expect(a.layers.map((l) => l.compression)).toEqual(['gzip', 'none', 'zstd', 'gzip']);
    expect(a.layers.map((l) => l.digest)).toEqual(layers.map((l) => l.digest));
    expect(a.layers.map((l) => l.diffId)).toEqual(layers.map((l) => l.diffId));
    expect(a.layers.map((l) => l.chainId)).toEqual(chainIds(layers.map((l) => l.diffId)));
    expect(a.layers.map((l) => l.compressedSize)).toEqual(layers.map((l) => l.size));
    // History has an empty_layer entry before layer 1; layers skip it as dive does.
    expect(a.layers.map((l) => l.createdBy)).toEqual([
      'ADD rootfs.tar /',
      'COPY . /app',
      'RUN rm /var/cache/big && make docs',
      'RUN rm -rf /var && build',
    ]);
    expect(a.history).toHaveLength(5);

    const changes = a.layers.map((l) => l.changes.map((c) => `${c.change} ${c.path} ${c.size}`));
    expect(changes[0]).toContain('added /var/cache/big 5000');
    expect(changes[1]).toEqual(['added /app 0', 'added /app/run 300', 'modified /bin/tool 1200']);
    expect(a.layers[1]?.stats).toMatchObject({ added: 2, modified: 1, removed: 0, unmodified: 2 });
    expect(changes[2]).toEqual([
      'removed /usr/share/doc/a 10',
      'removed /usr/share/doc/b 20',
      'added /usr/share/doc/c 30',
      'removed /var/cache/big 5000',
    ]);
    expect(changes[3]).toEqual(['modified /app/run 400', 'removed /var 700']);
    expect(a.layers[3]?.stats).toMatchObject({ modified: 1, removed: 1, removedBytes: 700, unmodified: 1 });

    // dive's numbers, worked out by hand (see efficiency.ts for the rules):
    // cumulative 9560, minimum 2860, wasted 200 + 2200 + 5000 + 700.
    expect(a.sizeBytes).toBe(6830 + 1600 + 30 + 400);
    expect(a.userSizeBytes).toBe(1600 + 30 + 400);
    expect(a.wastedBytes).toBe(8100);
    expect(a.efficiency).toBeCloseTo(2860 / 9560, 12);
    expect(a.wastedUserPercent).toBeCloseTo(8100 / 2030, 12);
    expect(a.inefficiencies).toEqual([
      { path: '/var/cache/big', count: 2, totalSize: 5000 },
      { path: '/bin/tool', count: 2, totalSize: 2200 },
      { path: '/app/run', count: 2, totalSize: 700 },
      { path: '/etc/os-release', count: 2, totalSize: 200 },
    ]);

    // Dead bytes: layer 0's files are all replaced (/etc/os-release, /bin/tool), whited out
    // (/var/cache/big; /var/log/x under the whited-out /var) or under an opaque dir
    // (/usr/share/doc/a, b); layer 1's /app/run is replaced by layer 3's.
    expect(a.layers.map((l) => l.deadBytes)).toEqual([6830, 300, 0, 0]);
    expect(a.deadBytes).toBe(7130);

    // The per-layer change lists rebuild the cumulative trees.
    expect(
      MergedTree.replay(a.layers)
        .list()
        .map((e) => e.path),
    ).toEqual([
      '/app',
      '/app/run',
      '/bin',
      '/bin/tool',
      '/etc',
      '/etc/os-release',
      '/usr',
      '/usr/share',
      '/usr/share/doc',
      '/usr/share/doc/c',
    ]);
    expect(
      MergedTree.replay(a.layers, 0)
        .list()
        .some((e) => e.path === '/var/cache/big'),
    ).toBe(true);
  };

  it('reads a classic docker save archive', async () => {
    const file = path.join(tmp, 'classic.tar');
    await writeArchive(file, dockerSaveParts(layers, { tag: 'berth/test:1' }).members);
    const a = await analyzeImageArchive(file);
    expect(a.format).toBe('docker-save');
    expect(a.repoTags).toEqual(['berth/test:1']);
    check(a);
  });

  it('reads a Docker 25+ docker save archive (OCI layout inside)', async () => {
    const file = path.join(tmp, 'docker25.tar');
    const parts = dockerSaveParts(layers, { oci: true });
    await writeArchive(file, parts.members);
    const a = await analyzeImageArchive(file);
    expect(a.format).toBe('docker-save-oci');
    expect(a.configDigest).toBe(parts.configDigest);
    check(a);
  });

  it('reads an OCI archive and reports the manifest digest', async () => {
    const file = path.join(tmp, 'oci.tar');
    const parts = ociArchiveParts(layers);
    await writeArchive(file, parts.members);
    const a = await analyzeImageArchive(file);
    expect(a.format).toBe('oci-archive');
    expect(a.manifestDigest).toBe(parts.manifestDigest);
    check(a);
  });

  it('verify: false lists plain layers from their headers and says they are unverified', async () => {
    const file = path.join(tmp, 'unverified.tar');
    await writeArchive(file, dockerSaveParts(layers, { tag: 'berth/test:1' }).members);
    const a = await analyzeImageArchive(file, { verify: false });
    expect(a.verified).toBe(false);
    // Only the plain layer is listed unread; compressed ones are still read through and checked.
    expect(a.layers.map((l) => l.verified)).toEqual([true, false, true, true]);
    expect(a.layers.map((l) => l.digest)).toEqual(layers.map((l) => l.digest));
    expect(a.layers.map((l) => l.diffId)).toEqual(layers.map((l) => l.diffId));
    expect(a.layers[1]?.uncompressedSize).toBe(layers[1]?.size);
    // No content hash: the identical /etc/os-release counts as modified, by path (dive's rule).
    expect(a.layers[1]?.changes.map((c) => `${c.change} ${c.path} ${c.size}`)).toEqual([
      'added /app 0',
      'added /app/run 300',
      'modified /bin/tool 1200',
      'modified /etc/os-release 100',
    ]);
    expect(a.wastedBytes).toBe(8100);
    const verified = await analyzeImageArchive(file);
    expect(verified.verified).toBe(true);
    expect(verified.layers.every((l) => l.verified)).toBe(true);
  });

  it('verify: false still refuses a plain layer whose tar is cut short', async () => {
    const file = path.join(tmp, 'unverified-cut.tar');
    const plain = layers[1] as LayerBlob;
    const bytes = (plain.bytes as Buffer).subarray(0, 1024 + 100);
    const cut: LayerBlob = { ...plain, bytes, size: bytes.length };
    await writeArchive(file, dockerSaveParts([layers[0] as LayerBlob, cut]).members);
    await expect(analyzeImageArchive(file, { verify: false })).rejects.toMatchObject({ code: 'TAR_TRUNCATED' });
  });

  it('reads a layer listed twice once, and reports both', async () => {
    const file = path.join(tmp, 'twice.tar');
    const same = layers[1] as LayerBlob;
    await writeArchive(file, ociArchiveParts([layers[0] as LayerBlob, same, same]).members);
    const a = await analyzeImageArchive(file);
    expect(a.layers).toHaveLength(3);
    expect(a.layers[2]?.changes).toEqual([]);
    expect(a.layers[2]?.stats.unmodified).toBe(5);
  });

  it.skipIf(!hasTool('umoci') || !hasTool('skopeo'))(
    'reads what skopeo writes (docker-archive and oci-archive) from a umoci image',
    async () => {
      const { manifest, diffIds, dockerTar, ociTar } = skopeoArchivesOfUmociImage(tmp);

      const oci = await analyzeImageArchive(ociTar);
      expect(oci.layers.map((l) => l.digest)).toEqual(manifest.layers.map((l) => l.digest));
      expect(oci.layers.map((l) => l.diffId)).toEqual(diffIds);
      expect(oci.configDigest).toBe(manifest.config.digest);
      expect(oci.layers[1]?.changes.map((c) => `${c.change} ${c.path}`)).toEqual(
        expect.arrayContaining(['added /etc/file1', 'removed /etc/file0']),
      );

      const docker = await analyzeImageArchive(dockerTar);
      expect(docker.format).toBe('docker-save');
      expect(docker.repoTags).toEqual(['docker.io/berth/skopeo:t']);
      expect(docker.layers.map((l) => l.diffId)).toEqual(diffIds);
      expect(docker.layers.map((l) => l.changes)).toEqual(oci.layers.map((l) => l.changes));
      expect(docker.efficiency).toBe(oci.efficiency);
    },
  );

  describe('plain layers: digest on a worker, contents hashed on demand', () => {
    let plain: LayerBlob[] = [];
    beforeAll(async () => {
      plain = [
        await makeLayer(
          [
            { path: 'etc', type: 'dir' },
            { path: 'etc/same', body: kb(100) },
            { path: 'etc/changed', body: kb(100) },
            { path: 'etc/empty', body: '' },
          ],
          'none',
        ),
        await makeLayer(
          [
            { path: 'etc', type: 'dir' },
            { path: 'etc/same', body: kb(100) },
            { path: 'etc/changed', body: kb(100, 'y') }, // same size, other bytes
            { path: 'etc/empty', body: '' },
          ],
          'none',
        ),
      ];
    });

    it('shows an identical rewrite as unmodified and a same-size change as modified', async () => {
      const file = path.join(tmp, 'plain-rewrite.tar');
      await writeArchive(file, dockerSaveParts(plain).members);
      const a = await analyzeImageArchive(file);
      expect(a.verified).toBe(true);
      expect(a.layers.map((l) => l.diffId)).toEqual(plain.map((l) => l.diffId));
      expect(a.layers[1]?.changes.map((c) => `${c.change} ${c.path}`)).toEqual(['modified /etc/changed']);
      expect(a.layers[1]?.stats).toMatchObject({ modified: 1, unmodified: 3 });
      // Unverified, nothing is hashed: every rewritten file counts as modified (dive's rule).
      const u = await analyzeImageArchive(file, { verify: false });
      expect(u.layers[1]?.changes.map((c) => `${c.change} ${c.path}`)).toEqual([
        'modified /etc/changed',
        'modified /etc/empty',
        'modified /etc/same',
      ]);
    });

    it('rejects a plain layer whose bytes are not its digest (DIGEST_MISMATCH naming the blob)', async () => {
      const file = path.join(tmp, 'plain-bad-digest.tar');
      const parts = ociArchiveParts(plain);
      const name = `blobs/sha256/${plain[1]?.digest.slice(7) ?? ''}`;
      // A body byte changed: the tar still parses, only the digest can tell.
      const bytes = Buffer.from(plain[1]?.bytes ?? Buffer.alloc(0));
      bytes[512 * 3] = 0x7a;
      const members = parts.members.map((m) => (m.path === name ? { path: name, body: bytes } : m));
      await writeArchive(file, members);
      await expect(analyzeImageArchive(file)).rejects.toMatchObject({
        code: 'DIGEST_MISMATCH',
        details: { blob: name, expected: plain[1]?.digest },
      });
    });

    it('reports the first bad layer: a lower bad digest before a later cut tar', async () => {
      const file = path.join(tmp, 'plain-order.tar');
      const p0 = plain[0] as LayerBlob;
      const p1 = plain[1] as LayerBlob;
      const wrong = Buffer.from(p0.bytes ?? Buffer.alloc(0));
      wrong[512 * 2] = 0x7a; // a body byte: still a valid tar
      const cut = (p1.bytes ?? Buffer.alloc(0)).subarray(0, 1024 + 100);
      const parts = dockerSaveParts([
        { ...p0, bytes: wrong },
        { ...p1, bytes: cut, size: cut.length },
      ]);
      await writeArchive(file, parts.members);
      const err: unknown = await analyzeImageArchive(file).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'DIGEST_MISMATCH', details: { kind: 'diffID', layer: 0 } });
    });

    it('fails on a lower bad layer while a plain layer above is still being hashed, leaving nothing unhandled', async () => {
      const file = path.join(tmp, 'plain-stopped.tar');
      const base = layers[0] as LayerBlob;
      const big = await makeLayer([{ path: 'big', body: Buffer.alloc(96 * 1024 * 1024) }], 'none');
      const parts = dockerSaveParts([{ ...base, diffId: big.diffId }, big]); // layer 0's diffID is wrong
      await writeArchive(file, parts.members);
      const unhandled: unknown[] = [];
      const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
      process.on('unhandledRejection', onUnhandled);
      try {
        await expect(analyzeImageArchive(file)).rejects.toMatchObject({
          code: 'DIGEST_MISMATCH',
          details: { kind: 'diffID', layer: 0 },
        });
        await new Promise((r) => setTimeout(r, 200)); // the stopped worker's digests settle
      } finally {
        process.off('unhandledRejection', onUnhandled);
      }
      expect(unhandled).toEqual([]);
    });

    it('stops its worker thread when done, on errors and on abort', async () => {
      const file = path.join(tmp, 'plain-threads.tar');
      await writeArchive(file, dockerSaveParts(plain).members);
      const threads = (): number => fs.readdirSync('/proc/self/task').length;
      await analyzeImageArchive(file); // the libuv pool and the like exist from here on
      const base = threads();
      await analyzeImageArchive(file);
      expect(threads()).toBe(base);
      const ac = new AbortController();
      const aborted = analyzeImageArchive(file, {
        signal: ac.signal,
        onProgress: ({ layer }) => {
          if (layer === 1) ac.abort(new Error('cancelled'));
        },
      });
      await expect(aborted).rejects.toThrow('cancelled');
      expect(threads()).toBe(base);
    });
  });
});
