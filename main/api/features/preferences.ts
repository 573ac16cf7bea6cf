/**
 * The user's preferences, stored by main (which runs as the user) in one
 * 0600 JSON file per user: `preferences.json` in Electron's userData
 * (~/.config/berth) or, for web mode and the CLI, $XDG_CONFIG_HOME/berth
 * (~/.config/berth): the same file, so the window and a web session of one
 * user share their settings and no other user reads them. Also the Electron
 * notification, when main was given one (the window build).
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  DEFAULT_PREFERENCES,
  Preferences,
  type PreferencesPatchT,
  type PreferencesT,
} from '../../../preload/schemas/preferences';
import { Mutex } from '../../shared/mutex';
import type { MainHandlersFor } from '../router';

/** Shows a desktop notification; main/index.ts passes Electron's. */
export type Notifier = (n: { title: string; body: string }) => void;

export function defaultPreferencesPath(env: NodeJS.ProcessEnv): string {
  const config =
    env.XDG_CONFIG_HOME && path.isAbsolute(env.XDG_CONFIG_HOME)
      ? env.XDG_CONFIG_HOME
      : path.join(os.homedir(), '.config');
  return path.join(config, 'berth', 'preferences.json');
}

/**
 * What the file holds, key by key: a key that is missing or no longer valid
 * (hand-edited, from another version) takes its default instead of throwing
 * the whole set away; a file that is not JSON at all is all defaults.
 */
export function readPreferencesText(text: string | null): PreferencesT {
  if (text === null) return { ...DEFAULT_PREFERENCES };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ...DEFAULT_PREFERENCES };
  }
  const out: Record<string, unknown> = { ...DEFAULT_PREFERENCES };
  if (raw && typeof raw === 'object' && !Array.isArray(raw)) {
    for (const [key, shape] of Object.entries(Preferences.shape)) {
      const v = shape.safeParse((raw as Record<string, unknown>)[key]);
      if (v.success && v.data !== undefined) out[key] = v.data;
    }
  }
  return Preferences.parse(out);
}

export class PreferencesStore {
  private readonly lock = new Mutex();

  constructor(readonly file: string) {}

  async get(): Promise<PreferencesT> {
    let text: string | null = null;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    return readPreferencesText(text);
  }

  /** Read-merge-write under one lock; the file is replaced by rename, so a crash leaves the old or the new set. */
  set(patch: PreferencesPatchT): Promise<PreferencesT> {
    return this.lock.run(async () => {
      const next = Preferences.parse({ ...(await this.get()), ...patch });
      await mkdir(path.dirname(this.file), { recursive: true, mode: 0o700 });
      const tmp = `${this.file}.${process.pid}.tmp`;
      await writeFile(tmp, `${JSON.stringify(next, null, 2)}\n`, { mode: 0o600 });
      await rename(tmp, this.file);
      return next;
    });
  }
}

export function preferencesHandlers(
  store: PreferencesStore,
  notify: Notifier | undefined,
): MainHandlersFor<'preferences.get' | 'preferences.set' | 'app.notify'> {
  return {
    'preferences.get': () => store.get(),
    'preferences.set': (patch) => store.set(patch),
    'app.notify': async (n) => {
      if (!notify) return { shown: false };
      notify(n);
      return { shown: true };
    },
  };
}
