/**
 * docker's CLI conventions for real, as root: a private helper, busybox
 * containers, and the built `berth` CLI: --format (json lines, templates,
 * tables), -q/--no-trunc, inspect's array, stats --no-stream's first call,
 * and the commands events, top, port, wait, attach, logs --since/--until.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
import { CLI_JS } from '../../testing/helper-process';

const isRoot = process.getuid?.() === 0;

/** A long-running `berth` (events, wait, attach): its output so far, and a way to end it. */
interface Running {
  child: ChildProcess;
  out: () => string;
  exited: Promise<number | null>;
}

function startCli(socketPath: string, args: string[]): Running {
  const child = spawn(process.execPath, [CLI_JS, ...args, '--no-start'], {
    env: { ...process.env, BERTH_HELPER_SOCKET: socketPath },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, out: () => out, exited };
}

describe.runIf(isRoot && BUSYBOX_BIN !== undefined)(
  "docker's CLI conventions (root, real containers)",
  { timeout: 180_000 },
  () => {
    const tag = randomTag();
    const bridge = testBridge('cv', 247);
    let suite: ContainerSuite;
    let seq = 0;
    const sock = (): string => suite.helper.socketPath;
    const name = (what: string): string => `${what}-${tag}-${++seq}`;
    const ok = (...args: string[]): Promise<string> => berthOk(sock(), args);
    const runD = async (...args: string[]): Promise<string> => (await ok('run', '-d', ...args)).trim();
    const state = async (id: string): Promise<string> => (await ok('inspect', '-f', '{{.state}}', id)).trim();

    beforeAll(async () => {
      suite = await openContainerSuite({ bridge, workPrefix: 'berth-cli-conv-' });
    });

    afterAll(async () => {
      await suite?.close();
    });

    it('ps and images: json lines with docker’s names, templates, tables, -q and --no-trunc', async () => {
      const n = name('ps');
      const id = await runD('--network', 'none', '--name', n, '--label', 'tier=front', 'busybox', 'sleep', '600');
      const lines = (await ok('ps', '--format', 'json')).trim().split('\n');
      const mine = lines.map((l) => JSON.parse(l) as Record<string, string>).find((o) => o.Names === n);
      expect(mine).toMatchObject({
        ID: id.slice(0, 12),
        Image: 'busybox',
        Command: '"sleep 600"',
        State: 'running',
        Labels: 'tier=front',
        Networks: 'none',
      });
      expect(mine?.Status).toMatch(/^Up /);
      expect(await ok('ps', '--filter', `name=${n}`, '--format', '{{.Names}}\\t{{.Label "tier"}}')).toBe(
        `${n}\tfront\n`,
      );
      expect(await ok('ps', '--filter', `name=${n}`, '--format', 'table {{.ID}}\\t{{upper .State}}')).toBe(
        `CONTAINER ID   STATE\n${id.slice(0, 12)}   RUNNING\n`,
      );
      expect((await ok('ps', '-q', '--no-trunc')).split('\n')).toContain(id);
      expect((await ok('ps', '-q')).split('\n')).toContain(id.slice(0, 12));
      expect(await ok('ps', '--filter', `name=${n}`, '--format', '{{.Command}}', '--no-trunc')).toBe('"sleep 600"\n');
      expect(await ok('ps')).toMatch(/^CONTAINER ID {3}IMAGE {5}COMMAND/);

      const bad = await berthCli(sock(), ['ps', '--format', '{{.Nmes}}']);
      expect(bad.code).toBe(1);
      expect(bad.stderr).toContain(
        'Error TEMPLATE_INVALID: template: :1:2: executing "" at <.Nmes>: can\'t evaluate field Nmes in type container',
      );

      expect(await ok('images', '--format', '{{.Repository}}:{{.Tag}}')).toContain('busybox:latest\n');
      const img = JSON.parse((await ok('images', '--format', 'json')).split('\n')[0]!) as Record<string, string>;
      expect(Object.keys(img)).toEqual(expect.arrayContaining(['Repository', 'Tag', 'ID', 'CreatedSince', 'Size']));
      expect((await ok('images', '-q')).trim()).toMatch(/^[0-9a-f]{12}$/m);
      expect((await ok('images', '-q', '--no-trunc')).trim()).toMatch(/^sha256:[0-9a-f]{64}$/m);
      await ok('rm', '-f', id);
    });

    it('inspect prints one array, of containers and images alike; -f runs a template on each', async () => {
      const n = name('insp');
      const id = await runD('--network', 'none', '--name', n, 'busybox', 'sleep', '600');
      const both = JSON.parse(await ok('inspect', n, 'busybox')) as Array<Record<string, unknown>>;
      expect(both).toHaveLength(2);
      expect(both[0]).toMatchObject({ id, name: n, state: 'running' });
      expect(both[1]).toHaveProperty('repoTags', ['busybox:latest']);
      expect(await ok('inspect', '-f', '{{.name}} {{.state}}', n)).toBe(`${n} running\n`);
      const missing = await berthCli(sock(), ['inspect', 'no-such-thing-' + tag]);
      expect(missing.code).toBe(1);
      expect(JSON.parse(missing.stdout)).toEqual([]);
      expect(missing.stderr).toMatch(/no such/i);
      await ok('rm', '-f', id);
    });

    it('stats --no-stream shows measured CPU % on its first call for a container started just now', async () => {
      const n = name('busy');
      const id = await runD('--network', 'none', '--name', n, 'busybox', 'sh', '-c', 'while :; do :; done');
      const cpu = (await ok('stats', '--no-stream', '--format', '{{.CPUPerc}}', n)).trim();
      expect(cpu).toMatch(/^\d+\.\d\d%$/);
      expect(Number(cpu.slice(0, -1))).toBeGreaterThan(0);
      const o = JSON.parse(await ok('stats', '--no-stream', '--format', 'json', n)) as Record<string, string>;
      expect(o).toMatchObject({ Container: n, Name: n, ID: id.slice(0, 12), PIDs: '1' });
      expect(Object.keys(o).sort()).toEqual(
        ['BlockIO', 'CPUPerc', 'Container', 'ID', 'MemPerc', 'MemUsage', 'Name', 'NetIO', 'PIDs'].sort(),
      );
      expect(await ok('stats', '--no-stream', n)).toMatch(/^CONTAINER ID {3}NAME .*CPU % .*MEM USAGE \/ LIMIT/);
      await ok('rm', '-f', id);
    });

    it('top lists the container’s processes with ps, and takes ps options', async () => {
      const n = name('top');
      const id = await runD('--network', 'none', '--name', n, 'busybox', 'sh', '-c', 'sleep 600 & wait');
      const pid = Number((await ok('inspect', '-f', '{{.pid}}', n)).trim());
      const sleeper = await waitUntil('the sleep child', async () => {
        const out = await ok('top', n);
        return out.includes('sleep 600') ? out : null;
      });
      const [head, ...rows] = sleeper.trimEnd().split('\n');
      expect(head).toMatch(/^UID\s+PID\s+PPID\s+C\s+STIME\s+TTY\s+TIME\s+CMD$/);
      expect(rows).toHaveLength(2); // sh and sleep, nothing of the host
      expect(rows.some((r) => r.split(/\s+/)[1] === String(pid))).toBe(true);
      const custom = await ok('top', n, '-o', 'pid,comm');
      expect(custom.split('\n')[0]).toMatch(/^PID\s+COMMAND$/);
      expect(custom).toMatch(/\bsleep\b/);
      await ok('stop', '-t', '0', id);
      const stopped = await berthCli(sock(), ['top', n]);
      expect(stopped.code).toBe(1);
      expect(stopped.stderr).toContain('CONTAINER_NOT_RUNNING');
      await ok('rm', '-f', id);
    });

    it('port shows published ports', async () => {
      const n = name('port');
      const hostPort = 20000 + Math.floor(Math.random() * 20000);
      const id = await runD('-p', `${hostPort}:80`, '--name', n, 'busybox', 'sleep', '600');
      expect(await ok('port', n)).toBe(`80/tcp -> 0.0.0.0:${hostPort}\n`);
      expect(await ok('port', n, '80/tcp')).toBe(`0.0.0.0:${hostPort}\n`);
      const none = await berthCli(sock(), ['port', n, '81']);
      expect(none.code).not.toBe(0);
      expect(none.stderr).toContain("no public port '81/tcp'");
      await ok('rm', '-f', id);
    });

    it('wait blocks until containers stop and prints their exit codes in order', async () => {
      const a = name('wait');
      const b = name('wait');
      await ok('run', '-d', '--network', 'none', '--name', a, 'busybox', 'sh', '-c', 'sleep 1; exit 7');
      expect(
        (await berthCli(sock(), ['run', '--network', 'none', '--name', b, 'busybox', 'sh', '-c', 'exit 3'])).code,
      ).toBe(3);
      expect(await ok('wait', a, b)).toBe('7\n3\n');
      expect(await state(a)).toBe('exited');
      const missing = await berthCli(sock(), ['wait', 'no-such-' + tag]);
      expect(missing.code).toBe(1);
      await ok('rm', a, b);
    });

    it('attach relays the main process’s stdin and output, and exits with its code', async () => {
      const n = name('attach');
      const id = await runD(
        '-i',
        '--network',
        'none',
        '--name',
        n,
        'busybox',
        'sh',
        '-c',
        'read x; echo got $x; exit 4',
      );
      // ctrl-p ctrl-q detaches: 0, and the process runs on, its stdin still open.
      expect(await berthCli(sock(), ['attach', n], { input: '\x10\x11' })).toMatchObject({ code: 0, stdout: '' });
      expect(await state(n)).toBe('running');
      const r = await berthCli(sock(), ['attach', n], { input: 'hello\n' });
      expect(r).toMatchObject({ code: 4, stdout: 'got hello\n' });
      const stopped = await berthCli(sock(), ['attach', n]);
      expect(stopped.code).toBe(1);
      expect(stopped.stderr).toContain('CONTAINER_NOT_RUNNING');
      await ok('rm', id);
    });

    it('logs --since/--until take timestamps and durations', async () => {
      const n = name('logs');
      await ok('run', '--network', 'none', '--name', n, 'busybox', 'sh', '-c', 'echo one; sleep 1; echo two');
      const stamped = (await ok('logs', '-t', n)).trim().split('\n');
      expect(stamped.map((l) => l.split(' ')[1])).toEqual(['one', 'two']);
      const [tOne, tTwo] = stamped.map((l) => l.split(' ')[0]!);
      expect(await ok('logs', '--since', tTwo!, n)).toBe('two\n');
      expect(await ok('logs', '--until', tOne!, n)).toBe('one\n');
      expect(await ok('logs', '--since', '10m', n)).toBe('one\ntwo\n');
      expect(await ok('logs', '--until', '10m', n)).toBe('');
      const unix = (Date.parse(tTwo!) / 1000).toFixed(3);
      expect(await ok('logs', '--since', unix, n)).toBe('two\n');
      const bad = await berthCli(sock(), ['logs', '--since', 'yesterday', n]);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain('--since yesterday');
      await ok('rm', n);
    });

    it('events: the past from the helper’s ring, then live events; filters and formats', async () => {
      const n = name('ev');
      const since = new Date().toISOString();
      await ok('run', '--network', 'none', '--name', n, 'busybox', 'true');
      // The past: --until now ends once the history is printed.
      const past = await ok('events', '--since', since, '--until', '0s', '--filter', `container=${n}`);
      const actions = past
        .trim()
        .split('\n')
        .map((l) => l.split(' ')[2]);
      expect(actions).toEqual(['create', 'start', 'die']);
      expect(past).toMatch(
        new RegExp(
          `^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{9}Z container create [0-9a-f]{64} \\(image=busybox, name=${n}\\)$`,
          'm',
        ),
      );
      expect(past).toContain(`exitCode=0, image=busybox, name=${n})`);
      const json = await ok(
        'events',
        '--since',
        since,
        '--until',
        '0s',
        '--filter',
        `container=${n}`,
        '--filter',
        'event=die',
        '--format',
        'json',
      );
      expect(JSON.parse(json)).toMatchObject({ Type: 'container', Action: 'die', Actor: { Attributes: { name: n } } });

      // Live: started with --since, so nothing between its start and its subscription is lost.
      const live = startCli(sock(), [
        'events',
        '--since',
        since,
        '--filter',
        'type=container',
        '--format',
        '{{.Action}} {{.Actor.Attributes.name}}',
      ]);
      try {
        await waitUntil('the history', () => (live.out().includes(`die ${n}`) ? true : null), 30_000);
        await ok('rm', n);
        await waitUntil('the live destroy event', () => (live.out().includes(`destroy ${n}`) ? true : null), 30_000);
        expect(
          live
            .out()
            .split('\n')
            .filter((l) => l.endsWith(` ${n}`)),
        ).toEqual([`create ${n}`, `start ${n}`, `die ${n}`, `destroy ${n}`]);
      } finally {
        live.child.kill('SIGTERM');
      }
      expect(await live.exited).toBe(0);
      const bad = await berthCli(sock(), ['events', '--filter', 'type=volume']);
      expect(bad.code).toBe(2);
    });
  },
);
