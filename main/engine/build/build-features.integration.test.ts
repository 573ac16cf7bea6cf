/**
 * The build features past the basic instruction set, for real, as root: FROM
 * pulling from a real registry on loopback (Debian's docker-registry), ADD of
 * http URLs from a server run here (mtime, mode, --checksum), heredocs, RUN
 * --mount (cache kept across builds and counted in system df, binds from the
 * context and a stage, tmpfs; nothing under a mount in the layer), and
 * `rm -v` / `--rm` removing anonymous volumes only. buildah bud on the same
 * heredoc + mount Containerfile as a peer where it is installed.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { berthCli, berthOk, loadBusybox, startContainerHelper, type HelperOn } from '../../testing/container-helper';
import { isRoot, tempDir } from '../../testing/helper-process';
import { BUSYBOX_BIN } from '../../testing/busybox-image';
import { PeerStorage, which } from '../../testing/build-fixtures';
import { registryToolsMissing, skopeoPushArchive, startTestRegistry, type TestRegistry } from '../../testing/registry';
import { MergedView } from './merged-view';

const BUILD_MS = 240_000;

interface Inspect {
  id: string;
  lowerDirs: string[];
  config: { config?: Record<string, unknown>; history?: Array<{ created_by?: string }> };
}

describe.runIf(isRoot && BUSYBOX_BIN !== undefined)('berth build: pull, ADD URL, heredocs, RUN --mount; rm -v', () => {
  let h: HelperOn & { dispose(): Promise<void> };
  let work = '';
  let busyboxTar = '';
  let server: http.Server;
  let base = '';
  let requests = 0;
  const served = Buffer.from('downloaded bytes\n');
  const lastModified = new Date('2021-03-04T05:06:07Z');
  const berth = (...args: string[]) => berthCli(h.socketPath, args, { timeoutMs: BUILD_MS });
  const inspect = async (ref: string): Promise<Inspect> =>
    JSON.parse(await berthOk(h.socketPath, ['call', 'images.inspect', JSON.stringify({ ref })])) as Inspect;
  const view = async (ref: string): Promise<MergedView> => new MergedView((await inspect(ref)).lowerDirs);
  const context = (name: string, containerfile: string, files: Record<string, string> = {}): string => {
    const dir = path.join(work, name);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'Containerfile'), containerfile);
    for (const [f, body] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
      fs.writeFileSync(path.join(dir, f), body);
    }
    return dir;
  };
  const read = (v: MergedView, p: string): string | null => {
    const f = v.lookup(v.resolve(p));
    return f ? fs.readFileSync(f.abs, 'utf8') : null;
  };

  beforeAll(async () => {
    h = await startContainerHelper();
    work = tempDir('berth-buildx-');
    busyboxTar = await loadBusybox(h.socketPath, work);
    server = http.createServer((req, res) => {
      requests++;
      if (req.url === '/files/data.txt') {
        res.writeHead(200, { 'last-modified': lastModified.toUTCString(), 'content-length': served.length });
        res.end(served);
      } else if (req.url === '/moved') {
        res.writeHead(302, { location: '/files/data.txt' });
        res.end();
      } else {
        res.writeHead(404);
        res.end();
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }, 60_000);
  afterAll(async () => {
    server?.close();
    await h?.dispose();
    fs.rmSync(work, { recursive: true, force: true });
  });

  it.runIf(registryToolsMissing() === undefined)(
    'FROM pulls a base the store lacks from its registry; --pull=never refuses; --pull=always fetches again',
    async () => {
      let reg: TestRegistry | undefined;
      try {
        reg = await startTestRegistry();
        const ref = `${reg.host}/lib/busybox:1`;
        await skopeoPushArchive(busyboxTar, ref);
        const ctx = context('pull', `FROM ${ref}\nRUN echo pulled > /pulled\n`);
        const never = await berth('build', '--network', 'none', '--pull=never', '-t', 'pulled:1', ctx);
        expect(never.code).toBe(1);
        expect(never.stderr).toMatch(
          new RegExp(
            `Error BUILD_STAGE_NOT_FOUND: line 1: FROM ${ref}: no such stage or image in the store \\(--pull=never\\)`,
          ),
        );
        const r = await berth('build', '--network', 'none', '-t', 'pulled:1', ctx);
        expect(r.code, r.stdout + r.stderr).toBe(0);
        expect(r.stdout).toContain(`Pulling ${ref}`);
        const images = await berthOk(h.socketPath, ['images']);
        expect(images).toContain(`${reg.host}/lib/busybox`);
        expect(read(await view('pulled:1'), 'pulled')).toBe('pulled\n');
        // Now stored: the default does not pull again; --pull (always) does, and the result is the same image.
        const again = await berth('build', '--network', 'none', '-t', 'pulled:1', ctx);
        expect(again.stdout).not.toContain('Pulling');
        const always = await berth('build', '--network', 'none', '--pull', '-t', 'pulled:1', ctx);
        expect(always.code, always.stderr).toBe(0);
        expect(always.stdout).toContain(`Pulling ${ref}`);
        expect(always.stdout.trim().split('\n').at(-1)).toBe(r.stdout.trim().split('\n').at(-1));
        // A registry that does not have it: the registry's code, naming the line.
        const missing = context('pull-missing', `FROM busybox\n\nFROM ${reg.host}/lib/nothing:1\n`);
        const m = await berth('build', '--network', 'none', missing);
        expect(m.code).toBe(1);
        expect(m.stderr).toMatch(new RegExp(`^Error [A-Z_]+: line 3: FROM ${reg.host}/lib/nothing:1: `, 'm'));
      } finally {
        await reg?.stop();
      }
    },
    BUILD_MS,
  );

  it(
    'ADD <url>: named from the URL, mode 600, mtime from Last-Modified; --checksum checked; git refused; --network none refuses',
    async () => {
      const sum = `sha256:${crypto.createHash('sha256').update(served).digest('hex')}`;
      const ctx = context(
        'add-url',
        `FROM busybox\nADD ${base}/files/data.txt /dl/\nADD --checksum=${sum} ${base}/moved /dl/renamed.txt\nADD --chmod=644 ${base}/files/data.txt /dl/chmod.txt\n`,
      );
      // bridge (the default) and host download from the host: no RUN here, so no network is set up.
      const r = await berth('build', '--network', 'bridge', '-t', 'addurl:1', ctx);
      expect(r.code, r.stdout + r.stderr).toBe(0);
      const v = await view('addurl:1');
      for (const p of ['dl/data.txt', 'dl/renamed.txt', 'dl/chmod.txt']) expect(read(v, p)).toBe(served.toString());
      const st = v.lookup('dl/data.txt')?.st as fs.Stats;
      expect(st.mode & 0o7777).toBe(0o600);
      expect(Math.floor(st.mtimeMs / 1000)).toBe(lastModified.getTime() / 1000);
      expect((v.lookup('dl/chmod.txt')?.st as fs.Stats).mode & 0o7777).toBe(0o644);

      const bad = `sha256:${'0'.repeat(64)}`;
      const spare = http.createServer();
      await new Promise<void>((r) => spare.listen(0, '127.0.0.1', r));
      const closed = `http://127.0.0.1:${(spare.address() as AddressInfo).port}`;
      await new Promise((r) => spare.close(r));
      // [Containerfile, what stderr says, the build's --network]
      const cases: Array<[string, RegExp, 'none' | 'bridge' | 'host']> = [
        [
          `FROM busybox\nADD --checksum=${bad} ${base}/files/data.txt /x\n`,
          new RegExp(
            `^Error BUILD_CHECKSUM_MISMATCH: line 2: ADD ${base}/files/data.txt: --checksum=${bad} expected, the download is ${sum}$`,
            'm',
          ),
          'host',
        ],
        [
          `FROM busybox\nADD --checksum=md5:abc ${base}/files/data.txt /x\n`,
          /^Error BUILD_SYNTAX: line 2: --checksum=md5:abc/m,
          'none',
        ],
        [
          `FROM busybox\nADD --checksum=${sum} a.txt /x\n`,
          /^Error BUILD_SYNTAX: line 2: --checksum takes one ADD source/m,
          'none',
        ],
        [
          `FROM busybox\n\nADD ${base}/nope /x\n`,
          /^Error BUILD_FETCH_FAILED: line 3: ADD http:.*\/nope: HTTP 404/m,
          'bridge',
        ],
        [
          `FROM busybox\nADD ${closed}/x /x\n`,
          /^Error BUILD_FETCH_FAILED: line 2: ADD http:.*\/x: ECONNREFUSED/m,
          'bridge',
        ],
        // Offline: refused before any request, naming the line (the server is up; the bridge build above got the file).
        [
          `FROM busybox\nCOPY a.txt /a\nADD ${base}/files/data.txt /x\n`,
          new RegExp(
            `^Error BUILD_NETWORK_DISABLED: line 3: ADD ${base}/files/data.txt: the build's network is none`,
            'm',
          ),
          'none',
        ],
        [
          `FROM busybox\nADD https://example.invalid/repo.git /src\n`,
          /^Error BUILD_UNSUPPORTED: line 2: ADD https:\/\/example\.invalid\/repo\.git: git sources/m,
          'none',
        ],
        [
          `FROM busybox\nCOPY ${base}/files/data.txt /x\n`,
          /^Error BUILD_SYNTAX: line 2: COPY http.*: a URL source needs ADD/m,
          'none',
        ],
      ];
      for (const [text, message, network] of cases) {
        const c = context('add-url-bad', text, { 'a.txt': 'a' });
        const before = requests;
        const e = await berth('build', '--network', network, c);
        expect(e.code, text).toBe(1);
        expect(e.stderr).toMatch(message);
        if (network === 'none') expect(requests, text).toBe(before);
      }
    },
    BUILD_MS,
  );

  const heredocFile = [
    'FROM busybox',
    'ARG NAME=world',
    'RUN <<EOF',
    'echo "hello $NAME" > /hello',
    'echo second line >> /hello',
    'EOF',
    'RUN <<FILE1 cat > /file1 && <<FILE2 cat > /file2',
    'I am',
    'first',
    'FILE1',
    'I am',
    'second',
    'FILE2',
    'RUN <<-EOT',
    '\techo tabs stripped > /tabs',
    '\tEOT',
    'RUN <<EOT',
    '#!/bin/sh',
    'echo "from a script: $0" > /script',
    'EOT',
    'COPY <<EOF /etc/greeting',
    'hi ${NAME}',
    'EOF',
    'COPY <<"EOF" <<EOF2 /docs/',
    'kept $NAME',
    'EOF',
    'two',
    'EOF2',
    '',
  ].join('\n');

  it(
    'heredocs: a RUN script, several documents, <<-, a #! script, COPY <<EOF with and without expansion',
    async () => {
      const ctx = context('heredoc', heredocFile);
      const r = await berth('build', '--network', 'none', '-t', 'heredoc:1', ctx);
      expect(r.code, r.stdout + r.stderr).toBe(0);
      const v = await view('heredoc:1');
      expect(read(v, 'hello')).toBe('hello world\nsecond line\n');
      expect(read(v, 'file1')).toBe('I am\nfirst\n');
      expect(read(v, 'file2')).toBe('I am\nsecond\n');
      expect(read(v, 'tabs')).toBe('tabs stripped\n');
      expect(read(v, 'script')).toBe('from a script: /dev/pipes/EOT\n');
      expect(read(v, 'etc/greeting')).toBe('hi world\n');
      expect((v.lookup('etc/greeting')?.st as fs.Stats).mode & 0o7777).toBe(0o644);
      expect(read(v, 'docs/EOF')).toBe('kept $NAME\n');
      expect(read(v, 'docs/EOF2')).toBe('two\n');
      expect(v.lookup('dev/pipes') ?? null).toBeNull();
      const hist = (await inspect('heredoc:1')).config.history ?? [];
      expect(
        hist.some((e) => e.created_by === 'RUN <<EOF\necho "hello $NAME" > /hello\necho second line >> /hello\nEOF'),
      ).toBe(true);
      // Cached on a rebuild: the same image.
      const again = await berth('build', '--network', 'none', '-t', 'heredoc:1', ctx);
      expect(again.stdout.trim().split('\n').at(-1)).toBe(r.stdout.trim().split('\n').at(-1));
      const bad = context('heredoc-bad', 'FROM busybox\nRUN <<EOF cat\nno end\n');
      const e = await berth('build', '--network', 'none', bad);
      expect(e.stderr).toMatch(/^Error BUILD_SYNTAX: line 2: unterminated heredoc <<EOF/m);
    },
    BUILD_MS,
  );

  const mountFile = (tag: string): string =>
    [
      'FROM busybox AS tools',
      'RUN mkdir -p /out && echo from-stage > /out/tool.txt',
      'FROM busybox',
      `RUN --mount=type=cache,target=/cache,id=shared-cache echo ${tag} >> /cache/log && cp /cache/log /seen-cache`,
      'RUN --mount=type=bind,source=src,target=/src cat /src/input.txt > /from-context',
      'RUN --mount=type=bind,from=tools,source=/out,target=/tools,rw echo scribble > /tools/new && cat /tools/tool.txt > /from-stage',
      'RUN --mount=type=tmpfs,target=/scratch echo temp > /scratch/t && cat /scratch/t > /from-tmpfs',
      'RUN --network=none --mount=type=cache,target=/var/cache/deep/dir echo x > /var/cache/deep/dir/y && echo done > /done',
      '',
    ].join('\n');

  it(
    'RUN --mount: a cache kept across builds, binds from the context and a stage, tmpfs; nothing under a mount in the layer',
    async () => {
      const ctx = context('mounts', mountFile('first'), { 'src/input.txt': 'from the context\n' });
      const r = await berth('build', '-t', 'mounts:1', ctx);
      expect(r.code, r.stdout + r.stderr).toBe(0);
      let v = await view('mounts:1');
      expect(read(v, 'seen-cache')).toBe('first\n');
      expect(read(v, 'from-context')).toBe('from the context\n');
      expect(read(v, 'from-stage')).toBe('from-stage\n');
      expect(read(v, 'from-tmpfs')).toBe('temp\n');
      expect(read(v, 'done')).toBe('done\n');
      // Content under the mounts is in no layer, nor are the mount points the runtime made.
      for (const p of ['cache', 'src', 'tools', 'scratch', 'var/cache/deep', 'var/cache/deep/dir/y'])
        expect(v.lookup(p) ?? null, p).toBeNull();
      const layersDirs = (await inspect('mounts:1')).lowerDirs;
      for (const d of layersDirs) expect(fs.existsSync(path.join(d, 'cache/log'))).toBe(false);

      // The cache mount is kept: a changed step sees what the first build wrote.
      const ctx2 = context('mounts2', mountFile('second'), { 'src/input.txt': 'changed input\n' });
      const r2 = await berth('build', '-t', 'mounts:2', ctx2);
      expect(r2.code, r2.stdout + r2.stderr).toBe(0);
      v = await view('mounts:2');
      expect(read(v, 'seen-cache')).toBe('first\nsecond\n');
      // A bind's content is part of the key: the changed input ran the step again.
      expect(read(v, 'from-context')).toBe('changed input\n');

      // system df counts the cache mounts; a build-cache prune removes them.
      const usage = JSON.parse(await berthOk(h.socketPath, ['call', 'disk.usage', '{}'])) as Array<{
        kind: string;
        count: number;
        reclaimableBytes: number;
      }>;
      expect(usage.find((u) => u.kind === 'build-cache')?.reclaimableBytes).toBeGreaterThan(0);
      const plan = async (): Promise<Array<{ id: string; name: string }>> =>
        (
          JSON.parse(
            await berthOk(h.socketPath, ['call', 'disk.plan', JSON.stringify({ kinds: ['build-cache'], all: true })]),
          ) as Array<{ items: Array<{ id: string; name: string }> }>
        )[0]?.items ?? [];
      const mounts = (await plan()).filter((i) => i.id.startsWith('mount:'));
      expect(mounts.map((m) => m.name).sort()).toEqual([
        'RUN --mount=type=cache,id=/var/cache/deep/dir',
        'RUN --mount=type=cache,id=shared-cache',
      ]);
      await berthOk(h.socketPath, [
        'call',
        'disk.prune',
        JSON.stringify({ items: [{ kind: 'build-cache', ids: mounts.map((m) => m.id) }] }),
      ]);
      expect((await plan()).filter((i) => i.id.startsWith('mount:'))).toEqual([]);
      // Pruned: a build starts from an empty cache dir again.
      const ctx3 = context('mounts3', mountFile('third'), { 'src/input.txt': 'changed input\n' });
      expect((await berth('build', '-t', 'mounts:3', ctx3)).code).toBe(0);
      expect(read(await view('mounts:3'), 'seen-cache')).toBe('third\n');
    },
    BUILD_MS * 2,
  );

  it(
    'RUN --mount errors name the line with stable codes',
    async () => {
      const cases: Array<[string, RegExp]> = [
        ['FROM busybox\nRUN --mount=type=secret,id=x true\n', /^Error BUILD_UNSUPPORTED: line 2: --mount=type=secret/m],
        [
          'FROM busybox\nRUN --mount=type=cache true\n',
          /^Error BUILD_SYNTAX: line 2: --mount: type=cache needs target=PATH/m,
        ],
        [
          'FROM busybox\nRUN --mount=source=../x,target=/x true\n',
          /^Error BUILD_SOURCE_OUTSIDE_CONTEXT: line 2: --mount source=\.\.\/x/m,
        ],
        [
          'FROM busybox\nRUN --mount=source=nope,target=/x true\n',
          /^Error BUILD_SOURCE_NOT_FOUND: line 2: --mount source=nope/m,
        ],
        [
          'FROM busybox\nRUN --mount=from=nowhere,target=/x true\n',
          /^Error BUILD_STAGE_NOT_FOUND: line 2: --mount from=nowhere/m,
        ],
        ['FROM busybox\nRUN --network=bridge2 true\n', /^Error BUILD_SYNTAX: line 2: RUN --network=bridge2/m],
        ['FROM busybox\nRUN --security=insecure true\n', /^Error BUILD_SYNTAX: line 2: RUN --security: unknown flag/m],
      ];
      for (const [text, message] of cases) {
        const c = context('mount-bad', text);
        const e = await berth('build', '--network', 'none', c);
        expect(e.code, text).toBe(1);
        expect(e.stderr).toMatch(message);
      }
    },
    BUILD_MS,
  );

  it.runIf(which('buildah'))(
    'buildah bud runs the same RUN --mount Containerfile to the same files (peer; Debian 12 buildah 1.28 has no heredocs)',
    async () => {
      const peer = new PeerStorage(path.join(work, 'buildah'));
      peer.init();
      try {
        await peer.pullBusybox(busyboxTar);
        // buildah 1.28's RUN takes --mount only (no --network).
        const ctx = context('mounts-peer', mountFile('peer').replace('RUN --network=none ', 'RUN '), {
          'src/input.txt': 'from the context\n',
        });
        const ours = await berth('build', '-t', 'mounts-peer', ctx);
        expect(ours.code, ours.stdout + ours.stderr).toBe(0);
        await peer.buildah(['bud', '-t', 'mounts-buildah', ctx], { cwd: ctx });
        const mnt = (await peer.buildah(['from', 'mounts-buildah'])).trim();
        const root = (await peer.buildah(['mount', mnt])).trim();
        const v = await view('mounts-peer');
        for (const p of ['from-context', 'from-stage', 'from-tmpfs', 'done'])
          expect(read(v, p), p).toBe(fs.readFileSync(path.join(root, p), 'utf8'));
        // Neither has what was written under a mount.
        for (const p of ['cache/log', 'tools/new', 'scratch/t', 'var/cache/deep/dir/y']) {
          expect(v.lookup(p) ?? null, p).toBeNull();
          expect(fs.existsSync(path.join(root, p)), p).toBe(false);
        }
        await peer.buildah(['umount', mnt]);
      } finally {
        peer.dispose();
      }
    },
    BUILD_MS,
  );

  it(
    'rm -v and --rm remove anonymous volumes; named volumes are kept',
    async () => {
      const vols = async (): Promise<string[]> =>
        (JSON.parse(await berthOk(h.socketPath, ['call', 'volumes.list', '{}'])) as Array<{ name: string }>).map(
          (x) => x.name,
        );
      const before = new Set(await vols());
      const id = (
        await berthOk(h.socketPath, [
          'create',
          '-v',
          '/anon',
          '-v',
          'kept-vol:/named',
          '--network',
          'none',
          'busybox',
          'true',
        ])
      ).trim();
      const made = (await vols()).filter((n) => !before.has(n));
      expect(made).toContain('kept-vol');
      const anon = made.filter((n) => n !== 'kept-vol');
      expect(anon).toHaveLength(1);
      await berthOk(h.socketPath, ['rm', '-v', id]);
      let now = await vols();
      expect(now).toContain('kept-vol');
      expect(now).not.toContain(anon[0]);

      // Without -v the anonymous volume stays, as docker's.
      const id2 = (
        await berthOk(h.socketPath, ['create', '-v', '/anon2', '--network', 'none', 'busybox', 'true'])
      ).trim();
      const anon2 = (await vols()).filter((n) => !now.includes(n));
      await berthOk(h.socketPath, ['rm', id2]);
      now = await vols();
      expect(now).toEqual(expect.arrayContaining(anon2));

      // run --rm: gone with its container.
      const beforeRun = new Set(await vols());
      await berthOk(h.socketPath, [
        'run',
        '--rm',
        '-v',
        '/anon3',
        '-v',
        'kept-vol:/named',
        '--network',
        'none',
        'busybox',
        'true',
      ]);
      const after = await vols();
      expect(after.filter((n) => !beforeRun.has(n))).toEqual([]);
      expect(after).toContain('kept-vol');
    },
    BUILD_MS,
  );
});
