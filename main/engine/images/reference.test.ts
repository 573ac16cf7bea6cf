import { describe, expect, it } from 'vitest';
import {
  familiarName,
  familiarize,
  formatReference,
  looksLikeImageId,
  normalizeReference,
  normalizeTag,
  parseReference,
} from './reference';
import { BerthError } from '../../../preload/errors';

const HEX = 'a'.repeat(64);

describe('image references (docker normalization)', () => {
  it.each([
    ['busybox', 'docker.io/library/busybox:latest'],
    ['busybox:latest', 'docker.io/library/busybox:latest'],
    ['busybox:1.36', 'docker.io/library/busybox:1.36'],
    ['library/busybox', 'docker.io/library/busybox:latest'],
    ['docker.io/busybox', 'docker.io/library/busybox:latest'],
    ['index.docker.io/library/busybox:1', 'docker.io/library/busybox:1'],
    ['me/app', 'docker.io/me/app:latest'],
    ['me/app/sub:v2', 'docker.io/me/app/sub:v2'],
    ['localhost/app', 'localhost/app:latest'],
    ['localhost:5000/app:dev', 'localhost:5000/app:dev'],
    ['ghcr.io/o/r:2', 'ghcr.io/o/r:2'],
    ['quay.io/a.b/c_d__e-f---g:T.1-x', 'quay.io/a.b/c_d__e-f---g:T.1-x'],
    ['[::1]:5000/app', '[::1]:5000/app:latest'],
    ['Registry/app', 'Registry/app:latest'],
    [`busybox@sha256:${HEX}`, `docker.io/library/busybox@sha256:${HEX}`],
    [`busybox:1@sha256:${HEX}`, `docker.io/library/busybox:1@sha256:${HEX}`],
  ])('%s → %s', (input, full) => {
    expect(normalizeReference(input)).toBe(full);
  });

  it('splits name, tag and digest', () => {
    expect(parseReference(`example.com:443/ns/repo:tag@sha256:${HEX}`)).toEqual({
      domain: 'example.com:443',
      path: 'ns/repo',
      tag: 'tag',
      digest: `sha256:${HEX}`,
    });
    expect(parseReference('busybox')).toEqual({ domain: 'docker.io', path: 'library/busybox' });
  });

  it('prints the familiar form docker shows', () => {
    expect(familiarName(parseReference('docker.io/library/busybox:latest'))).toBe('busybox:latest');
    expect(familiarName(parseReference('docker.io/me/app:1'))).toBe('me/app:1');
    expect(familiarName(parseReference('docker.io/library/a/b:1'))).toBe('library/a/b:1');
    expect(familiarName(parseReference('ghcr.io/o/r:2'))).toBe('ghcr.io/o/r:2');
    expect(familiarize('not a ref!')).toBe('not a ref!');
    expect(formatReference(parseReference('busybox'))).toBe('docker.io/library/busybox');
  });

  it.each([
    ['', 'empty'],
    ['Busybox', 'lowercase'],
    ['me/App', 'lowercase'],
    [HEX, '64-byte hexadecimal'],
    ['busybox:', 'invalid tag'],
    ['busybox:-x', 'invalid tag'],
    [`busybox:${'t'.repeat(129)}`, 'invalid tag'],
    ['busybox@sha256:abc', 'invalid digest'],
    [`busybox@sha256:${'A'.repeat(64)}`, 'invalid sha256 digest'],
    ['a//b', 'invalid repository name'],
    ['a/b_', 'invalid repository name'],
    ['-a', 'invalid repository name'],
    [':tag', 'no repository name'],
    ['a..b/c', 'invalid registry'],
    [`x/${'a'.repeat(260)}`, 'longer than 255'],
  ])('refuses %j (%s)', (input, why) => {
    let err: unknown;
    try {
      parseReference(input);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(BerthError);
    expect((err as BerthError).code).toBe('REFERENCE_INVALID');
    expect((err as Error).message).toContain(why);
  });

  it('a tag never carries a digest', () => {
    expect(normalizeTag('busybox')).toBe('docker.io/library/busybox:latest');
    expect(() => normalizeTag(`busybox@sha256:${HEX}`)).toThrow(BerthError);
  });

  it('tells image IDs from names', () => {
    expect(looksLikeImageId(`sha256:${HEX}`)).toBe(true);
    expect(looksLikeImageId('abcd12')).toBe(true);
    expect(looksLikeImageId('busybox')).toBe(false);
    expect(looksLikeImageId('abc')).toBe(false);
  });
});
