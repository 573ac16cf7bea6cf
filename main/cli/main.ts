/**
 * `berth`: the command-line client. It runs the same router as the window,
 * in-process, and talks to the same helper (starting it if needed).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BerthError, toErrorShape } from '../../preload/errors';
import { isMethodName, methodNames, methods } from '../../preload/contract';
import { createBackend } from '../api/backend';
import { startWebServer } from '../ipc/web';
import { VERSION } from '../version';
import { flag, parseArgs } from './args';
import { formatInfo } from './format-info';

const USAGE = `Usage: berth COMMAND [OPTIONS]

Commands:
  info [--format json]          what the helper reports about this system
  call METHOD [JSON]            call any contract method with JSON params
  methods                       list the contract's methods
  web [--port N] [--host H]     serve the UI in a browser (token URL printed)
  version                       client version

Options:
  --no-start                    do not start the helper when none is running
`;

const here = path.dirname(fileURLToPath(import.meta.url));

async function run(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  const noStart = rest.includes('--no-start');
  const args = rest.filter((a) => a !== '--no-start');
  switch (cmd) {
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE);
      return cmd === undefined ? 2 : 0;
    case 'version':
    case '--version':
      process.stdout.write(`berth ${VERSION}\n`);
      return 0;
    case 'methods':
      for (const m of methodNames)
        process.stdout.write(`${m.padEnd(24)} ${methods[m].where.padEnd(7)} ${methods[m].summary}\n`);
      return 0;
    case 'info': {
      const p = parseArgs(args, { format: { value: true } });
      const backend = createBackend({ transport: 'cli', autoStart: !noStart });
      try {
        const info = await backend.router.invoke('system.info', {}, { transport: 'cli' });
        if (flag(p, 'format') === 'json') process.stdout.write(JSON.stringify(info, null, 2) + '\n');
        else process.stdout.write(formatInfo(info, VERSION) + '\n');
        return 0;
      } finally {
        backend.close();
      }
    }
    case 'call': {
      const [method, json] = args;
      if (!method) throw new BerthError('USAGE', 'berth call METHOD [JSON]');
      let params: unknown = {};
      if (json !== undefined) {
        try {
          params = JSON.parse(json);
        } catch (err) {
          throw new BerthError('BAD_PARAMS', `params are not JSON: ${(err as Error).message}`);
        }
      }
      if (!isMethodName(method))
        throw new BerthError('METHOD_NOT_FOUND', `no such method: ${method} (see \`berth methods\`)`);
      const backend = createBackend({ transport: 'cli', autoStart: !noStart });
      try {
        const result = await backend.router.invoke(method, params, { transport: 'cli' });
        process.stdout.write(JSON.stringify(result, null, 2) + '\n');
        return 0;
      } finally {
        backend.close();
      }
    }
    case 'web': {
      const p = parseArgs(args, { port: { value: true }, host: { value: true } });
      const portText = flag(p, 'port') ?? process.env.BERTH_WEB_PORT ?? '0';
      if (!/^\d+$/.test(portText) || Number(portText) > 65535) throw new BerthError('USAGE', `bad port: ${portText}`);
      const backend = createBackend({ transport: 'web', autoStart: !noStart, reconnect: true });
      const server = await startWebServer({
        backend,
        staticDir: path.resolve(here, '../renderer'),
        host: flag(p, 'host') ?? '127.0.0.1',
        port: Number(portText),
      });
      void backend.helper.ensure().catch((err: unknown) => {
        const e = toErrorShape(err);
        process.stderr.write(`warning: helper not reachable yet: ${e.code}: ${e.message}\n`);
      });
      process.stdout.write(`Berth web UI: ${server.url}\n`);
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await server.close();
      backend.close();
      return 0;
    }
    default:
      process.stderr.write(`berth: unknown command ${cmd}\n\n${USAGE}`);
      return 2;
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
