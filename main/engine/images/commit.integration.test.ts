/**
 * `berth commit` for real, as root: a busybox container's changes (added,
 * changed and deleted files, a replaced directory) committed while running
 * and while stopped; the image runs in Berth with the changes and the config,
 * its layer carries OCI whiteouts, and podman loads and runs it from `berth save`.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUSYBOX_BIN } from '../../testing/busybox-image';
import {
  berthCli,
  berthOk,
  openContainerSuite,
  randomTag,
  testBridge,
  type ContainerSuite,
} from '../../testing/container-helper';
import { readTar } from '../oci/tar/reader';

const isRoot = process.getuid?.() === 0;
const hasPodman = spawnSync('podman', ['--version']).status === 0;

describe.runIf(isRoot && BUSYBOX_BIN !== undefined)('berth commit (root)', { timeout: 240_000 }, () => {
  const tag = randomTag();
  let suite: ContainerSuite;
  const sock = (): string => suite.helper.socketPath;
  const ok = (...args: string[]) => berthOk(sock(), args);

  beforeAll(async () => {
    suite = await openContainerSuite({ bridge: testBridge('bcm', 232), workPrefix: 'berth-commit-it-' });
  });
  afterAll(async () => {
    await suite?.close();
  });

  async function changed(n: string): Promise<void> {
    await ok('run', '-d', '--network', 'none', '--name', n, '-e', 'FROM_RUN=1', 'busybox', 'sleep', '600');
    await ok(
      'exec',
      n,
      'sh',
      '-c',
      [
        'mkdir -p /added/dir && echo new > /added/dir/f && chmod 0600 /added/dir/f && chown 42:43 /added/dir/f',
        'echo changed >> /etc/hostname.bak; echo edited > /etc/motd',
        'rm /bin/vi', // a whiteout
        'rm -rf /home && mkdir /home && echo only > /home/only', // an opaque dir
      ].join(' && '),
    );
  }

  it.each([true, false])(
    'commits a container (running=%s) into an image that runs with its changes',
    async (running) => {
      const n = `c-${tag}-${running}`;
      await changed(n);
      if (!running) await ok('stop', '-t', '1', n);
      const repo = `committed-${tag}-${running}:v1`;
      const id = (
        await ok(
          'commit',
          '-m',
          'my change',
          '-a',
          'Ada <ada@example.org>',
          '-c',
          'ENV A=b',
          '-c',
          'CMD ["cat", "/home/only"]',
          '-c',
          'LABEL k=v',
          n,
          repo,
        )
      ).trim();
      expect(id).toMatch(/^sha256:[0-9a-f]{64}$/);
      if (running)
        expect((await suite.rpc.call('containers.inspect', { id: n })) as { state: string }).toMatchObject({
          state: 'running',
        });

      const insp = (await suite.rpc.call('images.inspect', { ref: repo })) as {
        config: { config?: Record<string, unknown>; author?: string; rootfs: { diff_ids: string[] } };
        history: Array<{ comment?: string; author?: string }>;
      };
      const cfg = insp.config.config ?? {};
      expect(cfg.Cmd).toEqual(['cat', '/home/only']);
      expect(cfg.Env).toEqual(expect.arrayContaining(['A=b', 'FROM_RUN=1']));
      expect(cfg.Labels).toEqual({ k: 'v' });
      expect(insp.config.author).toBe('Ada <ada@example.org>');
      expect(insp.history.at(-1)).toMatchObject({ comment: 'my change', author: 'Ada <ada@example.org>' });

      // It runs, with the changes.
      const r = await berthCli(sock(), ['run', '--rm', '--network', 'none', repo]);
      expect(r).toMatchObject({ code: 0, stdout: 'only\n' });
      const check = await berthCli(sock(), [
        'run',
        '--rm',
        '--network',
        'none',
        repo,
        'sh',
        '-c',
        'cat /added/dir/f /etc/motd; stat -c "%a %u %g" /added/dir/f; test -e /bin/vi || echo vi-gone; ls /home; echo "$A"',
      ]);
      expect(check).toMatchObject({ code: 0, stdout: 'new\nedited\n600 42 43\nvi-gone\nonly\nb\n' });

      // The layer holds OCI whiteouts, not overlay ones.
      const saved = path.join(suite.work, `saved-${running}.tar`);
      await ok('save', '-o', saved, repo);
      const manifest = JSON.parse(
        await (async () => {
          for await (const e of readTar(fs.createReadStream(saved))) {
            if (e.path === 'manifest.json') {
              const parts: Buffer[] = [];
              for await (const c of e.body()) parts.push(c);
              return Buffer.concat(parts).toString();
            }
          }
          return '[]';
        })(),
      ) as Array<{ Layers: string[] }>;
      const top = manifest[0]!.Layers.at(-1)!;
      const names: string[] = [];
      for await (const e of readTar(fs.createReadStream(saved))) {
        if (e.path !== top) continue;
        for await (const le of readTar(e.body())) names.push(le.path);
      }
      expect(names).toEqual(expect.arrayContaining(['bin/.wh.vi', 'home/.wh..wh..opq', 'home/only', 'added/dir/f']));

      if (hasPodman && running) {
        // Short: podman refuses a --runroot over 50 bytes, and the suite's work dir sits in the run's temp dir.
        const root = path.join(suite.work, 'p');
        const pod = (...args: string[]) =>
          spawnSync(
            'podman',
            [
              '--runtime',
              'runc',
              '--root',
              path.join(root, 'root'),
              '--runroot',
              path.join(root, 'runroot'),
              '--storage-driver',
              'vfs',
              '--events-backend',
              'file',
              '--cgroup-manager',
              'cgroupfs',
              ...args,
            ],
            { encoding: 'utf8', env: { ...process.env, XDG_CONFIG_HOME: path.join(root, 'config') } },
          );
        const load = pod('load', '-i', saved);
        expect(load.status, load.stderr).toBe(0);
        const run = pod(
          'run',
          '--rm',
          '--network',
          'none',
          '--ulimit',
          'nofile=1024:1024',
          '--ulimit',
          'nproc=1024:1024',
          `localhost/${repo}`,
        );
        const runFq =
          run.status === 0
            ? run
            : pod(
                'run',
                '--rm',
                '--network',
                'none',
                '--ulimit',
                'nofile=1024:1024',
                '--ulimit',
                'nproc=1024:1024',
                `docker.io/library/${repo}`,
              );
        expect(runFq.status, runFq.stderr).toBe(0);
        expect(runFq.stdout).toBe('only\n');
      }
      await ok('rm', '-f', n);
    },
  );

  it('bad input gets stable codes', async () => {
    const n = `bad-${tag}`;
    await ok('run', '-d', '--network', 'none', '--name', n, 'busybox', 'sleep', '600');
    const cases: Array<[string[], string]> = [
      [['commit', `nosuch-${tag}`], 'CONTAINER_NOT_FOUND'],
      [['commit', '-c', 'RUN rm -rf /', n], 'COMMIT_CHANGE_INVALID'],
      [['commit', n, 'Bad Name!'], ''],
    ];
    for (const [args, code] of cases) {
      const r = await berthCli(sock(), args);
      expect(r.code, args.join(' ')).not.toBe(0);
      if (code) expect(r.stderr).toContain(code);
    }
    await ok('rm', '-f', n);
  });
});
