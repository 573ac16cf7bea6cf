import { describe, expect, it } from 'vitest';
import type { ImageIndex } from '../oci-types';
import { parseEndpoint } from './endpoint';
import { hostPlatform, normalizePlatform, parsePlatform, resolvePlatform } from './platform';
import { isBerthError } from '../../../../preload/errors';

const D = `sha256:${'a'.repeat(64)}`;

describe('parseEndpoint', () => {
  it('maps docker.io to registry-1.docker.io over https, with library/ for official images', () => {
    expect(parseEndpoint('docker.io/library/busybox:latest')).toEqual({
      registry: 'docker.io',
      apiBase: 'https://registry-1.docker.io',
      insecure: false,
      repository: 'library/busybox',
      tag: 'latest',
    });
    expect(parseEndpoint('busybox')).toMatchObject({
      registry: 'docker.io',
      repository: 'library/busybox',
      tag: 'latest',
    });
    expect(parseEndpoint('index.docker.io/foo/bar:1').registry).toBe('docker.io');
    expect(parseEndpoint('someone/app:2')).toMatchObject({
      registry: 'docker.io',
      repository: 'someone/app',
      tag: '2',
    });
  });

  it('speaks http to loopback and to listed insecure hosts, https elsewhere', () => {
    expect(parseEndpoint(`localhost:5000/foo/bar@${D}`)).toEqual({
      registry: 'localhost:5000',
      apiBase: 'http://localhost:5000',
      insecure: true,
      repository: 'foo/bar',
      digest: D,
    });
    expect(parseEndpoint('127.0.0.1:5000/a:b').apiBase).toBe('http://127.0.0.1:5000');
    expect(parseEndpoint('[::1]:5000/a').apiBase).toBe('http://[::1]:5000');
    expect(parseEndpoint('quay.io/org/app:1').apiBase).toBe('https://quay.io');
    expect(parseEndpoint('reg.lan:5000/app', { insecure: ['reg.lan:5000'] }).apiBase).toBe('http://reg.lan:5000');
    expect(parseEndpoint('reg.lan:5001/app', { insecure: ['reg.lan'] }).apiBase).toBe('http://reg.lan:5001');
    expect(parseEndpoint('reg.lan:5001/app', { insecure: ['reg.lan:5000'] }).apiBase).toBe('https://reg.lan:5001');
  });

  it('keeps both tag and digest; the first component is a host only when it looks like one', () => {
    expect(parseEndpoint(`ghcr.io/a/b:v1@${D}`)).toMatchObject({ tag: 'v1', digest: D, repository: 'a/b' });
    expect(parseEndpoint('localhost/app').registry).toBe('localhost');
    expect(parseEndpoint('Registry/app').registry).toBe('registry');
  });

  it('refuses malformed references with REFERENCE_INVALID', () => {
    for (const bad of [
      '',
      'UPPER/Case',
      'a/b:',
      'a/b@sha256:abc',
      'a//b',
      'a/b:ta$g',
      `a/b@sha512:${'a'.repeat(128)}`,
    ]) {
      let err: unknown;
      try {
        parseEndpoint(bad);
      } catch (e) {
        err = e;
      }
      expect(isBerthError(err, 'REFERENCE_INVALID'), bad).toBe(true);
    }
  });
});

describe('platforms', () => {
  it("maps Node's process.arch to OCI", () => {
    expect(hostPlatform('x64', 'linux')).toEqual({ os: 'linux', architecture: 'amd64' });
    expect(hostPlatform('arm64', 'linux')).toEqual({ os: 'linux', architecture: 'arm64', variant: 'v8' });
    expect(hostPlatform('arm', 'linux')).toEqual({ os: 'linux', architecture: 'arm', variant: 'v7' });
    expect(parsePlatform('linux/arm/v6')).toEqual({ os: 'linux', architecture: 'arm', variant: 'v6' });
    expect(normalizePlatform({ os: 'linux', architecture: 'aarch64' })).toEqual({
      os: 'linux',
      architecture: 'arm64',
      variant: 'v8',
    });
  });

  const desc = (n: number, platform?: Record<string, string>, annotations?: Record<string, string>) => ({
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    digest: `sha256:${String(n).repeat(64).slice(0, 64)}`,
    size: 100 + n,
    ...(platform ? { platform: platform as { os: string; architecture: string } } : {}),
    ...(annotations ? { annotations } : {}),
  });

  const index: ImageIndex = {
    schemaVersion: 2,
    manifests: [
      desc(1, { os: 'linux', architecture: 'arm', variant: 'v6' }),
      desc(2, { os: 'linux', architecture: 'arm64', variant: 'v8' }),
      desc(3, { os: 'linux', architecture: 'amd64' }),
      desc(4, { os: 'unknown', architecture: 'unknown' }, { 'vnd.docker.reference.type': 'attestation-manifest' }),
      desc(5, { os: 'linux', architecture: 'arm', variant: 'v7' }),
      desc(6, { os: 'windows', architecture: 'amd64' }),
    ],
  };

  it('chooses the exact platform, the best compatible arm variant, and never an attestation', () => {
    expect(resolvePlatform(index, { os: 'linux', architecture: 'amd64' }).size).toBe(103);
    expect(resolvePlatform(index, { os: 'linux', architecture: 'arm64' }).size).toBe(102);
    expect(resolvePlatform(index, { os: 'linux', architecture: 'arm', variant: 'v7' }).size).toBe(105);
    const onlyV6 = { ...index, manifests: index.manifests.filter((d) => d.size !== 105) };
    expect(resolvePlatform(onlyV6, { os: 'linux', architecture: 'arm', variant: 'v7' }).size).toBe(101);
    expect(() => resolvePlatform(onlyV6, { os: 'linux', architecture: 'arm', variant: 'v5' })).toThrow(/no image/);
    expect(resolvePlatform(index, { os: 'windows', architecture: 'amd64' }).size).toBe(106);
  });

  it('PLATFORM_NOT_FOUND lists what the index offers', () => {
    let err: unknown;
    try {
      resolvePlatform(index, { os: 'linux', architecture: 's390x' }, { registry: 'r', repository: 'x' });
    } catch (e) {
      err = e;
    }
    expect(isBerthError(err, 'PLATFORM_NOT_FOUND')).toBe(true);
    expect((err as { details: Record<string, unknown> }).details).toMatchObject({
      registry: 'r',
      wanted: 'linux/s390x',
      offered: ['linux/arm/v6', 'linux/arm64/v8', 'linux/amd64', 'linux/arm/v7', 'windows/amd64'],
    });
  });
});
