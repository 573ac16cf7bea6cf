/** `berth update` (live limits) and `berth stats`, docker-style. */
import { BerthError } from '../../../preload/errors';
import type { Result } from '../../../preload/contract';
import type { EffectiveLimits } from '../../../preload/schemas/resources';
import type { Backend } from '../../api/backend';
import { flag, parseArgs } from '../args';
import { checkFormat, FORMAT_FLAGS, formatOptions, formatRows } from '../format/index';
import { statsListing, type StatsEntry } from './listings';
import type { Command } from '../command';
import { parseSize } from '../units';
import { sharesToWeight } from './containers';

const cli = { transport: 'cli' } as const;

/** One line per limit with the kernel file it lives in: the kernel truth. */
export function describeEffective(e: EffectiveLimits): string[] {
  const out: string[] = [];
  const line = (label: string, v: { value: unknown; file: string; raw: string } | undefined) => {
    if (v) out.push(`${label.padEnd(18)} ${String(v.value ?? 'max').padEnd(14)} ${v.file} = ${v.raw}`);
  };
  line('memory.max', e.memory?.max);
  line('memory.high', e.memory?.high);
  line('memory.swapMax', e.memory?.swapMax);
  line('cpu.weight', e.cpu?.weight);
  line('cpu.quotaUs', e.cpu?.quotaUs);
  line('cpu.periodUs', e.cpu?.periodUs);
  line('cpuset.cpus', e.cpu?.cpusetCpus);
  line('pids.max', e.pids?.max);
  for (const u of e.unsupported) out.push(`${u.limit.padEnd(18)} unsupported: ${u.reason}`);
  return out;
}

