/** `berth update` (live limits) and `berth stats`, docker-style. */
import { BerthError } from '../../../preload/errors';
import type { EffectiveLimits, StatsRowT } from '../../../preload/schemas/resources';
import { flag, parseArgs } from '../args';
import type { Command } from '../command';
import { formatBytes } from '../../../preload/units';
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
    usage: 'stats [--no-stream] [--format json] [CONTAINER...]',
    summary: 'live CPU, memory, IO, network and pids of running containers',
    async run(args, ctx) {
      const p = parseArgs(args, { 'no-stream': { value: false }, format: { value: true } });
      const b = ctx.backend();
      const want = new Set(p.positionals);
      const json = flag(p, 'format') === 'json';
      const show = (rows: StatsRowT[]): void => {
        const sel = rows.filter(
          (r) => want.size === 0 || want.has(r.name) || [...want].some((w) => r.id.startsWith(w)),
        );
        if (json) {
          for (const r of sel) ctx.stdout.write(JSON.stringify(r) + '\n');
          return;
        }
        const head = ['CONTAINER ID', 'NAME', 'CPU %', 'MEM USAGE / LIMIT', 'NET I/O (B/s)', 'BLOCK I/O (B/s)', 'PIDS'];
        const lines = sel.map((r) => [
          r.id.slice(0, 12),
          r.name,
          r.cpuPercent === null ? '--' : `${r.cpuPercent.toFixed(2)}%`,
          `${formatBytes(r.memoryBytes)} / ${r.memoryLimit === null ? 'unlimited' : formatBytes(r.memoryLimit)}`,
          `${formatBytes(r.netRxBps ?? 0)} / ${formatBytes(r.netTxBps ?? 0)}`,
          `${formatBytes(r.ioReadBps ?? 0)} / ${formatBytes(r.ioWriteBps ?? 0)}`,
          String(r.pids),
        ]);
        const all = [head, ...lines];
        const w = head.map((_, i) => Math.max(...all.map((l) => l[i]!.length)));
        if ((ctx.stdout as NodeJS.WriteStream).isTTY && !p.flags.has('no-stream')) ctx.stdout.write('\x1b[2J\x1b[H');
        ctx.stdout.write(
          all
            .map((l) =>
              l
                .map((c, i) => c.padEnd(w[i]! + 3))
                .join('')
                .trimEnd(),
            )
            .join('\n') + '\n',
        );
      };
      if (p.flags.has('no-stream')) {
        // Rates need two samples: the helper's history already has them.
        const latest = await b.router.invoke('resources.stats', {}, cli);
        show(latest.map((x) => x.row));
        return 0;
      }
      await b.helper.ensure();
      const off = b.hub.on('resources.sample', (e) => show(e.rows));
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      off();
      return 0;
    },
  },
];
