/**
 * The device-program bindings' argument checks (no root, no kernel call):
 * wrong types and instruction buffers that are not whole 8-byte instructions
 * are EINVAL_ARG TypeErrors; a missing group is the open's ENOENT with the path.
 * The kernel side runs in main/engine/cgroups/v2/device-bpf.real.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { cgroupDeviceAttach, cgroupDeviceDetach, cgroupDevicePrograms, nativeAvailable } from './index';

describe.runIf(nativeAvailable())('cgroupDevice* argument checks', () => {
  it.each([
    ['an empty buffer', new Uint8Array(0)],
    ['a partial instruction', new Uint8Array(12)],
    ['too many instructions', new Uint8Array(8 * 4097)],
  ])('refuses %s', (_what, insns) => {
    expect(() => cgroupDeviceAttach('/sys/fs/cgroup', insns)).toThrow(
      expect.objectContaining({ code: 'EINVAL_ARG' }) as Error,
    );
  });
  it('refuses non-buffers and bad paths', () => {
    const bad = (f: () => unknown) => expect(f).toThrow(expect.objectContaining({ code: 'EINVAL_ARG' }) as Error);
    bad(() => cgroupDeviceAttach('/sys/fs/cgroup', [1, 2, 3] as unknown as Uint8Array));
    bad(() => cgroupDevicePrograms(''));
    bad(() => cgroupDeviceDetach('a\0b'));
  });
  it('a missing group is ENOENT from open, naming it', () => {
    expect(() => cgroupDevicePrograms('/no/such/cgroup')).toThrow(
      expect.objectContaining({ code: 'ENOENT', syscall: 'open', path: '/no/such/cgroup' }) as Error,
    );
  });
});
