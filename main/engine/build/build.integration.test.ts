/**
 * `berth build` for real, as root: a helper on temp dirs, the CLI, RUN
 * steps in real containers. A three-stage Containerfile that uses every
 * instruction; the cache (same ID, hits, a change, --no-cache); errors that
 * name the line; the same Containerfile through `buildah bud` from the same
 * base, compared file by file and config field by field; podman loading and
 * running what Berth built.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { berthCli, berthOk, loadBusybox, startContainerHelper, type HelperOn } from '../../testing/container-helper';
import { isRoot, tempDir } from '../../testing/helper-process';
import { BUSYBOX_BIN } from '../../testing/busybox-image';
import { PeerStorage, fsListing, which, writeEveryInstructionContext } from '../../testing/build-fixtures';
import { RpcClient } from '../../helper/client/rpc-client';
import { tarBuffer } from '../oci/tar/writer';
import { MergedView } from './merged-view';

const BUILD_MS = 240_000;

/** The merged filesystem of stored layers (topmost first), listed like fsListing. */
function viewListing(lowerDirs: string[]): Map<string, string> {
  const view = new MergedView(lowerDirs);
  const out = new Map<string, string>();
  const walk = (rel: string): void => {
    for (const name of view.readdir(rel)) {
      const r = rel ? `${rel}/${name}` : name;
      const f = view.lookup(r);
      if (!f) continue;
      const st = f.st;
      const type = st.isDirectory() ? 'd' : st.isSymbolicLink() ? 'l' : st.isFile() ? 'f' : 'o';
      const extra = type === 'l' ? ` -> ${fs.readlinkSync(f.abs)}` : type === 'f' ? ` ${st.size}` : '';
      out.set(`/${r}`, `${type} ${(st.mode & 0o7777).toString(8)} ${st.uid}:${st.gid}${extra}`);
      if (type === 'd') walk(r);
    }
  };
  walk('');
  return out;
}

interface Inspect {
  id: string;
  lowerDirs: string[];
  config: {
    config?: Record<string, unknown>;
    history?: Array<{ created_by?: string; empty_layer?: boolean }>;
    rootfs: { diff_ids: string[] };
  };
}

