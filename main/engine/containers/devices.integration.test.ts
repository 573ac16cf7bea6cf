/**
 * The device policy of real containers, as root, through the CLI and the
 * helper: what a default container cannot do with devices (mknod and open,
 * each refused with EPERM by the device cgroup), what --device and
 * --device-cgroup-rule give back, and the kernel's read-back (v1
 * devices.list, the v2 program BPF_PROG_QUERY finds on the unified group).
 * Errno is read from busybox's messages: EPERM "Operation not permitted",
 * ENXIO "No such device or address" (a node whose driver this kernel lacks:
 * the device cgroup let the open through).
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContainerDetailT } from '../../../preload/schemas/containers';
import type { DevicePolicyT } from '../../../preload/schemas/devices';
import type { RpcClient } from '../../helper/client/rpc-client';
import {
  berthCli,
  berthOk,
  cgroupDirsOf,
  openContainerSuite,
  randomTag,
  testBridge,
  waitUntil,
  type ContainerSuite,
} from '../../testing/container-helper';
import { BUSYBOX_BIN } from '../../testing/busybox-image';

const isRoot = process.getuid?.() === 0;

/** The host's first block device (major, minor) from /proc/partitions. */
function hostBlock(): [number, number] {
  const line = fs
    .readFileSync('/proc/partitions', 'utf8')
    .split('\n')
    .slice(2)
    .find((l) => l.trim());
  const [maj, min] = (line ?? '7 0').trim().split(/\s+/).map(Number);
  return [maj!, min!];
}

/** `name=ok` or `name=<message>` per attempt; a shell function, so one container runs them all. */
const PRELUDE = `t() { n=$1; shift; if m=$("$@" 2>&1); then echo "$n=ok"; else echo "$n=$m"; fi; }`;

function parse(stdout: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const l of stdout.split('\n')) {
    const eq = l.indexOf('=');
    if (eq <= 0) continue;
    const v = l.slice(eq + 1);
    out[l.slice(0, eq)] =
      v === 'ok'
        ? 'ok'
        : /Operation not permitted/.test(v)
          ? 'EPERM'
          : /No such device or address/.test(v)
            ? 'ENXIO'
            : v;
  }
  return out;
}

