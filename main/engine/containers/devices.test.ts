/**
 * Resolving a container's devices without root: --device host paths stat'ed
 * (/dev/null exists everywhere), the codes for what is not a device, dev_t
 * decoding, and the policy of a record stored before `security` existed.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BerthError } from '../../../preload/errors';
import { ContainerCreate, type ContainerCreateT } from '../../../preload/schemas/containers';
import { containerDevices, devMajor, devMinor, hostDevices, monitorDevices, resolveDevices } from './devices';

const code = (f: () => unknown): string | undefined => {
  try {
    f();
  } catch (e) {
    return e instanceof BerthError ? e.code : 'not-a-BerthError';
  }
  return undefined;
};

describe('resolveDevices', () => {
  it('stats the host node: type, numbers, mode and owner, the container path as asked', () => {
    const [d] = resolveDevices([{ hostPath: '/dev/null', containerPath: '/dev/mynull', permissions: 'rw' }]);
    expect(d).toMatchObject({ containerPath: '/dev/mynull', type: 'c', major: 1, minor: 3, permissions: 'rw' });
    expect(d!.fileMode).toBe(fs.statSync('/dev/null').mode & 0o7777);
    expect(monitorDevices([d!])).toEqual([
      { path: '/dev/mynull', type: 'c', major: 1, minor: 3, fileMode: d!.fileMode, uid: d!.uid, gid: d!.gid },
    ]);
  });
  it('follows a symlink to the device (docker does)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-devlink-'));
    try {
      fs.symlinkSync('/dev/zero', path.join(dir, 'z'));
      expect(
        resolveDevices([{ hostPath: path.join(dir, 'z'), containerPath: '/dev/z', permissions: 'r' }])[0],
      ).toMatchObject({ major: 1, minor: 5 });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
  it.runIf(fs.existsSync('/dev/net/tun'))('a directory gives every device under it, at the same place inside', () => {
    expect(resolveDevices([{ hostPath: '/dev/net', containerPath: '/dev/net', permissions: 'rwm' }])).toEqual([
      expect.objectContaining({ hostPath: '/dev/net/tun', containerPath: '/dev/net/tun', major: 10, minor: 200 }),
    ]);
  });
  it('a directory without device nodes is refused', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-nodev-'));
    try {
      expect(code(() => resolveDevices([{ hostPath: dir, containerPath: '/dev/x', permissions: 'rwm' }]))).toBe(
        'DEVICE_INVALID',
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
  it.each(['/etc/hostname', '/no/such/device'])('refuses %s with DEVICE_INVALID', (p) => {
    expect(code(() => resolveDevices([{ hostPath: p, containerPath: '/dev/x', permissions: 'rwm' }]))).toBe(
      'DEVICE_INVALID',
    );
  });
});

describe('dev_t', () => {
  it('decodes glibc encoding, large majors and minors included', () => {
    const enc = (maj: number, min: number) =>
      (min & 0xff) + ((maj & 0xfff) << 8) + (min & ~0xff) * 4096 + (maj & ~0xfff) * 2 ** 32;
    for (const [maj, min] of [
      [1, 3],
      [254, 0],
      [259, 1048575],
      [4095, 256],
    ] as const) {
      expect([devMajor(enc(maj, min)), devMinor(enc(maj, min))]).toEqual([maj, min]);
    }
    expect([devMajor(fs.statSync('/dev/null').rdev), devMinor(fs.statSync('/dev/null').rdev)]).toEqual([1, 3]);
  });
});

describe('containerDevices', () => {
  it('a record without security (stored before it existed) gets the default policy', () => {
    const { security: _dropped, ...old } = ContainerCreate.parse({ image: 'busybox' });
    const p = containerDevices(old as ContainerCreateT);
    expect(p.rules).toHaveLength(9);
    expect(p.devices).toEqual([]);
  });
  it('privileged: allow-all and the host nodes, without pts, ptmx, console or the default six', () => {
    const cfg = ContainerCreate.parse({ image: 'busybox', security: { privileged: true } });
    const p = containerDevices(cfg);
    expect(p.rules.map((r) => r.source)).toEqual(['privileged']);
    const paths = p.devices.map((d) => d.containerPath);
    expect(paths.length).toBe(hostDevices().length);
    for (const skipped of ['/dev/null', '/dev/ptmx', '/dev/console', '/dev/tty']) expect(paths).not.toContain(skipped);
    expect(paths.some((x) => x.startsWith('/dev/pts/'))).toBe(false);
  });
});
