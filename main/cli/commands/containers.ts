/**
 * docker-style container commands: run, ps, start, stop, restart, kill,
 * pause, unpause, rm, inspect, logs, diff, rename.
 */
import { BerthError, isBerthError } from '../../../preload/errors';
import { ContainerState, type ContainerStateT, type LogLineT } from '../../../preload/schemas/containers';
import type { Backend } from '../../api/backend';
import { flag, parseArgs, type FlagSpec } from '../args';
import type { CliContext, Command } from '../command';
import { parseSize } from '../units';
import {
  checkFormat,
  compileFormat,
  FORMAT_FLAGS,
  formatOptions,
  formatRows,
  type TemplateValue,
} from '../format/index';
import { parseTimeArg } from '../time-arg';
import { containerListing } from './listings';
import { relaySession } from '../session-relay';
import { seccompFromSecurityOpts } from '../security-opt';
import { parseDeviceFlag, parseDeviceRule } from '../../shared/device-syntax';
import { PRIVILEGE_FLAGS, PRIVILEGE_HELP, privilegeRequest } from '../security-flags';
import { parseMountFlag, parseTmpfsFlag, parseVolumeFlag, type BindVolume, type MountRequest } from '../mount-flags';

const cli = { transport: 'cli' } as const;

const RUN_FLAGS: FlagSpec = {
  detach: { value: false, short: 'd' },
  rm: { value: false },
  name: { value: true },
  env: { value: true, short: 'e', repeat: true },
  volume: { value: true, short: 'v', repeat: true },
  mount: { value: true, repeat: true },
  tmpfs: { value: true, repeat: true },
  publish: { value: true, short: 'p', repeat: true },
  network: { value: true },
  'network-alias': { value: true, repeat: true },
  ip: { value: true },
  memory: { value: true, short: 'm' },
  'memory-reservation': { value: true },
  cpus: { value: true },
  'cpu-shares': { value: true },
  'cpuset-cpus': { value: true },
  'pids-limit': { value: true },
  tty: { value: false, short: 't' },
  interactive: { value: false, short: 'i' },
  restart: { value: true },
  user: { value: true, short: 'u' },
  workdir: { value: true, short: 'w' },
  hostname: { value: true },
  entrypoint: { value: true },
  label: { value: true, short: 'l', repeat: true },
  userns: { value: false },
  timens: { value: false },
  'security-opt': { value: true, repeat: true },
  // devices (sec-devices)
  device: { value: true, repeat: true },
  'device-cgroup-rule': { value: true, repeat: true },
  pod: { value: true },
  ...PRIVILEGE_FLAGS,
};

function intFlag(v: string | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  if (!/^-?\d+$/.test(v)) throw new BerthError('USAGE', `--${name} needs an integer`);
  return Number(v);
}

