/** `berth commit`: a container's changes as a new image (docker commit). */
import { BerthError } from '../../../preload/errors';
import { flag, parseArgs } from '../args';
import type { Command } from '../command';

const USAGE = 'commit [-m MSG] [-a AUTHOR] [-c INSTRUCTION]… [--pause=true|false] CONTAINER [REPO[:TAG]]';

export const commitCommands: Command[] = [
  {
    name: 'commit',
    usage: USAGE,
    summary: "make an image of a container's changes (its upper dir as a new layer)",
    async run(argv, ctx) {
      const p = parseArgs(argv, {
        message: { value: true, short: 'm' },
        author: { value: true, short: 'a' },
        change: { value: true, short: 'c', repeat: true },
        pause: { value: true },
      });
      const [id, repo, extra] = p.positionals;
      if (!id || extra !== undefined) throw new BerthError('USAGE', `berth ${USAGE}`);
      const pause = flag(p, 'pause') ?? 'true';
      if (pause !== 'true' && pause !== 'false') throw new BerthError('USAGE', '--pause takes true or false');
      const message = flag(p, 'message');
      const author = flag(p, 'author');
      const r = await ctx.backend().router.invoke(
        'containers.commit',
        {
          id,
          ...(repo !== undefined ? { repo } : {}),
          ...(message !== undefined ? { message } : {}),
          ...(author !== undefined ? { author } : {}),
          changes: p.flags.get('change') ?? [],
          pause: pause === 'true',
        },
        { transport: 'cli' },
      );
      ctx.stdout.write(`${r.id}\n`);
      return 0;
    },
  },
];
