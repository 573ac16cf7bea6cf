/**
 * Wires one router, one event hub and one helper connection together: what
 * Electron main, web mode and the CLI each run.
 */
import { DEFAULT_RUN_DIR, clientSocketPath } from '../shared/helper-paths';
import { HelperConnection } from '../helper/client/connection';
import { EventHub } from './event-hub';
import { Router, type MainHandlers, type MainServices, type Transport } from './router';
import { appHandlers } from './features/app';
import { imagesMainHandlers } from './features/images';
import { analysisWorkerPath, uploadAnalyserFactory } from '../engine/layers/upload-analysis-thread';
import { copyMainHandlers } from './features/copy';
import { UploadStore } from './features/upload-store';
import { PreferencesStore, defaultPreferencesPath, preferencesHandlers, type Notifier } from './features/preferences';
import { AnalysisCache } from './features/analysis-cache';
import { buildMainHandlers } from './features/build';

export interface Backend {
  router: Router;
  hub: EventHub;
  helper: HelperConnection;
  close(): void;
}

export interface BackendOptions {
  transport: Transport;
  autoStart?: boolean;
  reconnect?: boolean;
  env?: NodeJS.ProcessEnv;
  /** Where the user's preferences live (Electron: userData); default $XDG_CONFIG_HOME/berth/preferences.json. */
  preferencesPath?: string;
  /** Desktop notifications (Electron's, in the window build); none elsewhere. */
  notify?: Notifier;
}

export function createBackend(opts: BackendOptions): Backend {
  const env = opts.env ?? process.env;
  const hub = new EventHub();
  const helper = new HelperConnection({
    socketPath: clientSocketPath(env),
    runDir: env.BERTH_RUN_DIR ?? DEFAULT_RUN_DIR,
    ...(env.BERTH_DATA_ROOT ? { dataRoot: env.BERTH_DATA_ROOT } : {}),
    autoStart: opts.autoStart ?? true,
    reconnect: opts.reconnect ?? false,
    onState: (s) => hub.emit('helper.state', s),
    onEvent: (name, payload) => hub.deliver(name, payload),
    wants: (name) => hub.listenerCount(name) > 0,
  });
  const services: MainServices = { helper, hub, helperState: () => helper.current };
  // Each feature contributes its main-side handlers (main/api/features/<feature>.ts).
  // One upload store: the Layer inspector's drops, the Files tab's uploads and the Build
  // page's contexts (web mode). Uploads are analysed on a worker thread when the built one
  // is there (not from the sources).
  const uploads = new UploadStore();
  const images = imagesMainHandlers(
    services,
    new AnalysisCache(),
    uploadAnalyserFactory(analysisWorkerPath()),
    uploads,
  );
  const mainHandlers: MainHandlers = {
    ...appHandlers(services),
    ...images,
    ...copyMainHandlers(services, uploads),
    ...buildMainHandlers(services, uploads, (p, ctx) => images['images.save'](p, ctx)),
    ...preferencesHandlers(new PreferencesStore(opts.preferencesPath ?? defaultPreferencesPath(env)), opts.notify),
  };
  const router = new Router(mainHandlers, helper);
  hub.on('sessions.exit', (e) => router.forgetSession(e.sessionId));
  return { router, hub, helper, close: () => helper.close() };
}
