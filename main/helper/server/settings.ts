/**
 * The helper's tunables: session idle time and scrollback, archive caps. From
 * defaults, then a root-owned JSON file (`/etc/berth/helper.json`, or
 * `--config`), then flags. The file is how a desktop install (pkexec refuses
 * every flag but --foreground) sets them; it is read only when root owns it
 * and nobody else may write it, so a user cannot loosen a root process's caps.
 *
 * ```json
 * { "sessionIdleSeconds": 600, "sessionScrollbackBytes": 65536,
 *   "archive": { "metadataBytes": 268435456, "layerBytes": 68719476736,
 *                "imageBytes": 137438953472, "minFreeBytes": 268435456 } }
 * ```
 */
import fs from 'node:fs';
import { z } from 'zod';
import { BerthError } from '../../../preload/errors';
import {
  DEFAULT_MAX_SESSIONS,
  DEFAULT_SCROLLBACK_BYTES,
  DEFAULT_SESSION_IDLE_MS,
} from '../../engine/containers/sessions';
import { DEFAULT_ARCHIVE_LIMITS, type ArchiveLimits } from '../../engine/oci/limits';

export const DEFAULT_CONFIG_FILE = '/etc/berth/helper.json';

export interface HelperSettings {
  sessions: { idleMs: number; scrollbackBytes: number; maxSessions: number };
  archive: ArchiveLimits;
}

export function defaultSettings(): HelperSettings {
  return {
    sessions: {
      idleMs: DEFAULT_SESSION_IDLE_MS,
      scrollbackBytes: DEFAULT_SCROLLBACK_BYTES,
      maxSessions: DEFAULT_MAX_SESSIONS,
    },
    archive: { ...DEFAULT_ARCHIVE_LIMITS },
  };
}

const Bytes = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
const ConfigFile = z
  .object({
    sessionIdleSeconds: z
      .number()
      .positive()
      .max(365 * 24 * 3600)
      .optional(),
    sessionScrollbackBytes: z
      .number()
      .int()
      .nonnegative()
      .max(64 * 1024 * 1024)
      .optional(),
    archive: z
      .object({
        metadataBytes: Bytes.optional(),
        layerBytes: Bytes.optional(),
        imageBytes: Bytes.optional(),
        minFreeBytes: Bytes.optional(),
      })
      .strict()
      .optional(),
  })
  .strict();
export type HelperConfigFile = z.infer<typeof ConfigFile>;

export function applyConfig(s: HelperSettings, c: HelperConfigFile): void {
  if (c.sessionIdleSeconds !== undefined) s.sessions.idleMs = Math.round(c.sessionIdleSeconds * 1000);
  if (c.sessionScrollbackBytes !== undefined) s.sessions.scrollbackBytes = c.sessionScrollbackBytes;
  for (const k of ['metadataBytes', 'layerBytes', 'imageBytes', 'minFreeBytes'] as const) {
    const v = c.archive?.[k];
    if (v !== undefined) s.archive[k] = v;
  }
}

/**
 * Reads a config file; a missing file is no config (null). A file root does
 * not own, or one group/others may write, is refused: CONFIG_UNSAFE.
 */
export function readConfigFile(file: string): HelperConfigFile | null {
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new BerthError('CONFIG_UNREADABLE', `cannot open ${file}: ${(err as Error).message}`);
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile() || st.uid !== 0 || (st.mode & 0o022) !== 0) {
      throw new BerthError('CONFIG_UNSAFE', `${file} must be a regular file owned by root, writable by root only`);
    }
    if (st.size > 64 * 1024) throw new BerthError('CONFIG_INVALID', `${file} is larger than 64 KiB`);
    let json: unknown;
    try {
      json = JSON.parse(fs.readFileSync(fd, 'utf8'));
    } catch (err) {
      throw new BerthError('CONFIG_INVALID', `${file}: not JSON: ${(err as Error).message}`);
    }
    const parsed = ConfigFile.safeParse(json);
    if (!parsed.success) {
      const i = parsed.error.issues[0];
      throw new BerthError('CONFIG_INVALID', `${file}: ${i?.path.join('.') || '(root)'}: ${i?.message ?? 'invalid'}`);
    }
    return parsed.data;
  } finally {
    fs.closeSync(fd);
  }
}
