/**
 * Containers for real, as root: a private helper, the busybox image loaded
 * through the `berth` CLI, and busybox containers created, run, stopped,
 * killed, paused and removed through the CLI and the helper's RPC. Every
 * check reads the kernel's own state (/proc/PID/ns, mountinfo, status,
 * cgroup files, links, netns, nft) rather than the engine's word for it.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OCI_DEFAULT_MASKED_PATHS, OCI_DEFAULT_READONLY_PATHS } from '../../../native/monitor';
import type { ContainerDetailT, LogLineT } from '../../../preload/schemas/containers';
import type { StatsRowT } from '../../../preload/schemas/resources';
import { HelperConnection } from '../../helper/client/connection';
import type { RpcClient } from '../../helper/client/rpc-client';
import {
  EventLog,
  berthCli,
  berthOk,
  cgroupDirsOf,
  linkNames,
  mountLinesMatching,
  netnsEntries,
  nftTableText,
  nsInode,
  monitorsOf,
  openContainerSuite,
  randomTag,
  statusField,
  testBridge,
  waitUntil,
  type ContainerSuite,
} from '../../testing/container-helper';
import { BUSYBOX_BIN } from '../../testing/busybox-image';
import { netnsName, vethName } from '../network/sandbox';

const isRoot = process.getuid?.() === 0;

/** utime + stime (clock ticks) of a process, from /proc/PID/stat fields 14 and 15. */
function cpuTicks(pid: number): number {
  const s = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
  return Number(f[11]) + Number(f[12]);
}

