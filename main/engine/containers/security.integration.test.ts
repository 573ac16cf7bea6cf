/**
 * Capabilities, --privileged, --read-only and per-container --userns ranges,
 * for real as root: the kernel's own read-back (CapEff in /proc/PID/status,
 * the container's mount table, /proc/PID/uid_map, file owners on disk).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OCI_DEFAULT_MASKED_PATHS } from '../../../native/monitor';
import type { ContainerDetailT } from '../../../preload/schemas/containers';
import {
  berthCli,
  berthOk,
  openContainerSuite,
  statusField,
  startContainerHelper,
  testBridge,
  userNsEnv,
  type ContainerSuite,
} from '../../testing/container-helper';
import { BUSYBOX_BIN } from '../../testing/busybox-image';
import { tempDir } from '../../testing/helper-process';
import { capabilityMask, hostCapabilities } from './capabilities';

const isRoot = process.getuid?.() === 0;

describe.runIf(isRoot && BUSYBOX_BIN !== undefined)('security options (root)', { timeout: 180_000 }, () => {
  const bridge = testBridge('bs', 237);
  const idDir = tempDir('berth-subids-');
  let suite: ContainerSuite;
  const sock = (): string => suite.helper.socketPath;
  const inspect = async (id: string): Promise<ContainerDetailT> =>
    (await suite.rpc.call('containers.inspect', { id })) as ContainerDetailT;
  /** Starts a detached container and returns its id and its init's host pid. */
  const up = async (flags: string[], cmd = ['sleep', '600']): Promise<{ id: string; d: ContainerDetailT }> => {
    const id = (await berthOk(sock(), ['run', '-d', '--network', 'none', ...flags, 'busybox', ...cmd])).trim();
    return { id, d: await inspect(id) };
  };
  const sh = (id: string, script: string) => berthCli(sock(), ['exec', id, 'sh', '-c', script]);

  beforeAll(async () => {
    suite = await openContainerSuite({ bridge, workPrefix: 'berth-sec-it-', env: userNsEnv(idDir) });
  });

  afterAll(async () => {
    await suite?.close();
    fs.rmSync(idDir, { recursive: true, force: true });
  });

  describe('capabilities: CapEff of init and of exec equals the expected mask', () => {
    // Every capability the kernel has that this (root) process holds: the helper's own set.
    const all = capabilityMask(hostCapabilities());
    const cases: Array<[string, string[], string]> = [
      ['default', [], '00000000a80425fb'],
      ['--cap-drop ALL', ['--cap-drop', 'ALL'], '0000000000000000'],
      ['--cap-add NET_ADMIN', ['--cap-add', 'NET_ADMIN'], '00000000a80435fb'],
      ['--cap-drop all --cap-add cap_kill', ['--cap-drop', 'all', '--cap-add', 'cap_kill'], '0000000000000020'],
      ['--privileged', ['--privileged'], all],
    ];
    for (const [label, flags, mask] of cases) {
      it(label, async () => {
        const { id, d } = await up(flags);
        expect(statusField(d.pid!, 'CapEff')).toBe(mask);
        expect(statusField(d.pid!, 'CapBnd')).toBe(mask);
        expect(statusField(d.pid!, 'NoNewPrivs')).toBe('1');
        // Inside, pid 1's own view, and an exec'd process gets the same set.
        expect((await sh(id, 'grep CapEff /proc/1/status; grep CapEff /proc/self/status')).stdout).toBe(
          `CapEff:\t${mask}\nCapEff:\t${mask}\n`,
        );
        expect(capabilityMask(d.capabilities as never)).toBe(mask);
        await berthOk(sock(), ['rm', '-f', id]);
      });
    }

    it('an unknown capability is refused with CAPABILITY_UNKNOWN naming it, and nothing is created', async () => {
      const before = (await berthOk(sock(), ['ps', '-a', '-q'])).trim();
      const r = await berthCli(sock(), ['run', '--cap-add', 'NET_ADMINN', 'busybox', 'true']);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(/CAPABILITY_UNKNOWN.*NET_ADMINN/);
      expect((await berthOk(sock(), ['ps', '-a', '-q'])).trim()).toBe(before);
    });
  });

  it('--privileged: no masked paths (/proc/kcore, /proc/keys…), /sys writable, no read-only /proc/sys', async () => {
    // Masked paths this kernel has (no /proc/kcore without CONFIG_PROC_KCORE, as here).
    const masked = OCI_DEFAULT_MASKED_PATHS.filter((p) => fs.existsSync(p));
    expect(masked.length).toBeGreaterThan(0);
    const mounts = async (flags: string[]) => {
      const { id } = await up(flags);
      const r = await sh(id, 'cat /proc/mounts');
      await berthOk(sock(), ['rm', '-f', id]);
      return r.stdout.split('\n').map((l) => l.split(' '));
    };
    const def = await mounts([]);
    const sysOpts = (m: string[][]) => m.filter((l) => l[1] === '/sys').map((l) => l[3]!.split(',')[0]);
    expect(sysOpts(def)).toEqual(['ro']);
    for (const p of masked) expect(def.some((l) => l[1] === p)).toBe(true);
    expect(def.find((l) => l[1] === '/proc/sys')?.[3]).toMatch(/^ro,/);
    const priv = await mounts(['--privileged']);
    expect(sysOpts(priv)).toEqual(['rw']);
    for (const p of masked) expect(priv.some((l) => l[1] === p)).toBe(false);
    expect(priv.some((l) => l[1] === '/proc/sys')).toBe(false);
    // Writable for real: a sysfs attribute root may write (the loopback's tx queue length, own netns).
    const { id } = await up(['--privileged']);
    const w = await sh(id, 'echo 999 > /sys/class/net/lo/tx_queue_len && cat /sys/class/net/lo/tx_queue_len');
    expect(w).toMatchObject({ code: 0, stdout: '999\n' });
    await berthOk(sock(), ['rm', '-f', id]);
    const { id: plain } = await up([]);
    const denied = await sh(plain, 'echo 999 > /sys/class/net/lo/tx_queue_len');
    expect(denied.code).not.toBe(0);
    expect(denied.stderr).toMatch(/Read-only file system/);
    await berthOk(sock(), ['rm', '-f', plain]);
  });

  it('--read-only: writes to / fail with EROFS; /tmp, /var/tmp and /run are tmpfs and writable', async () => {
    const { id, d } = await up(['--read-only']);
    const etc = await sh(id, 'touch /etc/x');
    expect(etc.code).not.toBe(0);
    expect(etc.stderr).toMatch(/Read-only file system/); // EROFS
    const ok = await sh(id, 'touch /tmp/a /var/tmp/b /run/c && echo ok');
    expect(ok).toMatchObject({ code: 0, stdout: 'ok\n' });
    const m = (await sh(id, 'cat /proc/mounts')).stdout.split('\n').map((l) => l.split(' '));
    expect(m.find((l) => l[1] === '/')?.[3]).toMatch(/^ro,/);
    for (const dst of ['/tmp', '/var/tmp', '/run']) {
      const line = m.find((l) => l[1] === dst);
      expect(line?.[2]).toBe('tmpfs');
      expect(line?.[3]).toMatch(/(^|,)nosuid(,|$)/);
      expect(line?.[3]).toMatch(/(^|,)nodev(,|$)/);
    }
    expect(fs.existsSync(path.join(d.paths.upperDir, 'etc', 'x'))).toBe(false);
    await berthOk(sock(), ['rm', '-f', id]);
  });

  it('--read-only with --userns: the tmpfs belong to the container root', async () => {
    const { id } = await up(['--read-only', '--userns']);
    expect(await sh(id, 'touch /run/x && stat -c %u:%g /run /tmp')).toMatchObject({ code: 0, stdout: '0:0\n0:0\n' });
    await berthOk(sock(), ['rm', '-f', id]);
  });

  it('--userns: each container its own range; a removed one is released and reused; writes owned by the mapped ids', async () => {
    const a = await up(['--userns'], ['sh', '-c', 'touch /etc/made-inside && sleep 600']);
    const b = await up(['--userns']);
    const uidMap = (pid: number, file = 'uid_map') =>
      fs.readFileSync(`/proc/${pid}/${file}`, 'utf8').trim().split(/\s+/).map(Number);
    const [, ua, sa] = uidMap(a.d.pid!);
    const [, ub, sb] = uidMap(b.d.pid!);
    expect(sa).toBe(65536);
    expect(sb).toBe(65536);
    expect(ua! + sa! <= ub! || ub! + sb! <= ua!).toBe(true);
    // inspect shows what the kernel holds.
    expect(a.d.idRange).toEqual({ uid: ua, gid: uidMap(a.d.pid!, 'gid_map')[1], size: 65536 });
    expect(b.d.idRange?.uid).toBe(ub);
    expect(statusField(a.d.pid!, 'Uid').split(/\s+/)[0]).toBe(String(ua));
    // On disk: the container's write belongs to its mapped root, the upper dir too.
    await sh(a.id, 'test -e /etc/made-inside');
    expect(fs.statSync(`${a.d.paths.upperDir}/etc/made-inside`)).toMatchObject({ uid: ua, gid: a.d.idRange!.gid });
    expect(fs.statSync(a.d.paths.upperDir).uid).toBe(ua);
    // Exec'd processes are in the same user namespace.
    expect((await sh(a.id, 'cat /proc/self/uid_map')).stdout.trim().split(/\s+/).map(Number)).toEqual([0, ua, 65536]);

    // Remove a: its range is free again and the next --userns container gets it.
    await berthOk(sock(), ['rm', '-f', a.id]);
    const ranges = () =>
      (JSON.parse(fs.readFileSync(path.join(idDir, 'ranges.json'), 'utf8')) as { ranges: Array<{ uid: number }> })
        .ranges;
    expect(ranges().map((r) => r.uid)).toEqual([ub]);
    const c = await up(['--userns']);
    expect(c.d.idRange?.uid).toBe(ua);
    expect(uidMap(c.d.pid!)[1]).toBe(ua);
    // The helper put its berth entry in the test's subuid file.
    expect(fs.readFileSync(path.join(idDir, 'subuid'), 'utf8')).toMatch(/^berth:\d+:\d+\n$/);
    await berthOk(sock(), ['rm', '-f', b.id, c.id]);
    expect(ranges()).toEqual([]);
  });

  it('two helpers on different data roots share the allocation: concurrent --userns creates never overlap', async () => {
    // As root's helper and a user's helper do: their own run dir and data root, one allocation file.
    const other = await startContainerHelper(userNsEnv(idDir));
    try {
      await berthOk(other.socketPath, ['load', '-i', path.join(suite.work, 'busybox.tar')]);
      const create = (sockPath: string) =>
        berthOk(sockPath, ['create', '--userns', '--network', 'none', 'busybox', 'true']).then((o) => o.trim());
      const ids = await Promise.all([
        ...[0, 1, 2].map(() => create(sock()).then((id) => ({ sock: sock(), id }))),
        ...[0, 1, 2].map(() => create(other.socketPath).then((id) => ({ sock: other.socketPath, id }))),
      ]);
      const ranges = await Promise.all(
        ids.map(async (x) => {
          const d = JSON.parse(await berthOk(x.sock, ['inspect', x.id])) as ContainerDetailT | ContainerDetailT[];
          return (Array.isArray(d) ? d[0]! : d).idRange!;
        }),
      );
      expect(new Set(ranges.map((r) => r.uid)).size).toBe(6);
      for (const a of ranges)
        for (const b of ranges) if (a !== b) expect(a.uid + a.size <= b.uid || b.uid + b.size <= a.uid).toBe(true);
      for (const x of ids) await berthOk(x.sock, ['rm', '-f', x.id]);
    } finally {
      await other.dispose();
    }
  });
});
