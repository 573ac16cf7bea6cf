/**
 * `berth pod create|ls|inspect|start|stop|rm`: podman's pod commands. A
 * pod's members share its net, ipc and uts namespaces (pid with --share
 * …,pid); containers join one with `run --pod NAME`.
 */
import { BerthError } from '../../../preload/errors';
import type { PodSummaryT } from '../../../preload/schemas/pods';
import { flag, parseArgs } from '../args';
import type { CliContext, Command } from '../command';
import { table } from '../table';
import { parseSize } from '../units';
import { humanDuration } from '../format/index';
import { sharesToWeight } from './containers';

const cli = { transport: 'cli' } as const;

const USAGE =
  'pod create [--name N] [--share net,ipc,uts[,pid]] [--network bridge|none] [-p H:C] [--hostname H] [-m SIZE] [--cpus N] [--cpu-shares N] [--pids-limit N] [-l K=V] | ls | inspect POD... | start POD... | stop [-t S] POD... | rm [-f] POD...';

/** Build a pods.create request from the flags (exported for its unit test). */
export function podCreateRequest(argv: string[]): Record<string, unknown> {
  const p = parseArgs(argv, {
    name: { value: true },
    share: { value: true },
    network: { value: true },
    publish: { value: true, short: 'p', repeat: true },
    hostname: { value: true },
    memory: { value: true, short: 'm' },
    'memory-reservation': { value: true },
    cpus: { value: true },
    'cpu-shares': { value: true },
    'pids-limit': { value: true },
    label: { value: true, short: 'l', repeat: true },
  });
  if (p.positionals.length) throw new BerthError('USAGE', `berth ${USAGE}`);
  const ports = (p.flags.get('publish') ?? []).map((v) => {
    const m = /^(\d+):(\d+)(?:\/(tcp|udp))?$/.exec(v);
    if (!m) throw new BerthError('USAGE', `invalid port ${v}: use HOST:CONTAINER[/tcp|udp]`);
    return { hostPort: Number(m[1]), containerPort: Number(m[2]), protocol: m[3] ?? 'tcp' };
  });
  const share = flag(p, 'share');
  const resources: Record<string, Record<string, unknown>> = {};
  const mem = flag(p, 'memory');
  const low = flag(p, 'memory-reservation');
  if (mem !== undefined || low !== undefined)
    resources.memory = {
      ...(mem !== undefined ? { max: parseSize(mem) } : {}),
      ...(low !== undefined ? { low: parseSize(low) } : {}),
    };
  const cpu: Record<string, unknown> = {};
  const cpus = flag(p, 'cpus');
  if (cpus !== undefined) {
    if (!/^\d+(\.\d+)?$/.test(cpus)) throw new BerthError('USAGE', '--cpus needs a number');
    cpu.cpus = Number(cpus);
  }
  const shares = flag(p, 'cpu-shares');
  if (shares !== undefined) {
    if (!/^\d+$/.test(shares)) throw new BerthError('USAGE', '--cpu-shares needs an integer');
    cpu.weight = sharesToWeight(Number(shares));
  }
  if (Object.keys(cpu).length) resources.cpu = cpu;
  const pids = flag(p, 'pids-limit');
  if (pids !== undefined) {
    if (!/^-?\d+$/.test(pids)) throw new BerthError('USAGE', '--pids-limit needs an integer');
    resources.pids = { max: Number(pids) <= 0 ? null : Number(pids) };
  }
  const labels = Object.fromEntries(
    (p.flags.get('label') ?? []).map((l) => {
      const eq = l.indexOf('=');
      return eq < 0 ? [l, ''] : [l.slice(0, eq), l.slice(eq + 1)];
    }),
  );
  return {
    ...(flag(p, 'name') !== undefined ? { name: flag(p, 'name') } : {}),
    // podman's --share lists what is shared; net, ipc and uts are Berth's floor (the schema says so).
    ...(share !== undefined ? { share: share.split(',').map((s) => s.trim()) } : {}),
    ...(flag(p, 'network') !== undefined ? { network: flag(p, 'network') } : {}),
    ...(flag(p, 'hostname') !== undefined ? { hostname: flag(p, 'hostname') } : {}),
    ports,
    labels,
    resources,
  };
}

