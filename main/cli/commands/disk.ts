/**
 * `berth system df|prune`, `container prune`, `image prune`: what the disk
 * sections measure, and prunes that list what they will remove before
 * asking (or with -f, before removing), then remove exactly that.
 */
import { createInterface } from 'node:readline';
import { BerthError } from '../../../preload/errors';
import type { DiskKindT, DiskUsageT, PrunePlanT } from '../../../preload/schemas/disk';
import { formatBytes } from '../../../preload/units';
import { flag, parseArgs } from '../args';
import type { CliContext, Command } from '../command';
import { table } from '../table';

const cli = { transport: 'cli' } as const;

const TYPE: Record<DiskKindT, string> = {
  images: 'Images',
  containers: 'Containers',
  volumes: 'Local Volumes',
  'build-cache': 'Build Cache',
};

const TITLE: Record<DiskKindT, string> = {
  images: 'Deleted Images',
  containers: 'Deleted Containers',
  volumes: 'Deleted Volumes',
  'build-cache': 'Deleted build cache objects',
};

function reclaimable(u: DiskUsageT): string {
  const pct = u.sizeBytes > 0 ? Math.round((u.reclaimableBytes / u.sizeBytes) * 100) : 0;
  return `${formatBytes(u.reclaimableBytes)} (${pct}%)`;
}

/** docker's `system df` table. */
export function dfTable(rows: DiskUsageT[]): string {
  return table([
    ['TYPE', 'TOTAL', 'ACTIVE', 'SIZE', 'RECLAIMABLE'],
    ...rows.map((u) => [TYPE[u.kind], String(u.count), String(u.active), formatBytes(u.sizeBytes), reclaimable(u)]),
  ]);
}

/** docker's `system df --format json` line, plus the byte counts. */
export function dfJson(u: DiskUsageT): Record<string, string | number> {
  return {
    Type: TYPE[u.kind],
    TotalCount: String(u.count),
    Active: String(u.active),
    Size: formatBytes(u.sizeBytes),
    Reclaimable: reclaimable(u),
    SizeBytes: u.sizeBytes,
    ReclaimableBytes: u.reclaimableBytes,
  };
}

export function planText(plans: PrunePlanT[]): string {
  const lines: string[] = [];
  for (const p of plans) {
    lines.push(`${TYPE[p.kind]} to remove: ${p.items.length}`);
    for (const i of p.items) lines.push(`  ${i.name}  ${formatBytes(i.sizeBytes)}`);
  }
  const total = plans.reduce((s, p) => s + p.items.reduce((t, i) => t + i.sizeBytes, 0), 0);
  lines.push(`About ${formatBytes(total)} to reclaim.`);
  return lines.join('\n');
}

async function confirm(ctx: CliContext): Promise<boolean> {
  ctx.stdout.write('Are you sure you want to continue? [y/N] ');
  const rl = createInterface({ input: process.stdin });
  try {
    const line = await new Promise<string>((resolve) => {
      rl.once('line', resolve);
      rl.once('close', () => resolve(''));
    });
    return /^y(es)?$/i.test(line.trim());
  } finally {
    rl.close();
  }
}

/** Plan, show, confirm (unless force), prune exactly the plan; prints docker's summary. */
export async function runPrune(
  ctx: CliContext,
  kinds: DiskKindT[],
  o: { all: boolean; force: boolean },
): Promise<number> {
  const r = ctx.backend().router;
  const plans = await r.invoke('disk.plan', { kinds, all: o.all }, cli);
  const items = plans.filter((p) => p.items.length > 0).map((p) => ({ kind: p.kind, ids: p.items.map((i) => i.id) }));
  ctx.stdout.write(planText(plans) + '\n');
  if (items.length === 0) {
    ctx.stdout.write('Total reclaimed space: 0 B\n');
    return 0;
  }
  if (!o.force && !(await confirm(ctx))) return 1;
  const results = await r.invoke('disk.prune', { items }, cli);
  let total = 0;
  for (const res of results) {
    total += res.reclaimedBytes;
    if (res.removed.length === 0) continue;
    ctx.stdout.write(`${TITLE[res.kind]}:\n${res.removed.map((id) => id + '\n').join('')}\n`);
  }
  ctx.stdout.write(`Total reclaimed space: ${formatBytes(total)}\n`);
  return 0;
}

const pruneFlags = {
  all: { value: false, short: 'a' },
  force: { value: false, short: 'f' },
} as const;

export const diskCommands: Command[] = [
  {
    name: 'system',
    usage: 'system df [--format json] | system prune [-a] [--volumes] [-f]',
    summary: 'disk usage of images, containers, volumes and build cache; remove what nothing uses',
    async run([cmd = '', ...args], ctx) {
      if (cmd === 'df') {
        const p = parseArgs(args, { format: { value: true } });
        const rows = await ctx.backend().router.invoke('disk.usage', {}, cli);
        const format = flag(p, 'format');
        if (format === 'json') for (const u of rows) ctx.stdout.write(JSON.stringify(dfJson(u)) + '\n');
        else if (format !== undefined) throw new BerthError('USAGE', `--format ${format}: only json is supported`);
        else ctx.stdout.write(dfTable(rows) + '\n');
        return 0;
      }
      if (cmd === 'prune') {
        const p = parseArgs(args, { ...pruneFlags, volumes: { value: false } });
        const kinds: DiskKindT[] = ['containers', 'images'];
        if (p.flags.has('volumes')) kinds.push('volumes');
        // The build cache, when this engine keeps one (its section joins disk.usage).
        const have = (await ctx.backend().router.invoke('disk.usage', {}, cli)).map((u) => u.kind);
        if (have.includes('build-cache')) kinds.push('build-cache');
        return runPrune(ctx, kinds, { all: p.flags.has('all'), force: p.flags.has('force') });
      }
      throw new BerthError('USAGE', 'berth system df | system prune [-a] [--volumes] [-f]');
    },
  },
  {
    name: 'container',
    usage: 'container prune [-f]',
    summary: 'remove every stopped container',
    async run([cmd = '', ...args], ctx) {
      if (cmd !== 'prune') throw new BerthError('USAGE', 'berth container prune [-f]');
      const p = parseArgs(args, { force: pruneFlags.force });
      return runPrune(ctx, ['containers'], { all: false, force: p.flags.has('force') });
    },
  },
  {
    name: 'image',
    usage: 'image prune [-a] [-f]',
    summary: 'remove dangling images (-a: every image no container uses)',
    async run([cmd = '', ...args], ctx) {
      if (cmd !== 'prune') throw new BerthError('USAGE', 'berth image prune [-a] [-f]');
      const p = parseArgs(args, pruneFlags);
      return runPrune(ctx, ['images'], { all: p.flags.has('all'), force: p.flags.has('force') });
    },
  },
];
