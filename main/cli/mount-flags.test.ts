import { describe, expect, it } from 'vitest';
import { isBerthError } from '../../preload/errors';
import { parseMountFlag, parseTmpfsFlag, parseVolumeFlag } from './mount-flags';

function usageError(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(isBerthError(err, 'USAGE')).toBe(true);
    return (err as Error).message;
  }
  throw new Error('no error');
}

describe('-v', () => {
  it('host paths are binds, relative ones from the working directory', () => {
    expect(parseVolumeFlag('/srv/data:/data:ro')).toEqual({
      bind: { source: '/srv/data', destination: '/data', readOnly: true },
    });
    expect(parseVolumeFlag('./x:/x', '/home/u')).toEqual({
      bind: { source: '/home/u/x', destination: '/x', readOnly: false },
    });
    expect(parseVolumeFlag('../y:/y', '/home/u')).toEqual({
      bind: { source: '/home/y', destination: '/y', readOnly: false },
    });
  });

  it('a name is a volume, a lone path an anonymous one', () => {
    expect(parseVolumeFlag('pgdata:/var/lib/pg:ro,nocopy')).toEqual({
      mount: { type: 'volume', source: 'pgdata', target: '/var/lib/pg', readOnly: true, noCopy: true },
    });
    expect(parseVolumeFlag('/cache')).toEqual({
      mount: { type: 'volume', source: '', target: '/cache', readOnly: false, noCopy: false },
    });
  });

  it('refuses what docker refuses', () => {
    for (const bad of ['data', 'a:b', 'a:/b:rx', 'a:/b:c:d', ':/x', '/h:/c:nocopy'])
      usageError(() => parseVolumeFlag(bad));
  });
});

describe('--mount', () => {
  it('volume, bind and tmpfs with their options', () => {
    expect(parseMountFlag('type=volume,source=v1,target=/d,readonly,volume-nocopy')).toEqual({
      type: 'volume',
      source: 'v1',
      target: '/d',
      readOnly: true,
      noCopy: true,
    });
    expect(parseMountFlag('src=v1,dst=/d')).toMatchObject({ type: 'volume', source: 'v1', target: '/d' });
    expect(parseMountFlag('type=volume,target=/anon')).toMatchObject({ type: 'volume', source: '' });
    expect(parseMountFlag('type=bind,source=/etc,target=/host-etc,ro=true')).toEqual({
      type: 'bind',
      source: '/etc',
      target: '/host-etc',
      readOnly: true,
    });
    expect(parseMountFlag('type=tmpfs,target=/scratch,tmpfs-size=64m,tmpfs-mode=1770')).toEqual({
      type: 'tmpfs',
      target: '/scratch',
      readOnly: false,
      sizeBytes: 64 * 1024 * 1024,
      mode: '1770',
    });
  });

  it('names the bad part', () => {
    expect(usageError(() => parseMountFlag('type=volume,source=v'))).toMatch(/target= is required/);
    expect(usageError(() => parseMountFlag('type=nfs,target=/x'))).toMatch(/volume, bind or tmpfs/);
    expect(usageError(() => parseMountFlag('type=tmpfs,source=x,target=/x'))).toMatch(/source does not apply/);
    expect(usageError(() => parseMountFlag('type=volume,target=/x,tmpfs-size=1m'))).toMatch(/does not apply/);
    expect(usageError(() => parseMountFlag('target=/x,color=red'))).toMatch(/unknown option color/);
    expect(usageError(() => parseMountFlag('target=relative'))).toMatch(/absolute/);
    expect(usageError(() => parseMountFlag('type=tmpfs,target=/x,tmpfs-mode=999'))).toMatch(/octal/);
    expect(usageError(() => parseMountFlag('type=bind,target=/x'))).toMatch(/needs source/);
  });

  it('--tmpfs is a tmpfs --mount', () => {
    expect(parseTmpfsFlag('/run:size=1m,mode=755,ro')).toEqual({
      type: 'tmpfs',
      target: '/run',
      readOnly: true,
      sizeBytes: 1024 * 1024,
      mode: '755',
    });
    usageError(() => parseTmpfsFlag('/run:uid=5'));
  });
});
