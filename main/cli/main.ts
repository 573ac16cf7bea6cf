/**
 * `berth`: the command-line client. It runs the same router as the window,
 * in-process, and talks to the same helper (starting it if needed).
 * Subcommands live in main/cli/commands/; names and flags follow docker's.
 */
import { z } from 'zod';
import { toErrorShape } from '../../preload/errors';
import { createBackend, type Backend } from '../api/backend';
import type { CliContext, Command } from './command';

/**
 * Commands that load alone, without every other command's module: the ones a
 * script runs in a loop (a warm `berth build` is mostly Node's start-up and
 * compiling what it imports, docs/ARCHITECTURE.md "Build"). Every other
 * command, help and an unknown name load the whole list.
 */
const ALONE: Record<string, () => Promise<Command[]>> = {
  build: async () => (await import('./commands/build')).buildCommands,
};

async function allCommands(): Promise<Command[]> {
  return (await import('./commands/index')).commands;
}

async function findCommand(name: string): Promise<Command | undefined> {
  const list = await (ALONE[name] ?? allCommands)();
  return list.find((c) => c.name === name);
}

async function usage(): Promise<string> {
  const commands = await allCommands();
  // Long usages (run, update) go on their own line so the summaries stay aligned.
  const width = 34;
  const lines = commands.map((c) =>
    c.usage.length < width
      ? `  ${c.usage.padEnd(width)}${c.summary}\n`
      : `  ${c.usage}\n  ${''.padEnd(width)}${c.summary}\n`,
  );
  return (
    'Usage: berth COMMAND [OPTIONS]\n\nCommands:\n' +
    lines.join('') +
    `\nOptions:\n  ${'--no-start'.padEnd(width)}do not start the helper when none is running\n`
  );
}

async function run(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    process.stdout.write(await usage());
    return name === undefined ? 2 : 0;
  }
  const cmd = await findCommand(name === '--version' ? 'version' : name);
  if (!cmd) {
    process.stderr.write(`berth: unknown command ${name}\n\n${await usage()}`);
    return 2;
  }
  // A command parses each schema it uses once or twice: zod's compiled fast path (a `new Function`
  // per object schema) costs more than it saves. `berth web` is a server and keeps it.
  if (cmd.name !== 'web') z.config({ jitless: true });
  const autoStart = !rest.includes('--no-start');
  let backend: Backend | null = null;
  const ctx: CliContext = {
    backend: () => (backend ??= createBackend({ transport: 'cli', autoStart })),
    autoStart,
    stdout: process.stdout,
    stderr: process.stderr,
  };
  try {
    return await cmd.run(
      rest.filter((a) => a !== '--no-start'),
      ctx,
    );
  } finally {
    (backend as Backend | null)?.close();
  }
}

run(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    const e = toErrorShape(err);
    process.stderr.write(`Error ${e.code}: ${e.message}\n`);
    process.exit(e.code === 'USAGE' ? 2 : 1);
  },
);