/** Build a containers.create request from docker run flags. */
export function createRequest(argv: string[]): { req: Record<string, unknown>; detach: boolean; interactive: boolean } {
  const p = parseArgs(argv, RUN_FLAGS, { stopAtFirstPositional: true });
  const [image, ...command] = p.positionals;
  if (!image) throw new BerthError('USAGE', 'berth run [OPTIONS] IMAGE [COMMAND] [ARG...]');
  // -v: host paths stay binds in `volumes`; names and lone paths are volume mounts.
  const volumes: BindVolume[] = [];
  const mounts: MountRequest[] = [];
  for (const v of p.flags.get('volume') ?? []) {
    const r = parseVolumeFlag(v);
    if ('bind' in r) volumes.push(r.bind);
    else mounts.push(r.mount);
  }
  for (const m of p.flags.get('mount') ?? []) mounts.push(parseMountFlag(m));
  for (const t of p.flags.get('tmpfs') ?? []) mounts.push(parseTmpfsFlag(t));
  const ports = (p.flags.get('publish') ?? []).map((v) => {
    const m = /^(\d+):(\d+)(?:\/(tcp|udp))?$/.exec(v);
    if (!m) throw new BerthError('USAGE', `invalid port ${v}: use HOST:CONTAINER[/tcp|udp]`);
    return { hostPort: Number(m[1]), containerPort: Number(m[2]), protocol: m[3] ?? 'tcp' };
  });
  const resources: Record<string, Record<string, unknown>> = {};
  const mem = flag(p, 'memory');
  const memRes = flag(p, 'memory-reservation');
  if (mem !== undefined || memRes !== undefined) {
    resources.memory = {
      ...(mem !== undefined ? { max: parseSize(mem) } : {}),
      ...(memRes !== undefined ? { high: parseSize(memRes) } : {}),
    };
  }
  const cpu: Record<string, unknown> = {};
  if (flag(p, 'cpus') !== undefined) cpu.cpus = Number(flag(p, 'cpus'));
  if (flag(p, 'cpu-shares') !== undefined) cpu.weight = sharesToWeight(intFlag(flag(p, 'cpu-shares'), 'cpu-shares')!);
  if (flag(p, 'cpuset-cpus') !== undefined) cpu.cpusetCpus = flag(p, 'cpuset-cpus');
  if (Object.keys(cpu).length) resources.cpu = cpu;
  const pids = intFlag(flag(p, 'pids-limit'), 'pids-limit');
  if (pids !== undefined) resources.pids = { max: pids <= 0 ? null : pids };
  const restart = flag(p, 'restart');
  let restartPolicy: { name: string; maxRetries: number } | undefined;
  if (restart !== undefined) {
    const [name = '', n] = restart.split(':');
    restartPolicy = { name, maxRetries: n === undefined ? 0 : Number(n) };
  }
  const labels = Object.fromEntries(
    (p.flags.get('label') ?? []).map((l) => {
      const eq = l.indexOf('=');
      return eq < 0 ? [l, ''] : [l.slice(0, eq), l.slice(eq + 1)];
    }),
  );
  const entrypoint = flag(p, 'entrypoint');
  const seccomp = seccompFromSecurityOpts(p.flags.get('security-opt') ?? []);
  // --device / --device-cgroup-rule (sec-devices): docker's syntax, checked here for a usage error.
  const devices = (p.flags.get('device') ?? []).map(parseDeviceFlag);
  const deviceCgroupRules = p.flags.get('device-cgroup-rule') ?? [];
  for (const r of deviceCgroupRules) parseDeviceRule(r);
  // One security object for every flag that relaxes or tightens containment.
  const security: Record<string, unknown> = {
    ...privilegeRequest(p),
    ...(seccomp ? { seccomp } : {}),
    ...(devices.length ? { devices } : {}),
    ...(deviceCgroupRules.length ? { deviceCgroupRules } : {}),
  };
  const req: Record<string, unknown> = {
    image,
    ...(command.length ? { command } : {}),
    ...(entrypoint !== undefined ? { entrypoint: entrypoint === '' ? [] : [entrypoint] } : {}),
    ...(flag(p, 'name') !== undefined ? { name: flag(p, 'name') } : {}),
    env: p.flags.get('env') ?? [],
    volumes,
    ...(mounts.length ? { mounts } : {}),
    ports,
    ...(flag(p, 'network') !== undefined ? { network: flag(p, 'network') } : {}),
    ...(p.flags.has('network-alias') ? { networkAliases: p.flags.get('network-alias') } : {}),
    ...(flag(p, 'ip') !== undefined ? { ip: flag(p, 'ip') } : {}),
    ...(flag(p, 'pod') !== undefined ? { pod: flag(p, 'pod') } : {}),
    ...(flag(p, 'user') !== undefined ? { user: flag(p, 'user') } : {}),
    ...(flag(p, 'workdir') !== undefined ? { workdir: flag(p, 'workdir') } : {}),
    ...(flag(p, 'hostname') !== undefined ? { hostname: flag(p, 'hostname') } : {}),
    tty: p.flags.has('tty'),
    openStdin: p.flags.has('interactive'),
    autoRemove: p.flags.has('rm'),
    userns: p.flags.has('userns'),
    timens: p.flags.has('timens'),
    security,
    labels,
    resources,
    ...(restartPolicy ? { restart: restartPolicy } : {}),
  };
  return { req, detach: p.flags.has('detach'), interactive: p.flags.has('interactive') || p.flags.has('tty') };
}

