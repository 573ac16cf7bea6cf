/** Runs ip(8) and nft(8): the kernel's own tools, their errors kept verbatim. */
import { execFile } from 'node:child_process';
import { BerthError } from '../../../preload/errors';

export interface RunResult {
  stdout: string;
  stderr: string;
}

export function run(cmd: string, args: string[], input?: string): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(cmd, args, { timeout: 15_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) {
        reject(
          new BerthError('NET_COMMAND_FAILED', `${cmd} ${args.join(' ')}: ${stderr.trim() || err.message}`, {
            cmd,
            args,
            stderr: stderr.trim(),
          }),
        );
      } else resolve({ stdout, stderr });
    });
    if (input !== undefined) child.stdin?.end(input);
  });
}

/** Like run, but "already exists"/"does not exist" answers count as done. */
export async function runIdempotent(cmd: string, args: string[], tolerate: RegExp): Promise<void> {
  try {
    await run(cmd, args);
  } catch (err) {
    const stderr = (err as BerthError).details?.stderr;
    if (typeof stderr === 'string' && tolerate.test(stderr)) return;
    throw err;
  }
}
