/**
 * The device policy without a kernel: docker's rule and --device syntaxes, the
 * merge of defaults + --device + --device-cgroup-rule + limits + privileged,
 * the v1 lines it writes and what devices.list should read back, and the BPF
 * program the v2 side loads (its exact instruction shape for a known list).
 */
import { describe, expect, it } from 'vitest';
import { BerthError } from '../../../preload/errors';
import { parseDeviceFlag } from '../../shared/device-syntax';
import {
  ALLOW_ALL,
  buildDevicePolicy,
  DEFAULT_DEVICE_RULES,
  DENY_ALL,
  parseDeviceRule,
  plainRules,
  ruleText,
  type ResolvedDevice,
} from './device-policy';
import { expectedList, policyWrites } from './v1/devices';
import { compileDeviceFilter, effectiveRules, encodeInsns, OP, ruleTable } from './v2/device-filter';

const code = (f: () => unknown): string | undefined => {
  try {
    f();
  } catch (e) {
    return e instanceof BerthError ? e.code : 'not-a-BerthError';
  }
  return undefined;
};

const fuse: ResolvedDevice = {
  hostPath: '/dev/fuse',
  containerPath: '/dev/fuse',
  type: 'c',
  major: 10,
  minor: 229,
  fileMode: 0o666,
  uid: 0,
  gid: 0,
  permissions: 'r',
};

describe('parseDeviceRule (docker --device-cgroup-rule)', () => {
  it('reads types, numbers, wildcards and access in any order', () => {
    expect(parseDeviceRule('c 1:3 rwm')).toEqual({ allow: true, type: 'c', major: 1, minor: 3, access: 'rwm' });
    expect(parseDeviceRule('b 8:* mr')).toEqual({ allow: true, type: 'b', major: 8, minor: '*', access: 'rm' });
    expect(parseDeviceRule('c *:* m')).toEqual({ allow: true, type: 'c', major: '*', minor: '*', access: 'm' });
    expect(parseDeviceRule('  c 136:*  rw ')).toMatchObject({ major: 136, minor: '*', access: 'rw' });
  });
  it('an a rule is every device with every access (as v1 reads it)', () => {
    expect(parseDeviceRule('a')).toEqual(ALLOW_ALL);
    expect(parseDeviceRule('a *:* r')).toEqual(ALLOW_ALL);
    expect(parseDeviceRule('a 1:3 rwm', false)).toEqual(DENY_ALL);
  });
  it.each([
    '',
    'c',
    'c 1:3',
    'x 1:3 rwm',
    'c 1:3 rwx',
    'c 1:3 rr',
    'c -1:3 r',
    'c 1.5:3 r',
    'c 4096:0 r',
    'c 1:1048576 r',
    'c 1 3 r',
    'c 1:3 rwm; a',
  ])('refuses %j with DEVICE_RULE_INVALID', (r) => {
    expect(code(() => parseDeviceRule(r))).toBe('DEVICE_RULE_INVALID');
  });
});

describe('parseDeviceFlag (docker --device)', () => {
  it('follows docker: HOST, HOST:CONT, HOST:PERMS, HOST:CONT:PERMS', () => {
    expect(parseDeviceFlag('/dev/fuse')).toEqual({
      hostPath: '/dev/fuse',
      containerPath: '/dev/fuse',
      permissions: 'rwm',
    });
    expect(parseDeviceFlag('/dev/sda:/dev/xvdc')).toMatchObject({ containerPath: '/dev/xvdc', permissions: 'rwm' });
    expect(parseDeviceFlag('/dev/sda:r')).toMatchObject({ containerPath: '/dev/sda', permissions: 'r' });
    expect(parseDeviceFlag('/dev/sda:/dev/xvdc:rw')).toMatchObject({ containerPath: '/dev/xvdc', permissions: 'rw' });
  });
  it.each(['dev/fuse', '/dev/a:b', '/dev/a:/b:rwx', '/dev/a:/b:rr', '/a:/b:r:x', ''])(
    'refuses %j with DEVICE_INVALID',
    (d) => expect(code(() => parseDeviceFlag(d))).toBe('DEVICE_INVALID'),
  );
});

