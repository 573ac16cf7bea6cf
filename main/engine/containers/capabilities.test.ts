import { describe, expect, it } from 'vitest';
import { DOCKER_DEFAULT_CAPABILITIES } from '../../../native/monitor';
import { DEFAULT_CAPABILITY_NAMES } from '../../../preload/schemas/capabilities';
import {
  KNOWN_CAPABILITIES,
  capabilitiesInMask,
  capabilityMask,
  grantableCapabilities,
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
const LAST = kernelCapabilities(40);

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
    expect(resolveCapabilities(req({ privileged: true }), kernelCapabilities(37))).toEqual(
      KNOWN_CAPABILITIES.slice(0, 38),
    );
    // Naming one it lacks is refused; ALL quietly means what there is.
    expect(() => resolveCapabilities(req({ capAdd: ['bpf'] }), kernelCapabilities(37))).toThrow(
      expect.objectContaining({ code: 'CAPABILITY_UNAVAILABLE' }),
    );
    expect(resolveCapabilities(req({ capAdd: ['all'] }), kernelCapabilities(37))).toHaveLength(38);
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

  it('grantable = the kernel capabilities that our own bounding set holds', () => {
    // A sandboxed root without CAP_SYS_RESOURCE (bit 24): privileged gets the other 40.
    const g = grantableCapabilities('40\n', 'Name:\tx\nCapBnd:\t000001fffeffffff\n');
    expect(g).toHaveLength(40);
    expect(g).not.toContain('CAP_SYS_RESOURCE');
    expect(resolveCapabilities(req({ privileged: true }), g)).toEqual(g);
    expect(() => resolveCapabilities(req({ capAdd: ['sys_resource'] }), g)).toThrow(
      /CAP_SYS_RESOURCE cannot be granted/,
    );
    expect(grantableCapabilities('37', null)).toHaveLength(38);
    expect(capabilitiesInMask('00000000a80425fb')).toEqual(
      [...DOCKER_DEFAULT_CAPABILITIES].sort((a, b) => KNOWN_CAPABILITIES.indexOf(a) - KNOWN_CAPABILITIES.indexOf(b)),
    );
  });

  it("the contract's default list is the monitor's default set", () => {
    expect(new Set(DEFAULT_CAPABILITY_NAMES)).toEqual(new Set(DOCKER_DEFAULT_CAPABILITIES));
    expect(resolveCapabilities(req({}), LAST)).toEqual(DEFAULT_CAPABILITY_NAMES);
  });

  it('kernelCapabilities and cap_last_cap parsing', () => {
    expect(kernelCapabilities(40)).toHaveLength(41);
    expect(kernelCapabilities(63)).toHaveLength(41);
    expect(parseLastCap('40\n')).toBe(40);
    expect(parseLastCap(null)).toBe(40);
    expect(parseLastCap('junk')).toBe(40);
  });
});