export const resourceCommands: Command[] = [
  {
    name: 'update',
    usage:
      'update [--memory SIZE] [--memory-reservation SIZE] [--memory-swap SIZE] [--cpus N] [--cpu-shares N] [--cpuset-cpus LIST] [--pids-limit N] CONTAINER...',
    summary: 'change limits live on running containers',
    async run(args, ctx) {
      const p = parseArgs(args, {
        memory: { value: true, short: 'm' },
        'memory-reservation': { value: true },
        'memory-swap': { value: true },
        cpus: { value: true },
        'cpu-shares': { value: true, short: 'c' },
        'cpu-quota': { value: true },
        'cpu-period': { value: true },
        'cpuset-cpus': { value: true },
        'cpuset-mems': { value: true },
        'pids-limit': { value: true },
        'blkio-weight': { value: true },
        quiet: { value: false, short: 'q' },
      });
      if (p.positionals.length === 0) throw new BerthError('USAGE', 'berth update [OPTIONS] CONTAINER...');
      const limits: Record<string, Record<string, unknown>> = {};
      const set = (section: string, key: string, v: unknown) => ((limits[section] ??= {})[key] = v);
      const mem = flag(p, 'memory');
      if (mem !== undefined) set('memory', 'max', mem === '-1' ? null : parseSize(mem));
      const res = flag(p, 'memory-reservation');
      if (res !== undefined) set('memory', 'high', res === '-1' ? null : parseSize(res));
      const swap = flag(p, 'memory-swap');
      if (swap !== undefined) {
        // docker's --memory-swap is memory+swap; the contract holds swap alone.
        if (swap === '-1') set('memory', 'swapMax', null);
        else {
          if (mem === undefined)
            throw new BerthError('USAGE', '--memory-swap needs --memory (docker semantics: memory + swap)');
          set('memory', 'swapMax', parseSize(swap) - parseSize(mem));
        }
      }
      if (flag(p, 'cpus') !== undefined) set('cpu', 'cpus', Number(flag(p, 'cpus')));
      if (flag(p, 'cpu-shares') !== undefined) set('cpu', 'weight', sharesToWeight(Number(flag(p, 'cpu-shares'))));
      if (flag(p, 'cpu-quota') !== undefined) {
        const q = Number(flag(p, 'cpu-quota'));
        set('cpu', 'quota', {
          quotaUs: q <= 0 ? null : q,
          ...(flag(p, 'cpu-period') !== undefined ? { periodUs: Number(flag(p, 'cpu-period')) } : {}),
        });
      }
      if (flag(p, 'cpuset-cpus') !== undefined) set('cpu', 'cpusetCpus', flag(p, 'cpuset-cpus'));
      if (flag(p, 'cpuset-mems') !== undefined) set('cpu', 'cpusetMems', flag(p, 'cpuset-mems'));
      const pids = flag(p, 'pids-limit');
      if (pids !== undefined) set('pids', 'max', Number(pids) <= 0 ? null : Number(pids));
      if (flag(p, 'blkio-weight') !== undefined) {
        // docker's 10..1000 scale to the contract's 1..10000 (v2 io.weight).
        set('io', 'weight', Math.max(1, Math.round(((Number(flag(p, 'blkio-weight')) - 10) * 9999) / 990 + 1)));
      }
      let failed = 0;
      for (const id of p.positionals) {
        try {
          const r = await ctx.backend().router.invoke('resources.update', { id, limits }, cli);
          ctx.stdout.write(`${id}\n`);
          if (!p.flags.has('quiet') && r.effective)
            for (const l of describeEffective(r.effective)) ctx.stdout.write(`  ${l}\n`);
        } catch (err) {
          failed++;
          const e = err as { code?: string; message: string };
          ctx.stderr.write(`Error ${e.code ?? ''}: ${e.message}\n`);
        }
      }
      return failed ? 1 : 0;
    },
  },
  {
    name: 'stats',
    usage: 'stats [--no-stream] [--no-trunc] [--format table|json|TEMPLATE] [CONTAINER...]',
    summary: 'live CPU, memory, IO, network and pids of running containers',
    async run(args, ctx) {
      const p = parseArgs(args, { 'no-stream': { value: false }, ...FORMAT_FLAGS });
      const fo = formatOptions(p);
      if (fo.quiet) throw new BerthError('USAGE', 'stats has no -q');
      checkFormat(statsListing, fo);
      const b = ctx.backend();
      // Names and prefixes resolve to ids once, as docker does (an unknown one fails here).
      const asked = new Map<string, string>();
      for (const ref of p.positionals)
        asked.set((await b.router.invoke('containers.inspect', { id: ref }, cli)).id, ref);
      const wanted = (id: string): boolean => asked.size === 0 || asked.has(id);
      const select = (all: StatsSample[]): StatsEntry[] =>
        all
          .filter((x) => wanted(x.row.id))
          .map((x) => ({ ...x, ...(asked.has(x.row.id) ? { asked: asked.get(x.row.id)! } : {}) }));
      if (p.flags.has('no-stream')) {
        ctx.stdout.write(formatRows(statsListing, select(await measuredStats(b, wanted)), fo));
        return 0;
      }
      const tty = (ctx.stdout as NodeJS.WriteStream).isTTY === true;
      let busy = false;
      const off = b.hub.on('resources.sample', () => {
        if (busy) return; // a slow read skips a tick rather than queueing
        busy = true;
        b.router
          .invoke('resources.stats', {}, cli)
          .then((all) => {
            const text = formatRows(statsListing, select(all), fo);
            ctx.stdout.write((tty ? '\x1b[2J\x1b[H' : '') + text);
          })
          .catch((err: unknown) => ctx.stderr.write(`Error: ${(err as Error).message}\n`))
          .finally(() => (busy = false));
      });
      await b.helper.ensure();
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      off();
      return 0;
    },
  },
];

type StatsSample = Result<'resources.stats'>[number];

/** How long `--no-stream` waits for a second sample of a container (the helper samples every second). */
const SECOND_SAMPLE_WAIT_MS = 5000;

/**
 * The first call's numbers, measured: CPU % is a rate, so it needs two
 * samples, as docker's daemon takes two for `--no-stream`. A container
 * started (or a helper started) just now has one point or none yet: wait for
 * the helper's next sampling ticks until every running container selected
 * has a CPU figure, then read the full counters.
 */
export async function measuredStats(b: Backend, wanted: (id: string) => boolean): Promise<StatsSample[]> {
  let wake: (() => void) | null = null;
  const off = b.hub.on('resources.sample', () => wake?.());
  try {
    const deadline = Date.now() + SECOND_SAMPLE_WAIT_MS;
    for (;;) {
      const running = await b.router.invoke('containers.list', { all: false }, cli);
      const rows = await b.router.invoke('resources.stats', {}, cli);
      const measured = (id: string): boolean => rows.some((r) => r.row.id === id && r.row.cpuPercent !== null);
      if (running.every((c) => !wanted(c.id) || measured(c.id)) || Date.now() >= deadline) return rows;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 1500);
        wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
      wake = null;
    }
  } finally {
    off();
  }
}
