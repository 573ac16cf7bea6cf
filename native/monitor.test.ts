// berth-monitor end to end, as root, on the real kernel: a busybox rootfs as a
// single overlay lowerdir, one fresh upper/work dir per container.
import { createHash } from 'node:crypto';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  FrameDecoder,
  FrameType,
  encodeFrame,
  encodeResize,
  type Frame,
  type MonitorError,
  type MonitorState,
} from './monitor.js';
import {
  AttachClient,
  Fixture,
  MEMORY_CGROUP_ROOT,
  MONITOR,
  execInContainer,
  execSpec,
  isAlive,
  logEntries,
  makeCgroup,
  readJson,
  removeCgroup,
  runMonitor,
  runToEnd,
  sleep,
  start,
  state,
  stop,
  waitExit,
  waitFor,
  type Container,
} from '../main/testing/monitor-fixture.js';

const isRoot = process.getuid?.() === 0;

function sha256(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

function nsInode(pid: number | 'self', type: string): string {
  return fs.readlinkSync(`/proc/${pid}/ns/${type}`);
}

function mountinfo(pid: number | 'self'): string[][] {
  return fs
    .readFileSync(`/proc/${pid}/mountinfo`, 'utf8')
    .trim()
    .split('\n')
    .map((l) => l.split(' '));
}

/** mount point → { fstype, options (per-mount + super) } from mountinfo. */
function mountsByPoint(pid: number): Map<string, { fstype: string; opts: string; source: string }> {
  const out = new Map<string, { fstype: string; opts: string; source: string }>();
  for (const f of mountinfo(pid)) {
    const sep = f.indexOf('-');
    out.set(f[4]!, { fstype: f[sep + 1]!, source: f[sep + 2]!, opts: `${f[5]} ${f[sep + 3]}` });
  }
  return out;
}

describe.runIf(isRoot)('berth-monitor', () => {
  let fx: Fixture;
  const running: Container[] = [];
  const cgroups: string[] = [];
  let createdBerthCgroup = false;

  beforeAll(() => {
    createdBerthCgroup = !fs.existsSync(path.join(MEMORY_CGROUP_ROOT, 'berth'));
    fx = new Fixture();
  });

  afterEach(async () => {
    for (const c of running.splice(0)) await stop(c);
    for (const dir of cgroups.splice(0)) await removeCgroup(dir);
  });

  afterAll(() => {
    if (createdBerthCgroup) {
      try {
        fs.rmdirSync(path.join(MEMORY_CGROUP_ROOT, 'berth'));
      } catch {
        // someone else's cgroup lives there now
      }
    }
    // Nothing may stay mounted on the host from any container.
    const leaked = mountinfo('self').filter((f) => f[4]!.startsWith(fx.base));
    fx.cleanup();
    expect(leaked).toEqual([]);
  });

  async function startRunning(c: Container): Promise<MonitorState & { status: 'running' }> {
    running.push(c);
    return start(c);
  }

  it('runs echo hello: stdout in the log, exit 0, state exited', async () => {
    const c = fx.container(['echo', 'hello']);
    const { exit, log } = await runToEnd(c);
    expect(exit).toMatchObject({ exitCode: 0, signal: null });
    expect(log).toContainEqual(expect.objectContaining({ s: 'stdout', log: 'hello' }));
    expect(log[0]!.t).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/);
    const s = state(c);
    expect(s).toMatchObject({ status: 'exited', exitCode: 0 });
    if (s?.status !== 'exited') throw new Error('not exited');
    expect(s.pidStartTime).toBeGreaterThan(0);
    await waitFor('monitor exit', () => (isAlive(s.monitorPid) ? undefined : true));
    expect(fs.existsSync(path.join(c.stateDir, 'attach.sock'))).toBe(false);
  });

  it('reports the exit code and stderr lines', async () => {
    const c = fx.container(['sh', '-c', 'echo err >&2; exit 3']);
    const { exit, stderr, stdout } = await runToEnd(c);
    expect(exit.exitCode).toBe(3);
    expect(stderr).toEqual(['err']);
    expect(stdout).toEqual([]);
  });

  it('reports death by signal as 128+n with the signal name (no pid namespace)', async () => {
    // As pid 1 of its own pid namespace it could not be killed from inside.
    const c = fx.container(['sh', '-c', 'kill -KILL $$'], (spec) => {
      spec.linux.namespaces = spec.linux.namespaces.filter((n) => n.type !== 'pid');
    });
    const { exit } = await runToEnd(c);
    expect(exit).toMatchObject({ exitCode: 137, signal: 'SIGKILL' });
  });

  it('sets the hostname from the spec', async () => {
    const c = fx.container(['hostname']);
    const { stdout } = await runToEnd(c);
    expect(stdout).toEqual([c.name]);
  });

  it('creates each requested namespace, and shares the host network when none is listed', async () => {
    const own = fx.container(['sleep', '30']);
    const hostNet = fx.container(['sleep', '30'], (spec) => {
      spec.linux.namespaces = spec.linux.namespaces.filter((n) => n.type !== 'network');
    });
    const a = await startRunning(own);
    const b = await startRunning(hostNet);
    for (const type of ['pid', 'mnt', 'uts', 'ipc', 'net', 'cgroup']) {
      expect(nsInode(a.pid, type), type).not.toBe(nsInode('self', type));
    }
    expect(nsInode(b.pid, 'net')).toBe(nsInode('self', 'net'));
    for (const type of ['pid', 'mnt', 'uts', 'ipc', 'cgroup']) {
      expect(nsInode(b.pid, type), type).not.toBe(nsInode('self', type));
      expect(nsInode(b.pid, type), type).not.toBe(nsInode(a.pid, type));
    }
    // Not requested: shared with the host.
    expect(nsInode(a.pid, 'user')).toBe(nsInode('self', 'user'));
    expect(nsInode(a.pid, 'time')).toBe(nsInode('self', 'time'));
    // pid 1 of its own pid namespace
    expect(fs.readFileSync(`/proc/${a.pid}/status`, 'utf8')).toMatch(/^NSpid:\s+\d+\s+1$/m);
  });

  it("drops to Docker's default capabilities with no_new_privs", async () => {
    const c = fx.container(['sleep', '30']);
    const s = await startRunning(c);
    const status = fs.readFileSync(`/proc/${s.pid}/status`, 'utf8');
    expect(status).toMatch(/^NoNewPrivs:\s+1$/m);
    expect(status).toMatch(/^CapEff:\s+00000000a80425fb$/m);
    expect(status).toMatch(/^CapPrm:\s+00000000a80425fb$/m);
    expect(status).toMatch(/^CapBnd:\s+00000000a80425fb$/m);
    expect(status).toMatch(/^CapInh:\s+0000000000000000$/m);
    expect(status).toMatch(/^CapAmb:\s+0000000000000000$/m);
    expect(fs.readFileSync(`/proc/${s.pid}/limits`, 'utf8')).toMatch(/^Max open files\s+1024\s+1024/m);
  });

  it('mounts the overlay root, proc, read-only sysfs, /dev and the masked and read-only paths', async () => {
    const c = fx.container(['sleep', '30']);
    const s = await startRunning(c);
    const m = mountsByPoint(s.pid);
    expect(m.get('/')).toMatchObject({ fstype: 'overlay' });
    expect(m.get('/')!.opts).toContain(`upperdir=${c.dir}/upper`);
    expect(m.get('/proc')).toMatchObject({ fstype: 'proc' });
    expect(m.get('/sys')).toMatchObject({ fstype: 'sysfs' });
    expect(m.get('/sys')!.opts).toMatch(/^ro,/);
    expect(m.get('/dev')).toMatchObject({ fstype: 'tmpfs' });
    expect(m.get('/dev')!.opts).toContain('mode=755');
    expect(m.get('/dev/pts')).toMatchObject({ fstype: 'devpts' });
    expect(m.get('/dev/pts')!.opts).toContain('ptmxmode=666');
    expect(m.get('/dev/shm')).toMatchObject({ fstype: 'tmpfs' });
    expect(m.get('/dev/mqueue')).toMatchObject({ fstype: 'mqueue' });
    // masked: /dev/null over files, read-only tmpfs over directories
    // (this kernel has no /proc/kcore: missing masked paths are skipped)
    expect(m.get('/proc/keys')).toMatchObject({ fstype: 'tmpfs' }); // the /dev tmpfs: its null node
    expect(m.get('/proc/keys')!.opts).toContain('mode=755');
    expect(m.get('/proc/timer_list')).toMatchObject({ fstype: 'tmpfs' });
    expect(m.get('/sys/firmware')).toMatchObject({ fstype: 'tmpfs' });
    expect(m.get('/sys/firmware')!.opts).toMatch(/^ro,/);
    for (const ro of ['/proc/sys', '/proc/bus', '/proc/fs', '/proc/irq', '/proc/sysrq-trigger']) {
      if (!fs.existsSync(ro)) continue; // missing paths are skipped
      expect(m.get(ro)?.opts, ro).toMatch(/^ro,/);
    }
    // Nothing of the host's tree is left inside.
    expect([...m.keys()].filter((p) => p.startsWith('/mnt') || p.startsWith('/tmp'))).toEqual([]);
    // And the container's mounts are not on the host.
    expect(mountinfo('self').filter((f) => f[4]!.startsWith(c.dir))).toEqual([]);
  });

  it('a sysfs spec mount on /sys replaces the read-only one: rw without "ro" (--privileged), once', async () => {
    const rw = fx.container(['sleep', '30'], (spec) => {
      spec.mounts = [
        { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'rw'] },
      ];
    });
    const pid = (await startRunning(rw)).pid;
    const m = mountsByPoint(pid);
    expect(m.get('/sys')).toMatchObject({ fstype: 'sysfs' });
    expect(m.get('/sys')!.opts).toMatch(/^rw,/);
    expect(mountinfo(pid).filter((f) => f[4] === '/sys')).toHaveLength(1);
    const ro = fx.container(['sleep', '30'], (spec) => {
      spec.mounts = [{ destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['ro'] }];
    });
    expect(mountsByPoint((await startRunning(ro)).pid).get('/sys')!.opts).toMatch(/^ro,/);
  });

  it('brings lo up in a network namespace it creates', async () => {
    const c = fx.container(['sh', '-c', 'cat /sys/class/net/lo/flags /sys/class/net/lo/operstate']);
    const { exit, stdout } = await runToEnd(c);
    expect(exit.exitCode).toBe(0);
    expect(Number(stdout[0]) & 1).toBe(1); // IFF_UP (a new namespace's lo starts down)
    expect(stdout[1]).toBe('unknown'); // what an up loopback reports (down: "down")
  });

  it('joins namespaces by path, and creates a time namespace', async () => {
    const a = fx.container(['sleep', '30']);
    const sa = await startRunning(a);
    const b = fx.container(['sleep', '30'], (spec) => {
      spec.linux.namespaces = [
        { type: 'pid' },
        { type: 'mount' },
        { type: 'network', path: `/proc/${sa.pid}/ns/net` },
        { type: 'ipc', path: `/proc/${sa.pid}/ns/ipc` },
        { type: 'uts', path: `/proc/${sa.pid}/ns/uts` },
        { type: 'time' },
      ];
      delete spec.hostname;
    });
    const sb = await startRunning(b);
    for (const type of ['net', 'ipc', 'uts']) expect(nsInode(sb.pid, type), type).toBe(nsInode(sa.pid, type));
    for (const type of ['pid', 'mnt']) expect(nsInode(sb.pid, type), type).not.toBe(nsInode(sa.pid, type));
    expect(nsInode(sb.pid, 'time')).not.toBe(nsInode('self', 'time'));
    expect(nsInode(sb.pid, 'cgroup')).toBe(nsInode('self', 'cgroup')); // not listed: shared

    const bad = fx.container(['true'], (spec) => {
      spec.linux.namespaces.push({ type: 'network', path: '/proc/self/ns/nope' });
      spec.linux.namespaces = spec.linux.namespaces.filter(
        (n, i, all) => all.findIndex((m) => m.type === n.type) === i || n.path,
      );
      spec.linux.namespaces = spec.linux.namespaces.filter((n) => n.type !== 'network' || n.path);
    });
    expect((await runMonitor(bad.stateDir)).code).toBe(1);
    expect(state(bad)).toMatchObject({
      status: 'failed',
      error: {
        step: 'setns',
        message: 'open network namespace /proc/self/ns/nope: ENOENT (No such file or directory)',
      },
    });
  });

  it('runs without an overlay: root.path bound onto itself, read-only root', async () => {
    const c = fx.container(
      ['sh', '-c', 'touch /new-file; echo $?; touch /tmp/x; echo $?; cat /proc/self/mountinfo'],
      (spec) => {
        delete spec.overlay;
        spec.root = { path: fx.lower, readonly: true };
      },
    );
    const { stdout, stderr, exit } = await runToEnd(c);
    expect(exit.exitCode).toBe(0);
    expect(stdout.slice(0, 2)).toEqual(['1', '1']);
    expect(stderr.join('\n')).toMatch(/Read-only file system/);
    const root = stdout.find((l) => l.split(' ')[4] === '/');
    expect(root?.split(' ')[5]).toMatch(/^ro,/);
    expect(fs.existsSync(path.join(fx.lower, 'new-file'))).toBe(false);
  });

  it('creates the device nodes and /dev symlinks', async () => {
    const c = fx.container([
      'sh',
      '-c',
      'ls -l /dev/null /dev/zero /dev/full /dev/random /dev/urandom /dev/tty; for l in fd stdin ptmx; do readlink /dev/$l; done; head -c 4 /dev/zero | wc -c; echo x > /dev/null && echo null-ok',
    ]);
    const { stdout, exit } = await runToEnd(c);
    expect(exit.exitCode).toBe(0);
    const text = stdout.join('\n');
    for (const [name, dev] of [
      ['null', '1,   3'],
      ['zero', '1,   5'],
      ['full', '1,   7'],
      ['random', '1,   8'],
      ['urandom', '1,   9'],
      ['tty', '5,   0'],
    ]) {
      expect(text).toMatch(new RegExp(`crw-rw-rw-.*${dev}.*/dev/${name}$`, 'm'));
    }
    expect(stdout).toEqual(expect.arrayContaining(['/proc/self/fd', '/proc/self/fd/0', 'pts/ptmx', '4', 'null-ok']));
  });

  it('leaves no fd above 2 open in the container', async () => {
    const c = fx.container(['ls', '/proc/self/fd']);
    const { stdout } = await runToEnd(c);
    // 0 1 2 and the directory fd ls itself opened to list /proc/self/fd
    expect(stdout).toEqual(['0', '1', '2', '3']);
  });

  it('binds volumes, read-only when asked', async () => {
    const vol = path.join(fx.base, 'vol-rw');
    const volRo = path.join(fx.base, 'vol-ro');
    fs.mkdirSync(vol);
    fs.mkdirSync(volRo);
    fs.writeFileSync(path.join(volRo, 'file'), 'from host\n');
    const c = fx.container(
      ['sh', '-c', 'echo hi > /data/rw/new && cat /data/ro/file && (echo x > /data/ro/file) 2>&1; echo $?'],
      (spec) => {
        spec.mounts = [
          { destination: '/data/rw', type: 'bind', source: vol, options: ['rbind', 'rprivate', 'rw'] },
          { destination: '/data/ro', type: 'bind', source: volRo, options: ['bind', 'ro', 'nosuid', 'nodev'] },
          { destination: '/scratch', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'size=1m', 'mode=0700'] },
        ];
      },
    );
    const { stdout } = await runToEnd(c);
    expect(stdout[0]).toBe('from host');
    expect(stdout.join('\n')).toMatch(/Read-only file system/);
    expect(stdout.at(-1)).toBe('1');
    expect(fs.readFileSync(path.join(vol, 'new'), 'utf8')).toBe('hi\n');
    expect(fs.readFileSync(path.join(volRo, 'file'), 'utf8')).toBe('from host\n');
  });

  it('keeps mount targets inside the rootfs even through hostile symlinks', async () => {
    // An image layer whose /escape points at the host's root.
    const layer = path.join(fx.base, 'evil-layer');
    fs.mkdirSync(layer);
    fs.symlinkSync('../../../../../../../../../', path.join(layer, 'escape'));
    const vol = path.join(fx.base, 'vol-evil');
    fs.mkdirSync(vol);
    const marker = `berth-escape-${process.pid}-${Date.now()}`;
    const c = fx.container(['sh', '-c', `ls -d /${marker}`], (spec) => {
      spec.overlay!.lowerdirs = [layer, fx.lower];
      spec.mounts = [{ destination: `/escape/${marker}`, type: 'bind', source: vol, options: ['bind'] }];
    });
    const { stdout, exit } = await runToEnd(c);
    expect(exit.exitCode).toBe(0);
    expect(stdout).toEqual([`/${marker}`]);
    expect(fs.existsSync(`/${marker}`)).toBe(false); // never created on the host
  });

  it('names the failing step: chdir to a missing cwd', async () => {
    const c = fx.container(['true'], (spec) => {
      spec.process.cwd = '/nonexistent';
    });
    const r = await runMonitor(c.stateDir);
    expect(r.code).toBe(1);
    const s = state(c);
    expect(s).toMatchObject({
      status: 'failed',
      error: { step: 'chdir', errnoName: 'ENOENT', message: 'chdir /nonexistent: ENOENT (No such file or directory)' },
    });
    expect(readJson<MonitorError>(path.join(c.stateDir, 'monitor-error.json'))).toMatchObject({ step: 'chdir' });
    expect(r.stderr).toContain('chdir /nonexistent: ENOENT');
    expect(fs.existsSync(path.join(c.stateDir, 'exit.json'))).toBe(false);
  });

  it('names the failing step: execve of a command not in PATH', async () => {
    const c = fx.container(['no-such-command', 'x']);
    const r = await runMonitor(c.stateDir);
    expect(r.code).toBe(1);
    const s = state(c);
    if (s?.status !== 'failed') throw new Error(JSON.stringify(s));
    expect(s.error).toMatchObject({ step: 'execve', errno: 2, errnoName: 'ENOENT' });
    expect(s.error.message).toContain('"no-such-command"');
    expect(s.error.message).toContain('not found in $PATH');
  });

  it('places the container in its cgroups before it runs, and names a bad cgroup file', async () => {
    const cg = makeCgroup(`test-${process.pid}-${Date.now()}`);
    cgroups.push(cg);
    const monitorCg = makeCgroup(`monitor-${process.pid}-${Date.now()}`);
    cgroups.push(monitorCg);
    const c = fx.container(['sh', '-c', 'cat /proc/self/cgroup; sleep 30'], (spec) => {
      spec.cgroupProcs = [path.join(cg, 'cgroup.procs')];
      spec.monitorCgroupProcs = [path.join(monitorCg, 'cgroup.procs')];
    });
    const s = await startRunning(c);
    const procs = fs.readFileSync(path.join(cg, 'cgroup.procs'), 'utf8').trim().split('\n').map(Number);
    expect(procs).toContain(s.pid); // (with the cat it may have started, a moment)
    const monitorProcs = fs.readFileSync(path.join(monitorCg, 'cgroup.procs'), 'utf8').trim().split('\n').map(Number);
    expect(monitorProcs).toEqual([s.monitorPid]);
    // From the first instruction on: its own view (cgroup namespace) has it at the root.
    await waitFor('cgroup line', () => logEntries(c.logPath).find((e) => /:memory:\/$/.test(e.log)));

    const missing = path.join(MEMORY_CGROUP_ROOT, 'berth', 'does-not-exist', 'cgroup.procs');
    const bad = fx.container(['true'], (spec) => {
      spec.cgroupProcs = [missing];
    });
    expect((await runMonitor(bad.stateDir)).code).toBe(1);
    const failed = state(bad);
    if (failed?.status !== 'failed') throw new Error(JSON.stringify(failed));
    expect(failed.error.step).toBe('cgroup');
    expect(failed.error.message).toBe(`open ${missing}: ENOENT (No such file or directory)`);
  });

  it('run --standby --pool: init is born in the renamed pool (only it there, the monitor never); another pool or a fresh run writes the files', async () => {
    const tag = `${process.pid}-${Date.now()}`;
    const pool = makeCgroup(`.standby-t${tag}`);
    const target = path.join(path.dirname(pool), `pooled-${tag}`);
    cgroups.push(target, pool);
    const procsOf = (dir: string): number[] =>
      fs.readFileSync(path.join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number);
    /** A standby with the pool; resolves with its pid once its spawner sits in the pool. */
    const poolStandby = async (): Promise<ReturnType<typeof spawn>> => {
      const child = spawn(
        MONITOR,
        ['run', '--standby', '--pool', path.basename(pool), path.join(pool, 'cgroup.procs')],
        {
          stdio: ['pipe', 'pipe', 'pipe'],
        },
      );
      await waitFor('the spawner in the pool', () => (procsOf(pool).length === 1 ? true : undefined), 10_000);
      const [spawner] = procsOf(pool);
      const ppid = Number(/PPid:\s+(\d+)/.exec(fs.readFileSync(`/proc/${spawner}/status`, 'utf8'))![1]);
      expect(ppid).toBe(child.pid);
      return child;
    };
    const report = (child: ReturnType<typeof spawn>, stateDir: string): Promise<number> =>
      new Promise((resolve) => {
        child.stdout!.once('data', (b: Buffer) => resolve(b[0]!));
        child.stdin!.end(`${stateDir}\n`);
      });

    // The helper's adoption: the pool renamed to the container's group, named in the spec.
    let child = await poolStandby();
    fs.renameSync(pool, target);
    const c = fx.container(['sleep', '30'], (spec) => {
      spec.cgroupPool = { name: path.basename(pool), procs: [path.join(target, 'cgroup.procs')] };
    });
    running.push(c);
    expect(await report(child, c.stateDir)).toBe(0);
    const s = state(c);
    if (s?.status !== 'running') throw new Error(JSON.stringify(s));
    expect(procsOf(target)).toEqual([s.pid]);
    expect(s.monitorPid).toBe(child.pid);
    // init is the monitor's child (CLONE_PARENT), so the monitor reaps it.
    expect(Number(/PPid:\s+(\d+)/.exec(fs.readFileSync(`/proc/${s.pid}/status`, 'utf8'))![1])).toBe(child.pid);
    await stop(c);
    running.splice(running.indexOf(c), 1);
    expect((await waitExit(c)).signal).toBe('SIGKILL');

    // A spec that names another pool: the spawner is killed, the files are written.
    fs.mkdirSync(pool);
    child = await poolStandby();
    const other = makeCgroup(`other-${tag}`);
    cgroups.push(other);
    const d = fx.container(['sleep', '30'], (spec) => {
      spec.cgroupPool = { name: '.standby-elsewhere', procs: [path.join(other, 'cgroup.procs')] };
    });
    running.push(d);
    expect(await report(child, d.stateDir)).toBe(0);
    const sd = state(d);
    if (sd?.status !== 'running') throw new Error(JSON.stringify(sd));
    expect(procsOf(other)).toEqual([sd.pid]);
    expect(procsOf(pool)).toEqual([]);

    // A spawner killed while it waits: the monitor clones init itself and writes the files.
    await stop(d);
    running.splice(running.indexOf(d), 1);
    child = await poolStandby();
    process.kill(procsOf(pool)[0]!, 'SIGKILL');
    const target2 = path.join(path.dirname(pool), `pooled2-${tag}`);
    cgroups.push(target2);
    fs.renameSync(pool, target2);
    const k = fx.container(['sleep', '30'], (spec) => {
      spec.cgroupPool = { name: path.basename(pool), procs: [path.join(target2, 'cgroup.procs')] };
    });
    running.push(k);
    expect(await report(child, k.stateDir)).toBe(0);
    const sk = state(k);
    if (sk?.status !== 'running') throw new Error(JSON.stringify(sk));
    expect(procsOf(target2)).toEqual([sk.pid]);

    // A fresh run (no spawner) given a pool: writes its files too.
    const e = fx.container(['sleep', '30'], (spec) => {
      spec.cgroupPool = { name: path.basename(pool), procs: [path.join(target, 'cgroup.procs')] };
    });
    const se = await startRunning(e);
    expect(procsOf(target)).toEqual([se.pid]);
  });

  it('survives SIGKILL of the process that started it, and signals sent to it', async () => {
    const c = fx.container(['sleep', '30']);
    running.push(c);
    const shell = spawn('sh', ['-c', `"${MONITOR}" run "${c.stateDir}"; sleep 60`], { stdio: 'ignore' });
    const s = await waitFor('running', () => {
      const st = state(c);
      return st?.status === 'running' ? st : undefined;
    });
    shell.kill('SIGKILL');
    // The helper dies with its whole process group in real life too.
    for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.kill(s.monitorPid, sig);
    await sleep(100);
    expect(isAlive(s.monitorPid)).toBe(true);
    expect(isAlive(s.pid)).toBe(true);
    process.kill(s.pid, 'SIGTERM'); // sleep as pid 1 ignores TERM: no handler
    process.kill(s.pid, 'SIGKILL');
    const exit = await waitExit(c);
    expect(exit).toMatchObject({ exitCode: 137, signal: 'SIGKILL' });
    expect(state(c)).toMatchObject({ status: 'exited', pid: s.pid });
    await waitFor('monitor exit', () => (isAlive(s.monitorPid) ? undefined : true));
  });

  it('rotates the log at maxBytes keeping maxFiles files', async () => {
    const c = fx.container(['seq', '1', '3000'], (spec) => {
      spec.log.maxBytes = 8192;
      spec.log.maxFiles = 3;
    });
    await runToEnd(c);
    const files = fs
      .readdirSync(c.stateDir)
      .filter((f) => f.startsWith('container.log'))
      .sort();
    expect(files).toEqual(['container.log', 'container.log.1', 'container.log.2']);
    for (const f of files) expect(fs.statSync(path.join(c.stateDir, f)).size).toBeLessThanOrEqual(8192);
    const live = logEntries(c.logPath).map((e) => e.log);
    expect(live.at(-1)).toBe('3000');
    const older = logEntries(`${c.logPath}.1`).map((e) => Number(e.log));
    expect(older.at(-1)! + 1).toBe(Number(live[0])); // contiguous across the rotation
  });

  it('writes partial lines after a pause, and escapes what is not UTF-8', async () => {
    const c = fx.container(['sh', '-c', "printf 'no newline'; sleep 0.3; printf ' \\377\\001 done\\n'"]);
    const { log } = await runToEnd(c);
    expect(log.map((e) => ({ log: e.log, partial: e.partial }))).toEqual([
      { log: 'no newline', partial: true },
      { log: ' \ufffd\u0001 done', partial: undefined },
    ]);
    const raw = fs.readFileSync(c.logPath, 'utf8');
    expect(raw).toContain('\\u0001');
  });

  it('attach: stdin to a terminal shell, output back, resize, exit frame', async () => {
    const c = fx.container(['sh'], (spec) => {
      spec.process.terminal = true;
      spec.process.consoleSize = { height: 24, width: 80 };
    });
    const s = await startRunning(c);
    expect(fs.statSync(path.join(c.stateDir, 'attach.sock')).mode & 0o777).toBe(0o600);
    const a = await AttachClient.connect(c.stateDir);
    a.send(FrameType.Stdin, 'echo hi\n');
    await a.waitOutput(/\r\nhi\r\n/);
    a.send(FrameType.Stdin, 'stty size; tty; ls -l /dev/console\n');
    await a.waitOutput(/24 80\r\n/);
    a.sendRaw(encodeResize(40, 100));
    a.send(FrameType.Stdin, 'stty size\n');
    await a.waitOutput(/40 100\r\n/);
    expect(a.output()).toContain('/dev/pts/0');
    expect(a.output()).toMatch(/crw--w---- .* 136,\s+0 .*\/dev\/console/);
    a.send(FrameType.Stdin, 'exit 5\n');
    const exit = await waitExit(c);
    expect(exit.exitCode).toBe(5);
    const frame = await waitFor('exit frame', () => a.frames.find((f) => f.type === FrameType.Exit));
    expect(JSON.parse(frame.payload.toString())).toMatchObject({ exitCode: 5, signal: null });
    await waitFor('socket closed', () => (a.closed ? true : undefined));
    // The terminal's output is in the log too, as stdout.
    expect(logEntries(c.logPath).map((e) => e.log)).toContain('hi\r');
    await waitFor('monitor exit', () => (isAlive(s.monitorPid) ? undefined : true));
  });

  it('attach: openStdin pipe, several clients, close-stdin ends cat', async () => {
    const c = fx.container(['sh', '-c', 'cat; echo "cat done" >&2'], (spec) => {
      spec.process.openStdin = true;
    });
    await startRunning(c);
    const a = await AttachClient.connect(c.stateDir);
    const b = await AttachClient.connect(c.stateDir);
    a.send(FrameType.Stdin, 'abc\n');
    await a.waitOutput('abc\n');
    await b.waitOutput('abc\n');
    b.send(FrameType.CloseStdin);
    await a.waitOutput('cat done\n', FrameType.Stderr);
    expect((await waitExit(c)).exitCode).toBe(0);
    for (const client of [a, b]) {
      await waitFor('exit frame', () => client.frames.find((f) => f.type === FrameType.Exit));
      await waitFor('closed', () => (client.closed ? true : undefined));
    }
  });

  it('attach: a client still writing when the container exits gets its output, exit frame and EOF', async () => {
    // The race `berth attach` lost under load: stdin went in, the process wrote
    // and exited, the monitor closed, and the client's next write (close-stdin)
    // failed with EPIPE; Node then destroys the socket and the output and exit
    // frame waiting in its receive buffer are gone.
    const c = fx.container(['sh', '-c', 'read x; echo got $x; exit 4'], (spec) => {
      spec.process.openStdin = true;
    });
    const s = await startRunning(c);
    const sock = net.createConnection(path.join(c.stateDir, 'attach.sock'));
    await new Promise<void>((resolve, reject) => sock.once('connect', resolve).once('error', reject));
    const frames: Frame[] = [];
    const decoder = new FrameDecoder();
    let error: string | null = null;
    const closed = new Promise<void>((resolve) => sock.once('close', () => resolve()));
    sock.on('error', (e) => (error = e.message));
    sock.write(encodeFrame(FrameType.Stdin, 'hello\n'));
    // The monitor removes attach.sock as it shuts down, after the exit frame is queued for us.
    await waitFor('attach.sock removed', () =>
      fs.existsSync(path.join(c.stateDir, 'attach.sock')) ? undefined : true,
    );
    sock.write(encodeFrame(FrameType.CloseStdin));
    sock.on('data', (d: Buffer) => frames.push(...decoder.push(d)));
    await closed;
    expect(error).toBeNull();
    const out = Buffer.concat(frames.filter((f) => f.type === FrameType.Stdout).map((f) => f.payload)).toString();
    expect(out).toBe('got hello\n');
    const exit = frames.find((f) => f.type === FrameType.Exit);
    expect(JSON.parse(exit?.payload.toString() ?? '{}')).toMatchObject({ exitCode: 4 });
    // Our close ended the monitor's wait for us.
    await waitFor('monitor exit', () => (isAlive(s.monitorPid) ? undefined : true));
  });

  it('attach: a protocol violation drops only that client', async () => {
    const c = fx.container(['cat'], (spec) => {
      spec.process.openStdin = true;
    });
    await startRunning(c);
    const unknownType = await AttachClient.connect(c.stateDir);
    const tooLarge = await AttachClient.connect(c.stateDir);
    const good = await AttachClient.connect(c.stateDir);
    unknownType.sendRaw(Buffer.from([9, 0, 0, 0, 0]));
    tooLarge.sendRaw(Buffer.from([0, 0xff, 0xff, 0xff, 0xff]));
    await waitFor('bad clients dropped', () => (unknownType.closed && tooLarge.closed ? true : undefined));
    good.send(FrameType.Stdin, 'still here\n');
    await good.waitOutput('still here\n');
    expect(good.closed).toBe(false);
  });

  describe('exec', () => {
    it('runs cat /etc/hostname in a running container and returns its exit code', async () => {
      const hostnameFile = path.join(fx.base, 'hostname-file');
      const c = fx.container(['sleep', '30'], (spec, c) => {
        fs.writeFileSync(hostnameFile, `${c.name}\n`);
        spec.mounts = [{ destination: '/etc/hostname', type: 'bind', source: hostnameFile, options: ['bind', 'ro'] }];
      });
      await startRunning(c);
      const r = await execInContainer(c, execSpec(['cat', '/etc/hostname']));
      expect(r).toMatchObject({ code: 0, stdout: `${c.name}\n`, stderr: '' });
      const started = r.control.find((f) => f.type === FrameType.Started);
      expect(JSON.parse(started!.payload.toString()).pid).toBeGreaterThan(0);
      const exitFrame = r.control.find((f) => f.type === FrameType.Exit);
      expect(JSON.parse(exitFrame!.payload.toString())).toMatchObject({ exitCode: 0 });

      const r7 = await execInContainer(c, execSpec(['sh', '-c', 'echo out; echo err >&2; exit 7']));
      expect(r7).toMatchObject({ code: 7, stdout: 'out\n', stderr: 'err\n' });

      const killed = await execInContainer(c, execSpec(['sh', '-c', 'kill -KILL $$']));
      expect(killed.code).toBe(137);
      const killedExit = killed.control.find((f) => f.type === FrameType.Exit);
      expect(JSON.parse(killedExit!.payload.toString())).toMatchObject({ exitCode: 137, signal: 'SIGKILL' });
    });

    it('EOF on the control fd SIGKILLs the process and every process of its session (the helper let go)', async () => {
      const c = fx.container(['sleep', '30']);
      await startRunning(c);
      const tag = 9000 + Math.floor(Math.random() * 900);
      const pidsOf = (argv: string): number[] =>
        fs
          .readdirSync('/proc')
          .filter((e) => /^\d+$/.test(e))
          .filter((e) => {
            try {
              return fs.readFileSync(`/proc/${e}/cmdline`, 'utf8').replace(/\0/g, ' ').trim() === argv;
            } catch {
              return false;
            }
          })
          .map(Number);
      let seen: number[] = [];
      // A shell that ignores SIGTERM and SIGHUP, with a background job in its session.
      const r = await execInContainer(c, execSpec(['sh', '-c', `trap "" TERM HUP; sleep ${tag}1 & sleep ${tag}2`]), {
        onSpawn: (_stdin, control) => {
          const t = setInterval(() => {
            seen = [...pidsOf(`sleep ${tag}1`), ...pidsOf(`sleep ${tag}2`)];
            if (seen.length === 2) {
              clearInterval(t);
              control.end();
            }
          }, 20);
        },
      });
      expect(r.code).toBe(137);
      expect(seen).toHaveLength(2);
      // Gone, or a zombie the container's init (sleep, which reaps nobody) now holds.
      const dead = (pid: number): boolean => {
        try {
          const st = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
          return st.slice(st.lastIndexOf(')') + 2, st.lastIndexOf(')') + 3) === 'Z';
        } catch {
          return true;
        }
      };
      await waitFor('the session gone from /proc', () => (seen.every(dead) ? true : undefined));
    });

    it('joins every namespace and the cgroups, with the same privileges as run', async () => {
      const cg = makeCgroup(`exec-${process.pid}-${Date.now()}`);
      cgroups.push(cg);
      const c = fx.container(['sleep', '30'], (spec) => {
        spec.cgroupProcs = [path.join(cg, 'cgroup.procs')];
      });
      const s = await startRunning(c);
      const script =
        'hostname; grep -E "^(NoNewPrivs|CapEff)" /proc/self/status; grep memory /proc/self/cgroup; ' +
        'for n in net mnt pid; do readlink /proc/self/ns/$n; done; ls /proc/self/fd; echo pid=$$';
      const r = await execInContainer(
        c,
        execSpec(['sh', '-c', script], (e) => {
          e.cgroupProcs = [path.join(cg, 'cgroup.procs')];
        }),
        { stdin: '' },
      );
      expect(r.code).toBe(0);
      const lines = r.stdout.trim().split('\n');
      expect(lines[0]).toBe(c.name);
      expect(lines).toContain('NoNewPrivs:\t1');
      expect(lines).toContain('CapEff:\t00000000a80425fb');
      expect(lines.find((l) => l.includes(':memory:'))).toMatch(/:memory:\/$/);
      expect(lines).toContain(nsInode(s.pid, 'net'));
      expect(lines).toContain(nsInode(s.pid, 'mnt'));
      expect(lines).toContain(nsInode(s.pid, 'pid'));
      expect(lines.filter((l) => /^\d+$/.test(l))).toEqual(['0', '1', '2', '3']);
      expect(Number(lines.at(-1)!.slice(4))).toBeGreaterThan(1); // a pid inside the container
    });

    it('relays stdin and a terminal with resize on the control fd', async () => {
      const c = fx.container(['sleep', '30']);
      await startRunning(c);
      const piped = await execInContainer(c, execSpec(['tr', 'a-z', 'A-Z']), { stdin: 'shout\n' });
      expect(piped).toMatchObject({ code: 0, stdout: 'SHOUT\n' });

      const tty = await execInContainer(
        c,
        execSpec(['sh', '-c', 'tty; stty size; read x; stty size; echo got=$x'], (s) => {
          s.process.terminal = true;
          s.process.consoleSize = { height: 10, width: 20 };
        }),
        {
          onSpawn: (stdin, control) => {
            setTimeout(() => {
              control.write(encodeResize(33, 99));
              setTimeout(() => stdin.write('go\n'), 100);
            }, 200);
          },
        },
      );
      expect(tty.code).toBe(0);
      expect(tty.stdout).toMatch(/^\/dev\/pts\/\d+\r\n10 20\r\n/);
      expect(tty.stdout).toContain('33 99\r\n');
      expect(tty.stdout).toContain('got=go');
    });

    it('returns 127 for a missing command and 125 for a stale pid', async () => {
      const c = fx.container(['sleep', '30']);
      const s = await startRunning(c);
      const missing = await execInContainer(c, execSpec(['no-such-thing']));
      expect(missing.code).toBe(127);
      expect(missing.stderr).toContain('execve "no-such-thing": ENOENT');
      const err = missing.control.find((f) => f.type === FrameType.Error);
      expect(JSON.parse(err!.payload.toString())).toMatchObject({ step: 'execve', errnoName: 'ENOENT' });

      // A state.json whose start time does not match the pid: never joined.
      const stateFile = path.join(c.stateDir, 'state.json');
      const saved = fs.readFileSync(stateFile);
      fs.writeFileSync(stateFile, JSON.stringify({ ...s, pidStartTime: s.pidStartTime + 1 }));
      const stale = await execInContainer(c, execSpec(['true']));
      fs.writeFileSync(stateFile, saved);
      expect(stale.code).toBe(125);
      expect(stale.stderr).toContain('pid was reused');
    });

    it('CVE-2019-5736: a container cannot open or overwrite the monitor binary', async () => {
      const before = sha256(MONITOR);
      // In the container: wait for a process running the monitor's image
      // (the classic trick: a "#!/proc/self/exe" script run by exec makes the
      // runtime execute itself inside the container), then try to write
      // /proc/PID/exe for every pid that is not the container's busybox.
      const attacker = [
        'mkfifo /tmp/hold',
        "printf '#!/proc/self/exe exec\\n' > /evil && chmod 755 /evil",
        'touch /tmp/ready',
        // (its cmdline starts with the interpreter path; our own holds it too, but later)
        'while :; do for d in /proc/[0-9]*; do [ "$(head -c 14 $d/cmdline 2>/dev/null)" = /proc/self/exe ] && break 2; done; done',
        'for d in /proc/[0-9]*; do p=${d#/proc/}; [ "$p" = $$ ] && continue',
        '  [ "$(readlink $d/exe 2>/dev/null)" = /bin/busybox ] && continue',
        '  if (echo x > $d/exe) 2>/tmp/err; then echo "WROTE $p"; else echo "denied $p $(cat /tmp/err)"; fi',
        '  if (cat $d/exe > /dev/null) 2>/tmp/err; then echo "READ $p"; else echo "noread $p"; fi',
        'done',
        'echo "{}" > /tmp/hold',
        'sleep 30',
      ].join('\n');
      // The monitor is linked statically (binding.gyp); were it dynamic, give the
      // container its loader and libraries, as any glibc-based image would have them.
      const libs = path.join(fx.base, 'libs-layer');
      fs.mkdirSync(libs, { recursive: true });
      const ldd = spawnSync('ldd', [MONITOR], { encoding: 'utf8' });
      const lddOut = ldd.status === 0 ? ldd.stdout : ''; // else "not a dynamic executable"
      for (const line of lddOut.split('\n')) {
        const lib = /(\/\S+) \(0x/.exec(line)?.[1];
        if (!lib) continue;
        fs.mkdirSync(path.join(libs, path.dirname(lib)), { recursive: true });
        fs.copyFileSync(lib, path.join(libs, lib));
      }
      const c = fx.container(['sh', '-c', attacker], (spec) => {
        spec.overlay!.lowerdirs = [libs, fx.lower];
      });
      const s = await startRunning(c);
      await waitFor('attacker ready', () => (fs.existsSync(`/proc/${s.pid}/root/tmp/ready`) ? true : undefined));
      // exec /evil: the kernel runs /proc/self/exe = the exec'd monitor's own image.
      const r = await execInContainer(c, execSpec(['/evil', '/tmp/hold']));
      expect(r.code).toBe(125); // the hijacked monitor got "{}" as its spec and refused it
      expect(r.stderr).toContain('/tmp/hold: EINVAL (Invalid argument): not a regular file');
      const log = await waitFor('attack log', () => {
        const lines = logEntries(c.logPath).map((e) => e.log);
        return lines.some((l) => l.startsWith('denied')) ? lines : undefined;
      });
      expect(log.filter((l) => l.startsWith('WROTE') || l.startsWith('READ'))).toEqual([]);
      expect(log.find((l) => l.startsWith('denied'))).toMatch(
        /Permission denied|Operation not permitted|Text file busy/,
      );
      expect(sha256(MONITOR)).toBe(before);
    });

    it('CVE-2019-5736: even host root holding /proc/PID/exe cannot change the sealed copy', async () => {
      const before = sha256(MONITOR);
      const c = fx.container(['sleep', '30']);
      await startRunning(c);
      const O_PATH = 0o10000000;
      // While an exec monitor runs: grab its exe, let it finish, then reopen for writing.
      const specFile = path.join(c.dir, 'sleep.json');
      fs.writeFileSync(specFile, JSON.stringify(execSpec(['sleep', '0.5'])));
      const child = spawn(MONITOR, ['exec', c.stateDir, specFile], { stdio: 'ignore' });
      const closed = new Promise((resolve) => child.on('close', resolve));
      await waitFor('exec monitor re-exec', () => {
        try {
          return fs.readlinkSync(`/proc/${child.pid}/exe`).startsWith('/memfd:berth-monitor') ? true : undefined;
        } catch {
          return undefined;
        }
      });
      // Running: the kernel refuses writers to an executing file anyway.
      expect(() => fs.openSync(`/proc/${child.pid}/exe`, 'r+')).toThrow(/ETXTBSY|EPERM/);
      const fd = fs.openSync(`/proc/${child.pid}/exe`, O_PATH);
      await closed;
      try {
        expect(() => fs.openSync(`/proc/self/fd/${fd}`, 'w')).toThrow(/EPERM/); // O_TRUNC on a sealed memfd
        const rw = fs.openSync(`/proc/self/fd/${fd}`, 'r+');
        try {
          expect(() => fs.writeSync(rw, 'x')).toThrow(/EPERM/); // F_SEAL_WRITE
        } finally {
          fs.closeSync(rw);
        }
        const copy = fs.readFileSync(`/proc/self/fd/${fd}`);
        expect(createHash('sha256').update(copy).digest('hex')).toBe(before);
      } finally {
        fs.closeSync(fd);
      }
      expect(sha256(MONITOR)).toBe(before);
    });
  });

  it('mounts many layers: fsconfig lowerdir+ and the legacy relative-path fallback', async () => {
    // 60 layers deep below the state root: ~14 KB of absolute lowerdir=, far
    // more than one page; each path stays below fsconfig's 256-byte limit
    // (with room for a test run's temp dir: ~50 bytes of fx.base).
    const layersDir = path.join(fx.base, 'l'.repeat(70), 'm'.repeat(70));
    fs.mkdirSync(layersDir, { recursive: true });
    fs.symlinkSync(fx.lower, path.join(layersDir, 'bb'));
    const layers: string[] = [];
    for (let i = 0; i < 60; i++) {
      const d = path.join(layersDir, `l${String(i).padStart(2, '0')}`);
      fs.mkdirSync(d);
      fs.writeFileSync(path.join(d, `from-layer-${i}`), '');
      layers.push(d);
    }
    fs.writeFileSync(path.join(layers[59]!, 'shadowed'), 'bottom\n');
    fs.writeFileSync(path.join(layers[0]!, 'shadowed'), 'top\n');
    expect(layers.join(':').length).toBeGreaterThan(4096);
    for (const method of ['auto', 'legacy'] as const) {
      const c = fx.container(['sh', '-c', 'ls / | grep -c from-layer; cat /shadowed'], (spec) => {
        // Upper and work beside the layers, so that legacy mode finds a short common parent.
        const upperdir = path.join(layersDir, `${method}-upper`);
        const workdir = path.join(layersDir, `${method}-work`);
        fs.mkdirSync(upperdir);
        fs.mkdirSync(workdir);
        spec.overlay = { lowerdirs: [...layers, path.join(layersDir, 'bb')], upperdir, workdir, method };
      });
      const { stdout, exit } = await runToEnd(c);
      expect(exit.exitCode, method).toBe(0);
      expect(stdout, method).toEqual(['60', 'top']);
    }
  });

  it('runs with a user namespace: identity and shifted mappings, host network', async () => {
    const identity = fx.container(['sh', '-c', 'id -u; cat /proc/self/uid_map'], (spec) => {
      spec.linux.namespaces.push({ type: 'user' });
      spec.linux.uidMappings = [{ containerID: 0, hostID: 0, size: 65536 }];
      spec.linux.gidMappings = [{ containerID: 0, hostID: 0, size: 65536 }];
    });
    const a = await runToEnd(identity);
    expect(a.exit.exitCode).toBe(0);
    expect(a.stdout[0]).toBe('0');
    expect(a.stdout[1]!.trim().split(/\s+/)).toEqual(['0', '0', '65536']);

    let shiftedUpper = '';
    // Container root is host uid 100000: upper/work belong to it. The
    // layers (the host's root owns them) are id-mapped mounts: root's files
    // inside, writable through copy-up, and written as 100000 on disk. The
    // rootfs is built as the host's root before the child enters the user
    // namespace: a real sysfs and mknod'ed devices even without a network
    // or ipc namespace of its own.
    const shifted = fx.container(
      [
        'sh',
        '-c',
        'id -u; cat /proc/self/uid_map; stat -c %u /bin/busybox; grep -E " /sys | /dev/null " /proc/self/mountinfo; echo ok > /dev/shm/f && cat /dev/shm/f; touch /root/f && stat -c %u /root/f',
      ],
      (spec, c) => {
        spec.linux.namespaces = [{ type: 'pid' }, { type: 'mount' }, { type: 'uts' }, { type: 'user' }];
        spec.linux.uidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
        spec.linux.gidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
        fs.chownSync(path.join(c.dir, 'upper'), 100000, 100000);
        fs.chownSync(path.join(c.dir, 'work'), 100000, 100000);
        shiftedUpper = path.join(c.dir, 'upper');
      },
    );
    const b = await runToEnd(shifted);
    expect(b.stderr).toEqual([]);
    expect(b.stdout[0]).toBe('0');
    expect(b.stdout[1]!.trim().split(/\s+/)).toEqual(['0', '100000', '65536']);
    expect(b.stdout[2]).toBe('0'); // the layer's host root, through the id-mapped mount
    expect(b.stdout.find((l) => l.includes(' /sys '))).toMatch(/ ro,.* - sysfs /);
    expect(b.stdout.find((l) => l.includes(' /dev/null '))).toBeUndefined(); // a node, not a bind
    expect(b.stdout.at(-2)).toBe('ok');
    expect(b.stdout.at(-1)).toBe('0');
    expect(fs.statSync(path.join(shiftedUpper, 'root', 'f')).uid).toBe(100000); // on disk: the mapped id
  });
});