describe('buildDevicePolicy', () => {
  it('a default container: deny all, then the OCI defaults, nothing else (no c *:* m / b *:* m)', () => {
    const p = buildDevicePolicy({ privileged: false, devices: [], cgroupRules: [] });
    expect(p.map(ruleText)).toEqual([
      'a *:* rwm',
      'c 1:3 rwm',
      'c 1:5 rwm',
      'c 1:7 rwm',
      'c 1:8 rwm',
      'c 1:9 rwm',
      'c 5:0 rwm',
      'c 5:2 rwm',
      'c 136:* rwm',
    ]);
    expect(p[0]).toMatchObject({ allow: false, source: 'base' });
    expect(p.slice(1).every((r) => r.allow && r.source === 'default')).toBe(true);
    expect(p.some((r) => r.type === 'b')).toBe(false);
    expect(DEFAULT_DEVICE_RULES).toHaveLength(8);
  });
  it('--device adds its node with m; rules and limits follow in order', () => {
    const p = buildDevicePolicy({
      privileged: false,
      devices: [fuse],
      cgroupRules: ['c 1:11 r', 'b 7:* rw'],
      limitRules: [{ allow: false, type: 'c', major: 1, minor: 11, access: 'r' }],
    });
    expect(p.slice(9).map((r) => [r.source, r.allow, ruleText(r)])).toEqual([
      ['device', true, 'c 10:229 rm'],
      ['rule', true, 'c 1:11 r'],
      ['rule', true, 'b 7:* rw'],
      ['limits', false, 'c 1:11 r'],
    ]);
    expect(p[9]!.note).toBe('--device /dev/fuse:/dev/fuse:r');
  });
  it('privileged: one allow-all rule, whatever else is asked', () => {
    const p = buildDevicePolicy({ privileged: true, devices: [fuse], cgroupRules: ['c 1:11 r'] });
    expect(plainRules(p)).toEqual([ALLOW_ALL]);
  });
  it('a bad rule fails the whole policy', () => {
    expect(code(() => buildDevicePolicy({ privileged: false, devices: [], cgroupRules: ['c 1:3 q'] }))).toBe(
      'DEVICE_RULE_INVALID',
    );
  });
});

describe('v1 lines', () => {
  const rules = plainRules(buildDevicePolicy({ privileged: false, devices: [fuse], cgroupRules: ['c 1:11 r'] }));
  it('devices.deny a first, then one devices.allow line per rule', () => {
    const w = policyWrites('/cg/devices/berth/x', rules);
    expect(w[0]).toEqual({ file: '/cg/devices/berth/x/devices.deny', value: 'a' });
    expect(w.slice(1).map((x) => `${x.file.split('/').pop()} ${x.value}`)).toEqual([
      'devices.allow c 1:3 rwm',
      'devices.allow c 1:5 rwm',
      'devices.allow c 1:7 rwm',
      'devices.allow c 1:8 rwm',
      'devices.allow c 1:9 rwm',
      'devices.allow c 5:0 rwm',
      'devices.allow c 5:2 rwm',
      'devices.allow c 136:* rwm',
      'devices.allow c 10:229 rm',
      'devices.allow c 1:11 r',
    ]);
  });
  it('devices.list should read the allowed exceptions; a deny takes access off the same entry', () => {
    expect(expectedList(rules)).toContain('c 1:11 r');
    expect(expectedList([...rules, { allow: false, type: 'c', major: 1, minor: 3, access: 'w' }])).toContain(
      'c 1:3 rm',
    );
    expect(expectedList([ALLOW_ALL])).toEqual(['a *:* rwm']);
  });
});

