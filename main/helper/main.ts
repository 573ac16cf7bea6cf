/**
 * The helper: Berth's only root process. It binds one Unix socket for its
 * owner, answers JSON-RPC there, and keeps running when its clients go away.
 */
import fs from 'node:fs';
import net from 'node:net';
import { peerCred } from '../../native/index';
import { toErrorShape } from '../../preload/errors';
import { VERSION } from '../version';
import { parseHelperArgs, type HelperArgs } from './args';
import {
  EVENT_NOTIFICATION,
  eventFrame,
  helperHandlers,
  sampleFrame,
  makeDispatcher,
  type HelperServices,
} from './handlers';
import { engineFor } from './features/containers';
import { logFileFor, ownerDir, pidFileFor, socketPathFor } from './paths';
import { RpcServer } from './rpc-server';
import { applyConfig, defaultSettings, readConfigFile, type HelperSettings } from './settings';

function makeLogger(args: HelperArgs): (msg: string) => void {
  if (args.foreground) return (msg) => process.stderr.write(`${new Date().toISOString()} ${msg}\n`);
  const fd = fs.openSync(logFileFor(args.ownerUid, args.runDir), 'a', 0o600);
  return (msg) => {
    fs.writeSync(fd, `${new Date().toISOString()} [${process.pid}] ${msg}\n`);
  };
}

/** Runtime dirs: the run dir is root's; a user's subdir is theirs, mode 0700. */
function prepareDirs(args: HelperArgs): void {
  fs.mkdirSync(args.runDir, { recursive: true, mode: 0o755 });
  const dir = ownerDir(args.ownerUid, args.runDir);
  if (dir !== args.runDir) {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    fs.chownSync(dir, args.ownerUid, args.socketGroup ?? 0);
    fs.chmodSync(dir, args.socketGroup === null ? 0o700 : 0o750);
  }
  fs.mkdirSync(args.dataRoot, { recursive: true, mode: 0o711 });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function canConnect(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createConnection(socketPath);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/** One helper per owner: an O_EXCL pid file, taken over only from a dead holder. */
function takePidFile(file: string): boolean {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      fs.writeFileSync(file, `${process.pid}\n`, { flag: 'wx', mode: 0o644 });
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = Number(fs.readFileSync(file, 'utf8').trim());
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && alive(holder)) return false;
      fs.rmSync(file, { force: true });
    }
  }
  return false;
}

async function main(): Promise<number> {
  const args = parseHelperArgs(process.argv.slice(2), process.env);
  if (process.getuid?.() !== 0) {
    process.stderr.write('berth-helper must run as root (start it through pkexec or as root)\n');
    return 2;
  }
  process.title = 'berth-helper';
  // The launcher stops reading our stderr once we answer; never die of EPIPE.
  process.stderr.on('error', () => undefined);
  prepareDirs(args);
  const log = makeLogger(args);
  const settings: HelperSettings = defaultSettings();
  const fileConfig = readConfigFile(args.configFile);
  if (fileConfig) applyConfig(settings, fileConfig);
  applyConfig(settings, args.overrides);
  log(
    `settings: session idle ${settings.sessions.idleMs} ms, scrollback ${settings.sessions.scrollbackBytes} B; ` +
      `archive caps ${JSON.stringify(settings.archive)}${fileConfig ? ` (from ${args.configFile})` : ''}`,
  );

  const socketPath = socketPathFor(args.ownerUid, args.runDir);
  const pidFile = pidFileFor(args.ownerUid, args.runDir);

  if (!takePidFile(pidFile)) {
    log(`another helper holds ${pidFile}; exiting`);
    return 0;
  }
  if (fs.existsSync(socketPath)) {
    if (await canConnect(socketPath)) {
      log(`${socketPath} already answers; exiting`);
      fs.rmSync(pidFile, { force: true });
      return 0;
    }
    fs.rmSync(socketPath, { force: true }); // stale, from a helper that died
  }

  const startedAt = new Date();
  let server: RpcServer | null = null;
  const services: HelperServices = {
    facts: {
      ownerUid: args.ownerUid,
      startedVia: args.startedVia,
      startedAt,
      socketPath,
      version: VERSION,
      dataRoot: args.dataRoot,
    },
    settings,
    log,
    emit: (event, payload) => server?.broadcast(EVENT_NOTIFICATION, eventFrame(event, payload)),
    emitSample: (sample) => server?.broadcast(EVENT_NOTIFICATION, sampleFrame(sample)),
    hasListeners: () => (server?.listenerCount ?? 0) > 0,
  };
  const handlers = helperHandlers(services);
  server = new RpcServer({
    handler: makeDispatcher(handlers),
    allowedUids: new Set([0, args.ownerUid]),
    peerCred,
    log,
  });
  // Create the socket with no access for anyone, then open it to its owner.
  const oldMask = process.umask(0o177);
  try {
    await server.listen(socketPath);
  } finally {
    process.umask(oldMask);
  }
  fs.chownSync(socketPath, args.ownerUid, args.socketGroup ?? 0);
  fs.chmodSync(socketPath, args.socketGroup === null ? 0o600 : 0o660);
  log(`listening on ${socketPath} for uid ${args.ownerUid} (via ${args.startedVia}), version ${VERSION}`);
  // Re-adopt the containers that outlived the previous helper; start `always` ones.
  void engineFor(services).catch((err: unknown) =>
    log(`container engine failed to start: ${toErrorShape(err).message}`),
  );

  const shutdown = (sig: string): void => {
    log(`${sig}: shutting down`);
    void server.close().finally(() => {
      fs.rmSync(socketPath, { force: true });
      fs.rmSync(pidFile, { force: true });
      process.exit(0);
    });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGHUP', () => undefined); // survive the terminal that started us
  process.on('uncaughtException', (err) => log(`uncaught: ${err.stack ?? String(err)}`));
  process.on('unhandledRejection', (err) => log(`unhandled rejection: ${toErrorShape(err).message}`));
  return -1; // keep running
}

main().then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (err: unknown) => {
    const e = toErrorShape(err);
    process.stderr.write(`berth-helper: ${e.code}: ${e.message}\n`);
    process.exit(1);
  },
);
