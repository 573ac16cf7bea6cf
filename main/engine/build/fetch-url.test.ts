import { describe, expect, it } from 'vitest';
import { isBerthError } from '../../../preload/errors';
import { checkUrlNetwork, isGitUrl, isHttpUrl, parseChecksum } from './fetch-url';

describe('ADD URL sources', () => {
  it('tells git sources from plain downloads (buildkit isGitURL)', () => {
    for (const g of [
      'git@github.com:moby/buildkit.git',
      'git://example.com/repo',
      'github.com/moby/buildkit',
      'https://github.com/moby/buildkit.git',
      'https://example.com/x/repo.git',
    ])
      expect(isGitUrl(g), g).toBe(true);
    for (const u of ['https://example.com/file.tar.gz', 'http://127.0.0.1:8080/repo.git.txt', 'src/app.git-notes'])
      expect(isGitUrl(u), u).toBe(false);
    expect(isHttpUrl('HTTPS://example.com/a')).toBe(true);
    expect(isHttpUrl('ftp://example.com/a')).toBe(false);
  });

  it('takes sha256:<64 hex> checksums only, naming the line', () => {
    const ok = `sha256:${'ab'.repeat(32)}`;
    expect(parseChecksum(ok, 3)).toBe(ok);
    for (const bad of ['sha256:abc', 'md5:' + 'a'.repeat(32), `sha256:${'AB'.repeat(32)}`, ok + '0']) {
      let err: unknown;
      try {
        parseChecksum(bad, 3);
      } catch (e) {
        err = e;
      }
      expect(isBerthError(err, 'BUILD_SYNTAX'), bad).toBe(true);
      expect((err as Error).message).toMatch(/^line 3: --checksum=/);
    }
  });

  it('downloads only when the build has a network: none refuses, naming the line and the URL', () => {
    expect(() => checkUrlNetwork('bridge', 'http://example.com/a', 2)).not.toThrow();
    expect(() => checkUrlNetwork('host', 'http://example.com/a', 2)).not.toThrow();
    let err: unknown;
    try {
      checkUrlNetwork('none', 'https://example.com/a.tgz', 7);
    } catch (e) {
      err = e;
    }
    expect(isBerthError(err, 'BUILD_NETWORK_DISABLED')).toBe(true);
    expect((err as Error).message).toMatch(/^line 7: ADD https:\/\/example\.com\/a\.tgz: the build's network is none/);
    expect((err as { details?: unknown }).details).toEqual({
      line: 7,
      url: 'https://example.com/a.tgz',
      network: 'none',
    });
  });
});
