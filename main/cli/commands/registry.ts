/** `berth pull REF` and `berth push REF`, with per-layer progress like docker's. */
import { randomBytes } from 'node:crypto';
import { BerthError } from '../../../preload/errors';
import type { PullProgressT } from '../../../preload/schemas/registry';
import { flag, parseArgs } from '../args';
import type { CliContext, Command } from '../command';
import { formatBytes } from '../../../preload/units';

function progressPrinter(ctx: CliContext, opId: string): (e: PullProgressT) => void {
  const lastPhase = new Map<string, string>();
  const tty = (ctx.stdout as NodeJS.WriteStream).isTTY === true;
  return (e) => {
    if (e.opId !== opId || !e.layer) return;
    const id = e.layer.replace(/^sha256:/, '').slice(0, 12);
    const label: Record<string, string> = {
      waiting: 'Waiting',
      downloading: 'Downloading',
      verifying: 'Verifying Checksum',
      exists: 'Already exists',
      done: 'Download complete',
      uploading: 'Pushing',
      mounted: 'Mounted from another repository',
    };
    const text = `${id}: ${label[e.phase] ?? e.phase}${e.phase === 'downloading' || e.phase === 'uploading' ? ` ${formatBytes(e.current)}/${formatBytes(e.total)}` : ''}`;
    // Without a terminal, print phase changes only (logs stay readable).
    if (!tty && lastPhase.get(id) === e.phase) return;
    lastPhase.set(id, e.phase);
    ctx.stdout.write(text + '\n');
  };
}

export const registryCommands: Command[] = [
  {
    name: 'pull',
    usage: 'pull [--platform OS/ARCH] REF',
    summary: 'pull an image from a registry',
    async run(args, ctx) {
      const p = parseArgs(args, { platform: { value: true }, quiet: { value: false, short: 'q' } });
      const ref = p.positionals[0];
      if (!ref) throw new BerthError('USAGE', 'berth pull REF');
      const b = ctx.backend();
      const opId = randomBytes(8).toString('hex');
      const off = p.flags.has('quiet') ? () => undefined : b.hub.on('images.pullProgress', progressPrinter(ctx, opId));
      try {
        const platform = flag(p, 'platform');
        const r = await b.router.invoke(
          'images.pull',
          { ref, opId, ...(platform ? { platform } : {}) },
          { transport: 'cli' },
        );
        for (const w of r.warnings) ctx.stderr.write(`WARNING: ${w}\n`);
        ctx.stdout.write(
          `Digest: ${r.manifestDigest}\nStatus: Downloaded ${r.tags[0] ?? r.repoDigest} (${r.platform})\n`,
        );
        return 0;
      } finally {
        off();
      }
    },
  },
  {
    name: 'push',
    usage: 'push REF',
    summary: 'push an image to a registry',
    async run(args, ctx) {
      const ref = args[0];
      if (!ref) throw new BerthError('USAGE', 'berth push REF');
      const b = ctx.backend();
      const opId = randomBytes(8).toString('hex');
      const off = b.hub.on('images.pullProgress', progressPrinter(ctx, opId));
      try {
        const r = await b.router.invoke('images.push', { ref, opId }, { transport: 'cli' });
        ctx.stdout.write(`${ref}: digest: ${r.manifestDigest} (${r.uploaded} uploaded, ${r.existing} already there)\n`);
        return 0;
      } finally {
        off();
      }
    },
  },
];
