/**
 * `berth cp`: docker's copy between a container and the host, both ways, on
 * running and stopped containers, streamed as tar. `-` reads a tar from
 * stdin (into a container directory) or writes one to stdout.
 *
 *   berth cp [-a] CONTAINER:SRC DEST|-
 *   berth cp [-a] SRC|- CONTAINER:DEST
 */
import fs from 'node:fs';
import path from 'node:path';
import { BerthError, isBerthError } from '../../../preload/errors';
import { packHostPath, extractToHost } from '../../api/features/copy-host';
import { receive, sendTar } from '../../api/features/copy';
import type { HelperCaller } from '../../api/router';
import { parseArgs } from '../args';
import type { CliContext, Command } from '../command';

const USAGE = 'cp [-a] CONTAINER:SRC_PATH DEST_PATH|-  or  cp [-a] SRC_PATH|- CONTAINER:DEST_PATH';

interface Side {
  container: string | null;
  path: string;
}

/** docker's rule: a local path is "-", or starts with "/" or ".", or has no ":" before its first "/". */
export function parseSide(arg: string): Side {
  if (arg === '-' || arg.startsWith('/') || arg.startsWith('.')) return { container: null, path: arg };
  const colon = arg.indexOf(':');
  const slash = arg.indexOf('/');
  if (colon <= 0 || (slash >= 0 && slash < colon)) return { container: null, path: arg };
  return { container: arg.slice(0, colon), path: arg.slice(colon + 1) || '.' };
}

function baseName(p: string): string {
  const b = path.posix.basename(p.replace(/\/+$/, ''));
  return b === '' || b === '/' ? '.' : b;
}

async function fromContainer(
  helper: HelperCaller,
  id: string,
  src: string,
  dest: string,
  ctx: CliContext,
): Promise<number> {
  if (dest === '-') {
    const { chunks } = await receive(helper, { id, path: src });
    for await (const c of chunks) {
      if (!ctx.stdout.write(c)) await new Promise((r) => ctx.stdout.once('drain', r));
    }
    return 0;
  }
  const abs = path.resolve(dest);
  const st = fs.statSync(abs, { throwIfNoEntry: false });
  const srcBase = baseName(src);
  if (st?.isDirectory()) {
    const { chunks } = await receive(helper, { id, path: src });
    await extractToHost(chunks, abs);
    return 0;
  }
  if (!st && dest.endsWith('/')) {
    throw new BerthError('CP_PATH_NOT_FOUND', `destination directory ${dest} does not exist`, { path: dest });
  }
  const parent = path.dirname(abs);
  if (!fs.statSync(parent, { throwIfNoEntry: false })?.isDirectory()) {
    throw new BerthError('CP_PATH_NOT_FOUND', `${parent} is not a directory on this machine`, { path: parent });
  }
  // Not there (or a file): the source is written under the destination's name.
  const { begun, chunks } = await receive(helper, { id, path: src, name: path.basename(abs) });
  if (st && begun.stat.type === 'dir') {
    await chunks.return(undefined);
    throw new BerthError('CP_NOT_A_DIRECTORY', `cannot copy directory ${srcBase} over file ${dest}`, { path: dest });
  }
  await extractToHost(chunks, parent);
  return 0;
}

async function toContainer(
  helper: HelperCaller,
  src: string,
  id: string,
  dest: string,
  archive: boolean,
): Promise<number> {
  if (src === '-') {
    await sendTar(helper, { id, path: dest, archive }, process.stdin);
    return 0;
  }
  const abs = path.resolve(src);
  const st = fs.lstatSync(abs, { throwIfNoEntry: false });
  if (!st) throw new BerthError('CP_PATH_NOT_FOUND', `${src}: no such file or directory`, { path: src });
  const name = path.basename(abs);
  let into: 'dir' | 'rename';
  try {
    const d = await helper.call('containers.cp.stat', { id, path: dest });
    if (d.type === 'dir') into = 'dir';
    else if (d.type === 'symlink') {
      // Followed inside the container: a directory there takes the source in.
      into = await helper
        .call('containers.cp.list', { id, path: dest })
        .then(() => 'dir' as const)
        .catch((err: unknown) => {
          if (isBerthError(err, 'CP_NOT_A_DIRECTORY') || isBerthError(err, 'CP_PATH_NOT_FOUND'))
            return 'rename' as const;
          throw err;
        });
    } else into = 'rename';
    if (into === 'rename' && st.isDirectory()) {
      throw new BerthError('CP_NOT_A_DIRECTORY', `cannot copy directory ${src} over ${dest}, not a directory`, {
        path: dest,
      });
    }
  } catch (err) {
    if (!isBerthError(err, 'CP_PATH_NOT_FOUND') || dest.endsWith('/')) throw err;
    into = 'rename';
  }
  const tar = packHostPath(abs, name);
  if (into === 'dir') await sendTar(helper, { id, path: dest, archive }, tar);
  else {
    const to = baseName(dest);
    const parent = path.posix.dirname(dest.replace(/\/+$/, '')) || '/';
    await sendTar(helper, { id, path: parent, archive, rename: { from: name, to } }, tar);
  }
  return 0;
}

export const copyCommands: Command[] = [
  {
    name: 'cp',
    usage: USAGE,
    summary: 'copy files between a container (running or stopped) and the host, as tar; "-" is a tar on stdin/stdout',
    async run(argv, ctx) {
      const p = parseArgs(argv, { archive: { value: false, short: 'a' } });
      const [a, b] = p.positionals;
      if (!a || !b || p.positionals.length !== 2) throw new BerthError('USAGE', `berth ${USAGE}`);
      const src = parseSide(a);
      const dest = parseSide(b);
      if ((src.container === null) === (dest.container === null)) {
        throw new BerthError('USAGE', 'exactly one of SRC and DEST must be CONTAINER:PATH');
      }
      const helper = ctx.backend().helper;
      if (src.container !== null) return fromContainer(helper, src.container, src.path, dest.path, ctx);
      return toContainer(helper, src.path, dest.container!, dest.path, p.flags.has('archive'));
    },
  },
];
