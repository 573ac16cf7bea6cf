/**
 * docker-style image commands: load, save, images, rmi, tag, history, and
 * `layers` (the dive-like analysis of a stored image or an archive file).
 * `pull`/`push` belong to the registry client.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import { BerthError, toErrorShape } from '../../../preload/errors';
import { unpackAnalysis } from '../../../preload/schemas/changes-wire';
import { formatBytes } from '../../../preload/units';
import type { ImageAnalysisT } from '../../../preload/schemas/images';
import { flag, parseArgs } from '../args';
import type { CliContext, Command } from '../command';
import { table } from '../table';
// dive-ci (and the YAML parser it brings) loads with `layers`, not at every CLI start.
import type { RuleName } from '../dive-ci';
import { checkFormat, FORMAT_FLAGS, formatOptions, formatRows } from '../format/index';
import { historyListing, imageListing, imageRows } from './listings';
import { compareImages, type ImageComparison } from '../../engine/layers/compare';

const cli = { transport: 'cli' } as const;

const short = (digest: string): string => digest.replace(/^sha256:/, '').slice(0, 12);

function truncate(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

/** Shows the progress of one operation on a terminal's stderr. */
function progressPrinter(ctx: CliContext, opId: string, quiet: boolean): () => void {
  const tty = (ctx.stderr as NodeJS.WriteStream).isTTY === true;
  if (quiet || !tty) return () => undefined;
  let last = '';
  const off = ctx.backend().hub.on('images.progress', (p) => {
    if (p.opId !== opId || p.phase === 'done' || p.phase === 'error') return;
    const line =
      p.phase === 'upload' || p.phase === 'verify' || p.phase === 'export'
        ? `${p.phase} ${formatBytes(p.current)}/${formatBytes(p.total)}`
        : `${p.phase} ${p.current}/${p.total} ${p.message ?? ''}`;
    if (line !== last) ctx.stderr.write(`\r\x1b[K${line}`);
    last = line;
  });
  return () => {
    off();
    if (last) ctx.stderr.write('\r\x1b[K');
  };
}

