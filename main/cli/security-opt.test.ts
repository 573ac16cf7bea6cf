import { describe, expect, it } from 'vitest';
import { createRequest } from './commands/containers';
import { seccompFromSecurityOpts } from './security-opt';

describe('--security-opt', () => {
  const files: Record<string, string> = { '/p.json': '{"defaultAction":"SCMP_ACT_ALLOW"}' };
  const read = (p: string): string => {
    const t = files[p];
    if (t === undefined) throw Object.assign(new Error('nope'), { code: 'ENOENT' });
    return t;
  };

  it('seccomp=unconfined and seccomp=FILE (the text is sent, not the path)', () => {
    expect(seccompFromSecurityOpts(['seccomp=unconfined'], read)).toBe('unconfined');
    expect(seccompFromSecurityOpts(['seccomp=/p.json'], read)).toEqual({ profile: files['/p.json'] });
    expect(seccompFromSecurityOpts(['seccomp:unconfined'], read)).toBe('unconfined');
    expect(seccompFromSecurityOpts([], read)).toBeUndefined();
    expect(seccompFromSecurityOpts(['no-new-privileges'], read)).toBeUndefined();
    expect(seccompFromSecurityOpts(['no-new-privileges=true'], read)).toBeUndefined();
  });

  it('refuses what it cannot do, with a code', () => {
    expect(() => seccompFromSecurityOpts(['seccomp=/missing.json'], read)).toThrow(
      expect.objectContaining({ code: 'ENOENT' }),
    );
    expect(() => seccompFromSecurityOpts(['seccomp'], read)).toThrow(expect.objectContaining({ code: 'USAGE' }));
    expect(() => seccompFromSecurityOpts(['no-new-privileges=false'], read)).toThrow(
      expect.objectContaining({ code: 'USAGE' }),
    );
    expect(() => seccompFromSecurityOpts(['apparmor=x'], read)).toThrow(expect.objectContaining({ code: 'USAGE' }));
  });

  it('berth run puts it into the request', () => {
    const { req } = createRequest(['--security-opt', 'seccomp=unconfined', 'busybox', 'true']);
    expect(req.security).toMatchObject({ seccomp: 'unconfined', privileged: false });
    expect((createRequest(['busybox', 'true']).req.security as { seccomp?: unknown }).seccomp).toBeUndefined();
    // Every security flag lands in the one security object (none overwrites another).
    const all = createRequest([
      '--security-opt',
      'seccomp=unconfined',
      '--cap-add',
      'NET_ADMIN',
      '--read-only',
      '--device',
      '/dev/null:/dev/n2',
      '--device-cgroup-rule',
      'c 1:3 r',
      'busybox',
      'true',
    ]).req.security;
    expect(all).toMatchObject({
      seccomp: 'unconfined',
      capAdd: ['NET_ADMIN'],
      readOnlyRootfs: true,
      deviceCgroupRules: ['c 1:3 r'],
    });
    expect((all as { devices: unknown[] }).devices).toHaveLength(1);
  });
});
