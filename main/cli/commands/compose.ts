/**
 * `berth compose [-p NAME] [-f FILE]… up|down|ps|logs|restart|stop|start`.
 * The files, `.env` and env_file are read here, as the user; the project is
 * run through the helper's existing methods (main/cli/compose/actions.ts).
 */
import { BerthError } from '../../../preload/errors';
import { flag, parseArgs } from '../args';
import type { CliContext, Command } from '../command';
import { checkFormat, FORMAT_FLAGS, formatOptions, formatRows } from '../format/index';
import { table } from '../table';
import { down, lifecycle, projectContainers, serviceOf, streamLogs, up } from '../compose/actions';
// The loader (and the YAML parser it brings) loads with `compose`, not at every CLI start.
const loader = () => import('../compose/load');
import type { ComposeProject } from '../compose/model';
import { containerListing, portsText, statusText } from './listings';

const USAGE = [
  'compose [-p NAME] [-f FILE]... up [-d] [--build] [SERVICE...]',
  'compose [-p NAME] [-f FILE]... down [-v]',
  'compose [-p NAME] [-f FILE]... ps [-a] [-q] [--format table|json|TEMPLATE]',
  'compose [-p NAME] [-f FILE]... logs [-f] [--tail N] [SERVICE...]',
  'compose [-p NAME] [-f FILE]... restart|stop|start [SERVICE...]',
];

const usage = (): BerthError => new BerthError('USAGE', `berth compose COMMAND:\n  ${USAGE.join('\n  ')}`);

/** Splits the global options (-p, -f) from the subcommand and its arguments. */
export function splitGlobal(args: string[]): { project?: string; files: string[]; verb: string; rest: string[] } {
  const files: string[] = [];
  let project: string | undefined;
  let i = 0;
  for (; i < args.length; i++) {
    const a = args[i]!;
    const value = (): string => {
      const v = args[++i];
      if (v === undefined) throw new BerthError('USAGE', `${a} needs a value`);
      return v;
    };
    if (a === '-f' || a === '--file') files.push(value());
    else if (a.startsWith('--file=')) files.push(a.slice(7));
    else if (a === '-p' || a === '--project-name') project = value();
    else if (a.startsWith('--project-name=')) project = a.slice(15);
    else if (a.startsWith('-')) throw new BerthError('USAGE', `unknown flag ${a}`);
    else break;
  }
  const verb = args[i];
  if (verb === undefined) throw usage();
  return { ...(project !== undefined ? { project } : {}), files, verb, rest: args.slice(i + 1) };
}

async function load(ctx: CliContext, g: { project?: string; files: string[] }): Promise<ComposeProject> {
  const { loadProject } = await loader();
  const p = loadProject({
    files: g.files,
    ...(g.project !== undefined ? { projectName: g.project } : {}),
    cwd: process.cwd(),
    env: process.env,
  });
  for (const w of p.warnings) ctx.stderr.write(`WARNING: ${w}\n`);
  return p;
}

/** down and ps need only the project's name: with -p and no file around, they work from the labels. */
async function projectName(ctx: CliContext, g: { project?: string; files: string[] }): Promise<string> {
  if (g.project !== undefined && g.files.length === 0) {
    const { findFiles } = await loader();
    try {
      findFiles([], process.cwd());
    } catch {
      return g.project;
    }
  }
  return (await load(ctx, g)).name;
}

async function run(args: string[], ctx: CliContext): Promise<number> {
  const g = splitGlobal(args);
  const b = () => ctx.backend();
  switch (g.verb) {
    case 'up': {
      const p = parseArgs(g.rest, { detach: { value: false, short: 'd' }, build: { value: false } });
      const project = await load(ctx, g);
      return up(b(), ctx, project, {
        detach: p.flags.has('detach'),
        build: p.flags.has('build'),
        services: p.positionals,
      });
    }
    case 'down': {
      const p = parseArgs(g.rest, { volumes: { value: false, short: 'v' } });
      if (p.positionals.length) throw usage();
      await down(b(), ctx, await projectName(ctx, g), { volumes: p.flags.has('volumes') });
      return 0;
    }
    case 'ps': {
      const p = parseArgs(g.rest, { all: { value: false, short: 'a' }, ...FORMAT_FLAGS });
      const fo = formatOptions(p);
      checkFormat(containerListing, fo);
      let list = await projectContainers(b(), await projectName(ctx, g));
      if (!p.flags.has('all')) list = list.filter((c) => c.state === 'running' || c.state === 'restarting');
      if (p.positionals.length) list = list.filter((c) => p.positionals.includes(serviceOf(c)));
      if (fo.format !== undefined || fo.quiet) {
        ctx.stdout.write(formatRows(containerListing, list, fo));
        return 0;
      }
      const rows = [['NAME', 'IMAGE', 'COMMAND', 'SERVICE', 'STATUS', 'PORTS']];
      for (const c of list)
        rows.push([c.name, c.image, JSON.stringify(c.command.join(' ')), serviceOf(c), statusText(c), portsText(c)]);
      ctx.stdout.write(table(rows) + '\n');
      return 0;
    }
    case 'logs': {
      const p = parseArgs(g.rest, { follow: { value: false, short: 'f' }, tail: { value: true, short: 'n' } });
      const tail = flag(p, 'tail');
      if (tail !== undefined && tail !== 'all' && !/^\d+$/.test(tail))
        throw new BerthError('USAGE', '--tail needs a number');
      let list = await projectContainers(b(), await projectName(ctx, g));
      if (p.positionals.length) list = list.filter((c) => p.positionals.includes(serviceOf(c)));
      await streamLogs(b(), ctx, list, {
        follow: p.flags.has('follow'),
        ...(tail !== undefined && tail !== 'all' ? { tail: Number(tail) } : {}),
      });
      return 0;
    }
    case 'restart':
    case 'stop':
    case 'start': {
      const p = parseArgs(g.rest, {});
      await lifecycle(b(), ctx, await load(ctx, g), g.verb, p.positionals);
      return 0;
    }
    default:
      throw usage();
  }
}

export const composeCommands: Command[] = [
  {
    name: 'compose',
    usage: 'compose [-p NAME] [-f FILE]... up|down|ps|logs|restart|stop|start …',
    summary: 'multi-container apps from compose files (docker compose v2 names and labels)',
    run,
  },
];