export function podStatus(p: PodSummaryT): string {
  const running = p.members.filter((m) => m.state === 'running').length;
  return `${p.state[0]!.toUpperCase()}${p.state.slice(1)} (${running}/${p.members.length})`;
}

async function eachPod(args: string[], ctx: CliContext, fn: (id: string) => Promise<unknown>): Promise<number> {
  let failed = 0;
  for (const id of args) {
    try {
      await fn(id);
      ctx.stdout.write(`${id}\n`);
    } catch (err) {
      failed++;
      ctx.stderr.write(`Error: ${(err as Error).message}\n`);
    }
  }
  return failed ? 1 : 0;
}

export const podCommands: Command[] = [
  {
    name: 'pod',
    usage: USAGE,
    summary: 'manage pods: containers sharing net, ipc and uts (and pid) namespaces and a cgroup parent',
    async run(args, ctx) {
      const [sub, ...rest] = args;
      const r = () => ctx.backend().router;
      switch (sub) {
        case 'create': {
          const created = await r().invoke('pods.create', podCreateRequest(rest), cli);
          ctx.stdout.write(`${created.id}\n`);
          return 0;
        }
        case 'ls':
        case 'ps':
        case 'list': {
          const p = parseArgs(rest, { format: { value: true }, quiet: { value: false, short: 'q' } });
          const list = await r().invoke('pods.list', {}, cli);
          if (flag(p, 'format') === 'json') {
            ctx.stdout.write(JSON.stringify(list, null, 2) + '\n');
            return 0;
          }
          if (p.flags.has('quiet')) {
            for (const x of list) ctx.stdout.write(x.id.slice(0, 12) + '\n');
            return 0;
          }
          const rows = [['POD ID', 'NAME', 'STATUS', 'CREATED', 'SHARE', 'PORTS', 'MEMBERS']];
          for (const x of list)
            rows.push([
              x.id.slice(0, 12),
              x.name,
              podStatus(x),
              `${humanDuration(Date.now() - Date.parse(x.created))} ago`,
              x.share.join(','),
              x.network.ports.map((q) => `0.0.0.0:${q.hostPort}->${q.containerPort}/${q.protocol}`).join(', '),
              x.members.map((m) => m.name).join(', ') || '-',
            ]);
          ctx.stdout.write(table(rows) + '\n');
          return 0;
        }
        case 'inspect': {
          if (!rest.length) throw new BerthError('USAGE', 'berth pod inspect POD...');
          const out = [];
          for (const id of rest) out.push(await r().invoke('pods.inspect', { id }, cli));
          ctx.stdout.write(JSON.stringify(out, null, 2) + '\n');
          return 0;
        }
        case 'start': {
          if (!rest.length) throw new BerthError('USAGE', 'berth pod start POD...');
          return eachPod(rest, ctx, (id) => r().invoke('pods.start', { id }, cli));
        }
        case 'stop': {
          const p = parseArgs(rest, { time: { value: true, short: 't' } });
          if (!p.positionals.length) throw new BerthError('USAGE', 'berth pod stop [-t SECONDS] POD...');
          const t = flag(p, 'time');
          if (t !== undefined && !/^\d+$/.test(t)) throw new BerthError('USAGE', '-t needs a number of seconds');
          return eachPod(p.positionals, ctx, (id) =>
            r().invoke('pods.stop', { id, ...(t !== undefined ? { timeoutSec: Number(t) } : {}) }, cli),
          );
        }
        case 'rm': {
          const p = parseArgs(rest, { force: { value: false, short: 'f' } });
          if (!p.positionals.length) throw new BerthError('USAGE', 'berth pod rm [-f] POD...');
          return eachPod(p.positionals, ctx, (id) =>
            r().invoke('pods.remove', { id, force: p.flags.has('force') }, cli),
          );
        }
        default:
          throw new BerthError('USAGE', `berth ${USAGE}`);
      }
    },
  },
];