describe.runIf(isRoot && BUSYBOX_BIN !== undefined)(
  'device policy of real containers (root)',
  { timeout: 180_000 },
  () => {
    const tag = randomTag();
    const bridge = testBridge('bd', 236);
    let suite: ContainerSuite;
    let rpc: RpcClient;
    let seq = 0;
    const sock = (): string => suite.helper.socketPath;
    const name = (what: string): string => `dev-${what}-${tag}-${++seq}`;

    /** Runs SCRIPT in a fresh `--rm --network none` busybox with extra flags; the attempts' results. */
    async function probe(flags: string[], script: string[]): Promise<Record<string, string>> {
      const r = await berthCli(sock(), [
        'run',
        '--rm',
        '--network',
        'none',
        '--name',
        name('probe'),
        ...flags,
        'busybox',
        'sh',
        '-c',
        [PRELUDE, ...script].join('\n'),
      ]);
      expect(r.code, r.stderr).toBe(0);
      return parse(r.stdout);
    }

    beforeAll(async () => {
      suite = await openContainerSuite({ bridge, workPrefix: 'berth-dev-it-' });
      rpc = suite.rpc;
    });
    afterAll(async () => {
      await suite?.close();
    });

    it('a default container can neither make nor open devices outside the OCI default set', async () => {
      const [maj, min] = hostBlock();
      const r = await probe(
        [],
        [
          `t mknod-block mknod /tmp/blk b ${maj} ${min}`,
          `t mknod-loop-control mknod /tmp/lc c 10 237`,
          `t mknod-mem mknod /tmp/mem c 1 1`,
          `t mknod-kmsg mknod /tmp/kmsg c 1 11`,
          `t mknod-null mknod /tmp/null c 1 3`,
          `t open-own-null sh -c 'echo x > /tmp/null'`,
          `t write-null sh -c 'echo x > /dev/null'`,
          `t read-zero head -c 4 /dev/zero`,
          `t read-urandom head -c 4 /dev/urandom`,
          `t read-random head -c 4 /dev/random`,
          `t write-full sh -c 'echo x > /dev/full; true'`,
          `t loop-control-present test -e /dev/loop-control`,
          `t ptmx sh -c 'exec 3<>/dev/ptmx'`,
        ],
      );
      expect(r).toEqual({
        'mknod-block': 'EPERM',
        'mknod-loop-control': 'EPERM',
        'mknod-mem': 'EPERM',
        'mknod-kmsg': 'EPERM',
        'mknod-null': 'ok',
        'open-own-null': 'ok',
        'write-null': 'ok',
        'read-zero': expect.any(String),
        'read-urandom': expect.any(String),
        'read-random': expect.any(String),
        'write-full': 'ok',
        'loop-control-present': expect.not.stringMatching(/^ok$/),
        ptmx: 'ok',
      });
      // head prints the bytes: any answer but an error message is a success.
      for (const k of ['read-zero', 'read-urandom', 'read-random']) expect(r[k]).not.toMatch(/can't|denied|permitted/);
    });

    it('--device-cgroup-rule: m alone lets mknod through but not open; rm lets open reach the driver', async () => {
      const script = [`t mknod-mem mknod /tmp/mem c 1 1`, `t open-mem head -c 1 /tmp/mem`];
      // /dev/mem has no driver in this kernel: ENXIO means the device cgroup said yes.
      expect(await probe(['--device-cgroup-rule', 'c 1:1 m'], script)).toEqual({
        'mknod-mem': 'ok',
        'open-mem': 'EPERM',
      });
      expect(await probe(['--device-cgroup-rule', 'c 1:1 rm'], script)).toEqual({
        'mknod-mem': 'ok',
        'open-mem': 'ENXIO',
      });
      // Berth has no `c *:* m`: an r rule alone does not allow making the node (docker's default would).
      expect(await probe(['--device-cgroup-rule', 'c 1:1 r'], script)).toMatchObject({ 'mknod-mem': 'EPERM' });
      // kmsg for writing (opening it for reading also needs CAP_SYSLOG here: dmesg_restrict).
      expect(
        await probe(
          ['--device-cgroup-rule', 'c 1:11 wm'],
          [
            `t mknod-kmsg mknod /tmp/kmsg c 1 11`,
            `t write-kmsg sh -c 'echo "<6>berth device policy test" > /tmp/kmsg'`,
          ],
        ),
      ).toEqual({ 'mknod-kmsg': 'ok', 'write-kmsg': 'ok' });
    });

    it('--device /dev/loop-control: the node is made with the host numbers and opens; others stay refused', async () => {
      const r = await probe(
        ['--device', '/dev/loop-control'],
        [
          `t stat stat -c '%F %t:%T %a' /dev/loop-control`,
          `t open sh -c 'exec 3</dev/loop-control'`,
          `t mknod-mem mknod /tmp/mem c 1 1`,
        ],
      );
      expect(r.open).toBe('ok');
      expect(r.stat).toBe('ok');
      expect(r['mknod-mem']).toBe('EPERM');
      const st = await berthCli(sock(), [
        'run',
        '--rm',
        '--network',
        'none',
        '--device',
        '/dev/loop-control:/dev/lc:r',
        'busybox',
        'stat',
        '-c',
        '%F %t:%T %a',
        '/dev/lc',
      ]);
      const host = fs.statSync('/dev/loop-control');
      expect(st.stdout.trim()).toBe(`character special file a:ed ${(host.mode & 0o777).toString(8)}`);
    });

    it('bad --device and --device-cgroup-rule values are refused with their codes, nothing created', async () => {
      const before = ((await rpc.call('containers.list', { all: true })) as unknown[]).length;
      const notDev = await berthCli(sock(), ['run', '--rm', '--device', '/etc/hostname', 'busybox', 'true']);
      expect(notDev.code).not.toBe(0);
      expect(notDev.stderr).toMatch(/DEVICE_INVALID|not a character or block device/);
      const missing = await berthCli(sock(), ['run', '--rm', '--device', '/dev/no-such-dev', 'busybox', 'true']);
      expect(missing.stderr).toMatch(/DEVICE_INVALID|cannot stat/);
      const rule = await berthCli(sock(), ['run', '--rm', '--device-cgroup-rule', 'c 1:3 rwx', 'busybox', 'true']);
      expect(rule.code).not.toBe(0);
      expect(rule.stderr).toMatch(/DEVICE_RULE_INVALID|invalid device cgroup rule/);
      // Straight to the helper, past the CLI's own check.
      await expect(
        rpc.call('containers.create', {
          image: 'busybox',
          command: ['true'],
          security: { devices: [{ hostPath: '/etc/hostname', containerPath: '/dev/x' }] },
        }),
      ).rejects.toMatchObject({ code: 'DEVICE_INVALID' });
      expect(((await rpc.call('containers.list', { all: true })) as unknown[]).length).toBe(before);
    });

    it('the read-back equals what was written (v1 devices.list, v2 program), and removal leaves no group', async () => {
      const id = (
        await berthOk(sock(), [
          'run',
          '-d',
          '--network',
          'none',
          '--name',
          name('rb'),
          '--device-cgroup-rule',
          'c 1:11 wm',
          'busybox',
          'sleep',
          '600',
        ])
      ).trim();
      try {
        const p = (await rpc.call('containers.devices', { id })) as DevicePolicyT;
        expect(p.running).toBe(true);
        expect(p.errors).toEqual([]);
        expect(p.rules.at(-1)).toMatchObject({ source: 'rule', type: 'c', major: 1, minor: 11, access: 'wm' });
        const dirs = cgroupDirsOf(id);
        if (p.v1) {
          expect(p.v1.file).toBe(`/sys/fs/cgroup/devices/berth/${id}/devices.list`);
          const lines = fs.readFileSync(p.v1.file, 'utf8').trim().split('\n').sort();
          expect(lines).toEqual([...p.v1.expected].sort());
          expect(lines).toContain('c 1:11 wm');
          expect(lines).not.toContain('a *:* rwm');
          expect(p.v1.inForce).toBe(true);
          expect(p.v1.writes[0]).toEqual({ file: `/sys/fs/cgroup/devices/berth/${id}/devices.deny`, value: 'a' });
        }
        if (p.v2) {
          expect(dirs).toContain(p.v2.group);
          const ours = p.v2.programs.filter((x) => x.berth);
          expect(ours).toHaveLength(1);
          expect(p.v2.expectedTags).toContain(ours[0]!.tag);
          expect(p.v2.inForce).toBe(true);
          expect(p.v2.table.at(-1)).toEqual({ rule: null, action: 'deny' });
          expect(p.v2.table[0]).toEqual({ rule: 'c 1:11 wm', action: 'allow' });
        }
        expect(p.v1 ?? p.v2).not.toBeNull();
        const d = (await rpc.call('containers.inspect', { id })) as ContainerDetailT;
        expect(d.devicePolicy?.v2?.inForce ?? d.devicePolicy?.v1?.inForce).toBe(true);
        // Update through the limits editor: the v2 program is replaced, not stacked.
        await rpc.call('resources.update', {
          id,
          limits: { devices: { rules: [{ allow: true, type: 'c', major: 1, minor: 1, access: 'm' }] } },
        });
        const q = (await rpc.call('containers.devices', { id })) as DevicePolicyT;
        if (q.v2) {
          expect(q.v2.programs.filter((x) => x.berth)).toHaveLength(1);
          expect(q.v2.inForce).toBe(true);
          expect(q.v2.table[0]).toEqual({ rule: 'c 1:1 m', action: 'allow' });
        }
        if (q.v1) expect(q.v1.inForce).toBe(true);
      } finally {
        await berthOk(sock(), ['rm', '-f', id]);
      }
      await waitUntil('the groups are removed', async () => (cgroupDirsOf(id).length === 0 ? true : null), 10_000, 50);
    });

    it('privileged: every device allowed and the host device nodes in /dev', async () => {
      const { id } = (await rpc.call('containers.create', {
        image: 'busybox',
        name: name('priv'),
        network: 'none',
        command: [
          'sh',
          '-c',
          `${PRELUDE}\nt lc test -c /dev/loop-control\nt mknod-mem mknod /tmp/mem c 1 1\nt open-mem head -c 1 /tmp/mem`,
        ],
        security: { privileged: true },
      })) as { id: string };
      try {
        const p0 = (await rpc.call('containers.devices', { id })) as DevicePolicyT;
        expect(p0.rules.map((r) => r.source)).toEqual(['privileged']);
        expect(p0.devices.some((d) => d.containerPath === '/dev/loop-control')).toBe(true);
        await rpc.call('containers.start', { id });
        const lines = await waitUntil(
          'the privileged container exits',
          async () => {
            const d = (await rpc.call('containers.inspect', { id })) as ContainerDetailT;
            if (d.state !== 'exited') return null;
            return ((await rpc.call('containers.logs', { id, limit: 100 })) as { lines: Array<{ line: string }> })
              .lines;
          },
          20_000,
          50,
        );
        expect(parse(lines.map((l) => l.line).join('\n'))).toEqual({
          lc: 'ok',
          'mknod-mem': 'ok',
          'open-mem': 'ENXIO',
        });
      } finally {
        await rpc.call('containers.remove', { id, force: true });
      }
    });
  },
);
