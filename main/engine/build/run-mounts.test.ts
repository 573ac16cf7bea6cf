import { describe, expect, it } from 'vitest';
import { isBerthError } from '../../../preload/errors';
import { parseRunMount } from './run-mounts';

const code = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (e) {
    return isBerthError(e) ? `${e.code}: ${e.message}` : String(e);
  }
  return undefined;
};

describe('parseRunMount (buildkit RUN --mount grammar)', () => {
  it('reads cache mounts with their defaults: id is the target, shared, 0755 root', () => {
    expect(parseRunMount('type=cache,target=/root/.cache', 4, '/')).toEqual({
      type: 'cache',
      target: '/root/.cache',
      id: '/root/.cache',
      sharing: 'shared',
      mode: 0o755,
      uid: 0,
      gid: 0,
      readOnly: false,
    });
    expect(parseRunMount('type=cache,dst=c,id=pip,sharing=locked,mode=0700,uid=1000,gid=100', 4, '/w')).toMatchObject({
      target: '/w/c',
      id: 'pip',
      sharing: 'locked',
      mode: 0o700,
      uid: 1000,
      gid: 100,
    });
  });

  it('reads bind mounts (the default type): read-only unless rw, from a stage or the context', () => {
    expect(parseRunMount('target=/src', 1, '/')).toEqual({
      type: 'bind',
      target: '/src',
      source: '/',
      from: null,
      rw: false,
    });
    expect(parseRunMount('type=bind,from=build,source=/out,target=/in,rw', 1, '/')).toEqual({
      type: 'bind',
      target: '/in',
      source: '/out',
      from: 'build',
      rw: true,
    });
    expect(parseRunMount('type=bind,src=a,target=/in,readonly=false', 1, '/')).toMatchObject({ rw: true });
  });

  it('reads tmpfs with a size', () => {
    expect(parseRunMount('type=tmpfs,target=/t,size=64m', 1, '/')).toEqual({
      type: 'tmpfs',
      target: '/t',
      sizeBytes: 64 * 1024 ** 2,
    });
  });

  it('refuses bad specs naming the line, with stable codes', () => {
    expect(code(() => parseRunMount('type=cache', 7, '/'))).toBe(
      'BUILD_SYNTAX: line 7: --mount: type=cache needs target=PATH',
    );
    expect(code(() => parseRunMount('type=volume,target=/x', 7, '/'))).toMatch(
      /^BUILD_SYNTAX: line 7: --mount: type=volume/,
    );
    expect(code(() => parseRunMount('type=cache,target=/x,sharing=all', 7, '/'))).toMatch(
      /^BUILD_SYNTAX: line 7: .*sharing=all/,
    );
    expect(code(() => parseRunMount('type=tmpfs,target=/x,bogus=1', 7, '/'))).toMatch(/unknown option bogus/);
    expect(code(() => parseRunMount('type=cache,target=/x,mode=rwx', 7, '/'))).toMatch(/mode=rwx/);
    expect(code(() => parseRunMount('type=bind,target=/', 7, '/'))).toMatch(/target cannot be \//);
    expect(code(() => parseRunMount('type=secret,id=a', 7, '/'))).toMatch(
      /^BUILD_UNSUPPORTED: line 7: --mount=type=secret/,
    );
    expect(code(() => parseRunMount('type=ssh', 7, '/'))).toMatch(/^BUILD_UNSUPPORTED/);
    expect(code(() => parseRunMount('type=cache,target=/x,target=/y', 7, '/'))).toMatch(/given twice/);
  });
});