export function formatAnalysis(a: ImageAnalysisT, title: string): string {
  const out: string[] = [];
  out.push(`Image: ${title}`);
  out.push(`ID: ${a.configDigest}${a.manifestDigest ? `  manifest: ${a.manifestDigest}` : ''}`);
  out.push(`Format: ${a.format}  Platform: ${a.os}/${a.architecture}${a.created ? `  Created: ${a.created}` : ''}`);
  out.push('');
  out.push('Layers:');
  out.push(
    table([
      ['#', 'SIZE', 'COMPRESSED', 'DEAD', 'DIGEST', 'COMMAND'],
      ...a.layers.map((l) => [
        String(l.index),
        formatBytes(l.size),
        formatBytes(l.compressedSize),
        formatBytes(l.deadBytes),
        short(l.digest),
        truncate(l.createdBy.replace(/\s+/g, ' ').replace(/^\/bin\/sh -c #\(nop\) /, ''), 80),
      ]),
    ]),
  );
  out.push('');
  out.push(`Image efficiency score: ${(a.efficiency * 100).toFixed(1)} %`);
  out.push(`Total image size: ${formatBytes(a.sizeBytes)} (user layers ${formatBytes(a.userSizeBytes)})`);
  out.push(
    `Potential wasted space: ${formatBytes(a.wastedBytes)} (${(a.wastedUserPercent * 100).toFixed(1)} % of the user layers)`,
  );
  out.push(
    `Dead bytes (stored, unreachable in the final image): ${formatBytes(a.deadBytes)}` +
      (a.sizeBytes > 0 ? ` (${((a.deadBytes / a.sizeBytes) * 100).toFixed(1)} % of the image)` : ''),
  );
  if (a.inefficiencies.length > 0) {
    out.push('');
    out.push('Top wasteful paths:');
    out.push(
      table([
        ['COUNT', 'TOTAL SPACE', 'PATH'],
        ...a.inefficiencies.slice(0, 10).map((i) => [String(i.count), formatBytes(i.totalSize), i.path]),
      ]),
    );
  }
  return out.join('\n') + '\n';
}

const signed = (n: number): string => (n < 0 ? `-${formatBytes(-n)}` : `+${formatBytes(n)}`);

/** `layers --compare`: docker diff's letters (A, C, D) per path, after the size lines. */
export function formatComparison(
  fromName: string,
  toName: string,
  c: ImageComparison,
  sizes: { from: number; to: number; delta: number },
): string {
  const out = [
    `Comparing ${fromName} → ${toName}`,
    `Image size: ${formatBytes(sizes.from)} → ${formatBytes(sizes.to)} (${signed(sizes.delta)})`,
    `Files in the final tree: ${formatBytes(c.filesBytes.from)} → ${formatBytes(c.filesBytes.to)} (${signed(c.filesBytes.delta)})`,
    `Added: ${c.added.length}  Changed: ${c.changed.length}  Removed: ${c.removed.length}`,
  ];
  const rows = [
    ...c.added.map((f) => ({ path: f.path, line: `A ${f.path}` })),
    ...c.changed.map((f) => ({
      path: f.path,
      line: `C ${f.path}${f.before !== undefined && f.before !== f.size ? ` (${formatBytes(f.before)} → ${formatBytes(f.size)})` : ''}`,
    })),
    ...c.removed.map((f) => ({ path: f.path, line: `D ${f.path}` })),
  ].sort((x, y) => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0));
  return [...out, ...rows.map((r) => r.line)].join('\n') + '\n';
}

export const imageCommands: Command[] = [
  {
    name: 'load',
    usage: 'load -i FILE [-q]',
    summary: 'load images from a docker save tar or an OCI archive',
    async run(args, ctx) {
      const p = parseArgs(args, { input: { value: true, short: 'i' }, quiet: { value: false, short: 'q' } });
      const file = flag(p, 'input') ?? p.positionals[0];
      if (!file) throw new BerthError('USAGE', 'berth load -i FILE');
      const opId = crypto.randomUUID();
      const stop = progressPrinter(ctx, opId, flag(p, 'quiet') === 'true');
      let r;
      try {
        r = await ctx.backend().router.invoke('images.load', { path: file, opId }, cli);
      } finally {
        stop();
      }
      for (const img of r.images) {
        if (img.repoTags.length === 0) ctx.stdout.write(`Loaded image ID: ${img.id}\n`);
        for (const t of img.repoTags) ctx.stdout.write(`Loaded image: ${t}\n`);
      }
      return 0;
    },
  },
  {
    name: 'save',
    usage: 'save -o FILE IMAGE...',
    summary: 'save images to a tar (docker save layout, also an OCI layout)',
    async run(args, ctx) {
      const p = parseArgs(args, { output: { value: true, short: 'o' } });
      const file = flag(p, 'output');
      if (!file || p.positionals.length === 0) throw new BerthError('USAGE', 'berth save -o FILE IMAGE...');
      const opId = crypto.randomUUID();
      const stop = progressPrinter(ctx, opId, false);
      try {
        await ctx.backend().router.invoke('images.save', { refs: p.positionals, path: file, opId }, cli);
      } finally {
        stop();
      }
      return 0;
    },
  },
  {
    name: 'images',
    usage: 'images [-q] [--no-trunc] [--filter K=V] [--format table|json|TEMPLATE]',
    summary: 'list images (filters: reference=GLOB, dangling=true|false)',
    async run(args, ctx) {
      const p = parseArgs(args, {
        filter: { value: true, short: 'f', repeat: true },
        ...FORMAT_FLAGS,
      });
      const fo = formatOptions(p);
      checkFormat(imageListing, fo);
      const filter: { reference?: string; dangling?: boolean } = {};
      for (const f of p.flags.get('filter') ?? []) {
        const eq = f.indexOf('=');
        const [k, v] = eq < 0 ? [f, ''] : [f.slice(0, eq), f.slice(eq + 1)];
        if (k === 'reference') filter.reference = v;
        else if (k === 'dangling') filter.dangling = v === 'true' || v === '1';
        else throw new BerthError('USAGE', `unknown filter ${k} (reference=…, dangling=true|false)`);
      }
      const positional = p.positionals[0];
      if (positional !== undefined) filter.reference ??= positional;
      const list = await ctx.backend().router.invoke('images.list', Object.keys(filter).length ? { filter } : {}, cli);
      const rows = imageRows(list);
      if (fo.quiet) {
        // One line per image, not per tag (docker images -q).
        const seen = new Set<string>();
        const unique = rows.filter((r) => !seen.has(r.image.id) && seen.add(r.image.id));
        ctx.stdout.write(formatRows(imageListing, unique, fo));
      } else ctx.stdout.write(formatRows(imageListing, rows, fo));
      return 0;
    },
  },
  {
    name: 'rmi',
    usage: 'rmi [-f] IMAGE...',
    summary: 'remove images (untag; delete when no tag or container is left)',
    async run(args, ctx) {
      const p = parseArgs(args, { force: { value: false, short: 'f' } });
      if (p.positionals.length === 0) throw new BerthError('USAGE', 'berth rmi [-f] IMAGE...');
      const force = flag(p, 'force') === 'true';
      let failed = 0;
      for (const ref of p.positionals) {
        try {
          const r = await ctx.backend().router.invoke('images.remove', force ? { ref, force } : { ref }, cli);
          for (const t of r.untagged) ctx.stdout.write(`Untagged: ${t}\n`);
          for (const d of r.deleted) ctx.stdout.write(`Deleted: ${d}\n`);
        } catch (err) {
          const e = toErrorShape(err);
          ctx.stderr.write(`Error ${e.code}: ${e.message}\n`);
          failed++;
        }
      }
      return failed ? 1 : 0;
    },
  },
  {
    name: 'tag',
    usage: 'tag SOURCE TARGET',
    summary: 'add a tag to an image',
    async run(args, ctx) {
      const [source, target, extra] = parseArgs(args, {}).positionals;
      if (!source || !target || extra !== undefined) throw new BerthError('USAGE', 'berth tag SOURCE TARGET');
      await ctx.backend().router.invoke('images.tag', { source, target }, cli);
      return 0;
    },
  },
  {
    name: 'history',
    usage: 'history [-q] [--no-trunc] [--format table|json|TEMPLATE] IMAGE',
    summary: "show an image's build steps",
    async run(args, ctx) {
      const p = parseArgs(args, { ...FORMAT_FLAGS, human: { value: true, short: 'H' } });
      const ref = p.positionals[0];
      if (!ref || p.positionals.length > 1) throw new BerthError('USAGE', 'berth history IMAGE');
      const fo = formatOptions(p);
      checkFormat(historyListing, fo);
      const rows = await ctx.backend().router.invoke('images.history', { ref }, cli);
      ctx.stdout.write(formatRows(historyListing, rows, fo));
      return 0;
    },
  },
  {
    name: 'layers',
    usage:
      'layers [--format json] [--compare OTHER] [--ci [--ci-config FILE] [--lowest-efficiency R] [--highest-wasted-bytes SIZE] [--highest-user-wasted-percent R]] IMAGE|FILE',
    summary: "dive-like layer analysis of an image or an archive file (a file needs no helper); --ci: dive's CI gate",
    async run(args, ctx) {
      const { ciFailed, evaluateRules, formatCiReport, loadDiveCiFile, resolveThresholds, RULE_FLAGS } =
        await import('../dive-ci');
      const ruleFlags = Object.fromEntries(
        Object.values(RULE_FLAGS).flatMap((names) => names.map((n) => [n, { value: true }] as const)),
      );
      const p = parseArgs(args, {
        format: { value: true },
        ci: { value: false },
        'ci-config': { value: true },
        compare: { value: true },
        ...ruleFlags,
      });
      const target = p.positionals[0];
      if (!target || p.positionals.length > 1) throw new BerthError('USAGE', 'berth layers IMAGE|FILE');
      const ci = flag(p, 'ci') === 'true';
      const fromFlags: Partial<Record<RuleName, string>> = {};
      for (const [rule, names] of Object.entries(RULE_FLAGS) as Array<[RuleName, readonly string[]]>) {
        for (const n of names) {
          const v = flag(p, n);
          if (v === undefined) continue;
          if (!ci) throw new BerthError('USAGE', `--${n} is a rule of --ci`);
          fromFlags[rule] = v;
        }
      }
      if (!ci && flag(p, 'ci-config') !== undefined) throw new BerthError('USAGE', '--ci-config goes with --ci');
      // Rules are read before the analysis: a bad threshold fails fast.
      const thresholds = ci ? resolveThresholds(loadDiveCiFile(flag(p, 'ci-config'), process.cwd()), fromFlags) : null;
      const analyse = (t: string) =>
        fs.statSync(t, { throwIfNoEntry: false })?.isFile() === true
          ? ctx.backend().router.invoke('layers.analyzeFile', { path: t }, cli)
          : ctx.backend().router.invoke('layers.analyzeImage', { ref: t }, cli);
      const other = flag(p, 'compare');
      if (other !== undefined) {
        if (ci) throw new BerthError('USAGE', '--compare and --ci do not go together');
        const [from, to] = [unpackAnalysis(await analyse(other)), unpackAnalysis(await analyse(target))];
        const c = compareImages(from.layers, to.layers);
        const sizes = { from: from.sizeBytes, to: to.sizeBytes, delta: to.sizeBytes - from.sizeBytes };
        if (flag(p, 'format') === 'json') ctx.stdout.write(JSON.stringify({ ...c, sizeBytes: sizes }) + '\n');
        else ctx.stdout.write(formatComparison(other, target, c, sizes));
        return 0;
      }
      const isFile = fs.statSync(target, { throwIfNoEntry: false })?.isFile() === true;
      const a = await analyse(target);
      if (flag(p, 'format') === 'json') {
        // The objects users script against, not the wire's packed columns.
        ctx.stdout.write(JSON.stringify(unpackAnalysis(a)) + '\n');
      } else {
        const title = a.repoTags.length ? a.repoTags.join(', ') : isFile ? target : short(a.configDigest);
        ctx.stdout.write(formatAnalysis(a, title));
      }
      if (!thresholds) return 0;
      const results = evaluateRules(a, thresholds);
      // With JSON on stdout, the report goes to stderr so stdout stays one JSON document.
      (flag(p, 'format') === 'json' ? ctx.stderr : ctx.stdout).write(formatCiReport(results));
      return ciFailed(results) ? 1 : 0;
    },
  },
];
