import { describe, expect, it } from 'vitest';
import { DOCKER_DEFAULT_CAPABILITIES } from '../../../native/monitor';
import {
  KNOWN_CAPABILITIES,
  capabilityMask,
  kernelCapabilities,
  normalizeCapability,
  parseLastCap,
  resolveCapabilities,
} from './capabilities';

const req = (o: { privileged?: boolean; capAdd?: string[]; capDrop?: string[] }) => ({
  privileged: o.privileged ?? false,
  capAdd: o.capAdd ?? [],
  capDrop: o.capDrop ?? [],
});
const LAST = 40;

describe('capability sets (docker semantics)', () => {
  it("default: docker's 14, CapEff a80425fb", () => {
    const caps = resolveCapabilities(req({}), LAST);
    expect(caps).toHaveLength(14);
    expect(new Set(caps)).toEqual(new Set(DOCKER_DEFAULT_CAPABILITIES));
    expect(capabilityMask(caps)).toBe('00000000a80425fb');
  });

  it('names in any case, with or without CAP_', () => {
    for (const n of ['net_admin', 'NET_ADMIN', 'cap_net_admin', 'CAP_NET_ADMIN', 'Net_Admin', ' net_admin '])
      expect(normalizeCapability(n)).toBe('CAP_NET_ADMIN');
    expect(normalizeCapability('all')).toBe('ALL');
    expect(normalizeCapability('ALL')).toBe('ALL');
  });

  it('add and drop single capabilities', () => {
    const caps = resolveCapabilities(req({ capAdd: ['net_admin'], capDrop: ['CAP_MKNOD', 'net_raw'] }), LAST);
    expect(caps).toContain('CAP_NET_ADMIN');
    expect(caps).not.toContain('CAP_MKNOD');
    expect(caps).not.toContain('CAP_NET_RAW');
    expect(caps).toHaveLength(13);
  });

  it('drop then add: a capability both dropped and added is kept', () => {
    expect(resolveCapabilities(req({ capAdd: ['CHOWN'], capDrop: ['chown'] }), LAST)).toContain('CAP_CHOWN');
  });

  it('--cap-drop ALL --cap-add X gives only X; --cap-drop ALL alone gives nothing', () => {
    expect(resolveCapabilities(req({ capDrop: ['ALL'], capAdd: ['net_bind_service'] }), LAST)).toEqual([
      'CAP_NET_BIND_SERVICE',
    ]);
    expect(resolveCapabilities(req({ capDrop: ['all'] }), LAST)).toEqual([]);
    expect(capabilityMask([])).toBe('0000000000000000');
  });

  it('--cap-add ALL gives every capability except the dropped ones', () => {
    const caps = resolveCapabilities(req({ capAdd: ['ALL'], capDrop: ['sys_admin'] }), LAST);
    expect(caps).toHaveLength(40);
    expect(caps).not.toContain('CAP_SYS_ADMIN');
  });

  it('privileged: every capability the kernel has, add/drop ignored', () => {
    const caps = resolveCapabilities(req({ privileged: true, capDrop: ['ALL'] }), LAST);
    expect(caps).toEqual(KNOWN_CAPABILITIES);
    expect(capabilityMask(caps)).toBe('000001ffffffffff');
    // An older kernel (cap_last_cap 37): only what it has.
    expect(resolveCapabilities(req({ privileged: true }), 37)).toEqual(KNOWN_CAPABILITIES.slice(0, 38));
    expect(resolveCapabilities(req({ capAdd: ['bpf'] }), 37)).not.toContain('CAP_BPF');
  });

  it('an unknown name is CAPABILITY_UNKNOWN naming it, even with --privileged', () => {
    for (const r of [
      req({ capAdd: ['NET_ADMINN'] }),
      req({ capDrop: ['cap_bogus'] }),
      req({ privileged: true, capAdd: ['x'] }),
    ]) {
      let err: unknown;
      try {
        resolveCapabilities(r, LAST);
      } catch (e) {
        err = e;
      }
      expect(err).toMatchObject({ code: 'CAPABILITY_UNKNOWN' });
      expect((err as Error).message).toMatch(/unknown capability: "(NET_ADMINN|cap_bogus|x)"/);
    }
  });

  it('kernelCapabilities and cap_last_cap parsing', () => {
    expect(kernelCapabilities(40)).toHaveLength(41);
    expect(kernelCapabilities(63)).toHaveLength(41);
    expect(parseLastCap('40\n')).toBe(40);
    expect(parseLastCap(null)).toBe(40);
    expect(parseLastCap('junk')).toBe(40);
  });
});