/** docker's --cpu-shares (v1 cpu.shares) to the cgroup v2 weight the contract uses (runc's formula). */
export function sharesToWeight(shares: number): number {
  if (shares <= 0) return 100;
  const s = Math.min(Math.max(shares, 2), 262144);
  return Math.round(1 + ((s - 2) * 9999) / 262142);
}

/**
 * Streams a container's logs to the terminal until it stops; returns its
 * exit code (from the die event, which carries it even if the container is
 * removed right after).
 */
export async function followLogs(b: Backend, id: string, ctx: CliContext): Promise<number> {
  let exitCode: number | null = null;
  let died = false;
  const off = b.hub.on('containers.changed', (e) => {
    if (e.id === id && e.action === 'die') {
      died = true;
      exitCode = e.exitCode;
    }
  });
  try {
    let cursor: string | undefined;
    for (;;) {
      const r = await b.router.invoke('containers.logs', { id, ...(cursor ? { cursor } : {}), limit: 10_000 }, cli);
      for (const l of r.lines) (l.stream === 'stderr' ? ctx.stderr : ctx.stdout).write(l.line + '\n');
      cursor = r.cursor;
      if (!r.running) {
        // One more read: output written between the last read and the exit.
        const last = await b.router.invoke('containers.logs', { id, cursor, limit: 10_000 }, cli);
        for (const l of last.lines) (l.stream === 'stderr' ? ctx.stderr : ctx.stdout).write(l.line + '\n');
        if (!died) exitCode = (await b.router.invoke('containers.inspect', { id }, cli)).exitCode;
        return exitCode ?? 0;
      }
      await new Promise((res) => setTimeout(res, 150));
    }
  } finally {
    off();
  }
}

/** docker ps --filter: status=, name=, label=, ancestor= (the helper's list filters). */
export function psFilters(specs: string[]): {
  state?: ContainerStateT[];
  name?: string;
  label?: string[];
  image?: string;
} {
  const f: { state?: ContainerStateT[]; name?: string; label?: string[]; image?: string } = {};
  for (const spec of specs) {
    const eq = spec.indexOf('=');
    const [k, v] = eq < 0 ? [spec, ''] : [spec.slice(0, eq), spec.slice(eq + 1)];
    if (k === 'status') {
      const st = ContainerState.safeParse(v);
      if (!st.success)
        throw new BerthError('USAGE', `invalid status filter ${v} (${ContainerState.options.join(', ')})`);
      f.state = [...(f.state ?? []), st.data];
    } else if (k === 'name') f.name = v;
    else if (k === 'label') f.label = [...(f.label ?? []), v];
    else if (k === 'ancestor') f.image = v;
    else throw new BerthError('USAGE', `unknown filter ${k} (status=, name=, label=, ancestor=)`);
  }
  return f;
}

/** A container, or an image when no container has that name (or as --type says). */
async function inspectOne(b: Backend, ref: string, type: string | undefined): Promise<unknown> {
  if (type !== 'image') {
    try {
      return await b.router.invoke('containers.inspect', { id: ref }, cli);
    } catch (err) {
      if (type === 'container' || !isBerthError(err, 'CONTAINER_NOT_FOUND')) throw err;
    }
  }
  try {
    return await b.router.invoke('images.inspect', { ref }, cli);
  } catch (err) {
    if (type === undefined && (isBerthError(err, 'IMAGE_NOT_FOUND') || isBerthError(err, 'BAD_PARAMS')))
      throw new BerthError('CONTAINER_NOT_FOUND', `no such object: ${ref}`);
    throw err;
  }
}

/** Flags that take a value: their values are not container names. */
const VALUE_FLAGS = new Set(['-s', '--signal', '-t', '--time']);

