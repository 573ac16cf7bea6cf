/**
 * docker-style `network` commands: create, ls, inspect, rm, connect,
 * disconnect, prune. `ls --format json` prints one object per line with
 * docker's field names and string values, as `docker network ls --format json`.
 */
import { BerthError } from '../../../preload/errors';
import type { NetworkSummaryT } from '../../../preload/schemas/networks';
import { flag, parseArgs } from '../args';
import type { CliContext, Command } from '../command';
import { table } from '../table';

const cli = { transport: 'cli' } as const;

/** docker network ls --format json's object for one network. */
export function dockerNetworkJson(n: NetworkSummaryT): Record<string, string> {
  return {
    CreatedAt: n.created,
    Driver: n.driver,
    ID: n.id.slice(0, 12),
    IPv6: 'false',
    Internal: String(n.internal),
    Labels: Object.entries(n.labels)
      .map(([k, v]) => `${k}=${v}`)
      .join(','),
    Name: n.name,
    Scope: n.scope,
  };
}

function labelsOf(values: string[]): Record<string, string> {
  return Object.fromEntries(
    values.map((l) => {
      const eq = l.indexOf('=');
      return eq < 0 ? [l, ''] : [l.slice(0, eq), l.slice(eq + 1)];
    }),
  );
}

const USAGE = [
  'network create [--subnet CIDR] [--gateway IP] [--internal] [--label K=V] NAME',
  'network ls [-q] [--format json]',
  'network inspect NETWORK...',
  'network rm NETWORK...',
  'network connect [--alias A] [--ip IP] NETWORK CONTAINER',
  'network disconnect NETWORK CONTAINER',
  'network prune',
];

async function sub(verb: string, args: string[], ctx: CliContext): Promise<number> {
  const b = ctx.backend();
  switch (verb) {
    case 'create': {
      const p = parseArgs(args, {
        subnet: { value: true },
        gateway: { value: true },
        internal: { value: false },
        label: { value: true, repeat: true },
        driver: { value: true, short: 'd' },
      });
      const name = p.positionals[0];
      if (!name || p.positionals.length > 1) throw new BerthError('USAGE', `berth ${USAGE[0]}`);
      const driver = flag(p, 'driver');
      if (driver !== undefined && driver !== 'bridge')
        throw new BerthError('USAGE', `only the bridge driver is supported (got ${driver})`);
      const n = await b.router.invoke(
        'networks.create',
        {
          name,
          ...(flag(p, 'subnet') !== undefined ? { subnet: flag(p, 'subnet') } : {}),
          ...(flag(p, 'gateway') !== undefined ? { gateway: flag(p, 'gateway') } : {}),
          internal: p.flags.has('internal'),
          labels: labelsOf(p.flags.get('label') ?? []),
        },
        cli,
      );
      ctx.stdout.write(`${n.id}\n`);
      return 0;
    }
    case 'ls':
    case 'list': {
      const p = parseArgs(args, { format: { value: true }, quiet: { value: false, short: 'q' } });
      const list = await b.router.invoke('networks.list', {}, cli);
      const format = flag(p, 'format');
      if (format === 'json') {
        for (const n of list) ctx.stdout.write(JSON.stringify(dockerNetworkJson(n)) + '\n');
        return 0;
      }
      if (format !== undefined) throw new BerthError('USAGE', `--format json is the only format (got ${format})`);
      if (p.flags.has('quiet')) {
        for (const n of list) ctx.stdout.write(`${n.id.slice(0, 12)}\n`);
        return 0;
      }
      const rows = [['NETWORK ID', 'NAME', 'DRIVER', 'SCOPE', 'SUBNET', 'INTERNAL', 'CONTAINERS']];
      for (const n of list)
        rows.push([
          n.id.slice(0, 12),
          n.name,
          n.driver,
          n.scope,
          n.subnet ?? '',
          n.internal ? 'yes' : '',
          String(n.containerCount),
        ]);
      ctx.stdout.write(table(rows) + '\n');
      return 0;
    }
    case 'inspect': {
      if (args.length === 0) throw new BerthError('USAGE', `berth ${USAGE[2]}`);
      const out = [];
      for (const id of args) out.push(await b.router.invoke('networks.inspect', { id }, cli));
      ctx.stdout.write(JSON.stringify(out, null, 2) + '\n');
      return 0;
    }
    case 'rm':
    case 'remove': {
      if (args.length === 0) throw new BerthError('USAGE', `berth ${USAGE[3]}`);
      let failed = 0;
      for (const id of args) {
        try {
          await b.router.invoke('networks.remove', { id }, cli);
          ctx.stdout.write(`${id}\n`);
        } catch (err) {
          failed++;
          ctx.stderr.write(`Error: ${(err as Error).message}\n`);
        }
      }
      return failed ? 1 : 0;
    }
    case 'connect': {
      const p = parseArgs(args, { alias: { value: true, repeat: true }, ip: { value: true } });
      const [network, container] = p.positionals;
      if (!network || !container || p.positionals.length > 2) throw new BerthError('USAGE', `berth ${USAGE[4]}`);
      await b.router.invoke(
        'networks.connect',
        {
          network,
          container,
          aliases: p.flags.get('alias') ?? [],
          ...(flag(p, 'ip') !== undefined ? { ip: flag(p, 'ip') } : {}),
        },
        cli,
      );
      return 0;
    }
    case 'disconnect': {
      const p = parseArgs(args, {});
      const [network, container] = p.positionals;
      if (!network || !container || p.positionals.length > 2) throw new BerthError('USAGE', `berth ${USAGE[5]}`);
      await b.router.invoke('networks.disconnect', { network, container }, cli);
      return 0;
    }
    case 'prune': {
      const r = await b.router.invoke('networks.prune', {}, cli);
      if (r.removed.length) ctx.stdout.write(`Deleted Networks:\n${r.removed.join('\n')}\n`);
      return 0;
    }
    default:
      throw new BerthError('USAGE', `berth network COMMAND:\n  ${USAGE.join('\n  ')}`);
  }
}

export const networkCommands: Command[] = [
  {
    name: 'network',
    usage: 'network create|ls|inspect|rm|connect|disconnect|prune …',
    summary: 'user-defined bridge networks (names resolve inside each network)',
    run: (args, ctx) => sub(args[0] ?? '', args.slice(1), ctx),
  },
];
