/**
 * Pushes to a real docker-registry and reads back with our client and with
 * skopeo: blobs + manifest, blobs already there, cross-repository mounts,
 * an index pushed with putManifest.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engineErrorOf } from '../../../testing/oci/helpers';
import { MediaTypes } from '../../oci/oci-types';
import {
  TempBlobStore,
  buildImage,
  buildIndex,
  registryToolsMissing,
  skopeoInspect,
  skopeoRawManifest,
  startTestRegistry,
  type BuiltImage,
  type TestRegistry,
} from '../../../testing/registry';
import { RegistryClient } from './client';
import { pullImage } from './pull';
import { pushImage, type PushProgress } from './push';

const missing = registryToolsMissing();
if (missing) console.warn(`registry push tests skipped: ${missing}`);

describe.skipIf(missing !== undefined)('pushImage against docker-registry', () => {
  let reg: TestRegistry;
  let tmp: string;
  let image: BuiltImage;
  let source: TempBlobStore;

  const store = (): TempBlobStore => new TempBlobStore(fs.mkdtempSync(path.join(tmp, 'store-')));
  const sourceFor = async (...images: BuiltImage[]): Promise<TempBlobStore> => {
    const s = store();
    for (const img of images) {
      for (const l of img.layers) await s.put(l.bytes);
      await s.put(img.configBytes);
    }
    return s;
  };

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-push-'));
    reg = await startTestRegistry({ mode: 'anonymous' });
    image = await buildImage({
      layers: [{ 'etc/one': 'one\n' }, { 'etc/two': 'two\n'.repeat(10_000) }, { 'etc/three': 'three\n' }],
      gzip: true,
    });
    source = await sourceFor(image);
  });

  afterAll(async () => {
    await reg?.stop();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('pushes blobs and manifest, pulls them back by digest, and skopeo agrees', async () => {
    const events: PushProgress[] = [];
    const r = await pushImage(`${reg.host}/berth/pushed:v1`, source, image, {
      onProgress: (e) => events.push(e),
    });
    expect(r.manifestDigest).toBe(image.manifestDigest);
    expect(r.tag).toBe('v1');
    expect(r.uploaded.sort()).toEqual([image.configDescriptor.digest, ...image.layers.map((l) => l.digest)].sort());
    expect(events.filter((e) => e.phase === 'done')).toHaveLength(4);
    expect(events.find((e) => e.kind === 'config')?.blob).toBe(image.configDescriptor.digest);

    const back = store();
    const pulled = await pullImage(`${reg.host}/berth/pushed@${image.manifestDigest}`, back);
    expect(pulled.manifestBytes.equals(image.manifestBytes)).toBe(true);
    expect(pulled.configBytes.equals(image.configBytes)).toBe(true);
    for (const l of image.layers) expect((await back.read(l.digest)).equals(l.bytes)).toBe(true);

    const inspected = await skopeoInspect(`${reg.host}/berth/pushed:v1`);
    expect(inspected.Digest).toBe(image.manifestDigest);
    expect(inspected.Layers).toEqual(image.layers.map((l) => l.digest));
    expect(inspected.Architecture).toBe('amd64');
    expect(inspected.Os).toBe('linux');
    expect((await skopeoRawManifest(`${reg.host}/berth/pushed:v1`)).equals(image.manifestBytes)).toBe(true);
    expect(await skopeoInspect(`${reg.host}/berth/pushed:v1`, { config: true })).toEqual(image.config);
  });

  it('skips blobs the registry has (HEAD first) and pushes by digest', async () => {
    const r = await pushImage(`${reg.host}/berth/pushed@${image.manifestDigest}`, source, image);
    expect(r.uploaded).toEqual([]);
    expect(r.existing).toHaveLength(4);
    expect(r.tag).toBeUndefined();
  });

  it('mounts blobs from another repository of the same registry', async () => {
    const client = new RegistryClient({ registry: reg.host, apiBase: reg.url }, { actions: 'pull,push' });
    expect(await client.blobExists('berth/mounted', image.configDescriptor.digest)).toBe(false);
    const r = await pushImage(`${reg.host}/berth/mounted:v1`, source, image, { mountFrom: 'berth/pushed' });
    expect(r.mounted).toHaveLength(4);
    expect(r.uploaded).toEqual([]);
    expect(await client.blobExists('berth/mounted', image.configDescriptor.digest)).toBe(true);
    expect(((await skopeoInspect(`${reg.host}/berth/mounted:v1`)) as { Digest: string }).Digest).toBe(
      image.manifestDigest,
    );
  });

  it('pushes a multi-arch index with putManifest; pull picks linux/amd64', async () => {
    const amd = await buildImage({ layers: [{ 'etc/arch': 'amd64\n' }], gzip: true });
    const arm = await buildImage({
      layers: [{ 'etc/arch': 'arm\n' }],
      gzip: true,
      platform: { os: 'linux', architecture: 'arm', variant: 'v7' },
    });
    const src = await sourceFor(amd, arm);
    for (const img of [arm, amd]) await pushImage(`${reg.host}/berth/multi@${img.manifestDigest}`, src, img);
    const index = buildIndex([arm, amd]);
    const client = new RegistryClient({ registry: reg.host, apiBase: reg.url }, { actions: 'pull,push' });
    const put = await client.putManifest('berth/multi', 'latest', MediaTypes.ociIndex, index.bytes);
    expect(put.digest).toBe(index.digest);
    expect(put.registryDigest).toBe(index.digest);

    const pulled = await pullImage(`${reg.host}/berth/multi`, store(), { platform: 'linux/amd64' });
    expect(pulled.index?.digest).toBe(index.digest);
    expect(pulled.manifestDigest).toBe(amd.manifestDigest);
    const armPulled = await pullImage(`${reg.host}/berth/multi`, store(), { platform: 'linux/arm/v7' });
    expect(armPulled.manifestDigest).toBe(arm.manifestDigest);
    const raw = (await skopeoInspect(`${reg.host}/berth/multi:latest`, { raw: true })) as { manifests: unknown[] };
    expect(raw.manifests).toHaveLength(2);
  });

  it('refuses a manifest that does not match the blobs given, and a digest reference that does not match', async () => {
    const other = await buildImage({ layers: [{ 'etc/x': 'x\n' }], gzip: true });
    const err = await engineErrorOf(() =>
      pushImage(`${reg.host}/berth/bad:1`, source, { ...image, manifestBytes: other.manifestBytes }),
    );
    expect(err.code).toBe('MANIFEST_INVALID');
    const wrongDigest = await engineErrorOf(() =>
      pushImage(`${reg.host}/berth/bad@${other.manifestDigest}`, source, image),
    );
    expect(wrongDigest.code).toBe('DIGEST_MISMATCH');
  });
});
