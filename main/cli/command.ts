/** One `berth` subcommand. Features register theirs in main/cli/commands/index.ts. */
import type { Backend } from '../api/backend';

export interface CliContext {
  /** Creates the backend on first use (commands like `version` never need it). */
  backend(): Backend;
  /** Whether a missing helper may be started (`--no-start` turns it off). */
  autoStart: boolean;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

export interface Command {
  name: string;
  /** One line for `berth help`, e.g. "info [--format json]". */
  usage: string;
  summary: string;
  /** Returns the process exit code. Throw BerthError for failures (exit 1, USAGE exits 2). */
  run(args: string[], ctx: CliContext): Promise<number>;
}
