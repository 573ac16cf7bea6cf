/**
 * Pulls from a real docker-registry (anonymous mode) with images placed by
 * skopeo: single images (OCI and Docker schema2), a multi-arch index,
 * resume after an abort, retry after a cut connection, a corrupted blob.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256 } from '../digest';
import {
  TempBlobStore,
  buildImage,
  registryToolsMissing,
  skopeoPushLayout,
  skopeoRawManifest,
  startRegistryProxy,
  startTestRegistry,
  writeOciLayout,
  type BuiltImage,
  type TestRegistry,
} from '../../../testing/registry';
import { RegistryClient } from './client';
import { pullImage, type PullProgress } from './pull';
import { BerthError, isBerthError } from '../../../../preload/errors';

const missing = registryToolsMissing();
if (missing) console.warn(`registry pull tests skipped: ${missing}`);

describe.skipIf(missing !== undefined)('pullImage against docker-registry', () => {
  let reg: TestRegistry;
  let tmp: string;
  let small: BuiltImage;
  let docker: { manifestDigest: string; manifest: { config: { digest: string } } };
  let big: BuiltImage;
  let amd64: BuiltImage;
  let arm64: BuiltImage;
  let indexDigest: string;
  const BIG = 12 * 1024 * 1024;

  const store = (): TempBlobStore => new TempBlobStore(fs.mkdtempSync(path.join(tmp, 'store-')));
  const place = async (repoTag: string, images: BuiltImage[], format?: 'v2s2'): Promise<string> => {
    const layout = fs.mkdtempSync(path.join(tmp, 'layout-'));
    const { digest } = await writeOciLayout(layout, 't', images);
    await skopeoPushLayout(layout, 't', `${reg.host}/${repoTag}`, {
      all: images.length > 1,
      ...(format ? { format } : {}),
    });
    return digest;
  };

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-pull-'));
    reg = await startTestRegistry({ mode: 'anonymous' });
    small = await buildImage({
      layers: [{ 'etc/hello': 'hello\n' }, { 'etc/world': 'world\n', 'usr/bin/tool': 'x'.repeat(5000) }],
      gzip: true,
    });
    const forDocker = await buildImage({ layers: [{ 'etc/docker': 'schema2\n' }], gzip: true });
    big = await buildImage({ layers: [{ 'etc/small': 'a\n' }, { 'data/random': crypto.randomBytes(BIG) }] });
    amd64 = await buildImage({ layers: [{ 'etc/arch': 'amd64\n' }], platform: { os: 'linux', architecture: 'amd64' } });
    arm64 = await buildImage({
      layers: [{ 'etc/arch': 'arm64\n' }],
      platform: { os: 'linux', architecture: 'arm64', variant: 'v8' },
    });
    await place('berth/small:1', [small]);
    // skopeo converts to Docker schema2 on the way (its oci: transport cannot hold schema2 itself).
    await place('berth/docker:1', [forDocker], 'v2s2');
    const raw = await skopeoRawManifest(`${reg.host}/berth/docker:1`);
    docker = { manifestDigest: sha256(raw), manifest: JSON.parse(raw.toString('utf8')) };
    await place('berth/big:1', [big]);
    indexDigest = await place('berth/multi:1', [arm64, amd64]);
  });

  afterAll(async () => {
    await reg?.stop();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('asks the sink for room for what it will download before the first byte (NO_SPACE stops it, nothing committed)', async () => {
    const sink = store();
    const asked: Array<[number, string]> = [];
    Object.assign(sink, {
      reserve: (bytes: number, what: string) => {
        asked.push([bytes, what]);
        throw new BerthError('NO_SPACE', `${bytes} bytes would not fit`, { need: bytes });
      },
    });
    await expect(pullImage(`${reg.host}/berth/big:1`, sink)).rejects.toMatchObject({ code: 'NO_SPACE' });
    expect(asked).toEqual([[big.layers.reduce((n, l) => n + l.size, 0), `pulling ${reg.host}/berth/big:1`]]);
    expect(sink.commits).toEqual([]);
  });

  it('pulls an OCI image anonymously: manifest, config and layers verified and committed', async () => {
    const sink = store();
    const events: PullProgress[] = [];
    const r = await pullImage(`${reg.host}/berth/small:1`, sink, { onProgress: (e) => events.push(e) });
    expect(r.manifestDigest).toBe(small.manifestDigest);
    expect(r.manifestBytes.equals(small.manifestBytes)).toBe(true);
    expect(r.configBytes.equals(small.configBytes)).toBe(true);
    expect(r.config.rootfs.diff_ids).toHaveLength(2);
    expect(r.layers.map((l) => l.digest)).toEqual(small.layers.map((l) => l.digest));
    expect(r.repoTag).toBe(`${reg.host}/berth/small:1`);
    expect(r.repoDigest).toBe(`${reg.host}/berth/small@${small.manifestDigest}`);
    for (const l of small.layers) expect((await sink.read(l.digest)).equals(l.bytes)).toBe(true);
    expect(await sink.has(small.configDescriptor.digest)).toBe(true);
    expect(await sink.has(small.manifestDigest)).toBe(true);
    for (const l of small.layers) {
      const phases = events.filter((e) => e.layer === l.digest).map((e) => e.phase);
      expect(phases[0]).toBe('waiting');
      expect(phases).toContain('downloading');
      expect(phases.slice(-2)).toEqual(['verifying', 'done']);
    }

    // Again into the same store: every layer 'exists', nothing downloaded.
    const again: PullProgress[] = [];
    await pullImage(`${reg.host}/berth/small:1`, sink, { onProgress: (e) => again.push(e) });
    expect(again.filter((e) => e.phase !== 'waiting').map((e) => e.phase)).toEqual(['exists', 'exists']);
  });

  it('pulls a Docker schema2 image and by digest', async () => {
    const sink = store();
    const r = await pullImage(`${reg.host}/berth/docker:1`, sink);
    expect(r.manifestMediaType).toBe('application/vnd.docker.distribution.manifest.v2+json');
    expect(r.manifestDigest).toBe(docker.manifestDigest);
    const byDigest = await pullImage(`${reg.host}/berth/docker@${docker.manifestDigest}`, store());
    expect(byDigest.repoTag).toBeUndefined();
    expect(byDigest.configDigest).toBe(docker.manifest.config.digest);
  });

  it('chooses linux/amd64 from a multi-arch index (and arm64 when asked)', async () => {
    const r = await pullImage(`${reg.host}/berth/multi:1`, store(), {
      platform: { os: 'linux', architecture: 'amd64' },
    });
    expect(r.index?.digest).toBe(indexDigest);
    expect(r.manifestDigest).toBe(amd64.manifestDigest);
    expect(r.platform).toEqual({ os: 'linux', architecture: 'amd64' });
    expect(r.repoDigest).toBe(`${reg.host}/berth/multi@${indexDigest}`);
    const arm = await pullImage(`${reg.host}/berth/multi:1`, store(), { platform: 'linux/arm64' });
    expect(arm.manifestDigest).toBe(arm64.manifestDigest);
    const err = await pullImage(`${reg.host}/berth/multi:1`, store(), { platform: 'linux/s390x' }).catch((e) => e);
    expect(isBerthError(err, 'PLATFORM_NOT_FOUND')).toBe(true);
    expect(err.details.offered).toEqual(['linux/arm64/v8', 'linux/amd64']);
  });

  it('names what is missing: REGISTRY_NOT_FOUND with the registry errors', async () => {
    const err = await pullImage(`${reg.host}/berth/small:nope`, store()).catch((e) => e);
    expect(isBerthError(err, 'REGISTRY_NOT_FOUND')).toBe(true);
    expect(err.details).toMatchObject({ registry: reg.host, repository: 'berth/small', status: 404 });
    expect(err.details.registryErrors[0].code).toBe('MANIFEST_UNKNOWN');
    const noRepo = await pullImage(`${reg.host}/berth/absent:1`, store()).catch((e) => e);
    expect(isBerthError(noRepo, 'REGISTRY_NOT_FOUND')).toBe(true);
  });

  it('resumes an interrupted download with Range and gets the right digest', async () => {
    const proxy = await startRegistryProxy(reg);
    try {
      const sink = store();
      const bigLayer = big.layers[1] as BuiltImage['layers'][number];
      const ctrl = new AbortController();
      const first = await pullImage(`${proxy.host}/berth/big:1`, sink, {
        insecureRegistries: [proxy.host],
        signal: ctrl.signal,
        progressIntervalMs: 0,
        onProgress: (e) => {
          if (e.layer === bigLayer.digest && e.phase === 'downloading' && e.current >= BIG / 3) ctrl.abort();
        },
      }).catch((e) => e);
      expect(first).toBeInstanceOf(Error);
      expect((first as Error).name).toBe('AbortError');
      expect(await sink.has(bigLayer.digest)).toBe(false);
      const have = fs.statSync(sink.partialPath(bigLayer.digest)).size;
      expect(have).toBeGreaterThan(0); // what reached the disk before the abort (write buffers are dropped)
      expect(have).toBeLessThan(bigLayer.size);

      proxy.requests.length = 0;
      const r = await pullImage(`${proxy.host}/berth/big:1`, sink);
      expect(r.manifestDigest).toBe(big.manifestDigest);
      const gets = proxy.requests.filter((q) => q.method === 'GET' && q.path.endsWith(bigLayer.digest));
      expect(gets).toHaveLength(1);
      expect(gets[0]?.headers.range).toBe(`bytes=${have}-`);
      expect(gets[0]?.status).toBe(206);
      expect(sha256(await sink.read(bigLayer.digest))).toBe(bigLayer.digest);
      expect(fs.existsSync(sink.partialPath(bigLayer.digest))).toBe(false);
    } finally {
      await proxy.stop();
    }
  });

  it('retries a connection cut mid-blob from where it broke, within the same pull', async () => {
    const bigLayer = big.layers[1] as BuiltImage['layers'][number];
    const proxy = await startRegistryProxy(reg, {
      cutBlob: { digest: bigLayer.digest, afterBytes: 5_000_000, times: 1 },
    });
    try {
      const sink = store();
      const r = await pullImage(`${proxy.host}/berth/big:1`, sink, { retryDelayMs: 10 });
      expect(r.manifestDigest).toBe(big.manifestDigest);
      const gets = proxy.requests.filter((q) => q.method === 'GET' && q.path.endsWith(bigLayer.digest));
      expect(gets).toHaveLength(2);
      expect(gets[0]?.headers.range).toBeUndefined();
      expect(gets[1]?.headers.range).toMatch(/^bytes=[1-9]\d*-$/);
      expect(sha256(await sink.read(bigLayer.digest))).toBe(bigLayer.digest);
    } finally {
      await proxy.stop();
    }
  });

  it('starts over when the registry ignores Range (200 instead of 206)', async () => {
    const bigLayer = big.layers[1] as BuiltImage['layers'][number];
    const proxy = await startRegistryProxy(reg, { stripRange: true });
    try {
      const sink = store();
      const partial = sink.partialPath(bigLayer.digest);
      fs.writeFileSync(partial, bigLayer.bytes.subarray(0, 1000));
      const client = new RegistryClient({ registry: proxy.host, apiBase: proxy.url });
      await client.fetchBlob('berth/big', bigLayer, sink);
      const get = proxy.requests.find((q) => q.path.endsWith(bigLayer.digest));
      expect(get?.status).toBe(200);
      expect(sha256(await sink.read(bigLayer.digest))).toBe(bigLayer.digest);
    } finally {
      await proxy.stop();
    }
  });

  it('refuses a corrupted blob: DIGEST_MISMATCH, nothing committed, no partial left', async () => {
    const layer = small.layers[1] as BuiltImage['layers'][number];
    const proxy = await startRegistryProxy(reg, { corruptBlob: layer.digest });
    try {
      const sink = store();
      const err = await pullImage(`${proxy.host}/berth/small:1`, sink).catch((e) => e);
      expect(isBerthError(err, 'DIGEST_MISMATCH')).toBe(true);
      expect(err.details).toMatchObject({ expected: layer.digest, registry: proxy.host, repository: 'berth/small' });
      expect(await sink.has(layer.digest)).toBe(false);
      expect(fs.existsSync(sink.partialPath(layer.digest))).toBe(false);
      expect(sink.commits).not.toContain(layer.digest);
      expect(sink.commits).not.toContain(small.manifestDigest);
    } finally {
      await proxy.stop();
    }
  });
});
