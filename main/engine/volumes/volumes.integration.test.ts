/**
 * Named volumes for real, as root: a private helper, busybox containers run
 * through the `berth` CLI with -v / --mount / --tmpfs, and every check read
 * from the host's disk or the container's own /proc/mounts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContainerDetailT } from '../../../preload/schemas/containers';
import type { RpcClient } from '../../helper/client/rpc-client';
import { BUSYBOX_BIN } from '../../testing/busybox-image';
import {
  berthCli,
  berthOk,
  openContainerSuite,
  randomTag,
  testBridge,
  type ContainerSuite,
} from '../../testing/container-helper';

const isRoot = process.getuid?.() === 0;

describe.runIf(isRoot && BUSYBOX_BIN !== undefined)('named volumes (root)', { timeout: 180_000 }, () => {
  const tag = randomTag();
  let suite: ContainerSuite;
  let rpc: RpcClient;
  let sock = '';
  let volumesDir = '';
  let seq = 0;
  const name = (what: string): string => `${what}-${tag}-${++seq}`;
  const cli = (...args: string[]) => berthCli(sock, args);
  const ok = (...args: string[]) => berthOk(sock, args);
  /** Runs to completion in the foreground, removed after (`--rm`). */
  const runRm = (...args: string[]) => cli('run', '--rm', '--network', 'none', ...args);
  const lsNames = async (): Promise<string[]> => (await ok('volume', 'ls', '-q')).split('\n').filter(Boolean);

  beforeAll(async () => {
    suite = await openContainerSuite({ bridge: testBridge('bv', 244), workPrefix: 'berth-vol-it-' });
    rpc = suite.rpc;
    sock = suite.helper.socketPath;
    volumesDir = path.join(suite.helper.dataRoot, 'volumes');
  });
  afterAll(async () => {
    await suite?.close();
  });

  it('create, ls (docker json), inspect, rm', async () => {
    const v = name('v');
    expect(await ok('volume', 'create', '--label', 'app=db', v)).toBe(`${v}\n`);
    expect(await ok('volume', 'create', v)).toBe(`${v}\n`); // idempotent, as docker
    const lines = (await ok('volume', 'ls', '--format', 'json')).split('\n').filter(Boolean);
    const row = lines.map((l) => JSON.parse(l) as Record<string, string>).find((r) => r.Name === v);
    expect(row).toMatchObject({
      Driver: 'local',
      Name: v,
      Labels: 'app=db',
      Scope: 'local',
      Mountpoint: path.join(volumesDir, v, '_data'),
    });
    expect(Object.keys(row!).sort()).toEqual(
      ['Availability', 'Driver', 'Group', 'Labels', 'Links', 'Mountpoint', 'Name', 'Scope', 'Size', 'Status'].sort(),
    );
    const [ins] = JSON.parse(await ok('volume', 'inspect', v)) as Array<Record<string, unknown>>;
    expect(ins).toMatchObject({ Name: v, Driver: 'local', Labels: { app: 'db' }, Scope: 'local', Options: {} });
    expect(fs.statSync(path.join(volumesDir, v, '_data')).isDirectory()).toBe(true);
    expect(await ok('volume', 'rm', v)).toBe(`${v}\n`);
    expect(await lsNames()).not.toContain(v);
    expect(fs.existsSync(path.join(volumesDir, v))).toBe(false);
    const again = await cli('volume', 'rm', v);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('VOLUME_NOT_FOUND');
    expect((await cli('volume', 'rm', '-f', v)).code).toBe(0);
  });

  it('refuses hostile names and bad options with stable codes, storing nothing', async () => {
    const before = fs.readdirSync(volumesDir).sort();
    for (const bad of ['../escape', 'a/b', '..', '.hidden', 'x']) {
      const r = await cli('volume', 'create', bad);
      expect(r.code, bad).toBe(1);
      expect(r.stderr, bad).toContain('VOLUME_NAME_INVALID');
    }
    const viaRun = await cli('create', '--mount', 'type=volume,source=a/../../b,target=/d', 'busybox', 'true');
    expect(viaRun.stderr).toContain('VOLUME_NAME_INVALID');
    await expect(rpc.call('volumes.create', { name: '../../etc', labels: {} })).rejects.toMatchObject({
      code: 'VOLUME_NAME_INVALID',
    });
    const usage = await cli('create', '--mount', 'type=volume,target=/d,colour=red', 'busybox', 'true');
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('unknown option colour');
    const twice = await cli('create', '-v', `${name('a')}:/d`, '--tmpfs', '/d', 'busybox', 'true');
    expect(twice.stderr).toContain('MOUNT_INVALID');
    expect(fs.readdirSync(volumesDir).sort()).toEqual(before);
    expect(fs.existsSync(path.join(path.dirname(volumesDir), 'escape'))).toBe(false);
    expect((await ok('ps', '-a', '-q')).trim()).toBe('');
  });

  it('copy-up: an empty volume is filled from the image once, with modes and owners', async () => {
    const web = name('web');
    const r = await runRm('-v', `${web}:/var/www`, 'busybox', 'cat', '/var/www/index.html');
    expect(r).toMatchObject({ code: 0, stdout: 'hello from a berth container\n' });
    const host = path.join(volumesDir, web, '_data', 'index.html');
    expect(fs.readFileSync(host, 'utf8')).toBe('hello from a berth container\n');
    expect(fs.statSync(host).mode & 0o7777).toBe(0o644);
    // Not empty any more: a later mount copies nothing back.
    fs.rmSync(host);
    fs.writeFileSync(path.join(volumesDir, web, '_data', 'mine'), 'x');
    expect((await runRm('-v', `${web}:/var/www`, 'busybox', 'ls', '/var/www')).stdout).toBe('mine\n');
    // Owners come along (/home/app is 1000:1000 in the image), and the volume's root takes the image dir's.
    const home = name('home');
    const st = await runRm(
      '--mount',
      `type=volume,src=${home},dst=/home`,
      'busybox',
      'stat',
      '-c',
      '%u:%g %a',
      '/home/app',
      '/home',
    );
    expect(st.stdout).toBe('1000:1000 755\n0:0 755\n');
    expect(fs.statSync(path.join(volumesDir, home, '_data', 'app')).uid).toBe(1000);
    // volume-nocopy: left empty.
    const bare = name('bare');
    expect(
      (await runRm('--mount', `type=volume,src=${bare},dst=/etc,volume-nocopy`, 'busybox', 'ls', '-A', '/etc')).stdout,
    ).toBe('');
  });

  it('data written in one container is seen by the next; the volume survives its containers', async () => {
    const shared = name('shared');
    const w = name('writer');
    expect(
      (
        await cli(
          'run',
          '--name',
          w,
          '--network',
          'none',
          '-v',
          `${shared}:/data`,
          'busybox',
          'sh',
          '-c',
          'echo hi > /data/f',
        )
      ).code,
    ).toBe(0);
    await ok('rm', w);
    expect(await lsNames()).toContain(shared);
    const r = await runRm(
      '-v',
      `${shared}:/data:ro`,
      'busybox',
      'sh',
      '-c',
      'cat /data/f; echo x > /data/g || echo refused',
    );
    expect(r.stdout).toContain('hi\n');
    expect(r.stdout).toContain('refused');
    expect(fs.existsSync(path.join(volumesDir, shared, '_data', 'g'))).toBe(false);
  });

  it('removing a volume in use is refused, naming its users (stopped ones too)', async () => {
    const v = name('busy');
    const c1 = name('user');
    const c2 = name('user');
    await ok('create', '--name', c1, '--network', 'none', '-v', `${v}:/d`, 'busybox', 'true');
    await ok(
      'run',
      '-d',
      '--name',
      c2,
      '--network',
      'none',
      '--mount',
      `type=volume,source=${v},target=/d`,
      'busybox',
      'sleep',
      '600',
    );
    const r = await cli('volume', 'rm', v);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('VOLUME_IN_USE');
    expect(r.stderr).toContain(c1);
    expect(r.stderr).toContain(c2);
    const listed = (await rpc.call('volumes.inspect', { name: v })) as { users: Array<{ name: string }> };
    expect(listed.users.map((u) => u.name).sort()).toEqual([c1, c2].sort());
    await ok('rm', '-f', c2);
    expect((await cli('volume', 'rm', v)).stderr).toContain(c1);
    await ok('rm', c1);
    await ok('volume', 'rm', v);
    expect(fs.existsSync(path.join(volumesDir, v))).toBe(false);
  });

  it('tmpfs mounts: size, mode, read-only, nothing on the host', async () => {
    const r = await runRm(
      '--mount',
      'type=tmpfs,target=/scratch,tmpfs-size=1m,tmpfs-mode=1770',
      '--tmpfs',
      '/ro:ro',
      'busybox',
      'sh',
      '-c',
      'grep -E " /(scratch|ro) " /proc/mounts; stat -c %a /scratch; touch /ro/x || echo refused',
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^tmpfs \/scratch tmpfs rw,nosuid,nodev,noexec,[^\n]*size=1024k,mode=1770/m);
    expect(r.stdout).toMatch(/^tmpfs \/ro tmpfs ro,/m);
    expect(r.stdout).toContain('1770\n');
    expect(r.stdout).toContain('refused');
  });

  it('anonymous volumes: -v /path makes one; volume prune takes unused anonymous ones, -a the named too', async () => {
    const c = name('anon');
    await ok('create', '--name', c, '--network', 'none', '-v', '/cache', 'busybox', 'true');
    const d = (await rpc.call('containers.inspect', { id: c })) as ContainerDetailT;
    const anon = d.config!.mounts.find((m) => m.type === 'volume')!;
    expect(anon.source).toMatch(/^[0-9a-f]{64}$/);
    const named = name('keepme');
    await ok('volume', 'create', named);
    // In use: not in the plan.
    expect(await ok('volume', 'prune', '-f')).not.toContain(anon.source);
    await ok('rm', c);
    const out = await ok('volume', 'prune', '-f');
    expect(out).toContain(`Deleted Volumes:\n${anon.source}\n`);
    expect(out).not.toContain(named);
    expect(await lsNames()).toContain(named);
    expect(await lsNames()).not.toContain(anon.source);
    const all = await ok('volume', 'prune', '-a', '-f');
    expect(all).toContain(named);
    expect(await lsNames()).not.toContain(named);
  });
});
