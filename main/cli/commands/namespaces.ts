/** `berth namespaces [CONTAINER]` (like lsns) and `berth namespaces shared A B`. */
import { BerthError } from '../../../preload/errors';
import type { NamespaceT } from '../../../preload/schemas/namespaces';
import { flag, parseArgs } from '../args';
import type { Command } from '../command';

const cli = { transport: 'cli' } as const;

function row(n: NamespaceT): Record<string, unknown> {
  return {
    id: n.id,
    inode: n.inode,
    type: n.type,
    pids: n.processes.map((p) => p.pid),
    nprocs: n.processCount,
    container: n.container,
    containers: n.containers,
    initial: n.initial,
    parent: n.parent,
    owner: n.ownerUserNs,
    holders: n.holders,
  };
}

export const namespaceCommands: Command[] = [
  {
    name: 'namespaces',
    usage: 'namespaces [--format json] [--fds] [CONTAINER] | namespaces shared A B',
    summary: "list the host's namespaces (lsns-like), one container's, or what two share",
    async run(args, ctx) {
      const b = ctx.backend();
      if (args[0] === 'shared') {
        const [, a, c] = args;
        if (!a || !c) throw new BerthError('USAGE', 'berth namespaces shared CONTAINER|host CONTAINER|host');
        const side = (v: string) => (/^\d+$/.test(v) ? Number(v) : v);
        const r = await b.router.invoke('namespaces.shared', { a: side(a), b: side(c) }, cli);
        for (const n of r.namespaces)
          ctx.stdout.write(`${n.type.padEnd(7)} ${n.shared ? 'shared   ' : 'separate '} ${n.a}  ${n.b}\n`);
        return 0;
      }
      const p = parseArgs(args, { format: { value: true }, fds: { value: false } });
      const id = p.positionals[0];
      const graph = id
        ? await b.router.invoke('namespaces.container', { id }, cli)
        : await b.router.invoke('namespaces.graph', { fds: p.flags.has('fds') }, cli);
      const list = graph.namespaces.filter((n) => !n.hidden || id !== undefined);
      if (flag(p, 'format') === 'json') {
        ctx.stdout.write(JSON.stringify(list.map(row), null, 2) + '\n');
        return 0;
      }
      ctx.stdout.write(
        `${'NS'.padEnd(12)} ${'TYPE'.padEnd(7)} ${'NPROCS'.padStart(6)} ${'PID'.padStart(7)}  ${'CONTAINER'.padEnd(13)} COMMAND\n`,
      );
      for (const n of list) {
        const first = n.processes[0];
        ctx.stdout.write(
          `${String(n.inode).padEnd(12)} ${n.type.padEnd(7)} ${String(n.processCount).padStart(6)} ${String(first?.pid ?? '').padStart(7)}  ${(n.container?.slice(0, 12) ?? (n.initial ? '(host)' : '')).padEnd(13)} ${first?.comm ?? (n.holders[0] ? `held by ${n.holders[0].kind}` : '')}\n`,
        );
      }
      const cut = graph.namespaceCount > graph.namespaces.length ? ` (of ${graph.namespaceCount})` : '';
      ctx.stdout.write(
        `${list.length} namespaces${cut}, ${graph.processCount} processes, scanned in ${graph.durationMs.toFixed(0)} ms\n`,
      );
      return 0;
    },
  },
];
