/**
 * docker's commands about a container's running process: `top` (its
 * processes, listed with the host's ps), `port` (its published ports),
 * `wait` (block until it stops, print the exit code) and `attach` (its main
 * process's stdio or tty).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { BerthError } from '../../../preload/errors';
import type { ContainerSummaryT } from '../../../preload/schemas/containers';
import type { Backend } from '../../api/backend';
import { parseArgs } from '../args';
import type { Command } from '../command';
import { tabwrite } from '../format/index';
import { relaySession } from '../session-relay';

const cli = { transport: 'cli' } as const;

/**
 * docker's top: run `ps ARGS` on the host and keep the rows whose PID column
 * names a process of the container; the last column (the command) keeps its
 * spaces. Returns the titles and rows.
 */
export function filterPs(output: string, pids: ReadonlySet<number>): { titles: string[]; rows: string[][] } {
  const lines = output.split('\n').filter((l) => l.trim() !== '');
  const titles = (lines.shift() ?? '').trim().split(/\s+/);
  const pidAt = titles.indexOf('PID');
  if (pidAt < 0)
    throw new BerthError('USAGE', "couldn't find the PID field in ps's output (give ps options that print it)");
  const rows: string[][] = [];
  for (const line of lines) {
    const fields = line.trim().split(/\s+/);
    if (!pids.has(Number(fields[pidAt]))) continue;
    rows.push([...fields.slice(0, titles.length - 1), fields.slice(titles.length - 1).join(' ')]);
  }
  return { titles, rows };
}

/** `80/tcp -> 0.0.0.0:8080` lines, or the host sides of one private port. */
export function portLines(c: Pick<ContainerSummaryT, 'name' | 'network'>, wanted?: string): string[] {
  const ports = c.network.ports;
  if (wanted === undefined) return ports.map((p) => `${p.containerPort}/${p.protocol} -> 0.0.0.0:${p.hostPort}`);
  const m = /^(\d+)(?:\/(tcp|udp))?$/.exec(wanted);
  if (!m) throw new BerthError('USAGE', `invalid port ${wanted}: use PORT[/tcp|udp]`);
  const proto = m[2] ?? 'tcp';
  const hits = ports.filter((p) => p.containerPort === Number(m[1]) && p.protocol === proto);
  if (hits.length === 0) throw new BerthError('USAGE', `no public port '${m[1]}/${proto}' published for ${c.name}`);
  return hits.map((p) => `0.0.0.0:${p.hostPort}`);
}

/**
 * Waits until the container is not running; resolves with its exit code.
 * Subscribes before it looks, so a stop between the look and the event is
 * not missed.
 */
export async function waitForExit(b: Backend, ref: string): Promise<number> {
  let id: string | null = null;
  let resolveDie!: (code: number) => void;
  const died = new Promise<number>((r) => (resolveDie = r));
  const early: Array<{ id: string; code: number }> = [];
  const off = b.hub.on('containers.changed', (e) => {
    if (e.action !== 'die') return;
    if (id === null) early.push({ id: e.id, code: e.exitCode ?? 0 });
    else if (e.id === id) resolveDie(e.exitCode ?? 0);
  });
  try {
    const c = await b.router.invoke('containers.inspect', { id: ref }, cli);
    id = c.id;
    const seen = early.find((e) => e.id === c.id);
    if (seen) return seen.code;
    if (c.state !== 'running' && c.state !== 'paused' && c.state !== 'restarting') return c.exitCode ?? 0;
    return await died;
  } finally {
    off();
  }
}

export const containerProcessCommands: Command[] = [
  {
    name: 'top',
    usage: 'top CONTAINER [ps OPTIONS]',
    summary: "a container's processes (host pids; ps options as docker top, default -ef)",
    async run(args, ctx) {
      const [ref, ...psArgs] = args;
      if (!ref) throw new BerthError('USAGE', 'berth top CONTAINER [ps OPTIONS]');
      const { pids } = await ctx.backend().router.invoke('containers.top', { id: ref }, cli);
      let out: string;
      try {
        // The host's ps, as the user: /proc shows every pid, and no option of ours reaches root.
        out = (await promisify(execFile)('ps', psArgs.length ? psArgs : ['-ef'], { maxBuffer: 64 * 1024 * 1024 }))
          .stdout;
      } catch (err) {
        const e = err as { stderr?: string; message: string };
        throw new BerthError('USAGE', `ps ${psArgs.join(' ')} failed: ${(e.stderr ?? e.message).trim()}`);
      }
      const { titles, rows } = filterPs(out, new Set(pids));
      ctx.stdout.write(tabwrite([titles, ...rows].map((r) => r.join('\t')).join('\n')) + '\n');
      return 0;
    },
  },
  {
    name: 'port',
    usage: 'port CONTAINER [PRIVATE_PORT[/PROTO]]',
    summary: "a container's published ports",
    async run(args, ctx) {
      const [ref, wanted, extra] = parseArgs(args, {}).positionals;
      if (!ref || extra !== undefined) throw new BerthError('USAGE', 'berth port CONTAINER [PRIVATE_PORT[/PROTO]]');
      const c = await ctx.backend().router.invoke('containers.inspect', { id: ref }, cli);
      for (const l of portLines(c, wanted)) ctx.stdout.write(`${l}\n`);
      return 0;
    },
  },
  {
    name: 'wait',
    usage: 'wait CONTAINER...',
    summary: 'block until containers stop, then print their exit codes',
    async run(args, ctx) {
      const refs = parseArgs(args, {}).positionals;
      if (refs.length === 0) throw new BerthError('USAGE', 'berth wait CONTAINER...');
      const b = ctx.backend();
      let failed = 0;
      // All are waited for at once; codes print in the order given, as docker does.
      const results = refs.map((r) =>
        waitForExit(b, r).then(
          (code) => ({ code }),
          (err: unknown) => ({ err: err as Error }),
        ),
      );
      for (const r of results) {
        const x = await r;
        if ('code' in x) ctx.stdout.write(`${x.code}\n`);
        else {
          failed++;
          ctx.stderr.write(`Error: ${x.err.message}\n`);
        }
      }
      return failed ? 1 : 0;
    },
  },
  {
    name: 'attach',
    usage: 'attach [--no-stdin] CONTAINER',
    summary: "attach to a running container's main process (its stdio or tty; ctrl-p ctrl-q detaches)",
    async run(args, ctx) {
      const p = parseArgs(args, { 'no-stdin': { value: false } });
      const [ref, extra] = p.positionals;
      if (!ref || extra !== undefined) throw new BerthError('USAGE', 'berth attach [--no-stdin] CONTAINER');
      const b = ctx.backend();
      const c = await b.router.invoke('containers.inspect', { id: ref }, cli);
      if (c.state !== 'running' && c.state !== 'paused')
        throw new BerthError('CONTAINER_NOT_RUNNING', `container ${c.name} is not running`);
      // stdin goes only to a container started with -i (docker's OpenStdin).
      const interactive = !p.flags.has('no-stdin') && c.config?.openStdin === true;
      return relaySession(
        b,
        ctx,
        async () => (await b.router.invoke('containers.attach', { id: c.id }, cli)).sessionId,
        {
          interactive,
          tty: c.config?.tty === true,
          closeUnusedStdin: false,
          detachKeys: true,
          exitCode: () => waitForExit(b, c.id),
        },
      );
    },
  },
];