describe.runIf(isRoot)('berth-monitor spec validation (end to end)', () => {
  let fx: Fixture;
  beforeAll(() => {
    fx = new Fixture();
  });
  afterAll(() => fx.cleanup());

  const cases: [string, (spec: Record<string, unknown>) => unknown, RegExp][] = [
    ['not JSON', () => '{"process": [1, 2', /spec\.json: invalid JSON at line 1 column \d+: unexpected end of input/],
    ['trailing comma', () => '{"a": 1,}', /trailing comma in object/],
    ['not an object', () => [1], /spec\.json: must be an object, not array/],
    ['missing process', (s) => ({ ...s, process: undefined }), /spec\.json: process: required field is missing/],
    ['unknown field', (s) => ({ ...s, proces: {} }), /spec\.json: proces: unknown field/],
    ['args not strings', (s) => setIn(s, ['process', 'args'], [1]), /process\.args\[0\]: must be a string, not number/],
    ['empty args', (s) => setIn(s, ['process', 'args'], []), /process\.args: must not be empty/],
    ['relative cwd', (s) => setIn(s, ['process', 'cwd'], 'tmp'), /process\.cwd: must be an absolute path/],
    ['bad uid', (s) => setIn(s, ['process', 'user', 'uid'], -1), /process\.user\.uid: must be a non-negative integer/],
    [
      'fractional gid',
      (s) => setIn(s, ['process', 'user', 'gid'], 1.5),
      /process\.user\.gid: must be a non-negative integer/,
    ],
    [
      'unknown capability',
      (s) => setIn(s, ['process', 'capabilities', 'bounding'], ['CAP_FLY']),
      /unknown capability "CAP_FLY"/,
    ],
    [
      'effective not permitted',
      (s) => setIn(s, ['process', 'capabilities', 'permitted'], []),
      /effective: must be a subset of permitted/,
    ],
    [
      'no capabilities',
      (s) => setIn(s, ['process', 'capabilities'], undefined),
      /process\.capabilities: required field is missing/,
    ],
    [
      'unknown rlimit',
      (s) => setIn(s, ['process', 'rlimits'], [{ type: 'RLIMIT_FOO', hard: 1, soft: 1 }]),
      /unknown rlimit "RLIMIT_FOO"/,
    ],
    [
      'soft above hard',
      (s) => setIn(s, ['process', 'rlimits'], [{ type: 'RLIMIT_NOFILE', hard: 1, soft: 2 }]),
      /soft limit is above the hard limit/,
    ],
    ['env without =', (s) => setIn(s, ['process', 'env'], ['PATH']), /process\.env\[0\]: must be KEY=VALUE/],
    ['NUL in arg', (s) => setIn(s, ['process', 'args'], ['a\u0000b']), /must not contain NUL/],
    [
      'ns type net',
      (s) => setIn(s, ['linux', 'namespaces'], [{ type: 'mount' }, { type: 'net' }]),
      /unknown namespace type "net" \(OCI names/,
    ],
    [
      'no mount ns',
      (s) => setIn(s, ['linux', 'namespaces'], [{ type: 'pid' }]),
      /a new mount namespace .* is required/,
    ],
    [
      'duplicate ns',
      (s) => setIn(s, ['linux', 'namespaces'], [{ type: 'mount' }, { type: 'mount' }]),
      /duplicate namespace type "mount"/,
    ],
    [
      // pid can be joined (a pod's: the monitor's setns before clone); time cannot.
      'join time ns',
      (s) => setIn(s, ['linux', 'namespaces'], [{ type: 'mount' }, { type: 'time', path: '/proc/1/ns/time' }]),
      /joining an existing time namespace is not supported/,
    ],
    [
      'user ns without maps',
      (s) => setIn(s, ['linux', 'namespaces'], [{ type: 'mount' }, { type: 'user' }]),
      /needs uidMappings and gidMappings/,
    ],
    [
      'hostname without uts',
      (s) => setIn(s, ['linux', 'namespaces'], [{ type: 'mount' }]),
      /hostname: needs a new uts namespace/,
    ],
    ['root is /', (s) => setIn(s, ['root', 'path'], '/'), /root\.path: must not be the host's \//],
    [
      'bind without source',
      (s) => ({ ...s, mounts: [{ destination: '/x', type: 'bind' }] }),
      /mounts\[0\]\.source: a bind mount needs an absolute source path/,
    ],
    ['log missing', (s) => ({ ...s, log: undefined }), /spec\.json: log: required field is missing/],
    ['maxFiles 0', (s) => setIn(s, ['log', 'maxFiles'], 0), /log\.maxFiles: must be at least 1/],
    ['overlay method', (s) => setIn(s, ['overlay', 'method'], 'fast'), /overlay\.method: must be "auto" or "legacy"/],
    ['deep nesting', () => '['.repeat(100000) + ']'.repeat(100000), /nesting deeper than 64/],
    ['duplicate key', () => '{"process": {}, "process": {}}', /duplicate object key "process"/],
    ['invalid UTF-8', () => Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]), /invalid UTF-8 in string/],
    ['lone surrogate', () => '{"a":"\\ud800"}', /high surrogate without a low surrogate/],
    ['empty file', () => '', /empty input/],
    [
      'huge number',
      (s) => setIn(s, ['process', 'user', 'uid'], 1e30),
      /process\.user\.uid: must be a non-negative integer/,
    ],
  ];

  function setIn(obj: Record<string, unknown>, keys: string[], value: unknown): Record<string, unknown> {
    const copy = structuredClone(obj);
    let cur = copy as Record<string, unknown>;
    for (const k of keys.slice(0, -1)) cur = cur[k] as Record<string, unknown>;
    if (value === undefined) delete cur[keys.at(-1)!];
    else cur[keys.at(-1)!] = value;
    return copy;
  }

  it.each(cases)('%s → exit 2, monitor-error.json and state.json failed', async (_name, make, message) => {
    const c = fx.container(['true']);
    const base = JSON.parse(fs.readFileSync(path.join(c.stateDir, 'spec.json'), 'utf8')) as Record<string, unknown>;
    const made = make(base);
    fs.writeFileSync(
      path.join(c.stateDir, 'spec.json'),
      typeof made === 'string' || Buffer.isBuffer(made) ? made : JSON.stringify(made),
    );
    const r = await runMonitor(c.stateDir);
    expect(r.code).toBe(2);
    const err = readJson<MonitorError>(path.join(c.stateDir, 'monitor-error.json'));
    expect(err).toMatchObject({ step: 'spec', errno: 22, errnoName: 'EINVAL' });
    expect(err!.message).toMatch(message);
    expect(state(c)).toMatchObject({ status: 'failed', error: { step: 'spec' } });
    expect(r.stderr).toMatch(message);
  });

  it('refuses a missing state directory, a missing spec.json and a second monitor', async () => {
    const r = await runMonitor(path.join(fx.base, 'nope'));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('open state directory');

    const c = fx.container(['sleep', '30']);
    fs.rmSync(path.join(c.stateDir, 'spec.json'));
    expect((await runMonitor(c.stateDir)).code).toBe(2);
    expect(readJson<MonitorError>(path.join(c.stateDir, 'monitor-error.json'))!.message).toBe(
      'open spec.json: ENOENT (No such file or directory)',
    );

    const d = fx.container(['sleep', '30']);
    const s = await start(d);
    try {
      const second = await runMonitor(d.stateDir);
      expect(second.code).toBe(2);
      expect(second.stderr).toContain('another berth-monitor runs on this state directory');
      expect(state(d)).toMatchObject({ status: 'running', pid: s.pid }); // untouched
    } finally {
      process.kill(s.pid, 'SIGKILL');
      await waitExit(d);
    }
  });

  it("run --standby: exec'd ahead, runs the state dir that comes on stdin; EOF: exits 0; a bad line: 2", async () => {
    const standby = (input: string | null): Promise<{ code: number | null; stderr: string }> =>
      new Promise((resolve, reject) => {
        const child = spawn(MONITOR, ['run', '--standby'], { stdio: ['pipe', 'ignore', 'pipe'] });
        let stderr = '';
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        child.on('error', reject);
        child.on('close', (code) => resolve({ code, stderr }));
        // Already waiting from its sealed copy when the line comes.
        setTimeout(() => child.stdin.end(input ?? undefined), 100);
      });
    const c = fx.container(['echo', 'from a standby']);
    expect(await standby(`${c.stateDir}\n`)).toEqual({ code: 0, stderr: '' });
    let exit = await waitExit(c);
    expect(exit.exitCode).toBe(0);
    // The standby is the monitor itself (no fork): it reports one byte, 0, on stdout.
    const d = fx.container(['true']);
    const report = await new Promise<{ pid: number | undefined; bytes: number[] }>((resolve, reject) => {
      const child = spawn(MONITOR, ['run', '--standby'], { stdio: ['pipe', 'pipe', 'ignore'] });
      const bytes: number[] = [];
      child.stdout.on('data', (b: Buffer) => bytes.push(...b));
      child.on('error', reject);
      child.on('close', () => resolve({ pid: child.pid, bytes }));
      child.stdin.end(`${d.stateDir}\n`);
    });
    expect(report.bytes).toEqual([0]);
    exit = await waitExit(d);
    const st = state(d);
    expect(st && 'monitorPid' in st ? st.monitorPid : null).toBe(report.pid);
    expect(exit.exitCode).toBe(0);
    expect(logEntries(c.logPath).map((e) => e.log)).toEqual(['from a standby']);
    expect(await standby(null)).toEqual({ code: 0, stderr: '' });
    expect(await standby('relative/dir\n')).toEqual({
      code: 2,
      stderr: 'berth-monitor run --standby: expected an absolute state directory and a newline on stdin\n',
    });
  });

  it('usage errors', async () => {
    const usage = (args: string[]): Promise<number | null> =>
      new Promise((resolve) => spawn(MONITOR, args, { stdio: 'ignore' }).on('close', resolve));
    expect(await usage([])).toBe(2);
    expect(await usage(['frobnicate'])).toBe(2);
    expect(await usage(['run'])).toBe(2);
    expect(await usage(['exec', 'x'])).toBe(125);
    expect(await usage(['exec', '--control-fd', 'x', 'a', 'b'])).toBe(125);
    expect(await usage(['--version'])).toBe(0);
  });
});
