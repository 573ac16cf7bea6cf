/**
 * The helper: Berth's only root process. It binds one Unix socket for its
 * owner, answers JSON-RPC there, and keeps running when its clients go away.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { peerCred } from '../../../native/index';
import { missingInstalledParts } from '../../../native/parts';
import { BerthError, toErrorShape } from '../../../preload/errors';
import { VERSION } from '../../version';
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
import { engineIfReady } from './containers-engine';
import { EventLog } from './event-log';
import { ownerDir, ownerRunFiles } from '../../shared/helper-paths';
import { RpcServer } from './rpc-server';
import { clearSocketPath, listenForOwner, openOwnFile, takeOwnerLock, takePidFile } from './run-files';
import { takeEngineLock } from '../../engine/storage/engine-lock';
import { armFaultPoint } from '../../engine/storage/fault-points';
import { armStartTrace } from '../../engine/containers/start-trace';
import { monitorLauncher } from '../../engine/containers/monitor-launcher';
import { applyConfig, defaultSettings, readConfigFile, type HelperSettings } from './settings';

function makeLogger(args: HelperArgs): (msg: string) => void {
  if (args.foreground) return (msg) => process.stderr.write(`${new Date().toISOString()} ${msg}\n`);
  // In the owner's dir: never through a link they planted (run-files.ts).
  const fd = openOwnFile(ownerRunFiles(args.ownerUid, args.runDir).log, 0o600);
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
    // Only root writes the run dir, so this is the directory we made (or an earlier helper did).
    if (!fs.lstatSync(dir).isDirectory()) throw new BerthError('RUN_FILE_REFUSED', `${dir} is not a directory`);
    fs.chownSync(dir, args.ownerUid, args.socketGroup ?? 0);
    fs.chmodSync(dir, args.socketGroup === null ? 0o700 : 0o750);
  }
  fs.mkdirSync(args.dataRoot, { recursive: true, mode: 0o711 });
}

async function main(): Promise<number> {
  const args = parseHelperArgs(process.argv.slice(2), process.env);
  if (process.getuid?.() !== 0) {
    process.stderr.write('berth-helper must run as root (start it through pkexec or as root)\n');
    return 2;
  }
  const missing = missingInstalledParts(path.dirname(fileURLToPath(import.meta.url)), fs.existsSync);
  if (missing.length > 0) {
    process.stderr.write(
      `berth-helper: the install is incomplete (missing ${missing.join(', ')}); run \`sudo npm run install-helper\` again\n`,
    );
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
  // Every path in the owner's dir comes from ownerRunFiles (its test plants links at each).
  const { socket: socketPath, pid: pidFile, lock: lockFile } = ownerRunFiles(args.ownerUid, args.runDir);

  // One helper per owner: a flock on helper.lock, which the kernel drops when
  // its holder dies, so no pid is ever judged stale (run-files.ts opens it
  // without following links). Under it, any pid file there is stale.
  const ownerLock = takeOwnerLock(lockFile);
  if (!ownerLock) {
    log(`another helper for uid ${args.ownerUid} is running; exiting`);
    return 0;
  }
  takePidFile(pidFile, () => false);
  // One engine per data root (DATA_ROOT_IN_USE otherwise): two helpers must
  // never adopt the same containers or rewrite the same records.
  takeEngineLock(args.dataRoot);
  // Test-only crash points (storage/fault-points.ts): honoured only when root
  // started us directly; pkexec scrubs the environment, and we ignore it there.
  if (args.startedVia === 'direct') {
    const armed = armFaultPoint(process.env.BERTH_FAULT);
    if (armed) log(`fault point armed: ${armed}`);
    const traceDir = armStartTrace(process.env.BERTH_START_TRACE);
    if (traceDir) log(`start traces to ${traceDir}`);
  }
  // A live socket is another helper's; anything else there (a dead socket, a link) goes.
  if ((await clearSocketPath(socketPath)) === 'answers') {
    log(`${socketPath} already answers; exiting`);
    fs.rmSync(pidFile, { force: true });
    return 0;
  }

  const startedAt = new Date();
  let server: RpcServer | null = null;
  // The ring `berth events --since` reads; each entry is also announced live.
  const eventLog = new EventLog((id) => {
    try {
      const r = engineIfReady()?.manager.find(id);
      return r ? { name: r.name, image: r.image } : null;
    } catch {
      return null; // removed: the log remembers it
    }
  });
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
    emit: (event, payload) => {
      server?.broadcast(EVENT_NOTIFICATION, eventFrame(event, payload));
      for (const e of eventLog.record(event, payload))
        server?.broadcast(EVENT_NOTIFICATION, eventFrame('events.recorded', e));
    },
    events: eventLog,
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
  // Bound, chmod-ed and chown-ed in a root-only dir, then renamed into the owner's (run-files.ts).
  const rpc = server;
  await listenForOwner((bindPath) => rpc.listen(bindPath), socketPath, args.runDir, {
    uid: args.ownerUid,
    gid: args.socketGroup ?? 0,
    mode: args.socketGroup === null ? 0o600 : 0o660,
  });
  log(`listening on ${socketPath} for uid ${args.ownerUid} (via ${args.startedVia}), version ${VERSION}`);
  // Re-adopt the containers that outlived the previous helper; start `always` ones.
  void engineFor(services).catch((err: unknown) =>
    log(`container engine failed to start: ${toErrorShape(err).message}`),
  );

  const shutdown = (sig: string): void => {
    log(`${sig}: shutting down`);
    // The standby and its cgroup pool go with us (a crash leaves them to the next helper's reclaim).
    void Promise.allSettled([server.close(), monitorLauncher().dispose()]).finally(() => {
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
