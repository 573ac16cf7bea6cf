/**
 * Pods for real, as root: a private helper on its own bridge, pods and
 * members made through the CLI, and every claim checked on the kernel's side:
 * namespace inodes from /proc/PID/ns, the pod's cgroup parent and its limit
 * files, the holder process, /run/netns, the published port answered from
 * the host.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContainerDetailT } from '../../../preload/schemas/containers';
import type { PodDetailT } from '../../../preload/schemas/pods';
import type { RpcClient } from '../../helper/client/rpc-client';
import {
  berthCli,
  berthOk,
  cgroupDirsOf,
  isLive,
  netnsEntries,
  nsInode,
  openContainerSuite,
  randomTag,
  testBridge,
  waitUntil,
  type ContainerSuite,
} from '../../testing/container-helper';
import { BUSYBOX_BIN } from '../../testing/busybox-image';
import { netnsName } from '../network/sandbox';

const isRoot = process.getuid?.() === 0;

function httpGet(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: '/', timeout: 5000 }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve(body));
      })
      .on('error', reject)
      .on('timeout', function (this: http.ClientRequest) {
        this.destroy(new Error('timeout'));
      });
  });
}

/** The pod group's directory in the memory hierarchy (v1 or unified), and the file its hard limit is in. */
function memoryLimitFile(group: string): string {
  const v1 = path.join('/sys/fs/cgroup/memory', group, 'memory.limit_in_bytes');
  if (fs.existsSync(v1)) return v1;
  return path.join('/sys/fs/cgroup', group, 'memory.max');
}

