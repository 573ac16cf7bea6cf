import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BerthError } from '../../../../preload/errors';
import { chainIds, digestHex, sha256 } from '../../oci/digest';
import { loadArchive } from '../load';
import {
  dockerSaveParts,
  makeConfig,
  ociArchiveParts,
  writeArchive,
  type LayerBlob,
} from '../../../testing/oci/image-archive';
import { makeTmp, rmrf } from '../../../testing/oci/helpers';
import { smallLayer, treeHash } from '../../../testing/store-helpers';
import { writeBlobInto } from './blob-io';
import { acquireLockFile } from './lock';
import { ImageStore, type ImageUsage } from './store';

const isRoot = process.getuid?.() === 0;

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    return (err as { code?: string }).code ?? String(err);
  }
  return 'no error';
}

async function* failingSource(good: Buffer): AsyncGenerator<Buffer> {
  yield good;
  throw new Error('connection reset (simulated crash mid-write)');
}

describe('blob writes and metadata are atomic', () => {
  let tmp = '';
  beforeAll(() => {
    tmp = makeTmp('berth-store-atomic-');
  });
  afterAll(() => rmrf(tmp));

  it('a blob whose digest does not match is never renamed into place', async () => {
    const store = await ImageStore.open({ dataRoot: path.join(tmp, 'a') });
    const before = treeHash(store.dataRoot);
    const good = Buffer.from('the real bytes');
    const claimed = sha256('other bytes');
    const once = async function* (): AsyncGenerator<Buffer> {
      yield good;
    };
    expect(await codeOf(store.blobs.write(once(), { digest: claimed }))).toBe('DIGEST_MISMATCH');
    expect(await codeOf(store.blobs.write(once(), { size: good.length - 1 }))).toBe('DIGEST_MISMATCH');
    await expect(store.blobs.write(failingSource(good))).rejects.toThrow(/simulated crash/);
    expect(fs.existsSync(store.blobs.path(claimed))).toBe(false);
    expect(treeHash(store.dataRoot)).toBe(before);
  });

  it('a source failing mid-write leaves neither blob nor temp file', async () => {
    const dir = path.join(tmp, 'blobdir');
    fs.mkdirSync(dir);
    await expect(writeBlobInto(dir, failingSource(Buffer.alloc(100_000, 1)))).rejects.toThrow(/simulated crash/);
    expect(fs.readdirSync(dir)).toEqual([]);
    await expect(
      writeBlobInto(dir, failingSource(Buffer.alloc(10)), { digest: sha256('x'), size: 5 }),
    ).rejects.toMatchObject({ code: 'DIGEST_MISMATCH' });
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('commit re-hashes a partial download: a wrong one is removed, a right one lands', async () => {
    const store = await ImageStore.open({ dataRoot: path.join(tmp, 'b') });
    const data = Buffer.from('layer bytes '.repeat(1000));
    const digest = sha256(data);
    const partial = store.blobs.partialPath(digest);
    expect(path.dirname(partial)).toBe(store.ingestDir);
    expect(store.blobs.partialPath(digest)).toBe(partial); // stable: a resumed download appends to it
    fs.writeFileSync(partial, data.subarray(0, 100));
    fs.appendFileSync(partial, data.subarray(100)); // "resumed"
    await expect(store.blobs.commit(digest, partial, data.length + 1)).rejects.toMatchObject({
      code: 'DIGEST_MISMATCH',
    });
    expect(fs.existsSync(partial)).toBe(false);
    expect(await store.blobs.has(digest)).toBe(false);
    fs.writeFileSync(partial, Buffer.concat([data.subarray(0, 10), Buffer.from('X'), data.subarray(11)]));
    expect(await codeOf(store.blobs.commit(digest, partial))).toBe('DIGEST_MISMATCH');
    expect(await store.blobs.has(digest)).toBe(false);
    fs.writeFileSync(partial, data);
    await expect(store.blobs.commit(digest, '/etc/passwd')).rejects.toMatchObject({ code: 'BLOB_MISSING' });
    await store.blobs.commit(digest, partial, data.length);
    expect(await store.blobs.has(digest)).toBe(true);
    expect(await store.blobs.size(digest)).toBe(data.length);
    expect(fs.existsSync(partial)).toBe(false);
  });

  it('a crash between temp write and rename leaves index.json intact; leftovers are swept on open', async () => {
    const root = path.join(tmp, 'c');
    const store = await ImageStore.open({ dataRoot: root });
    const index = fs.readFileSync(store.indexFile);
    // What a helper killed mid-write leaves behind: half-written temps, never the real files.
    const tmpIndex = path.join(store.root, '.index.json.deadbeef.tmp');
    const tmpBlob = path.join(store.blobsDir, '.blob-deadbeef.tmp');
    fs.writeFileSync(tmpIndex, '{"schemaVersion": 2, "manif');
    fs.writeFileSync(tmpBlob, 'half a layer');
    const old = new Date(Date.now() - 2 * 3600 * 1000);
    fs.utimesSync(tmpIndex, old, old);
    fs.utimesSync(tmpBlob, old, old);
    const again = await ImageStore.open({ dataRoot: root });
    expect(fs.readFileSync(again.indexFile)).toEqual(index);
    expect(await again.list()).toEqual([]);
    expect(fs.existsSync(tmpIndex)).toBe(false);
    expect(fs.existsSync(tmpBlob)).toBe(false);
  });

  it('the lock file keeps a second process out and is free the moment its holder is killed', async () => {
    const lock = path.join(tmp, 'x.lock');
    // Another process holding flock(2) on the same file: the shell takes it on
    // fd 9 (util-linux flock(1)) and execs sleep, which keeps fd 9 open.
    const child = spawn('sh', ['-c', 'exec 9>"$0"; flock -x 9; echo held; exec sleep 30', lock], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
      expect(await codeOf(acquireLockFile(lock, 200))).toBe('STORE_LOCKED');
    } finally {
      child.kill('SIGKILL'); // the kernel drops the lock with the process: nothing is judged stale
      await new Promise((r) => child.once('exit', r));
    }
    const release = await acquireLockFile(lock, 2000);
    expect(await codeOf(acquireLockFile(lock, 100))).toBe('STORE_LOCKED'); // another open file: refused
    await release();
    const again = await acquireLockFile(lock, 100);
    await again();
  });
});

describe.runIf(isRoot)('image store (root)', () => {
  let tmp = '';
  let base: LayerBlob;
  let l1: LayerBlob;
  let l2: LayerBlob;
  beforeAll(async () => {
    tmp = makeTmp('berth-store-');
    base = await smallLayer('base', 'none');
    l1 = await smallLayer('one', 'gzip', [{ path: 'one/setuid', body: 'x', mode: 0o4755 }]);
    l2 = await smallLayer('two', 'zstd');
  });
  afterAll(() => rmrf(tmp));

  const archive = async (name: string, layers: LayerBlob[], tag: string, cfgExtra: Record<string, unknown> = {}) => {
    const file = path.join(tmp, `${name}.tar`);
    const parts = dockerSaveParts(layers, { tag, config: { ...makeConfig(layers), ...cfgExtra } });
    await writeArchive(file, parts.members);
    return { file, parts };
  };

  it('lays out an OCI image layout and unpacks layers keyed by chain ID, refcounted', async () => {
    const store = await ImageStore.open({ dataRoot: path.join(tmp, 'gc') });
    expect(JSON.parse(fs.readFileSync(path.join(store.root, 'oci-layout'), 'utf8'))).toEqual({
      imageLayoutVersion: '1.0.0',
    });
    expect(fs.statSync(store.layersRoot).mode & 0o777).toBe(0o700);
    const a = await archive('a', [base, l1], 'app:a');
    const b = await archive('b', [base, l2], 'app:b');
    const [ia] = await loadArchive(store, a.file);
    const [ib] = await loadArchive(store, b.file);
    expect(ia?.id).toBe(a.parts.configDigest);
    const index = JSON.parse(fs.readFileSync(store.indexFile, 'utf8')) as {
      manifests: Array<{ digest: string; annotations?: Record<string, string> }>;
    };
    expect(index.manifests.map((m) => m.annotations?.['org.opencontainers.image.ref.name'])).toEqual([
      'docker.io/library/app:a',
      'docker.io/library/app:b',
    ]);
    const [cBase, cA] = chainIds([base.diffId, l1.diffId]);
    const [, cB] = chainIds([base.diffId, l2.diffId]);
    const recs = await store.layerRecords();
    expect(recs[digestHex(cBase as string)]?.refs.sort()).toEqual([ia?.manifestDigest, ib?.manifestDigest].sort());
    expect(recs[digestHex(cA as string)]?.refs).toEqual([ia?.manifestDigest]);
    expect(recs[digestHex(cA as string)]?.parent).toBe(cBase);
    // Overlay order: topmost first; the setuid file kept its bit in the 0700 layers dir.
    expect(await store.lowerDirs('app:a')).toEqual([store.layerDir(cA as string), store.layerDir(cBase as string)]);
    expect(fs.statSync(path.join(store.layerDir(cA as string), 'one/setuid')).mode & 0o7777).toBe(0o4755);

    // rmi a: its own layer and blobs go, the shared base stays with one ref.
    const r = await store.remove('app:a');
    expect(r).toEqual({ untagged: ['docker.io/library/app:a'], deleted: [a.parts.configDigest] });
    expect(fs.existsSync(store.layerDir(cA as string))).toBe(false);
    expect(fs.existsSync(store.layerDir(cBase as string))).toBe(true);
    expect(await store.blobs.exists(l1.digest)).toBe(false);
    expect(await store.blobs.exists(a.parts.configDigest)).toBe(false);
    expect(await store.blobs.exists(base.digest)).toBe(true);
    expect((await store.layerRecords())[digestHex(cBase as string)]?.refs).toEqual([ib?.manifestDigest]);
    expect(fs.existsSync(store.layerDir(cB as string))).toBe(true);

    // rmi b: nothing is left but the empty layout.
    await store.remove('app:b');
    expect(fs.readdirSync(store.blobsDir)).toEqual([]);
    expect(fs.readdirSync(store.layersRoot)).toEqual(['layers.json']);
    expect(await store.layerRecords()).toEqual({});
    expect(fs.readdirSync(store.ingestDir)).toEqual([]);
  });

  it('tags, untags, moves tags and deletes by ID like docker', async () => {
    const store = await ImageStore.open({ dataRoot: path.join(tmp, 'tags') });
    const a = await archive('ta', [base, l1], 'app:1');
    const [img] = await loadArchive(store, a.file);
    const id = img?.id as string;
    expect(await store.tag('app:1', 'other/name:2')).toEqual({ id, tag: 'docker.io/other/name:2' });
    expect(await store.tag(id.slice(7, 19), 'ghcr.io/x/y')).toEqual({ id, tag: 'ghcr.io/x/y:latest' });
    expect((await store.resolve('other/name:2')).id).toBe(id);
    expect((await store.resolve(id)).id).toBe(id);
    expect((await store.resolve(img?.manifestDigest as string)).id).toBe(id);
    expect((await store.resolve(`app@${img?.manifestDigest}`)).id).toBe(id);
    expect(await codeOf(store.resolve('nope'))).toBe('IMAGE_NOT_FOUND');
    expect(await codeOf(store.resolve('BadName'))).toBe('REFERENCE_INVALID');
    expect(await codeOf(store.tag('app:1', 'Bad:Tag'))).toBe('REFERENCE_INVALID');

    // A tag of an image with others is only untagged.
    expect(await store.remove('ghcr.io/x/y')).toEqual({ untagged: ['ghcr.io/x/y:latest'], deleted: [] });
    // An ID with several tags needs force.
    expect(await codeOf(store.remove(id))).toBe('IMAGE_CONFLICT');

    // Loading another image under app:1 moves the tag; the old image stays, untagged.
    const b = await archive('tb', [base, l2], 'app:1');
    await loadArchive(store, b.file);
    const list = await store.list();
    expect(list.map((i) => [i.id, i.tags])).toEqual(
      expect.arrayContaining([
        [id, ['docker.io/other/name:2']],
        [b.parts.configDigest, ['docker.io/library/app:1']],
      ]),
    );
    await store.remove('other/name:2');
    const left = await store.list();
    expect(left.map((i) => i.id)).toEqual([b.parts.configDigest]);

    // Untagged (dangling) images are listed and removable by ID.
    await store.tag('app:1', 'app:2');
    await store.remove('app:1');
    await store.remove('app:2');
    const c = await archive('tc', [l2], 'app:c');
    await loadArchive(store, c.file);
    await loadArchive(store, (await archive('td', [l1], 'app:c')).file);
    const dangling = (await store.list()).find((i) => i.tags.length === 0);
    expect(dangling?.id).toBe(c.parts.configDigest);
    expect((await store.remove(c.parts.configDigest)).deleted).toEqual([c.parts.configDigest]);
  });

  it('refuses rmi while an ImageUsage reports containers, and shows them', async () => {
    const using = new Map<string, string[]>();
    const usage: ImageUsage = { containersUsing: (id) => using.get(id) ?? [] };
    const store = await ImageStore.open({ dataRoot: path.join(tmp, 'usage'), usage });
    const a = await archive('ua', [base, l1], 'busy:1');
    const [img] = await loadArchive(store, a.file);
    using.set(img?.id as string, ['web-1', 'db-2']);
    const before = treeHash(store.dataRoot);
    let err: unknown;
    try {
      await store.remove('busy:1', { force: true });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(BerthError);
    expect(err).toMatchObject({ code: 'IMAGE_IN_USE', details: { containers: ['web-1', 'db-2'] } });
    expect((err as Error).message).toContain('web-1, db-2');
    expect(treeHash(store.dataRoot)).toBe(before);
    // A second tag can still go; the image stays.
    await store.tag('busy:1', 'busy:2');
    expect((await store.remove('busy:2')).deleted).toEqual([]);
    expect(store.containersUsing(img?.id as string)).toEqual(['web-1', 'db-2']);
    using.clear();
    expect((await store.remove('busy:1')).deleted).toEqual([img?.id]);
  });

  it('a commit that fails half-way takes everything back (index.json, layers.json, blobs, dirs)', async () => {
    const store = await ImageStore.open({ dataRoot: path.join(tmp, 'rollback') });
    await loadArchive(store, (await archive('r0', [base], 'keep:1')).file);
    const before = treeHash(store.dataRoot);
    const index = fs.readFileSync(store.indexFile);
    const staging = await store.beginStaging('test');
    const cfg = Buffer.from(JSON.stringify(makeConfig([l1])));
    await staging.addBytes(cfg);
    await staging.addBlob(
      (async function* () {
        yield l1.bytes as Buffer;
      })(),
      { digest: l1.digest },
    );
    const manifest = {
      schemaVersion: 2 as const,
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256(cfg), size: cfg.length },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: l1.digest, size: l1.size }],
    };
    const manifestBytes = Buffer.from(JSON.stringify(manifest));
    // The manifest blob is never staged: the commit finds it missing after moving the others.
    const img = {
      manifestBytes,
      manifestDigest: sha256(manifestBytes),
      manifest,
      configDigest: sha256(cfg),
      config: JSON.parse(cfg.toString()) as never,
      tags: ['docker.io/library/broken:1'],
    };
    await staging.unpack(img);
    const err = await codeOf(store.commitStaged(staging, [img]));
    await staging.cleanup();
    expect(err).toBe('BLOB_MISSING');
    expect(fs.readFileSync(store.indexFile)).toEqual(index);
    expect(treeHash(store.dataRoot)).toBe(before);
  });

  it('concurrent tag operations never lose an update of index.json', async () => {
    const store = await ImageStore.open({ dataRoot: path.join(tmp, 'concurrent') });
    await loadArchive(store, (await archive('c0', [base], 'c:0')).file);
    const other = await ImageStore.open({ dataRoot: path.join(tmp, 'concurrent') });
    await Promise.all(Array.from({ length: 24 }, (_, i) => (i % 2 ? store : other).tag('c:0', `c:t${i}`)));
    const [img] = await store.list();
    expect(img?.tags).toHaveLength(25);
  });

  it('records a pulled image whose blobs were committed through BlobSink', async () => {
    const store = await ImageStore.open({ dataRoot: path.join(tmp, 'pulled') });
    const parts = ociArchiveParts([base, l2]);
    const manifestMember = parts.members.find(
      (m) => m.path === `blobs/sha256/${digestHex(parts.manifestDigest as string)}`,
    );
    const manifestBytes = Buffer.from(manifestMember?.body as Uint8Array);
    for (const l of [base, l2]) {
      const partial = store.blobs.partialPath(l.digest);
      fs.writeFileSync(partial, l.bytes as Buffer);
      await store.blobs.commit(l.digest, partial, l.size);
    }
    const layers = [base, l2].map((l) => ({ digest: l.digest, size: l.size }));
    expect(
      await codeOf(
        store.addPulled({
          repoTag: 'reg.example:5000/ns/app:v1',
          manifestBytes,
          manifestDigest: sha256('x'),
          configBytes: parts.configBytes,
          layers,
        }),
      ),
    ).toBe('DIGEST_MISMATCH');
    const done = await store.addPulled({
      repoTag: 'reg.example:5000/ns/app:v1',
      manifestBytes,
      manifestDigest: parts.manifestDigest as string,
      configBytes: parts.configBytes,
      layers,
    });
    expect(done).toMatchObject({ id: parts.configDigest, tags: ['reg.example:5000/ns/app:v1'], layers: 2 });
    expect(await store.lowerDirs('reg.example:5000/ns/app:v1')).toHaveLength(2);
    expect(fs.readdirSync(store.ingestDir)).toEqual([]);
    const missing = ociArchiveParts([l1]);
    const mBytes = Buffer.from(
      missing.members.find((m) => m.path === `blobs/sha256/${digestHex(missing.manifestDigest as string)}`)
        ?.body as Uint8Array,
    );
    const e = await store
      .addPulled({
        manifestBytes: mBytes,
        manifestDigest: missing.manifestDigest as string,
        configBytes: missing.configBytes,
        layers: [{ digest: l1.digest }],
      })
      .catch((x: unknown) => x);
    expect(e).toBeInstanceOf(BerthError);
    expect(e).toMatchObject({ code: 'BLOB_MISSING' });
  });
});
