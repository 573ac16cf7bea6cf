/**
 * The v2 device program for real, on the host's unified hierarchy (on this
 * hybrid host: /sys/fs/cgroup/unified, core files only). A plain shell is
 * moved into a test group under unified/berth/ and opens device nodes made in
 * a scratch dir: the attached program alone decides (the shell stays in the
 * v1 devices root group, which allows everything). Root only.
 */
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cgroupDeviceAttach, cgroupDeviceDetach, cgroupDevicePrograms } from '../../../../native/index';
import { buildDevicePolicy, plainRules } from '../device-policy';
import { hostLayout, isRoot } from '../real-helpers';
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

/** Nodes for the test in a scratch dir (the host's /dev lacks some, e.g. mem and vda). */
function nodes(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-devbpf-'));
  made.push(d);
  const mk = (name: string, type: 'b' | 'c', maj: number, min: number) =>
    spawnSync('mknod', [path.join(d, name), type, String(maj), String(min)], { stdio: 'inherit' });
  mk('null', 'c', 1, 3);
  mk('zero', 'c', 1, 5);
  mk('mem', 'c', 1, 1);
  mk('kmsg', 'c', 1, 11);
  mk('loop-control', 'c', 10, 237);
  const [maj, min] = firstBlockDevice();
  mk('disk', 'b', maj, min);
  return d;
}

function firstBlockDevice(): [number, number] {
  const line = fs
    .readFileSync('/proc/partitions', 'utf8')
    .split('\n')
    .slice(2)
    .find((l) => l.trim());
  const [maj, min] = (line ?? '7 0').trim().split(/\s+/).map(Number);
  return [maj!, min!];
}

/** In `dir`'s group: try to open each node (read), and mknod one; prints name=ok|err per line. */
function probe(groupDir: string, d: string, names: string[]): Record<string, string> {
  const script = [
    `echo $$ > ${groupDir}/cgroup.procs || exit 99`,
    // A subshell per open: a failed redirection ends only it. The message tells EPERM (the
    // device cgroup) from a driver's own answer (ENXIO: no /dev/mem in this kernel).
    ...names.map((n) => `m=$( (exec 3<${d}/${n}) 2>&1 ) && echo ${n}=ok || echo "${n}=$m"`),
    `m=$(mknod ${d}/new-disk b ${firstBlockDevice().join(' ')} 2>&1) && echo mknod-disk=ok || echo "mknod-disk=$m"`,
    `m=$(mknod ${d}/new-null c 1 3 2>&1) && echo mknod-null=ok || echo "mknod-null=$m"`,
  ].join('\n');
  const r = spawnSync('/bin/sh', ['-c', script], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  const out: Record<string, string> = {};
  for (const l of r.stdout.trim().split('\n')) {
    const eq = l.indexOf('=');
    const v = l.slice(eq + 1);
    out[l.slice(0, eq)] = v === 'ok' ? 'ok' : /Operation not permitted/.test(v) ? 'EPERM' : v;
  }
  return out;
}

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
      for (const f of ['new-disk', 'new-null']) fs.rmSync(path.join(d, f), { force: true });

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
      fs.rmSync(path.join(d, 'new-null'), { force: true });
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