describe.runIf(isRoot && BUSYBOX_BIN !== undefined)('berth build (root, real containers)', () => {
  let h: HelperOn & { dispose(): Promise<void> };
  let work = '';
  let ctx = '';
  let busyboxTar = '';
  const berth = (...args: string[]) => berthCli(h.socketPath, args, { timeoutMs: BUILD_MS });
  const inspect = async (ref: string): Promise<Inspect> =>
    JSON.parse(await berthOk(h.socketPath, ['call', 'images.inspect', JSON.stringify({ ref })])) as Inspect;

  beforeAll(async () => {
    h = await startContainerHelper();
    work = tempDir('berth-build-');
    busyboxTar = await loadBusybox(h.socketPath, work);
    ctx = path.join(work, 'ctx');
    await writeEveryInstructionContext(ctx);
  }, 60_000);
  afterAll(async () => {
    await h?.dispose();
    fs.rmSync(work, { recursive: true, force: true });
  });

  it(
    'builds a three-stage Containerfile that uses every instruction',
    async () => {
      const r = await berth('build', '-t', 'every:1', '--network', 'none', '--build-arg', 'GREETING=hi', ctx);
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^STEP 1\/\d+: FROM busybox AS builder$/m);
      expect(r.stdout).toContain('STEP 8/'); // the stages run in order, numbered across them
      const id = r.stdout.trim().split('\n').at(-1) as string;
      expect(id).toMatch(/^[0-9a-f]{64}$/);

      const img = await inspect('every:1');
      const c = img.config.config ?? {};
      expect(c['Env']).toEqual([
        'PATH=/app/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
        'APP_HOME=/app',
      ]);
      expect(c['WorkingDir']).toBe('/app');
      expect(c['User']).toBe('app');
      expect(c['Entrypoint']).toEqual(['/bin/sh', '-c']);
      expect(c['Cmd']).toEqual(['cat /app/assets/greeting.txt /app/assets/exec.txt']);
      expect(c['Labels']).toEqual({ 'org.example.title': 'berth build test', version: '1' });
      expect(c['ExposedPorts']).toEqual({ '8080/tcp': {}, '53/udp': {} });
      expect(c['Volumes']).toEqual({ '/data': {} });
      expect(c['StopSignal']).toBe('SIGTERM');
      expect(c['Healthcheck']).toEqual({
        Test: ['CMD-SHELL', 'test -f /app/assets/greeting.txt'],
        Interval: 30e9,
        Timeout: 5e9,
        Retries: 3,
      });

      // History: one entry per instruction of the last stage on top of the base's, layers marked.
      const hist = img.config.history ?? [];
      const own = hist.slice(1).map((e) => [e.created_by, e.empty_layer === true]);
      expect(own).toContainEqual(['COPY --chown=1000:1000 --chmod=640 config/ ./config/', false]);
      expect(own).toContainEqual(['ENV APP_HOME=/app', true]);
      expect(own.find(([by]) => String(by).startsWith('RUN /bin/sh -c mkdir -p /data'))?.[1]).toBe(false);
      expect(hist.filter((e) => !e.empty_layer)).toHaveLength(img.config.rootfs.diff_ids.length);

      // The filesystem: stage outputs, owners and modes, .dockerignore, ADD's unpacking, whiteouts.
      const files = viewListing(img.lowerDirs);
      expect(files.get('/app/assets/greeting.txt')).toBe('f 644 0:0 16');
      expect(files.get('/app/assets/exec.txt')).toBe('f 644 0:0 10');
      expect(files.get('/app/config/app.conf')).toBe('f 640 1000:1000 10');
      expect(files.has('/app/config/debug.log')).toBe(false);
      expect(files.has('/app/secret.txt')).toBe(false);
      expect(files.get('/opt/pkg/readme')).toBe('f 600 7:8 11');
      expect(files.get('/opt/pkg/link')).toBe('l 777 0:0 -> readme');
      expect(files.get('/app/notes.txt')).toBe('f 644 0:0 6');
      expect(files.get('/copied-hostname')).toBe('f 644 0:0 8');
      expect(files.has('/var/www/index.html')).toBe(false);
      expect(files.has('/src')).toBe(false); // the builder stage's files stay there

      const run = await berth('run', '--rm', '--network', 'none', 'every:1');
      expect(run.stdout).toBe('hi from a build\nexec-form\n');
      const base = await berth('run', '--rm', '--network', 'none', '--entrypoint', 'cat', 'every:1', '/app/base.txt');
      expect(base.stdout).toBe('base=busybox\n');
    },
    BUILD_MS,
  );

  it(
    'a rebuild without changes hits the cache for every step and gives the same image ID; a change reruns from there; --no-cache runs all',
    async () => {
      const first = await berth('build', '-q', '-t', 'every:1', '--network', 'none', '--build-arg', 'GREETING=hi', ctx);
      const again = await berth('build', '-t', 'every:1', '--network', 'none', '--build-arg', 'GREETING=hi', ctx);
      expect(again.code, again.stderr).toBe(0);
      expect(again.stdout.trim().split('\n').at(-1)).toBe(first.stdout.trim());
      const steps = again.stdout.match(/^STEP /gm)?.length ?? 0;
      const hits = again.stdout.match(/^--> Using cache$/gm)?.length ?? 0;
      expect(hits).toBe(steps - 3); // every step but the three FROMs, which are not cache lookups

      fs.writeFileSync(path.join(ctx, 'notes.txt'), 'changed notes\n');
      const changed = await berth('build', '-t', 'every:2', '--network', 'none', '--build-arg', 'GREETING=hi', ctx);
      expect(changed.code, changed.stderr).toBe(0);
      const out = changed.stdout;
      const addAt = out.indexOf(': ADD notes.txt ./');
      expect(out.slice(0, addAt)).toContain('--> Using cache');
      expect(out.slice(addAt)).not.toContain('--> Using cache');
      expect(out.trim().split('\n').at(-1)).not.toBe(first.stdout.trim());

      const noCache = await berth(
        'build',
        '--no-cache',
        '-t',
        'every:3',
        '--network',
        'none',
        '--build-arg',
        'GREETING=hi',
        ctx,
      );
      expect(noCache.code, noCache.stderr).toBe(0);
      expect(noCache.stdout).not.toContain('--> Using cache');
    },
    BUILD_MS * 2,
  );

  it(
    'the cache misses when a file changes content but keeps its size and mtime (contents are hashed, never stat data)',
    async () => {
      const dir = path.join(work, 'same-stat');
      fs.mkdirSync(dir);
      fs.writeFileSync(
        path.join(dir, 'Containerfile'),
        'FROM busybox\nCOPY data.txt /data.txt\nCMD ["cat", "/data.txt"]\n',
      );
      const file = path.join(dir, 'data.txt');
      fs.writeFileSync(file, 'aaaa\n');
      const when = new Date('2026-01-02T03:04:05.000Z');
      fs.utimesSync(file, when, when);
      const first = await berth('build', '-q', '-t', 'same-stat:1', '--network', 'none', dir);
      expect(first.code, first.stderr).toBe(0);
      // Same size, same mtime (within the same second and to the nanosecond), same inode: only the bytes differ.
      const ino = fs.statSync(file).ino;
      fs.writeFileSync(file, 'bbbb\n');
      fs.utimesSync(file, when, when);
      expect(fs.statSync(file).ino).toBe(ino);
      const second = await berth('build', '-t', 'same-stat:2', '--network', 'none', dir);
      expect(second.code, second.stderr).toBe(0);
      const copyAt = second.stdout.indexOf(': COPY data.txt /data.txt');
      expect(copyAt).toBeGreaterThan(0);
      expect(second.stdout.slice(copyAt)).not.toContain('--> Using cache');
      expect(second.stdout.trim().split('\n').at(-1)).not.toBe(first.stdout.trim());
      const out = await berth('run', '--rm', '--network', 'none', 'same-stat:2');
      expect(out.stdout).toBe('bbbb\n');
      // And back: the first content's key again, so the first image.
      fs.writeFileSync(file, 'aaaa\n');
      fs.utimesSync(file, when, when);
      const third = await berth('build', '-q', '-t', 'same-stat:3', '--network', 'none', dir);
      expect(third.stdout.trim()).toBe(first.stdout.trim());
    },
    BUILD_MS,
  );

  it(
    'an unchanged context is unpacked once and kept (no bind, ro or rw, writes to it); a changed byte is a fresh unpack and a rebuild',
    async () => {
      const dir = path.join(work, 'kept');
      fs.mkdirSync(dir);
      fs.writeFileSync(
        path.join(dir, 'Containerfile'),
        'FROM busybox\nCOPY data.txt /data.txt\n' +
          'RUN --mount=type=bind,target=/ro --mount=type=bind,rw,target=/ctx ' +
          "sh -c 'echo x > /ro/data.txt 2>/dev/null; echo scribble > /ctx/data.txt; cat /ctx/data.txt > /seen'\n" +
          'CMD ["cat", "/data.txt", "/seen"]\n',
      );
      const file = path.join(dir, 'data.txt');
      fs.writeFileSync(file, 'kept-a\n');
      const when = new Date('2026-01-02T03:04:05.000Z');
      fs.utimesSync(file, when, when);
      const contexts = path.join(h.dataRoot, 'build-cache', 'contexts');
      const keptDirs = (): string[] => fs.readdirSync(contexts).filter((n) => n.startsWith('kept-'));
      // Other tests' contexts are kept there too (and may be being dropped): ours hold kept-a or kept-b.
      const keptWith = (content: string): string[] =>
        keptDirs().filter((n) => {
          try {
            return fs.readFileSync(path.join(contexts, n, 'data.txt'), 'utf8') === content;
          } catch {
            return false;
          }
        });

      const first = await berth('build', '-q', '-t', 'kept:1', '--network', 'none', dir);
      expect(first.code, first.stderr).toBe(0);
      const [keptA] = keptWith('kept-a\n');
      expect(keptA).toBeDefined();
      expect((await berth('run', '--rm', '--network', 'none', 'kept:1')).stdout).toBe('kept-a\nscribble\n');

      // The same bytes again: every step cached, the same kept directory, its file as sent.
      const again = await berth('build', '-t', 'kept:2', '--network', 'none', dir);
      expect(again.code, again.stderr).toBe(0);
      expect(again.stdout.match(/^--> Using cache$/gm)?.length).toBe(3); // COPY, RUN, CMD: all but FROM
      expect(again.stdout.trim().split('\n').at(-1)).toBe(first.stdout.trim());
      expect(keptWith('kept-a\n')).toEqual([keptA]);

      // One byte changed, size, mtime and inode kept: a new digest, so a fresh unpack and a miss.
      fs.writeFileSync(file, 'kept-b\n');
      fs.utimesSync(file, when, when);
      const changed = await berth('build', '-t', 'kept:3', '--network', 'none', dir);
      expect(changed.code, changed.stderr).toBe(0);
      expect(changed.stdout).not.toContain('--> Using cache');
      expect(keptWith('kept-b\n')).toHaveLength(1);
      expect((await berth('run', '--rm', '--network', 'none', 'kept:3')).stdout).toBe('kept-b\nscribble\n');
    },
    BUILD_MS,
  );

  it(
    'a context above what main keeps in memory (written to its temp file) and a file above the read-whole size arrive intact',
    async () => {
      const dir = path.join(work, 'big-context');
      fs.mkdirSync(dir);
      fs.writeFileSync(path.join(dir, 'Containerfile'), 'FROM busybox\nCOPY . /ctx/\n');
      // 9 MiB of bytes that do not repeat (main spills past 8 MiB) and many small files around it.
      const big = Buffer.alloc(9 * 1024 * 1024);
      for (let i = 0; i < big.length; i += 4) big.writeUInt32LE((Math.imul(i, 2654435761) ^ (i >>> 7)) >>> 0, i);
      fs.writeFileSync(path.join(dir, 'big.bin'), big);
      for (let i = 0; i < 20; i++) fs.writeFileSync(path.join(dir, `s${i}.txt`), `small ${i}\n`.repeat(i * 50));
      const r = await berth('build', '-q', '-t', 'big-context:1', '--network', 'none', dir);
      expect(r.code, r.stderr).toBe(0);
      const want = crypto.createHash('sha256').update(big).digest('hex');
      const sums = await berth(
        'run',
        '--rm',
        '--network',
        'none',
        'big-context:1',
        'sh',
        '-c',
        'cd /ctx && sha256sum big.bin s7.txt',
      );
      const s7 = crypto
        .createHash('sha256')
        .update(fs.readFileSync(path.join(dir, 's7.txt')))
        .digest('hex');
      expect(sums.stdout).toBe(`${want}  big.bin\n${s7}  s7.txt\n`);
    },
    BUILD_MS,
  );

  it(
    'a context between the inline limit (1 MiB) and what main keeps in memory goes in chunks and arrives intact; a rebuild is the same image',
    async () => {
      const dir = path.join(work, 'mid-context');
      fs.mkdirSync(dir);
      fs.writeFileSync(path.join(dir, 'Containerfile'), 'FROM busybox\nCOPY mid.bin /mid.bin\n');
      const mid = crypto.randomBytes(2 * 1024 * 1024);
      fs.writeFileSync(path.join(dir, 'mid.bin'), mid);
      const first = await berth('build', '-q', '-t', 'mid-context:1', '--network', 'none', dir);
      expect(first.code, first.stderr).toBe(0);
      const again = await berth('build', '-q', '-t', 'mid-context:1', '--network', 'none', dir);
      expect(again.stdout).toBe(first.stdout);
      const sum = await berth('run', '--rm', '--network', 'none', 'mid-context:1', 'sha256sum', '/mid.bin');
      expect(sum.stdout).toBe(`${crypto.createHash('sha256').update(mid).digest('hex')}  /mid.bin\n`);
    },
    BUILD_MS,
  );

  it(
    'build.start takes a small context inline (one call, the same image as through a session) and refuses a bad one with a stable code',
    async () => {
      const client = await RpcClient.connect(h.socketPath);
      try {
        const tar = await tarBuffer([
          { path: 'data.txt', body: 'inline\n', mode: 0o644, mtime: 1700000000 },
          { path: 'Containerfile', body: 'FROM busybox\nCOPY data.txt /data.txt\n', mode: 0o644, mtime: 1700000000 },
        ]);
        const common = {
          containerfile: 'FROM busybox\nCOPY data.txt /data.txt\n',
          file: 'Containerfile',
          options: { tags: ['inline:1'], buildArgs: {}, noCache: false, network: 'none', pull: 'never' },
          buildId: 'inline-test',
        };
        const inline = (await client.call('build.start', { ...common, contextTar: tar.toString('base64') })) as {
          imageId: string;
          cacheHits: number;
        };
        expect(inline.imageId).toMatch(/^sha256:[0-9a-f]{64}$/);
        // The same bytes through build.context.*: the same image, every step a hit.
        const { contextId } = (await client.call('build.context.begin', { size: tar.length })) as { contextId: string };
        await client.call('build.context.chunk', { contextId, offset: 0, data: tar.toString('base64') });
        const viaSession = (await client.call('build.start', { ...common, contextId })) as typeof inline;
        expect(viaSession.imageId).toBe(inline.imageId);
        expect(viaSession.cacheHits).toBe(1);
        // A changed byte inline: a miss and another image.
        const other = (await client.call('build.start', {
          ...common,
          contextTar: await tarBuffer([{ path: 'data.txt', body: 'Inline\n', mode: 0o644, mtime: 1700000000 }]).then(
            (b) => b.toString('base64'),
          ),
        })) as typeof inline;
        expect(other.cacheHits).toBe(0);
        expect(other.imageId).not.toBe(inline.imageId);

        const code = (p: unknown): Promise<string> =>
          client.call('build.start', p).then(
            () => 'answered',
            (e: unknown) => (e as { code: string }).code,
          );
        expect(await code({ ...common, contextTar: tar.toString('base64'), contextId })).toBe('BAD_PARAMS');
        expect(await code(common)).toBe('BAD_PARAMS');
        expect(await code({ ...common, contextTar: Buffer.alloc(1024 * 1024 + 3).toString('base64') })).toBe(
          'BAD_PARAMS',
        );
        expect(await code({ ...common, contextTar: 'not base64!' })).toBe('BAD_PARAMS');
        expect(await code({ ...common, contextTar: Buffer.from('not a tar at all').toString('base64') })).toBe(
          'BUILD_CONTEXT_INVALID',
        );
        // Inline contexts count with the sessions: with 8 sessions open, one more is BUILD_BUSY.
        const open: string[] = [];
        for (let i = 0; i < 8; i++) {
          open.push(((await client.call('build.context.begin', { size: 0 })) as { contextId: string }).contextId);
        }
        expect(await code({ ...common, contextTar: tar.toString('base64') })).toBe('BUILD_BUSY');
        for (const id of open) await client.call('build.context.abort', { contextId: id });
        expect(await code({ ...common, contextTar: tar.toString('base64') })).toBe('answered');
      } finally {
        client.close();
      }
    },
    BUILD_MS,
  );

  it('names the line of bad input: unknown instruction, missing stage, a source outside the context', async () => {
    const bad = path.join(work, 'bad');
    fs.mkdirSync(bad);
    const cases: Array<[string, RegExp]> = [
      ['FROM busybox\nRUN true\nFROBNICATE x\n', /line 3: unknown instruction: FROBNICATE/],
      ['FROM busybox\nCOPY --from=nowhere /a /b\n', /line 2: --from=nowhere: no such stage or image/],
      ['FROM busybox\n\nCOPY ../outside.txt /x\n', /line 3: \.\.\/outside\.txt is outside the build context/],
      ['FROM nosuchimage:1\n', /line 1: FROM nosuchimage:1: no such stage or image/],
    ];
    for (const [text, message] of cases) {
      fs.writeFileSync(path.join(bad, 'Containerfile'), text);
      const r = await berth('build', '--network', 'none', bad);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(message);
    }
    const t = await berth('build', '--target', 'nope', ctx);
    expect(t.stderr).toMatch(/--target nope: no stage of that name/);
  });

  it.runIf(which('buildah'))(
    'matches buildah bud on the same Containerfile from the same base (files, modes, owners, config)',
    async () => {
      const peer = new PeerStorage(path.join(work, 'buildah'));
      peer.init();
      try {
        await peer.pullBusybox(busyboxTar);
        await peer.buildah(
          ['bud', '--layers', '--network', 'none', '--build-arg', 'GREETING=hi', '-t', 'every-buildah', ctx],
          { cwd: ctx },
        );
        const theirsCfg = (
          JSON.parse(await peer.buildah(['inspect', '--type', 'image', 'every-buildah'])) as {
            OCIv1: { config: Record<string, unknown> };
          }
        ).OCIv1.config;
        const cid = (await peer.buildah(['from', 'every-buildah'])).trim();
        const mnt = (await peer.buildah(['mount', cid])).trim();
        const theirs = fsListing(mnt);
        await peer.buildah(['umount', cid]);
        await berth('build', '-t', 'every:cmp', '--network', 'none', '--build-arg', 'GREETING=hi', ctx);
        const mine = await inspect('every:cmp');
        const ours = viewListing(mine.lowerDirs);
        const diffs: string[] = [];
        // buildah leaves the mount point of its /run (secrets, RUN --mount) in every image it commits.
        if (theirs.get('/run') === 'd 755 0:0' && !ours.has('/run')) theirs.delete('/run');
        for (const p of new Set([...ours.keys(), ...theirs.keys()])) {
          if (ours.get(p) !== theirs.get(p))
            diffs.push(`${p}: berth ${ours.get(p) ?? '-'} | buildah ${theirs.get(p) ?? '-'}`);
        }
        expect(diffs).toEqual([]);
        const c = mine.config.config ?? {};
        // Env as a set: an ENV that sets a variable again keeps its place in docker's config
        // (Berth does that) while buildah moves it to the end.
        expect([...(c['Env'] as string[])].sort()).toEqual([...(theirsCfg['Env'] as string[])].sort());
        // buildah labels every image with its own version.
        const theirLabels = { ...(theirsCfg['Labels'] as Record<string, string>) };
        delete theirLabels['io.buildah.version'];
        expect(c['Labels']).toEqual(theirLabels);
        for (const k of ['Cmd', 'Entrypoint', 'WorkingDir', 'User', 'ExposedPorts']) {
          expect([k, c[k]]).toEqual([k, theirsCfg[k]]);
        }
      } finally {
        peer.dispose();
      }
    },
    BUILD_MS * 2,
  );

  // Skipped, not passed, where podman is missing.
  it.runIf(which('podman'))(
    'podman loads and runs what Berth built (--output type=oci,dest=FILE)',
    async () => {
      const out = path.join(work, 'every.oci.tar');
      const r = await berth(
        'build',
        '-t',
        'every:1',
        '--network',
        'none',
        '--build-arg',
        'GREETING=hi',
        '--output',
        `type=oci,dest=${out}`,
        ctx,
      );
      expect(r.code, r.stderr).toBe(0);
      expect(fs.statSync(out).size).toBeGreaterThan(0);
      const peer = new PeerStorage(path.join(work, 'podman'));
      peer.init();
      try {
        const loaded = await peer.podman(['load', '-i', out]);
        const name = /Loaded image(?:\(s\))?: (\S+)/.exec(loaded)?.[1] ?? '';
        // The image carries every tag pointing at it (earlier builds of the same file, and the
        // buildah comparison's every:cmp, made the same image): any of them names it.
        expect(name).toMatch(/every:(\d|cmp)$/);
        const ran = await peer.podman([
          'run',
          '--rm',
          '--runtime',
          'runc',
          '--ulimit',
          'nofile=1024:1024',
          '--ulimit',
          'nproc=1024:1024',
          '--network',
          'none',
          name,
        ]);
        expect(ran).toBe('hi from a build\nexec-form\n');
      } finally {
        peer.dispose();
      }
    },
    BUILD_MS,
  );
});
