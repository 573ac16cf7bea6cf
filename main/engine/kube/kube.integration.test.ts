/**
 * Kubernetes YAML round trips with a real peer, as root: Berth's generated
 * YAML validates against the Kubernetes schema and runs under `podman kube
 * play`, and Berth plays what `podman kube generate` writes. Podman runs on a
 * private --root/--runroot with runc, cgroupfs and file events; `kube play`
 * takes no --ulimit, so the ulimits (this sandbox's root cannot raise
 * RLIMIT_NOFILE to podman's default) come from a containers.conf given by
 * CONTAINERS_CONF, as does the infra image (catatonit, podman's pause, is not
 * installed: the test's busybox with a sleeping CMD stands in).
 */
import { execFile, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Pod } from 'kubernetes-models/v1/Pod';
import { parse } from 'yaml';
import type { ContainerDetailT } from '../../../preload/schemas/containers';
import type { PodDetailT } from '../../../preload/schemas/pods';
import {
  berthCli,
  berthOk,
  openContainerSuite,
  randomTag,
  testBridge,
  waitUntil,
  type ContainerSuite,
} from '../../testing/container-helper';
import { BUSYBOX_BIN } from '../../testing/busybox-image';

const isRoot = process.getuid?.() === 0;
const hasPodman = spawnSync('podman', ['--version']).status === 0;
const hasRunc = spawnSync('runc', ['--version']).status === 0;

