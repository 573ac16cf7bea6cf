/**
 * `berth build`: buildah/docker's flags, the steps as they run
 * (`STEP 2/9: RUN …`, the RUN's output, `--> Using cache` on a hit), then
 * the image ID on its own line (the only output with -q).
 */
import { BerthError } from '../../../preload/errors';
import { flag, parseArgs } from '../args';
import type { Command } from '../command';

const cli = { transport: 'cli' } as const;

const USAGE =
  'build [-t NAME]... [-f FILE] [--build-arg K=V]... [--target STAGE] [--no-cache] [--pull[=always|missing|never]] [--network none|host|bridge] [--platform linux/amd64] [--output type=oci,dest=FILE] [-q] CONTEXT';

function parseOutput(spec: string): { type: 'oci'; dest: string } {
  const kv = new Map(spec.split(',').map((p) => [p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1)] as const));
  const dest = kv.get('dest');
  if (kv.get('type') !== 'oci' || !dest)
    throw new BerthError('USAGE', `--output ${spec}: only type=oci,dest=FILE is supported`);
  return { type: 'oci', dest };
}

export const buildCommands: Command[] = [
  {
    name: 'build',
    usage: USAGE,
    summary: 'build an image from a Containerfile (Dockerfile) and a context folder',
    async run(args, ctx) {
      const p = parseArgs(args, {
        tag: { value: true, short: 't', repeat: true },
        file: { value: true, short: 'f' },
        'build-arg': { value: true, repeat: true },
        target: { value: true },
        'no-cache': { value: false },
        pull: { value: false },
        network: { value: true },
        platform: { value: true },
        output: { value: true },
        memory: { value: true, short: 'm' },
        cpus: { value: true },
        quiet: { value: false, short: 'q' },
      });
      if (p.positionals.length !== 1) throw new BerthError('USAGE', `berth ${USAGE}`);
      const network = flag(p, 'network') ?? 'bridge';
      if (network !== 'none' && network !== 'host' && network !== 'bridge') {
        throw new BerthError('USAGE', `--network ${network}: none, host or bridge`);
      }
      const pullFlag = flag(p, 'pull') ?? 'missing';
      // `--pull` alone (docker, buildah): always; true/false as docker's boolean.
      const pull = ({ true: 'always', false: 'missing' } as Record<string, string>)[pullFlag] ?? pullFlag;
      if (pull !== 'always' && pull !== 'missing' && pull !== 'never') {
        throw new BerthError('USAGE', `--pull=${pullFlag}: always, missing or never`);
      }
      const buildArgs: Record<string, string> = {};
      for (const a of p.flags.get('build-arg') ?? []) {
        const i = a.indexOf('=');
        // `--build-arg K` takes K from the environment, as docker does.
        const v = i < 0 ? process.env[a] : a.slice(i + 1);
        if (v !== undefined) buildArgs[i < 0 ? a : a.slice(0, i)] = v;
      }
      const memory = flag(p, 'memory');
      const cpus = flag(p, 'cpus');
      const target = flag(p, 'target');
      const platform = flag(p, 'platform');
      const file = flag(p, 'file');
      const output = flag(p, 'output');
      const quiet = flag(p, 'quiet') === 'true';
      const buildId = newBuildId();
      const backend = ctx.backend();
      const off = quiet
        ? () => undefined
        : backend.hub.on('build.progress', (e) => {
            if (e.buildId !== buildId) return;
            if (e.kind === 'step') ctx.stdout.write(`STEP ${e.step}/${e.steps}: ${e.instruction}\n`);
            else if (e.kind === 'log') ctx.stdout.write(`${e.line ?? ''}\n`);
            else if (e.kind === 'done' && e.cached && !e.instruction.startsWith('FROM '))
              ctx.stdout.write('--> Using cache\n');
          });
      let r;
      try {
        // Parsed params built here (the router's schema for build.run is not built in a process
        // that runs once); the helper checks the options, the Containerfile and the build id
        // against build.start's schema, so a bad value is still BAD_PARAMS.
        r = await backend.router.invokeParsed(
          'build.run',
          {
            context: { path: p.positionals[0] as string },
            ...(file !== undefined ? { file } : {}),
            options: {
              tags: p.flags.get('tag') ?? [],
              buildArgs,
              noCache: flag(p, 'no-cache') === 'true',
              network,
              pull,
              ...(target !== undefined ? { target } : {}),
              ...(platform !== undefined ? { platform } : {}),
              ...(memory !== undefined ? { memoryBytes: parseMemory(memory) } : {}),
              ...(cpus !== undefined ? { cpus: parseCpus(cpus) } : {}),
            },
            ...(output !== undefined ? { output: parseOutput(output) } : {}),
            buildId,
          },
          cli,
        );
      } finally {
        off();
      }
      if (!quiet) {
        ctx.stdout.write(`COMMIT ${r.tags.join(', ')}\n`);
        if (r.output) ctx.stdout.write(`Wrote ${r.output.dest}\n`);
      }
      ctx.stdout.write(`${r.imageId.slice('sha256:'.length)}\n`);
      return 0;
    },
  },
];

/**
 * Names this build's progress events among every build's (the helper sends
 * them to each connection): unique on the host by pid and time, and random on
 * top. Not a secret, so not node:crypto, which `berth build` otherwise never loads.
 */
function newBuildId(): string {
  return `${process.pid.toString(36)}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 12)}`;
}

function parseCpus(s: string): number {
  const n = Number(s);
  if (!(n > 0 && n <= 1024))
    throw new BerthError('USAGE', `--cpus ${s}: a number of CPUs, more than 0 and at most 1024`);
  return n;
}

function parseMemory(s: string): number {
  const m = /^(\d+(?:\.\d+)?)([bkmg]?)$/i.exec(s.trim());
  if (!m) throw new BerthError('USAGE', `--memory ${s}: a size like 512m`);
  const mult: Record<string, number> = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };
  return Math.round(Number(m[1]) * (mult[(m[2] as string).toLowerCase()] as number));
}
