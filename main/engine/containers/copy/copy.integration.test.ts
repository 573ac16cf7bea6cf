/**
 * `berth cp` for real, as root: a private helper, busybox containers running
 * and stopped, the CLI both ways and with "-", and a battery of hostile
 * symlinks planted inside the container (absolute, ".." chains, a link to
 * "/", symlinked parent dirs, a link swapped back and forth during a copy)
 * whose targets exist on the host with other contents: nothing outside the
 * container's root may be read or written.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUSYBOX_BIN } from '../../../testing/busybox-image';
import {
  berthCli,
  berthOk,
  openContainerSuite,
  randomTag,
  testBridge,
  type ContainerSuite,
} from '../../../testing/container-helper';
import { tarBuffer } from '../../oci/tar/writer';
import { readTar } from '../../oci/tar/reader';

const isRoot = process.getuid?.() === 0;

describe.runIf(isRoot && BUSYBOX_BIN !== undefined)('berth cp (root)', { timeout: 240_000 }, () => {
  const tag = randomTag();
  let suite: ContainerSuite;
  let work = '';
  /** A host dir the hostile links point at: it must stay exactly as it is. */
  let bait = '';
  let seq = 0;
  const sock = (): string => suite.helper.socketPath;
  const cli = (...args: string[]) => berthCli(sock(), args);
  const ok = (...args: string[]) => berthOk(sock(), args);
  const name = (w: string): string => `${w}-${tag}-${++seq}`;
  const sh = (id: string, script: string) => ok('exec', id, 'sh', '-c', script);

  const baitSnapshot = (): string[] =>
    fs
      .readdirSync(bait, { recursive: true, withFileTypes: true })
      .map((d) => {
        const f = path.join(d.parentPath, d.name);
        const st = fs.lstatSync(f);
        return `${f} ${st.mode} ${st.size} ${st.mtimeMs} ${d.isFile() ? fs.readFileSync(f, 'utf8') : ''}`;
      })
      .sort();

  beforeAll(async () => {
    suite = await openContainerSuite({ bridge: testBridge('bcp', 231), workPrefix: 'berth-cp-it-' });
    work = suite.work;
    bait = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-cp-bait-'));
    fs.writeFileSync(path.join(bait, 'secret'), 'HOST SECRET');
    fs.mkdirSync(path.join(bait, 'etc'));
    fs.writeFileSync(path.join(bait, 'etc', 'passwd'), 'HOST PASSWD');
  });

  afterAll(async () => {
    await suite?.close();
    if (bait) fs.rmSync(bait, { recursive: true, force: true });
  });

  /** A container with a tree of plain files and hostile links. */
  async function prepared(running: boolean): Promise<string> {
    const n = name(running ? 'run' : 'stop');
    await ok('run', '-d', '--network', 'none', '--name', n, 'busybox', 'sleep', '600');
    await sh(
      n,
      [
        'mkdir -p /data/sub && echo hello > /data/sub/a.txt && chmod 0640 /data/sub/a.txt && chown 1234:4321 /data/sub/a.txt',
        'printf x > /data/exe && chmod 4755 /data/exe',
        'ln -s sub/a.txt /data/rel-link',
        `ln -s ${bait}/secret /data/abs-link`,
        `ln -s ../../../../../../../../${bait}/secret /data/dotdot-link`,
        'ln -s / /data/root-link',
        `ln -s ${bait} /data/dir-link`,
        `ln -s ${bait}/etc /etc-link`,
        'ln /data/sub/a.txt /data/hard',
      ].join(' && '),
    );
    if (!running) await ok('stop', '-t', '1', n);
    return n;
  }

  describe.each([true, false])('running=%s', (running) => {
    let ctr = '';
    beforeAll(async () => {
      ctr = await prepared(running);
    });

    it('copies a directory out with modes, owners, links and hard links', async () => {
      const out = fs.mkdtempSync(path.join(work, 'out-'));
      await ok('cp', `${ctr}:/data`, out);
      const d = path.join(out, 'data');
      expect(fs.readFileSync(path.join(d, 'sub/a.txt'), 'utf8')).toBe('hello\n');
      const a = fs.statSync(path.join(d, 'sub/a.txt'));
      expect([a.mode & 0o7777, a.uid, a.gid]).toEqual([0o640, 1234, 4321]);
      expect(fs.statSync(path.join(d, 'exe')).mode & 0o7777).toBe(0o4755);
      // Links come out as links, never read through.
      expect(fs.readlinkSync(path.join(d, 'abs-link'))).toBe(`${bait}/secret`);
      expect(fs.readlinkSync(path.join(d, 'root-link'))).toBe('/');
      expect(fs.lstatSync(path.join(d, 'dir-link')).isSymbolicLink()).toBe(true);
      expect(fs.statSync(path.join(d, 'hard')).ino).toBe(a.ino);
    });

    it('copies one file out under a new name, and a tar to stdout', async () => {
      const out = fs.mkdtempSync(path.join(work, 'one-'));
      await ok('cp', `${ctr}:/data/sub/a.txt`, path.join(out, 'renamed'));
      expect(fs.readFileSync(path.join(out, 'renamed'), 'utf8')).toBe('hello\n');
      const r = await cli('cp', `${ctr}:/data/sub`, '-');
      expect(r.code).toBe(0);
      const names: string[] = [];
      for await (const e of readTar(
        (async function* () {
          yield Buffer.from(r.stdout, 'latin1');
        })(),
      ))
        names.push(e.path);
      expect(names).toEqual(['sub', 'sub/a.txt']);
    });

    it('resolves hostile links inside the container when they are followed', async () => {
      const before = baitSnapshot();
      // Each link target, followed in the container's root: missing there.
      for (const p of ['/data/dir-link/secret', '/etc-link/passwd']) {
        const r = await cli('cp', `${ctr}:${p}`, fs.mkdtempSync(path.join(work, 'h-')));
        expect(r.code, p).not.toBe(0);
        expect(r.stderr).toContain('CP_PATH_NOT_FOUND');
      }
      // A raw read follows the last link too (the Files tab's download), inside the root.
      for (const p of ['/data/abs-link', '/data/dotdot-link']) {
        await expect(
          suite.rpc.call('containers.cp.readBegin', { id: ctr, path: p, format: 'raw' }),
        ).rejects.toMatchObject({
          code: 'CP_PATH_NOT_FOUND',
        });
      }
      const viaRoot = fs.mkdtempSync(path.join(work, 'root-'));
      await ok('cp', `${ctr}:/data/root-link/etc/passwd`, viaRoot);
      expect(fs.readFileSync(path.join(viaRoot, 'passwd'), 'utf8')).toContain('root:x:0:0');
      expect(baitSnapshot()).toEqual(before);
    });

    it('writes through hostile links only inside the container', async () => {
      const before = baitSnapshot();
      const src = fs.mkdtempSync(path.join(work, 'src-'));
      fs.writeFileSync(path.join(src, 'secret'), 'PLANTED');
      fs.writeFileSync(path.join(src, 'passwd'), 'PLANTED');
      // Into a directory reached through links: their targets resolve in the container.
      await ok('cp', path.join(src, 'secret'), `${ctr}:/data/dir-link/`).catch(() => undefined);
      await ok('cp', path.join(src, 'passwd'), `${ctr}:/etc-link/passwd`).catch(() => undefined);
      await ok('cp', path.join(src, 'secret'), `${ctr}:/data/root-link/tmp/landed`);
      // Over a final symlink: the link is what is replaced, not its target.
      await ok('cp', path.join(src, 'secret'), `${ctr}:/data/abs-link`);
      expect(baitSnapshot()).toEqual(before);
      if (running) {
        expect(await sh(ctr, 'cat /tmp/landed')).toBe('PLANTED');
        expect(await sh(ctr, 'cat /data/abs-link; test -L /data/abs-link || echo " not-a-link"')).toBe(
          'PLANTED not-a-link\n',
        );
      } else {
        await ok('start', ctr);
        expect(await sh(ctr, 'cat /tmp/landed')).toBe('PLANTED');
        await ok('stop', '-t', '1', ctr);
      }
    });

    it('a hostile tar on stdin: members climbing out are refused, links in it stay inside', async () => {
      const before = baitSnapshot();
      const through = await tarBuffer([
        { path: 'up', type: 'symlink', linkname: '/' },
        { path: 'up/tmp/through-link', body: 'IN' },
      ]);
      const r1 = await berthCli(sock(), ['cp', '-', `${ctr}:/tmp`], { input: through.toString('latin1') });
      expect(r1.code, r1.stderr).toBe(0);
      if (running) expect(await sh(ctr, 'cat /tmp/through-link')).toBe('IN');
      const toHost = await tarBuffer([
        { path: 'host', type: 'symlink', linkname: bait },
        { path: 'host/secret', body: 'PWNED' },
      ]);
      const r0 = await berthCli(sock(), ['cp', '-', `${ctr}:/tmp`], { input: toHost.toString('latin1') });
      expect(r0.code).not.toBe(0);
      expect(r0.stderr).toContain('CP_PATH_NOT_FOUND');
      const dotdot = await tarBuffer([{ path: '../../../../escape', body: 'x' }]);
      const r2 = await berthCli(sock(), ['cp', '-', `${ctr}:/tmp`], { input: dotdot.toString('latin1') });
      expect(r2.code).not.toBe(0);
      expect(r2.stderr).toContain('CP_ENTRY_INVALID');
      expect(baitSnapshot()).toEqual(before);
      expect(fs.existsSync('/escape')).toBe(false);
    });

    it('copies a directory in, with -a keeping owners and without it giving them to root', async () => {
      const src = fs.mkdtempSync(path.join(work, 'in-'));
      fs.mkdirSync(path.join(src, 'tree/deep'), { recursive: true });
      fs.writeFileSync(path.join(src, 'tree/deep/f'), 'deep');
      fs.chmodSync(path.join(src, 'tree/deep/f'), 0o751);
      fs.chownSync(path.join(src, 'tree/deep/f'), 777, 888);
      fs.symlinkSync('deep/f', path.join(src, 'tree/ln'));
      await ok('cp', '-a', path.join(src, 'tree'), `${ctr}:/data/`);
      await ok('cp', path.join(src, 'tree'), `${ctr}:/data/plain`);
      if (!running) await ok('start', ctr);
      expect(await sh(ctr, 'stat -c "%a %u %g" /data/tree/deep/f; cat /data/tree/ln; readlink /data/tree/ln')).toBe(
        '751 777 888\ndeepdeep/f\n',
      );
      expect(await sh(ctr, 'stat -c "%a %u %g" /data/plain/deep/f')).toBe('751 0 0\n');
      if (!running) await ok('stop', '-t', '1', ctr);
    });

    it('bad input gets stable codes', async () => {
      const out = fs.mkdtempSync(path.join(work, 'bad-'));
      const cases: Array<[string[], string]> = [
        [['cp', `nosuch-${tag}:/etc/passwd`, out], 'CONTAINER_NOT_FOUND'],
        [['cp', `${ctr}:/no/such/file`, out], 'CP_PATH_NOT_FOUND'],
        [['cp', `${ctr}:/data/../etc/passwd`, out], 'CP_PATH_INVALID'],
        [['cp', `${ctr}:/data/sub/a.txt/x`, out], 'CP_NOT_A_DIRECTORY'],
        [['cp', path.join(out), `${ctr}:/data/sub/a.txt`], 'CP_NOT_A_DIRECTORY'],
        [['cp', '/etc/hostname', `${ctr}:/no/such/dir/`], 'CP_PATH_NOT_FOUND'],
      ];
      for (const [args, code] of cases) {
        const r = await cli(...args);
        expect(r.code, args.join(' ')).not.toBe(0);
        expect(r.stderr, args.join(' ')).toContain(code);
      }
    });
  });

  it('a symlink swapped back and forth during a copy never leads outside', async () => {
    const n = name('swap');
    await ok(
      'run',
      '-d',
      '--network',
      'none',
      '--name',
      n,
      'busybox',
      'sh',
      '-c',
      `mkdir -p /w/real; while :; do mv /w/real /w/tmp; ln -s ${bait} /w/real; rm /w/real; mv /w/tmp /w/real; done`,
    );
    const before = baitSnapshot();
    const src = fs.mkdtempSync(path.join(work, 'swap-'));
    for (let i = 0; i < 200; i++) fs.writeFileSync(path.join(src, `f${i}`), `file ${i}`);
    fs.writeFileSync(path.join(src, 'secret'), 'SWAPPED');
    for (let round = 0; round < 5; round++) {
      // Failures (the directory missing at that instant) are fine; writes outside are not.
      await cli('cp', `${src}/.`, `${n}:/w/real`);
      await cli('cp', `${n}:/w/real`, fs.mkdtempSync(path.join(work, 'swapout-')));
    }
    expect(baitSnapshot()).toEqual(before);
    await ok('rm', '-f', n);
  });

  it('streams a large file without holding it (both ways, checked by content)', async () => {
    const n = name('big');
    await ok('run', '-d', '--network', 'none', '--name', n, 'busybox', 'sleep', '600');
    const big = path.join(work, 'big.bin');
    const fh = fs.openSync(big, 'w');
    const block = Buffer.alloc(1024 * 1024);
    for (let i = 0; i < 24; i++) {
      block.fill(i);
      fs.writeSync(fh, block);
    }
    fs.closeSync(fh);
    await ok('cp', big, `${n}:/tmp/big.bin`);
    expect((await sh(n, 'md5sum /tmp/big.bin')).split(' ')[0]).toBe(
      (
        await new Promise<string>((res) => {
          const c = spawn('md5sum', [big]);
          let o = '';
          c.stdout.on('data', (d: Buffer) => (o += d.toString()));
          c.on('close', () => res(o));
        })
      ).split(' ')[0],
    );
    const back = fs.mkdtempSync(path.join(work, 'bigback-'));
    await ok('cp', `${n}:/tmp/big.bin`, back);
    expect(fs.readFileSync(path.join(back, 'big.bin')).equals(fs.readFileSync(big))).toBe(true);
    await ok('rm', '-f', n);
  });
});