describe.runIf(isRoot && BUSYBOX_BIN !== undefined && hasPodman && hasRunc)(
  'kube YAML round trips with podman (root)',
  { timeout: 300_000 },
  () => {
    const tag = randomTag();
    let suite: ContainerSuite;
    let dir = '';
    let base: string[] = [];
    let env: NodeJS.ProcessEnv = {};
    const sock = (): string => suite.helper.socketPath;

    const podman = (args: string[], timeoutMs = 120_000): Promise<{ code: number; stdout: string; stderr: string }> =>
      new Promise((resolve) => {
        execFile('podman', [...base, ...args], { env, timeout: timeoutMs }, (err, stdout, stderr) =>
          resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
        );
      });
    const podmanOk = async (args: string[]): Promise<string> => {
      const r = await podman(args);
      if (r.code !== 0) throw new Error(`podman ${args.join(' ')}: ${r.code}\n${r.stdout}\n${r.stderr}`);
      return r.stdout;
    };

    beforeAll(async () => {
      suite = await openContainerSuite({ bridge: testBridge('bk', 234), workPrefix: 'berth-kube-it-' });
      // Short: podman refuses a --runroot over 50 bytes, and the suite's work dir sits in the run's temp dir.
      dir = path.join(suite.work, 'p');
      fs.mkdirSync(dir);
      base = [
        '--root',
        path.join(dir, 'root'),
        '--runroot',
        path.join(dir, 'runroot'),
        '--tmpdir',
        path.join(dir, 'tmp'),
        '--storage-driver',
        'vfs',
      ];
      const conf = path.join(dir, 'containers.conf');
      fs.writeFileSync(
        conf,
        [
          '[containers]',
          'default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]',
          '[engine]',
          'runtime = "runc"',
          'cgroup_manager = "cgroupfs"',
          'events_logger = "file"',
          `infra_image = "localhost/berth-pause-${tag}:latest"`,
          '',
        ].join('\n'),
      );
      env = { ...process.env, CONTAINERS_CONF: conf };
      await podmanOk(['load', '-i', path.join(suite.work, 'busybox.tar')]);
      const id = (await podmanOk(['images', '-q'])).trim().split('\n')[0]!;
      await podmanOk(['tag', id, 'docker.io/library/busybox:latest']);
      await podmanOk(['create', '--name', `pausesrc-${tag}`, id]);
      await podmanOk([
        'commit',
        '-q',
        '--change',
        'CMD ["/bin/sleep","2147483647"]',
        `pausesrc-${tag}`,
        `localhost/berth-pause-${tag}:latest`,
      ]);
      await podmanOk(['rm', `pausesrc-${tag}`]);
    });

    afterAll(async () => {
      if (base.length) await podman(['system', 'reset', '--force']);
      // Whatever podman left mounted under its private root.
      const mounts = fs
        .readFileSync('/proc/mounts', 'utf8')
        .split('\n')
        .map((l) => l.split(' ')[1] ?? '')
        .filter((m) => dir && m.startsWith(dir))
        .sort()
        .reverse();
      for (const m of mounts) spawnSync('umount', ['-l', m]);
      if (suite) {
        const ids = (await berthCli(sock(), ['pod', 'ls', '-q'])).stdout.split('\n').filter(Boolean);
        for (const id of ids) await berthCli(sock(), ['pod', 'rm', '-f', id]);
        await suite.close();
      }
    });

    it("podman kube play runs Berth's YAML: the pod's containers, env, command, limits and capabilities", async () => {
      const pod = `bk-${tag}`;
      await berthOk(sock(), ['pod', 'create', '--name', pod]);
      await berthOk(sock(), [
        'create',
        '--pod',
        pod,
        '--name',
        'web',
        '-e',
        'GREETING=hello-from-berth',
        '-m',
        '64m',
        '--cpus',
        '0.5',
        '--cap-drop',
        'NET_RAW',
        'busybox',
        'sh',
        '-c',
        'mkdir -p /w && echo $GREETING > /w/index.html && exec httpd -f -p 8080 -h /w',
      ]);
      await berthOk(sock(), ['create', '--pod', pod, '--name', 'client', 'busybox', 'sleep', '600']);
      const gen = await berthCli(sock(), ['kube', 'generate', pod]);
      expect(gen.code).toBe(0);
      const obj = parse(gen.stdout) as Record<string, unknown>;
      new Pod(obj as never).validate();
      const file = path.join(suite.work, 'berth-pod.yaml');
      fs.writeFileSync(file, gen.stdout);
      await berthOk(sock(), ['pod', 'rm', '-f', pod]);

      const play = await podman(['kube', 'play', file]);
      expect(play.code, play.stderr).toBe(0);
      const web = `${pod}-web`;
      const info = JSON.parse(await podmanOk(['inspect', web])) as Array<{
        State: { Status: string };
        Config: { Env: string[] };
        HostConfig: { Memory: number; CpuQuota: number; CpuPeriod: number; CapDrop: string[] | null };
      }>;
      expect(info[0]!.State.Status).toBe('running');
      expect(info[0]!.Config.Env).toContain('GREETING=hello-from-berth');
      expect(info[0]!.HostConfig.Memory).toBe(64 * 1024 * 1024);
      expect(info[0]!.HostConfig.CpuQuota / info[0]!.HostConfig.CpuPeriod).toBe(0.5);
      expect(info[0]!.HostConfig.CapDrop ?? []).toContain('CAP_NET_RAW');
      // The two containers share the pod's network: the client reaches httpd on localhost.
      const body = await waitUntil(
        'httpd answers in the podman pod',
        async () => {
          const r = await podman(['exec', `${pod}-client`, 'wget', '-qO-', 'http://127.0.0.1:8080/']);
          return r.code === 0 ? r.stdout : null;
        },
        30_000,
        200,
      );
      expect(body).toBe('hello-from-berth\n');
      expect((await podman(['kube', 'down', file])).code).toBe(0);
    });

    it('Berth plays what podman kube generate writes, and kube down removes it', async () => {
      const name = `gen-${tag}`;
      await podmanOk([
        'create',
        '--name',
        name,
        '-e',
        'FOO=bar',
        '-m',
        '96m',
        '--cpus',
        '0.25',
        '--cap-drop',
        'CHOWN',
        'docker.io/library/busybox:latest',
        'sleep',
        '600',
      ]);
      const yaml = await podmanOk(['kube', 'generate', name]);
      const file = path.join(suite.work, 'podman-pod.yaml');
      fs.writeFileSync(file, yaml);
      await podmanOk(['rm', '-f', name]);

      const play = await berthCli(sock(), ['kube', 'play', file]);
      expect(play.code, play.stderr).toBe(0);
      const podName = `${name}-pod`;
      const pod = JSON.parse(await berthOk(sock(), ['pod', 'inspect', podName])) as PodDetailT[];
      expect(pod[0]!.state).toBe('running');
      expect(pod[0]!.members.map((m) => m.name)).toEqual([`${podName}-${name}`]);
      const c = JSON.parse(await berthOk(sock(), ['inspect', `${podName}-${name}`])) as ContainerDetailT[];
      expect(c[0]!.state).toBe('running');
      expect(c[0]!.config!.resources).toMatchObject({ memory: { max: 96 * 1024 * 1024 }, cpu: { cpus: 0.25 } });
      expect(c[0]!.capabilities).not.toContain('CAP_CHOWN');
      expect((await berthOk(sock(), ['exec', `${podName}-${name}`, 'sh', '-c', 'echo $FOO'])).trim()).toBe('bar');
      // What podman's YAML asks for that Berth cannot do is said, not dropped.
      expect(play.stderr).not.toMatch(/automountServiceAccountToken|enableServiceLinks/);

      const down = await berthCli(sock(), ['kube', 'down', file]);
      expect(down.code, down.stderr).toBe(0);
      expect(down.stdout).toContain(podName);
      expect((await berthCli(sock(), ['pod', 'inspect', podName])).code).not.toBe(0);
      expect((await berthCli(sock(), ['inspect', `${podName}-${name}`])).code).not.toBe(0);
    });

    it('a PersistentVolumeClaim is a named volume: made at play, kept by down, seen by the next play; generate writes it back', async () => {
      const claim = `kd-${tag}`;
      const podName = `pvc-${tag}`;
      const app = `${podName}-app`;
      const file = path.join(suite.work, 'pvc.yaml');
      fs.writeFileSync(
        file,
        `apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: ${claim}}
spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
---
apiVersion: v1
kind: Pod
metadata: {name: ${podName}}
spec:
  containers:
  - name: app
    image: busybox
    command: [sh, -c, "if test -f /data/seen; then echo again >> /data/seen; else echo first > /data/seen; fi; sleep 600"]
    volumeMounts: [{name: data, mountPath: /data}]
  volumes:
  - {name: data, persistentVolumeClaim: {claimName: ${claim}}}
`,
      );
      const seen = (): Promise<string> =>
        berthCli(sock(), ['exec', app, 'cat', '/data/seen']).then((r) => (r.code === 0 ? r.stdout.trim() : ''));
      try {
        const play = await berthCli(sock(), ['kube', 'play', file]);
        expect(play.code, play.stderr).toBe(0);
        expect((await berthOk(sock(), ['volume', 'ls', '-q'])).split('\n')).toContain(claim);
        await waitUntil('the first write', async () => (await seen()) === 'first');
        const gen = parse((await berthOk(sock(), ['kube', 'generate', podName])) as string) as {
          spec: { volumes: unknown[] };
        };
        expect(gen.spec.volumes).toContainEqual({ name: claim, persistentVolumeClaim: { claimName: claim } });
        new Pod(gen as never).validate();
        const down = await berthCli(sock(), ['kube', 'down', file]);
        expect(down.code, down.stderr).toBe(0);
        expect((await berthOk(sock(), ['volume', 'ls', '-q'])).split('\n')).toContain(claim);
        expect((await berthCli(sock(), ['kube', 'play', file])).code).toBe(0);
        await waitUntil('the second write, after the first', async () => (await seen()) === 'first\nagain');
      } finally {
        await berthCli(sock(), ['kube', 'down', file]);
        await berthCli(sock(), ['volume', 'rm', claim]);
      }
    });
  },
);