describe.runIf(isRoot && BUSYBOX_BIN !== undefined)(
  'pods through the helper and the CLI (root)',
  { timeout: 180_000 },
  () => {
    const tag = randomTag();
    const bridge = testBridge('bp', 235);
    let suite: ContainerSuite;
    let rpc: RpcClient;
    const sock = (): string => suite.helper.socketPath;
    const inspect = async (id: string): Promise<ContainerDetailT> =>
      (await rpc.call('containers.inspect', { id })) as ContainerDetailT;
    const inspectPod = async (id: string): Promise<PodDetailT> =>
      (await rpc.call('pods.inspect', { id })) as PodDetailT;

    beforeAll(async () => {
      suite = await openContainerSuite({ bridge, workPrefix: 'berth-pod-it-' });
      rpc = suite.rpc;
    });

    afterAll(async () => {
      if (suite) {
        const ids = (await berthCli(sock(), ['pod', 'ls', '-q'])).stdout.split('\n').filter(Boolean);
        for (const id of ids) await berthCli(sock(), ['pod', 'rm', '-f', id]);
        await suite.close();
      }
    });

    it('members share net, ipc, uts and pid by inode, not mnt; reach each other on localhost; the pod publishes ports', async () => {
      const name = `web-${tag}`;
      const hostPort = 20000 + Math.floor(Math.random() * 20000);
      const podId = (
        await berthOk(sock(), ['pod', 'create', '--name', name, '--share', 'net,ipc,uts,pid', '-p', `${hostPort}:8080`])
      ).trim();
      expect(podId).toMatch(/^[0-9a-f]{64}$/);
      expect((await inspectPod(name)).state).toBe('created');

      const web = (
        await berthOk(sock(), [
          'run',
          '-d',
          '--pod',
          name,
          '--name',
          `httpd-${tag}`,
          'busybox',
          'sh',
          '-c',
          'mkdir -p /w && echo pod-hello > /w/index.html && exec httpd -f -p 8080 -h /w',
        ])
      ).trim();
      const client = (
        await berthOk(sock(), ['run', '-d', '--pod', name, '--name', `client-${tag}`, 'busybox', 'sleep', '600'])
      ).trim();
      const a = await inspect(web);
      const b = await inspect(client);
      expect(a.pod).toBe(podId);
      const pod = await inspectPod(name);
      expect(pod.state).toBe('running');
      expect(pod.members.map((m) => m.id).sort()).toEqual([web, client].sort());
      const holder = pod.holderPid!;
      expect(isLive(holder)).toBe(true);

      for (const ns of ['net', 'ipc', 'uts', 'pid']) {
        expect(nsInode(a.pid!, ns), ns).toBe(nsInode(b.pid!, ns));
        expect(nsInode(a.pid!, ns), `${ns} is the holder's`).toBe(nsInode(holder, ns));
        expect(nsInode(a.pid!, ns), `${ns} is not the host's`).not.toBe(nsInode('self', ns));
        expect(pod.namespaces[ns]!.inode).toBe(nsInode(holder, ns));
      }
      expect(nsInode(a.pid!, 'mnt')).not.toBe(nsInode(b.pid!, 'mnt'));
      // One pid namespace: the holder is its init, and each member sees the other's processes.
      expect(a.nsPids).toHaveLength(2);
      const ps = await berthOk(sock(), ['exec', client, 'ps']);
      expect(ps).toMatch(/httpd -f -p 8080/);
      // The pod's hostname (its name) is every member's.
      expect((await berthOk(sock(), ['exec', client, 'hostname'])).trim()).toBe(name);

      // localhost between members, and the pod's published port from the host.
      const body = await waitUntil(
        'httpd answers on the pod localhost',
        async () => {
          const r = await berthCli(sock(), ['exec', client, 'wget', '-qO-', 'http://127.0.0.1:8080/']);
          return r.code === 0 ? r.stdout : null;
        },
        20_000,
        100,
      );
      expect(body).toBe('pod-hello\n');
      expect(await httpGet(hostPort)).toBe('pod-hello\n');

      // The namespace graph names the pod on its shared namespaces (one group), not on the members' own.
      const graph = (await rpc.call('namespaces.graph', {})) as {
        namespaces: Array<{ id: string; pod?: string | null }>;
      };
      const podOf = (id: string): string | null | undefined => graph.namespaces.find((n) => n.id === id)?.pod;
      for (const ns of ['net', 'ipc', 'uts', 'pid']) expect(podOf(`${ns}:${nsInode(holder, ns)}`), ns).toBe(name);
      expect(podOf(`mnt:${nsInode(a.pid!, 'mnt')}`)).toBeNull();

      // rm -f: members, holder, netns and the cgroup parent are gone.
      await berthOk(sock(), ['pod', 'rm', '-f', name]);
      expect(isLive(holder)).toBe(false);
      expect(netnsEntries()).not.toContain(netnsName(podId));
      expect(cgroupDirsOf(`pod-${podId.slice(0, 12)}`)).toEqual([]);
      expect((await berthCli(sock(), ['inspect', web])).code).not.toBe(0);
      expect((await berthCli(sock(), ['pod', 'inspect', name])).stderr).toMatch(/no such pod/);
    });

    it('the pod cgroup parent carries its limits and the members nest under it; pid is private unless shared', async () => {
      const name = `lim-${tag}`;
      const podId = (
        await berthOk(sock(), ['pod', 'create', '--name', name, '-m', '96m', '--cpus', '0.5', '--network', 'none'])
      ).trim();
      const m1 = (await berthOk(sock(), ['run', '-d', '--pod', name, 'busybox', 'sleep', '600'])).trim();
      const m2 = (await berthOk(sock(), ['run', '-d', '--pod', name, 'busybox', 'sleep', '600'])).trim();
      const pod = await inspectPod(name);
      const group = `berth/pod-${podId.slice(0, 12)}`;
      expect(pod.cgroupParent).toBe(group);
      expect(Number(fs.readFileSync(memoryLimitFile(group), 'utf8').trim())).toBe(96 * 1024 * 1024);
      const cpuV1 = path.join('/sys/fs/cgroup/cpu', group, 'cpu.cfs_quota_us');
      if (fs.existsSync(cpuV1)) expect(fs.readFileSync(cpuV1, 'utf8').trim()).toBe('50000');
      else expect(fs.readFileSync(path.join('/sys/fs/cgroup', group, 'cpu.max'), 'utf8').trim()).toBe('50000 100000');
      for (const m of [m1, m2]) {
        expect(cgroupDirsOf(m, group).length).toBeGreaterThan(0);
        expect(fs.readFileSync(`/proc/${(await inspect(m)).pid}/cgroup`, 'utf8')).toContain(`${group}/${m}`);
      }
      const [a, b] = [await inspect(m1), await inspect(m2)];
      for (const ns of ['net', 'ipc', 'uts']) expect(nsInode(a.pid!, ns)).toBe(nsInode(b.pid!, ns));
      expect(nsInode(a.pid!, 'pid')).not.toBe(nsInode(b.pid!, 'pid'));
      expect(pod.namespaces.pid).toBeUndefined();

      // rm without force while running: refused with its code; stop, then rm, leaves nothing.
      const refused = await berthCli(sock(), ['pod', 'rm', name]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/is running/);
      await berthOk(sock(), ['pod', 'stop', '-t', '1', name]);
      const stopped = await inspectPod(name);
      expect(stopped.state).toBe('stopped');
      expect(stopped.members.every((m) => m.state === 'exited')).toBe(true);
      expect(cgroupDirsOf(`pod-${podId.slice(0, 12)}`)).toEqual([]);
      // start brings the holder and every member back.
      await berthOk(sock(), ['pod', 'start', name]);
      const again = await inspectPod(name);
      expect(again.state).toBe('running');
      expect(again.holderPid).not.toBe(pod.holderPid);
      await berthOk(sock(), ['pod', 'rm', '-f', name]);
      expect(isLive(again.holderPid!)).toBe(false);
      expect(cgroupDirsOf(`pod-${podId.slice(0, 12)}`)).toEqual([]);
      expect(netnsEntries()).not.toContain(netnsName(podId));
    });

    it('bad input gets stable codes and stores nothing', async () => {
      const code = async (method: string, params: unknown): Promise<string> => {
        try {
          await rpc.call(method as never, params as never);
          return 'none';
        } catch (err) {
          return (err as { code: string }).code;
        }
      };
      expect(await code('pods.create', { share: ['ipc', 'uts'] })).toBe('BAD_PARAMS');
      expect(await code('pods.create', { share: ['net', 'ipc', 'uts', 'user'] })).toBe('BAD_PARAMS');
      expect(await code('pods.inspect', { id: `nope-${tag}` })).toBe('POD_NOT_FOUND');
      expect(await code('containers.create', { image: 'busybox', pod: `nope-${tag}` })).toBe('POD_NOT_FOUND');
      const name = `bad-${tag}`;
      await berthOk(sock(), ['pod', 'create', '--name', name, '--network', 'none']);
      expect(await code('pods.create', { name })).toBe('POD_NAME_IN_USE');
      expect(
        await code('containers.create', {
          image: 'busybox',
          pod: name,
          ports: [{ hostPort: 1234, containerPort: 80 }],
        }),
      ).toBe('POD_MEMBER_CONFLICT');
      expect(await code('containers.create', { image: 'busybox', pod: name, network: 'host' })).toBe(
        'POD_MEMBER_CONFLICT',
      );
      expect(((await rpc.call('pods.inspect', { id: name })) as PodDetailT).members).toEqual([]);
      await berthOk(sock(), ['pod', 'rm', name]);
    });
  },
);