describe('v2 program (BPF_PROG_TYPE_CGROUP_DEVICE)', () => {
  it('the last full a rule sets the default; later rules are checked last-first', () => {
    const r = plainRules(buildDevicePolicy({ privileged: false, devices: [], cgroupRules: ['c 1:11 r'] }));
    const e = effectiveRules(r);
    expect(e.defaultAllow).toBe(false);
    expect(e.exceptions).toHaveLength(9);
    expect(ruleTable(r).map((x) => `${x.action} ${x.rule ? ruleText(x.rule) : 'default'}`)).toEqual([
      'allow c 1:11 r',
      'allow c 136:* rwm',
      'allow c 5:2 rwm',
      'allow c 5:0 rwm',
      'allow c 1:9 rwm',
      'allow c 1:8 rwm',
      'allow c 1:7 rwm',
      'allow c 1:5 rwm',
      'allow c 1:3 rwm',
      'deny default',
    ]);
    expect(effectiveRules([ALLOW_ALL]).defaultAllow).toBe(true);
    expect(effectiveRules([ALLOW_ALL]).exceptions).toEqual([]);
  });

  it('has the exact instruction shape for a known list', () => {
    const insns = compileDeviceFilter([
      DENY_ALL,
      { allow: true, type: 'c', major: 1, minor: 3, access: 'rwm' },
      { allow: true, type: 'c', major: 136, minor: '*', access: 'rwm' },
      { allow: true, type: 'b', major: 7, minor: 0, access: 'r' },
    ]);
    const t = insns.map((i) => [i.code, i.dst, i.src, i.off, i.imm]);
    expect(t).toEqual([
      // prologue: r2 = type, r3 = access, r4 = major, r5 = minor
      [OP.LDXW, 2, 1, 0, 0],
      [OP.AND32K, 2, 0, 0, 0xffff],
      [OP.LDXW, 3, 1, 0, 0],
      [OP.RSH32K, 3, 0, 0, 16],
      [OP.LDXW, 4, 1, 4, 0],
      [OP.LDXW, 5, 1, 8, 0],
      // b 7:0 r (the last rule, checked first): type, access ⊆ r, major, minor
      [OP.JNEK, 2, 0, 7, 1],
      [OP.MOV32X, 1, 3, 0, 0],
      [OP.AND32K, 1, 0, 0, 2],
      [OP.JNEX, 1, 3, 4, 0],
      [OP.JNEK, 4, 0, 3, 7],
      [OP.JNEK, 5, 0, 2, 0],
      [OP.MOV32K, 0, 0, 0, 1],
      [OP.EXIT, 0, 0, 0, 0],
      // c 136:* rwm: type, major
      [OP.JNEK, 2, 0, 3, 2],
      [OP.JNEK, 4, 0, 2, 136],
      [OP.MOV32K, 0, 0, 0, 1],
      [OP.EXIT, 0, 0, 0, 0],
      // c 1:3 rwm: type, major, minor
      [OP.JNEK, 2, 0, 4, 2],
      [OP.JNEK, 4, 0, 3, 1],
      [OP.JNEK, 5, 0, 2, 3],
      [OP.MOV32K, 0, 0, 0, 1],
      [OP.EXIT, 0, 0, 0, 0],
      // default: deny
      [OP.MOV32K, 0, 0, 0, 0],
      [OP.EXIT, 0, 0, 0, 0],
    ]);
    // Every jump lands inside the program, on the next block's first instruction.
    insns.forEach((x, i) => {
      if (x.code === OP.JNEK || x.code === OP.JNEX) expect(i + 1 + x.off).toBeLessThan(insns.length);
    });
  });

  it('privileged compiles to "allow" with no blocks', () => {
    expect(
      compileDeviceFilter([ALLOW_ALL])
        .slice(6)
        .map((i) => [i.code, i.imm]),
    ).toEqual([
      [OP.MOV32K, 1],
      [OP.EXIT, 0],
    ]);
  });

  it('encodes struct bpf_insn little-endian: code, dst | src << 4, off, imm', () => {
    const b = encodeInsns([
      { code: OP.JNEK, dst: 4, src: 0, off: 3, imm: 136 },
      { code: OP.JNEX, dst: 1, src: 3, off: -1, imm: -2 },
    ]);
    expect([...b]).toEqual([0x55, 0x04, 3, 0, 136, 0, 0, 0, 0x5d, 0x31, 0xff, 0xff, 0xfe, 0xff, 0xff, 0xff]);
  });
});