function simple(
  name: string,
  summary: string,
  fn: (b: Backend, id: string, args: string[]) => Promise<unknown>,
): Command {
  return {
    name,
    usage: `${name} CONTAINER...`,
    summary,
    async run(args, ctx) {
      const ids = args.filter((a, i) => !a.startsWith('-') && !VALUE_FLAGS.has(args[i - 1] ?? ''));
      if (ids.length === 0) throw new BerthError('USAGE', `berth ${name} CONTAINER...`);
      let failed = 0;
      for (const id of ids) {
        try {
          await fn(ctx.backend(), id, args);
          ctx.stdout.write(`${id}\n`);
        } catch (err) {
          failed++;
          ctx.stderr.write(`Error: ${(err as Error).message}\n`);
        }
      }
      return failed ? 1 : 0;
    },
  };
}

export const containerCommands: Command[] = [
  {
    name: 'run',
    usage:
      'run [-d] [--rm] [--name N] [-e K=V] [-v SRC:DST[:ro]] [--mount type=volume|bind|tmpfs,…] [--tmpfs PATH] [-p H:C] [--network M] [--network-alias A] [--ip IP] [-m SIZE] [--cpus N] [--userns] [--timens] [--cap-add C] [--cap-drop C] [--privileged] [--read-only] [--security-opt seccomp=unconfined|PROFILE.json] [--device HOST[:CONT][:rwm]] [--device-cgroup-rule RULE] [--pod POD] IMAGE [CMD...]',
    summary:
      'create and start a container (run --help: the security flags; Docker’s default seccomp profile applies and blocks new user namespaces: allow them with --cap-add SYS_ADMIN, --security-opt seccomp=unconfined or your own profile)',
    async run(args, ctx) {
      if (args[0] === '--help' || args[0] === '-h') {
        ctx.stdout.write(`Usage: berth ${containerCommands[0]!.usage}\n\n${PRIVILEGE_HELP}`);
        return 0;
      }
      const { req, detach, interactive } = createRequest(args);
      const foregroundRm = !detach && req.autoRemove === true;
      if (foregroundRm) req.autoRemove = false;
      const b = ctx.backend();
      const created = await b.router.invoke('containers.create', req, cli);
      for (const w of created.warnings) ctx.stderr.write(`WARNING: ${w}\n`);
      await b.router.invoke('containers.start', { id: created.id }, cli);
      if (detach) {
        ctx.stdout.write(`${created.id}\n`);
        return 0;
      }
      if (interactive) {
        // -i/-t: attach to the main process (its pty or stdin pipe).
        const code = await relaySession(
          b,
          ctx,
          async () => (await b.router.invoke('containers.attach', { id: created.id }, cli)).sessionId,
          { interactive: req.openStdin === true, tty: req.tty === true },
        );
        if (foregroundRm)
          await b.router.invoke('containers.remove', { id: created.id, force: true, volumes: true }, cli);
        return code;
      }
      const code = await followLogs(b, created.id, ctx);
      // Foreground --rm: removed here, after every line was read (the helper's
      // own autoRemove would race the last read).
      if (foregroundRm) await b.router.invoke('containers.remove', { id: created.id, force: true, volumes: true }, cli);
      return code;
    },
  },
  {
    name: 'create',
    usage: 'create [OPTIONS as for run] IMAGE [CMD...]',
    summary: 'create a container without starting it',
    async run(args, ctx) {
      const { req } = createRequest(args);
      const created = await ctx.backend().router.invoke('containers.create', req, cli);
      ctx.stdout.write(`${created.id}\n`);
      return 0;
    },
  },
  {
    name: 'ps',
    usage: 'ps [-a] [-q] [--no-trunc] [--filter K=V] [--format table|json|TEMPLATE]',
    summary: 'list containers (filters: status=, name=, label=, ancestor=)',
    async run(args, ctx) {
      const p = parseArgs(args, {
        all: { value: false, short: 'a' },
        filter: { value: true, short: 'f', repeat: true },
        ...FORMAT_FLAGS,
      });
      const fo = formatOptions(p);
      checkFormat(containerListing, fo);
      const filters = psFilters(p.flags.get('filter') ?? []);
      const list = await ctx
        .backend()
        .router.invoke('containers.list', { all: p.flags.has('all') || filters.state !== undefined, filters }, cli);
      ctx.stdout.write(formatRows(containerListing, list, fo));
      return 0;
    },
  },
  simple('start', 'start stopped containers', (b, id) => b.router.invoke('containers.start', { id }, cli)),
  {
    ...simple('stop', 'stop running containers (SIGTERM, then SIGKILL)', (b, id, args) => {
      const t = args.findIndex((a) => a === '-t' || a === '--time');
      return b.router.invoke('containers.stop', { id, ...(t >= 0 ? { timeoutSec: Number(args[t + 1]) } : {}) }, cli);
    }),
    usage: 'stop [-t SECONDS] CONTAINER...',
  },
  simple('restart', 'restart containers', (b, id) => b.router.invoke('containers.restart', { id }, cli)),
  {
    ...simple('kill', 'send a signal (default SIGKILL)', (b, id, args) => {
      const s = args.findIndex((a) => a === '-s' || a === '--signal');
      return b.router.invoke('containers.kill', { id, ...(s >= 0 ? { signal: args[s + 1] } : {}) }, cli);
    }),
    usage: 'kill [-s SIGNAL] CONTAINER...',
  },
  simple('pause', 'freeze every process of containers', (b, id) => b.router.invoke('containers.pause', { id }, cli)),
  simple('unpause', 'thaw paused containers', (b, id) => b.router.invoke('containers.unpause', { id }, cli)),
  {
    ...simple('rm', 'remove containers', (b, id, args) =>
      b.router.invoke(
        'containers.remove',
        {
          id,
          force: args.includes('-f') || args.includes('--force') || args.includes('-fv') || args.includes('-vf'),
          volumes: args.includes('-v') || args.includes('--volumes') || args.includes('-fv') || args.includes('-vf'),
        },
        cli,
      ),
    ),
    usage: 'rm [-f] [-v] CONTAINER...',
  },
  {
    name: 'inspect',
    usage: 'inspect [--type container|image] [-f TEMPLATE] NAME...',
    summary: 'config and state of containers or images as one JSON array',
    async run(args, ctx) {
      const p = parseArgs(args, { type: { value: true }, format: { value: true, short: 'f' } });
      const type = flag(p, 'type');
      if (p.positionals.length === 0 || (type !== undefined && type !== 'container' && type !== 'image'))
        throw new BerthError('USAGE', 'berth inspect [--type container|image] [-f TEMPLATE] NAME...');
      const format = flag(p, 'format');
      const tmpl = format === undefined ? null : compileFormat(format === 'json' ? '{{json .}}' : format);
      const b = ctx.backend();
      const found: unknown[] = [];
      let failed = 0;
      for (const ref of p.positionals) {
        try {
          found.push(await inspectOne(b, ref, type));
        } catch (err) {
          failed++;
          ctx.stderr.write(`Error: ${(err as Error).message}\n`);
        }
      }
      if (tmpl) {
        // A JSON round trip gives the template plain values (no undefined, no class instances).
        for (const o of found)
          ctx.stdout.write(tmpl.execute(JSON.parse(JSON.stringify(o)) as TemplateValue, 'inspect') + '\n');
      } else ctx.stdout.write(JSON.stringify(found, null, 2) + '\n');
      return failed ? 1 : 0;
    },
  },
  {
    name: 'logs',
    usage: 'logs [-f] [--tail N] [-t] [--since T] [--until T] CONTAINER',
    summary: 'a container’s output (T: 10m, 1h30m, 2024-03-01T12:00:00Z, Unix seconds)',
    async run(args, ctx) {
      const p = parseArgs(args, {
        follow: { value: false, short: 'f' },
        tail: { value: true },
        timestamps: { value: false, short: 't' },
        since: { value: true },
        until: { value: true },
      });
      const id = p.positionals[0];
      if (!id) throw new BerthError('USAGE', 'berth logs [-f] CONTAINER');
      const b = ctx.backend();
      const tail = intFlag(flag(p, 'tail'), 'tail');
      const now = Date.now();
      const since = flag(p, 'since') === undefined ? undefined : parseTimeArg('since', flag(p, 'since')!, now);
      const until = flag(p, 'until') === undefined ? undefined : parseTimeArg('until', flag(p, 'until')!, now);
      const ts = p.flags.has('timestamps');
      const print = (lines: LogLineT[]): void => {
        for (const l of lines) {
          // docker: since ≤ t ≤ until.
          const t = Date.parse(l.t);
          if ((since !== undefined && t < since) || (until !== undefined && t > until)) continue;
          (l.stream === 'stderr' ? ctx.stderr : ctx.stdout).write(`${ts ? l.t + ' ' : ''}${l.line}\n`);
        }
      };
      let r = await b.router.invoke(
        'containers.logs',
        { id, ...(tail !== undefined ? { tail } : {}), limit: 10_000 },
        cli,
      );
      print(r.lines);
      // What was there when we began, page by page (a long log is more than one answer).
      const more = (lines: LogLineT[]): boolean => {
        const last = lines.at(-1);
        return last !== undefined && Date.parse(last.t) < Math.min(now, until ?? now);
      };
      while (more(r.lines)) {
        r = await b.router.invoke('containers.logs', { id, cursor: r.cursor, limit: 10_000 }, cli);
        print(r.lines);
      }
      if (!p.flags.has('follow')) return 0;
      let cursor = r.cursor;
      let running = r.running;
      // --until ends a follow once it has passed.
      while (running && (until === undefined || Date.now() <= until)) {
        await new Promise((res) => setTimeout(res, 250));
        const next = await b.router.invoke('containers.logs', { id, cursor, limit: 10_000 }, cli);
        print(next.lines);
        cursor = next.cursor;
        running = next.running;
      }
      return 0;
    },
  },
  {
    name: 'exec',
    usage: 'exec [-i] [-t] [-e K=V] [-u USER] [-w DIR] CONTAINER CMD...',
    summary: 'run a command in a running container',
    async run(args, ctx) {
      const p = parseArgs(
        args,
        {
          interactive: { value: false, short: 'i' },
          tty: { value: false, short: 't' },
          env: { value: true, short: 'e', repeat: true },
          user: { value: true, short: 'u' },
          workdir: { value: true, short: 'w' },
          detach: { value: false, short: 'd' },
        },
        { stopAtFirstPositional: true },
      );
      const [id, ...cmd] = p.positionals;
      if (!id || cmd.length === 0) throw new BerthError('USAGE', 'berth exec [-it] CONTAINER CMD...');
      const b = ctx.backend();
      const tty = p.flags.has('tty');
      const user = flag(p, 'user');
      const workdir = flag(p, 'workdir');
      return relaySession(
        b,
        ctx,
        async () =>
          (
            await b.router.invoke(
              'containers.exec',
              {
                id,
                cmd,
                tty,
                env: p.flags.get('env') ?? [],
                ...(user !== undefined ? { user } : {}),
                ...(workdir !== undefined ? { workdir } : {}),
                ...(tty && process.stdout.isTTY ? { cols: process.stdout.columns, rows: process.stdout.rows } : {}),
              },
              cli,
            )
          ).sessionId,
        { interactive: p.flags.has('interactive'), tty },
      );
    },
  },
  {
    name: 'diff',
    usage: 'diff CONTAINER',
    summary: 'files added (A), changed (C) or deleted (D) in the container',
    async run(args, ctx) {
      if (!args[0]) throw new BerthError('USAGE', 'berth diff CONTAINER');
      for (const c of await ctx.backend().router.invoke('containers.diff', { id: args[0] }, cli))
        ctx.stdout.write(`${c.kind} ${c.path}\n`);
      return 0;
    },
  },
  {
    name: 'rename',
    usage: 'rename CONTAINER NEW_NAME',
    summary: 'rename a container',
    async run(args, ctx) {
      const [id, name] = args;
      if (!id || !name) throw new BerthError('USAGE', 'berth rename CONTAINER NEW_NAME');
      await ctx.backend().router.invoke('containers.rename', { id, name }, cli);
      return 0;
    },
  },
];
