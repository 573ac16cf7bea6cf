/**
 * `berth kube generate|play|down`: Kubernetes YAML from and onto Berth. The
 * file is read here, as the user, and its text sent (paths never cross the
 * privilege line). Warnings (settings Kubernetes or Berth cannot express) go
 * to stderr.
 */
import fs from 'node:fs';
import { BerthError } from '../../../preload/errors';
import { flag, parseArgs } from '../args';
import type { CliContext, Command } from '../command';

const cli = { transport: 'cli' } as const;
const USAGE =
  'kube generate [--type pod|deployment] [-f FILE] CONTAINER|POD | kube play [--no-start] FILE | kube down FILE';

function readYaml(file: string | undefined): string {
  if (!file) throw new BerthError('USAGE', `berth ${USAGE}`);
  return file === '-' ? fs.readFileSync(0, 'utf8') : fs.readFileSync(file, 'utf8');
}

function warn(ctx: CliContext, warnings: string[]): void {
  for (const w of warnings) ctx.stderr.write(`WARNING: ${w}\n`);
}

export const kubeCommands: Command[] = [
  {
    name: 'kube',
    usage: USAGE,
    summary: 'Kubernetes YAML: generate from a container or pod, play a file as pods, take them down',
    async run(args, ctx) {
      const [sub, ...rest] = args;
      const r = () => ctx.backend().router;
      if (sub === 'generate') {
        const p = parseArgs(rest, { type: { value: true }, filename: { value: true, short: 'f' } });
        const ref = p.positionals[0];
        const type = flag(p, 'type') ?? 'pod';
        if (!ref || p.positionals.length > 1 || (type !== 'pod' && type !== 'deployment'))
          throw new BerthError('USAGE', `berth ${USAGE}`);
        const out = await r().invoke('kube.generate', { ref, type }, cli);
        warn(ctx, out.warnings);
        const file = flag(p, 'filename');
        if (file) fs.writeFileSync(file, out.yaml);
        else ctx.stdout.write(out.yaml);
        return 0;
      }
      if (sub === 'play') {
        const p = parseArgs(rest, { 'no-start': { value: false } });
        const out = await r().invoke(
          'kube.play',
          { yaml: readYaml(p.positionals[0]), start: !p.flags.has('no-start') },
          cli,
        );
        warn(ctx, out.warnings);
        for (const pod of out.pods) ctx.stdout.write(`Pod:\n${pod.id}\nContainers:\n${pod.containers.join('\n')}\n`);
        for (const v of out.volumes) ctx.stdout.write(`Volume:\n${v}\n`);
        return 0;
      }
      if (sub === 'down') {
        const out = await r().invoke('kube.down', { yaml: readYaml(rest[0]) }, cli);
        warn(ctx, out.warnings);
        if (out.removed.length) ctx.stdout.write(`Pods removed:\n${out.removed.join('\n')}\n`);
        return 0;
      }
      throw new BerthError('USAGE', `berth ${USAGE}`);
    },
  },
];
