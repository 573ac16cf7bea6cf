/**
 * The helper's command line. Under pkexec the environment is scrubbed and
 * the caller is whoever PKEXEC_UID names; the path and socket overrides are
 * then refused, so a user cannot point a root process at files of their
 * choosing. They exist for root's own use (tests, a system service).
 */
import { BerthError } from '../../../preload/errors';
import { DEFAULT_RUN_DIR, dataRootFor } from '../../shared/helper-paths';
import { DEFAULT_CONFIG_FILE, type HelperConfigFile } from './settings';

export interface HelperArgs {
  ownerUid: number;
  startedVia: 'direct' | 'pkexec';
  runDir: string;
  dataRoot: string;
  /** Group allowed to connect (socket 0660); null: owner only (0600). */
  socketGroup: number | null;
  /** Stay attached to the terminal and log to stderr. */
  foreground: boolean;
  /** The settings file (settings.ts); `--config`, else /etc/berth/helper.json. */
  configFile: string;
  /** Settings given as flags: they override the file's. */
  overrides: HelperConfigFile;
}

function int(flag: string, v: string | undefined): number {
  if (v === undefined || !/^\d+$/.test(v)) throw new BerthError('BAD_PARAMS', `${flag} needs a non-negative integer`);
  return Number(v);
}

export function parseHelperArgs(argv: string[], env: NodeJS.ProcessEnv): HelperArgs {
  const viaPkexec = env.PKEXEC_UID !== undefined;
  const out: HelperArgs = {
    ownerUid: viaPkexec ? int('PKEXEC_UID', env.PKEXEC_UID) : (process.getuid?.() ?? 0),
    startedVia: viaPkexec ? 'pkexec' : 'direct',
    runDir: DEFAULT_RUN_DIR,
    dataRoot: '',
    socketGroup: null,
    foreground: false,
    configFile: DEFAULT_CONFIG_FILE,
    overrides: {},
  };
  const bytes = (flag: string, v: string | undefined): number => {
    const n = int(flag, v);
    if (!Number.isSafeInteger(n)) throw new BerthError('BAD_PARAMS', `${flag} is too large`);
    return n;
  };
  const archive = (k: keyof NonNullable<HelperConfigFile['archive']>, flag: string, v: string | undefined): void => {
    out.overrides.archive = { ...out.overrides.archive, [k]: bytes(flag, v) };
  };
  let dataRoot: string | null = null;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--foreground') {
      out.foreground = true;
      continue;
    }
    const value = argv[++i];
    if (viaPkexec) throw new BerthError('BAD_PARAMS', `${a} is not accepted through pkexec`);
    switch (a) {
      case '--owner-uid':
        out.ownerUid = int(a, value);
        break;
      case '--run-dir':
        if (!value?.startsWith('/')) throw new BerthError('BAD_PARAMS', '--run-dir needs an absolute path');
        out.runDir = value;
        break;
      case '--data-root':
        if (!value?.startsWith('/')) throw new BerthError('BAD_PARAMS', '--data-root needs an absolute path');
        dataRoot = value;
        break;
      case '--socket-group':
        out.socketGroup = int(a, value);
        break;
      case '--config':
        if (!value?.startsWith('/')) throw new BerthError('BAD_PARAMS', '--config needs an absolute path');
        out.configFile = value;
        break;
      case '--session-idle-timeout': {
        // Seconds, fractions allowed (tests use a short one).
        if (value === undefined || !/^\d+(\.\d+)?$/.test(value) || Number(value) <= 0)
          throw new BerthError('BAD_PARAMS', `${a} needs a positive number of seconds`);
        out.overrides.sessionIdleSeconds = Number(value);
        break;
      }
      case '--session-scrollback':
        out.overrides.sessionScrollbackBytes = bytes(a, value);
        break;
      case '--archive-max-metadata':
        archive('metadataBytes', a, value);
        break;
      case '--archive-max-layer':
        archive('layerBytes', a, value);
        break;
      case '--archive-max-image':
        archive('imageBytes', a, value);
        break;
      case '--min-free-space':
        archive('minFreeBytes', a, value);
        break;
      default:
        throw new BerthError('BAD_PARAMS', `unknown helper option ${a}`);
    }
  }
  // Per owner unless given: root's helper and a user's never share one.
  out.dataRoot = dataRoot ?? dataRootFor(out.ownerUid);
  return out;
}
