/** `berth volume create|ls|inspect|rm|prune`, docker's output shapes. */
import { BerthError } from '../../../preload/errors';
import type { VolumeT } from '../../../preload/schemas/volumes';
import { formatBytes } from '../../../preload/units';
import { flag, parseArgs } from '../args';
import type { CliContext, Command } from '../command';
import { table } from '../table';
import { runPrune } from './disk';

const cli = { transport: 'cli' } as const;

/** docker's `volume ls --format json` line: its field names, Labels as "k=v,k2=v2". */
export function volumeLsJson(v: VolumeT): Record<string, string> {
  return {
    Availability: 'N/A',
    Driver: v.driver,
    Group: 'N/A',
    Labels: Object.entries(v.labels)
      .map(([k, val]) => `${k}=${val}`)
      .join(','),
    Links: String(v.users.length),
    Mountpoint: v.mountpoint,
    Name: v.name,
    Scope: v.scope,
    Size: v.sizeBytes === null ? 'N/A' : formatBytes(v.sizeBytes),
    Status: 'N/A',
  };
}

/** docker's `volume inspect` object. */
export function volumeInspectJson(v: VolumeT): Record<string, unknown> {
  return {
    CreatedAt: v.createdAt,
    Driver: v.driver,
    Labels: v.labels,
    Mountpoint: v.mountpoint,
    Name: v.name,
    Options: v.options,
    Scope: v.scope,
    UsageData: v.sizeBytes === null ? null : { Size: v.sizeBytes, RefCount: v.users.length },
  };
}

const USAGE =
  'volume create [--label K=V]… [NAME] | ls [-q] [--format json] | inspect NAME… | rm NAME… | prune [-a] [-f]';

async function sub(cmd: string, args: string[], ctx: CliContext): Promise<number> {
  const r = ctx.backend().router;
  switch (cmd) {
    case 'create': {
      const p = parseArgs(args, { label: { value: true, short: 'l', repeat: true } });
      if (p.positionals.length > 1) throw new BerthError('USAGE', 'berth volume create [NAME]');
      const labels = Object.fromEntries(
        (p.flags.get('label') ?? []).map((l) => {
          const eq = l.indexOf('=');
          return eq < 0 ? [l, ''] : [l.slice(0, eq), l.slice(eq + 1)];
        }),
      );
      const name = p.positionals[0];
      const v = await r.invoke('volumes.create', { ...(name !== undefined ? { name } : {}), labels }, cli);
      ctx.stdout.write(`${v.name}\n`);
      return 0;
    }
    case 'ls':
    case 'list': {
      const p = parseArgs(args, { quiet: { value: false, short: 'q' }, format: { value: true } });
      const format = flag(p, 'format');
      const list = await r.invoke('volumes.list', { size: false }, cli);
      if (p.flags.has('quiet')) for (const v of list) ctx.stdout.write(`${v.name}\n`);
      else if (format === 'json') for (const v of list) ctx.stdout.write(JSON.stringify(volumeLsJson(v)) + '\n');
      else if (format !== undefined) throw new BerthError('USAGE', `--format ${format}: only json is supported`);
      else ctx.stdout.write(table([['DRIVER', 'VOLUME NAME'], ...list.map((v) => [v.driver, v.name])]) + '\n');
      return 0;
    }
    case 'inspect': {
      const p = parseArgs(args, { size: { value: false, short: 's' } });
      if (p.positionals.length === 0) throw new BerthError('USAGE', 'berth volume inspect NAME…');
      const out = [];
      for (const name of p.positionals)
        out.push(volumeInspectJson(await r.invoke('volumes.inspect', { name, size: p.flags.has('size') }, cli)));
      ctx.stdout.write(JSON.stringify(out, null, 4) + '\n');
      return 0;
    }
    case 'rm':
    case 'remove': {
      const p = parseArgs(args, { force: { value: false, short: 'f' } });
      if (p.positionals.length === 0) throw new BerthError('USAGE', 'berth volume rm NAME…');
      let code = 0;
      for (const name of p.positionals) {
        try {
          await r.invoke('volumes.remove', { name }, cli);
          ctx.stdout.write(`${name}\n`);
        } catch (err) {
          // -f: a missing volume is not an error (docker); in use still is.
          if (p.flags.has('force') && (err as { code?: string }).code === 'VOLUME_NOT_FOUND') continue;
          if (p.positionals.length === 1) throw err;
          ctx.stderr.write(`Error: ${(err as Error).message}\n`);
          code = 1;
        }
      }
      return code;
    }
    case 'prune': {
      const p = parseArgs(args, { all: { value: false, short: 'a' }, force: { value: false, short: 'f' } });
      return runPrune(ctx, ['volumes'], { all: p.flags.has('all'), force: p.flags.has('force') });
    }
    default:
      throw new BerthError('USAGE', `berth ${USAGE}`);
  }
}

export const volumeCommands: Command[] = [
  {
    name: 'volume',
    usage: USAGE,
    summary: 'named volumes: data that outlives containers (-v NAME:/path, --mount type=volume)',
    run: ([cmd = '', ...args], ctx) => sub(cmd, args, ctx),
  },
];
