/**
 * The optional namespaces of `berth run`, for real as root: --userns (a user
 * namespace mapping 0..65535 to the container's own host range, the image
 * layers id-mapped so the container's root owns them, writes landing as the
 * range's first id on disk, exec into it, every network mode) and --timens (a time namespace of its own).
 * Also: a container user other than root can read "/" (the merged root
 * takes the upper dir's mode).
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContainerDetailT } from '../../../preload/schemas/containers';
import {
  berthCli,
  berthOk,
  nsInode,
  openContainerSuite,
  statusField,
  testBridge,
  userNsEnv,
  type ContainerSuite,
} from '../../testing/container-helper';
import { BUSYBOX_BIN } from '../../testing/busybox-image';
import { tempDir } from '../../testing/helper-process';

const isRoot = process.getuid?.() === 0;

describe.runIf(isRoot && BUSYBOX_BIN !== undefined)('user and time namespaces (root)', { timeout: 120_000 }, () => {
  const bridge = testBridge('bu', 241);
  const idDir = tempDir('berth-subids-');
  let suite: ContainerSuite;
  const sock = (): string => suite.helper.socketPath;
  const inspect = async (id: string): Promise<ContainerDetailT> =>
    (await suite.rpc.call('containers.inspect', { id })) as ContainerDetailT;

  beforeAll(async () => {
    suite = await openContainerSuite({ bridge, workPrefix: 'berth-userns-it-', env: userNsEnv(idDir) });
  });

  afterAll(async () => {
    await suite?.close();
    fs.rmSync(idDir, { recursive: true, force: true });
  });

  it("--userns: root inside is its range's first host id; the layers are root-owned inside and writable by copy-up", async () => {
    const id = (
      await berthOk(sock(), [
        'run',
        '-d',
        '--userns',
        '--network',
        'none',
        'busybox',
        'sh',
        '-c',
        'touch /etc/made-inside && sleep 600',
      ])
    ).trim();
    const d = await inspect(id);
    // The kernel's view from the host: a user namespace of its own, mapped to its range.
    const host = d.idRange!.uid;
    expect(nsInode(d.pid!, 'user')).not.toBe(nsInode('self', 'user'));
    expect(fs.readFileSync(`/proc/${d.pid}/uid_map`, 'utf8').trim().split(/\s+/)).toEqual(['0', `${host}`, '65536']);
    expect(statusField(d.pid!, 'Uid').split(/\s+/)[0]).toBe(`${host}`);
    // Its other namespaces are its own too.
    for (const ns of ['pid', 'mnt', 'uts', 'ipc', 'net', 'cgroup'])
      expect(nsInode(d.pid!, ns)).not.toBe(nsInode('self', ns));

    // Inside: uid 0, the image's files belong to root (id-mapped), a write works.
    const r = await berthCli(sock(), [
      'exec',
      id,
      'sh',
      '-c',
      'id -u; stat -c %u:%g /bin/busybox /etc; ls /etc/made-inside',
    ]);
    expect(r).toMatchObject({ code: 0, stdout: '0\n0:0\n0:0\n/etc/made-inside\n' });
    // On disk the write belongs to the mapped id, never to the host's root.
    expect(fs.statSync(`${d.paths.upperDir}/etc/made-inside`).uid).toBe(host);
    // The shared layer on disk is untouched: still the host's root.
    expect(fs.statSync(`${d.paths.lowerDirs[0]}/bin/busybox`).uid).toBe(0);
    // The exec'd process is mapped the same way.
    const execPid = await berthCli(sock(), ['exec', id, 'sh', '-c', 'cat /proc/self/uid_map']);
    expect(execPid.stdout.trim().split(/\s+/)).toEqual(['0', `${host}`, '65536']);
    await berthOk(sock(), ['rm', '-f', id]);
  });

  it('--userns works with the host network and with the bridge', async () => {
    const host = await berthCli(sock(), [
      'run',
      '--rm',
      '--userns',
      '--network',
      'host',
      'busybox',
      'sh',
      '-c',
      'id -u',
    ]);
    expect(host).toMatchObject({ code: 0, stdout: '0\n' });
    const br = await berthCli(sock(), [
      'run',
      '--rm',
      '--userns',
      '--network',
      'bridge',
      'busybox',
      'sh',
      '-c',
      'ip -4 -o addr show eth0',
    ]);
    expect(br.code).toBe(0);
    expect(br.stdout).toContain(`inet ${bridge.subnet.cidr.split('.').slice(0, 3).join('.')}.`);
  });

  it('--timens: a time namespace of its own, for the container and its children', async () => {
    const id = (
      await berthOk(sock(), ['run', '-d', '--timens', '--network', 'none', 'busybox', 'sleep', '600'])
    ).trim();
    const d = await inspect(id);
    expect(nsInode(d.pid!, 'time')).not.toBe(nsInode('self', 'time'));
    expect(fs.readFileSync(`/proc/${d.pid}/timens_offsets`, 'utf8')).toMatch(/^monotonic\s+0\s+0\nboottime\s+0\s+0\n$/);
    await berthOk(sock(), ['rm', '-f', id]);
  });

  it('a container user other than root reads "/" (the merged root is 0755)', async () => {
    const r = await berthCli(sock(), ['run', '--rm', '--network', 'none', '-u', '1000', 'busybox', 'ls', '/']);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')).toEqual(expect.arrayContaining(['bin', 'etc']));
  });
});
