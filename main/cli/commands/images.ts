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
import { checkFormat, FORMAT_FLAGS, formatOptions, formatRows } from '../format/index';
import { historyListing, imageListing, imageRows } from './listings';

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
      ['#', 'SIZE', 'COMPRESSED', 'DIGEST', 'COMMAND'],
      ...a.layers.map((l) => [
        String(l.index),
        formatBytes(l.size),
        formatBytes(l.compressedSize),
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
    usage: 'layers [--format json] IMAGE|FILE',
    summary: 'dive-like layer analysis of an image or an archive file (a file needs no helper)',
    async run(args, ctx) {
      const p = parseArgs(args, { format: { value: true } });
      const target = p.positionals[0];
      if (!target || p.positionals.length > 1) throw new BerthError('USAGE', 'berth layers IMAGE|FILE');
      const isFile = fs.statSync(target, { throwIfNoEntry: false })?.isFile() === true;
      const a = isFile
        ? await ctx.backend().router.invoke('layers.analyzeFile', { path: target }, cli)
        : await ctx.backend().router.invoke('layers.analyzeImage', { ref: target }, cli);
      if (flag(p, 'format') === 'json') {
        // The objects users script against, not the wire's packed columns.
        ctx.stdout.write(JSON.stringify(unpackAnalysis(a)) + '\n');
        return 0;
      }
      const title = a.repoTags.length ? a.repoTags.join(', ') : isFile ? target : short(a.configDigest);
      ctx.stdout.write(formatAnalysis(a, title));
      return 0;
    },
  },
];
