import crypto from 'node:crypto';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chainIds } from '../oci/digest';
import { loadArchive } from './load';
import { planSave, saveStream, saveToFile } from './save';
import { ImageStore } from './store/store';
import { imageHistory, inspectImage, listImages } from './store/describe';
import { analyzeStoredImage } from './store/analyze';
import { analyzeImageArchive } from '../layers/analyze';
import { buildCorpus, type ImageCase } from '../../testing/oci/build-corpus';
import { busyboxLayers, writeBusyboxSave, BUSYBOX } from '../../testing/oci/two-layer-busybox';
import { hasTool, makeTmp, rmrf, run, skopeoArchivesOfUmociImage } from '../../testing/oci/helpers';
import {
  dockerSaveParts,
  makeLayer,
  ociArchiveParts,
  writeArchive,
  type LayerBlob,
} from '../../testing/oci/image-archive';
import { smallLayer, treeHash } from '../../testing/store-helpers';
import { BerthError } from '../../../preload/errors';

const isRoot = process.getuid?.() === 0;

function sha256File(file: string): string {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

describe.runIf(isRoot && BUSYBOX !== undefined)('load and save (root)', () => {
  let tmp = '';
  let layers: LayerBlob[] = [];
  let n = 0;
  const fresh = (): Promise<ImageStore> => ImageStore.open({ dataRoot: path.join(tmp, `store-${n++}`) });

  beforeAll(async () => {
    tmp = makeTmp('berth-load-');
    layers = await busyboxLayers();
  });
  afterAll(() => rmrf(tmp));

  it('loads a busybox docker save built with our tar writer and unpacks it for overlay', async () => {
    const file = path.join(tmp, 'busybox.tar');
    const parts = await writeBusyboxSave(file);
    const store = await fresh();
    const phases = new Set<string>();
    const [img, ...more] = await loadArchive(store, file, { onProgress: (p) => phases.add(p.phase) });
    expect(more).toEqual([]);
    expect(phases).toEqual(new Set(['verify', 'unpack']));
    expect(img).toMatchObject({
      id: parts.configDigest, // sha256 of the config bytes, as Docker computes the ID
      repoTags: ['docker.io/library/busybox:latest'],
      layers: 2,
      format: 'docker-save',
    });
    // The config is kept byte for byte.
    expect(fs.readFileSync(store.blobs.path(parts.configDigest)).equals(parts.configBytes)).toBe(true);
    // The OCI manifest we built lists the layers as they were in the tar.
    const manifest = JSON.parse(fs.readFileSync(store.blobs.path(img?.manifestDigest as string), 'utf8')) as {
      layers: Array<{ mediaType: string; digest: string }>;
    };
    expect(manifest.layers.map((l) => [l.mediaType, l.digest])).toEqual([
      ['application/vnd.oci.image.layer.v1.tar', layers[0]?.digest],
      ['application/vnd.oci.image.layer.v1.tar+gzip', layers[1]?.digest],
    ]);

    const [upper, lower] = await store.lowerDirs('busybox');
    // (hashes: deep-equal on megabyte Buffers is slow in vitest)
    expect(sha256File(path.join(lower as string, 'bin/busybox'))).toBe(sha256File(BUSYBOX as string));
    expect(fs.readlinkSync(path.join(lower as string, 'bin/sh'))).toBe('busybox');
    expect(fs.statSync(path.join(lower as string, 'bin/su-test')).ino).toBe(
      fs.statSync(path.join(lower as string, 'bin/busybox')).ino,
    );
    const wh = fs.lstatSync(path.join(upper as string, 'etc/motd'));
    expect(wh.isCharacterDevice() && wh.rdev === 0).toBe(true); // overlay whiteout
    expect(fs.statSync(path.join(upper as string, 'app/setuid')).mode & 0o7777).toBe(0o4755);

    const list = await listImages(store);
    expect(list).toEqual([
      expect.objectContaining({
        id: parts.configDigest,
        repoTags: ['busybox:latest'],
        names: ['docker.io/library/busybox:latest'],
        layers: 2,
        usedBy: [],
        size: (layers[0]?.size ?? 0) + 4608,
      }),
    ]);
    const detail = await inspectImage(store, 'busybox:latest');
    expect(detail.chainIds).toEqual(chainIds(layers.map((l) => l.diffId)));
    expect(detail.layerDetails.map((l) => l.dir)).toEqual([lower, upper]);
    expect(detail.layerDetails.every((l) => l.present)).toBe(true);
    const history = await imageHistory(store, 'busybox');
    expect(history.map((h) => h.createdBy)).toEqual([
      'COPY hello.sh /app/',
      '/bin/sh -c #(nop) ENV A=1',
      'ADD busybox-rootfs.tar /',
    ]);
    expect(history[0]?.id).toBe(layers[1]?.diffId);
    const analysis = await analyzeStoredImage(store, 'busybox');
    const fromFile = await analyzeImageArchive(file);
    expect(analysis.format).toBe('store');
    expect(analysis.layers.map((l) => l.changes)).toEqual(fromFile.layers.map((l) => l.changes));
    expect(analysis.efficiency).toBe(fromFile.efficiency);
  });

  it('keeps the manifest (and its digest) of a Docker 25+ docker save', async () => {
    const file = path.join(tmp, 'docker25.tar');
    const parts = await writeBusyboxSave(file, { oci: true, tag: 'me/bb:25', layers });
    const store = await fresh();
    const [img] = await loadArchive(store, file);
    expect(img).toMatchObject({
      id: parts.configDigest,
      manifestDigest: parts.manifestDigest,
      repoTags: ['docker.io/me/bb:25'],
      format: 'docker-save-oci',
    });
  });

  it('loads OCI archives (gzip and zstd layers); a bare ref.name tag names no repository', async () => {
    const l = [await smallLayer('z', 'zstd'), await smallLayer('g', 'gzip'), await smallLayer('p', 'none')];
    const parts = ociArchiveParts(l);
    const file = path.join(tmp, 'oci.tar');
    await writeArchive(file, parts.members);
    const store = await fresh();
    const [img] = await loadArchive(store, file);
    expect(img).toMatchObject({
      id: parts.configDigest,
      manifestDigest: parts.manifestDigest,
      repoTags: [],
      format: 'oci-archive',
    });
    expect(await store.lowerDirs(parts.configDigest)).toHaveLength(3);
    expect((await listImages(store, { dangling: true })).map((i) => i.id)).toEqual([parts.configDigest]);
  });

  it('load → save → load keeps the image ID, diffIDs and manifest; saving twice gives the same bytes', async () => {
    const file = path.join(tmp, 'rt-in.tar');
    const parts = await writeBusyboxSave(file, { layers });
    const s1 = await fresh();
    const [a] = await loadArchive(s1, file);
    await s1.tag('busybox', 'ghcr.io/me/bb:v1');
    const out1 = path.join(tmp, 'rt-1.tar');
    const out2 = path.join(tmp, 'rt-2.tar');
    const plan = await saveToFile(s1, ['busybox', 'ghcr.io/me/bb:v1'], out1);
    expect(fs.statSync(out1).size).toBe(plan.size);
    await saveToFile(s1, ['busybox', 'ghcr.io/me/bb:v1'], out2);
    expect(sha256File(out1)).toBe(sha256File(out2));

    const s2 = await fresh();
    const [b] = await loadArchive(s2, out1);
    expect(b?.id).toBe(a?.id);
    expect(b?.id).toBe(parts.configDigest);
    expect(b?.format).toBe('docker-save-oci');
    expect(b?.repoTags.sort()).toEqual(['docker.io/library/busybox:latest', 'ghcr.io/me/bb:v1']);
    const d2 = await inspectImage(s2, 'busybox');
    expect(d2.diffIds).toEqual(layers.map((l) => l.diffId));
    // Every layer leaves as an uncompressed tar named by its diffID, also seen by the analyzer.
    const analysis = await analyzeImageArchive(out1);
    expect(analysis.layers.map((l) => [l.compression, l.digest])).toEqual(layers.map((l) => ['none', l.diffId]));
    // The second round trip keeps even the manifest digest.
    const out3 = path.join(tmp, 'rt-3.tar');
    await saveToFile(s2, ['busybox'], out3);
    const s3 = await fresh();
    const [c] = await loadArchive(s3, out3);
    expect(c?.manifestDigest).toBe(b?.manifestDigest);
  });

  it('saves several images into one tar and loads them all', async () => {
    const s1 = await fresh();
    const l1 = await smallLayer('m1', 'gzip');
    const l2 = await smallLayer('m2', 'none');
    for (const [name, ls] of [
      ['one', [l1]],
      ['two', [l1, l2]],
    ] as const) {
      const f = path.join(tmp, `multi-${name}.tar`);
      await writeArchive(f, dockerSaveParts([...ls], { tag: `multi:${name}` }).members);
      await loadArchive(s1, f);
    }
    const out = path.join(tmp, 'multi.tar');
    const plan = await saveToFile(s1, ['multi:one', 'multi:two'], out);
    expect(plan.images).toHaveLength(2);
    const s2 = await fresh();
    const loaded = await loadArchive(s2, out);
    expect(loaded.map((i) => i.repoTags[0]).sort()).toEqual([
      'docker.io/library/multi:one',
      'docker.io/library/multi:two',
    ]);
    expect((await listImages(s2)).map((i) => i.id).sort()).toEqual((await listImages(s1)).map((i) => i.id).sort());
  });

  it('streams the export with the exact announced size', async () => {
    const s = await fresh();
    await loadArchive(s, path.join(tmp, 'busybox.tar'));
    const plan = await planSave(s, ['busybox']);
    let total = 0;
    for await (const c of saveStream(plan)) total += c.length;
    expect(total).toBe(plan.size);
  });

  it.skipIf(!hasTool('skopeo'))('skopeo accepts the saved tar as docker-archive (and as an OCI layout)', async () => {
    const s = await fresh();
    const [img] = await loadArchive(s, path.join(tmp, 'busybox.tar'));
    const out = path.join(tmp, 'for-skopeo.tar');
    await saveToFile(s, ['busybox'], out);
    const inspect = JSON.parse(run('skopeo', ['inspect', `docker-archive:${out}`]).toString()) as {
      Layers: string[];
      Architecture: string;
    };
    expect(inspect.Layers).toEqual(layers.map((l) => l.diffId));
    const raw = JSON.parse(run('skopeo', ['inspect', '--raw', `docker-archive:${out}`]).toString()) as {
      config: { digest: string };
    };
    expect(raw.config.digest).toBe(img?.id);
    const dir = path.join(tmp, 'oci-layout-out');
    fs.mkdirSync(dir);
    run('tar', ['xf', out, '-C', dir]);
    const oci = JSON.parse(run('skopeo', ['inspect', '--raw', `oci:${dir}:latest`]).toString()) as {
      config: { digest: string };
    };
    expect(oci.config.digest).toBe(img?.id);
  });

  it.skipIf(!hasTool('umoci') || !hasTool('skopeo'))(
    'loads what skopeo writes as docker-archive and oci-archive from a umoci image',
    async () => {
      const { manifest, diffIds, dockerTar, ociTar } = skopeoArchivesOfUmociImage(tmp);
      const s = await fresh();
      const [d] = await loadArchive(s, dockerTar);
      expect(d).toMatchObject({
        id: manifest.config.digest,
        repoTags: ['docker.io/berth/skopeo:t'],
        format: 'docker-save',
      });
      const [o] = await loadArchive(s, ociTar);
      expect(o).toMatchObject({ id: manifest.config.digest, repoTags: ['docker.io/berth/skopeo:oci'] });
      expect((await inspectImage(s, 'berth/skopeo:t')).diffIds).toEqual(diffIds);
      const [upper] = await s.lowerDirs('berth/skopeo:oci');
      expect(fs.existsSync(path.join(upper as string, 'etc/file1'))).toBe(true);
      expect(fs.lstatSync(path.join(upper as string, 'etc/file0')).isCharacterDevice()).toBe(true);
    },
  );

  const podman = hasTool('podman');
  it('podman load accepts our save, and podman save loads back (interop both ways)', async (ctx) => {
    if (!podman) {
      console.log('podman interop skipped: podman is not installed');
      ctx.skip();
      return;
    }
    const root = path.join(tmp, 'podman');
    const pod = (...args: string[]): string => {
      const r = spawnSync(
        'podman',
        [
          '--runtime',
          'runc',
          '--root',
          path.join(root, 'root'),
          '--runroot',
          path.join(root, 'runroot'),
          '--storage-driver',
          'vfs',
          '--events-backend',
          'file',
          '--cgroup-manager',
          'cgroupfs',
          ...args,
        ],
        { encoding: 'utf8', env: { ...process.env, XDG_CONFIG_HOME: path.join(root, 'config') } },
      );
      if (r.status !== 0) throw new Error(`podman ${args.join(' ')}: ${r.stderr}`);
      return r.stdout;
    };
    const s = await fresh();
    const [img] = await loadArchive(s, path.join(tmp, 'busybox.tar'));
    const out = path.join(tmp, 'for-podman.tar');
    await saveToFile(s, ['busybox'], out);
    expect(pod('load', '-i', out)).toContain('docker.io/library/busybox:latest');
    const ids = pod('images', '--no-trunc', '--format', '{{.ID}} {{.Repository}}:{{.Tag}}');
    expect(ids).toContain(`${img?.id.slice(7)} docker.io/library/busybox:latest`);
    for (const format of ['docker-archive', 'oci-archive']) {
      const back = path.join(tmp, `from-podman.${format}.tar`);
      pod('save', '--format', format, '-o', back, 'docker.io/library/busybox:latest');
      const s2 = await fresh();
      const [again] = await loadArchive(s2, back);
      expect(again?.id).toBe(img?.id);
      expect(again?.repoTags).toEqual(['docker.io/library/busybox:latest']);
      expect((await inspectImage(s2, 'busybox')).diffIds).toEqual(layers.map((l) => l.diffId));
    }
    console.log(
      `podman interop: podman load of our save and our load of podman save (docker-archive, oci-archive) keep ${img?.id}`,
    );
  });

  it('rejects every hostile image archive with its code, leaving the store byte for byte unchanged', async () => {
    const base = path.join(tmp, 'corpus');
    fs.mkdirSync(path.join(base, 'outside'), { recursive: true });
    const cases = (await buildCorpus(path.join(base, 'c'), { outside: path.join(base, 'outside') })).filter(
      (c): c is ImageCase => c.kind === 'image',
    );
    expect(cases.length).toBeGreaterThanOrEqual(12);
    const store = await fresh();
    await loadArchive(store, path.join(tmp, 'busybox.tar')); // a store with content
    const before = treeHash(store.dataRoot);
    const results: string[] = [];
    for (const c of cases) {
      let err: unknown;
      try {
        await loadArchive(store, c.file);
      } catch (e) {
        err = e;
      }
      expect(err, `${c.name}: expected ${c.expect.reject}`).toBeInstanceOf(BerthError);
      const e = err as BerthError;
      expect(e.code, `${c.name}: ${e.message}`).toBe(c.expect.reject);
      if (c.expect.entry !== undefined) expect(e.details?.['entry'], `${c.name}: names the entry`).toBe(c.expect.entry);
      expect(treeHash(store.dataRoot), `${c.name}: store unchanged`).toBe(before);
      expect(fs.readdirSync(store.ingestDir), `${c.name}: no staging left`).toEqual([]);
      results.push(`${c.name}: ${e.code}`);
    }
    console.log(`hostile loads rejected:\n  ${results.join('\n  ')}`);
  });

  it('a multi-image archive with one bad image loads nothing', async () => {
    const good = await smallLayer('good', 'gzip');
    const parts = dockerSaveParts([good], { tag: 'ok:1' });
    // A second manifest.json entry whose layer is not in the archive.
    const manifest = JSON.parse(
      Buffer.from(parts.members.find((m) => m.path === 'manifest.json')?.body as Uint8Array).toString(),
    ) as Array<Record<string, unknown>>;
    manifest.push({ ...manifest[0], RepoTags: ['bad:1'], Layers: ['missing/layer.tar'] });
    const file = path.join(tmp, 'half-bad.tar');
    await writeArchive(file, [
      ...parts.members.filter((m) => m.path !== 'manifest.json'),
      { path: 'manifest.json', body: JSON.stringify(manifest) },
    ]);
    const store = await fresh();
    const before = treeHash(store.dataRoot);
    await expect(loadArchive(store, file)).rejects.toMatchObject({ code: 'BLOB_MISSING' });
    expect(treeHash(store.dataRoot)).toBe(before);
    expect(await listImages(store)).toEqual([]);
  });

  it('archive caps (store limits): each breach has its code, the store is untouched', async () => {
    // Two layers of ~200 KiB uncompressed each (zeros: a few hundred bytes of gzip).
    // Ten names over ustar's 100 bytes: ten PAX headers, ~2 KB of metadata per layer.
    const big = (tag: string) =>
      makeLayer(
        [
          { path: `${tag}.bin`, body: Buffer.alloc(200 * 1024) },
          ...Array.from({ length: 10 }, (_, i) => ({ path: `${tag}-${i}-${'n'.repeat(150)}`, body: 'x' })),
        ],
        'gzip',
        `RUN ${tag}`,
      );
    const file = path.join(tmp, 'capped.tar');
    await writeArchive(file, dockerSaveParts([await big('a'), await big('b')], { tag: 'capped:1' }).members);
    const cases: Array<{ limits: Record<string, number>; code: string }> = [
      { limits: { layerBytes: 100 * 1024 }, code: 'LAYER_TOO_LARGE' },
      { limits: { imageBytes: 300 * 1024 }, code: 'IMAGE_TOO_LARGE' },
      { limits: { metadataBytes: 1024 }, code: 'ARCHIVE_METADATA_TOO_LARGE' },
    ];
    for (const c of cases) {
      const store = await ImageStore.open({ dataRoot: path.join(tmp, `store-${n++}`), limits: c.limits });
      const before = treeHash(store.dataRoot);
      const err = await loadArchive(store, file).catch((e: unknown) => e);
      expect(err, JSON.stringify(c.limits)).toMatchObject({ code: c.code });
      expect(treeHash(store.dataRoot), `${c.code}: store unchanged`).toBe(before);
      expect(fs.readdirSync(store.ingestDir), `${c.code}: no staging left`).toEqual([]);
      expect(await listImages(store)).toEqual([]);
    }
    // Under every cap it loads.
    const ok = await ImageStore.open({
      dataRoot: path.join(tmp, `store-${n++}`),
      limits: { layerBytes: 300 * 1024, imageBytes: 500 * 1024 },
    });
    expect((await loadArchive(ok, file)).map((i) => i.repoTags)).toEqual([['docker.io/library/capped:1']]);
  });
});
