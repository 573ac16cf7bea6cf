/**
 * The v2 device program for real, on the host's unified hierarchy (on this
 * hybrid host: /sys/fs/cgroup/unified, core files only). A plain shell is
 * moved into a test group under unified/berth/ and opens device nodes made in
 * a scratch dir: the attached program alone decides (the shell stays in the
 * v1 devices root group, which allows everything). Root only.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cgroupDeviceAttach, cgroupDeviceDetach, cgroupDevicePrograms } from '../../../../native/index';
import { buildDevicePolicy, plainRules } from '../device-policy';
import { probeIn, scratchNodes } from '../device-probe';
import { hostLayout, isRoot } from '../../../testing/cgroup-groups';
import { compileDeviceFilter, encodeInsns } from './device-filter';

const layout = hostLayout();
const unified = layout?.unifiedMountPoint ?? (layout?.mode === 'v2' ? layout.root : null);
const run = isRoot && unified !== null;

const made: string[] = [];
afterEach(() => {
  for (const p of made.splice(0).reverse()) fs.rmSync(p, { recursive: true, force: true });
});

function group(): string {
  const dir = path.join(unified!, 'berth', `t-devbpf-${process.pid}-${crypto.randomBytes(3).toString('hex')}`);
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  fs.mkdirSync(dir);
  return dir;
}

function rmGroup(dir: string): void {
  fs.rmdirSync(dir);
}

function nodes(): string {
  const d = scratchNodes();
  made.push(d);
  return d;
}

const probe = (g: string, d: string, names: string[]) => probeIn([`${g}/cgroup.procs`], d, names);

describe.skipIf(!run)('cgroup v2 device program (real, unified hierarchy)', () => {
  it('denies what the default policy leaves out, allows the defaults, and is seen by BPF_PROG_QUERY', () => {
    const g = group();
    try {
      const d = nodes();
      // Without a program: everything opens (the test is not vacuous).
      // (Opening a block device is refused to everyone in this sandboxed VM, host root
      // included; its mknod is not, so the block side is checked through mknod.)
      const before = probe(g, d, ['null', 'mem', 'kmsg', 'loop-control']);
      expect(before).toMatchObject({ null: 'ok', kmsg: 'ok', 'loop-control': 'ok', 'mknod-disk': 'ok' });
      expect(before.mem).not.toBe('EPERM');

      const insns = encodeInsns(
        compileDeviceFilter(plainRules(buildDevicePolicy({ privileged: false, devices: [], cgroupRules: [] }))),
      );
      const a = cgroupDeviceAttach(g, insns);
      expect(a.id).toBeGreaterThan(0);
      expect(a.replaced).toEqual([]);
      const progs = cgroupDevicePrograms(g);
      expect(progs).toHaveLength(1);
      expect(progs[0]).toMatchObject({ id: a.id, name: 'berth_devices', berth: true });
      expect(progs[0]!.tag).toMatch(/^[0-9a-f]{16}$/);

      const after = probe(g, d, ['null', 'zero', 'mem', 'kmsg', 'loop-control', 'disk']);
      expect(after).toEqual({
        null: 'ok',
        zero: 'ok',
        mem: 'EPERM',
        kmsg: 'EPERM',
        'loop-control': 'EPERM',
        disk: 'EPERM',
        'mknod-disk': 'EPERM',
        'mknod-null': 'ok',
      });

      // Update: a rule for kmsg (read only); the old program is replaced, not stacked.
      const b = cgroupDeviceAttach(
        g,
        encodeInsns(
          compileDeviceFilter(
            plainRules(buildDevicePolicy({ privileged: false, devices: [], cgroupRules: ['c 1:11 r'] })),
          ),
        ),
      );
      expect(b.replaced).toEqual([a.id]);
      expect(cgroupDevicePrograms(g).map((p) => p.id)).toEqual([b.id]);
      expect(probe(g, d, ['kmsg', 'mem'])).toMatchObject({ kmsg: 'ok', mem: 'EPERM' });

      expect(cgroupDeviceDetach(g)).toEqual([b.id]);
      expect(cgroupDevicePrograms(g)).toEqual([]);
    } finally {
      rmGroup(g);
    }
    expect(fs.existsSync(g)).toBe(false);
  });

  it('reports a missing group with the errno and path', () => {
    expect(() => cgroupDevicePrograms(path.join(unified!, 'berth', 'no-such-group-x'))).toThrow(/ENOENT/);
  });
});