describe.runIf(isRoot && BUSYBOX_BIN !== undefined)(
  'containers through the helper and the CLI (root)',
  { timeout: 180_000 },
  () => {
    const tag = randomTag();
    const bridge = testBridge('bt', 240);
    let suite: ContainerSuite;
    let h: ContainerSuite['helper'];
    let rpc: RpcClient;
    let events: EventLog;
    let work = '';
    const made = new Set<string>();
    let seq = 0;

    const sock = (): string => h.socketPath;
    const name = (what: string): string => `${what}-${tag}-${++seq}`;
    const inspect = async (id: string): Promise<ContainerDetailT> =>
      (await rpc.call('containers.inspect', { id })) as ContainerDetailT;
    const logs = async (id: string): Promise<LogLineT[]> =>
      ((await rpc.call('containers.logs', { id, limit: 10_000 })) as { lines: LogLineT[] }).lines;
    /** `berth run -d …`: the new container's id. */
    const runD = async (...args: string[]): Promise<string> => {
      const id = (await berthOk(sock(), ['run', '-d', ...args])).trim();
      expect(id).toMatch(/^[0-9a-f]{64}$/);
      made.add(id);
      return id;
    };
    /** `berth run …` in the foreground (follows the logs, returns the exit code); the id by its name. */
    const runFg = async (
      n: string,
      ...args: string[]
    ): Promise<{ code: number; stdout: string; stderr: string; id: string }> => {
      const r = await berthCli(sock(), ['run', '--name', n, ...args]);
      const d = await inspect(n);
      made.add(d.id);
      return { ...r, id: d.id };
    };
    const waitState = (id: string, want: (d: ContainerDetailT) => boolean, what: string, ms = 20_000) =>
      waitUntil(
        what,
        async () => {
          const d = await inspect(id);
          return want(d) ? d : null;
        },
        ms,
        50,
      );

    beforeAll(async () => {
      suite = await openContainerSuite({ bridge, workPrefix: 'berth-ctr-it-' });
      ({ helper: h, rpc, work } = suite);
      events = await EventLog.connect(sock());
    });

    afterAll(async () => {
      events?.close();
      await suite?.close();
    });

    it('a container lives in its own namespaces (net shared only with --network host)', async () => {
      const id = await runD('--network', 'none', '--name', name('ns'), 'busybox', 'sleep', '600');
      const d = await inspect(id);
      expect(d.state).toBe('running');
      expect(d.pid).toBeGreaterThan(0);
      expect(d.nsPids).toEqual([d.pid, 1]);
      for (const ns of ['pid', 'mnt', 'uts', 'ipc', 'net', 'cgroup'])
        expect(nsInode(d.pid!, ns), `${ns} namespace`).not.toBe(nsInode('self', ns));
      // The monitor is the container's parent, not the helper.
      expect(Number(statusField(d.pid!, 'PPid'))).toBe(d.monitorPid);
      // --network none: a namespace of its own, made by the monitor's clone (no ip(8),
      // no /run/netns name), with lo up.
      expect(d.paths.netns).toBe(`/proc/${d.pid}/ns/net`);
      expect(nsInode(d.pid!, 'net')).toBe(fs.statSync(d.paths.netns!).ino);
      expect(netnsEntries()).not.toContain(netnsName(id));
      const lo = await berthCli(sock(), ['exec', id, 'cat', '/sys/class/net/lo/operstate']);
      expect(lo).toMatchObject({ code: 0, stdout: 'unknown\n' }); // up ("down" otherwise)

      const hostNet = await runD('--network', 'host', '--name', name('hostnet'), 'busybox', 'sleep', '600');
      const hd = await inspect(hostNet);
      expect(nsInode(hd.pid!, 'net')).toBe(nsInode('self', 'net'));
      for (const ns of ['pid', 'mnt', 'uts', 'ipc', 'cgroup'])
        expect(nsInode(hd.pid!, ns)).not.toBe(nsInode('self', ns));
      expect(hd.paths.netns).toBeNull();
      await berthOk(sock(), ['rm', '-f', hostNet]);
    });

    it('hostname: the short id by default, --hostname otherwise', async () => {
      const id = await runD('--network', 'none', '--name', name('host'), 'busybox', 'sleep', '600');
      const r = await berthCli(sock(), ['exec', id, 'hostname']);
      expect(r).toMatchObject({ code: 0, stdout: `${id.slice(0, 12)}\n` });
      expect((await berthCli(sock(), ['exec', id, 'sh', '-c', 'echo $HOSTNAME'])).stdout).toBe(`${id.slice(0, 12)}\n`);
      const named = await runFg(name('hn'), '--network', 'none', '--hostname', 'web1', 'busybox', 'hostname');
      expect(named).toMatchObject({ code: 0, stdout: 'web1\n' });
    });

    it('mounts: overlay root over the image layer, /proc, read-only sysfs, masked and read-only paths', async () => {
      const id = await runD('--network', 'none', '--name', name('mnt'), 'busybox', 'sleep', '600');
      const d = await inspect(id);
      const mi = fs
        .readFileSync(`/proc/${d.pid}/mountinfo`, 'utf8')
        .trim()
        .split('\n')
        .map((l) => {
          const [pre = '', post = ''] = l.split(' - ');
          const f = pre.split(' ');
          const [fstype = '', source = '', superOpts = ''] = post.split(' ');
          return { mountPoint: f[4]!, opts: f[5]!, fstype, source, superOpts };
        });
      const at = (p: string) => mi.filter((m) => m.mountPoint === p).at(-1);
      const root = at('/');
      expect(root?.fstype).toBe('overlay');
      expect(d.paths.lowerDirs.length).toBeGreaterThan(0);
      for (const l of d.paths.lowerDirs) {
        expect(l.startsWith(path.join(h.dataRoot, 'layers') + '/')).toBe(true);
        expect(root?.superOpts).toContain(l);
      }
      expect(root?.superOpts).toMatch(/lowerdir\+?=/);
      expect(root?.superOpts).toContain(`upperdir=${d.paths.upperDir}`);
      expect(root?.superOpts).toContain(`workdir=${d.paths.workDir}`);
      expect(d.paths.upperDir).toBe(path.join(h.dataRoot, 'c', id, 'upper'));
      expect(at('/proc')?.fstype).toBe('proc');
      expect(at('/sys')?.fstype).toBe('sysfs');
      expect(at('/sys')?.opts.split(',')).toContain('ro');
      expect(at('/dev')?.fstype).toBe('tmpfs');
      expect(at('/dev/pts')?.fstype).toBe('devpts');
      for (const p of OCI_DEFAULT_MASKED_PATHS.filter((x) => fs.existsSync(x))) {
        expect(at(p), `masked ${p}`).toBeDefined();
      }
      for (const p of OCI_DEFAULT_READONLY_PATHS.filter((x) => fs.existsSync(x))) {
        expect(at(p)?.opts.split(','), `read-only ${p}`).toContain('ro');
      }
      // Masked for real: reading a masked file gives nothing, writing /proc/sys is refused.
      expect((await berthCli(sock(), ['exec', id, 'cat', '/proc/keys'])).stdout).toBe('');
      const w = await berthCli(sock(), ['exec', id, 'sh', '-c', 'echo 1 > /proc/sys/kernel/ns_last_pid']);
      expect(w.code).not.toBe(0);
      expect(w.stderr).toMatch(/Read-only file system/);
      // The overlay is the container's own: the host's mount table does not show it.
      expect(mountLinesMatching(d.paths.upperDir)).toEqual([]);
    });

    it("Docker's capabilities, no_new_privs, and no fd leaked into the container", async () => {
      const id = await runD('--network', 'none', '--name', name('caps'), 'busybox', 'sleep', '600');
      const d = await inspect(id);
      expect(statusField(d.pid!, 'CapEff')).toBe('00000000a80425fb');
      expect(statusField(d.pid!, 'CapBnd')).toBe('00000000a80425fb');
      expect(statusField(d.pid!, 'NoNewPrivs')).toBe('1');
      expect(fs.readdirSync(`/proc/${d.pid}/fd`).sort()).toEqual(['0', '1', '2']);
      const inside = await berthCli(sock(), ['exec', id, 'ls', '/proc/1/fd']);
      expect(inside.code).toBe(0);
      expect(inside.stdout.split(/\s+/).filter(Boolean).sort()).toEqual(['0', '1', '2']);
      // An exec'd process gets the same treatment.
      const self = await berthCli(sock(), ['exec', id, 'sh', '-c', 'grep -E "^(CapEff|NoNewPrivs)" /proc/self/status']);
      expect(self.stdout).toMatch(/CapEff:\s+00000000a80425fb/);
      expect(self.stdout).toMatch(/NoNewPrivs:\s+1/);
    });

    it('--user uid:gid and --user NAME (groups from the image)', async () => {
      const numeric = await runFg(name('uid'), '--network', 'none', '--user', '1000:1000', 'busybox', 'id');
      expect(numeric.code).toBe(0);
      // Static busybox cannot resolve names (no NSS in a static glibc binary): ids only.
      expect(numeric.stdout).toMatch(/^uid=1000(\(app\))? gid=1000(\(app\))?/);
      const byName = await runFg(name('uname'), '--network', 'none', '--user', 'app', 'busybox', 'id');
      expect(byName.code).toBe(0);
      // app's uid and gid from /etc/passwd, its supplementary group wheel (10) from /etc/group.
      expect(byName.stdout).toMatch(/^uid=1000(\(app\))? gid=1000(\(app\))? groups=(.*,)?10\b/);
      const home = await runFg(
        name('uhome'),
        '--network',
        'none',
        '--user',
        'app',
        'busybox',
        'sh',
        '-c',
        'echo $HOME',
      );
      expect(home.stdout).toBe('/home/app\n');
      const d = await inspect(byName.id);
      expect(d.pid).toBeNull();
    });

    it('env and workdir', async () => {
      const r = await runFg(
        name('env'),
        '--network',
        'none',
        '-e',
        'FOO=bar',
        '-e',
        'PATH=/bin',
        '-w',
        '/tmp',
        'busybox',
        'sh',
        '-c',
        'echo "$FOO|$PATH|$HOME"; pwd',
      );
      expect(r).toMatchObject({ code: 0, stdout: 'bar|/bin|/root\n/tmp\n' });
    });

    it('volumes: rw written inside and read on the host; ro refuses writes', async () => {
      const rw = path.join(work, 'vol-rw');
      const ro = path.join(work, 'vol-ro');
      fs.mkdirSync(rw);
      fs.mkdirSync(ro);
      fs.writeFileSync(path.join(ro, 'given.txt'), 'from the host\n');
      const r = await runFg(
        name('vol'),
        '--network',
        'none',
        '-v',
        `${rw}:/data`,
        '-v',
        `${ro}:/ro:ro`,
        'busybox',
        'sh',
        '-c',
        'echo written > /data/out.txt && cat /ro/given.txt && echo nope > /ro/new.txt',
      );
      expect(fs.readFileSync(path.join(rw, 'out.txt'), 'utf8')).toBe('written\n');
      expect(r.stdout).toBe('from the host\n');
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(/Read-only file system/);
      expect(fs.existsSync(path.join(ro, 'new.txt'))).toBe(false);
    });

    it('exit codes: exit 3 → 3; command not found → 127 with the execve error', async () => {
      const three = await runFg(name('exit3'), '--network', 'none', 'busybox', 'sh', '-c', 'exit 3');
      expect(three.code).toBe(3);
      const d3 = await inspect(three.id);
      expect(d3).toMatchObject({ state: 'exited', exitCode: 3, pid: null, error: null });
      expect(Date.parse(d3.finishedAt!)).toBeGreaterThanOrEqual(Date.parse(d3.startedAt!));

      const nf = await runFg(name('nf'), '--network', 'none', 'busybox', 'no-such-command');
      expect(nf.code).not.toBe(0);
      expect(nf.stderr).toMatch(/execve.*ENOENT/);
      const dn = await inspect(nf.id);
      expect(dn.state).toBe('exited');
      expect(dn.exitCode).toBe(127);
      expect(dn.error).toMatch(/execve "no-such-command": ENOENT/);
      // A failed start leaves no cgroup or netns behind.
      expect(cgroupDirsOf(nf.id)).toEqual([]);
      expect(netnsEntries()).not.toContain(netnsName(nf.id));
    });

    it('stop (SIGTERM, then SIGKILL after -t), kill, restart, rename', async () => {
      const trap = await runD(
        '--network',
        'none',
        '--name',
        name('trap'),
        'busybox',
        'sh',
        '-c',
        'trap "exit 0" TERM; while :; do sleep 0.1; done',
      );
      const t0 = Date.now();
      await berthOk(sock(), ['stop', trap]);
      // Its trap ran (exit 0, not 137) well before the 10 s default timeout.
      expect(Date.now() - t0).toBeLessThan(9000);
      expect(await inspect(trap)).toMatchObject({ state: 'exited', exitCode: 0, pid: null });

      // sleep as pid 1 has no SIGTERM handler: the kernel ignores it, stop escalates.
      const stubborn = await runD('--network', 'none', '--name', name('stubborn'), 'busybox', 'sleep', '600');
      const s0 = Date.now();
      // Through the RPC with an explicit timeout (the engine's contract, whatever the CLI's flag parsing).
      await rpc.call('containers.stop', { id: stubborn, timeoutSec: 1 });
      expect(Date.now() - s0).toBeGreaterThanOrEqual(900);
      expect(await inspect(stubborn)).toMatchObject({ state: 'exited', exitCode: 137 });

      const killed = await runD('--network', 'none', '--name', name('killed'), 'busybox', 'sleep', '600');
      const kpid = (await inspect(killed)).pid!;
      await berthOk(sock(), ['kill', killed]);
      expect(await inspect(killed)).toMatchObject({ state: 'exited', exitCode: 137 });
      expect(fs.existsSync(`/proc/${kpid}`)).toBe(false);

      // restart: a new process, the same container.
      await berthOk(sock(), ['start', trap]);
      const before = await inspect(trap);
      expect(before.state).toBe('running');
      await berthOk(sock(), ['restart', trap]);
      const after = await inspect(trap);
      expect(after.state).toBe('running');
      expect(after.pid).not.toBe(before.pid);
      expect(fs.existsSync(`/proc/${before.pid}`)).toBe(false);
      expect(Date.parse(after.startedAt!)).toBeGreaterThan(Date.parse(before.startedAt!));
      expect(events.of(trap).map((e) => e.action)).toEqual(
        expect.arrayContaining(['create', 'start', 'die', 'stop', 'restart']),
      );

      const newName = name('renamed');
      await berthOk(sock(), ['rename', trap, newName]);
      expect((await inspect(newName)).id).toBe(trap);
      expect((await inspect(trap)).name).toBe(newName);
      const ps = JSON.parse(await berthOk(sock(), ['call', 'containers.list'])) as Array<{ id: string; name: string }>;
      expect(ps.find((c) => c.id === trap)?.name).toBe(newName);
      // The name is taken now.
      const dup = await berthCli(sock(), ['run', '-d', '--name', newName, 'busybox', 'true']);
      expect(dup.code).not.toBe(0);
      expect(dup.stderr).toMatch(/already in use/);
    });

    it('pause freezes every process (a busy loop stops using CPU); unpause thaws', async () => {
      const id = await runD('--network', 'none', '--name', name('busy'), 'busybox', 'sh', '-c', 'while :; do :; done');
      const d = await inspect(id);
      const pid = d.pid!;
      const a = cpuTicks(pid);
      await waitUntil('the busy loop to use CPU', () => cpuTicks(pid) > a, 10_000);

      await berthOk(sock(), ['pause', id]);
      expect((await inspect(id)).state).toBe('paused');
      const freezer = d.paths.cgroups.find((c) => c.includes('/freezer/'));
      if (freezer) expect(fs.readFileSync(path.join(freezer, 'freezer.state'), 'utf8').trim()).toBe('FROZEN');
      else {
        const unified = d.paths.cgroups.find((c) => fs.existsSync(path.join(c, 'cgroup.freeze')))!;
        expect(fs.readFileSync(path.join(unified, 'cgroup.freeze'), 'utf8').trim()).toBe('1');
      }
      const p0 = cpuTicks(pid);
      await sleep(700);
      expect(cpuTicks(pid)).toBe(p0);
      const ps = JSON.parse(await berthOk(sock(), ['call', 'containers.list'])) as Array<{ id: string; state: string }>;
      expect(ps.find((c) => c.id === id)?.state).toBe('paused');
      // exec needs a running container.
      expect((await berthCli(sock(), ['exec', id, 'true'])).code).not.toBe(0);

      await berthOk(sock(), ['unpause', id]);
      expect((await inspect(id)).state).toBe('running');
      const u0 = cpuTicks(pid);
      await waitUntil('the thawed loop to use CPU again', () => cpuTicks(pid) > u0, 10_000);
      // A paused container can still be removed (force thaws and kills).
      await berthOk(sock(), ['pause', id]);
      await berthOk(sock(), ['rm', '-f', id]);
      expect(fs.existsSync(`/proc/${pid}`)).toBe(false);
    });

    it('live stats reach a client as resources.sample rows: columns on the socket, rows after the connection', async () => {
      const id = await runD('--network', 'none', '--name', name('stats'), 'busybox', 'sh', '-c', 'while :; do :; done');
      const samples: Array<{ at: number; rows: StatsRowT[] }> = [];
      const conn = new HelperConnection({
        socketPath: sock(),
        runDir: path.dirname(sock()),
        autoStart: false,
        onEvent: (event, payload) => {
          if (event === 'resources.sample') samples.push(payload as { at: number; rows: StatsRowT[] });
        },
      });
      try {
        await conn.ensure();
        const row = await waitUntil(
          'a sample row with CPU for the busy container',
          () => samples.flatMap((x) => x.rows).find((r) => r.id === id && (r.cpuPercent ?? 0) > 10) ?? null,
          15_000,
        );
        // The same numbers the history gives, checked against the contract's schema on the way in.
        expect(row.name).toMatch(/^stats-/);
        expect(row.memoryBytes).toBeGreaterThan(0);
        expect(row.pids).toBeGreaterThanOrEqual(1);
        expect(row.t).toBe(samples.find((x) => x.rows.includes(row))!.at);
      } finally {
        conn.close();
        await berthOk(sock(), ['rm', '-f', id]);
      }
    });

    it('a monitor killed with SIGKILL (no exit.json) is seen at once: the container is dead (255), torn down', async () => {
      const id = await runD('--network', 'none', '--name', name('orphan'), 'busybox', 'sleep', '600');
      const d = await inspect(id);
      const since = Date.now();
      process.kill(d.monitorPid!, 'SIGKILL');
      // The helper's pidfd watch fires on the monitor's exit (no poll to wait for).
      const dead = await waitState(id, (x) => x.state === 'dead', 'the container to be dead', 10_000);
      console.log(`monitor SIGKILL → dead in ${Date.now() - since} ms`);
      expect(dead).toMatchObject({ exitCode: 255, pid: null, monitorPid: null });
      expect(dead.error).toMatch(/without recording an exit status/);
      await waitUntil('the container process to be gone', () => !fs.existsSync(`/proc/${d.pid}`), 10_000);
      await berthOk(sock(), ['rm', id]);
    });

    it('kill -s SIGUSR1 reaches the container init (its trap writes a file)', async () => {
      const vol = path.join(work, 'vol-usr1');
      fs.mkdirSync(vol);
      const id = await runD(
        '--network',
        'none',
        '--name',
        name('usr1'),
        '-v',
        `${vol}:/out`,
        'busybox',
        'sh',
        '-c',
        'trap "echo got-usr1 > /out/signal" USR1; echo ready > /out/ready; while :; do sleep 0.1; done',
      );
      await waitUntil('the trap to be set', () => fs.existsSync(path.join(vol, 'ready')), 10_000);
      // Through the RPC, which carries the signal as given (the engine's contract).
      await rpc.call('containers.kill', { id, signal: 'SIGUSR1' });
      const got = await waitUntil(
        'the trap to run',
        () => fs.existsSync(path.join(vol, 'signal')) && fs.readFileSync(path.join(vol, 'signal'), 'utf8'),
        10_000,
      );
      expect(got).toBe('got-usr1\n');
      expect((await inspect(id)).state).toBe('running');
      await rpc.call('containers.kill', { id, signal: 'USR1' }); // docker accepts the name without SIG too
      await rpc.call('containers.kill', { id, signal: 10 });
      await expect(rpc.call('containers.kill', { id, signal: 'SIGNOPE' })).rejects.toThrow(/unknown signal/);
      expect((await inspect(id)).state).toBe('running');
    });

    it('logs: stdout and stderr lines with their stream and a timestamp; -f follows by cursor', async () => {
      const r = await runFg(
        name('logs'),
        '--network',
        'none',
        'busybox',
        'sh',
        '-c',
        'echo out1; echo err1 >&2; echo out2',
      );
      expect(r).toMatchObject({ code: 0, stdout: 'out1\nout2\n', stderr: 'err1\n' });
      const lines = await logs(r.id);
      // Two pipes: the order within a stream is kept, not the order across streams.
      expect(lines.filter((l) => l.stream === 'stdout').map((l) => l.line)).toEqual(['out1', 'out2']);
      expect(lines.filter((l) => l.stream === 'stderr').map((l) => l.line)).toEqual(['err1']);
      expect(lines).toHaveLength(3);
      for (const l of lines) expect(l.t).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/);
      const d = await inspect(r.id);
      for (const l of lines) {
        expect(l.t >= d.startedAt!.slice(0, 19)).toBe(true);
      }
      const tail = (await rpc.call('containers.logs', { id: r.id, tail: 1, limit: 10_000 })) as { lines: LogLineT[] };
      expect(tail.lines.map((l) => l.line)).toEqual([lines.at(-1)!.line]);

      // Follow: poll with the cursor until the container stops; every line exactly once.
      const id = await runD(
        '--network',
        'none',
        '--name',
        name('follow'),
        'busybox',
        'sh',
        '-c',
        'for i in 1 2 3 4; do echo line$i; sleep 0.3; done',
      );
      const seen: string[] = [];
      let cursor: string | undefined;
      for (;;) {
        const res = (await rpc.call('containers.logs', { id, limit: 10_000, ...(cursor ? { cursor } : {}) })) as {
          lines: LogLineT[];
          cursor: string;
          running: boolean;
        };
        seen.push(...res.lines.map((l) => l.line));
        cursor = res.cursor;
        if (!res.running) {
          const last = (await rpc.call('containers.logs', { id, limit: 10_000, cursor })) as { lines: LogLineT[] };
          seen.push(...last.lines.map((l) => l.line));
          break;
        }
        await sleep(100);
      }
      expect(seen).toEqual(['line1', 'line2', 'line3', 'line4']);
    });

    it('diff: A, C and D from the upper dir', async () => {
      const id = await runD('--network', 'none', '--name', name('diff'), 'busybox', 'sleep', '600');
      expect(await berthOk(sock(), ['diff', id])).toBe('');
      const r = await berthCli(sock(), [
        'exec',
        id,
        'sh',
        '-c',
        'touch /tmp/new && rm /etc/hostname && echo x >> /etc/passwd && mkdir -p /srv/a && echo 1 > /srv/a/b',
      ]);
      expect(r.code).toBe(0);
      const diff = (await berthOk(sock(), ['diff', id])).trim().split('\n');
      expect(diff).toEqual(
        expect.arrayContaining([
          'C /etc',
          'D /etc/hostname',
          'C /etc/passwd',
          'C /tmp',
          'A /tmp/new',
          'A /srv',
          'A /srv/a',
        ]),
      );
      // Under a new directory only the directory itself and what it holds are A; nothing is C.
      expect(diff).toContain('A /srv/a/b');
      expect(diff.filter((l) => l.startsWith('D '))).toEqual(['D /etc/hostname']);
      // The upper dir on the host holds the change.
      expect(fs.readFileSync(path.join((await inspect(id)).paths.upperDir, 'srv/a/b'), 'utf8')).toBe('1\n');
    });

    it('exec: exit code, -u, -w, -e, command not found', async () => {
      const id = await runD('--network', 'none', '--name', name('exec'), 'busybox', 'sleep', '600');
      expect((await berthCli(sock(), ['exec', id, 'sh', '-c', 'exit 7'])).code).toBe(7);
      expect(await berthCli(sock(), ['exec', '-u', '1000', id, 'id', '-u'])).toMatchObject({
        code: 0,
        stdout: '1000\n',
      });
      expect((await berthCli(sock(), ['exec', '-u', 'app', id, 'id'])).stdout).toMatch(
        /^uid=1000(\(app\))? gid=1000(\(app\))? groups=(.*,)?10\b/,
      );
      expect(await berthCli(sock(), ['exec', '-w', '/tmp', id, 'pwd'])).toMatchObject({ code: 0, stdout: '/tmp\n' });
      expect(await berthCli(sock(), ['exec', '-e', 'FOO=bar', id, 'sh', '-c', 'echo $FOO'])).toMatchObject({
        code: 0,
        stdout: 'bar\n',
      });
      const nf = await berthCli(sock(), ['exec', id, 'no-such-command']);
      expect(nf.code).toBe(127);
      // The exec'd process joined the container: same pid namespace as pid 1.
      const ps = await berthCli(sock(), [
        'exec',
        id,
        'sh',
        '-c',
        'readlink /proc/1/ns/pid; readlink /proc/self/ns/pid',
      ]);
      const [a, b] = ps.stdout.trim().split('\n');
      expect(a).toBe(b);
      expect(a).toBe(`pid:[${nsInode((await inspect(id)).pid!, 'pid')}]`);
    });

    it('attach: run -i feeds stdin to the main process and returns its exit code', async () => {
      const n = name('attach');
      const r = await berthCli(sock(), ['run', '-i', '--name', n, '--network', 'none', 'busybox', 'cat'], {
        input: 'hello\nworld\n',
      });
      made.add((await inspect(n)).id);
      expect(r).toMatchObject({ code: 0, stdout: 'hello\nworld\n' });
      await waitState(n, (x) => x.state === 'exited' && x.exitCode === 0, 'the attached container to exit');
      const tr = await berthCli(
        sock(),
        ['run', '-i', '--rm', '--network', 'none', 'busybox', 'sh', '-c', 'tr a-z A-Z; exit 4'],
        {
          input: 'shout\n',
        },
      );
      expect(tr).toMatchObject({ code: 4, stdout: 'SHOUT\n' });
    });

    it('restart policy on-failure:2 restarts exactly twice; always restarts after exit 0', async () => {
      const id = await runD(
        '--network',
        'none',
        '--restart',
        'on-failure:2',
        '--name',
        name('onfail'),
        'busybox',
        'sh',
        '-c',
        'exit 1',
      );
      const d = await waitState(id, (x) => x.state === 'exited' && x.restartCount === 2, 'on-failure to give up');
      expect(d.exitCode).toBe(1);
      await sleep(1500);
      const later = await inspect(id);
      expect(later).toMatchObject({ state: 'exited', restartCount: 2, exitCode: 1 });
      expect(events.of(id).filter((e) => e.action === 'die')).toHaveLength(3);
      expect(events.of(id).filter((e) => e.action === 'start')).toHaveLength(3);
      expect(cgroupDirsOf(id)).toEqual([]);

      const ok = await runD(
        '--network',
        'none',
        '--restart',
        'on-failure',
        '--name',
        name('onfail0'),
        'busybox',
        'true',
      );
      await waitState(ok, (x) => x.state === 'exited', 'exit 0');
      await sleep(500);
      expect((await inspect(ok)).restartCount).toBe(0);

      const always = await runD(
        '--network',
        'none',
        '--restart',
        'always',
        '--name',
        name('always'),
        'busybox',
        'sh',
        '-c',
        'sleep 0.2; exit 0',
      );
      await waitState(always, (x) => x.restartCount >= 2 && x.state === 'running', 'always to restart twice');
      await berthOk(sock(), ['stop', always]);
      const stopped = await inspect(always);
      expect(stopped.state).toBe('exited');
      await sleep(800);
      expect((await inspect(always)).restartCount).toBe(stopped.restartCount);
      expect((await inspect(always)).state).toBe('exited');
    });

    it('bridge: two containers reach each other by IP; a published port answers on 127.0.0.1', async () => {
      const hostPort = 20000 + Math.floor(Math.random() * 20000);
      const web = await runD(
        '--network',
        'bridge',
        '-p',
        `${hostPort}:8080`,
        '--name',
        name('web'),
        'busybox',
        'httpd',
        '-f',
        '-p',
        '8080',
        '-h',
        '/var/www',
      );
      const wd = await inspect(web);
      expect(bridge.subnet.cidr.startsWith(wd.network.ip!.split('.').slice(0, 3).join('.'))).toBe(true);
      expect(linkNames()).toContain(vethName(web));
      expect(execFileSync('ip', ['-o', 'link', 'show', 'dev', vethName(web)], { encoding: 'utf8' })).toContain(
        `master ${bridge.name}`,
      );
      expect(await nftTableText(bridge.table)).toMatch(
        new RegExp(`tcp \\. ${hostPort} : ${wd.network.ip!.replace(/\./g, '\\.')} \\. 8080`),
      );

      const fromHost = await waitUntil(
        'the published port to answer',
        async () => {
          try {
            const r = await fetch(`http://127.0.0.1:${hostPort}/index.html`, { signal: AbortSignal.timeout(2000) });
            return await r.text();
          } catch {
            return null;
          }
        },
        15_000,
        100,
      );
      expect(fromHost).toBe('hello from a berth container\n');

      const client = await runFg(
        name('client'),
        '--network',
        'bridge',
        'busybox',
        'wget',
        '-qO-',
        `http://${wd.network.ip}:8080/index.html`,
      );
      expect(client).toMatchObject({ code: 0, stdout: 'hello from a berth container\n' });
      const cd = await inspect(client.id);
      expect(cd.network.ip).toBeNull(); // released at exit
      // die is announced before the teardown (docker's order): the veth goes right after.
      await waitUntil('the client veth to go', () => !linkNames().includes(vethName(client.id)), 10_000);

      await berthOk(sock(), ['rm', '-f', web]);
      expect(linkNames()).not.toContain(vethName(web));
      expect(netnsEntries()).not.toContain(netnsName(web));
      expect(await nftTableText(bridge.table)).not.toContain(`${hostPort}`);
      await expect(
        fetch(`http://127.0.0.1:${hostPort}/index.html`, { signal: AbortSignal.timeout(2000) }),
      ).rejects.toThrow();
    });

    it('after removal nothing is left: mounts, cgroups, veths, netns, state dirs, monitors', async () => {
      // One more of each network kind, running, to remove here.
      await runD('--network', 'bridge', '--name', name('last-bridge'), 'busybox', 'sleep', '600');
      await runD('--network', 'none', '--name', name('last-none'), 'busybox', 'sleep', '600');
      const ids = (await berthCli(sock(), ['ps', '-a', '-q'])).stdout.split('\n').filter(Boolean);
      const full = await Promise.all(ids.map(async (s) => (await inspect(s)).id));
      for (const id of full) made.add(id);
      await berthOk(sock(), ['rm', '-f', ...ids]);
      expect(await berthOk(sock(), ['ps', '-a', '--format', 'json'])).toBe('');
      for (const id of made) {
        expect(mountLinesMatching(id.slice(0, 12)), id).toEqual([]);
        expect(cgroupDirsOf(id), id).toEqual([]);
        expect(linkNames()).not.toContain(vethName(id));
        expect(fs.existsSync(`/run/netns/${netnsName(id)}`)).toBe(false);
        expect(fs.existsSync(path.join(h.dataRoot, 'c', id))).toBe(false);
      }
      expect(mountLinesMatching(h.dataRoot)).toEqual([]);
      expect(fs.readdirSync(path.join(h.dataRoot, 'c'))).toEqual([]);
      // A monitor leaves right after recording the exit: give it a moment.
      await waitUntil('no monitor of ours to be left', () => monitorsOf(h.dataRoot).length === 0, 10_000).catch(
        () => undefined,
      );
      expect(monitorsOf(h.dataRoot)).toEqual([]);
      expect(await nftTableText(bridge.table)).not.toMatch(/elements/);
    });
  },
);
