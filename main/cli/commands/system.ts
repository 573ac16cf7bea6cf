import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BerthError, toErrorShape } from '../../../preload/errors';
import { isMethodName, methodNames, methods } from '../../../preload/contract';
import { createBackend } from '../../api/backend';
import { INSECURE_REMOTE_FLAG, checkBindHost } from '../../ipc/web-bind';
import { VERSION } from '../../version';
import { flag, parseArgs } from '../args';
import { formatInfo } from '../format-info';
import type { Command } from '../command';

const here = path.dirname(fileURLToPath(import.meta.url));
/** out/renderer, seen from out/main or out/main/chunks. */
function rendererDir(): string {
  const candidates = [path.resolve(here, '../renderer'), path.resolve(here, '../../renderer')];
  return candidates.find((c) => existsSync(path.join(c, 'index.html'))) ?? candidates[0]!;
}

export const systemCommands: Command[] = [
  {
    name: 'info',
    usage: 'info [--format json]',
    summary: 'what the helper reports about this system',
    async run(args, ctx) {
      const p = parseArgs(args, { format: { value: true } });
      const info = await ctx.backend().router.invoke('system.info', {}, { transport: 'cli' });
      ctx.stdout.write(
        flag(p, 'format') === 'json' ? JSON.stringify(info, null, 2) + '\n' : formatInfo(info, VERSION) + '\n',
      );
      return 0;
    },
  },
  {
    name: 'call',
    usage: 'call METHOD [JSON]',
    summary: 'call any contract method with JSON params',
    async run(args, ctx) {
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
      const result = await ctx.backend().router.invoke(method, params, { transport: 'cli' });
      ctx.stdout.write(JSON.stringify(result, null, 2) + '\n');
      return 0;
    },
  },
  {
    name: 'methods',
    usage: 'methods',
    summary: "list the contract's methods",
    async run(_args, ctx) {
      for (const m of methodNames)
        ctx.stdout.write(`${m.padEnd(28)} ${methods[m].where.padEnd(7)} ${methods[m].summary}\n`);
      return 0;
    },
  },
  {
    name: 'version',
    usage: 'version',
    summary: 'client version',
    async run(_args, ctx) {
      ctx.stdout.write(`berth ${VERSION}\n`);
      return 0;
    },
  },
  {
    name: 'web',
    usage: `web [--port N] [--host H [${INSECURE_REMOTE_FLAG}]]`,
    summary: `serve the UI to a browser (prints the URL with its token); a non-loopback --host needs ${INSECURE_REMOTE_FLAG} (plain HTTP)`,
    async run(args, ctx) {
      const p = parseArgs(args, {
        port: { value: true },
        host: { value: true },
        [INSECURE_REMOTE_FLAG.slice(2)]: { value: false },
      });
      const host = flag(p, 'host') ?? '127.0.0.1';
      const insecureRemote = flag(p, INSECURE_REMOTE_FLAG.slice(2)) === 'true';
      // Before anything starts: a refused host must not leave a helper behind.
      checkBindHost(host, insecureRemote);
      const portText = flag(p, 'port') ?? process.env.BERTH_WEB_PORT ?? '0';
      if (!/^\d+$/.test(portText) || Number(portText) > 65535) throw new BerthError('USAGE', `bad port: ${portText}`);
      // Web mode lives long: it reconnects when the helper restarts.
      const backend = createBackend({ transport: 'web', autoStart: ctx.autoStart, reconnect: true });
      // The web server (and its WebSocket library) loads only for this command, not at every CLI start.
      const { startWebServer } = await import('../../ipc/web');
      const server = await startWebServer({
        backend,
        staticDir: rendererDir(),
        host,
        port: Number(portText),
        insecureRemote,
      });
      if (server.warning) ctx.stderr.write(server.warning + '\n');
      void backend.helper.ensure().catch((err: unknown) => {
        const e = toErrorShape(err);
        ctx.stderr.write(`warning: helper not reachable yet: ${e.code}: ${e.message}\n`);
      });
      ctx.stdout.write(`Berth web UI: ${server.url}\n`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await server.close();
      backend.close();
      return 0;
    },
  },
];
